import KGSyntax

/// The answer to a query: column names and distinct rows in a deterministic order.
///
/// Rows are kept as small integers, not values: `terms` holds each distinct term of the answer
/// once, in answer order (`Value.sortOrder`: numbers by value, then dates, strings, names,
/// IRIs...), and `cells` holds each row's terms as indexes into it, row after row. A renderer
/// formats each distinct term once and then writes rows by index; `rows` gives the values.
public struct QueryAnswer: Sendable {
    public var columns: [String]
    /// The distinct terms of the answer, sorted in answer order (so an index is a rank).
    public let terms: [Value]
    /// The rows' terms as indexes into `terms`, `columns.count` to a row.
    public let cells: [UInt32]
    /// How many rows (for a query without variables: 1 when it holds, else 0).
    public let rowCount: Int
    /// What the user may want to know about an answer: a name of the query that appears
    /// nowhere, with the known names nearest to it.
    public var notes: [String] = []

    /// An answer of rows given as values (the REPL's own tables).
    public init(columns: [String], rows: [[Value]]) {
        let distinct = Array(Set(rows.joined())).sorted(by: Value.sortOrder)
        var index: [Value: UInt32] = [:]
        for (i, value) in distinct.enumerated() { index[value] = UInt32(i) }
        self.init(columns: columns, terms: distinct, cells: rows.flatMap { $0.map { index[$0]! } }, rowCount: rows.count)
    }

    /// An answer of rows given as indexes into `terms`, which must be in answer order.
    public init(columns: [String], terms: [Value], cells: [UInt32], rowCount: Int) {
        self.columns = columns
        self.terms = terms
        self.cells = cells
        self.rowCount = rowCount
    }

    /// The answer of a query without variables.
    public init(holds: Bool) {
        self.init(columns: [], terms: [], cells: [], rowCount: holds ? 1 : 0)
    }

    /// For a query without variables: whether it holds.
    public var holds: Bool { rowCount > 0 }

    /// The rows as values.
    public var rows: [[Value]] {
        let width = columns.count
        guard width > 0 else { return Array(repeating: [], count: rowCount) }
        return (0..<rowCount).map { r in (0..<width).map { terms[Int(cells[r * width + $0])] } }
    }
}

extension QueryAnswer: Equatable {
    public static func == (a: QueryAnswer, b: QueryAnswer) -> Bool {
        a.columns == b.columns && a.rowCount == b.rowCount && a.rows == b.rows
    }
}
