import KGEngine
import KGStore

/// The SQLite store is what the engine reads facts from.
extension Store: StoredFacts {
    public func describeRead(arity: Int, withSources: Bool, boundColumns: Set<Int>) -> String {
        Store.scanSQL(arity: arity, withSources: withSources, boundColumns: boundColumns)
    }
}
