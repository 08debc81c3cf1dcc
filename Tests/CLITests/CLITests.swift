import XCTest

/// Runs the built `kglog` executable as a user would and compares its exact output.
final class CLITests: XCTestCase {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var executable: URL {
        // The test bundle sits in the build folder next to the kglog executable.
        let bundle = URL(fileURLWithPath: CommandLine.arguments.first { $0.contains(".xctest") } ?? CommandLine.arguments[0])
        var folder = bundle.deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: folder.appendingPathComponent("kglog").path), folder.path != "/" {
            folder = folder.deletingLastPathComponent()
        }
        return folder.appendingPathComponent("kglog")
    }

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    func kglog(_ arguments: [String], input: String? = nil) throws -> Result {
        try CLITests.run(arguments, input: input)
    }

    /// Runs the built kglog with arguments and standard input; returns status and output.
    static func run(_ arguments: [String], input: String? = nil) throws -> Result {
        let process = Process()
        process.executableURL = CLITests.executable
        process.arguments = arguments
        process.currentDirectoryURL = CLITests.packageRoot
        let out = Pipe(), err = Pipe(), inPipe = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = inPipe
        try process.run()
        if let input { inPipe.fileHandleForWriting.write(Data(input.utf8)) }
        try inPipe.fileHandleForWriting.close()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }

    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("kglog-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func write(_ name: String, _ text: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    // MARK: - The sample

    func testSampleQueriesMatchTheCheckedInOutput() throws {
        let result = try kglog(["run", "--format", "table", "samples/csto.kgl", "samples/queries.kgl"])
        let expected = try String(contentsOf: CLITests.packageRoot.appendingPathComponent("samples/queries.expected"), encoding: .utf8)
        XCTAssertEqual(result.stderr, "")
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.stdout, expected)
    }

    func testQueryWithLoadInEveryFormat() throws {
        let args = ["query", "--load", "samples/csto.kgl"]
        let query = "?- member-of(X, csto), member-of(X, cis), X < l."
        XCTAssertEqual(try kglog(args + ["--format", "tsv", query]).stdout, "X\narmenia\nbelarus\nkazakhstan\nkyrgyzstan\n")
        XCTAssertEqual(try kglog(args + ["--format", "csv", "name(csto, N)"]).stdout,
                       "N\nCollective Security Treaty Organization\nОДКБ\n")
        XCTAssertEqual(try kglog(args + ["--format", "json", "lasts-days(E, D)"]).stdout,
                       #"{"query":"?- lasts-days(E, D).","columns":["E","D"],"rows":[[{"value":"interaction-2012","kind":"name"},{"value":6,"kind":"integer"}]]}"# + "\n")
        XCTAssertEqual(try kglog(args + ["--format", "table", "member-of(moldova, csto)"]).stdout, "?- member-of(moldova, csto).\nfalse\n")
        XCTAssertEqual(try kglog(args + ["--count", "co-member(X, Y, O)"]).stdout, "114\n")
    }

    func testPipedOutputDefaultsToTSV() throws {
        let result = try kglog(["query", "--load", "samples/csto.kgl", "outside-csto(X)"])
        XCTAssertEqual(result.stdout, "X\nazerbaijan\nmoldova\n")
    }

    // MARK: - A knowledge base file

    func testRunWritesToADatabaseThatLaterQueriesRead() throws {
        let db = directory.appendingPathComponent("csto.kglog").path
        XCTAssertEqual(try kglog(["run", "--db", db, "samples/csto.kgl"]).status, 0)
        let result = try kglog(["query", "--db", db, "--format", "tsv", "ally(armenia, Y), member-of(Y, csto)"])
        XCTAssertEqual(result.stdout, "Y\nbelarus\nkazakhstan\nkyrgyzstan\nrussia\ntajikistan\nuzbekistan\n")
        let retract = try write("retract.kgl", "retract member-of(uzbekistan, csto).\n?- member-of(uzbekistan, csto).\n")
        XCTAssertEqual(try kglog(["run", "--db", db, retract]).stdout, "false\n")
        XCTAssertEqual(try kglog(["query", "--db", db, "member-of(uzbekistan, cis)"]).stdout, "true\n")
    }

    // MARK: - Errors and exit codes

    func testSyntaxErrorsInAnyFileApplyNothingAndExitWithOne() throws {
        let db = directory.appendingPathComponent("kb.kglog").path
        let good = try write("good.kgl", "p(a).\n")
        let bad = try write("bad.kgl", "q(b).\nq(c\nr(X) :- q(X), .\n")
        let result = try kglog(["run", "--db", db, good, bad])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stdout, "")
        XCTAssertEqual(result.stderr, """
            \(bad):3:1: error: expected ',' or ')' but found 'r'
            r(X) :- q(X), .
            ^

            """)
        // Nothing ran: not even the good file.
        XCTAssertEqual(try kglog(["query", "--db", db, "p(X)"]).status, 1)
    }

    func testAnErrorWhileRunningRollsBackThatFile() throws {
        let db = directory.appendingPathComponent("kb.kglog").path
        let first = try write("first.kgl", "p(a).\n")
        let second = try write("second.kgl", "p(b).\n?- p(X), Y = 1 / 0.\n")
        let result = try kglog(["run", "--db", db, first, second])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderr, "\(second):2:16: error: division by zero\n?- p(X), Y = 1 / 0.\n               ^\n")
        XCTAssertEqual(try kglog(["query", "--db", db, "p(X)"]).stdout, "X\na\n")
    }

    func testUnknownPredicateExitsWithOne() throws {
        let result = try kglog(["query", "?- member-of(X, csto)."])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderr, "<query>:1:4: error: unknown predicate 'member-of/2': no fact or rule defines it\n?- member-of(X, csto).\n   ^\n")
    }

    func testMissingFileExitsWithOne() throws {
        let result = try kglog(["run", "no-such-file.kgl"])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderr, "kglog: error: cannot read 'no-such-file.kgl': no such file\n")
    }

    func testImportingWhatCannotBeReadExitsWithOneAndChangesNothing() throws {
        let db = directory.appendingPathComponent("kb.kglog").path
        XCTAssertEqual(try kglog(["run", "--db", db, try write("seed.kgl", "seed(a).\n")]).status, 0)
        for name in ["folder.nt", "folder.nq", "folder.kgl", "folder.csv"] {
            try FileManager.default.createDirectory(at: directory.appendingPathComponent(name), withIntermediateDirectories: true)
        }
        for (arguments, file, reason) in [
            ([], "missing.nt", "no such file"), ([], "folder.nt", "it is a directory"), ([], "folder.nq", "it is a directory"),
            ([], "folder.kgl", "it is a directory"), (["--predicate", "p"], "folder.csv", "it is a directory"),
        ] {
            let path = directory.appendingPathComponent(file).path
            let result = try kglog(["import", "--db", db] + arguments + [path])
            XCTAssertEqual(result.status, 1, file)
            XCTAssertEqual(result.stderr, "kglog: error: cannot read '\(path)': \(reason)\n")
        }
        XCTAssertEqual(try kglog(["query", "--db", db, "seed(X)"]).stdout, "X\na\n")
    }

    func testRunReadsStandardInputAndReportsFoldersAndBadText() throws {
        let result = try kglog(["run", "--format", "tsv", "/dev/stdin"], input: "m(a, x). m(b, x).\n?- m(X, x).\n")
        XCTAssertEqual(result.stdout, "X\na\nb\n")
        XCTAssertEqual(result.status, 0)
        let folder = directory.appendingPathComponent("rules.kgl").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        XCTAssertEqual(try kglog(["run", folder]).stderr, "kglog: error: cannot read '\(folder)': it is a directory\n")
        let latin1 = directory.appendingPathComponent("latin1.kgl").path
        XCTAssertTrue(FileManager.default.createFile(atPath: latin1, contents: Data([0x70, 0x28, 0xE9, 0x29, 0x2E, 0x0A])))
        XCTAssertEqual(try kglog(["run", latin1]).stderr, "kglog: error: cannot read '\(latin1)': the file is not UTF-8 text\n")
        XCTAssertEqual(try kglog([], input: ".load \(folder)\n").stderr, "error: cannot read '\(folder)': it is a directory\n")
    }

    func testExportsThatCannotBeWrittenFailClearlyAndLeaveFilesAsTheyWere() throws {
        let db = directory.appendingPathComponent("kb.kglog").path
        XCTAssertEqual(try kglog(["run", "--db", db, try write("m.kgl", "m(armenia, csto).\n")]).status, 0)
        // A full device: the error says so (and the device stays a device).
        let full = try kglog(["export", "--db", db, "--format", "kgl", "--output", "/dev/full"])
        XCTAssertEqual(full.status, 1)
        XCTAssertEqual(full.stderr, "kglog: error: cannot write '/dev/full': no space left on the device\n")
        var status = stat()
        XCTAssertEqual(lstat("/dev/full", &status), 0)
        XCTAssertEqual(status.st_mode & S_IFMT, S_IFCHR)
        let process = Process()
        process.executableURL = CLITests.executable
        process.arguments = ["export", "--db", db, "--format", "nt"]
        process.standardOutput = try XCTUnwrap(FileHandle(forWritingAtPath: "/dev/full"))
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 1)
        XCTAssertEqual(String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self),
                       "kglog: error: cannot write 'standard output': no space left on the device\n")
        // A missing folder, and a failed export over an existing file, which keeps its content.
        let missing = directory.appendingPathComponent("no/such/out.nt").path
        XCTAssertEqual(try kglog(["export", "--db", db, "--format", "nt", "--output", missing]).stderr,
                       "kglog: error: cannot write '\(missing)': no such folder\n")
        let existing = try write("old.csv", "kept\n")
        XCTAssertEqual(try kglog(["export", "--db", db, "--format", "csv", "--output", existing]).status, 1)
        XCTAssertEqual(try String(contentsOfFile: existing, encoding: .utf8), "kept\n")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix(".") }, [])
        // A successful one replaces it.
        XCTAssertEqual(try kglog(["export", "--db", db, "--format", "csv", "--predicate", "m", "--output", existing]).status, 0)
        XCTAssertEqual(try String(contentsOfFile: existing, encoding: .utf8), "armenia,csto\n")
    }

    func testCompactReportsWhatItRemoved() throws {
        let db = directory.appendingPathComponent("kb.kglog").path
        XCTAssertEqual(try kglog(["run", "--db", db, try write("m.kgl", "m(armenia, csto) @ tass. m(russia, csto).\nretract source tass.\n")]).status, 0)
        let result = try kglog(["compact", "--db", db])
        XCTAssertEqual(result.status, 0)
        XCTAssertTrue(result.stderr.hasPrefix("removed 2 unused terms; "), result.stderr)
        XCTAssertEqual(try kglog(["query", "--db", db, "--format", "tsv", "m(X, csto)"]).stdout, "X\nrussia\n")
        let usage = try kglog(["compact"])
        XCTAssertEqual(usage.status, 2)
        XCTAssertTrue(usage.stderr.contains("compact works on a file: give --db FILE"), usage.stderr)
    }

    func testImportReadsStandardInput() throws {
        let db = directory.appendingPathComponent("kb.kglog").path
        let result = try kglog(["import", "--db", db, "--format", "nt", "/dev/stdin"],
                               input: "<http://e/a> <http://e/p> <http://e/b> .\n<http://e/b> <http://e/p> <http://e/c> .\n")
        XCTAssertEqual(result.stderr, "/dev/stdin: 2 facts imported\n")
        XCTAssertEqual(try kglog(["query", "--db", db, "--format", "tsv", "<http://e/p>(X, <http://e/c>)"]).stdout, "X\nhttp://e/b\n")
    }

    func testNotAKnowledgeBaseExitsWithOne() throws {
        let notes = try write("notes.txt", String(repeating: "plain text\n", count: 100))
        let result = try kglog(["query", "--db", notes, "p(X)"])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderr, "kglog: error: '\(notes)' is not a kglog knowledge base\n")
    }

    func testBadUsageExitsWithTwo() throws {
        XCTAssertEqual(try kglog(["run"]).status, 2)
        XCTAssertEqual(try kglog(["query", "--format", "xml", "p(X)"]).status, 2)
        XCTAssertEqual(try kglog(["run", "--frobnicate", "x.kgl"]).status, 2)
        let help = try kglog(["--help"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.stdout.contains("USAGE: kglog <subcommand>"), help.stdout)
    }
}

