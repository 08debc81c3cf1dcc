import Foundation

/// Reads a file line by line in large chunks, so memory stays flat however big the file is.
/// Lines are handed out as byte buffers without their line ending (`\n` or `\r\n`).
public struct LineReader {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var start = 0
    private var finished = false
    public private(set) var lineNumber = 0
    public static let chunkSize = 1 << 20

    public init(path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        self.handle = handle
    }

    /// Calls `body` with each line; stops early when `body` throws.
    public mutating func forEachLine(_ body: (UnsafeBufferPointer<UInt8>, Int) throws -> Void) throws {
        while true {
            if let newline = buffer[start...].firstIndex(of: 0x0A) {
                var end = newline
                if end > start && buffer[end - 1] == 0x0D { end -= 1 }
                lineNumber += 1
                try buffer.withUnsafeBufferPointer { all in
                    try body(UnsafeBufferPointer(rebasing: all[start..<end]), lineNumber)
                }
                start = newline + 1
                continue
            }
            if finished {
                if start < buffer.count {
                    lineNumber += 1
                    var end = buffer.count
                    if buffer[end - 1] == 0x0D { end -= 1 }
                    try buffer.withUnsafeBufferPointer { all in
                        try body(UnsafeBufferPointer(rebasing: all[start..<end]), lineNumber)
                    }
                }
                return
            }
            // Keep the partial line, read the next chunk after it.
            buffer.removeSubrange(0..<start)
            start = 0
            let data = handle.readData(ofLength: LineReader.chunkSize)
            if data.isEmpty { finished = true } else { buffer.append(contentsOf: data) }
        }
    }
}
