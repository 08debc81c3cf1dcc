import Foundation
import KGFormats
#if canImport(Glibc)
import Glibc
#endif

/// Shows output taller than the screen through a pager program, as psql and git do: the
/// session's answers, `.sources`, `.why --all` and `.help` can be scrolled and searched instead
/// of running off the top of the terminal.
///
/// The program is `KGLOG_PAGER`, else `PAGER`, else `less -FRX` (quit at the end of a short
/// text, keep colours, leave the text on the screen) or, without less, `more`; either variable
/// set to an empty string turns paging off. `.pager off` in the session does the same.
public struct Pager: Equatable, Sendable {
    /// A shell command line that reads the text on its standard input.
    public let command: String

    public init(command: String) {
        self.command = command
    }

    /// The pager the environment asks for, or nil when it turns paging off.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Pager? {
        for name in ["KGLOG_PAGER", "PAGER"] {
            if let command = environment[name] {
                let trimmed = command.trimmingCharacters(in: .whitespaces)
                return trimmed.isEmpty ? nil : Pager(command: trimmed)
            }
        }
        let path = environment["PATH"] ?? "/usr/bin:/bin"
        func installed(_ program: String) -> Bool {
            path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(program)") }
        }
        return installed("less") ? Pager(command: "less -FRX") : installed("more") ? Pager(command: "more") : nil
    }

    /// Whether `text` takes more lines than a screen of `rows` rows and `columns` columns
    /// holds with a prompt below it: long lines count once for each screen line they wrap to.
    public static func needsPaging(_ text: String, rows: Int, columns: Int) -> Bool {
        guard rows > 0, columns > 0 else { return false }
        var screenLines = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast(text.hasSuffix("\n") ? 1 : 0) {
            screenLines += max(1, (displayWidth(String(line)) + columns - 1) / columns)
            if screenLines >= rows { return true }
        }
        return false
    }

    /// Runs the pager with `text` on its standard input and waits until it ends. Returns whether
    /// the pager read all of it (one that quit early did not); `nil` when the pager could not be
    /// started at all, or the shell found no such command (status 127): the text is not shown.
    @discardableResult
    public func show(_ text: String) -> Bool? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let input = Pipe()
        process.standardInput = input
        do {
            try process.run()
        } catch {
            return nil
        }
        // A pager that quits early closes the pipe: the write fails with EPIPE, rather than a
        // SIGPIPE ending this process, and the rest is not written.
        let previous = signal(SIGPIPE, SIG_IGN)
        defer { signal(SIGPIPE, previous) }
        let delivered = OutputFile.write(text, to: input.fileHandleForWriting.fileDescriptor) == 0
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        if process.terminationReason == .exit && process.terminationStatus == 127 { return nil }
        return delivered && process.terminationStatus == 0
    }
}
