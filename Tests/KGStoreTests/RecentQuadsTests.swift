import XCTest
import KGTestSupport
@testable import KGStore

/// The two parts of `quads` (schema 9): small writes go to the recent part, reads see both as
/// one table, and the recent part is folded into the main one when it grows large.
final class RecentQuadsTests: FolderTestCase {
    /// Rows of each part, as (p, s, o, g), in key order.
    private func rows(_ store: Store, _ part: Store.QuadPart) throws -> [[Int64]] {
        let statement = try store.connection.prepare("SELECT p, s, o, g FROM \(part.rawValue) ORDER BY p, s, o, g")
        defer { statement.reset() }
        var result: [[Int64]] = []
        while try statement.step() { result.append((0..<4).map { statement.int64(Int32($0)) }) }
        return result
    }

    private func recordedMainRows(_ store: Store) throws -> Int64? {
        try store.connection.scalar("SELECT main_rows FROM quads_parts")
    }

    private func retractions(_ store: Store) throws -> Int64? {
        try store.connection.scalar("SELECT count(*) FROM retracted_facts")
    }

    /// A store whose main part holds `count` facts of predicate 10: (s, 10, 1, source 7).
    private func storeWithMainRows(_ count: Int, file: String = "kb.kglog") throws -> Store {
        let store = try Store(path: path(file))
        try store.transaction { try store.addQuads((0..<count).map { QuadRow(s: Int64($0), p: 10, o: 1, g: 7) }) }
        XCTAssertEqual(try rows(store, .main).count, count, "a batch into an empty store goes to the main part")
        XCTAssertEqual(try recordedMainRows(store), Int64(count))
        return store
    }

    func testSmallWritesGoToTheRecentPartAndEveryReadSeesBothParts() throws {
        let store = try storeWithMainRows(1000)
        // A second source restating ten of the facts: a small batch, so the recent part.
        XCTAssertEqual(try store.transaction { try store.addQuads((0..<10).map { QuadRow(s: Int64($0), p: 10, o: 1, g: 8) }) }, 10)
        XCTAssertEqual(try rows(store, .recent), (0..<10).map { [10, Int64($0), 1, 8] })
        XCTAssertEqual(try rows(store, .main).count, 1000)
        // Rows already in either part are not new, and go nowhere.
        XCTAssertEqual(try store.transaction { try store.addQuads([QuadRow(s: 0, p: 10, o: 1, g: 7), QuadRow(s: 1, p: 10, o: 1, g: 8)]) }, 0)
        XCTAssertFalse(try store.transaction { try store.insertQuad(subject: 2, predicate: 10, object: 1, source: 7) })
        XCTAssertFalse(try store.transaction { try store.insertQuad(subject: 2, predicate: 10, object: 1, source: 8) })
        XCTAssertTrue(try store.transaction { try store.insertQuad(subject: 2, predicate: 10, object: 1, source: 9) })
        XCTAssertEqual(try store.transaction {
            try store.addQuadsTellingWhichAreNew([QuadRow(s: 3, p: 10, o: 1, g: 7), QuadRow(s: 3, p: 10, o: 1, g: 8),
                                                  QuadRow(s: 3, p: 10, o: 1, g: 9), QuadRow(s: 3, p: 10, o: 1, g: 9)])
        }, [false, false, true, false])
        XCTAssertEqual(try rows(store, .recent).count, 12)
        XCTAssertEqual(try rows(store, .main).count, 1000)
        XCTAssertEqual(Set(try rows(store, .recent)).intersection(try rows(store, .main)), [], "a key is in one part only")

        // Reads see one table: a fact's sources one after the other, in order.
        XCTAssertEqual(try store.facts(predicate: 10, arity: 2, withSources: true, bound: [0: 2]), [2, 1, 7, 2, 1, 8, 2, 1, 9])
        XCTAssertEqual(try store.sources(ofFact: 10, arguments: [3, 1]), [7, 8, 9])
        var scanned: [[Int64]] = []
        try store.scanFacts(predicate: 10, arity: 2, withSources: true) { scanned.append(Array($0)) }
        XCTAssertEqual(scanned.prefix(9), [[0, 1, 7], [0, 1, 8], [1, 1, 7], [1, 1, 8], [2, 1, 7], [2, 1, 8], [2, 1, 9], [3, 1, 7], [3, 1, 8]])
        XCTAssertEqual(scanned.count, 1012)
        XCTAssertEqual(try store.facts(predicate: 10, arity: 2, withSources: true, bound: [1: 1]).count, 1012 * 3)
        XCTAssertEqual(Array(try store.facts(predicate: 10, arity: 2, withSources: true, bound: [1: 1]).prefix(9)), [0, 1, 7, 0, 1, 8, 1, 1, 7])
        XCTAssertEqual(try store.facts(predicate: 10, arity: 2).count, 2000, "each fact once")
        XCTAssertEqual(try store.factCount(predicate: 10, arity: 2), 1012)
        XCTAssertEqual(try store.distinctFactCount(predicate: 10, arity: 2), 1000)
        XCTAssertEqual(try store.sourceCounts().map { [$0.source, Int64($0.facts)] }, [[7, 1000], [8, 10], [9, 2]])

        // Deletes take rows from both parts, and the history records each retraction.
        XCTAssertEqual(try store.transaction { try store.deleteFact(predicate: 10, arguments: [0, 1], source: 8) }, 1)
        XCTAssertEqual(try retractions(store), 1)
        XCTAssertEqual(try store.transaction { try store.deleteFact(predicate: 10, arguments: [2, 1], source: nil) }, 3)
        XCTAssertEqual(try retractions(store), 4)
        XCTAssertEqual(try store.sources(ofFact: 10, arguments: [2, 1]), [])
        XCTAssertEqual(try store.transaction { try store.deleteFacts(source: 8) }, 8)
        XCTAssertEqual(try retractions(store), 12)
        XCTAssertEqual(try rows(store, .recent), [[10, 3, 1, 9]])
        XCTAssertEqual(try store.integrityCheck(), "ok")
    }

