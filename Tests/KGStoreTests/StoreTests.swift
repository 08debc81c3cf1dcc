import XCTest
import KGTestSupport
@testable import KGStore
import KGSyntax

final class StoreTests: FolderTestCase {
    private func facts(_ store: Store, _ predicate: Int64, arity: Int, withSources: Bool = false) throws -> [[Int64]] {
        var rows: [[Int64]] = []
        try store.scanFacts(predicate: predicate, arity: arity, withSources: withSources) { rows.append(Array($0)) }
        return rows.sorted { $0.lexicographicallyPrecedes($1) }
    }

    func testTermsAreInternedOnceByKindAndText() throws {
        let store = try Store(path: ":memory:")
        let name = try store.internTerm(kind: 5, lexical: "csto")
        let string = try store.internTerm(kind: 4, lexical: "csto")
        XCTAssertNotEqual(name, string)
        XCTAssertEqual(try store.internTerm(kind: 5, lexical: "csto"), name)
        XCTAssertEqual(try store.termID(kind: 4, lexical: "csto"), string)
        XCTAssertNil(try store.termID(kind: 4, lexical: "cis"))
        XCTAssertEqual(try store.term(id: string)?.lexical, "csto")
        XCTAssertEqual(try store.term(id: string)?.kind, 4)
        XCTAssertNil(try store.term(id: 999))
    }

    func testFactsOfEveryArityWithSources() throws {
        let store = try Store(path: ":memory:")
        XCTAssertTrue(try store.insertFact(predicate: 10, arguments: [1, 2], source: 7))
        XCTAssertFalse(try store.insertFact(predicate: 10, arguments: [1, 2], source: 7))
        XCTAssertTrue(try store.insertFact(predicate: 10, arguments: [1, 2], source: 8))
        XCTAssertTrue(try store.insertFact(predicate: 10, arguments: [3, 4]))
        XCTAssertTrue(try store.insertFact(predicate: 11, arguments: [5]))
        XCTAssertTrue(try store.insertFact(predicate: 12, arguments: [5, 6, 7], source: 8))
        XCTAssertTrue(try store.insertFact(predicate: 13, arguments: []))
        XCTAssertEqual(try facts(store, 10, arity: 2), [[1, 2], [1, 2], [3, 4]])
        // `facts` gives each fact once, ordered by subject, and filters by bound arguments.
        XCTAssertEqual(try store.facts(predicate: 10, arity: 2), [1, 2, 3, 4])
        XCTAssertEqual(try store.facts(predicate: 10, arity: 2, bound: [1: 4]), [3, 4])
        XCTAssertEqual(try store.facts(predicate: 10, arity: 2, withSources: true, bound: [0: 1]), [1, 2, 7, 1, 2, 8])
        XCTAssertEqual(try store.facts(predicate: 12, arity: 3, bound: [2: 7]), [5, 6, 7])
        XCTAssertEqual(try store.facts(predicate: 12, arity: 3, bound: [2: 8]), [])
        XCTAssertEqual(try facts(store, 10, arity: 2, withSources: true), [[1, 2, 7], [1, 2, 8]])
        XCTAssertEqual(try facts(store, 11, arity: 1), [[5]])
        XCTAssertEqual(try facts(store, 12, arity: 3, withSources: true), [[5, 6, 7, 8]])
        XCTAssertEqual(try facts(store, 13, arity: 0), [[]])
        XCTAssertEqual(try store.factCount(predicate: 10, arity: 2), 3)

        XCTAssertEqual(try store.deleteFact(predicate: 10, arguments: [1, 2], source: 7), 1)
        XCTAssertEqual(try facts(store, 10, arity: 2, withSources: true), [[1, 2, 8]])
        XCTAssertEqual(try store.deleteFact(predicate: 10, arguments: [1, 2], source: nil), 1)
        XCTAssertEqual(try store.deleteFact(predicate: 12, arguments: [5, 6, 7], source: nil), 1)
        XCTAssertEqual(try facts(store, 10, arity: 2), [[3, 4]])
        XCTAssertEqual(try facts(store, 12, arity: 3), [])
    }

