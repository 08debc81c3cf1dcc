import KGSyntax

/// `atom @ S` on a derived predicate: `S` ranges over the sources of the stored facts that the
/// atom's derivations rest on (any derivation; facts stated without a source add none).
///
/// Implemented by rewriting: `p[sources](A..., S)` holds when a derivation of `p(A...)` uses a
/// stored fact from source `S`. Each rule of `p` gives one rule per positive body atom, that atom
/// supplying `S` (from its own `[sources]` relation, or `@` on a stored predicate); the stored
/// facts of `p` supply theirs directly. An aggregate's group rests on every solution's sources.
public enum SourceTracking {
    public struct Rewrite: Sendable {
        public var rules: [Clause]
        public var query: Query
        public var addedRules: [String]
        public var arities: [Value: Int]
        /// What each predicate the rewrite introduced stands for.
        var introduced: [Value: RewrittenPredicate]
    }

    static func sourcesName(_ predicate: Value) -> Value {
        RewrittenPredicate.sources(predicate).name
    }

    /// The rewritten program, or nil when no body uses `@` on a derived predicate.
    public static func rewrite(_ query: Query, rules: [Clause], arities: [Value: Int]) -> Rewrite? {
        let derived = Set(rules.map(\.head.predicate))
        var needed: [Value] = []
        func collect(_ body: [Literal]) {
            for literal in body {
                switch literal {
                case .positive(let atom, _?), .negated(let atom, _?, _):
                    if derived.contains(atom.predicate) && !needed.contains(atom.predicate) { needed.append(atom.predicate) }
                default: break
                }
            }
        }
        collect(query.body)
        rules.forEach { collect($0.body) }
        guard !needed.isEmpty else { return nil }

        var added: [Clause] = []
        var newArities: [Value: Int] = [:]
        var introduced: [Value: RewrittenPredicate] = [:]
        var done = Set<Value>()
        while let predicate = needed.popLast() {
            guard done.insert(predicate).inserted, let arity = arities[predicate] else { continue }
            let location = rules.first { $0.head.predicate == predicate }?.location ?? query.location
            func variable(_ name: String) -> Expression { Expression(.variable(name), at: location) }
            newArities[sourcesName(predicate)] = arity + 1
            newArities[RewrittenPredicate.stored(predicate).name] = arity
            introduced[sourcesName(predicate)] = .sources(predicate)
            introduced[RewrittenPredicate.stored(predicate).name] = .stored(predicate)
            // The stored facts of the predicate, with their sources.
            let arguments = (0..<arity).map { variable("A\($0)") }
            added.append(clause(Atom(predicate: sourcesName(predicate), arguments: arguments + [variable("Source_")], at: location),
                                [.positive(Atom(predicate: RewrittenPredicate.stored(predicate).name, arguments: arguments, at: location), source: variable("Source_"))],
                                at: location))
            for rule in rules where rule.head.predicate == predicate {
                // An aggregate's head values come from the derived fact itself.
                var head = rule.head.arguments
                var guardAtom: Literal?
                if head.contains(where: { if case .call = $0.kind { return true } else { return false } }) {
                    head = head.enumerated().map { i, argument in
                        if case .call = argument.kind { return variable("Aggregate\(i)_") }
                        return argument
                    }
                    guard head.allSatisfy({ if case .call = $0.kind { return false } else { return true } }),
                          head.allSatisfy({ switch $0.kind { case .variable, .constant: return true; default: return false } }) else { continue }
                    guardAtom = .positive(Atom(predicate: predicate, arguments: head, at: location), source: nil)
                }
                for (i, literal) in rule.body.enumerated() {
                    guard case .positive(let atom, let source) = literal, BuiltinPredicate(atom.predicate) == nil else { continue }
                    var body = rule.body
                    var extra: [Literal] = []
                    let sourceVariable = variable("Source_")
                    if derived.contains(atom.predicate) {
                        body[i] = .positive(Atom(predicate: sourcesName(atom.predicate), arguments: atom.arguments + [sourceVariable], at: atom.location), source: nil)
                        if !done.contains(atom.predicate) && !needed.contains(atom.predicate) { needed.append(atom.predicate) }
                    } else {
                        body[i] = .positive(atom, source: sourceVariable)
                    }
                    if let source { extra.append(.comparison(sourceVariable, .equal, source, location: atom.location)) }
                    added.append(clause(Atom(predicate: sourcesName(predicate), arguments: head + [sourceVariable], at: rule.head.location),
                                        (guardAtom.map { [$0] } ?? []) + body + extra, at: rule.location))
                }
            }
        }
        // Every `@` on a derived predicate now reads its `[sources]` relation.
        func replaced(_ body: [Literal]) -> [Literal] {
            body.map { literal in
                switch literal {
                case .positive(let atom, let source?) where derived.contains(atom.predicate):
                    return .positive(Atom(predicate: sourcesName(atom.predicate), arguments: atom.arguments + [source], at: atom.location), source: nil)
                case .negated(let atom, let source?, let location) where derived.contains(atom.predicate):
                    return .negated(Atom(predicate: sourcesName(atom.predicate), arguments: atom.arguments + [source], at: atom.location),
                                    source: nil, location: location)
                default:
                    return literal
                }
            }
        }
        var newRules = rules.map { rule -> Clause in
            var rule = rule
            rule.body = replaced(rule.body)
            return rule
        }
        newRules += added
        var newQuery = query
        newQuery.body = replaced(query.body)
        return Rewrite(rules: newRules, query: newQuery, addedRules: added.map(\.formatted), arities: newArities, introduced: introduced)
    }

    private static func clause(_ head: Atom, _ body: [Literal], at location: SourceLocation) -> Clause {
        var clause = Clause(head: head, source: nil, body: body, location: location, text: "")
        clause.text = clause.formatted
        return clause
    }
}
