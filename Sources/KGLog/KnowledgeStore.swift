import KGEngine
import KGPostgres
import KGStore
import KGSyntax

/// Everything a knowledge base keeps, as `KnowledgeBase` reads and writes it: terms, facts with
/// their sources, predicates' arities, rules and prefixes, in transactions.
///
/// The SQLite `Store` (a file) is one; `PostgresStore` (a database on a server) is the other.
/// Ids are `TermCode`'s everywhere; `StoredFacts` is the part the engine reads.
public protocol KnowledgeStore: StoredFacts {
    /// Where the knowledge base is: a file's path, a database's connection string (without
    /// its password).
    var path: String { get }
    var isReadOnly: Bool { get }
    /// Whether other processes write at the same time and may make a transaction fail for
    /// reasons of their own (a deadlock), so that running it again is worth it.
    var hasConcurrentWriters: Bool { get }
    func close()

    /// Runs `body` in one transaction (a savepoint inside another): all of it or none of it.
    func transaction<T>(_ body: () throws -> T) throws -> T
    /// A large load: whatever makes it faster where it runs (SQLite: a direct write into a new
    /// file, a larger page cache, indexes built once at the end). `body` runs in any case.
    func withDirectWrites<T>(when: Bool, _ body: () throws -> T) throws -> T
    func bulkLoad<T>(when: Bool, _ body: () throws -> T) throws -> T
    /// Builds what a bulk load leaves to build at its end (SQLite: the packed copies).
    func refreshFactCaches() throws
    /// Indexes the words of the terms added so far in the open transaction (SQLite; each
    /// commit does it anyway, and PostgreSQL when it adds them): a bulk load calls it between
    /// batches, while the next one is read.
    func indexNewTerms() throws

    // Terms
    func intern(_ value: Value) throws -> Int64
    func nextTermID() throws -> Int64
    /// Adds terms in bulk and returns their ids in the list's order (`allNew`: none is stored yet).
    func addTerms(_ terms: TermList, allNew: Bool) throws -> [Int64]
    /// The texts of terms of one kind starting with `prefix`, in order, at most `limit`.
    func termTexts(kind: Int, startingWith prefix: String, limit: Int) throws -> [String]

    // Predicates, rules, prefixes
    func predicateArities() throws -> [Int64: Int]
    func recordPredicate(_ predicate: Int64, arity: Int) throws
    func rules() throws -> [(id: Int64, text: String)]
    @discardableResult func addRule(text: String) throws -> Int64
    func removeRule(id: Int64) throws
    func prefixes() throws -> [String: String]
    func setPrefix(_ name: String, iri: String) throws
    /// The texts of the stored declarations (`functional held-in/2.`), in the order they came.
    func declarations() throws -> [String]
    /// Keeps a declaration's text; false when it was kept already.
    func addDeclaration(_ text: String) throws -> Bool
    /// Removes a declaration's text; false when it was not kept.
    func removeDeclaration(_ text: String) throws -> Bool

    // Facts
    /// Stores a fact from a source (`TermCode.noTerm` for none); false when it was there.
    func insertFact(predicate: Int64, arguments: [Int64], source: Int64) throws -> Bool
    /// Every binary fact, ordered by source (with `bySource`, else each fact once with source
    /// 0), subject, predicate and object; read as a stream, never held.
    func forEachBinaryFact(bySource: Bool, _ body: (_ source: Int64, _ subject: Int64, _ predicate: Int64, _ object: Int64) throws -> Void) throws
    /// Adds binary facts in bulk; returns how many were new.
    func addQuads(_ rows: [QuadRow]) throws -> Int
    /// Adds binary facts in bulk; says for each row whether it was new (the first of equal rows).
    func addQuadsTellingWhichAreNew(_ rows: [QuadRow]) throws -> [Bool]
    /// Adds facts of other arities in bulk; returns how many were new.
    func addTuples(_ rows: [TupleRow]) throws -> Int
    /// Removes a fact from one source, or from all when `source` is nil; returns the rows removed.
    func deleteFact(predicate: Int64, arguments: [Int64], source: Int64?) throws -> Int
    /// Removes every fact a source asserted; returns the rows removed.
    func deleteFacts(source: Int64) throws -> Int
    /// Records that a stored fact holds from `source` in a period (date ids); false when known.
    func addPeriod(predicate: Int64, arguments: [Int64], source: Int64, from: Int64, until: Int64) throws -> Bool
    /// The periods of a fact from one source (none: it holds at all times).
    func periods(ofFact predicate: Int64, arguments: [Int64], source: Int64) throws -> [(from: Int64, until: Int64)]
    /// Removes the periods of a fact (from one source or all; one period or all); how many went.
    func deletePeriods(predicate: Int64, arguments: [Int64], source: Int64?, period: (from: Int64, until: Int64)?) throws -> Int
    /// Every period row of a predicate: arguments, source, ends.
    func periodRows(predicate: Int64, arity: Int) throws -> [(arguments: [Int64], source: Int64, from: Int64, until: Int64)]
    /// Every stored row of a predicate with its source, ordered by arguments then source.
    func forEachFactRow(predicate: Int64, arity: Int, _ body: ([Int64], Int64) throws -> Void) throws
    /// The number of distinct facts of a predicate (a fact from two sources counts once).
    func distinctFactCount(predicate: Int64, arity: Int) throws -> Int
    /// Every source with the number of fact rows it asserted, most first, then by id.
    func sourceCounts() throws -> [(source: Int64, facts: Int)]
    /// Removes terms no fact uses and gives space back: how many terms went, and the size in
    /// bytes before and after.
    func compact() throws -> (removedTerms: Int, bytesBefore: Int64, bytesAfter: Int64)
    /// Checks the store's own structures: "ok" when they are sound, else what is wrong.
    func integrityCheck() throws -> String