    func testEverythingSurvivesReopening() throws {
        let file = path("kb.kglog")
        do {
            let store = try Store(path: file)
            let p = try store.internTerm(kind: 5, lexical: "member-of")
            try store.recordPredicate(p, arity: 2)
            try store.insertFact(predicate: p, arguments: [try store.internTerm(kind: 5, lexical: "armenia"), try store.internTerm(kind: 5, lexical: "csto")])
            try store.addRule(text: "ally(X, Y) :- member-of(X, O), member-of(Y, O).")
            store.close()
        }
        let store = try Store(path: file)
        let p = try XCTUnwrap(try store.termID(kind: 5, lexical: "member-of"))
        XCTAssertEqual(try store.predicateArities(), [p: 2])
        XCTAssertEqual(try facts(store, p, arity: 2).count, 1)
        XCTAssertEqual(try store.rules().map(\.text), ["ally(X, Y) :- member-of(X, O), member-of(Y, O)."])
    }

    func testAFailedTransactionAppliesNothing() throws {
        let store = try Store(path: ":memory:")
        struct Boom: Error {}
        XCTAssertThrowsError(try store.transaction {
            try store.insertFact(predicate: 1, arguments: [2, 3])
            _ = try store.internTerm(kind: 5, lexical: "x")
            throw Boom()
        })
        XCTAssertEqual(try facts(store, 1, arity: 2), [])
        XCTAssertNil(try store.termID(kind: 5, lexical: "x"))
        // A nested failure undoes only the inner part.
        try store.transaction {
            try store.insertFact(predicate: 1, arguments: [1, 1])
            _ = try? store.transaction { () throws -> Void in
                try store.insertFact(predicate: 1, arguments: [2, 2])
                throw Boom()
            }
        }
        XCTAssertEqual(try facts(store, 1, arity: 2), [[1, 1]])
    }

