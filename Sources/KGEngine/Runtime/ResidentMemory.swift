import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The memory the process holds (its resident set), for the evaluation's memory limit.
public enum ResidentMemory {
    /// Resident bytes, from `/proc/self/statm` (0 when it cannot be read).
    static func bytes() -> Int {
        let descriptor = open("/proc/self/statm", O_RDONLY)
        guard descriptor >= 0 else { return 0 }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 128)
        let count = read(descriptor, &buffer, buffer.count)
        guard count > 0 else { return 0 }
        // "size resident shared ...", in pages.
        let fields = buffer[0..<count].split(separator: UInt8(ascii: " "))
        guard fields.count > 1, let pages = Int(String(decoding: fields[1], as: UTF8.self)) else { return 0 }
        return pages * sysconf(Int32(_SC_PAGESIZE))
    }

    /// The machine's memory (8 GiB assumed when it cannot be read).
    static func physicalBytes() -> Int {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        return pages > 0 && size > 0 ? pages * size : 8 << 30
    }

    /// `512 MiB`, `4 GiB`, `1.5 GiB`.
    public static func describe(_ bytes: Int) -> String {
        let gib = Double(bytes) / Double(1 << 30)
        if gib >= 1 { return gib == gib.rounded() ? "\(Int(gib)) GiB" : String(format: "%.1f GiB", gib) }
        return "\(bytes >> 20) MiB"
    }

    /// A size written as bytes or with a unit (`512M`, `2G`, `1.5GiB`, `100000000`); nil when
    /// it is not one.
    public static func parse(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).uppercased()
        let (gib, mib, kib) = (Double(1 << 30), Double(1 << 20), Double(1 << 10))
        let units: [(String, Double)] = [("GIB", gib), ("GB", gib), ("G", gib), ("MIB", mib), ("MB", mib), ("M", mib),
                                         ("KIB", kib), ("KB", kib), ("K", kib), ("B", 1)]
        for (suffix, factor) in units where trimmed.hasSuffix(suffix) {
            guard let number = Double(trimmed.dropLast(suffix.count)), number > 0, number * factor < Double(Int.max) else { return nil }
            return Int(number * factor)
        }
        guard let number = Int(trimmed), number > 0 else { return nil }
        return number
    }
}