    // Record time (the history of changes)
    /// What the next write transaction is, as the history will say: a file, an import, statements.
    var changeDescription: String { get set }
    /// Who the next write transaction is by, as the history will say.
    var changeAuthor: String { get set }
    /// The last change recorded at or before a moment (milliseconds since 1970, UTC); nil when
    /// the history begins after it.
    func change(atOrBefore moment: Int64) throws -> Int64?
    /// The first change the history remembers.
    func firstChange() throws -> ChangeRecord?
    /// The changes after change `after`, oldest first.
    func changes(after: Int64) throws -> [ChangeRecord]
    /// A predicate's fact rows as they stood after a change, packed (the arguments, then the
    /// source), ordered by arguments, then source.
    func factRows(predicate: Int64, arity: Int, asOf change: Int64) throws -> [Int64]
    /// A predicate's period rows as they stood after a change, packed (the arguments, the
    /// source, the start, the end).
    func periodRows(predicate: Int64, arity: Int, asOf change: Int64) throws -> [Int64]
    /// The rules (`kind` "rule") or declarations ("declaration") as they stood after a change.
    func texts(_ kind: String, asOf change: Int64) throws -> [String]
    /// The additions and retractions of fact and period rows: of one fact, one predicate or
    /// all; only those after change `after` when given.
    func history(predicate: Int64?, arguments: [Int64]?, after: Int64?) throws -> [HistoryRow]
    /// The additions and retractions of rules and declarations after change `after`.
    func textHistory(after: Int64?) throws -> [TextHistoryRow]
    /// Forgets the changes before `change` and the rows retracted at or before it.
    func forgetHistory(before change: Int64) throws -> (changes: Int, rows: Int)
}

extension KnowledgeStore {
    func withDirectWrites<T>(_ body: () throws -> T) throws -> T { try withDirectWrites(when: true, body) }
    func bulkLoad<T>(_ body: () throws -> T) throws -> T { try bulkLoad(when: true, body) }

    /// Every stored row of a predicate with its source, ordered by arguments then source.
    func factRows(predicate: Int64, arity: Int) throws -> [(arguments: [Int64], source: Int64)] {
        var rows: [([Int64], Int64)] = []
        try forEachFactRow(predicate: predicate, arity: arity) { rows.append(($0, $1)) }
        return rows
    }

    /// `StoredFacts.factsWithPeriods`, from the fact rows and their period rows.
    func factsWithPeriodRows(predicate: Int64, arity: Int, withSources: Bool, bound: [Int: Int64]) throws -> [Int64] {
        try joiningPeriods(factRows: factRows(predicate: predicate, arity: arity), periodRows: periodRows(predicate: predicate, arity: arity),
                           arity: arity, withSources: withSources, bound: bound)
    }
}

/// `StoredFacts.factsWithPeriods` from a predicate's fact rows (ordered by arguments, then
/// source) and its period rows: a row per fact, period and (with sources) source.
func joiningPeriods(factRows: [(arguments: [Int64], source: Int64)], periodRows: [(arguments: [Int64], source: Int64, from: Int64, until: Int64)],
                    arity: Int, withSources: Bool, bound: [Int: Int64]) -> [Int64] {
    var periods: [[Int64]: [(from: Int64, until: Int64)]] = [:]
    for row in periodRows { periods[row.arguments + [row.source], default: []].append((row.from, row.until)) }
    var result: [Int64] = []
    var seen = Set<[Int64]>()
    for (arguments, source) in factRows {
        if withSources && source == TermCode.noTerm { continue }
        guard bound.allSatisfy({ $0.key < arity ? arguments[$0.key] == $0.value : withSources && source == $0.value }) else { continue }
        for period in periods[arguments + [source]] ?? [(Period.openStartID, Period.openEndID)] {
            var row = arguments + [period.from, period.until]
            if withSources { row.append(source) } else if !seen.insert(row).inserted { continue }
            result += row
        }
    }
    return result
}

extension Store: KnowledgeStore {
    /// SQLite lets one writer at a time in; the others wait (busy timeout).
    public var hasConcurrentWriters: Bool { false }
}

/// Opens the store a knowledge base's location names: a PostgreSQL connection URI
/// (`postgresql://...` or `postgres://...`), else a SQLite file (`:memory:` for one in memory).
func openStore(_ location: String, readOnly: Bool) throws -> any KnowledgeStore {
    if location.hasPrefix("postgresql://") || location.hasPrefix("postgres://") {
        return try PostgresStore(location, readOnly: readOnly)
    }
    return try Store(path: location, readOnly: readOnly)
}
