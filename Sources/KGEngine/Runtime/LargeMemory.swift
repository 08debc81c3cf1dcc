#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Allocation of the engine's big tables (rows, hash sets, indexes).
///
/// Blocks of 4 MiB and more are aligned to 2 MiB and marked for transparent huge pages where the
/// system offers them: a relation of millions of rows then takes a few hundred page faults
/// instead of hundreds of thousands. Blocks come from the C allocator, so a pointer's
/// `deallocate()` (which calls `free`) releases them.
enum LargeMemory {
    static let hugePage = 2 << 20

    static func allocate<T>(_ type: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        let bytes = max(count, 1) * MemoryLayout<T>.stride
        var raw: UnsafeMutableRawPointer?
        if bytes >= 4 << 20 {
            if posix_memalign(&raw, hugePage, bytes) == 0, let raw {
                #if os(Linux)
                _ = madvise(raw, bytes, 14 /* MADV_HUGEPAGE */)
                #endif
                return raw.bindMemory(to: T.self, capacity: count)
            }
        }
        guard let block = malloc(bytes) else { fatalError("out of memory allocating \(bytes) bytes") }
        return block.bindMemory(to: T.self, capacity: count)
    }
}
