import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process for tests: its standard output and error are read concurrently as they
/// come (so neither pipe can fill up and stall it), every wait has a deadline, and a process
/// that outlives its deadline is killed and reported with what it printed.
public final class Subprocess: @unchecked Sendable {
    /// How a process ended and what it printed.
    public struct Result: Equatable, Sendable {
        /// The exit status, or 128 + the signal's number when a signal ended the process.
        public let status: Int32
        public let stdout: String
        public let stderr: String
    }

    /// A process that did not end before its deadline (it has been killed).
    public struct Timeout: Error, CustomStringConvertible {
        public let description: String
    }

    /// The seconds any one process may run before it is killed and the test fails.
    public static let defaultTimeout: Double = 180

    public let command: String
    public let process = Process()
    private let lock = NSLock()
    private var output = Data(), errors = Data()
    private let readers = DispatchGroup()
    private let exited = DispatchSemaphore(value: 0)

    /// Starts `executable` with `arguments`; `input` is written to its standard input, which is
    /// then closed (nil: standard input is empty). `standardOutput`, when given, receives the
    /// output instead of the pipe this reads.
    public init(_ executable: String, _ arguments: [String], input: Data? = nil, environment: [String: String]? = nil,
                directory: URL? = nil, standardOutput: FileHandle? = nil) throws {
        command = ([executable] + arguments).map { $0.count > 80 ? String($0.prefix(80)) + "…" : $0 }.joined(separator: " ")
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.currentDirectoryURL = directory ?? TestEnvironment.packageRoot
        let out = Pipe(), err = Pipe()
        process.standardOutput = standardOutput ?? out
        process.standardError = err
        let inPipe = input.map { _ in Pipe() }
        process.standardInput = inPipe ?? FileHandle.nullDevice
        process.terminationHandler = { [exited] _ in exited.signal() }
        try process.run()
        if standardOutput == nil { read(out.fileHandleForReading, toStandardError: false) }
        read(err.fileHandleForReading, toStandardError: true)
        if let input, let inPipe {
            let handle = inPipe.fileHandleForWriting
            DispatchQueue.global().async {
                // A child that stops reading early makes the write fail (EPIPE): that is its business.
                signal(SIGPIPE, SIG_IGN)
                try? handle.write(contentsOf: input)
                try? handle.close()
            }
        }
    }

    /// Starts the built `kglog` with `arguments`.
    public static func kglog(_ arguments: [String], input: String? = nil, environment: [String: String]? = nil,
                             standardOutput: FileHandle? = nil) throws -> Subprocess {
        try Subprocess(TestEnvironment.kglog.path, arguments, input: input.map { Data($0.utf8) }, environment: environment,
                       standardOutput: standardOutput)
    }

    /// Runs a program to its end (at most `timeout` seconds) and returns what it printed.
    public static func run(_ executable: String, _ arguments: [String], input: String? = nil, environment: [String: String]? = nil,
                           timeout: Double = defaultTimeout) throws -> Result {
        try Subprocess(executable, arguments, input: input.map { Data($0.utf8) }, environment: environment).wait(timeout: timeout)
    }

    /// Reads a pipe to its end on a thread of its own, appending to the output or the errors.
    private func read(_ handle: FileHandle, toStandardError: Bool) {
        readers.enter()
        DispatchQueue.global().async {
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                self.lock.lock()
                if toStandardError { self.errors.append(data) } else { self.output.append(data) }
                self.lock.unlock()
            }
            self.readers.leave()
        }
    }

    /// What the process has printed on standard output so far.
    public var stdoutSoFar: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: output, as: UTF8.self)
    }

    /// What the process has printed on standard error so far.
    public var stderrSoFar: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: errors, as: UTF8.self)
    }

    public var processIdentifier: Int32 { process.processIdentifier }

    /// Sends a signal to the process.
    public func send(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// Waits for the process to end; past `timeout` seconds kills it and throws `Timeout` with
    /// what it printed.
    public func wait(timeout: Double = defaultTimeout) throws -> Result {
        if exited.wait(timeout: .now() + timeout) == .timedOut {
            send(SIGKILL)
            _ = exited.wait(timeout: .now() + 10)
            _ = readers.wait(timeout: .now() + 5)
            throw Timeout(description: "'\(command)' did not end within \(Int(timeout)) s and was killed; it printed:\n"
                          + "--- standard output\n\(stdoutSoFar.suffix(4000))\n--- standard error\n\(stderrSoFar.suffix(4000))")
        }
        // A grandchild may hold a pipe open; what was printed until now is what there is.
        _ = readers.wait(timeout: .now() + 10)
        let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        return Result(status: status, stdout: stdoutSoFar, stderr: stderrSoFar)
    }

    /// Waits until `condition` holds, checking every few milliseconds; throws `Timeout` (and
    /// kills the process) when it does not within `timeout` seconds or the process ends first.
    public func waitUntil(_ what: String, timeout: Double = 60, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while try !condition() {
            if !process.isRunning {
                throw Timeout(description: "'\(command)' ended before \(what); it printed:\n"
                              + "--- standard output\n\(stdoutSoFar.suffix(4000))\n--- standard error\n\(stderrSoFar.suffix(4000))")
            }
            if Date() > deadline {
                send(SIGKILL)
                throw Timeout(description: "'\(command)': no \(what) within \(Int(timeout)) s; it printed:\n"
                              + "--- standard output\n\(stdoutSoFar.suffix(4000))\n--- standard error\n\(stderrSoFar.suffix(4000))")
            }
            usleep(2_000)
        }
    }

    /// Waits until the process has installed a handler for `signal` (read from
    /// `/proc/PID/status`), so that a signal sent next is caught rather than fatal.
    public func waitUntilHandling(_ signal: Int32, timeout: Double = 60) throws {
        try waitUntil("handler for signal \(signal)", timeout: timeout) {
            Subprocess.caughtSignals(of: process.processIdentifier) & (UInt64(1) << UInt64(signal - 1)) != 0
        }
    }

    /// The mask of signals a process catches (`SigCgt` in `/proc/PID/status`).
    static func caughtSignals(of pid: Int32) -> UInt64 {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("SigCgt:") }) else { return 0 }
        return UInt64(line.dropFirst("SigCgt:".count).trimmingCharacters(in: .whitespaces), radix: 16) ?? 0
    }
}
