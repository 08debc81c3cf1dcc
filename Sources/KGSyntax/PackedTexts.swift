/// Many texts' UTF-8 bytes in one buffer: text `i` is `bytes[starts[i]..<starts[i + 1]]`. For
/// sorting and writing large numbers of texts without a string each.
public struct PackedTexts: Sendable {
    public private(set) var bytes: [UInt8] = []
    public private(set) var starts: [Int] = [0]

    public init<Texts: Sequence>(_ texts: Texts) where Texts.Element == String {
        for text in texts {
            bytes.append(contentsOf: text.utf8)
            starts.append(bytes.count)
        }
    }
}
