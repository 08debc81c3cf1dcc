import XCTest
import KGEngine
import KGLog
import KGPostgres
import KGSyntax
import KGTestSupport

/// The engine reads stored facts only through `StoredFacts`: given other implementations (facts
/// in arrays; a PostgreSQL database), it answers, explains sources and derives exactly as over
/// the SQLite store. One suite, run over each.
final class StoredFactsTests: XCTestCase {
    /// Facts in memory: a dictionary of values and a list of (s, p, o, g) rows.
    final class MemoryFacts: StoredFacts {
        private var ids: [Value: Int64] = [:]
        private var values: [Int64: Value] = [:]
        private var quads: [(s: Int64, p: Int64, o: Int64, g: Int64)] = []
        private(set) var reads: [String] = []

        private func intern(_ value: Value) -> Int64 {
            if let inline = TermCode.inlineID(value) { return inline }
            if let id = ids[value] { return id }
            let id = Int64(ids.count + 1)
            ids[value] = id
            values[id] = value
            return id
        }

        func add(_ s: Value, _ p: Value, _ o: Value, source: Value? = nil) {
            quads.append((intern(s), intern(p), intern(o), source.map(intern) ?? TermCode.noTerm))
        }

        func termID(for value: Value) throws -> Int64? {
            TermCode.inlineID(value) ?? ids[value]
        }

        func value(of id: Int64) throws -> Value {
            if let inline = TermCode.inlineValue(id) { return inline }
            guard let value = values[id] else { throw EngineError.missingTerm(id: id) }
            return value
        }

        func forEachTerm(ids: [Int64], _ body: (Int64, Int, String) throws -> Void) throws {
            for id in ids {
                guard let value = values[id] else { continue }
                let (kind, text) = TermCode.dictionaryKey(of: value)
                try body(id, kind, text)
            }
        }

        func facts(predicate: Int64, arity: Int, withSources: Bool, bound: [Int: Int64]) throws -> [Int64] {
            reads.append(describeRead(predicate: predicate, arity: arity, withSources: withSources, bound: bound))
            guard arity == 2 else { return [] }
            var rows: [[Int64]] = quads.filter { $0.p == predicate && (!withSources || $0.g != TermCode.noTerm) }
                .map { withSources ? [$0.s, $0.o, $0.g] : [$0.s, $0.o] }
                .filter { row in bound.allSatisfy { row[$0.key] == $0.value } }
            rows = Array(Set(rows)).sorted { $0.lexicographicallyPrecedes($1) }
            return Array(rows.joined())
        }

        func predicatesWithPeriods() throws -> Set<Int64> { [] }

        /// Every text read and scored, as an index would find and score it.
        func textMatches(_ search: TextSearch) throws -> [(term: Int64, score: Double)] {
            let texts = values.compactMap { id, value in
                let key = TermCode.dictionaryKey(of: value)
                return TextWords.searchedText(kind: key.kind, storageText: key.text).map { (id, TextWords.words(in: String($0))) }
            }.filter { !$0.1.isEmpty }
            let average = Double(texts.reduce(0) { $0 + $1.1.count }) / Double(max(texts.count, 1))
            let containing = search.phrases.map { phrase in texts.filter { phrase.matches($0.1) }.count }
            return texts.filter { search.matches($0.1) }
                .map { ($0.0, search.bm25(words: $0.1, documents: texts.count, averageLength: average, containing: containing)) }
        }

        func periods(ofFact predicate: Int64, arguments: [Int64], source: Int64) throws -> [(from: Int64, until: Int64)] { [] }

        func factsWithPeriods(predicate: Int64, arity: Int, withSources: Bool, bound: [Int: Int64]) throws -> [Int64] {
            let rows = try facts(predicate: predicate, arity: arity, withSources: withSources, bound: bound)
            let width = withSources ? arity + 1 : arity
            return stride(from: 0, to: rows.count, by: max(width, 1)).flatMap { start -> [Int64] in
                Array(rows[start..<start + arity]) + [Period.openStartID, Period.openEndID] + (withSources ? [rows[start + arity]] : [])
            }
        }

        func withCachedFacts(predicate: Int64, _ body: (UnsafeRawBufferPointer) throws -> Void) throws -> Bool {
            false
        }

        func factCount(predicate: Int64, arity: Int) throws -> Int {
            quads.filter { $0.p == predicate }.count
        }

        func sources(ofFact predicate: Int64, arguments: [Int64]) throws -> [Int64] {
            quads.filter { $0.p == predicate && [$0.s, $0.o] == arguments }.map(\.g).sorted()
        }

