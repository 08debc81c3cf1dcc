import KGSyntax

/// Aggregates in a query, with nothing stored: `?- member-of(X, O) @ s, N = count(X).` counts
/// the values of X for each value of the query's other variables (here O), as a rule would.
///
/// The query is answered through a rule of its own, made for it and never stored:
/// `aggregate[query](O, count(X)) :- member-of(X, O) @ s.`, then
/// `?- aggregate[query](O, N).` with the query's `order by`, `limit` and `offset`. The groups are
/// the query's named variables other than the aggregated ones and the results.
public enum QueryAggregates {
    /// The predicate of the query's own rule (no one can write its name).
    public static let predicate = Value.name("aggregate[query]")

    /// The rule and the query that reads it, or nil when the query has no `V = aggregate(E)`.
    public static func rewrite(_ query: Query) -> (query: Query, rule: Clause)? {
        var results: [(variable: String, call: Expression)] = []
        var rest: [Literal] = []
        for literal in query.body {
            if case .comparison(let l, .equal, let r, _) = literal {
                if case .variable(let v) = l.kind, isAggregate(r) { results.append((v, r)); continue }
                if case .variable(let v) = r.kind, isAggregate(l) { results.append((v, l)); continue }
            }
            rest.append(literal)
        }
        guard !results.isEmpty else { return nil }
        let aggregated = Set(results.flatMap { $0.call.variables })
        let resultNames = Set(results.map(\.variable))
        let groups = query.answerVariables.filter { !aggregated.contains($0) && !resultNames.contains($0) }
        let location = query.location
        func variable(_ name: String) -> Expression { Expression(.variable(name), at: location) }
        var rule = Clause(head: Atom(predicate: predicate, arguments: groups.map(variable) + results.map(\.call), at: location),
                          source: nil, body: rest, location: location, text: "")
        rule.text = rule.formatted
        var rewritten = query
        rewritten.body = [.positive(Atom(predicate: predicate, arguments: (groups + results.map(\.variable)).map(variable), at: location), source: nil)]
        return (rewritten, rule)
    }

    private static func isAggregate(_ expression: Expression) -> Bool {
        // A wrong number of arguments is reported by the rule's safety check.
        guard case .call(let name, _) = expression.kind else { return false }
        return AggregateFunction(rawValue: name) != nil
    }
}
