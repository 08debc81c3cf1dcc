import XCTest
import KGTestSupport
import KGEngine
import KGLog
import KGPostgres
import KGSyntax

/// Evaluation in the database (`--evaluate server`): the same answers as the client, byte for
/// byte, for every construct the SQL covers; a clear error (or, with `auto`, the client) for
/// the rest; nothing written.
final class ServerEvaluationTests: XCTestCase {
    /// A knowledge base in a new schema on the test server, with `program` run.
    private func knowledgeBase(_ program: String) throws -> KnowledgeBase {
        let kb = try KnowledgeBase(path: TestStore.newPostgresDatabase())
        try kb.execute(program)
        return kb
    }

    private func rows(_ kb: KnowledgeBase, _ query: String, on site: EvaluationSite) throws -> [String] {
        kb.evaluationSite = site
        return try KGTestSupport.rows(kb, query)
    }

    /// Asserts that the server evaluates `query` and answers it as the client does; returns the rows.
    @discardableResult
    private func assertSameOnServer(_ kb: KnowledgeBase, _ query: String, file: StaticString = #filePath, line: UInt = #line) throws -> [String] {
        let client = try rows(kb, query, on: .client)
        let server = try rows(kb, query, on: .server)
        XCTAssertEqual(server, client, query, file: file, line: line)
        // Counted by the database, without sending the rows, as shown (after offset and limit).
        kb.evaluationSite = .server
        XCTAssertEqual(try kb.count(Query.text(query)), client.count == 1 && ["true", "false"].contains(client[0]) ? (client[0] == "true" ? 1 : 0) : client.count,
                       query, file: file, line: line)
        let explained = try kb.explain(Query.text(query))
        XCTAssertTrue(explained.contains("evaluation: on the server (--evaluate server)"), "\(explained)", file: file, line: line)
        return server
    }

    func testEverySampleQueryTheServerCanEvaluateAnswersAsTheClientDoes() throws {
        let sample = try String(contentsOf: TestEnvironment.packageRoot.appendingPathComponent("samples/csto.kgl"), encoding: .utf8)
        let queries = try String(contentsOf: TestEnvironment.packageRoot.appendingPathComponent("samples/queries.kgl"), encoding: .utf8)
            .split(separator: "\n").filter { $0.hasPrefix("?-") }.map(String.init)
        let kb = try knowledgeBase(sample)
        var onClientOnly: [String] = []
        for query in queries {
            do {
                try assertSameOnServer(kb, query)
            } catch let report as DiagnosticReport {
                onClientOnly.append(report.rendered())
            }
        }
        // Only the questions about periods (valid time) stay on the client.
        XCTAssertEqual(onClientOnly.map { $0.split(separator: "\n")[1] }, [
            "?- party-to(X, collective-security-treaty) at 2000-01-01.",
            "?- party-to(uzbekistan, collective-security-treaty) from F until U.",
            "?- parties(collective-security-treaty, N) from F until U order by F.",
            "?- treaty-outsider(X) at 2010-01-01.",
        ])
        XCTAssertTrue(onClientOnly.allSatisfy { $0.contains("periods (valid time) are evaluated on the client") })
        XCTAssertGreaterThan(queries.count, 20)
    }

