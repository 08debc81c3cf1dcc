/// A growable buffer of 64-bit term ids with a stable base address between growths.
///
/// Relations keep their rows here packed row after row, so no per-tuple object exists.
struct RowBuffer {
    private(set) var base: UnsafeMutablePointer<Int64>
    private(set) var count = 0
    private(set) var capacity: Int

    init(capacity: Int = 64) {
        self.capacity = max(capacity, 16)
        base = LargeMemory.allocate(Int64.self, count: self.capacity)
    }

    /// Frees the memory; the owner calls this exactly once.
    func deallocate() {
        base.deallocate()
    }

    mutating func reserve(_ needed: Int) {
        guard needed > capacity else { return }
        var newCapacity = capacity
        while newCapacity < needed { newCapacity *= 2 }
        base = LargeMemory.reallocate(base, count: newCapacity)
        capacity = newCapacity
    }

    mutating func append(_ values: UnsafePointer<Int64>, count n: Int) {
        reserve(count + n)
        (base + count).update(from: values, count: n)
        count += n
    }

    mutating func append(contentsOf other: RowBuffer) {
        append(other.base, count: other.count)
    }

    mutating func removeAll() {
        count = 0
    }
}

/// The hash of `width` ids starting at `row`, restricted to `columns` when given.
@inline(__always)
func hashRow(_ row: UnsafePointer<Int64>, width: Int) -> UInt64 {
    var h: UInt64 = 0x243F_6A88_85A3_08D3
    for i in 0..<width {
        h = (h ^ UInt64(bitPattern: row[i])) &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 32
    }
    return h
}

@inline(__always)
func hashColumns(_ row: UnsafePointer<Int64>, _ columns: UnsafePointer<Int>, _ n: Int) -> UInt64 {
    var h: UInt64 = 0x243F_6A88_85A3_08D3
    for i in 0..<n {
        h = (h ^ UInt64(bitPattern: row[columns[i]])) &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 32
    }
    return h
}

@inline(__always)
func hashKey(_ key: UnsafePointer<Int64>, _ n: Int) -> UInt64 {
    hashRow(key, width: n)
}
