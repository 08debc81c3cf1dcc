import KGEngine
import KGStore
import KGSyntax

/// The SQLite store is what the engine reads facts from.
extension Store: StoredFacts {
    public func factsWithPeriods(predicate: Int64, arity: Int, withSources: Bool, bound: [Int: Int64]) throws -> [Int64] {
        // Binary facts are joined to their periods in SQL; others are put together here.
        guard arity == 2 else { return try factsWithPeriodRows(predicate: predicate, arity: arity, withSources: withSources, bound: bound) }
        return try binaryFactsWithPeriods(predicate: predicate, withSources: withSources, bound: withSources ? bound : bound.filter { $0.key < 2 })
    }

    public func describeRead(predicate: Int64, arity: Int, withSources: Bool, bound: [Int: Int64]) -> String {
        let parameters = ["?1 = \(predicate)"] + bound.sorted { $0.key < $1.key }.map { "?\($0.key + 2) = \($0.value)" }
        return Store.scanSQL(arity: arity, withSources: withSources, boundColumns: Set(bound.keys)) + " [\(parameters.joined(separator: ", "))]"
    }
}