    func testRecursionNegationAggregatesAndArithmeticAnswerAsOnTheClient() throws {
        let kb = try knowledgeBase("""
            e(a, b). e(b, c). e(c, d). e(d, b). e(x, y).
            reach(X, Y) :- e(X, Y).
            reach(X, Z) :- reach(X, Y), e(Y, Z).
            even(X, Z) :- e(X, Y), odd(Y, Z).
            odd(X, Y) :- e(X, Y).
            odd(X, Z) :- e(X, Y), even(Y, Z).
            node(X) :- e(X, _).
            node(Y) :- e(_, Y).
            unreached(X, Y) :- node(X), node(Y), not reach(X, Y).
            out(X, count(Y)) :- reach(X, Y).
            distinct-targets(count-distinct(Y)) :- reach(_, Y).
            score(a, 3). score(b, -5). score(c, 12). score(d, 576460752303423000).
            total(sum(N), min(N), max(N)) :- score(_, N).
            day(a, 2012-05-15). day(b, 2026-01-31). day(c, 1999-12-31).
            later(X, D) :- day(X, D0), D = D0 + 30.
            span(min(D), max(D)) :- day(_, D).
            gap(X, Y, N) :- day(X, A), day(Y, B), N = B - A, A < B.
            triple(X, Y, Z) :- e(X, Y), e(Y, Z).
            quiet :- e(q, q).
            busy :- e(a, b).
            title(a, "Ålesund"). title(b, "ОДКБ"). title(c, "Zebra"). title(d, "apple").
            top(arg-max(X, N)) :- score(X, N).
            bottom(arg-min(X, N)) :- score(X, N).
            rank(x1, g, 7). rank(x2, g, 7). rank(x3, g, 1). rank(x4, h, -2).
            tied(G, arg-max(X, N)) :- rank(X, G, N).
            latest(arg-max(X, D)) :- day(X, D).
            first-titled(arg-min(T, X)) :- title(X, T).
            """)
        for query in [
            "reach(X, Y)", "reach(a, Y)", "reach(X, b)", "even(X, Y)", "odd(a, Y)", "unreached(a, Y)",
            "out(X, N) order by N desc", "distinct-targets(N)", "total(S, Lo, Hi)", "later(X, D)",
            "span(A, B)", "gap(X, Y, N) order by N", "triple(X, Y, Z)", "quiet", "busy",
            "title(X, T), title(Y, U), T < U", "score(X, N), N >= 3", "score(X, N), M = -N, M > 0",
            "score(X, N), score(Y, M), X != Y, N = M", "e(X, Y), not e(Y, X), X != a",
            "reach(X, Y) order by X limit 3 offset 1", "reach(X, Y) order by Y desc, X limit 4",
            "score(X, N), Q = N / 2, R = N % 2", "e(a, b)", "e(b, a)",
            "top(X)", "bottom(X)", "tied(G, X)", "latest(X)", "day(X, D), L = arg-min(X, D)",
        ] {
            try assertSameOnServer(kb, query)
        }
        XCTAssertEqual(try rows(kb, "total(S, Lo, Hi)", on: .server), ["576460752303423010, -5, 576460752303423000"])
        XCTAssertEqual(try rows(kb, "top(X)", on: .server), ["d"])
        XCTAssertEqual(try rows(kb, "latest(X)", on: .server), ["b"])
        XCTAssertEqual(try rows(kb, "tied(G, X)", on: .server), ["g, x1", "g, x2", "h, x4"])
        // Keys other than integers and dates (names here) are left to the client.
        XCTAssertThrowsError(try rows(kb, "first-titled(T)", on: .server))
        XCTAssertEqual(try rows(kb, "first-titled(T)", on: .client), ["\"Ålesund\""])
        XCTAssertEqual(try rows(kb, "title(X, T), title(Y, U), T < U, X = c", on: .server), ["c, \"Zebra\", a, \"Ålesund\"", "c, \"Zebra\", b, \"ОДКБ\"", "c, \"Zebra\", d, \"apple\""])
    }

