import KGEngine
import KGStore
import KGSyntax

/// The SQLite store is what the engine reads facts from.
extension Store: StoredFacts {
    public func factsWithPeriods(predicate: Int64, arity: Int, withSources: Bool) throws -> [Int64] {
        try factsWithPeriodRows(predicate: predicate, arity: arity, withSources: withSources)
    }

    public func describeRead(predicate: Int64, arity: Int, withSources: Bool, bound: [Int: Int64]) -> String {
        let parameters = ["?1 = \(predicate)"] + bound.sorted { $0.key < $1.key }.map { "?\($0.key + 2) = \($0.value)" }
        return Store.scanSQL(arity: arity, withSources: withSources, boundColumns: Set(bound.keys)) + " [\(parameters.joined(separator: ", "))]"
    }
}
