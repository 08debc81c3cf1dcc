import KGEngine
import KGPostgres

/// A knowledge base on a PostgreSQL server is read by the engine as the SQLite file is: its
/// relations are brought into the in-memory engine (evaluation on the client). The server
/// keeps no packed copies of predicates.
extension PostgresStore: StoredFacts {
    public func withCachedFacts(predicate: Int64, _ body: (UnsafeRawBufferPointer) throws -> Void) throws -> Bool {
        false
    }

    public func describeRead(arity: Int, withSources: Bool, boundColumns: Set<Int>) -> String {
        PostgresStore.readSQL(arity: arity, withSources: withSources, boundColumns: boundColumns)
    }
}
