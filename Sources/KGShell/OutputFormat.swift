/// How answers are printed.
public enum OutputFormat: String, CaseIterable, Sendable {
    /// Aligned columns with a header and a row count, for people.
    case table
    /// Tab-separated plain lexical values with a header line.
    case tsv
    /// Comma-separated values, RFC 4180 quoting, with a header line.
    case csv
    /// One JSON object per query, each value with its kind: `{"value": 42, "kind": "integer"}`.
    case json
}
