import KGSyntax

/// Checks that every variable of a rule or query is bound by a positive atom of its body
/// (directly, or through a chain of `X = expression` assignments), and that atoms hold only
/// what they may hold.
public enum SafetyCheck {
    /// Every safety error of a clause (rule or fact), in source order.
    public static func check(_ clause: Clause) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        let name = clause.head.signature
        if clause.isFact {
            for argument in clause.head.arguments {
                if let v = firstVariable(in: argument) {
                    diagnostics.append(Diagnostic(EngineError.factNotGround(v.name), at: v.location))
                } else if case .constant = argument.kind {
                } else if case .unary(.subtract, let inner) = argument.kind, case .constant(let c) = inner.kind, c.isNumber {
                } else {
                    diagnostics.append(Diagnostic(EngineError.factArgumentNotConstant, at: argument.location))
                }
            }
            return diagnostics
        }
        diagnostics += checkAtomArguments(clause.body)
        diagnostics += clause.head.arguments.flatMap(checkFunctions)
        let bound = boundVariables(of: clause.body)
        for argument in clause.head.arguments {
            if containsAnonymous(argument) {
                diagnostics.append(Diagnostic(EngineError.anonymousInHead, at: argument.location))
            }
            for v in variableOccurrences(in: argument) where !bound.contains(v.name) {
                diagnostics.append(Diagnostic(EngineError.unsafeVariable(v.name, place: .head, rule: name), at: v.location))
                break
            }
        }
        diagnostics += checkConditions(clause.body, bound: bound, rule: name)
        for case .comparison(let l, _, let r, _) in clause.body { diagnostics += checkFunctions(l) + checkFunctions(r) }
        return diagnostics
    }

    /// Every safety error of a query.
    public static func check(_ query: Query) -> [Diagnostic] {
        var diagnostics = checkAtomArguments(query.body)
        for case .comparison(let l, _, let r, _) in query.body { diagnostics += checkFunctions(l) + checkFunctions(r) }
        let bound = boundVariables(of: query.body)
        diagnostics += checkConditions(query.body, bound: bound, rule: nil)
        return diagnostics
    }

    // MARK: - Binding

    /// The variables bound by positive atoms, then by assignments `X = e` whose `e` is bound.
    static func boundVariables(of body: [Literal]) -> Set<String> {
        var bound = Set<String>()
        for literal in body {
            if case .positive(let atom, let source) = literal {
                bound.formUnion(atom.variables)
                if let source { bound.formUnion(source.variables) }
            }
        }
        var changed = true
        while changed {
            changed = false
            for literal in body {
                guard case .comparison(let l, .equal, let r, _) = literal else { continue }
                for (target, expression) in [(l, r), (r, l)] {
                    if case .variable(let v) = target.kind, v != "_", !bound.contains(v),
                       expression.variables.allSatisfy(bound.contains), !containsAnonymous(expression) {
                        bound.insert(v)
                        changed = true
                    }
                }
            }
        }
        return bound
    }

    private static func checkConditions(_ body: [Literal], bound: Set<String>, rule: String?) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        for literal in body {
            switch literal {
            case .positive:
                continue
            case .negated(let atom, _):
                for argument in atom.arguments {
                    if let v = variableOccurrences(in: argument).first(where: { !bound.contains($0.name) }) {
                        let place: UnsafePlace = rule == nil ? .query : .negation
                        diagnostics.append(Diagnostic(EngineError.unsafeVariable(v.name, place: place, rule: rule ?? ""), at: v.location))
                        break
                    }
                }
            case .comparison(let l, _, let r, _):
                let unbound = (variableOccurrences(in: l) + variableOccurrences(in: r)).first { !bound.contains($0.name) }
                if let v = unbound {
                    let place: UnsafePlace = rule == nil ? .query : .comparison
                    diagnostics.append(Diagnostic(EngineError.unsafeVariable(v.name, place: place, rule: rule ?? ""), at: v.location))
                } else if let anonymous = firstAnonymous(in: l) ?? firstAnonymous(in: r) {
                    let place: UnsafePlace = rule == nil ? .query : .comparison
                    diagnostics.append(Diagnostic(EngineError.unsafeVariable("_", place: place, rule: rule ?? ""), at: anonymous))
                }
            }
        }
        return diagnostics
    }

    /// Function calls name a known function.
    private static func checkFunctions(_ expression: Expression) -> [Diagnostic] {
        switch expression.kind {
        case .constant, .variable: return []
        case .unary(_, let e): return checkFunctions(e)
        case .binary(_, let a, let b): return checkFunctions(a) + checkFunctions(b)
        case .call(let name, _): return [Diagnostic(EngineError.unknownFunction(name), at: expression.location)]
        }
    }

    /// Body atoms take constants and variables only.
    private static func checkAtomArguments(_ body: [Literal]) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        for literal in body {
            let atom: Atom
            switch literal {
            case .positive(let a, _), .negated(let a, _): atom = a
            case .comparison: continue
            }
            for argument in atom.arguments {
                switch argument.kind {
                case .constant, .variable: continue
                case .unary(.subtract, let inner):
                    if case .constant(let c) = inner.kind, c.isNumber { continue }
                    diagnostics.append(Diagnostic(EngineError.expressionInBodyAtom, at: argument.location))
                default:
                    diagnostics.append(Diagnostic(EngineError.expressionInBodyAtom, at: argument.location))
                }
            }
        }
        return diagnostics
    }

    // MARK: - Walking expressions

    struct Occurrence {
        let name: String
        let location: SourceLocation
    }

    static func variableOccurrences(in expression: Expression) -> [Occurrence] {
        switch expression.kind {
        case .constant: return []
        case .variable(let v): return v == "_" ? [] : [Occurrence(name: v, location: expression.location)]
        case .unary(_, let e): return variableOccurrences(in: e)
        case .binary(_, let a, let b): return variableOccurrences(in: a) + variableOccurrences(in: b)
        case .call(_, let args): return args.flatMap(variableOccurrences)
        }
    }

    private static func firstVariable(in expression: Expression) -> Occurrence? {
        if case .variable(let v) = expression.kind { return Occurrence(name: v, location: expression.location) }
        return variableOccurrences(in: expression).first
    }

    static func containsAnonymous(_ expression: Expression) -> Bool {
        firstAnonymous(in: expression) != nil
    }

    private static func firstAnonymous(in expression: Expression) -> SourceLocation? {
        switch expression.kind {
        case .constant: return nil
        case .variable(let v): return v == "_" ? expression.location : nil
        case .unary(_, let e): return firstAnonymous(in: e)
        case .binary(_, let a, let b): return firstAnonymous(in: a) ?? firstAnonymous(in: b)
        case .call(_, let args): return args.lazy.compactMap(firstAnonymous).first
        }
    }
}