    func testTheRecentPartIsFoldedIntoTheMainOneWhenItGrowsLarge() throws {
        let store = try storeWithMainRows(1000)
        store.minimumFoldRows = 100
        func facts() throws -> [Int64] { try store.facts(predicate: 10, arity: 2, withSources: true) }
        // Batches of 50 new facts: each small beside the main part (50 × 16 < 1000).
        for batch in 0..<2 {
            try store.transaction { try store.addQuads((0..<50).map { QuadRow(s: Int64(1000 + batch * 50 + $0), p: 10, o: 2, g: 8) }) }
        }
        XCTAssertEqual(try rows(store, .recent).count, 100, "not more than 100 rows: not folded")
        let before = try facts()
        // The third makes 150, more than an eighth of the main part: folded as the write commits.
        try store.transaction { try store.addQuads((0..<50).map { QuadRow(s: Int64(1100 + $0), p: 10, o: 2, g: 8) }) }
        XCTAssertEqual(try rows(store, .recent), [])
        XCTAssertEqual(try rows(store, .main).count, 1150)
        XCTAssertEqual(try recordedMainRows(store), 1150)
        XCTAssertEqual(try retractions(store), 0, "a fold moves rows; it retracts nothing")
        XCTAssertEqual(try facts(), before + (0..<50).flatMap { [Int64(1100 + $0), 2, 8] })
        // The rows keep the change that added them.
        XCTAssertEqual(try store.connection.scalar("SELECT count(DISTINCT added_in) FROM quads_main"), 4)

        // A batch large beside the main part goes there, the recent rows folded first.
        try store.transaction { try store.addQuads((0..<10).map { QuadRow(s: Int64(2000 + $0), p: 10, o: 3, g: 9) }) }
        XCTAssertEqual(try rows(store, .recent).count, 10)
        try store.transaction { try store.addQuads((0..<100).map { QuadRow(s: Int64(3000 + $0), p: 10, o: 3, g: 9) }) }
        XCTAssertEqual(try rows(store, .recent), [])
        XCTAssertEqual(try rows(store, .main).count, 1260)
        XCTAssertEqual(try recordedMainRows(store), 1260)
        XCTAssertEqual(try store.factCount(predicate: 10, arity: 2), 1260)

        // A write that fails undoes its fold with the rest.
        try store.transaction { try store.addQuads((0..<10).map { QuadRow(s: Int64(4000 + $0), p: 10, o: 3, g: 9) }) }
        struct Failure: Error {}
        XCTAssertThrowsError(try store.transaction {
            try store.addQuads((0..<200).map { QuadRow(s: Int64(5000 + $0), p: 10, o: 3, g: 9) })
            XCTAssertEqual(try rows(store, .recent), [])
            throw Failure()
        })
        XCTAssertEqual(try rows(store, .recent).count, 10)
        XCTAssertEqual(try rows(store, .main).count, 1260)
        XCTAssertEqual(try recordedMainRows(store), 1260)
        // Compacting leaves every row in the main part.
        _ = try store.compact()
        XCTAssertEqual(try rows(store, .recent), [])
        XCTAssertEqual(try recordedMainRows(store), 1270)
        XCTAssertEqual(try retractions(store), 0)
        XCTAssertEqual(try store.integrityCheck(), "ok")
    }

    func testASchema8FileGetsItsQuadsSplitWhenOpenedForWriting() throws {
        let file = path("old.kglog")
        do {
            let store = try storeWithMainRows(100, file: "old.kglog")
            try store.transaction { try store.addQuads([QuadRow(s: 0, p: 10, o: 1, g: 8)]) }
            XCTAssertEqual(try rows(store, .recent), [[10, 0, 1, 8]])
            try store.connection.execute("\(TestEnvironment.oneQuadsTableSQL) PRAGMA user_version = 8;")
            store.close()
        }
        let raw = try SQLiteConnection(path: file)
        XCTAssertEqual(try raw.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'quads' AND type = 'table'"), 1)
        raw.close()
        // Read only, it is read as it is (a copy in memory is split).
        let reader = try Store(path: file, readOnly: true)
        XCTAssertEqual(try reader.sources(ofFact: 10, arguments: [0, 1]), [7, 8])
        reader.close()
        let store = try Store(path: file)
        XCTAssertEqual(try store.connection.scalar("PRAGMA user_version"), 9)
        XCTAssertEqual(try store.connection.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'quads' AND type = 'view'"), 1)
        XCTAssertEqual(try rows(store, .main).count, 101)
        XCTAssertEqual(try rows(store, .recent), [])
        XCTAssertEqual(try recordedMainRows(store), 101)
        XCTAssertEqual(try store.sources(ofFact: 10, arguments: [0, 1]), [7, 8])
        // The history trigger and the index on sources followed the table.
        XCTAssertEqual(try store.transaction { try store.deleteFacts(source: 8) }, 1)
        XCTAssertEqual(try retractions(store), 1)
        XCTAssertEqual(try store.connection.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'quads_g' AND tbl_name = 'quads_main'"), 1)
        XCTAssertEqual(try store.integrityCheck(), "ok")
    }
}
