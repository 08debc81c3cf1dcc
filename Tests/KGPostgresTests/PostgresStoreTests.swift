import XCTest
import KGPostgres
import KGSyntax
import KGTestSupport

/// The PostgreSQL store's tables, terms and facts, each test in a schema of its own on the
/// private server `scripts/test.sh` starts.
final class PostgresStoreTests: XCTestCase {
    private var admin: PostgresConnection!
    private let schema = "kglog_store_\(UInt32.random(in: 0...UInt32.max))"

    /// A connection string whose search path is this test's schema.
    private func target() throws -> String {
        try TestEnvironment.postgres() + "?options=-csearch_path%3D\(schema)"
    }

    override func setUpWithError() throws {
        admin = try PostgresConnection(try TestEnvironment.postgres())
        try admin.execute("CREATE SCHEMA \(schema)")
    }

    override func tearDownWithError() throws {
        try admin?.execute("DROP SCHEMA \(schema) CASCADE")
        admin?.close()
    }

    func testTheSchemaIsCreatedOnceAndAnotherProgramsTablesAreRefused() throws {
        let store = try PostgresStore(try target())
        XCTAssertEqual(try admin.execute("SELECT value FROM \(schema).kglog_meta ORDER BY key").rows, [["kglog"], ["4"]])
        store.close()
        XCTAssertNoThrow(try PostgresStore(try target()).close(), "opened again, as it is")
        // A newer kglog's schema, and a schema of other tables, are refused and left as they are.
        try admin.execute("UPDATE \(schema).kglog_meta SET value = '9' WHERE key = 'schema_version'")
        XCTAssertThrowsError(try PostgresStore(try target())) { error in
            XCTAssertEqual("\(error)", "'\(try! self.target())' has schema version 9, newer than this kglog's 4: upgrade kglog to open it")
        }
        let other = schema + "_other"
        try admin.execute("CREATE SCHEMA \(other)")
        defer { _ = try? admin.execute("DROP SCHEMA \(other) CASCADE") }
        try admin.execute("CREATE TABLE \(other).invoices(id bigint)")
        let otherTarget = try TestEnvironment.postgres() + "?options=-csearch_path%3D\(other)"
        XCTAssertThrowsError(try PostgresStore(otherTarget)) { error in
            XCTAssertEqual(error as? PostgresStoreError, .notAKnowledgeBase(target: otherTarget, schema: other))
        }
        XCTAssertEqual(try admin.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = $1", [.text(other)]).rows, [["invoices"]])
    }

    func testASchema1DatabaseIsUpgradedByAWriterAndReadAsItIsByAReader() throws {
        let older = try PostgresStore(try target())
        let term = try older.intern(.string("Défense et sécurité"))
        older.close()
        try admin.execute("DROP TABLE \(schema).term_words, \(schema).term_words_totals")
        try admin.execute("DROP TABLE \(schema).declarations, \(schema).fact_periods, \(schema).tuple_periods, \(schema).changes, \(schema).retracted_facts, \(schema).retracted_texts")
        for table in ["quads", "tuples", "rules"] { try admin.execute("ALTER TABLE \(schema).\(table) DROP COLUMN added_in") }
        try admin.execute("UPDATE \(schema).kglog_meta SET value = '1' WHERE key = 'schema_version'")
        let reader = try PostgresStore(try target(), readOnly: true)
        XCTAssertEqual(try reader.predicatesWithPeriods(), [])
        XCTAssertEqual(try reader.declarations(), [])
        reader.close()
        XCTAssertEqual(try admin.execute("SELECT value FROM \(schema).kglog_meta WHERE key = 'schema_version'").rows, [["1"]])
        let writer = try PostgresStore(try target())
        defer { writer.close() }
        XCTAssertEqual(try admin.execute("SELECT value FROM \(schema).kglog_meta WHERE key = 'schema_version'").rows, [["4"]])
        // The upgrade indexed the words of the terms there were.
        XCTAssertEqual(try writer.textMatches(try TextSearch(parsing: "defense")).map(\.term), [term])
        XCTAssertEqual(try writer.changes(after: -1).map(\.what), ["everything stored before the knowledge base kept history"])
        XCTAssertEqual(try admin.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = $1 AND table_name IN ('declarations', 'fact_periods', 'tuple_periods')",
                                         [.text(schema)]).rows, [["3"]])
    }