extension CLITests {
    func testWhyOnTheSampleMatchesTheCheckedInTree() throws {
        let result = try kglog(["why", "--load", "samples/csto.kgl", "ally(armenia, russia)"])
        let expected = try String(contentsOf: CLITests.packageRoot.appendingPathComponent("samples/why-ally.expected"), encoding: .utf8)
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.stdout, expected)
        let missing = try kglog(["why", "--load", "samples/csto.kgl", "ally(armenia, georgia)"])
        XCTAssertEqual(missing.stdout, "ally(armenia, georgia) does not hold\n")
        XCTAssertEqual(try kglog(["why", "ally(X, Y)"]).status, 1)
    }
}

// MARK: - The interactive session

extension CLITests {
    func testPipedInputGivesTheSameAnswersAsRun() throws {
        let script = try String(contentsOf: CLITests.packageRoot.appendingPathComponent("samples/queries.kgl"), encoding: .utf8)
        let piped = try kglog(["--format", "tsv", "--load", "samples/csto.kgl"], input: script)
        let run = try kglog(["run", "--format", "tsv", "samples/csto.kgl", "samples/queries.kgl"])
        XCTAssertEqual(piped.status, 0)
        XCTAssertEqual(piped.stderr, "")
        XCTAssertEqual(piped.stdout, run.stdout)
        // No prompts, no escape codes; errors go on and are reported.
        let session = try kglog(["--format", "tsv"], input: "p(a).\n?- p(X\n).\n?- q(X).\n.mode csv\n?- p(X), X = a.\nr(\n")
        XCTAssertEqual(session.stdout, "X\na\n\nX\na\n")
        XCTAssertEqual(session.stderr, """
            <input>:1:4: error: unknown predicate 'q/1': no fact or rule defines it
            ?- q(X).
               ^
            error: the input ends inside a statement: expected '.'

            """)
    }

