import KGEngine
import KGSyntax

// MARK: - One term's facts

extension KnowledgeBase {
    /// A stored fact a term is in, with its sources.
    public struct EntityFact: Sendable, Equatable {
        public var predicate: Value
        public var arguments: [Value]
        /// The sources that state it, in answer order; empty when stated without one only.
        public var sources: [Value]
        /// Whether it is also stated without a source.
        public var storedWithoutSource: Bool
    }

    /// The stored facts a term is in: binary facts it is the subject of (going out), those it
    /// is the object of (coming in), and facts of other arities it is an argument of; each
    /// with its sources, in answer order, at most `limit` of each kind. Binary facts are found
    /// through the store's indexes, without reading a predicate whole.
    public func facts(about term: Value, limit: Int = 1000) throws -> (outgoing: [EntityFact], incoming: [EntityFact], other: [EntityFact]) {
        guard let id = try store.termID(for: term) else { return ([], [], []) }
        var outgoing: [EntityFact] = [], incoming: [EntityFact] = [], other: [EntityFact] = []
        let decode = TermDecoder(store: store).value
        func fact(_ predicate: Value, _ predicateID: Int64, _ arguments: [Int64]) throws -> EntityFact {
            let sources = try store.sources(ofFact: predicateID, arguments: arguments)
            return EntityFact(predicate: predicate, arguments: try arguments.map(decode),
                              sources: try sources.filter { $0 != TermCode.noTerm }.map(decode).sorted(by: Value.sortOrder),
                              storedWithoutSource: sources.contains(TermCode.noTerm))
        }
        for (predicate, arity) in catalog.arities.sorted(by: { Value.sortOrder($0.key, $1.key) }) {
            guard let predicateID = try store.termID(for: predicate) else { continue }
            if arity == 2 {
                for column in [0, 1] {
                    let rows = try store.facts(predicate: predicateID, arity: 2, withSources: false, bound: [column: id])
                    var found: [EntityFact] = []
                    for start in stride(from: 0, to: rows.count, by: 2) where found.count < limit {
                        found.append(try fact(predicate, predicateID, [rows[start], rows[start + 1]]))
                    }
                    // In answer order of the other argument.
                    found.sort { Value.sortOrder($0.arguments[1 - column], $1.arguments[1 - column]) }
                    if column == 0 { outgoing += found.prefix(limit - outgoing.count) } else { incoming += found.prefix(limit - incoming.count) }
                }
            } else if arity > 0 {
                var seen = Set<[Int64]>()
                for column in 0..<arity where other.count < limit {
                    let rows = try store.facts(predicate: predicateID, arity: arity, withSources: false, bound: [column: id])
                    for start in stride(from: 0, to: rows.count, by: arity) where other.count < limit {
                        let arguments = Array(rows[start..<(start + arity)])
                        if seen.insert(arguments).inserted { other.append(try fact(predicate, predicateID, arguments)) }
                    }
                }
            }
        }
        return (outgoing, incoming, other)
    }
}