    func testTermsAreInternedOnceEvenByTwoWritersAndInlineValuesNever() throws {
        let first = try PostgresStore(try target()), second = try PostgresStore(try target())
        let values: [Value] = [.name("csto"), .string("ОДКБ"), .iri("http://example.org/a'b"), .string("csto"), .langString("x", language: "ru")]
        let ids = try values.map { try first.intern($0) }
        XCTAssertEqual(Set(ids).count, values.count, "a name and a string of the same text are two terms")
        XCTAssertEqual(try values.map { try second.intern($0) }, ids)
        XCTAssertEqual(try values.map { try second.value(of: try XCTUnwrap(second.termID(for: $0))) }, values)
        XCTAssertEqual(try first.intern(.integer(42)), TermCode.integerID(42))
        XCTAssertNil(try first.termID(for: .name("absent")))
        XCTAssertEqual(try admin.execute("SELECT count(*) FROM \(schema).terms").rows, [["5"]])
        var listed: [Int64] = []
        try first.forEachTerm(ids: ([TermCode.integerID(7)!] + ids).sorted()) { id, _, _ in listed.append(id) }
        XCTAssertEqual(listed, ([TermCode.integerID(7)!] + ids).sorted())
        XCTAssertThrowsError(try first.value(of: 999_999)) { XCTAssertEqual($0 as? PostgresStoreError, .missingTerm(id: 999_999)) }
    }

    /// Terms an import promises are new (an empty knowledge base) are copied straight into the
    /// dictionary; once another writer has added terms, the next batch is looked up instead.
    func testNewTermsAreCopiedUntilAnotherWriterAddsTerms() throws {
        let store = try PostgresStore(try target()), other = try PostgresStore(try target())
        func names(_ texts: [String]) -> [(kind: Int, text: [UInt8])] { texts.map { (Value.Kind.name.rawValue, Array($0.utf8)) } }
        let first = try store.internTerms(names(["defence ministers", "x'; DROP TABLE terms; --"]) + [(Value.Kind.integer.rawValue, Array("7".utf8))],
                                          allNew: true)
        XCTAssertEqual(first, [1, 2, TermCode.integerID(7)!], "ids from 1 on, as in an empty dictionary")
        XCTAssertEqual(try store.value(of: 1), .name("defence ministers"))
        XCTAssertEqual(try store.textMatches(try TextSearch(parsing: "ministers")).map(\.term), [1], "their words are indexed")
        // A second batch with no writer between: copied, after the first.
        XCTAssertEqual(try store.internTerms(names(["c"]), allNew: true), [3])
        // Another writer's next term gets an id after the copied ones.
        XCTAssertEqual(try other.intern(.name("d")), 4)
        // Then a batch holding the other writer's term is looked up, not copied (which would
        // have failed on its text, or given it a second id).
        let third = try store.internTerms(names(["e", "d"]), allNew: true)
        XCTAssertEqual(third[1], 4)
        XCTAssertEqual(try store.termID(for: .name("e")), third[0])
        XCTAssertEqual(try admin.execute("SELECT count(*) FROM \(schema).terms").rows, [["5"]])
        XCTAssertEqual(try store.integrityCheck(), "ok")
    }

