import KGLog
import KGSyntax

/// A query's answer as the tests compare it: a row a line, values as kglog writes them, joined
/// by ", "; a query without variables is `["true"]` or `["false"]`.
public func rows(_ kb: KnowledgeBase, _ query: String) throws -> [String] {
    let answer = try kb.query(query)
    if answer.columns.isEmpty { return [answer.holds ? "true" : "false"] }
    return answer.rows.map { $0.map(\.sourceText).joined(separator: ", ") }
}

/// An error as a user sees it: a report rendered with its positions, anything else described.
public func rendered(_ error: Error) -> String {
    (error as? DiagnosticReport)?.rendered() ?? "\(error)"
}
