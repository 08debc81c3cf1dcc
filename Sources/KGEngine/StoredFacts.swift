import KGSyntax

/// What the engine reads of a knowledge base: its terms and its stored facts, by predicate id.
///
/// The engine knows no database. The SQLite store is one implementation (its conformance is in
/// KGLog, which joins the two); a store on another database is another. Ids are `TermCode`'s
/// everywhere: inline values carry theirs, and only dictionary ids need the store.
public protocol StoredFacts: AnyObject {
    /// The id of a value that stored facts may hold: its inline id, or its dictionary id when
    /// the dictionary has it; nil when no stored fact can hold it.
    func termID(for value: Value) throws -> Int64?

    /// The value of an id; an id the dictionary does not have is an error.
    func value(of id: Int64) throws -> Value

    /// The kind and text of each of `ids` (sorted, distinct), in id order; an id with no term is
    /// passed over.
    func forEachTerm(ids: [Int64], _ body: (Int64, Int, String) throws -> Void) throws

    /// The arguments of every stored fact of a predicate, each fact once, packed row after row
    /// (`arity` ids a row; with `withSources`, one more, the source, and one row per source,
    /// facts without a source left out). `bound` keeps only facts with these ids at these
    /// columns (with sources, column `arity` is the source).
    func facts(predicate: Int64, arity: Int, withSources: Bool, bound: [Int: Int64]) throws -> [Int64]

    /// Calls `body` with a large binary predicate's distinct pairs packed as little-endian ids
    /// (subject, object, subject, ...), in one or more buffers; false when the store keeps no
    /// such copy of the predicate (then `facts` reads it).
    func withCachedFacts(predicate: Int64, _ body: (UnsafeRawBufferPointer) throws -> Void) throws -> Bool

    /// The number of stored rows (facts with their sources) of a predicate.
    func factCount(predicate: Int64, arity: Int) throws -> Int

    /// The sources a stored fact was asserted by (`TermCode.noTerm` for a statement without one).
    func sources(ofFact predicate: Int64, arguments: [Int64]) throws -> [Int64]

    /// The predicates some of whose stored facts have periods (`from ... until ...`).
    func predicatesWithPeriods() throws -> Set<Int64>

    /// Every stored fact of a predicate with a period it holds in, packed row after row:
    /// `arity` ids, the start and end (date ids; a fact stated without a period holds from
    /// `Period.openStartID` until `Period.openEndID`), and with `withSources` the source (facts
    /// without one left out). One row per fact, period and (with sources) source. `bound` keeps
    /// only rows with these ids at these columns (as `facts`; with sources, column `arity`
    /// is the source).
    func factsWithPeriods(predicate: Int64, arity: Int, withSources: Bool, bound: [Int: Int64]) throws -> [Int64]

    /// The periods a stored fact holds in from one source (none: at all times).
    func periods(ofFact predicate: Int64, arguments: [Int64], source: Int64) throws -> [(from: Int64, until: Int64)]

    /// The string and name terms whose words match a search (`text-match`), each with its
    /// BM25 relevance (higher is more relevant), in any order.
    func textMatches(_ search: TextSearch) throws -> [(term: Int64, score: Double)]

    /// How `facts` reads a predicate, for `--explain`: for a database, its query and the values
    /// of its parameters.
    func describeRead(predicate: Int64, arity: Int, withSources: Bool, bound: [Int: Int64]) -> String
}

extension StoredFacts {
    public func facts(predicate: Int64, arity: Int, withSources: Bool = false, bound: [Int: Int64] = [:]) throws -> [Int64] {
        try facts(predicate: predicate, arity: arity, withSources: withSources, bound: bound)
    }
}