    func testBuiltInTestsAndDateFunctionsAnswerAsOnTheClient() throws {
        let kb = try knowledgeBase("""
            label(csto, "ОДКБ"). label(cis, "Commonwealth of Independent States"). label(un, ""). label(n1, 1992).
            label(d1, 2012-05-15). label(fr, "chat"@fr). label(web, <http://example.org/csto>). label(kazakhstan, kazakhstan).
            day(a, 2012-05-15). day(b, 2024-02-29). day(c, 1999-12-31).
            short(X) :- label(X, T), not contains(T, " ").
            """)
        for query in [
            "label(X, T), contains(T, \"ОД\")", "label(X, T), contains(T, \"\")", "label(X, T), starts-with(T, \"Common\")",
            "label(X, T), ends-with(T, \"States\")", "label(X, T), ends-with(T, \"csto\")", "label(X, T), contains(T, \"99\")",
            "label(X, T), contains(T, \"-05-\")", "label(X, T), contains(T, \"ha\")", "label(X, T), starts-with(T, X)",
            "label(X, T), not contains(T, \"o\")", "short(X)",
            "day(X, D), year(D) = 2012", "day(X, D), M = month(D), N = day(D)", "day(X, D), day(Y, E), N = days-between(D, E), N > 0",
            "day(X, D), D = date(2024, 2, 29)", "day(X, D), D < date(2000, 1, 1)",
        ] {
            try assertSameOnServer(kb, query)
        }
        XCTAssertEqual(try rows(kb, "label(X, T), contains(T, \"ОД\")", on: .server), ["csto, \"ОДКБ\""])
        // What stays on the client: regular expressions (not PostgreSQL's), functions that make
        // new texts; and a day that does not exist is the client's error.
        for (query, reason) in [("label(X, T), matches(T, \"^C\")", "the built-in 'matches' is computed on the client (its regular expressions are not PostgreSQL's)"),
                                ("label(X, T), U = lower(T)", "the function 'lower' is computed on the client")] {
            XCTAssertThrowsError(try rows(kb, query, on: .server)) { error in
                XCTAssertTrue((error as? DiagnosticReport)?.rendered().contains("cannot evaluate on the server: \(reason)") == true, "\(error)")
            }
        }
        kb.serverThreshold = 0
        XCTAssertThrowsError(try rows(kb, "day(X, D), D = date(2023, 2, 29)", on: .auto)) { error in
            XCTAssertTrue("\(error)".contains("no such day: 2023-2-29"), "\(error)")
        }
        XCTAssertEqual(try rows(kb, "day(X, D), year(D) = 2024", on: .auto), ["b, 2024-02-29"])
    }

    func testSourcesOnStoredAndDerivedPredicatesAnswerAsOnTheClient() throws {
        let kb = try knowledgeBase("""
            @ tass { m(russia, csto). m(armenia, csto). }
            @ arminfo { m(armenia, csto). m(armenia, cis). t(armenia, a, b). }
            m(belarus, csto).
            ally(X, Y) :- m(X, O), m(Y, O), X != Y.
            """)
        for query in ["m(X, O) @ S", "m(X, O) @ tass", "ally(armenia, Y) @ S", "m(X, csto), not m(X, csto) @ tass", "t(X, Y, Z) @ S"] {
            try assertSameOnServer(kb, query)
        }
    }

    func testAutoEvaluatesOnTheServerOnlyWhatReadsManyStoredRows() throws {
        let kb = try knowledgeBase("e(a, b). e(b, c). r(X, Y) :- e(X, Y). r(X, Z) :- r(X, Y), e(Y, Z).")
        kb.evaluationSite = .auto
        let small = try kb.explain("?- r(X, Y).")
        XCTAssertTrue(small.contains { $0.hasPrefix("evaluation: on the client (auto: about ") && $0.hasSuffix(" stored rows to read, fewer than 5000000)") }, "\(small)")
        kb.serverThreshold = 0
        let large = try kb.explain("?- r(X, Y).")
        XCTAssertTrue(large.contains { $0.hasPrefix("evaluation: on the server (auto: about ") }, "\(large)")
        XCTAssertTrue(large.contains("  3 rounds"), "\(large)")
        // What cannot be written in SQL stays on the client, and says so.
        let builtin = try kb.explain("?- e(X, Y), matches(X, \"^a\").")
        XCTAssertTrue(builtin.contains("evaluation: on the client (auto: the built-in 'matches' is computed on the client (its regular expressions are not PostgreSQL's))"), "\(builtin)")
        XCTAssertEqual(try rows(kb, "e(X, Y), matches(X, \"^a\")", on: .auto), ["a, b"])
    }

