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

    func testNotAKnowledgeBaseExitsWithOne() throws {
        let notes = try write("notes.txt", String(repeating: "plain text\n", count: 100))
        let result = try kglog(["query", "--db", notes, "p(X)"])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderr, "kglog: error: '\(notes)' is not a kglog knowledge base\n")
    }

    func testBadUsageExitsWithTwo() throws {
        XCTAssertEqual(try kglog(["run"]).status, 2)
        XCTAssertEqual(try kglog(["query", "--format", "xml", "p(X)"]).status, 2)
        XCTAssertEqual(try kglog(["frobnicate"]).status, 2)
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
