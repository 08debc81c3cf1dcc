import XCTest
import KGPostgres
import KGLog
import KGSyntax
import KGStore
import KGTestSupport

/// Runs the built `kglog` executable as a user would and compares its exact output.
final class CLITests: FolderTestCase {
    /// Runs the built kglog with arguments and standard input, to its end.
    func kglog(_ arguments: [String], input: String? = nil) throws -> Subprocess.Result {
        try Subprocess.kglog(arguments, input: input).wait()
    }

    // MARK: - The sample

    func testSampleQueriesMatchTheCheckedInOutput() throws {
        let result = try kglog(["run", "--format", "table", "samples/csto.kgl", "samples/queries.kgl"])
        let expected = try String(contentsOf: TestEnvironment.packageRoot.appendingPathComponent("samples/queries.expected"), encoding: .utf8)
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

    func testRunWritesToAFileThatLaterQueriesRead() throws {
        try runWritesToADatabaseThatLaterQueriesRead(directory.appendingPathComponent("csto.kglog").path)
    }

    func testRunWritesToAPostgreSQLDatabaseThatLaterQueriesRead() throws {
        try runWritesToADatabaseThatLaterQueriesRead(try TestStore.newPostgresDatabase())
    }

    func testTheSampleOnPostgreSQLPrintsWhatItPrintsOnAFile() throws {
        let db = try TestStore.newPostgresDatabase()
        let onPostgres = try kglog(["run", "--db", db, "--format", "table", "samples/csto.kgl", "samples/queries.kgl"])
        XCTAssertEqual(onPostgres.stderr, "")
        XCTAssertEqual(onPostgres.stdout, try String(contentsOf: TestEnvironment.packageRoot.appendingPathComponent("samples/queries.expected"), encoding: .utf8))
        // Read again by later commands: a query, why, the sources, an export.
        XCTAssertEqual(try kglog(["query", "--db", db, "?- member-of(X, csto), X > t."]).stdout, "X\ntajikistan\nuzbekistan\n")
        XCTAssertEqual(try kglog(["sources", "--db", db, "kazinform"]).stdout,
                       "source\tpublished on\tpublished by\treported by\tfacts\nkazinform-2012-05-29\t2012-05-29\tkazinform\tkazinform-correspondent\t7\n")
        // The backup is the one a file given the same statements writes.
        let file = directory.appendingPathComponent("csto.kglog").path
        XCTAssertEqual(try kglog(["run", "--db", file, "samples/csto.kgl"]).status, 0)
        XCTAssertEqual(try kglog(["export", "--db", db, "--format", "kgl"]).stdout, try kglog(["export", "--db", file, "--format", "kgl"]).stdout)
    }

    func testVersionNamesTheReleaseAndTheSchemas() throws {
        let result = try kglog(["--version"])
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.stdout, "kglog 0.7.0 (SQLite file schema 9, PostgreSQL schema 4)\n")
    }

