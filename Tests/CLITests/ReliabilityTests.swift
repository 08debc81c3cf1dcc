import Foundation
import XCTest
import KGLog
import KGSyntax

/// Attacks on the tool: endless rules, Ctrl-C, kills in the middle of a write, concurrent
/// readers and a writer, a full disk, files that are not knowledge bases, huge input.
final class ReliabilityTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("kglog-rel-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func kglog(_ arguments: [String], input: String? = nil) throws -> CLITests.Result {
        try CLITests.run(arguments, input: input)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// An N-Triples file of `count` facts of predicate `p` (`<http://e/p>`).
    func triples(_ name: String, count: Int, predicate: String = "p", offset: Int = 0) throws -> String {
        var text = ""
        text.reserveCapacity(count * 60)
        for i in offset..<(offset + count) { text += "<http://e/s\(i)> <http://e/\(predicate)> \"value \(i)\" .\n" }
        let file = path(name)
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    func start(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = CLITests.executable
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    func count(_ db: String, _ predicate: String) throws -> Int {
        try KnowledgeBase(path: db).count("?- \(predicate)(X, Y).")
    }

    // MARK: - Programs that never end

    func testARuleThatNeverEndsStopsWithAClearError() throws {
        let file = path("endless.kgl")
        try "n(0).\nn(X) :- n(Y), X = Y + 1.\n?- n(X), X > 5.\n".write(toFile: file, atomically: true, encoding: .utf8)
        let result = try kglog(["run", "--max-facts", "5000", file])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.hasPrefix("\(file):3:1: error: evaluation stopped after deriving 5000 facts, the limit"), result.stderr)
    }

    func testSIGINTCancelsARunningQueryCleanly() throws {
        let db = path("kb.kglog")
        // Seed the file, then interrupt an endless evaluation.
        XCTAssertEqual(try kglog(["run", "--db", db, try write("seed.kgl", "n(0).\nn(X) :- n(Y), X = Y + 1.\n")]).status, 0)
        let query = Process()
        query.executableURL = CLITests.executable
        query.arguments = ["query", "--db", db, "--max-facts", "1000000000", "?- n(X), X < 0."]
        let errors = Pipe()
        query.standardError = errors
        query.standardOutput = FileHandle.nullDevice
        try query.run()
        Thread.sleep(forTimeInterval: 1.0)
        kill(query.processIdentifier, SIGINT)
        query.waitUntilExit()
        XCTAssertEqual(query.terminationStatus, 130)
        XCTAssertEqual(String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self),
                       "kglog: cancelled: nothing was changed\n")
        XCTAssertEqual(try KnowledgeBase(path: db).predicates().first { $0.predicate == .name("n") }?.storedFacts, 1)
    }

    func testSIGINTCancelsAnImportThatWaitsForMoreInput() throws {
        // The import reads a pipe that stays open: it cannot finish, and it must still stop.
        let db = path("kb.kglog")
        XCTAssertEqual(try kglog(["run", "--db", db, try write("seed.kgl", "seed(a).\n")]).status, 0)
        let fifo = path("stream.nt")
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        let process = Process()
        process.executableURL = CLITests.executable
        process.arguments = ["import", "--db", db, fifo]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let writer = try XCTUnwrap(FileHandle(forWritingAtPath: fifo))
        writer.write(Data((0..<1000).map { "<http://e/s\($0)> <http://e/p> <http://e/o> .\n" }.joined().utf8))
        Thread.sleep(forTimeInterval: 0.5)
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        writer.closeFile()
        XCTAssertEqual(process.terminationStatus, 130)
        XCTAssertEqual(String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self),
                       "kglog: cancelled: nothing was changed\n")
        XCTAssertEqual(try KnowledgeBase(path: db).predicates().map(\.predicate), [.name("seed")])
    }

    func write(_ name: String, _ text: String) throws -> String {
        try text.write(toFile: path(name), atomically: true, encoding: .utf8)
        return path(name)
    }

    // MARK: - Crashes

    func testAKillAtAnyMomentLeavesAllOrNothing() throws {
        let batch = 40_000
        let file = try triples("batch.nt", count: batch)
        var survived = 0
        var sawNothing = 0, sawAll = 0
        for round in 0..<8 {
            let db = path("killed-\(round).kglog")
            // Even rounds import beside a stored fact (the write-ahead log); odd rounds into a new
            // file (written directly under a rollback journal).
            let seeded = round % 2 == 0
            if seeded { XCTAssertEqual(try kglog(["run", "--db", db, try write("seed-\(round).kgl", "seed(a).\n")]).status, 0) }
            let process = try start(["import", "--db", db, file])
            Thread.sleep(forTimeInterval: 0.05 + 0.12 * Double(round))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let kb = try KnowledgeBase(path: db)
            XCTAssertEqual(try kb.store.integrityCheck(), "ok", "round \(round)")
            let facts = kb.catalog.arity(of: .iri("http://e/p")) == nil ? 0 : try count(db, "<http://e/p>")
            XCTAssertTrue(facts == 0 || facts == batch, "round \(round): \(facts) facts")
            if facts == 0 { sawNothing += 1 } else { sawAll += 1 }
            if seeded { XCTAssertEqual(try kb.query("seed(X)").rows.count, 1) }
            survived += 1
        }
        XCTAssertEqual(survived, 8)
        XCTAssertGreaterThan(sawNothing, 0, "every kill came after the commit: kill earlier")
    }

    // MARK: - Readers and a writer

    func testReadersNeverSeeHalfABatchNorALockError() throws {
        let db = path("shared.kglog")
        XCTAssertEqual(try kglog(["run", "--db", db, try write("seed.kgl", "<http://e/p>(<http://e/seed>, \"seed\").\n")]).status, 0)
        let batch = 20_000
        let files = try (0..<3).map { try triples("b\($0).nt", count: batch, offset: $0 * batch) }
        let writer = Process()
        writer.executableURL = URL(fileURLWithPath: "/bin/sh")
        writer.arguments = ["-c", files.map { "'\(CLITests.executable.path)' import --db '\(db)' '\($0)'" }.joined(separator: " && ")]
        writer.standardError = FileHandle.nullDevice
        try writer.run()
        var seen = Set<Int>()
        var failures: [String] = []
        let deadline = Date().addingTimeInterval(30)
        repeat {
            let result = try kglog(["query", "--db", db, "--count", "<http://e/p>(X, Y)"])
            if result.status != 0 { failures.append(result.stderr); continue }
            seen.insert(Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1)
        } while writer.isRunning && Date() < deadline
        writer.waitUntilExit()
        XCTAssertEqual(writer.terminationStatus, 0)
        XCTAssertEqual(failures, [])
        XCTAssertTrue(seen.isSubset(of: [1, 1 + batch, 1 + 2 * batch, 1 + 3 * batch]), "\(seen.sorted())")
        XCTAssertEqual(try count(db, "<http://e/p>"), 1 + 3 * batch)
    }

    func testASecondWriterWaitsThenSucceeds() throws {
        let db = path("two.kglog")
        XCTAssertEqual(try kglog(["run", "--db", db, try write("seed.kgl", "seed(a).\n")]).status, 0)
        let first = try triples("w1.nt", count: 40_000, predicate: "p")
        let second = try triples("w2.nt", count: 40_000, predicate: "q")
        let writers = try [first, second].map { file -> (Process, Pipe) in
            let process = Process()
            process.executableURL = CLITests.executable
            process.arguments = ["import", "--db", db, file]
            let errors = Pipe()
            process.standardError = errors
            try process.run()
            return (process, errors)
        }
        var messages: [String] = []
        for (process, errors) in writers {
            messages.append(String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, 0, messages.last ?? "")
        }
        XCTAssertEqual(messages.sorted(), ["\(first): 40000 facts imported\n", "\(second): 40000 facts imported\n"].sorted())
        XCTAssertEqual(try count(db, "<http://e/p>"), 40_000)
        XCTAssertEqual(try count(db, "<http://e/q>"), 40_000)
    }

    // MARK: - A full disk

    func testAWriteThatFailsMidwayRollsBackAndReports() throws {
        let db = path("full.kglog")
        XCTAssertEqual(try kglog(["run", "--db", db, try write("seed.kgl", "seed(a).\n")]).status, 0)
        let file = try triples("big.nt", count: 60_000)
        // A 1 MiB file-size limit: SQLite's writes fail part of the way (SIGXFSZ ignored, so the
        // write returns an error instead of killing the process).
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", "trap '' XFSZ; ulimit -f 1024; exec '\(CLITests.executable.path)' import --db '\(db)' '\(file)'"]
        let errors = Pipe()
        shell.standardError = errors
        try shell.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        shell.waitUntilExit()
        XCTAssertEqual(shell.terminationStatus, 1, message)
        XCTAssertTrue(message.hasPrefix("kglog: error: "), message)
        let kb = try KnowledgeBase(path: db)
        XCTAssertEqual(try kb.store.integrityCheck(), "ok")
        XCTAssertNil(kb.catalog.arity(of: .iri("http://e/p")))
        XCTAssertEqual(try kb.query("seed(X)").rows.count, 1)
    }

    // MARK: - Not a knowledge base

    func testATruncatedFileIsAClearErrorAndIsNotModified() throws {
        let db = path("cut.kglog")
        XCTAssertEqual(try kglog(["import", "--db", db, try triples("t.nt", count: 5_000)]).status, 0)
        let data = try Data(contentsOf: URL(fileURLWithPath: db))
        let cut = data.prefix(data.count / 3)
        try cut.write(to: URL(fileURLWithPath: db))
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + suffix) }
        let result = try kglog(["query", "--db", db, "--count", "<http://e/p>(X, Y)"])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.hasPrefix("kglog: error: '\(db)' is damaged: ") || result.stderr == "kglog: error: '\(db)' is not a kglog knowledge base\n",
                      result.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: db)), cut)
    }

    /// Sets or clears the immutable attribute (which even root cannot write through).
    func immutable(_ path: String, _ on: Bool) throws -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/chattr")
        process.arguments = [on ? "+i" : "-i", path]
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    func testAReadOnlyFileCanBeQueriedButNotChangedAndAReadOnlyFolderIsReported() throws {
        let folder = path("ro")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let db = folder + "/kb.kglog"
        XCTAssertEqual(try kglog(["run", "--db", db, try write("m.kgl", "m(armenia, csto).\n")]).status, 0)
        guard try immutable(db, true) else { throw XCTSkip("chattr +i is not available here") }
        defer { _ = try? immutable(db, false); _ = try? immutable(folder, false) }
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        XCTAssertEqual(try kglog(["query", "--db", db, "m(X, csto)"]).stdout, "X\narmenia\n")
        let change = try kglog(["run", "--db", db, try write("n.kgl", "m(russia, csto).\n")])
        XCTAssertEqual(change.status, 1)
        XCTAssertEqual(change.stderr, "kglog: error: '\(db)' is read-only: it can be queried but not changed\n")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: db)), before)
        guard try immutable(folder, true) else { throw XCTSkip("chattr +i is not available for folders here") }
        let create = try kglog(["run", "--db", folder + "/new.kglog", path("n.kgl")])
        XCTAssertEqual(create.status, 1)
        XCTAssertEqual(create.stderr, "kglog: error: cannot open '\(folder)/new.kglog': the folder is not writable, so the file cannot be created\n")
        XCTAssertEqual(try kglog(["query", "--db", db, "m(X, csto)"]).stdout, "X\narmenia\n")
    }

    // MARK: - Huge and deep input

    func testHugeInputsWorkOrFailClearly() throws {
        let kb = try KnowledgeBase()
        // A 10 MB string literal.
        let big = String(repeating: "x", count: 10_000_000)
        try kb.execute("s(\"\(big)\").")
        XCTAssertEqual(try kb.query("s(S), N = length(S)").rows.first?.last, .integer(10_000_000))
        // 1,000,000 atoms on one line: read in linear time (parsed here, not stored).
        let line = (0..<1_000_000).map { "a(n\($0))." }.joined(separator: " ")
        let started = Date()
        XCTAssertEqual(Parser.parse(line).statements.count, 1_000_000)
        XCTAssertLessThan(Date().timeIntervalSince(started), 120, "reading a million atoms should not take minutes")
        // ... and 20,000 of them stored in one statement line.
        try kb.execute((0..<20_000).map { "a(n\($0))." }.joined(separator: " "))
        XCTAssertEqual(try kb.count("?- a(X)."), 20_000)
        // A rule with 200 body atoms.
        try kb.execute("e(v0, v1). " + (1..<200).map { "e(v\($0), v\($0 + 1))." }.joined(separator: " "))
        let body = (0..<200).map { "e(X\($0), X\($0 + 1))" }.joined(separator: ", ")
        try kb.execute("path200(X0, X200) :- \(body).")
        XCTAssertEqual(try kb.query("path200(A, B)").rows.map { $0.map(\.sourceText) }, [["v0", "v200"]])
        // 100,000 nested parentheses: an error, not a stack overflow.
        XCTAssertThrowsError(try kb.execute("?- X = " + String(repeating: "(", count: 100_000) + "1" + String(repeating: ")", count: 100_000) + "."))
    }
}
