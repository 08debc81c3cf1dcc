#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import KGSyntax

/// A file that cannot be opened, read or written, with the reason in words.
public struct FileError: Error, DiagnosticMessage, Equatable {
    public var path: String
    public var reason: String
    public var writing: Bool

    public init(path: String, reason: String, writing: Bool = false) {
        self.path = path
        self.reason = reason
        self.writing = writing
    }

    /// The error `errno` describes for `path`.
    public init(path: String, errno code: Int32, writing: Bool = false) {
        self.init(path: path, reason: FileError.reason(code), writing: writing)
    }

    public var message: String { "cannot \(writing ? "write" : "read") '\(path)': \(reason)" }

    static func reason(_ code: Int32) -> String {
        switch code {
        case ENOENT: return "no such file"
        case EACCES, EPERM: return "permission denied"
        case EISDIR: return "it is a directory"
        case ENOSPC: return "no space left on the device"
        case EROFS: return "the file system is read-only"
        case EFBIG: return "the file would be too large"
        default: return String(cString: strerror(code))
        }
    }
}

/// Reads a whole text file (or pipe, or `/dev/stdin`) as UTF-8.
public enum TextFile {
    public static func read(_ path: String) throws(FileError) -> String {
        let reader = try LineReader(path: path)
        let bytes = try reader.readAll()
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw FileError(path: path, reason: "the file is not UTF-8 text")
        }
        return text
    }
}

/// Reads a file line by line in large chunks, so memory stays flat however big the file is.
/// Lines are handed out as byte buffers without their line ending (`\n` or `\r\n`). Works on
/// anything `open` can read: files, pipes, `/dev/stdin`.
public final class LineReader {
    private let path: String
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private var start = 0
    private var finished = false
    public private(set) var lineNumber = 0
    public static let chunkSize = 1 << 20

    public init(path: String) throws(FileError) {
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        self.path = path
        // (A failed init still runs `deinit`, which closes the descriptor.)
        guard descriptor >= 0 else { throw FileError(path: path, errno: errno) }
        var status = stat()
        if fstat(descriptor, &status) == 0 && status.st_mode & S_IFMT == S_IFDIR {
            throw FileError(path: path, errno: EISDIR)
        }
    }

    /// Where `read` puts each chunk before it joins the partial line in `buffer`.
    private let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: LineReader.chunkSize, alignment: 8)

    deinit {
        if descriptor >= 0 { close(descriptor) }
        chunk.deallocate()
    }

    /// Calls `body` with each line; stops early when `body` throws.
    public func forEachLine(_ body: (UnsafeBufferPointer<UInt8>, Int) throws -> Void) throws {
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
            try readChunk()
        }
    }

    /// Everything not read yet, at once.
    func readAll() throws(FileError) -> [UInt8] {
        while !finished { try readChunk() }
        defer { buffer = [] }
        return Array(buffer[start...])
    }

    /// Appends up to `chunkSize` bytes to the buffer; at the end of the file, sets `finished`.
    private func readChunk() throws(FileError) {
        var count: Int
        repeat {
            count = read(descriptor, chunk.baseAddress, LineReader.chunkSize)
        } while count < 0 && errno == EINTR
        guard count >= 0 else { throw FileError(path: path, errno: errno) }
        buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[0..<count]))
        if count == 0 { finished = true }
    }
}