    func testEvaluateChoosesWhereAQueryOnPostgreSQLIsEvaluatedAndExplainShowsTheSQL() throws {
        let db = try TestStore.newPostgresDatabase()
        XCTAssertEqual(try kglog(["run", "--db", db, "samples/csto.kgl"]).status, 0)
        let query = "?- co-member(armenia, Y, O)."
        let client = try kglog(["query", "--db", db, "--evaluate", "client", query])
        let server = try kglog(["query", "--db", db, "--evaluate", "server", query])
        XCTAssertEqual(server.stderr, "")
        XCTAssertEqual(server.stdout, client.stdout)
        XCTAssertEqual(server.stdout.split(separator: "\n").count, 15)
        let explained = try kglog(["query", "--db", db, "--evaluate", "server", "--explain", query]).stdout
        XCTAssertTrue(explained.contains("\nevaluation: on the server (--evaluate server)\n"), explained)
        XCTAssertTrue(explained.contains("\n  SELECT DISTINCT "), explained)
        // auto (the default) leaves a sample this small to the client, and says so.
        XCTAssertTrue(try kglog(["query", "--db", db, "--explain", query]).stdout.contains("\nevaluation: on the client (auto: about "))
        // What the database cannot evaluate is an error with --evaluate server, with where it is.
        let builtin = try kglog(["query", "--db", db, "--evaluate", "server", "?- member-of(X, csto), Y = upper(X)."])
        XCTAssertEqual(builtin.status, 1)
        XCTAssertTrue(builtin.stderr.hasPrefix("<query>:1:1: error: cannot evaluate on the server: the function 'upper' is computed on the client\n"), builtin.stderr)
        let bad = try kglog(["query", "--db", db, "--evaluate", "elsewhere", query])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("The value 'elsewhere' is invalid for '--evaluate <evaluate>'"), bad.stderr)
    }

    func testAPostgreSQLSchemaThatIsNotAKnowledgeBaseIsRefused() throws {
        let empty = try TestStore.newPostgresDatabase()
        let schema = String(empty.split(separator: "%3D").last!)
        // Read-only commands create nothing in an empty schema.
        XCTAssertEqual(try kglog(["query", "--db", empty, "m(X)"]).stderr,
                       "kglog: error: the schema '\(schema)' of '\(empty)' holds no knowledge base (opened to read only, nothing was created)\n")
        let admin = try PostgresConnection(try TestEnvironment.postgres())
        try admin.execute("CREATE TABLE \(schema).invoices(id bigint)")
        let result = try kglog(["run", "--db", empty, try write("m.kgl", "m(a).\n")])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderr, "kglog: error: the schema '\(schema)' of '\(empty)' holds tables that are not a kglog knowledge base: name an empty schema (options=-csearch_path=NAME)\n")
        XCTAssertEqual(try admin.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = $1", [.text(schema)]).rows, [["invoices"]])
        // A server that is not there, with the password left out of the message.
        XCTAssertEqual(try kglog(["query", "--db", "postgresql://kglog:secret@127.0.0.1:1/kb?connect_timeout=2", "m(X)"]).status, 1)
        XCTAssertFalse(try kglog(["query", "--db", "postgresql://kglog:secret@127.0.0.1:1/kb?connect_timeout=2", "m(X)"]).stderr.contains("secret"))
    }

    /// libpq is loaded when a connection is first made, not when kglog starts: a process that
    /// opens a SQLite file never loads it, and one that cannot load it says so.
    func testLibpqIsLoadedOnlyToConnectAndItsAbsenceIsAClearError() throws {
        var environment = ProcessInfo.processInfo.environment
        environment["LD_TRACE_LOADED_OBJECTS"] = "1"  // the dynamic loader lists what it loads, as ldd does
        let loaded = try Subprocess.kglog(["--version"], environment: environment).wait().stdout
        XCTAssertTrue(loaded.contains("libsqlite3"), loaded)
        XCTAssertFalse(loaded.contains("libpq"), loaded)

        let db = "postgresql://kglog:secret@127.0.0.1:1/kb?connect_timeout=2"
        environment = ProcessInfo.processInfo.environment
        environment["KGLOG_LIBPQ"] = "/no/such/folder/libpq.so.5"
        let missing = try Subprocess.kglog(["query", "--db", db, "m(X)"], environment: environment).wait()
        XCTAssertEqual(missing.status, 1)
        XCTAssertEqual(missing.stderr, "kglog: error: cannot connect to 'postgresql://kglog:***@127.0.0.1:1/kb?connect_timeout=2': "
                       + "cannot load libpq, PostgreSQL's client library (/no/such/folder/libpq.so.5: cannot open shared object file: "
                       + "No such file or directory); install it (Debian: libpq5)\n")
        // A library that is not libpq.
        environment["KGLOG_LIBPQ"] = "libsqlite3.so.0"
        let wrong = try Subprocess.kglog(["query", "--db", db, "m(X)"], environment: environment).wait()
        XCTAssertEqual(wrong.stderr, "kglog: error: cannot connect to 'postgresql://kglog:***@127.0.0.1:1/kb?connect_timeout=2': "
                       + "the libpq found has no function PQcancel: it is too old\n")
        // The SQLite default is unaffected by a libpq that cannot be loaded.
        let file = try write("m.kgl", "m(a).\n")
        XCTAssertEqual(try Subprocess.kglog(["run", file, "--format", "tsv"], environment: environment).wait().stdout, "")
        XCTAssertEqual(try Subprocess.kglog(["query", "--load", file, "--format", "tsv", "m(X)"], environment: environment).wait().stdout, "X\na\n")
    }

    func testAPostgreSQLServerStoppedInTheMiddleOfARunKeepsNothingOfItAndWorksAfterwards() throws {
        let server = try PostgresServer()
        let db = server.uri
        XCTAssertEqual(try kglog(["run", "--db", db, try write("first.kgl", "m(a, b).\n")]).status, 0)
        // 200,000 facts, written fact by fact: several seconds, so the server stops half-way.
        let big = try write("big.kgl", (0..<200_000).map { "m(n\($0), n\($0 + 1)) @ s.\n" }.joined())
        let running = try Subprocess.kglog(["run", "--db", db, big])
        Thread.sleep(forTimeInterval: 1.5)
        try server.stop(immediately: true)
        let result = try running.wait()
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.hasPrefix("kglog: error: lost the connection to '\(db)' ("), result.stderr)
        XCTAssertTrue(result.stderr.hasSuffix("): nothing of the unfinished transaction was kept\n"), result.stderr)
        try server.start()
        XCTAssertEqual(try kglog(["query", "--db", db, "--count", "m(X, Y)"]).stdout, "1\n", "nothing of the stopped run")
        XCTAssertEqual(try kglog(["run", "--db", db, try write("next.kgl", "m(c, d).\n?- m(X, Y).\n")]).stdout, "X\tY\na\tb\nc\td\n")
        // A wrong password, a database that does not exist, and a server that is down are clear
        // errors too, and no message shows a password.
        let admin = try PostgresConnection(db)
        try admin.execute("CREATE ROLE analyst LOGIN PASSWORD 'right-one'")
        try admin.execute("GRANT ALL ON ALL TABLES IN SCHEMA public TO analyst")
        admin.close()
        let wrong = "postgresql://analyst:wrong-one@127.0.0.1:\(server.port)/postgres"
        XCTAssertEqual(try kglog(["query", "--db", wrong, "m(X, Y)"]).stderr,
                       "kglog: error: cannot connect to 'postgresql://analyst:***@127.0.0.1:\(server.port)/postgres': connection to server at \"127.0.0.1\", port \(server.port) failed: FATAL:  password authentication failed for user \"analyst\"\n")
        XCTAssertEqual(try kglog(["query", "--db", "postgresql://analyst:right-one@127.0.0.1:\(server.port)/postgres", "--count", "m(X, Y)"]).stdout, "2\n")
        var environment = ProcessInfo.processInfo.environment
        environment["PGPASSWORD"] = "right-one"
        XCTAssertEqual(try Subprocess.kglog(["query", "--db", "postgresql://analyst@127.0.0.1:\(server.port)/postgres", "--count", "m(X, Y)"],
                                            environment: environment).wait().stdout, "2\n", "libpq's PGPASSWORD")
        let missing = "postgresql://postgres@127.0.0.1:\(server.port)/no_such_database"
        XCTAssertEqual(try kglog(["query", "--db", missing, "m(X, Y)"]).stderr,
                       "kglog: error: cannot connect to '\(missing)': connection to server at \"127.0.0.1\", port \(server.port) failed: FATAL:  database \"no_such_database\" does not exist\n")
        try server.stop()
        XCTAssertTrue(try kglog(["query", "--db", db, "m(X, Y)"]).stderr.hasPrefix("kglog: error: cannot connect to '\(db)': connection to server at \"127.0.0.1\", port \(server.port) failed: Connection refused"))
    }

    func testTwoWritersAtOnceOnPostgreSQLLoseAndDuplicateNothing() throws {
        let db = try TestStore.newPostgresDatabase()
        XCTAssertEqual(try kglog(["run", "--db", db, try write("start.kgl", "m(start, here).\n")]).status, 0)
        // Two analysts import overlapping reports at the same time: the same terms, some of the
        // same facts from the same source, and facts of their own.
        let first = try write("first.kgl", (0..<3_000).map { "m(c\($0), o\($0 % 7)) @ s\($0 % 3). name(c\($0), \"C \($0)\").\n" }.joined())
        let second = try write("second.kgl", (1_000..<4_000).map { "m(c\($0), o\($0 % 7)) @ s\($0 % 3). m(c\($0), o\($0 % 5)) @ t.\n" }.joined())
        let writers = try [first, second].map { try Subprocess.kglog(["run", "--db", db, $0]) }
        for writer in writers {
            let result = try writer.wait()
            XCTAssertEqual(result.status, 0, result.stderr)
        }
        // c0...c3999 from the s sources once each, 3,000 from t, 3,000 names, and the first fact.
        XCTAssertEqual(try kglog(["query", "--db", db, "--count", "m(X, O) @ S"]).stdout, "7000\n")
        XCTAssertEqual(try kglog(["query", "--db", db, "--count", "name(X, N)"]).stdout, "3000\n")
        let admin = try PostgresConnection(db)
        XCTAssertEqual(try admin.execute("SELECT count(*) = count(DISTINCT (kind, lexical)) FROM terms").rows, [["t"]])
        XCTAssertEqual(try admin.execute("SELECT count(*) FROM terms WHERE lexical LIKE 'c%'").rows, [["4000"]])
    }

    func testARunThatADeadlockUndoesIsRunAgain() throws {
        let db = try TestStore.newPostgresDatabase()
        // The terms exist already (a first run), so only facts are written below.
        XCTAssertEqual(try kglog(["run", "--db", db, try write("terms.kgl", "m(first, o) @ other. m(second, o) @ other.\n")]).status, 0)
        let other = try PostgresConnection(db)
        let ids = try ["m", "first", "second", "o", "g"].map { name -> String in
            try other.execute("INSERT INTO terms(kind, lexical) VALUES ($1, $2) ON CONFLICT (kind, lexical) DO UPDATE SET kind = excluded.kind RETURNING id",
                              [.integer(Int64(Value.Kind.name.rawValue)), .text(name)]).rows[0][0]!
        }
        let (m, first, second, o, g) = (ids[0], ids[1], ids[2], ids[3], ids[4])
        // Another writer holds m(second, o) @ g; the run adds m(first, o) @ g, then waits for it.
        try other.execute("BEGIN")
        try other.execute("INSERT INTO quads(p, s, o, g) VALUES (\(m), \(second), \(o), \(g))")
        let running = try Subprocess.kglog(["run", "--db", db, try write("both.kgl", "m(first, o) @ g. m(second, o) @ g.\n?- m(X, o) @ g.\n")])
        Thread.sleep(forTimeInterval: 0.5)
        // Now the other writer wants m(first, o) @ g: each waits for the other, and the server
        // undoes one of the two transactions.
        do {
            try other.execute("INSERT INTO quads(p, s, o, g) VALUES (\(m), \(first), \(o), \(g))")
            try other.execute("COMMIT")
        } catch {
            XCTAssertTrue((error as? PostgresError)?.isConflictWithAnotherWriter == true, "\(error)")
            try other.execute("ROLLBACK")
        }
        // Either way the run ends well: undone, it ran again.
        let result = try running.wait()
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "X\nfirst\nsecond\n")
    }

    private func runWritesToADatabaseThatLaterQueriesRead(_ db: String) throws {
        XCTAssertEqual(try kglog(["run", "--db", db, "samples/csto.kgl"]).status, 0)
        let result = try kglog(["query", "--db", db, "--format", "tsv", "ally(armenia, Y), member-of(Y, csto)"])
        XCTAssertEqual(result.stdout, "Y\nbelarus\nkazakhstan\nkyrgyzstan\nrussia\ntajikistan\nuzbekistan\n")
        let retract = try write("retract.kgl", "retract member-of(uzbekistan, csto).\n?- member-of(uzbekistan, csto).\n")
        XCTAssertEqual(try kglog(["run", "--db", db, retract]).stdout, "false\n")
        XCTAssertEqual(try kglog(["query", "--db", db, "member-of(uzbekistan, cis)"]).stdout, "true\n")
        // Running the same rules again adds none: a note on standard error says so for each.
        let again = try write("again.kgl", "ally(X, Y) :- member-of(X, O), member-of(Y, O), X != Y.\n?- ally(armenia, belarus).\n")
        let result2 = try kglog(["run", "--db", db, again])
        XCTAssertEqual(result2.stdout, "true\n")
        XCTAssertEqual(result2.stderr, "\(again):1:1: note: the rule is stored already, nothing added: ally(X, Y) :- member-of(X, O), member-of(Y, O), X != Y.\n")
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

    func testATypoGetsTheNearestKnownNames() throws {
        let db = directory.appendingPathComponent("kb.kglog").path
        XCTAssertEqual(try kglog(["run", "--db", db, try write("m.kgl", "member-of(armenia, csto).\n")]).status, 0)
        let unknown = try kglog(["query", "--db", db, "membr-of(X, O)"])
        XCTAssertEqual(unknown.status, 1)
        XCTAssertEqual(unknown.stderr, "<query>:1:4: error: unknown predicate 'membr-of/2': no fact or rule defines it; did you mean 'member-of/2'?\n?- membr-of(X, O).\n   ^\n")
        // A name that appears in no fact: the answer is empty, and a note on standard error says so.
        let typo = try kglog(["query", "--db", db, "member-of(armenai, O)"])
        XCTAssertEqual(typo.status, 0)
        XCTAssertEqual(typo.stdout, "O\n")
        XCTAssertEqual(typo.stderr, "<query>:1:1: note: 'armenai' appears in no fact; did you mean 'armenia'?\n")
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
        let toFull = try Subprocess.kglog(["export", "--db", db, "--format", "nt"],
                                          standardOutput: try XCTUnwrap(FileHandle(forWritingAtPath: "/dev/full"))).wait()
        XCTAssertEqual(toFull.status, 1)
        XCTAssertEqual(toFull.stderr, "kglog: error: cannot write 'standard output': no space left on the device\n")
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

    func testHistoryAndAsRecordedFromTheCommandLine() throws {
        let db = directory.appendingPathComponent("kb.kglog").path
        let first = try write("first.kgl", "m(armenia, csto) @ tass.\nm(russia, csto).\n")
        XCTAssertEqual(try kglog(["run", "--db", db, first]).status, 0)
        XCTAssertEqual(try kglog(["run", "--db", db, try write("second.kgl", "retract m(armenia, csto).\n")]).status, 0)
        let kb = try KnowledgeBase(path: db, readOnly: true)
        let changes = try kb.changes()
        kb.store.close()
        let (at1, at2) = (DateTime(millisecondsSinceEpoch: changes[1].at), DateTime(millisecondsSinceEpoch: changes[2].at))
        XCTAssertEqual(try kglog(["query", "--db", db, "--as-recorded", at1.description, "m(X, csto)"]).stdout, "X\narmenia\nrussia\n")
        XCTAssertEqual(try kglog(["query", "--db", db, "--as-recorded", at2.description, "m(X, csto)"]).stdout, "X\nrussia\n")
        XCTAssertEqual(try kglog(["why", "--db", db, "--as-recorded", at1.description, "m(armenia, csto)"]).stdout, "m(armenia, csto)\n└─ stored, from tass\n")
        let history = try kglog(["history", "--db", db, "m(armenia, csto)"])
        XCTAssertEqual(history.stdout, """
            recorded\tchange\tby\twhat\taction\tstatement
            \(at1)\t1\t\(changes[1].by)\t\(first)\tadded\tm(armenia, csto) @ tass.
            \(at2)\t2\t\(changes[1].by)\t\(directory.appendingPathComponent("second.kgl").path)\tretracted\tm(armenia, csto) @ tass.

            """)
        XCTAssertEqual(try kglog(["history", "--db", db, "--since", at2.description, "--format", "csv"]).stdout, "recorded,change,by,what,action,statement\n")
        // Reading the history changes nothing.
        XCTAssertEqual(try KnowledgeBase(path: db, readOnly: true).changes().count, 3)
        // Errors: before the history, a bad moment, and options that do not go together.
        XCTAssertEqual(try kglog(["query", "--db", db, "--as-recorded", "2000-01-01", "m(X, Y)"]).stderr,
                       "kglog: error: the knowledge base's history begins at \(DateTime(millisecondsSinceEpoch: changes[0].at)): it cannot say how it stood at 2000-01-01T00:00:00Z\n")
        XCTAssertEqual(try kglog(["query", "--db", db, "--as-recorded", "2000-01-01T25:00:00Z", "m(X, Y)"]).stderr,
                       "kglog: error: --as-recorded takes a moment in UTC such as 2026-11-24T18:00:00Z (or a date, for its first moment), not '2000-01-01T25:00:00Z'\n")
        let withLoad = try kglog(["query", "--db", db, "--as-recorded", at1.description, "--load", first, "m(X, Y)"])
        XCTAssertEqual(withLoad.status, 2)
        XCTAssertTrue(withLoad.stderr.contains("--as-recorded shows the knowledge base as it stood; it cannot be combined with --load, which changes it"), withLoad.stderr)
        for arguments in [["history", "--db", db], ["history", "--db", db, "--since", at1.description, "m(a, b)"]] {
            let result = try kglog(arguments)
            XCTAssertEqual(result.status, 2)
            XCTAssertTrue(result.stderr.contains("give either a fact or --since MOMENT"), result.stderr)
        }
        XCTAssertEqual(try kglog(["history", "--db", db, "m(X, csto)"]).stderr, """
            <fact>:1:3: error: expected a fact such as 'member-of(armenia, csto)' (constants only, optionally '@ SOURCE'), but found m(X, csto)
            m(X, csto)
              ^

            """)
    }

    func testTurtleFromTheCommandLine() throws {
        let db = directory.appendingPathComponent("kb.kglog").path
        let file = try write("m.ttl", "@prefix : <http://e/> .\n@prefix e: <http://e/> .\n<a> :member-of <csto> .\n")
        let imported = try kglog(["import", "--db", db, "--base", "http://base/", file])
        XCTAssertEqual(imported.status, 0, imported.stderr)
        XCTAssertEqual(imported.stderr, "\(file): 1 fact imported\n")
        // The file's prefixes are the knowledge base's, but for one kglog cannot write (':' alone).
        XCTAssertEqual(try kglog(["query", "--db", db, "--format", "tsv", "e:member-of(X, Y)"]).stdout, "X\tY\nhttp://base/a\thttp://base/csto\n")
        XCTAssertEqual(try kglog(["export", "--db", db, "--format", "ttl"]).stdout, """
            @prefix : <kglog:> .
            @prefix e: <http://e/> .

            <http://base/a> e:member-of <http://base/csto> .

            """)
        XCTAssertEqual(try kglog(["export", "--db", db, "--format", "kgl"]).stdout, """
            % kglog knowledge base export
            prefix e: <http://e/>.
            <http://e/member-of>(<http://base/a>, <http://base/csto>).

            """)
        let misplaced = try kglog(["import", "--db", db, "--base", "http://base/", try write("m.nt", "")])
        XCTAssertEqual(misplaced.status, 1)
        XCTAssertEqual(misplaced.stderr, "kglog: error: --base is for Turtle and TriG files, not nt\n")
    }

    func testCompactReportsWhatItRemoved() throws {
        let db = directory.appendingPathComponent("kb.kglog").path
        XCTAssertEqual(try kglog(["run", "--db", db, try write("m.kgl", "m(armenia, csto) @ tass. m(russia, csto).\n")]).status, 0)
        XCTAssertEqual(try kglog(["run", "--db", db, try write("r.kgl", "retract source tass.\n")]).status, 0)
        // The history keeps what was retracted, and its terms with it.
        let kept = try kglog(["compact", "--db", db])
        XCTAssertEqual(kept.status, 0)
        XCTAssertTrue(kept.stderr.hasPrefix("removed 0 unused terms; "), kept.stderr)
        let result = try kglog(["compact", "--db", db, "--forget-before", "9999-12-31T00:00:00Z"])
        XCTAssertEqual(result.status, 0)
        XCTAssertTrue(result.stderr.hasPrefix("forgot 2 changes and 1 retracted row recorded before 9999-12-31T00:00:00Z\nremoved 2 unused terms; "), result.stderr)
        XCTAssertEqual(try kglog(["query", "--db", db, "--format", "tsv", "m(X, csto)"]).stdout, "X\nrussia\n")
        let usage = try kglog(["compact"])
        XCTAssertEqual(usage.status, 2)
        XCTAssertTrue(usage.stderr.contains("compact works on a knowledge base: give --db FILE or --db postgresql://..."), usage.stderr)
        let badMoment = try kglog(["compact", "--db", db, "--forget-before", "yesterday"])
        XCTAssertEqual(badMoment.status, 1)
        XCTAssertEqual(badMoment.stderr, "kglog: error: --forget-before takes a moment in UTC such as 2026-11-24T18:00:00Z (or a date, for its first moment), not 'yesterday'\n")
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
        let expected = try String(contentsOf: TestEnvironment.packageRoot.appendingPathComponent("samples/why-ally.expected"), encoding: .utf8)
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.stdout, expected)
        let missing = try kglog(["why", "--load", "samples/csto.kgl", "ally(armenia, georgia)"])
        XCTAssertEqual(missing.stdout, """
            ally(armenia, georgia) does not hold
            ├─ no such fact is stored
            └─ not by ally(X, Y) :- member-of(X, O), member-of(Y, O), X != Y.
               ├─ with X = armenia, Y = georgia
               └─ member-of(georgia, O): no fact matches for any solution of the premises before it (such as O = cis)

            """)
        XCTAssertEqual(try kglog(["why", "ally(X, Y)"]).status, 1)
    }

    func testConflictsListWhereSourcesDisagree() throws {
        let db = directory.appendingPathComponent("csto.kglog").path
        XCTAssertEqual(try kglog(["run", "--db", db, "samples/csto.kgl"]).status, 0)
        XCTAssertEqual(try kglog(["conflicts", "--db", db, "--format", "table"]).stdout, """
            +-----------+----------------------+------------+--------------------+--------------+----------------------+
            | predicate | subject              | value      | source             | published on | reported by          |
            +-----------+----------------------+------------+--------------------+--------------+----------------------+
            | held-on/2 | csto-council-2012-05 | 2012-05-03 | arminfo-2012-04-27 | 2012-04-27   | vladimir-zainetdinov |
            | held-on/2 | csto-council-2012-05 | 2012-05-04 | kaztag-2012-05-02  | 2012-05-02   | kaztag-correspondent |
            +-----------+----------------------+------------+--------------------+--------------+----------------------+
            2 rows

            """)
        XCTAssertEqual(try kglog(["conflicts", "--db", db, "held-in"]).stdout, "predicate\tsubject\tvalue\tsource\tpublished on\treported by\n")
        let json = try kglog(["conflicts", "--db", db, "--format", "json", "held-on"]).stdout
        XCTAssertTrue(json.hasPrefix(#"{"conflicts":[{"predicate":{"value":"held-on","kind":"name"},"arity":2,"subject":[{"value":"csto-council-2012-05","kind":"name"}],"values":[{"value":{"value":"2012-05-03","kind":"date"},"sources":[{"source":{"value":"arminfo-2012-04-27","kind":"name"},"publishedOn":[{"value":"2012-04-27","kind":"date"}],"publishedBy":[{"value":"arminfo","kind":"name"}],"reportedBy":[{"value":"vladimir-zainetdinov","kind":"name"}]}]}"#), json)
        // With rules loaded for the command only: a derived functional predicate.
        let rules = try write("day.kgl", "functional first-day/2. first-day(E, D) :- starts-on(E, D). first-day(E, D) :- held-on(E, D).")
        XCTAssertEqual(try kglog(["conflicts", "--db", db, "--load", rules, "first-day"]).stdout,
                       "predicate\tsubject\tvalue\tsource\tpublished on\treported by\n"
                        + "first-day/2\tcsto-council-2012-05\t2012-05-03\tarminfo-2012-04-27\t2012-04-27\tvladimir-zainetdinov\n"
                        + "first-day/2\tcsto-council-2012-05\t2012-05-04\tkaztag-2012-05-02\t2012-05-02\tkaztag-correspondent\n")
        XCTAssertEqual(try kglog(["conflicts", "--db", db, "first-day"]).stdout, "predicate\tsubject\tvalue\tsource\tpublished on\treported by\n")
    }

    func testSourcesAndWhyOfAFactFromManySources() throws {
        let db = directory.appendingPathComponent("editions.kglog").path
        let text = (1...6).map { "published-on(e\($0), 2020-0\($0)-01). m(am, csto) @ e\($0)." }.joined(separator: "\n") + "\nm(by, csto) @ e2.\n"
        XCTAssertEqual(try kglog(["run", "--db", db, try write("editions.kgl", text)]).status, 0)
        XCTAssertEqual(try kglog(["sources", "--db", db, "--from", "2020-02-01", "--until", "2020-03-31"]).stdout,
                       "source\tpublished on\tpublished by\treported by\tfacts\ne2\t2020-02-01\t\t\t2\ne3\t2020-03-01\t\t\t1\n")
        XCTAssertEqual(try kglog(["sources", "--db", db, "--format", "csv", "E6"]).stdout, "source,published on,published by,reported by,facts\ne6,2020-06-01,,,1\n")
        XCTAssertEqual(try kglog(["sources", "--db", db, "--format", "json", "e6"]).stdout,
                       #"{"sources":[{"source":{"value":"e6","kind":"name"},"publishedOn":[{"value":"2020-06-01","kind":"date"}],"publishedBy":[],"reportedBy":[],"facts":1}]}"# + "\n")
        XCTAssertEqual(try kglog(["sources", "--db", db, "--from", "June"]).stderr.split(separator: "\n").first,
                       "Error: --from takes a date such as 2026-01-31, not 'June'")
        XCTAssertEqual(try kglog(["why", "--db", db, "--limit", "2", "m(am, csto)"]).stdout, """
            m(am, csto)
            └─ stored, from 6 sources (published 2020-01-01 … 2020-06-01), the first 2:
               ├─ e1 (published on 2020-01-01)
               ├─ e2 (published on 2020-02-01)
               └─ … and 4 more (--all shows every source)

            """)
        XCTAssertEqual(try kglog(["why", "--db", db, "--all", "m(am, csto)"]).stdout.split(separator: "\n").count, 7)
    }
}

// MARK: - The interactive session

extension CLITests {
    func testPipedInputGivesTheSameAnswersAsRun() throws {
        let script = try String(contentsOf: TestEnvironment.packageRoot.appendingPathComponent("samples/queries.kgl"), encoding: .utf8)
        let piped = try kglog(["--format", "tsv", "--load", "samples/csto.kgl"], input: script)
        let run = try kglog(["run", "--format", "tsv", "samples/csto.kgl", "samples/queries.kgl"])
        XCTAssertEqual(piped.status, 0)
        XCTAssertEqual(piped.stderr, "")
        XCTAssertEqual(piped.stdout, run.stdout)
        // No prompts, no escape codes; errors go on and are reported.
        let session = try kglog(["--format", "tsv"], input: "p(a).\n?- p(X\n).\n?- q(X).\n.mode csv\n?- p(X), X = a.\nr(\n")
        XCTAssertEqual(session.stdout, "X\na\n\nX\na\n")
        XCTAssertEqual(session.stderr, """
            <input>:4:4: error: unknown predicate 'q/1': no fact or rule defines it
            ?- q(X).
               ^
            error: the input ends inside a statement: expected '.'

            """)
    }

    func testATerminalSession() throws {
        let home = directory.path
        // Keys are typed once the prompt is back: the line editor has the terminal in raw mode
        // again (typed earlier, the line discipline would take Ctrl-D itself).
        let prompt = "kglog> ", next = "\rkglog> \u{1B}[K"
        let screen = try PseudoTerminal.run(TestEnvironment.kglog.path, ["--load", "samples/csto.kgl"], steps: [
            .type("?- member-of(X,\r", after: prompt), .type("  csto), X < b.\r", after: "...> "),   // a multi-line query
            .type("?- nothing(X).\r", after: "1 row\r\n" + next),                                  // an error
            .type("\u{1B}[A\u{1B}[A\u{1B}[A", after: "   ^\r\n" + next),                         // history: back past the first statement
            .type("\u{03}", after: "?- member-of(X,⏎  csto), X < b."),                              // Ctrl-C clears the line
            .type("?- outs\t", after: "^C\r\n"),                                                   // Tab completes a predicate name
            .type("X).\r", after: "outside-csto("),
            .type("\u{04}", after: "2 rows\r\n" + next),                                           // Ctrl-D leaves
        ], home: home)
        let erase = "\u{1B}[K"
        XCTAssertTrue(screen.contains("kglog: a new in-memory knowledge base"), screen)
        XCTAssertTrue(screen.contains("\rkglog> ?- member-of(X,\(erase)\r\n"), screen)
        XCTAssertTrue(screen.contains("\r   ...>   csto), X < b.\(erase)\r\n"), screen)
        XCTAssertTrue(screen.contains("| armenia |\r\n+---------+\r\n1 row\r\n"), screen)
        XCTAssertTrue(screen.contains("<input>:1:4: error: unknown predicate 'nothing/1': no fact or rule defines it\r\n"), screen)
        // The query typed over two lines comes back as one, its line break shown as ⏎.
        XCTAssertTrue(screen.contains("\rkglog> ?- member-of(X,⏎  csto), X < b.\(erase)^C\r\n"), screen)
        XCTAssertTrue(screen.contains("\rkglog> ?- outside-csto(\(erase)"), screen)
        XCTAssertTrue(screen.contains("| azerbaijan |\r\n| moldova    |\r\n"), screen)
        let history = try String(contentsOfFile: home + "/.kglog_history", encoding: .utf8)
        // In the file, one entry a line: the statement's line break is kept as U+001E.
        XCTAssertEqual(history, "?- member-of(X,\u{1E}  csto), X < b.\n?- nothing(X).\n?- outside-csto(X).\n")
    }

    func testOutputTallerThanTheScreenGoesThroughThePager() throws {
        let home = directory.path
        let paged = home + "/paged.txt"
        let next = "\rkglog> \u{1B}[K"
        // A screen of 8 rows: the 7 members' table (12 lines) is paged, a table of one row is not.
        let screen = try PseudoTerminal.run(TestEnvironment.kglog.path, ["--load", "samples/csto.kgl"], steps: [
            .type("?- member-of(X, csto).\r", after: "kglog> "),
            .type("?- member-of(armenia, O), O = csto.\r", after: next),
            .type(".pager off\r", after: "1 row\r\n" + next),
            .type("?- member-of(X, csto).\r", after: next),
            .type("\u{04}", after: "rows\r\n" + next),
        ], home: home, rows: 8, columns: 80, environment: ["KGLOG_PAGER": "cat > '\(paged)'"])
        // The table as `kglog query` prints it, after its line naming the query.
        let printed = try kglog(["query", "--format", "table", "--load", "samples/csto.kgl", "?- member-of(X, csto)."]).stdout
        let table = String(printed.drop { $0 != "\n" }.dropFirst())
        XCTAssertGreaterThan(table.split(separator: "\n").count, 8)
        XCTAssertEqual(try String(contentsOfFile: paged, encoding: .utf8), table)
        // Paged, the table is not on the screen; with .pager off it is, once.
        let firstRow = table.split(separator: "\n")[3]
        XCTAssertEqual(screen.components(separatedBy: firstRow + "\r\n").count, 2, screen)
        XCTAssertTrue(screen.contains("| O    |\r\n+------+\r\n| csto |\r\n+------+\r\n1 row\r\n"), screen)
    }

    func testTabCompletesANameInAnArgument() throws {
        let prompt = "kglog> ", next = "\rkglog> \u{1B}[K"
        let screen = try PseudoTerminal.run(TestEnvironment.kglog.path, ["--load", "samples/csto.kgl"], steps: [
            .type("?- member-of(kazak\t", after: prompt),
            .type(", O).\r", after: "member-of(kazakhstan"),
            .type("\u{04}", after: "rows\r\n" + next),
        ], home: directory.path)
        // The name is completed as it is, with no '(' after it (that is for predicates).
        XCTAssertTrue(screen.contains("\rkglog> ?- member-of(kazakhstan, O).\u{1B}[K\r\n"), screen)
        XCTAssertTrue(screen.contains("| csto |"), screen)
    }

    func testAStatementOfSeveralLinesWithACommentRunsAgainFromHistory() throws {
        let home = directory.path
        try "?- member-of(X, O), % which ones\u{1E}   O = csto, X < b.\n".write(toFile: home + "/.kglog_history", atomically: true, encoding: .utf8)
        let prompt = "kglog> ", next = "\rkglog> \u{1B}[K"
        let screen = try PseudoTerminal.run(TestEnvironment.kglog.path, ["--load", "samples/csto.kgl"], steps: [
            .type("\u{1B}[A", after: prompt),
            .type("\r", after: "% which ones⏎   O = csto, X < b."),
            .type("\u{04}", after: "1 row\r\n" + next),
        ], home: home)
        XCTAssertTrue(screen.contains("| X       | O    |\r\n+---------+------+\r\n| armenia | csto |\r\n"), screen)
    }
}

extension CLITests {
    /// A real Ctrl-C: the terminal turns the key into SIGINT for the running line, which stops
    /// with nothing of it applied, and the session goes on.
    func testCtrlCInATerminalCancelsTheRunningQuery() throws {
        let prompt = "\r\n\rkglog> \u{1B}[K"      // the prompt after a statement
        let screen = try PseudoTerminal.run(TestEnvironment.kglog.path, ["--max-facts", "1000000000"], steps: [
            .type("p(1). n(0). n(X) :- n(Y), X = Y + 1.\r", after: "kglog> "),
            .type("q(1). ?- n(X), X < 0.\r", after: prompt),
            .typeWhileRunning("\u{03}"),
            .type("?- p(X), q(X).\r", after: "cancelled: nothing was changed\r\n\rkglog> \u{1B}[K"),
            .type("?- p(X).\r", after: prompt),
            .type("\u{04}", after: "1 row\r\n\rkglog> \u{1B}[K"),
        ], home: directory.path)
        XCTAssertTrue(screen.contains("q(1). ?- n(X), X < 0.\u{1B}[K\r\n^Ccancelled: nothing was changed\r\n"), screen)
        XCTAssertTrue(screen.contains("<input>:1:10: error: unknown predicate 'q/1': no fact or rule defines it\r\n"), screen)
        XCTAssertTrue(screen.contains("| X |\r\n+---+\r\n| 1 |\r\n+---+\r\n1 row\r\n"), screen)
    }
}

// MARK: - Reading without writing, and where answers go

extension CLITests {
    /// `user_version` of a SQLite file, read by another program.
    func schemaVersion(_ file: String) throws -> String {
        try Subprocess.run(try TestEnvironment.tool("python3"), ["-c", "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute('PRAGMA user_version').fetchone()[0])", file])
            .stdout
    }

    func testQueriesWhyAndExportsLeaveAnOlderFileAsItIsAndLoadKeepsNothing() throws {
        let db = directory.appendingPathComponent("old.kglog").path
        XCTAssertEqual(try kglog(["run", "--db", db, try write("m.kgl", "m(armenia, csto).\nm(russia, csto).\n")]).status, 0)
        // Make it a schema 2 file, as an older kglog wrote it (no fact cache).
        XCTAssertEqual(try Subprocess.run(try TestEnvironment.tool("python3"), ["-c", """
            import sqlite3, sys
            c = sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2] + "DROP TABLE fact_cache; PRAGMA user_version = 2; PRAGMA journal_mode = DELETE;"); c.close()
            """, db, TestEnvironment.oneQuadsTableSQL]).status, 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        let rules = try write("rules.kgl", "co(X, Y) :- m(X, O), m(Y, O), X != Y.\n")
        for arguments in [["query", "--db", db, "m(X, csto)"], ["why", "--db", db, "m(armenia, csto)"], ["export", "--db", db, "--format", "kgl"]] {
            XCTAssertEqual(try kglog(arguments).status, 0, "\(arguments)")
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: db)), before)
        XCTAssertEqual(try schemaVersion(db), "2\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: db + "-wal"))
        // With --load the file is opened for writing, but what the files add is undone at the end.
        for _ in 0..<2 {
            XCTAssertEqual(try kglog(["query", "--db", db, "--load", rules, "co(armenia, Y)"]).stdout, "Y\nrussia\n")
            XCTAssertEqual(try kglog(["why", "--db", db, "--load", rules, "co(armenia, russia)"]).status, 0)
        }
        XCTAssertEqual(try kglog(["query", "--db", db, "co(X, Y)"]).stderr, """
            <query>:1:4: error: unknown predicate 'co/2': no fact or rule defines it
            ?- co(X, Y).
               ^

            """)
        // A writing command upgrades it (--load above already did).
        XCTAssertEqual(try schemaVersion(db), "\(Store.schemaVersion)\n")
        // A query of a missing file says so, and creates nothing.
        let missing = directory.appendingPathComponent("missing.kglog").path
        XCTAssertEqual(try kglog(["query", "--db", missing, "m(X, Y)"]).stderr, "kglog: error: cannot open '\(missing)': no such file\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: missing))
    }

    func testAnswersToAFullDeviceFailClearlyAndToAClosedPipeEndQuietly() throws {
        let db = directory.appendingPathComponent("kb.kglog").path
        XCTAssertEqual(try kglog(["run", "--db", db, try write("l.kgl", (0..<20_000).map { "label(n\($0), \"label \($0)\").\n" }.joined())]).status, 0)
        for arguments in [["query", "--db", db, "label(X, Y)"], ["query", "--db", db, "--count", "label(X, Y)"],
                          ["why", "--db", db, "label(n1, \"label 1\")"], ["run", try write("q.kgl", "p(a).\n?- p(X).\n")]] {
            let full = try Subprocess.kglog(arguments, standardOutput: try XCTUnwrap(FileHandle(forWritingAtPath: "/dev/full"))).wait()
            XCTAssertEqual(full.status, 1, "\(arguments)")
            XCTAssertEqual(full.stderr, "kglog: error: cannot write 'standard output': no space left on the device\n", "\(arguments)")
        }
        let piped = try Subprocess.kglog(["--format", "tsv", db], input: "?- label(X, Y).\n", standardOutput: try XCTUnwrap(FileHandle(forWritingAtPath: "/dev/full"))).wait()
        XCTAssertEqual(piped.status, 1)
        XCTAssertEqual(piped.stderr, "kglog: error: cannot write 'standard output': no space left on the device\n")
        // `| head -1`: the reader goes away after the first line.
        let head = try Subprocess.run("/bin/sh", ["-c", "'\(TestEnvironment.kglog.path)' query --db '\(db)' 'label(X, Y)' | head -1; echo \"status ${PIPESTATUS:-}\""])
        XCTAssertEqual(head.stdout.split(separator: "\n").first, "X\tY")
        XCTAssertEqual(head.stderr, "")
        let status = try Subprocess.run("/bin/bash", ["-c", "'\(TestEnvironment.kglog.path)' query --db '\(db)' 'label(X, Y)' | head -1 > /dev/null; echo ${PIPESTATUS[0]}"])
        XCTAssertEqual(status.stdout, "0\n")
        XCTAssertEqual(status.stderr, "")
    }

    func testTheTimerSaysWhatItMeasures() throws {
        let result = try kglog(["query", "--timer", "--load", "samples/csto.kgl", "member-of(X, csto)"])
        XCTAssertEqual(result.status, 0)
        let pattern = #/^time: \d+\.\d{4} s answering \(reading stored facts and evaluating\), \d+\.\d{4} s writing the answer\n$/#
        XCTAssertNotNil(try pattern.wholeMatch(in: result.stderr), result.stderr)
    }
}

// MARK: - Import options, limits, exports to a pipe

extension CLITests {
    func testImportSourceAppliesToKglFactsWithoutOneAndRowOptionsAreRefusedForOtherFormats() throws {
        let db = directory.appendingPathComponent("kb.kglog").path
        let facts = try write("f.kgl", "m(armenia, csto).\nm(russia, csto) @ tass.\nco(X, Y) :- m(X, O), m(Y, O), X != Y.\n")
        let result = try kglog(["import", "--db", db, "--source", "arminfo", facts])
        XCTAssertEqual(result.stderr, "\(facts): 2 facts imported\n")
        XCTAssertEqual(try kglog(["query", "--db", db, "m(X, Y) @ S"]).stdout, "X\tY\tS\narmenia\tcsto\tarminfo\nrussia\tcsto\ttass\n")
        XCTAssertEqual(try kglog(["query", "--db", db, "co(armenia, Y)"]).stdout, "Y\nrussia\n")
        let triples = try write("t.nt", "<http://e/a> <http://e/p> <http://e/b> .\n")
        for (options, file) in [(["--predicate", "p"], facts), (["--as-text"], facts), (["--header"], triples), (["--predicate", "p"], triples)] {
            let refused = try kglog(["import", "--db", db] + options + [file])
            XCTAssertEqual(refused.status, 1, "\(options)")
            XCTAssertEqual(refused.stderr, "kglog: error: \(options[0]) is for CSV and TSV rows; a \(file.hasSuffix(".kgl") ? "kgl" : "nt") file names its own predicates\n")
        }
        XCTAssertEqual(try kglog(["query", "--db", db, "--count", "m(X, Y)"]).stdout, "2\n")
        XCTAssertEqual(try kglog(["import", "--db", db, "--source", "X", facts]).stderr,
                       "kglog: error: --source takes a constant such as member-of, <http://example.org/p> or ex:p (with its prefix declared), not 'X'\n")
    }

    func testARunStoppedByTheFactLimitAppliesNothingOfItsFile() throws {
        let db = directory.appendingPathComponent("kb.kglog").path
        XCTAssertEqual(try kglog(["run", "--db", db, try write("seed.kgl", "seed(a).\n")]).status, 0)
        let endless = try write("endless.kgl", "n(0).\nn(X) :- n(Y), X = Y + 1.\n?- n(X), X < 0.\n")
        let result = try kglog(["run", "--db", db, "--max-facts", "2000", endless])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.hasPrefix("\(endless):3:1: error: evaluation stopped after deriving 2000 facts, the limit"), result.stderr)
        XCTAssertEqual(try kglog(["query", "--db", db, "n(X)"]).stderr, "<query>:1:4: error: unknown predicate 'n/1': no fact or rule defines it\n?- n(X).\n   ^\n")
        XCTAssertEqual(try kglog(["export", "--db", db, "--format", "kgl"]).stdout, "% kglog knowledge base export\nseed(a).\n")
    }

    func testAnExportToAPipeIsWrittenInPlace() throws {
        let db = directory.appendingPathComponent("kb.kglog").path
        XCTAssertEqual(try kglog(["run", "--db", db, try write("m.kgl", "m(armenia, csto).\n")]).status, 0)
        let fifo = directory.appendingPathComponent("out.pipe").path
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        let reader = try Subprocess("/bin/cat", [fifo])
        let export = try kglog(["export", "--db", db, "--format", "nt", "--output", fifo])
        XCTAssertEqual(export.status, 0, export.stderr)
        XCTAssertEqual(try reader.wait(timeout: 30).stdout, "<kglog:armenia> <kglog:m> <kglog:csto> .\n")
        var status = stat()
        XCTAssertEqual(lstat(fifo, &status), 0)
        XCTAssertEqual(status.st_mode & S_IFMT, S_IFIFO)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix(".") }, [])
    }
}