    func testValuesTheServerDoesNotComputeAreAnErrorThereAndTheClientsWorkWithAuto() throws {
        let kb = try knowledgeBase("p(1.5). p(2). q(576460752303423487). r(2.5, 1).")
        kb.serverThreshold = 0
        for (query, answer) in [
            ("p(X), Y = X + 1", ["1.5, 2.5", "2, 3"]),
            ("q(X), Y = X + 1", ["576460752303423487, 576460752303423488"]),
            ("p(X), X < 2", ["1.5"]),
            ("r(X, Y), X != Y", ["2.5, 1"]),
        ] {
            XCTAssertEqual(try rows(kb, query, on: .auto), answer, query)
            kb.evaluationSite = .auto
            XCTAssertTrue(try kb.explain(Query.text(query)).contains { $0.hasPrefix("evaluation: back on the client (") }, query)
            XCTAssertThrowsError(try rows(kb, query, on: .server), query) { error in
                let message = (error as? DiagnosticReport)?.rendered() ?? "\(error)"
                XCTAssertTrue(message.contains("is computed on the client, not on the server (evaluate it with --evaluate client)"), message)
            }
        }
        XCTAssertThrowsError(try rows(kb, "p(X), Y = X / 0", on: .server))
        XCTAssertThrowsError(try rows(kb, "p(X), Y = X / 0", on: .auto)) { error in
            XCTAssertTrue("\(error)".contains("division by zero"), "\(error)")
        }
    }

    func testTheDerivedFactsLimitStopsTheServerNamingTheRule() throws {
        let kb = try knowledgeBase("n(0). n(X) :- n(Y), X = Y + 1. m(a).")
        kb.maximumDerivedFacts = 50
        kb.evaluationSite = .server
        XCTAssertThrowsError(try kb.query("n(X)")) { error in
            let message = (error as? DiagnosticReport)?.rendered() ?? "\(error)"
            XCTAssertTrue(message.contains("<query>:1:1: error: evaluation stopped after deriving 50 facts, the limit, in the rule 'n(X) :- n(Y), X = Y + 1.'"), message)
        }
        // Nothing of the stopped evaluation is left behind; the knowledge base goes on working.
        XCTAssertEqual(try rows(kb, "m(X)", on: .server), ["a"])
    }

    func testACancelStopsAStatementTheServerIsRunning() throws {
        struct Cancelled: Error {}
        // Some 1.6 billion rows in one statement: minutes of work for the server.
        let kb = try knowledgeBase((0..<200).map { "e(\($0))." }.joined(separator: " ") + " q(count(A)) :- e(A), e(B), e(C), e(D).")
        kb.evaluationSite = .server
        let started = Date()
        var calls = 0
        kb.checkpoint = {
            calls += 1
            if Date().timeIntervalSince(started) > 0.5 { throw Cancelled() }
        }
        XCTAssertThrowsError(try kb.query("q(N)")) { XCTAssertTrue($0 is Cancelled, "\($0)") }
        // Cancelled within the statement (asked every 50 ms), not after it.
        XCTAssertLessThan(Date().timeIntervalSince(started), 30)
        XCTAssertGreaterThan(calls, 3)
        kb.checkpoint = nil
        let store = try XCTUnwrap(kb.store as? PostgresStore)
        XCTAssertEqual(try store.connection.execute("SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'INSERT INTO kglog_w%' AND state = 'active'").rows, [["0"]])
        XCTAssertEqual(try rows(kb, "e(X), X < 2", on: .server), ["0", "1"])
    }

