#if canImport(Glibc)
import Glibc
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
import Darwin
private let systemWrite = Darwin.write
#endif

/// A file being written, with every failed write an error that says why.
///
/// A regular file (or a new one) is written under a temporary name beside it and renamed over
/// it by `finish()`, so a failed export never leaves half a file, nor destroys the old one.
/// Anything else — a device such as `/dev/stdout`, a pipe, a symbolic link — is written in
/// place: it is never replaced by a regular file.
public final class OutputFile {
    public let path: String
    private var descriptor: Int32
    /// The temporary file renamed over `path` by `finish()`; nil when writing in place.
    private let temporary: String?
    private let ownsDescriptor: Bool
    private var finished = false

    /// Standard output, written in place and never closed.
    public static func standardOutput() -> OutputFile {
        OutputFile(path: "standard output", descriptor: STDOUT_FILENO, temporary: nil, ownsDescriptor: false)
    }

    private init(path: String, descriptor: Int32, temporary: String?, ownsDescriptor: Bool) {
        self.path = path
        self.descriptor = descriptor
        self.temporary = temporary
        self.ownsDescriptor = ownsDescriptor
    }

    /// Opens `path` to be written from its start. With `inPlace`, a regular file is written
    /// directly too (what is written shows at once, as for the REPL's `.output`).
    public convenience init(path: String, inPlace: Bool = false) throws(FileError) {
        var status = stat()
        let exists = lstat(path, &status) == 0
        if exists && status.st_mode & S_IFMT == S_IFDIR { throw FileError(path: path, errno: EISDIR, writing: true) }
        if inPlace || (exists && status.st_mode & S_IFMT != S_IFREG) {
            let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
            guard descriptor >= 0 else { throw FileError(path: path, reason: OutputFile.reason(errno), writing: true) }
            self.init(path: path, descriptor: descriptor, temporary: nil, ownsDescriptor: true)
            return
        }
        let folder = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        let name = path.split(separator: "/").last.map(String.init) ?? path
        var template = Array("\(folder.isEmpty ? "/" : folder)/.\(name).XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw FileError(path: path, reason: OutputFile.reason(errno), writing: true) }
        // mkstemp makes the file readable by its owner only; an export is an ordinary file.
        let mask = umask(0)
        umask(mask)
        fchmod(descriptor, 0o666 & ~mask)
        let temporary = String(cString: template.withUnsafeBufferPointer { $0.baseAddress! })
        self.init(path: path, descriptor: descriptor, temporary: temporary, ownsDescriptor: true)
    }

    /// Why a file cannot be created: a missing folder is named as such.
    private static func reason(_ code: Int32) -> String {
        code == ENOENT ? "no such folder" : FileError.reason(code)
    }

    deinit {
        if !finished { discard() }
    }

    /// Text written but not yet handed to the system: a megabyte goes in one call.
    private var pending = ""
    private static let bufferBytes = 1 << 20

    /// Writes `text`; it reaches the file by the next megabyte, `flush()` or `finish()`.
    public func write(_ text: String) throws(FileError) {
        pending += text
        if pending.utf8.count >= OutputFile.bufferBytes { try flush() }
    }

    /// Hands everything written so far to the system.
    public func flush() throws(FileError) {
        guard !pending.isEmpty else { return }
        defer { pending = "" }
        try writeAll(pending)
    }

    private func writeAll(_ text: String) throws(FileError) {
        let result = OutputFile.write(text, to: descriptor)
        if result != 0 { throw FileError(path: path, errno: result, writing: true) }
    }

    /// Writes all of `text` to a descriptor, going on after interruptions; 0, or the `errno`
    /// of the write that failed.
    public static func write(_ text: String, to descriptor: Int32) -> Int32 {
        var text = text
        return text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let count = systemWrite(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if count < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += count
            }
            return 0
        }
    }

    /// Makes the written text the file's content (renaming the temporary file over it).
    public func finish() throws(FileError) {
        do {
            try flush()
        } catch {
            discard()
            throw error
        }
        finished = true
        guard ownsDescriptor else { return }
        if temporary != nil && fsync(descriptor) != 0 {
            let code = errno
            discard()
            throw FileError(path: path, errno: code, writing: true)
        }
        let closed = close(descriptor)
        let closeError = errno
        descriptor = -1
        guard let temporary else {
            if closed != 0 { throw FileError(path: path, errno: closeError, writing: true) }
            return
        }
        guard closed == 0, rename(temporary, path) == 0 else {
            let code = closed != 0 ? closeError : errno
            unlink(temporary)
            throw FileError(path: path, errno: code, writing: true)
        }
    }

    /// Gives up: the temporary file goes, an existing file keeps its old content.
    public func discard() {
        pending = ""
        finished = true
        if ownsDescriptor && descriptor >= 0 { close(descriptor) }
        descriptor = -1
        if let temporary { unlink(temporary) }
    }
}