        func describeRead(predicate: Int64, arity: Int, withSources: Bool, bound: [Int: Int64]) -> String {
            "memory: arity \(arity)\(withSources ? " with sources" : "") bound \(bound.keys.sorted())"
        }
    }

    private let facts = """
        member-of(armenia, csto) @ tass. member-of(russia, csto) @ tass. member-of(russia, cis).
        member-of(kazakhstan, csto) @ arminfo. joined(kazakhstan, 1992). published-on(tass, 2020-01-01).
        """
    private let rules = """
        ally(X, Y) :- member-of(X, O), member-of(Y, O), X != Y.
        early(X) :- joined(X, Y), Y < 2000.
        """

    /// The facts of `facts`, one (subject, predicate, object, source) at a time.
    private func eachFact(_ add: (Value, Value, Value, Value?) throws -> Void) throws {
        for statement in Parser.parse(facts).statements {
            guard case .clause(let clause) = statement, case .constant(let s) = clause.head.arguments[0].kind,
                  case .constant(let o) = clause.head.arguments[1].kind else { XCTFail("not a fact: \(statement)"); continue }
            let source = clause.source.flatMap { expression -> Value? in if case .constant(let v) = expression.kind { return v } else { return nil } }
            try add(s, clause.head.predicate, o, source)
        }
    }

    private func memory() throws -> MemoryFacts {
        let memory = MemoryFacts()
        try eachFact { memory.add($0, $1, $2, source: $3) }
        return memory
    }

    private func evaluator(_ store: StoredFacts) -> Evaluator {
        let rules = Parser.parse(self.rules).statements.compactMap { statement -> Clause? in
            if case .clause(let clause) = statement { return clause } else { return nil }
        }
        var catalog = PredicateCatalog()
        for name in ["member-of", "joined", "published-on"] { catalog.declare(.name(name), arity: 2) }
        for rule in rules { for atom in rule.atoms { catalog.record(atom) } }
        return Evaluator(store: store, catalog: catalog, rules: rules)
    }

    private func query(_ text: String) -> Query {
        guard case .query(let query)? = Parser.parse(text).statements.first else { fatalError("not a query: \(text)") }
        return query
    }

    /// Answers and why-trees through `store` are those of the SQLite knowledge base.
    private func checkAnswersAndWhy(_ store: StoredFacts, file: StaticString = #filePath, line: UInt = #line) throws {
        let kb = try TestStore.newKnowledgeBase()
        try kb.execute(facts + "\n" + rules)
        for text in ["?- ally(armenia, Y).", "?- member-of(X, csto) @ S.", "?- early(X).", "?- ally(X, Y), not member-of(X, cis).",
                     "?- joined(X, Y), Y > 1990.", "?- member-of(X, csto) @ tass.", "?- member-of(russia, O)."] {
            let stored = try kb.query(text)
            let answered = try evaluator(store).answer(query(text))
            XCTAssertEqual(answered.columns, stored.columns, text, file: file, line: line)
            XCTAssertEqual(answered.rows, stored.rows, text, file: file, line: line)
            XCTAssertFalse(answered.rows.isEmpty, text, file: file, line: line)
        }
        // Why: the sources, and what is said of each, come through the same protocol.
        guard case .positive(let fact, nil) = query("?- member-of(armenia, csto).").body[0] else { return XCTFail("not an atom") }
        let why = try evaluator(store).why(fact)
        XCTAssertEqual(why, try kb.why("member-of(armenia, csto)"), file: file, line: line)
        XCTAssertEqual(why.sources.map(\.publishedOn), [["2020-01-01"]], file: file, line: line)
    }

    func testThroughFactsInArrays() throws {
        let memory = try memory()
        try checkAnswersAndWhy(memory)
        // A constant source and a constant object are bound columns of the read.
        XCTAssertTrue(memory.reads.contains("memory: arity 2 with sources bound [1, 2]"), "\(memory.reads)")
    }

    func testThroughAPostgreSQLDatabase() throws {
        let store = try PostgresStore(try TestStore.newPostgresDatabase())
        defer { store.close() }
        try eachFact { s, p, o, source in
            try store.insertFact(predicate: try store.intern(p), arguments: [try store.intern(s), try store.intern(o)],
                                 source: try source.map { try store.intern($0) } ?? TermCode.noTerm)
        }
        try checkAnswersAndWhy(store)
    }
}