    /// Runs kglog in a pseudo-terminal (through python3's pty module), types keys and returns
    /// what the terminal showed.
    func terminalSession(_ arguments: [String], keys: [String], home: String) throws -> String {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") || FileManager.default.fileExists(atPath: "/usr/local/bin/python3")
                || (try? Process.run(URL(fileURLWithPath: "/usr/bin/env"), arguments: ["python3", "-c", "0"])) != nil else {
            throw XCTSkip("python3 is needed to drive a pseudo-terminal")
        }
        let driver = """
            import os, pty, sys, time, select, json
            args, keys = json.loads(sys.argv[1]), json.loads(sys.argv[2])
            pid, fd = pty.fork()
            if pid == 0:
                os.environ["HOME"] = sys.argv[3]
                os.environ["TERM"] = "xterm"
                os.execv(args[0], args)
            out = b""
            def drain(seconds):
                global out
                end = time.time() + seconds
                while time.time() < end:
                    r, _, _ = select.select([fd], [], [], 0.05)
                    if r:
                        try:
                            data = os.read(fd, 65536)
                        except OSError:
                            return
                        if not data:
                            return
                        out += data
            drain(2.0)
            for k in keys:
                os.write(fd, k.encode())
                drain(0.4)
            drain(1.0)
            os.waitpid(pid, 0)
            sys.stdout.write(out.decode("utf-8", "replace"))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let encode = { (value: Any) throws -> String in String(decoding: try JSONSerialization.data(withJSONObject: value), as: UTF8.self) }
        process.arguments = ["python3", "-c", driver, try encode([CLITests.executable.path] + arguments), try encode(keys), home]
        process.currentDirectoryURL = CLITests.packageRoot
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    func testATerminalSession() throws {
        let home = directory.path
        let screen = try terminalSession(["--load", "samples/csto.kgl"], keys: [
            "?- member-of(X,\r", "  csto), X < b.\r",   // a multi-line query
            "?- nothing(X).\r",                            // an error
            "\u{1B}[A\u{1B}[A\u{1B}[A",                     // history: back past the first statement
            "\u{03}",                                       // Ctrl-C clears the line
            "?- outs\t",                                   // Tab completes a predicate name
            "X).\r",
            "\u{04}",                                      // Ctrl-D leaves
        ], home: home)
        let erase = "\u{1B}[K"
        XCTAssertTrue(screen.contains("kglog: a new in-memory knowledge base"), screen)
        XCTAssertTrue(screen.contains("\rkglog> ?- member-of(X,\(erase)\r\n"), screen)
        XCTAssertTrue(screen.contains("\r   ...>   csto), X < b.\(erase)\r\n"), screen)
        XCTAssertTrue(screen.contains("| armenia |\r\n+---------+\r\n1 row\r\n"), screen)
        XCTAssertTrue(screen.contains("<input>:1:4: error: unknown predicate 'nothing/1': no fact or rule defines it\r\n"), screen)
        // The query typed over two lines comes back as one.
        XCTAssertTrue(screen.contains("\rkglog> ?- member-of(X, csto), X < b.\(erase)^C\r\n"), screen)
        XCTAssertTrue(screen.contains("\rkglog> ?- outside-csto(\(erase)"), screen)
        XCTAssertTrue(screen.contains("| azerbaijan |\r\n| moldova    |\r\n"), screen)
        let history = try String(contentsOfFile: home + "/.kglog_history", encoding: .utf8)
        XCTAssertEqual(history, "?- member-of(X, csto), X < b.\n?- nothing(X).\n?- outside-csto(X).\n")
    }
}