    func testAFileThatIsNotSQLiteIsRefusedAndLeftAlone() throws {
        let file = path("notes.txt")
        let content = Data(String(repeating: "just some text, not a database\n", count: 200).utf8)
        try content.write(to: URL(fileURLWithPath: file))
        XCTAssertThrowsError(try Store(path: file)) { error in
            XCTAssertEqual((error as? StoreError)?.message, "'\(file)' is not a kglog knowledge base")
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: file)), content)
    }

    func testASQLiteFileOfAnotherProgramIsRefused() throws {
        let file = path("other.db")
        let other = try SQLiteConnection(path: file)
        try other.execute("CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT)")
        other.close()
        XCTAssertThrowsError(try Store(path: file)) { error in
            XCTAssertEqual(error as? StoreError, .notAKnowledgeBase(path: file))
        }
    }

    func testANewerSchemaIsRefused() throws {
        let file = path("future.kglog")
        try Store(path: file).close()
        let raw = try SQLiteConnection(path: file)
        try raw.execute("PRAGMA user_version = 99")
        raw.close()
        XCTAssertThrowsError(try Store(path: file)) { error in
            XCTAssertEqual((error as? StoreError)?.message,
                           "'\(file)' has schema version 99, newer than this kglog's \(Store.schemaVersion): upgrade kglog to open it")
        }
    }

    /// The rows of the three quad tables, each put back in (s, p, o, g) order and sorted; the
    /// other two orders hold facts without sources, (s, p, o).
    private func quadOrders(_ connection: SQLiteConnection) throws -> [[[Int64]]] {
        try ["SELECT s, p, o, g FROM quads", "SELECT s, p, o FROM quads_pos", "SELECT s, p, o FROM quads_osp"].enumerated().map { index, sql in
            let statement = try connection.prepare(sql)
            defer { statement.reset() }
            var rows: [[Int64]] = []
            while try statement.step() { rows.append((0..<(index == 0 ? 4 : 3)).map { statement.int64(Int32($0)) }) }
            return rows.sorted { $0.lexicographicallyPrecedes($1) }
        }
    }

    /// The distinct facts of rows of `quads`, without their sources, sorted.
    private func facts(_ quads: [[Int64]]) -> [[Int64]] {
        Set(quads.map { Array($0.prefix(3)) }).sorted { $0.lexicographicallyPrecedes($1) }
    }

    func testEveryWriteReachesAllThreeOrders() throws {
        let store = try Store(path: ":memory:")
        for (s, o, g) in [(1, 2, 7), (1, 2, 8), (3, 2, 7), (3, 4, 0), (5, 6, 8)] as [(Int64, Int64, Int64)] {
            XCTAssertTrue(try store.insertQuad(subject: s, predicate: 10, object: o, source: g))
        }
        XCTAssertFalse(try store.insertQuad(subject: 1, predicate: 10, object: 2, source: 7))
        // The fact (1, 10, 2) from two sources is two rows of quads and one of each other order.
        XCTAssertEqual(try quadOrders(store.connection).map(\.count), [5, 4, 4])
        XCTAssertEqual(try store.deleteFact(predicate: 10, arguments: [1, 2], source: 8), 1)
        XCTAssertEqual(try quadOrders(store.connection)[1].first, [1, 10, 2], "source 7 still holds it")
        XCTAssertEqual(try store.deleteFacts(source: 7), 2)
        let orders = try quadOrders(store.connection)
        XCTAssertEqual(orders[0], [[3, 10, 4, 0], [5, 10, 6, 8]])
        XCTAssertEqual(orders[1], facts(orders[0]))
        XCTAssertEqual(orders[2], facts(orders[0]))
        // A bound object alone is read from the (p, o, s) order, with sources from quads.
        XCTAssertEqual(Store.scanSQL(arity: 2, withSources: false, boundColumns: [1]),
                       "SELECT s, o FROM quads_pos WHERE p = ?1 AND o = ?3 ORDER BY s, o")
        XCTAssertEqual(try store.facts(predicate: 10, arity: 2, bound: [1: 6]), [5, 6])
        XCTAssertTrue(try store.insertQuad(subject: 5, predicate: 10, object: 6, source: 9))
        XCTAssertTrue(try store.insertQuad(subject: 1, predicate: 10, object: 6, source: 0))
        XCTAssertEqual(try store.facts(predicate: 10, arity: 2, withSources: true, bound: [1: 6]), [5, 6, 8, 5, 6, 9])
        XCTAssertEqual(try store.facts(predicate: 10, arity: 2, bound: [1: 6]), [1, 6, 5, 6])
    }

    private func termList(_ terms: [(UInt8, String)]) -> TermList {
        var list = TermList()
        for (kind, text) in terms {
            var bytes = Array(text.utf8)
            bytes.withUnsafeMutableBufferPointer { list.append(kind: kind, text: UnsafeBufferPointer($0)) }
        }
        return list
    }

    func testTermsAddedInBulkGetIdsAndAreFoundAgain() throws {
        let store = try Store(path: ":memory:")
        XCTAssertEqual(try store.addTerms(termList([(4, ""), (4, "csto"), (5, "csto")]), allNew: true), [1, 2, 3])
        XCTAssertEqual(try store.termID(kind: 4, lexical: ""), 1)
        XCTAssertEqual(try store.term(id: 1)?.lexical, "")
        XCTAssertEqual(try store.termID(kind: 5, lexical: "csto"), 3)
        // Not all new: the stored ones keep their ids, the others get the next ones.
        XCTAssertEqual(try store.addTerms(termList([(5, "cis"), (5, "csto"), (6, "http://e/é")]), allNew: false), [4, 3, 5])
        XCTAssertEqual(try store.term(id: 5)?.lexical, "http://e/é")
        XCTAssertEqual(try store.nextTermID(), 6)
        // A promise broken is an error, and the transaction around it undoes the whole call.
        XCTAssertThrowsError(try store.transaction { try store.addTerms(termList([(5, "armenia"), (5, "cis")]), allNew: true) })
        XCTAssertNil(try store.termID(kind: 5, lexical: "armenia"))
    }

    func testQuadsAddedInBulkReachAllThreeOrdersOnce() throws {
        let store = try Store(path: ":memory:")
        XCTAssertTrue(try store.insertQuad(subject: 1, predicate: 2, object: 3, source: 0))
        var generator = SplitMix64(seed: 1)
        // Duplicates within the rows and with what is stored count once; large ids and inline
        // ids (negative) sort as SQLite orders them.
        var rows = (0..<5_000).map { _ in
            QuadRow(s: Int64.random(in: 1...40, using: &generator), p: Int64.random(in: 1...3, using: &generator),
                    o: [3, 70_000, 4_294_967_295, 1 << 40, -3, -(1 << 62)][Int.random(in: 0..<6, using: &generator)],
                    g: Int64.random(in: 0...1, using: &generator))
        }
        rows.append(QuadRow(s: 1, p: 2, o: 3, g: 0))
        let expected = Set(rows).subtracting([QuadRow(s: 1, p: 2, o: 3, g: 0)])
        XCTAssertEqual(try store.addQuads(rows), expected.count)
        let orders = try quadOrders(store.connection)
        let all = Set(expected).union([QuadRow(s: 1, p: 2, o: 3, g: 0)]).map { [$0.s, $0.p, $0.o, $0.g] }
        XCTAssertEqual(orders[0], all.sorted { $0.lexicographicallyPrecedes($1) })
        XCTAssertEqual(orders[1], facts(orders[0]))
        XCTAssertEqual(orders[2], facts(orders[0]))
        XCTAssertEqual(try store.addQuads(rows), 0)
        XCTAssertEqual(try store.addQuads([QuadRow(s: 1 << 32, p: 2, o: 3, g: 0), QuadRow(s: 1, p: 2, o: 3, g: 0)]), 1)
        let distinct = facts(all).count + 1
        XCTAssertEqual(try quadOrders(store.connection).map(\.count), [all.count + 1, distinct, distinct])
    }

    func testBulkQuadsTellWhichRowsWereNew() throws {
        let store = try Store(path: ":memory:")
        XCTAssertTrue(try store.insertQuad(subject: 5, predicate: 1, object: 6, source: 0))
        let rows = [QuadRow(s: 9, p: 1, o: 1, g: 0), QuadRow(s: 5, p: 1, o: 6, g: 0), QuadRow(s: 2, p: 1, o: 3, g: 0),
                    QuadRow(s: 9, p: 1, o: 1, g: 0), QuadRow(s: 2, p: 1, o: 3, g: 7)]
        XCTAssertEqual(try store.addQuadsTellingWhichAreNew(rows), [true, false, true, false, true])
        let orders = try quadOrders(store.connection)
        XCTAssertEqual(orders[0], [[2, 1, 3, 0], [2, 1, 3, 7], [5, 1, 6, 0], [9, 1, 1, 0]])
        XCTAssertEqual(orders[1], facts(orders[0]))
        XCTAssertEqual(orders[2], facts(orders[0]))
        XCTAssertEqual(try store.addQuadsTellingWhichAreNew([QuadRow(s: 1 << 33, p: 1, o: 1, g: 0), QuadRow(s: -4, p: 1, o: 1, g: 0),
                                                              QuadRow(s: 1 << 33, p: 1, o: 1, g: 0)]),
                       [true, true, false])
    }

    func testFactsOfOtherAritiesAddedInBulkAreStoredOnce() throws {
        let store = try Store(path: ":memory:")
        let already = TupleRow(p: 7, arguments: [1, 2, 3], g: 0)
        XCTAssertTrue(try store.insertFact(predicate: already.p, arguments: already.arguments, source: already.g))
        // Predicate 4 + n has arity n; the arguments include ids whose packed bytes sort
        // differently from their values.
        var generator = SplitMix64(seed: 2)
        let rows = (0..<3_000).map { _ -> TupleRow in
            let arity = [1, 3, 4][Int.random(in: 0..<3, using: &generator)]
            return TupleRow(p: Int64(arity + 4), arguments: (0..<arity).map { _ in [1, 2, 3, 256, 65_536, 1 << 40][Int.random(in: 0..<6, using: &generator)] },
                            g: Int64.random(in: 0...1, using: &generator))
        } + [already]
        XCTAssertEqual(try store.addTuples(rows), Set(rows).subtracting([already]).count)
        XCTAssertEqual(try store.addTuples(rows), 0)
        var stored: [TupleRow] = []
        for p in [5, 7, 8] as [Int64] {
            try store.forEachFactRow(predicate: p, arity: Int(p) - 4) { stored.append(TupleRow(p: p, arguments: $0, g: $1)) }
        }
        XCTAssertEqual(stored.count, Set(rows).count)
        XCTAssertEqual(Set(stored), Set(rows))
    }

    func testTheRadixSortOrdersLikeAComparisonSort() {
        var generator = SplitMix64(seed: 3)
        // Small ids, every id (inline ones are negative), and columns that differ only in sign.
        for range in [Int64(0)...3, Int64.min...Int64.max, -2...1] {
            var keys = (0..<20_000).map { _ in
                QuadKey(Int64.random(in: range, using: &generator), Int64.random(in: range, using: &generator),
                        Int64.random(in: range, using: &generator), Int64.random(in: range, using: &generator))
            }
            let expected = keys.sorted(by: <)
            QuadKey.radixSort(&keys)
            XCTAssertTrue(keys == expected, "range \(range)")
        }
    }

    private func cacheRows(_ store: Store) throws -> [Int64] {
        let statement = try store.connection.prepare("SELECT p FROM fact_cache ORDER BY p")
        defer { statement.reset() }
        var rows: [Int64] = []
        while try statement.step() { rows.append(statement.int64(0)) }
        return rows
    }

    /// The pairs of predicate 10 as SQLite holds them, without the cache.
    private func uncachedPairs(_ store: Store) throws -> [Int64] {
        let statement = try store.connection.prepare("SELECT DISTINCT s, o FROM quads WHERE p = 10 ORDER BY s, o")
        defer { statement.reset() }
        var rows: [Int64] = []
        while try statement.step() { rows += [statement.int64(0), statement.int64(1)] }
        return rows
    }

    /// The pairs `withCachedFacts` gives (blob, then pairs added since), sorted; nil without a blob.
    private func cachedPairs(_ store: Store, _ predicate: Int64 = 10) throws -> [[Int64]]? {
        var pairs: [[Int64]] = []
        let cached = try store.withCachedFacts(predicate: predicate) { bytes in
            let ids = (0..<(bytes.count / 8)).map { Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self)) }
            for i in stride(from: 0, to: ids.count, by: 2) { pairs.append([ids[i], ids[i + 1]]) }
        }
        return cached ? pairs.sorted { $0.lexicographicallyPrecedes($1) } : nil
    }

    private func pairs(_ flat: [Int64]) -> [[Int64]] {
        stride(from: 0, to: flat.count, by: 2).map { [flat[$0], flat[$0 + 1]] }
    }

    private func addedPairCount(_ store: Store) throws -> Int64? {
        try store.connection.scalar("SELECT count(*) FROM fact_cache_added")
    }

    func testAFewPairsRestatedByManySourcesGetABlob() throws {
        let store = try Store(path: ":memory:")
        // 100 pairs, each restated by 120 sources: 12,000 rows to step through, 100 in the blob.
        let restated = (0..<12_000).map { QuadRow(s: Int64($0 % 100), p: 12, o: 1, g: Int64(100 + $0 / 100)) }
        let few = (0..<9_000).map { QuadRow(s: Int64($0), p: 13, o: 1, g: 0) }
        try store.transaction {
            try store.addQuads(restated + few)
            try store.refreshFactCaches()
        }
        XCTAssertEqual(try cacheRows(store), [12])
        XCTAssertTrue(try store.withCachedFacts(predicate: 12) { XCTAssertEqual($0.count, 100 * 16) })
    }

    func testTheFactCacheIsBuiltByBulkLoadsFollowsAdditionsAndIsDroppedByRemovals() throws {
        let file = path("cache.kglog")
        let store = try Store(path: file)
        let many = (0..<12_000).map { QuadRow(s: Int64($0 % 5_000), p: 10, o: Int64($0), g: Int64($0 % 2)) }
        try store.transaction {
            try store.addQuads(many + [QuadRow(s: 1, p: 11, o: 2, g: 0)])
            try store.refreshFactCaches()
        }
        XCTAssertEqual(try cacheRows(store), [10], "only a large predicate gets a blob")
        XCTAssertEqual(try store.facts(predicate: 10, arity: 2), try uncachedPairs(store))
        var packed: [Int64] = []
        XCTAssertTrue(try store.withCachedFacts(predicate: 10) { blob in
            packed = (0..<(blob.count / 8)).map { Int64(littleEndian: blob.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self)) }
        })
        XCTAssertEqual(packed, try uncachedPairs(store), "the blob holds the distinct pairs in order")
        XCTAssertEqual(try store.facts(predicate: 10, arity: 2).count, 24_000)
        // A write that is rolled back leaves everything as it was.
        struct Undo: Error {}
        XCTAssertThrowsError(try store.transaction { try store.insertQuad(subject: 9_999, predicate: 10, object: 1, source: 0); throw Undo() })
        XCTAssertEqual(try addedPairCount(store), 0)
        // A new pair joins the added pairs; the blob stays; the same pair from another source,
        // or a pair the blob holds, adds nothing.
        try store.transaction { _ = try store.insertQuad(subject: 9_999, predicate: 10, object: 1, source: 0) }
        try store.transaction { _ = try store.insertQuad(subject: 9_999, predicate: 10, object: 1, source: 7) }
        try store.transaction { try store.addQuads([QuadRow(s: 0, p: 10, o: 0, g: 5), QuadRow(s: 9_998, p: 10, o: 3, g: 0), QuadRow(s: 9_998, p: 10, o: 3, g: 1)]) }
        XCTAssertEqual(try cacheRows(store), [10])
        XCTAssertEqual(try addedPairCount(store), 2)
        XCTAssertEqual(try cachedPairs(store), pairs(try uncachedPairs(store)))
        // Additions of more than an eighth of the blob drop it; a bulk load builds it again.
        try store.transaction { try store.addQuads((0..<2_000).map { QuadRow(s: 20_000, p: 10, o: Int64($0), g: 0) }) }
        XCTAssertEqual(try cacheRows(store), [])
        XCTAssertEqual(try addedPairCount(store), 0)
        try store.transaction { try store.addQuads([QuadRow(s: 20_001, p: 10, o: 1, g: 0)]); try store.refreshFactCaches() }
        XCTAssertEqual(try cachedPairs(store), pairs(try uncachedPairs(store)))
        // Removals drop blob and added pairs, also those written from another connection.
        let writes: [(Store) throws -> Void] = [
            { _ = try $0.deleteFact(predicate: 10, arguments: [0, 0], source: nil) },
            { _ = try $0.deleteFacts(source: 1) },
        ]
        for (round, write) in writes.enumerated() {
            try store.transaction {
                XCTAssertTrue(try store.insertQuad(subject: 1, predicate: 10, object: Int64(50_000 + round), source: 0))
                try store.refreshFactCaches()
            }
            XCTAssertEqual(try cacheRows(store), [10])
            let other = try Store(path: file)
            try other.transaction { try write(other) }
            other.close()
            XCTAssertEqual(try cacheRows(store), [])
            XCTAssertEqual(try addedPairCount(store), 0)
            XCTAssertNil(try cachedPairs(store))
            XCTAssertEqual(try store.facts(predicate: 10, arity: 2), try uncachedPairs(store))
            // (Enough pairs again for a blob.)
            try store.transaction { try store.addQuads((0..<4_000).map { QuadRow(s: Int64(30_000 + round), p: 10, o: Int64($0), g: 0) }); try store.refreshFactCaches() }
        }
        XCTAssertEqual(try cacheRows(store), [10])
        XCTAssertEqual(try store.integrityCheck(), "ok")
        // Compacting builds again the blob with the pairs added since in it.
        try store.transaction { try store.addQuads((0..<100).map { QuadRow(s: 40_000, p: 10, o: Int64($0), g: 0) }) }
        XCTAssertEqual(try addedPairCount(store), 100)
        _ = try store.compact()
        XCTAssertEqual(try cacheRows(store), [10])
        XCTAssertEqual(try addedPairCount(store), 0)
        packed = []
        _ = try store.withCachedFacts(predicate: 10) { blob in
            packed += (0..<(blob.count / 8)).map { Int64(littleEndian: blob.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self)) }
        }
        XCTAssertEqual(packed, try uncachedPairs(store))
    }

    /// A file as schema 1 wrote it: the (p, o, s) and (o, s, p) orders were indexes.
    private func writeSchema1File(_ file: String) throws {
        let raw = try SQLiteConnection(path: file)
        try raw.execute("""
            PRAGMA journal_mode=WAL;
            PRAGMA application_id = \(Store.applicationID);
            PRAGMA user_version = 1;
            CREATE TABLE terms(id INTEGER PRIMARY KEY, kind INTEGER NOT NULL, lexical TEXT NOT NULL, UNIQUE(kind, lexical));
            CREATE TABLE predicates(id INTEGER PRIMARY KEY, arity INTEGER NOT NULL);
            CREATE TABLE quads(s INTEGER NOT NULL, p INTEGER NOT NULL, o INTEGER NOT NULL, g INTEGER NOT NULL,
                               PRIMARY KEY(p, s, o, g)) WITHOUT ROWID;
            CREATE INDEX quads_pos ON quads(p, o, s);
            CREATE INDEX quads_osp ON quads(o, s, p);
            CREATE INDEX quads_g ON quads(g) WHERE g != 0;
            CREATE TABLE tuples(p INTEGER NOT NULL, args BLOB NOT NULL, g INTEGER NOT NULL, PRIMARY KEY(p, args, g)) WITHOUT ROWID;
            CREATE INDEX tuples_g ON tuples(g) WHERE g != 0;
            CREATE TABLE rules(id INTEGER PRIMARY KEY, text TEXT NOT NULL);
            INSERT INTO quads VALUES (1, 10, 2, 0), (3, 10, 2, 7), (3, 10, 4, 0);
            """)
        raw.close()
    }

    func testASchema1FileIsReadOnlyAsItIsAndUpgradedWhenWritten() throws {
        let file = path("old.kglog")
        try writeSchema1File(file)
        // Read-only: the file stays as it is, and reads by object still work.
        let before = try Data(contentsOf: URL(fileURLWithPath: file))
        let reader = try Store(path: file, readOnly: true)
        XCTAssertEqual(try reader.facts(predicate: 10, arity: 2, bound: [1: 2]), [1, 2, 3, 2])
        // It reads a copy in memory, upgraded there, which refuses changes as the file would.
        XCTAssertThrowsError(try reader.transaction { _ = try reader.internTerm(kind: 5, lexical: "x") }) { error in
            XCTAssertEqual(error as? StoreError, .readOnly(path: file))
        }
        reader.close()
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: file)), before)
        let raw = try SQLiteConnection(path: file, readOnly: true)
        XCTAssertEqual(try raw.scalar("PRAGMA user_version"), 1)
        raw.close()
        let store = try Store(path: file)
        XCTAssertEqual(try store.connection.scalar("PRAGMA user_version"), Int64(Store.schemaVersion))
        XCTAssertEqual(try cacheRows(store), [], "schema 3's fact cache is there, empty")
        let orders = try quadOrders(store.connection)
        XCTAssertEqual(orders[0], [[1, 10, 2, 0], [3, 10, 2, 7], [3, 10, 4, 0]])
        XCTAssertEqual(orders[1], facts(orders[0]))
        XCTAssertEqual(orders[2], facts(orders[0]))
        XCTAssertEqual(try store.facts(predicate: 10, arity: 2, bound: [1: 2]), [1, 2, 3, 2])
        XCTAssertEqual(try store.integrityCheck(), "ok")
    }

    /// Schema 3 kept numbers in the dictionary; schema 4 moves each into its inline id in every
    /// quad table, source, packed argument list and packed copy, in one transaction.
    func testASchema3FileGetsInlineNumbersInEveryTable() throws {
        let file = path("schema3.kglog")
        let store = try Store(path: file)
        // Terms 1...20_000 are the integers 0..<20_000 as schema 3 kept them; 30_000 is a name.
        let integer = Int64(Value.Kind.integer.rawValue), name = Int64(Value.Kind.name.rawValue)
        try store.transaction {
            let insert = try store.connection.prepare("INSERT INTO terms(id, kind, lexical) VALUES (?1, ?2, ?3)")
            for n in 0..<20_000 {
                insert.bind(1, Int64(n + 1)); insert.bind(2, integer); insert.bind(3, String(n)); try insert.run()
            }
            insert.bind(1, 30_000); insert.bind(2, name); insert.bind(3, "next"); try insert.run()
            insert.bind(1, 30_001); insert.bind(2, integer); insert.bind(3, "9223372036854775807"); try insert.run()
            try store.bulkLoad {
                let rows: [QuadRow] = (0..<12_000).map { (n: Int) -> QuadRow in
                    QuadRow(s: Int64(n + 1), p: 30_000, o: Int64(n + 2), g: n == 0 ? 30_001 : 0)
                }
                _ = try store.addQuads(rows)
                _ = try store.addTuples([TupleRow(p: 30_000, arguments: [1, 30_000, 30_001], g: 3)])
                try store.refreshFactCaches()
            }
            try store.connection.execute("\(TestEnvironment.oneQuadsTableSQL) PRAGMA user_version = 3")
        }
        XCTAssertEqual(try cacheRows(store), [30_000])
        store.close()

        let upgraded = try Store(path: file)
        XCTAssertEqual(try upgraded.connection.scalar("PRAGMA user_version"), Int64(Store.schemaVersion))
        XCTAssertEqual(try upgraded.connection.scalar("SELECT count(*) FROM terms"), 2, "the name and the integer too large")
        let id = { (n: Int64) in TermCode.integerID(n)! }
        let pairs = try upgraded.facts(predicate: 30_000, arity: 2)
        XCTAssertEqual(try cacheRows(upgraded), [30_000], "the packed copy is built again")
        XCTAssertEqual(pairs.count, 24_000)
        let found: Set<[Int64]> = Set(stride(from: 0, to: pairs.count, by: 2).map { (i: Int) -> [Int64] in [pairs[i], pairs[i + 1]] })
        let wanted: Set<[Int64]> = Set((0..<12_000).map { (n: Int) -> [Int64] in [id(Int64(n)), id(Int64(n + 1))] })
        XCTAssertEqual(found, wanted)
        let orders = try quadOrders(upgraded.connection)
        XCTAssertEqual(orders[1], facts(orders[0]))
        XCTAssertEqual(orders[2], facts(orders[0]))
        XCTAssertEqual(try upgraded.facts(predicate: 30_000, arity: 2, withSources: true, bound: [0: id(0)]), [id(0), id(1), 30_001])
        var rows: [(arguments: [Int64], source: Int64)] = []
        try upgraded.forEachFactRow(predicate: 30_000, arity: 3) { rows.append(($0, $1)) }
        XCTAssertEqual(rows.map(\.arguments), [[id(0), 30_000, 30_001]])
        XCTAssertEqual(rows.map(\.source), [id(2)])
        XCTAssertEqual(try upgraded.value(of: id(11_999)), .integer(11_999))
        XCTAssertEqual(try upgraded.termID(kind: Int(integer), lexical: "9223372036854775807"), 30_001)
        XCTAssertEqual(try upgraded.integrityCheck(), "ok")
    }

    func testFactsOfOneSourceAreReadThroughTheIndexOnSources() throws {
        let store = try Store(path: path("sources.kglog"))
        try store.transaction {
            let rows: [QuadRow] = (0..<3_000).map { (n: Int) -> QuadRow in QuadRow(s: Int64(n % 100 + 1), p: 500, o: Int64(n / 100 + 1), g: Int64(600 + n % 3)) }
            _ = try store.addQuads(rows)
        }
        let one = try store.facts(predicate: 500, arity: 2, withSources: true, bound: [2: 601])
        XCTAssertEqual(one.count, 3 * 1_000)
        XCTAssertTrue(stride(from: 2, to: one.count, by: 3).allSatisfy { one[$0] == 601 })
        XCTAssertEqual(try store.facts(predicate: 500, arity: 2, withSources: true, bound: [0: 2, 2: 601]).count, 3 * 10)
        // SQLite reads the rows of that source alone.
        let plan = try store.connection.prepare("EXPLAIN QUERY PLAN " + Store.scanSQL(arity: 2, withSources: true, boundColumns: [2]))
        defer { plan.reset() }
        var details: [String] = []
        while try plan.step() { details.append(plan.string(3)) }
        XCTAssertTrue(details.contains { $0.contains("USING") && $0.contains("quads_g") }, "\(details)")
    }

    func testAMissingFolderCannotBeOpened() throws {
        let file = path("no/such/folder/kb.kglog")
        XCTAssertThrowsError(try Store(path: file)) { error in
            guard case .cannotOpen(let p, _)? = error as? StoreError else { return XCTFail("\(error)") }
            XCTAssertEqual(p, file)
        }
    }

    func testFilesUseWriteAheadLogging() throws {
        let store = try Store(path: path("wal.kglog"))
        let mode = try store.connection.prepare("PRAGMA journal_mode")
        XCTAssertTrue(try mode.step())
        XCTAssertEqual(mode.string(0), "wal")
        mode.reset()
    }
}
