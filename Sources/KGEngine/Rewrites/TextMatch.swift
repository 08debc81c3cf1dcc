import KGSyntax

/// The built-in `text-match(T, "search")` and `text-match(T, "search", Score)`: `T` is every
/// string or name term whose words match the search (`TextSearch`), `Score` its BM25 relevance
/// (a decimal, four places; higher is more relevant).
///
/// Each atom becomes an atom of a relation of its own, `text-match["search"](T, Score)`, that
/// the evaluator loads from the store's text index as it loads stored facts; so the planner
/// joins it like any other relation, and magic sets and negation need nothing special.
public enum TextMatch {
    public static let predicate = Value.name("text-match")

    /// The problems of a `text-match` atom: its number of arguments, a search that is not a
    /// string constant or does not parse, `@` or a time condition on it.
    static func check(_ atom: Atom, source: Expression?) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        guard atom.arity == 2 || atom.arity == 3 else {
            return [Diagnostic(EngineError.builtinArity("text-match", expected: "2 or 3 arguments (the term, the search, and its score)", found: atom.arity), at: atom.location)]
        }
        if source != nil { diagnostics.append(Diagnostic(EngineError.sourceOnBuiltin("text-match"), at: atom.location)) }
        if atom.time != nil { diagnostics.append(Diagnostic(EngineError.timeOnBuiltin("text-match"), at: atom.location)) }
        for argument in atom.arguments {
            switch argument.kind {
            case .constant, .variable: continue
            default: diagnostics.append(Diagnostic(EngineError.expressionInBodyAtom, at: argument.location))
            }
        }
        let search = atom.arguments[1]
        guard case .constant(.string(let text)) = search.kind else {
            if case .constant(let other) = search.kind {
                diagnostics.append(Diagnostic(EngineError.textSearchNotAString(other.sourceText), at: search.location))
            } else if case .variable(let name) = search.kind {
                diagnostics.append(Diagnostic(EngineError.textSearchNotAString(name), at: search.location))
            }
            return diagnostics
        }
        do {
            _ = try TextSearch(parsing: text)
        } catch {
            // The column of the offending character, past the opening quote.
            let at = SourceLocation(line: search.location.line, column: search.location.column + 1 + error.offset)
            diagnostics.append(Diagnostic(EngineError.invalidTextSearch(text, reason: error.message), at: at))
        }
        return diagnostics
    }

    /// The relations `text-match` atoms were made atoms of, by name.
    typealias Introduced = [Value: RewrittenPredicate]

    /// A body with every `text-match` atom made an atom of its search's relation (recorded in
    /// `introduced`). An atom the safety check would refuse is left as it is.
    static func rewrite(_ body: [Literal], introducing introduced: inout Introduced) -> [Literal] {
        func rewritten(_ atom: Atom) -> Atom {
            guard atom.predicate == predicate, atom.arity == 2 || atom.arity == 3,
                  case .constant(.string(let text)) = atom.arguments[1].kind,
                  let search = try? TextSearch(parsing: text) else { return atom }
            let relation = RewrittenPredicate.textMatch(search, text: text)
            introduced[relation.name] = relation
            let score = atom.arity == 3 ? atom.arguments[2] : Expression(.variable("_"), at: atom.location)
            return Atom(predicate: relation.name, arguments: [atom.arguments[0], score], at: atom.location)
        }
        return body.map { literal in
            switch literal {
            case .positive(let atom, let source): return .positive(rewritten(atom), source: source)
            case .negated(let atom, let source, let location): return .negated(rewritten(atom), source: source, location: location)
            case .comparison: return literal
            }
        }
    }

    /// Rules with their `text-match` atoms rewritten (their texts stay as written).
    static func rewrite(_ rules: [Clause], introducing introduced: inout Introduced) -> [Clause] {
        rules.map { rule in
            var rule = rule
            rule.body = rewrite(rule.body, introducing: &introduced)
            return rule
        }
    }
}
