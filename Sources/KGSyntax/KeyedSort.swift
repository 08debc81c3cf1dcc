/// Sorting by 64-bit keys in a few linear passes: a least-significant-digit radix sort by 16-bit
/// digits that skips the digits every key shares (the high bits of small ids, the zero bytes
/// after a short text). Stable: elements with equal keys keep their order, so sorting by one
/// column after another (the last first) sorts by all of them. The one radix sort of kglog:
/// answers are ranked, decoded and put in order with it, and the stores sort the rows they
/// write with it, where comparison sorts of a million elements cost tenths of a second.
public enum KeyedSort {
    public typealias Keyed = (key: UInt64, index: Int)

    /// Sorts `elements` by `key`, keeping the order of elements with equal keys.
    @inlinable
    public static func sort<Element>(_ elements: inout [Element], by key: (Element) -> UInt64) {
        guard let first = elements.first, elements.count > 1 else { return }
        // Below this many, a comparison sort is as quick as the radix sort's passes.
        guard elements.count > 256 else {
            elements = elements.enumerated().sorted { (key($0.element), $0.offset) < (key($1.element), $1.offset) }.map(\.element)
            return
        }
        let firstKey = key(first)
        var varying: UInt64 = 0
        for element in elements { varying |= key(element) ^ firstKey }
        var other = elements
        var counts = [Int](repeating: 0, count: 1 << 16)
        for digit in 0..<4 {
            let shift = UInt64(digit * 16)
            guard (varying >> shift) & 0xFFFF != 0 else { continue }
            counts.withUnsafeMutableBufferPointer { counts in
                counts.update(repeating: 0)
                for element in elements { counts[Int((key(element) >> shift) & 0xFFFF)] += 1 }
                var total = 0
                for bucket in counts.indices { (counts[bucket], total) = (total, total + counts[bucket]) }
            }
            elements.withUnsafeBufferPointer { source in
                other.withUnsafeMutableBufferPointer { target in
                    counts.withUnsafeMutableBufferPointer { next in
                        for element in source {
                            let bucket = Int((key(element) >> shift) & 0xFFFF)
                            target[next[bucket]] = element
                            next[bucket] += 1
                        }
                    }
                }
            }
            swap(&elements, &other)
        }
    }

    /// Sorts `keyed` by key, keeping the order of equal keys.
    public static func sort(_ keyed: inout [Keyed]) {
        sort(&keyed) { $0.key }
    }

    /// The indices `0..<count` in the order of several keys, the first deciding (rows sorted
    /// by their columns): one stable pass a key, the last key first; equal rows keep their order.
    public static func order(count: Int, by keys: [(Int) -> UInt64]) -> [Int] {
        var order = Array(0..<count)
        for key in keys.reversed() { sort(&order, by: key) }
        return order
    }

    /// The key of a signed integer, so that keys sort as the integers do.
    @inline(__always)
    public static func key(_ value: Int64) -> UInt64 { UInt64(bitPattern: value) ^ (1 << 63) }
}
