import KGSyntax

/// The built-in predicate `conflict(P, S, V1, V2)`: the functional predicate `P` gives the
/// subject `S` both `V1` and `V2` (two different values, each order once).
///
/// It is defined by rules made from the knowledge base's declarations, never stored: for
/// `functional held-in/2.`,
/// `conflict(held-in, S, V1, V2) :- held-in(S, V1), held-in(S, V2), V1 != V2.`
/// so it is evaluated, explained (`why`) and compiled to SQL like any rule. It covers the
/// binary functional predicates; `kglog conflicts` lists those of every arity.
public enum ConflictRules {
    public static let predicate = Value.name("conflict")
    public static let arity = 4

    /// The rules that define `conflict` for the binary predicates among `declarations`.
    public static func rules(for declarations: [FunctionalDeclaration]) -> [Clause] {
        declarations.filter { $0.arity == 2 }.compactMap { declaration in
            let p = declaration.predicate.sourceText
            let text = "conflict(\(p), S, V1, V2) :- \(p)(S, V1), \(p)(S, V2), V1 != V2."
            guard case .clause(let rule)? = Parser.parse(text, prefixes: [:]).statements.first else { return nil }
            return rule
        }
    }

    /// For a functional predicate of any arity, a rule that finds its disagreements (the other
    /// arguments `A1`..., a value `V` and another `W`), never stored, and the query that reads
    /// it. As a rule, it carries periods: two values with periods disagree only when their
    /// periods meet.
    public static func pairs(for declaration: FunctionalDeclaration) -> (rule: Clause, query: Query)? {
        guard let values = query(for: declaration, withSources: false) else { return nil }
        let location = declaration.location
        let others = (1..<declaration.arity).map { "A\($0)" }
        let head = Atom(predicate: .name("conflict[\(declaration.signature)]"),
                        arguments: (others + ["V", "W"]).map { Expression(.variable($0), at: location) }, at: location)
        var rule = Clause(head: head, source: nil, body: values.body, location: location, text: "")
        rule.text = rule.formatted
        return (rule, Query(body: [.positive(head, source: nil)], location: location, text: "?- \(head.sourceText)."))
    }

    /// The query that finds the disagreements of a functional predicate of any arity: the other
    /// arguments `A1`..., a value `V` with its source `S` (with `withSources`), and another
    /// value `W` for the same other arguments.
    public static func query(for declaration: FunctionalDeclaration, withSources: Bool) -> Query? {
        let p = declaration.predicate.sourceText
        let others = (1..<declaration.arity).map { "A\($0)" }
        func atom(_ value: String) -> String { "\(p)(\((others + [value]).joined(separator: ", ")))" }
        let text = "?- \(atom("V"))\(withSources ? " @ S" : ""), \(atom("W")), V != W."
        guard case .query(let query)? = Parser.parse(text, prefixes: [:]).statements.first else { return nil }
        return query
    }
}
