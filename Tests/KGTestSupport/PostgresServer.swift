import Foundation

/// A PostgreSQL server of a test's own, in a temporary folder on a free port of 127.0.0.1, for
/// tests that stop and start a server (the suite's shared one must stay up). As root it runs as
/// the `postgres` user, which Debian's package creates: PostgreSQL refuses to run as root.
public final class PostgresServer {
    public let folder: URL
    public let port: Int
    private let bin: String

    /// The connection URI of its `postgres` database.
    public var uri: String { "postgresql://postgres@127.0.0.1:\(port)/postgres" }

    public init() throws {
        guard let version = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql"))?
            .sorted(by: { $0.compare($1, options: .numeric) == .orderedAscending }).last else {
            throw TestEnvironment.missing("PostgreSQL's server programs (/usr/lib/postgresql/*/bin)")
        }
        bin = "/usr/lib/postgresql/\(version)/bin"
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("kglog-test-postgres-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        port = try PostgresServer.freePort()
        if getuid() == 0 { try run("/bin/chown", ["postgres", folder.path]) }
        try asServerUser("\(bin)/initdb", ["-D", folder.path + "/data", "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"])
        // The role `analyst` signs in with a password over TCP (for the tests of a wrong one);
        // everyone else is trusted.
        let hba = folder.appendingPathComponent("data/pg_hba.conf")
        let rules = try String(contentsOf: hba, encoding: .utf8)
        try ("host all analyst 127.0.0.1/32 scram-sha-256\n" + rules).write(to: hba, atomically: false, encoding: .utf8)
        try start()
    }

    deinit {
        try? stop(immediately: true)
        try? FileManager.default.removeItem(at: folder)
    }

    public func start() throws {
        try asServerUser("\(bin)/pg_ctl", ["-D", folder.path + "/data", "-l", folder.path + "/server.log", "-w",
                                           "-o", "-c listen_addresses=127.0.0.1 -p \(port) -k \(folder.path) -c fsync=off", "start"])
    }

    /// Stops the server; `immediately` is a crash as far as clients can tell (`-m immediate`).
    public func stop(immediately: Bool = false) throws {
        try asServerUser("\(bin)/pg_ctl", ["-D", folder.path + "/data", "-m", immediately ? "immediate" : "fast", "-w", "stop"])
    }

    private func asServerUser(_ program: String, _ arguments: [String]) throws {
        if getuid() == 0 {
            try run("/usr/sbin/runuser", ["-u", "postgres", "--", program] + arguments)
        } else {
            try run(program, arguments)
        }
    }

    /// Runs a program to its end with its output in a file (a pipe's end would stay open in the
    /// server that `pg_ctl start` leaves running, and a reader of the pipe would never end).
    private func run(_ program: String, _ arguments: [String]) throws {
        let log = folder.appendingPathComponent("commands.log")
        if !FileManager.default.fileExists(atPath: log.path) { FileManager.default.createFile(atPath: log.path, contents: nil) }
        let output = try FileHandle(forWritingTo: log)
        defer { try? output.close() }
        output.seekToEndOfFile()
        // Through python3, whose child keeps none of this process's descriptors open: the
        // server `pg_ctl start` leaves running would otherwise hold the one by which Foundation
        // tells that a process ended, and the start would never be seen to end.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try TestEnvironment.tool("python3"))
        process.arguments = ["-c", "import subprocess, sys; sys.exit(subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL).returncode)",
                             program] + arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        // Waited for through its termination handler: `waitUntilExit` can miss the end of a
        // program whose child lives on.
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
        guard exited.wait(timeout: .now() + 60) == .success else {
            process.terminate()
            throw Subprocess.Timeout(description: "\(program) \(arguments.joined(separator: " ")) did not end within 60 s")
        }
        guard process.terminationStatus == 0 else {
            let printed = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            throw Subprocess.Timeout(description: "\(program) \(arguments.joined(separator: " ")) failed: \(printed)")
        }
    }

    private static func freePort() throws -> Int {
        let python = try TestEnvironment.tool("python3")
        let result = try Subprocess.run(python, ["-c", "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"])
        guard let port = Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw Subprocess.Timeout(description: "no free port: \(result.stderr)")
        }
        return port
    }
}