    func testFactsOfEveryArityWithSourcesAndBoundColumns() throws {
        let store = try PostgresStore(try target())
        let (m, a, r, csto, tass) = try (store.intern(.name("m")), store.intern(.name("am")), store.intern(.name("ru")), store.intern(.name("csto")), store.intern(.name("tass")))
        XCTAssertTrue(try store.insertFact(predicate: m, arguments: [a, csto], source: tass))
        XCTAssertFalse(try store.insertFact(predicate: m, arguments: [a, csto], source: tass))
        XCTAssertTrue(try store.insertFact(predicate: m, arguments: [a, csto], source: TermCode.noTerm))
        XCTAssertTrue(try store.insertFact(predicate: m, arguments: [r, csto], source: TermCode.noTerm))
        XCTAssertEqual(try store.facts(predicate: m, arity: 2), [a, csto, r, csto])
        XCTAssertEqual(try store.facts(predicate: m, arity: 2, withSources: true), [a, csto, tass])
        XCTAssertEqual(try store.facts(predicate: m, arity: 2, bound: [0: r]), [r, csto])
        XCTAssertEqual(try store.facts(predicate: m, arity: 2, bound: [1: csto]), [a, csto, r, csto])
        XCTAssertEqual(try store.facts(predicate: m, arity: 2, withSources: true, bound: [2: tass]), [a, csto, tass])
        XCTAssertEqual(try store.sources(ofFact: m, arguments: [a, csto]), [TermCode.noTerm, tass])
        XCTAssertEqual(try store.factCount(predicate: m, arity: 2), 3)
        XCTAssertEqual(try admin.execute("SELECT count(*) FROM \(schema).quads_pos").rows, [["2"]], "each fact once in the other orders")
        // Three arguments, an inline one among them, packed in bytea.
        let t = try store.intern(.name("t")), year = TermCode.integerID(-1992)!
        XCTAssertTrue(try store.insertFact(predicate: t, arguments: [a, year, csto], source: tass))
        XCTAssertTrue(try store.insertFact(predicate: t, arguments: [r, year, csto], source: TermCode.noTerm))
        XCTAssertEqual(try store.facts(predicate: t, arity: 3), [a, year, csto, r, year, csto])
        XCTAssertEqual(try store.facts(predicate: t, arity: 3, withSources: true), [a, year, csto, tass])
        XCTAssertEqual(try store.facts(predicate: t, arity: 3, bound: [0: r]), [r, year, csto])
        XCTAssertEqual(try store.sources(ofFact: t, arguments: [a, year, csto]), [tass])
    }

    func testFactsAndTermsInBulkGoThroughCopyAndTellWhichAreNew() throws {
        let store = try PostgresStore(try target())
        let texts = ["a", "b", "ОДКБ", "x'; DROP TABLE terms; --", "a", "back\\slash"]
        let ids = try store.internTerms(texts.map { (Value.Kind.name.rawValue, Array($0.utf8)) } + [(Value.Kind.integer.rawValue, Array("12".utf8))])
        XCTAssertEqual(ids[0], ids[4], "a term twice in the list has one id")
        XCTAssertEqual(Set(ids.prefix(6)).count, 5)
        XCTAssertEqual(ids[6], TermCode.integerID(12))
        XCTAssertEqual(try texts.map { try store.termID(for: .name($0)) }, ids.prefix(6).map { $0 })
        XCTAssertEqual(try store.internTerms([(Value.Kind.name.rawValue, Array("b".utf8))]), [ids[1]], "known terms keep their ids")
        let (p, q, s, g) = (ids[0], ids[1], ids[2], ids[3])
        XCTAssertTrue(try store.insertFact(predicate: p, arguments: [s, s], source: g))
        let facts: [(predicate: Int64, arguments: [Int64], source: Int64)] = [
            (p, [s, s], g),            // stored already
            (p, [s, q], g), (p, [s, q], g),   // new, then the same again
            (p, [s, q], TermCode.noTerm),     // the same fact without a source: a new row
            (q, [s, -5, g], g), (q, [s, -5, g], g), (q, [s, -5, g], TermCode.noTerm),
        ]
        XCTAssertEqual(try store.addFacts(facts), [false, true, false, true, true, false, true])
        XCTAssertEqual(try store.addFacts(facts), [false, false, false, false, false, false, false])
        XCTAssertEqual(try store.facts(predicate: p, arity: 2, withSources: true), [s, q, g, s, s, g])
        XCTAssertEqual(try store.facts(predicate: q, arity: 3), [s, -5, g])
        XCTAssertEqual(try store.integrityCheck(), "ok")
    }

    func testEveryRowOfALargePredicateComesInOrderBatchAfterBatch() throws {
        let store = try PostgresStore(try target())
        // 25,000 rows (three batches of the cursor), added in a scrambled order, inline ids
        // (negative) and dictionary ids (positive) mixed.
        let p: Int64 = 7
        var rows: [(predicate: Int64, arguments: [Int64], source: Int64)] = []
        for i in 0..<25_000 { rows.append((p, [Int64((i * 7_919) % 25_000) - 12_000, Int64(i % 3)], Int64(i % 2))) }
        XCTAssertEqual(try store.addFacts(countingNew: rows), 25_000)
        var seen: [[Int64]] = []
        try store.forEachFactRow(predicate: p, arity: 2) { arguments, source in seen.append(arguments + [source]) }
        XCTAssertEqual(seen, rows.map { $0.arguments + [$0.source] }.sorted { $0.lexicographicallyPrecedes($1) })
        // Inside a transaction too (a savepoint), and the connection goes on working after.
        try store.transaction {
            var count = 0
            try store.forEachFactRow(predicate: p, arity: 2) { _, _ in count += 1 }
            XCTAssertEqual(count, 25_000)
        }
        // A body that throws stops the reading; nothing is left open.
        struct Stop: Error {}
        XCTAssertThrowsError(try store.forEachFactRow(predicate: p, arity: 2) { _, _ in throw Stop() })
        XCTAssertEqual(try store.facts(predicate: p, arity: 2, bound: [0: -12_000]), [-12_000, 0])
    }