    func testEvaluatingOnTheServerWritesNothingAndSeesTheTransactionsOwnFacts() throws {
        let location = try TestStore.newPostgresDatabase()
        let kb = try KnowledgeBase(path: location)
        try kb.execute("e(a, b). e(b, c). r(X, Y) :- e(X, Y). r(X, Z) :- r(X, Y), e(Y, Z).")
        let store = try XCTUnwrap(kb.store as? PostgresStore)
        func counts() throws -> [String] {
            try ["terms", "quads", "quads_pos", "tuples", "rules"].map { table in
                "\(table): " + (try store.connection.execute("SELECT count(*) FROM \(table)").rows[0][0] ?? "")
            }
        }
        let before = try counts()
        kb.evaluationSite = .server
        // Facts and a query in one text: the query, in the same transaction, sees the new facts.
        let results = try kb.execute("e(c, d). ?- r(a, Y).")
        guard case .answer(_, let answer) = results.last else { return XCTFail("\(results)") }
        XCTAssertEqual(answer.rows.map { $0.map(\.sourceText) }, [["b"], ["c"], ["d"]])
        XCTAssertEqual(try counts().filter { !$0.hasPrefix("terms") }, ["quads: 3", "quads_pos: 3", "tuples: 0", "rules: 2"])
        _ = try kb.query("r(X, Y)")
        XCTAssertEqual(try store.connection.execute("SELECT to_regclass('pg_temp.kglog_w0') IS NULL").rows, [["t"]])
        XCTAssertEqual(try store.connection.execute("SELECT count(*) FROM pg_proc WHERE proname LIKE 'kglog_%' AND pronamespace::regnamespace::text LIKE 'pg_temp%'").rows, [["0"]])
        XCTAssertNotEqual(before, try counts())
        // A knowledge base opened to read only evaluates on the server too.
        let reader = try KnowledgeBase(path: location, readOnly: true)
        reader.evaluationSite = .server
        XCTAssertEqual(try reader.query("r(a, Y)").rows.map { $0.map(\.sourceText) }, [["b"], ["c"], ["d"]])
    }

    func testTheSQLKeepsToWhatCitusRunsOnDistributedTables() throws {
        let kb = try knowledgeBase("""
            e(a, b). e(b, c). w(a, 1).
            r(X, Y) :- e(X, Y).
            r(X, Z) :- r(X, Y), e(Y, Z).
            c(X, count(Y)) :- r(X, Y).
            u(X) :- e(X, _), not r(X, a).
            """)
        kb.evaluationSite = .server
        var statements: [String] = []
        for query in ["r(a, Y)", "c(X, N)", "u(X)", "r(X, Y)"] {
            statements += try kb.explain(Query.text(query)).map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { $0.hasPrefix("INSERT") || $0.hasPrefix("SELECT") }
        }
        XCTAssertGreaterThan(statements.count, 8)
        for statement in statements {
            // No CTE at all (so none recursive, none inside INSERT ... SELECT); inserts only
            // into the evaluation's own tables; reads of the knowledge base by predicate id.
            XCTAssertFalse(statement.uppercased().contains("WITH "), statement)
            XCTAssertFalse(statement.uppercased().contains("RECURSIVE"), statement)
            if statement.hasPrefix("INSERT") {
                XCTAssertTrue(statement.hasPrefix("INSERT INTO kglog_w"), statement)
                XCTAssertTrue(statement.contains(" WHERE NOT EXISTS (SELECT 1 FROM kglog_w"), statement)
            }
        }
    }

    func testPeriodsAreEvaluatedOnTheClient() throws {
        let kb = try knowledgeBase("m(a, x) from 2000-01-01 until 2001-01-01. m(b, x). r(X) :- m(X, x).")
        XCTAssertEqual(try rows(kb, "r(X) at 2005-01-01", on: .auto), ["b"])
        kb.evaluationSite = .server
        XCTAssertThrowsError(try kb.query("r(X) at 2005-01-01")) { error in
            XCTAssertEqual((error as? DiagnosticReport)?.rendered(), """
                <query>:1:1: error: cannot evaluate on the server: periods (valid time) are evaluated on the client
                ?- r(X) at 2005-01-01.
                ^

                """)
        }
    }

    func testServerEvaluationNeedsADatabaseServer() throws {
        let kb = try KnowledgeBase()
        try kb.execute("e(a, b).")
        kb.evaluationSite = .server
        XCTAssertThrowsError(try kb.query("e(X, Y)")) { error in
            XCTAssertTrue((error as? DiagnosticReport)?.rendered().hasPrefix("<query>:1:1: error: cannot evaluate on the server: the knowledge base is not on a database server (--evaluate server needs PostgreSQL)") == true, "\(error)")
        }
        kb.evaluationSite = .auto
        XCTAssertEqual(try kb.query("e(X, Y)").rows.count, 1)
    }
}
