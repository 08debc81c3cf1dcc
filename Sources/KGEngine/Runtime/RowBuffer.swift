#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A growable buffer of 64-bit term ids whose base address never moves.
///
/// Relations keep their rows here packed row after row, so no per-tuple object exists. The buffer
/// reserves a large range of address space up front and the system backs it with memory only as
/// rows are written: growing never copies, and rows appended during a scan (a recursive rule
/// adding to the relation it reads) never move the rows being scanned.
struct RowBuffer {
    let base: UnsafeMutablePointer<Int64>
    private(set) var count = 0
    /// How many values the reserved range holds.
    let capacity: Int
    private var hugePagesFrom = 0

    /// 16 GiB of address space: 2^31 values, more rows than a relation may number.
    static let reservedValues = 1 << 31

    init() {
        var values = RowBuffer.reservedValues
        while true {
            let raw = mmap(nil, values * 8, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
            if let raw, raw != MAP_FAILED {
                base = raw.bindMemory(to: Int64.self, capacity: values)
                capacity = values
                return
            }
            // Address space is limited (ulimit -v): reserve less.
            guard values > 1 << 16 else { fatalError("cannot reserve memory for a relation") }
            values /= 4
        }
    }

    /// Returns the memory to the system; the owner calls this exactly once.
    func deallocate() {
        munmap(base, capacity * 8)
    }

    @inline(__always)
    mutating func append(_ values: UnsafePointer<Int64>, count n: Int) {
        precondition(count + n <= capacity, "a relation outgrew its reserved memory")
        (base + count).update(from: values, count: n)
        count += n
        if count >= hugePagesFrom + (1 << 19) { adviseHugePages() }
    }

    /// Appends values stored little-endian in `bytes` (which need not be aligned).
    mutating func append(littleEndian bytes: UnsafeRawBufferPointer) {
        let n = bytes.count / 8
        precondition(count + n <= capacity, "a relation outgrew its reserved memory")
        UnsafeMutableRawPointer(base + count).copyMemory(from: bytes.baseAddress!, byteCount: n * 8)
        #if _endian(big)
        for i in count..<(count + n) { base[i] = Int64(littleEndian: base[i]) }
        #endif
        count += n
        if count >= hugePagesFrom + (1 << 19) { adviseHugePages() }
    }

    /// Once a relation is big, the rest of its range is backed by huge pages: far fewer faults.
    private mutating func adviseHugePages() {
        #if os(Linux)
        if hugePagesFrom == 0 {
            let start = (Int(bitPattern: base) + count * 8 + LargeMemory.hugePage - 1) & ~(LargeMemory.hugePage - 1)
            let end = Int(bitPattern: base) + capacity * 8
            if let aligned = UnsafeMutableRawPointer(bitPattern: start), end > start {
                _ = madvise(aligned, end - start, 14 /* MADV_HUGEPAGE */)
            }
        }
        #endif
        hugePagesFrom = Int.max / 2
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