    func testTwoWritersCopyingTheSameNewRowsAtOnceLoseAndRepeatNothing() throws {
        let first = try PostgresStore(try target())
        let second = try PostgresStore(try target())
        let p: Int64 = 11
        // Both add rows of a predicate that has none: each copies straight into the tables.
        let mine = (0..<5_000).map { (predicate: p, arguments: [Int64($0), 1], source: Int64(0)) }
        let theirs = (2_500..<7_500).map { (predicate: p, arguments: [Int64($0), 1], source: Int64(0)) }
        /// The second writer, used from its own thread (and read only once that thread is done).
        final class Writer: @unchecked Sendable {
            let store: PostgresStore
            var added = 0
            init(_ store: PostgresStore) { self.store = store }
        }
        let writer = Writer(second)
        try first.connection.execute("BEGIN")
        XCTAssertEqual(try first.addFacts(countingNew: mine), 5_000)
        // The second writer's copy waits for the first writer's rows, and fails once they are
        // committed: its rows then go the staged way, which passes over the stored ones.
        let done = DispatchSemaphore(value: 0)
        Thread {
            writer.added = (try? writer.store.addFacts(countingNew: theirs)) ?? -1
            done.signal()
        }.start()
        Thread.sleep(forTimeInterval: 0.5)
        try first.connection.execute("COMMIT")
        done.wait()
        XCTAssertEqual(writer.added, 2_500)
        XCTAssertEqual(try admin.execute("SELECT count(*), count(DISTINCT s) FROM \(schema).quads").rows, [["7500", "7500"]])
        XCTAssertEqual(try admin.execute("SELECT count(*) FROM \(schema).quads_pos").rows, [["7500"]])
        XCTAssertEqual(try admin.execute("SELECT count(*) FROM \(schema).quads_osp").rows, [["7500"]])
    }

    func testRemovingASourceThenCompactingLeavesOnlyTheTermsInUse() throws {
        let store = try PostgresStore(try target())
        let (said, person, rumour, kept) = try (store.intern(.name("said")), store.intern(.name("person")), store.intern(.name("rumour")), store.intern(.name("kept")))
        let statements = try (0..<50).map { try store.intern(.string("statement \($0)")) }
        XCTAssertEqual(try store.addFacts(statements.map { (said, [person, $0], rumour) }).filter { $0 }.count, 50)
        XCTAssertTrue(try store.insertFact(predicate: said, arguments: [person, kept], source: TermCode.noTerm))
        try store.recordPredicate(said, arity: 2)
        XCTAssertEqual(try store.deleteFacts(source: rumour), 50)
        XCTAssertEqual(try admin.execute("SELECT count(*) FROM \(schema).quads_pos").rows, [["1"]], "the removed facts left the other orders")
        // The history keeps the removed facts, and their terms, until it is forgotten.
        XCTAssertEqual(try store.compact().removedTerms, 0)
        let last = try XCTUnwrap(try store.change(atOrBefore: Int64.max))
        let forgotten = try store.forgetHistory(before: last + 1)
        XCTAssertEqual([forgotten.changes, forgotten.rows], [Int(last) + 1, 50])
        let result = try store.compact()
        XCTAssertEqual(result.removedTerms, 51, "the 50 statements and the rumour")
        XCTAssertEqual(try store.facts(predicate: said, arity: 2), [person, kept])
        XCTAssertNil(try store.termID(for: .string("statement 7")))
        XCTAssertEqual(try store.value(of: kept), .name("kept"))
        XCTAssertEqual(try store.integrityCheck(), "ok")
        // A damaged store says what is wrong.
        try admin.execute("DELETE FROM \(schema).quads_osp")
        XCTAssertEqual(try store.integrityCheck(), "1 facts missing from quads_osp")
    }
}
