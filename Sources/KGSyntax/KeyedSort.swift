/// Sorting indices by 64-bit keys in a few linear passes: a least-significant-digit radix sort
/// by 16-bit digits that skips the digits every key shares (the high bits of small ids, the
/// zero bytes after a short text). Stable: indices with equal keys keep their order. Answers
/// are ranked and decoded through it, where a comparison sort of 100,000 keys cost several
/// milliseconds.
public enum KeyedSort {
    public typealias Keyed = (key: UInt64, index: Int)

    /// Sorts `keyed` by key, keeping the order of equal keys.
    public static func sort(_ keyed: inout [Keyed]) {
        guard let first = keyed.first, keyed.count > 1 else { return }
        // Below this many, a comparison sort is as quick as the radix sort's passes.
        guard keyed.count > 256 else {
            keyed = keyed.enumerated().sorted { ($0.element.key, $0.offset) < ($1.element.key, $1.offset) }.map(\.element)
            return
        }
        var varying: UInt64 = 0
        for item in keyed { varying |= item.key ^ first.key }
        var other = keyed
        var counts = [Int](repeating: 0, count: 1 << 16)
        for digit in 0..<4 {
            let shift = UInt64(digit * 16)
            guard (varying >> shift) & 0xFFFF != 0 else { continue }
            counts.withUnsafeMutableBufferPointer { counts in
                counts.update(repeating: 0)
                for item in keyed { counts[Int((item.key >> shift) & 0xFFFF)] += 1 }
                var total = 0
                for bucket in counts.indices { (counts[bucket], total) = (total, total + counts[bucket]) }
            }
            keyed.withUnsafeBufferPointer { source in
                other.withUnsafeMutableBufferPointer { target in
                    counts.withUnsafeMutableBufferPointer { next in
                        for item in source {
                            let bucket = Int((item.key >> shift) & 0xFFFF)
                            target[next[bucket]] = item
                            next[bucket] += 1
                        }
                    }
                }
            }
            swap(&keyed, &other)
        }
    }

    /// The indices `0..<count` in the order of several keys, the first deciding (rows sorted
    /// by their columns): one stable pass a key, the last key first; equal rows keep their order.
    public static func order(count: Int, by keys: [(Int) -> UInt64]) -> [Int] {
        var order = Array(0..<count)
        for key in keys.reversed() {
            var keyed = order.map { (key: key($0), index: $0) }
            sort(&keyed)
            order = keyed.map(\.index)
        }
        return order
    }

    /// The key of a signed integer, so that keys sort as the integers do.
    @inline(__always)
    public static func key(_ value: Int64) -> UInt64 { UInt64(bitPattern: value) ^ (1 << 63) }
}
