import Foundation
import XCTest
import KGTestSupport
import KGLog
import KGSyntax

/// Attacks on the tool: endless rules, Ctrl-C, kills in the middle of a write, concurrent
/// readers and a writer, a full disk, files that are not knowledge bases, huge input.
final class ReliabilityTests: FolderTestCase {
    func kglog(_ arguments: [String], input: String? = nil) throws -> Subprocess.Result {
        try Subprocess.kglog(arguments, input: input).wait()
    }

    /// An N-Triples file of `count` facts of predicate `p` (`<http://e/p>`).
    func triples(_ name: String, count: Int, predicate: String = "p", offset: Int = 0) throws -> String {
        var text = ""
        text.reserveCapacity(count * 60)
        for i in offset..<(offset + count) { text += "<http://e/s\(i)> <http://e/\(predicate)> \"value \(i)\" .\n" }
        let file = path(name)
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
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
        XCTAssertEqual(result.stderr, """
            \(file):3:1: error: evaluation stopped after deriving 5000 facts, the limit, in the rule 'n(X) :- n(Y), X = Y + 1.', which may derive new facts without end; raise the limit with --max-facts if the answer really is that big
            ?- n(X), X > 5.
            ^

            """)
    }

    func testAMemoryLimitStopsARuleThatNeverEndsAndAppliesNothing() throws {
        let db = path("kb.kglog")
        XCTAssertEqual(try kglog(["run", "--db", db, try write("seed.kgl", "seed(a).\n")]).status, 0)
        let file = try write("endless.kgl", "m(1).\nn(0).\nn(X) :- n(Y), X = Y + 1.\n?- n(X), X < 0.\n")
        let result = try kglog(["run", "--db", db, "--max-memory", "150M", file])
        XCTAssertEqual(result.status, 1)
        let pattern = #/^.*endless\.kgl:4:1: error: evaluation stopped after deriving \d+ facts: it holds more than 150 MiB of memory, the limit, in the rule 'n\(X\) :- n\(Y\), X = Y \+ 1\.', which may derive new facts without end; raise the limit with --max-memory if the answer really needs it\n/#
        XCTAssertNotNil(try pattern.prefixMatch(in: result.stderr), result.stderr)
        XCTAssertEqual(try kglog(["query", "--db", db, "--count", "seed(X)"]).stdout, "1\n")
        XCTAssertEqual(try kglog(["query", "--db", db, "m(X)"]).status, 1)
        let bad = try kglog(["run", "--max-memory", "lots", file])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.hasPrefix("Error: The value 'lots' is invalid for '--max-memory <max-memory>'"), bad.stderr)
    }

    func testSIGINTCancelsARunningQueryCleanly() throws {
        let db = path("kb.kglog")
        // Seed the file, then interrupt an endless evaluation once its handler is in place.
        XCTAssertEqual(try kglog(["run", "--db", db, try write("seed.kgl", "n(0).\nn(X) :- n(Y), X = Y + 1.\n")]).status, 0)
        let query = try Subprocess.kglog(["query", "--db", db, "--max-facts", "1000000000", "?- n(X), X < 0."])
        try query.waitUntilHandling(SIGINT)
        query.send(SIGINT)
        let result = try query.wait(timeout: 60)
        XCTAssertEqual(result.status, 130)
        XCTAssertEqual(result.stderr, "kglog: cancelled: nothing was changed\n")
        XCTAssertEqual(try KnowledgeBase(path: db).predicates().first { $0.predicate == .name("n") }?.storedFacts, 1)
    }

    func testSIGINTCancelsAnImportThatWaitsForMoreInput() throws {
        // The import reads a pipe that stays open: it cannot finish, and it must still stop.
        let db = path("kb.kglog")
        XCTAssertEqual(try kglog(["run", "--db", db, try write("seed.kgl", "seed(a).\n")]).status, 0)
        let fifo = path("stream.nt")
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        let process = try Subprocess.kglog(["import", "--db", db, fifo])
        let writer = try XCTUnwrap(FileHandle(forWritingAtPath: fifo))
        defer { writer.closeFile() }
        writer.write(Data((0..<1000).map { "<http://e/s\($0)> <http://e/p> <http://e/o> .\n" }.joined().utf8))
        try process.waitUntilHandling(SIGINT)
        process.send(SIGINT)
        let result = try process.wait(timeout: 60)
        XCTAssertEqual(result.status, 130)
        XCTAssertEqual(result.stderr, "kglog: cancelled: nothing was changed\n")
        XCTAssertEqual(try KnowledgeBase(path: db).predicates().map(\.predicate), [.name("seed")])
    }

    // MARK: - Crashes

    /// The size of a file, or -1 when there is none.
    func size(_ path: String) -> Int64 {
        var status = stat()
        return stat(path, &status) == 0 ? Int64(status.st_size) : -1
    }

    /// SIGKILL at chosen moments of a 40,000-fact import: before it writes, as soon as its
    /// transaction writes to the journal or log, shortly after, and after it has committed.
    /// Every state seen afterwards is all of the batch or none of it, with an intact file.
    func testAKillAtAnyMomentLeavesAllOrNothing() throws {
        enum Moment: CaseIterable { case beforeWriting, atFirstWrite, afterFirstWrite, afterCommit }
        let batch = 40_000
        let file = try triples("batch.nt", count: batch)
        var sawNothing = 0, sawAll = 0, killedInsideTheTransaction = 0
        for (round, (seeded, moment)) in [true, false].flatMap({ seeded in Moment.allCases.map { (seeded, $0) } }).enumerated() {
            let db = path("killed-\(round).kglog")
            // Beside a stored fact the import writes to the write-ahead log; into a new file it
            // writes directly, under a rollback journal.
            if seeded { XCTAssertEqual(try kglog(["run", "--db", db, try write("seed-\(round).kgl", "seed(a).\n")]).status, 0) }
            let journal = db + (seeded ? "-wal" : "-journal")
            let process = try Subprocess.kglog(["import", "--db", db, file])
            switch moment {
            case .beforeWriting:
                try process.waitUntilHandling(SIGINT)
            case .atFirstWrite, .afterFirstWrite:
                // The transaction's first write to the journal or log; an import that ends
                // before it is seen is a round that landed after the commit.
                let deadline = Date().addingTimeInterval(60)
                while process.process.isRunning && size(journal) <= 0 && Date() < deadline { usleep(500) }
                if moment == .afterFirstWrite { usleep(10_000) }
            case .afterCommit:
                try process.waitUntil("report of the import") { process.stderrSoFar.contains("facts imported") }
            }
            process.send(SIGKILL)
            _ = try process.wait(timeout: 60)
            // A journal left behind is a transaction cut short: the next opening rolls it back.
            let hotJournal = !seeded && size(journal) > 0
            let logWritten = seeded && size(journal) > 0
            let kb = try KnowledgeBase(path: db)
            XCTAssertEqual(try kb.store.integrityCheck(), "ok", "round \(round)")
            let facts = kb.catalog.arity(of: .iri("http://e/p")) == nil ? 0 : try count(db, "<http://e/p>")
            XCTAssertTrue(facts == 0 || facts == batch, "round \(round): \(facts) facts")
            if facts == 0 { sawNothing += 1 } else { sawAll += 1 }
            if hotJournal || (logWritten && facts == 0) { killedInsideTheTransaction += 1 }
            if moment == .beforeWriting { XCTAssertEqual(facts, 0, "round \(round): killed before writing") }
            if moment == .afterCommit { XCTAssertEqual(facts, batch, "round \(round): killed after the commit") }
            if seeded { XCTAssertEqual(try kb.query("seed(X)").rows.count, 1) }
        }
        XCTAssertGreaterThan(sawNothing, 0)
        XCTAssertGreaterThan(sawAll, 0)
        XCTAssertGreaterThan(killedInsideTheTransaction, 0, "no kill landed inside the write transaction")
    }

    // MARK: - Readers and a writer

    /// Three imports one after the other, each read from a pipe that is held open half-way
    /// while readers query: every read made while the import's transaction is open succeeds
    /// and sees exactly the batches committed before it, never half of one, never a lock
    /// error. With `seeded` false the file holds no fact yet, so the first import writes it
    /// directly under a rollback journal instead of the write-ahead log.
    func readersBesideAWriter(seeded: Bool) throws {
        let db = path("shared.kglog")
        // The rule gives every import's facts a name to count: one q per subject.
        let seed = "q(X) :- <http://e/p>(X, Y).\n" + (seeded ? "<http://e/p>(<http://e/seed>, \"seed\").\n" : "")
        XCTAssertEqual(try kglog(["run", "--db", db, try write("seed.kgl", seed)]).status, 0)
        let first = seeded ? 1 : 0
        let batch = 20_000
        for index in 0..<3 {
            let lines = (0..<batch).map { "<http://e/s\(index * batch + $0)> <http://e/p> \"value \($0)\" .\n" }
            let fifo = path("b\(index).nt")
            XCTAssertEqual(mkfifo(fifo, 0o600), 0)
            let writer = try Subprocess.kglog(["import", "--db", db, fifo])
            let pipe = try XCTUnwrap(FileHandle(forWritingAtPath: fifo))
            pipe.write(Data(lines[..<(batch / 2)].joined().utf8))
            for _ in 0..<3 {
                let result = try kglog(["query", "--db", db, "--count", "q(X)"])
                XCTAssertEqual(result.stderr, "", "import \(index)")
                XCTAssertEqual(result.stdout, "\(first + index * batch)\n", "import \(index): a read during the import")
            }
            XCTAssertTrue(writer.process.isRunning, "the import waits for the rest of its input")
            pipe.write(Data(lines[(batch / 2)...].joined().utf8))
            pipe.closeFile()
            XCTAssertEqual(try writer.wait().status, 0)
            XCTAssertEqual(try kglog(["query", "--db", db, "--count", "q(X)"]).stdout, "\(first + (index + 1) * batch)\n")
        }
        XCTAssertEqual(try KnowledgeBase(path: db).count("?- q(X)."), first + 3 * batch)
    }

    func testReadersNeverSeeHalfABatchNorALockError() throws {
        try readersBesideAWriter(seeded: true)
    }

    func testReadersBesideTheFirstImportIntoAFileWithoutFacts() throws {
        try readersBesideAWriter(seeded: false)
    }

    func testASecondWriterWaitsThenSucceeds() throws {
        let db = path("two.kglog")
        XCTAssertEqual(try kglog(["run", "--db", db, try write("seed.kgl", "seed(a).\n")]).status, 0)
        let first = try triples("w1.nt", count: 40_000, predicate: "p")
        let second = try triples("w2.nt", count: 40_000, predicate: "q")
        let writers = try [first, second].map { try Subprocess.kglog(["import", "--db", db, $0]) }
        let results = try writers.map { try $0.wait() }
        XCTAssertEqual(results.map(\.status), [0, 0], results.map(\.stderr).joined())
        XCTAssertEqual(results.map(\.stderr), ["\(first): 40000 facts imported\n", "\(second): 40000 facts imported\n"])
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
        let result = try Subprocess.run("/bin/sh", ["-c", "trap '' XFSZ; ulimit -f 1024; exec '\(TestEnvironment.kglog.path)' import --db '\(db)' '\(file)'"])
        XCTAssertEqual(result.status, 1, result.stderr)
        XCTAssertTrue(result.stderr.hasPrefix("kglog: error: "), result.stderr)
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
        for arguments in [["query", "--db", db, "--count", "<http://e/p>(X, Y)"], ["run", "--db", db, try write("m.kgl", "m(a).\n")]] {
            let result = try kglog(arguments)
            XCTAssertEqual(result.status, 1)
            XCTAssertTrue(result.stderr.hasPrefix("kglog: error: '\(db)' is damaged: ") || result.stderr == "kglog: error: '\(db)' is not a kglog knowledge base\n",
                          result.stderr)
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: db)), cut)
        }
    }

    /// Files that are not kglog knowledge bases — random bytes, another program's SQLite file,
    /// a file of a newer kglog — are refused by every command, named, and left byte for byte.
    func testFilesThatAreNotKnowledgeBasesAreRefusedAndLeftAsTheyAre() throws {
        var random = SplitMix64(seed: 7)
        let noise = path("noise.kglog")
        try Data((0..<65_536).map { _ in UInt8(truncatingIfNeeded: random.next()) }).write(to: URL(fileURLWithPath: noise))
        // Another program's SQLite file, and a kglog file whose schema version a newer kglog set.
        let python = try TestEnvironment.tool("python3")
        let sql = "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.close()"
        let other = path("other.db")
        XCTAssertEqual(try Subprocess.run(python, ["-c", sql, other, "CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes(body) VALUES ('x');"]).status, 0)
        let newer = path("newer.kglog")
        XCTAssertEqual(try kglog(["run", "--db", newer, try write("m.kgl", "m(a).\n")]).status, 0)
        XCTAssertEqual(try Subprocess.run(python, ["-c", sql, newer, "PRAGMA user_version = 99;"]).status, 0)
        let statement = try write("n.kgl", "n(a).\n")
        for (file, message) in [
            (noise, "kglog: error: '\(noise)' is not a kglog knowledge base\n"),
            (other, "kglog: error: '\(other)' is not a kglog knowledge base\n"),
            (newer, "kglog: error: '\(newer)' has schema version 99, newer than this kglog's 9: upgrade kglog to open it\n"),
        ] {
            let before = try Data(contentsOf: URL(fileURLWithPath: file))
            for arguments in [["query", "--db", file, "m(X)"], ["run", "--db", file, statement], ["import", "--db", file, statement],
                              ["export", "--db", file, "--format", "kgl"]] {
                let result = try kglog(arguments)
                XCTAssertEqual(result.status, 1, "\(arguments)")
                XCTAssertEqual(result.stderr, message, "\(arguments)")
                XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: file)), before, "\(arguments) changed \(file)")
            }
        }
    }

    /// A file kept locked by another writer past the wait: the change is refused, saying so.
    func testAFileLockedByAnotherWriterIsReportedBusy() throws {
        let db = path("busy.kglog")
        XCTAssertEqual(try kglog(["run", "--db", db, try write("m.kgl", "m(a).\n")]).status, 0)
        // Another program takes the write lock and keeps it until it is killed.
        let locker = try Subprocess(try TestEnvironment.tool("python3"), ["-c", """
            import sqlite3, sys, time
            connection = sqlite3.connect(sys.argv[1], isolation_level=None)
            connection.execute("BEGIN IMMEDIATE")
            print("locked", flush=True)
            time.sleep(120)
            """, db])
        defer { locker.send(SIGKILL) }
        try locker.waitUntil("lock") { locker.stdoutSoFar.contains("locked") }
        let result = try Subprocess.kglog(["run", "--db", db, try write("n.kgl", "n(b).\n")], environment: ["KGLOG_BUSY_TIMEOUT_MS": "300"]).wait()
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderr, "kglog: error: '\(db)' is being changed by another process and stayed locked for 0.3 s: try again when it is done\n")
        locker.send(SIGKILL)
        _ = try? locker.wait(timeout: 10)
        XCTAssertEqual(try kglog(["query", "--db", db, "m(X)"]).stdout, "X\na\n")
    }

    /// Sets or clears the immutable attribute (which even root cannot write through).
    func immutable(_ path: String, _ on: Bool) throws {
        let result = try Subprocess.run(try TestEnvironment.tool("chattr"), [on ? "+i" : "-i", path])
        if result.status != 0 { throw TestEnvironment.missing("chattr \(on ? "+i" : "-i") failed here: \(result.stderr)") }
    }

    func testAReadOnlyFileCanBeQueriedButNotChangedAndAReadOnlyFolderIsReported() throws {
        let folder = path("ro")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let db = folder + "/kb.kglog"
        XCTAssertEqual(try kglog(["run", "--db", db, try write("m.kgl", "m(armenia, csto).\n")]).status, 0)
        try immutable(db, true)
        defer { try? immutable(db, false); try? immutable(folder, false) }
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        XCTAssertEqual(try kglog(["query", "--db", db, "m(X, csto)"]).stdout, "X\narmenia\n")
        let change = try kglog(["run", "--db", db, try write("n.kgl", "m(russia, csto).\n")])
        XCTAssertEqual(change.status, 1)
        XCTAssertEqual(change.stderr, "kglog: error: '\(db)' is read-only: it can be queried but not changed\n")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: db)), before)
        try immutable(folder, true)
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
        // 1,000,000 atoms on one line are read (how the time grows with the count is measured
        // by bench/linear.sh, not here) ...
        let line = (0..<1_000_000).map { "a(n\($0))." }.joined(separator: " ")
        XCTAssertEqual(Parser.parse(line).statements.count, 1_000_000)
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

    /// Bodies of tens of thousands of atoms: planned in about linear time and evaluated on a
    /// stack sized for them (each step of a plan is one nested call), instead of a crash.
    func testBodiesOfTensOfThousandsOfAtomsAreAnswered() throws {
        let kb = try KnowledgeBase()
        try kb.execute("p(a). e(a, b). e(b, a).")
        XCTAssertEqual(try kb.query("?- " + Array(repeating: "p(a)", count: 50_000).joined(separator: ", ") + ".").holds, true)
        // A chain of 20,001 variables: one answer row of 20,001 columns alternating a and b.
        let chain = (0..<20_000).map { "e(X\($0), X\($0 + 1))" }.joined(separator: ", ")
        let answer = try kb.query("?- \(chain), X0 = a.")
        XCTAssertEqual(answer.columns.count, 20_001)
        XCTAssertEqual(answer.rows.map { $0.map(\.lexical) }, [(0...20_000).map { $0 % 2 == 0 ? "a" : "b" }])
        // The same body as a rule, evaluated through strata.
        try kb.execute("long(X0) :- \(chain).")
        XCTAssertEqual(try kb.query("long(X)").rows.map { $0.map(\.lexical) }, [["a"], ["b"]])
    }
}
