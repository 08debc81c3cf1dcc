import KGSyntax

/// What the knowledge base says of a source: the objects of its `reported-by`, `published-by`
/// and `published-on` facts, each list in answer order. `why` and the list of sources show it.
public struct SourceDescription: Sendable, Equatable {
    public var reportedBy: [Value] = []
    public var publishedBy: [Value] = []
    public var publishedOn: [Value] = []

    public init(reportedBy: [Value] = [], publishedBy: [Value] = [], publishedOn: [Value] = []) {
        self.reportedBy = reportedBy
        self.publishedBy = publishedBy
        self.publishedOn = publishedOn
    }

    /// Reads the description of the source with id `source` (predicates the catalog does not
    /// know as binary say nothing).
    public init(of source: Int64, in store: StoredFacts, catalog: PredicateCatalog) throws {
        func objects(_ name: String) throws -> [Value] {
            guard catalog.arity(of: .name(name)) == 2, let predicate = try store.termID(for: .name(name)) else { return [] }
            let rows = try store.facts(predicate: predicate, arity: 2, bound: [0: source])
            return try stride(from: 1, to: rows.count, by: 2).map { try store.value(of: rows[$0]) }.sorted(by: Value.sortOrder)
        }
        reportedBy = try objects("reported-by")
        publishedBy = try objects("published-by")
        publishedOn = try objects("published-on")
    }

    /// The order sources are listed in: earliest publication first, undated sources after,
    /// ties by the sources' names.
    public static func precedes(_ a: (source: Value, description: SourceDescription), _ b: (source: Value, description: SourceDescription)) -> Bool {
        switch (a.description.publishedOn.first, b.description.publishedOn.first) {
        case let (x?, y?) where x != y: return Value.sortOrder(x, y)
        case (_?, nil): return true
        case (nil, _?): return false
        default: return Value.sortOrder(a.source, b.source)
        }
    }
}
