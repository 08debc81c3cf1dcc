import Foundation
import KGSyntax

/// Checks that every variable of a rule or query is bound by a positive atom of its body
/// (directly, or through a chain of `X = expression` assignments), that atoms hold only what
/// they may hold, and that built-ins and aggregates are called as they must be.
public enum SafetyCheck {
    /// Every safety error of a clause (rule or fact), in source order.
    public static func check(_ clause: Clause) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        if let builtin = BuiltinPredicate(clause.head.predicate) {
            diagnostics.append(Diagnostic(EngineError.reservedPredicate(builtin.rawValue), at: clause.head.location))
        }
        if clause.head.predicate == ConflictRules.predicate || clause.head.predicate == TextMatch.predicate {
            diagnostics.append(Diagnostic(EngineError.reservedPredicate(clause.head.predicate.sourceText), at: clause.head.location))
        }
        if clause.isFact {
            for argument in clause.head.arguments {
                if case .constant = argument.kind { continue }
                if let v = variableOccurrences(in: argument).first ?? firstAnonymous(in: argument).map({ Occurrence(name: "_", location: $0) }) {
                    diagnostics.append(Diagnostic(EngineError.factNotGround(v.name), at: v.location))
                } else {
                    diagnostics.append(Diagnostic(EngineError.factArgumentNotConstant, at: argument.location))
                }
            }
            return diagnostics
        }
        diagnostics += checkBody(clause.body)
        for argument in clause.head.arguments {
            if case .call(let name, let arguments) = argument.kind, let function = AggregateFunction(rawValue: name) {
                if arguments.count != function.arity {
                    let expected = function.arity == 1 ? "1 argument" : "2 arguments (the value and the key)"
                    diagnostics.append(Diagnostic(EngineError.builtinArity(name, expected: expected, found: arguments.count), at: argument.location))
                }
                diagnostics += arguments.flatMap { checkFunctions($0) }
            } else {
                diagnostics += checkFunctions(argument)
            }
        }
        let name = clause.head.signature
        let bound = boundVariables(of: clause.body)
        for argument in clause.head.arguments {
            if containsAnonymous(argument) {
                diagnostics.append(Diagnostic(EngineError.anonymousInHead, at: argument.location))
            }
            if let v = variableOccurrences(in: argument).first(where: { !bound.contains($0.name) }) {
                diagnostics.append(Diagnostic(EngineError.unsafeVariable(v.name, place: .head, rule: name), at: v.location))
            }
        }
        diagnostics += checkConditions(clause.body, bound: bound, rule: name)
        return diagnostics.sorted { ($0.location.line, $0.location.column) < ($1.location.line, $1.location.column) }
    }

    /// Every safety error of a query.
    public static func check(_ query: Query) -> [Diagnostic] {
        var diagnostics = checkBody(query.body)
        let bound = boundVariables(of: query.body)
        diagnostics += checkConditions(query.body, bound: bound, rule: nil)
        let answer = Set(query.answerVariables)
        for key in query.options.orderBy where !answer.contains(key.variable) {
            diagnostics.append(Diagnostic(EngineError.unknownSortVariable(key.variable), at: key.location))
        }
        return diagnostics.sorted { ($0.location.line, $0.location.column) < ($1.location.line, $1.location.column) }
    }

    // MARK: - Binding

    /// The variables bound by positive atoms (not built-ins), then by assignments `X = e`
    /// whose `e` is bound.
    static func boundVariables(of body: [Literal]) -> Set<String> {
        var bound = Set<String>()
        for literal in body {
            if case .positive(let atom, let source) = literal, BuiltinPredicate(atom.predicate) == nil {
                bound.formUnion(atom.variables)
                if let source { bound.formUnion(source.variables) }
                // `from F until U` binds its ends; `at D` needs D bound elsewhere.
                if case .during(let from, let until)? = atom.time { bound.formUnion(from.variables + until.variables) }
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

    /// Negations, comparisons and built-in tests bind nothing: their variables must be bound.
    private static func checkConditions(_ body: [Literal], bound: Set<String>, rule: String?) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        let place: (UnsafePlace) -> UnsafePlace = { rule == nil ? .query : $0 }
        for literal in body {
            switch literal {
            case .positive(let atom, _):
                if case .at(let day)? = atom.time, let v = variableOccurrences(in: day).first(where: { !bound.contains($0.name) }) {
                    diagnostics.append(Diagnostic(EngineError.unsafeVariable(v.name, place: place(.comparison), rule: rule ?? ""), at: v.location))
                }
                guard BuiltinPredicate(atom.predicate) != nil else { continue }
                let occurrences = atom.arguments.flatMap(variableOccurrences)
                if let v = occurrences.first(where: { !bound.contains($0.name) }) {
                    diagnostics.append(Diagnostic(EngineError.unsafeVariable(v.name, place: place(.builtin), rule: rule ?? ""), at: v.location))
                }
            case .negated(let atom, let source, _):
                let isBuiltin = BuiltinPredicate(atom.predicate) != nil
                for argument in atom.arguments + (atom.time?.expressions ?? []) + (source.map { [$0] } ?? []) {
                    if let v = variableOccurrences(in: argument).first(where: { !bound.contains($0.name) }) {
                        diagnostics.append(Diagnostic(EngineError.unsafeVariable(v.name, place: place(isBuiltin ? .builtin : .negation), rule: rule ?? ""), at: v.location))
                        break
                    }
                }
            case .comparison(let l, _, let r, _):
                let unbound = (variableOccurrences(in: l) + variableOccurrences(in: r)).first { !bound.contains($0.name) }
                if let v = unbound {
                    diagnostics.append(Diagnostic(EngineError.unsafeVariable(v.name, place: place(.comparison), rule: rule ?? ""), at: v.location))
                } else if let anonymous = firstAnonymous(in: l) ?? firstAnonymous(in: r) {
                    diagnostics.append(Diagnostic(EngineError.unsafeVariable("_", place: place(.comparison), rule: rule ?? ""), at: anonymous))
                }
            }
        }
        return diagnostics
    }

    /// Atoms take constants and variables only (built-ins take expressions); built-ins are
    /// called with their number of arguments; function calls name known functions.
    private static func checkBody(_ body: [Literal]) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        for literal in body {
            let atom: Atom
            var source: KGSyntax.Expression?
            switch literal {
            case .positive(let a, let s): atom = a; source = s
            case .negated(let a, let s, _): atom = a; source = s
            case .comparison(let l, _, let r, _):
                diagnostics += checkFunctions(l) + checkFunctions(r)
                continue
            }
            if atom.predicate == TextMatch.predicate {
                diagnostics += TextMatch.check(atom, source: source)
                continue
            }
            if let builtin = BuiltinPredicate(atom.predicate) {
                if atom.arity != builtin.arity {
                    diagnostics.append(Diagnostic(EngineError.builtinArity(builtin.rawValue, expected: "\(builtin.arity) arguments", found: atom.arity), at: atom.location))
                }
                if source != nil {
                    diagnostics.append(Diagnostic(EngineError.sourceOnBuiltin(builtin.rawValue), at: atom.location))
                }
                if atom.time != nil {
                    diagnostics.append(Diagnostic(EngineError.timeOnBuiltin(builtin.rawValue), at: atom.location))
                }
                diagnostics += atom.arguments.flatMap { checkFunctions($0) }
                if builtin == .matches, atom.arity == 2, case .constant(let pattern) = atom.arguments[1].kind {
                    do {
                        _ = try NSRegularExpression(pattern: pattern.lexical)
                    } catch {
                        diagnostics.append(Diagnostic(EngineError.invalidRegex(pattern.lexical, reason: "it does not compile"), at: atom.arguments[1].location))
                    }
                }
                continue
            }
            for day in atom.time?.expressions ?? [] {
                if case .constant(let value) = day.kind, value.kind != .date {
                    diagnostics.append(Diagnostic(EngineError.timeNotADay(value.sourceText), at: day.location))
                }
            }
            for argument in atom.arguments {
                switch argument.kind {
                case .constant, .variable: continue
                default: diagnostics.append(Diagnostic(EngineError.expressionInBodyAtom, at: argument.location))
                }
            }
        }
        return diagnostics
    }

    /// Function calls in an expression name built-in functions, with their number of arguments.
    private static func checkFunctions(_ expression: KGSyntax.Expression) -> [Diagnostic] {
        switch expression.kind {
        case .constant, .variable: return []
        case .unary(_, let e): return checkFunctions(e)
        case .binary(_, let a, let b): return checkFunctions(a) + checkFunctions(b)
        case .call(let name, let arguments):
            let inner = arguments.flatMap(checkFunctions)
            if AggregateFunction(rawValue: name) != nil {
                return [Diagnostic(EngineError.aggregateOutsideHead(name), at: expression.location)] + inner
            }
            guard let function = BuiltinFunction(rawValue: name) else {
                return [Diagnostic(EngineError.unknownFunction(name), at: expression.location)] + inner
            }
            if let arity = function.arity, arity != arguments.count {
                return [Diagnostic(EngineError.builtinArity(name, expected: "\(arity) argument\(arity == 1 ? "" : "s")", found: arguments.count), at: expression.location)] + inner
            }
            if function.arity == nil && arguments.isEmpty {
                return [Diagnostic(EngineError.builtinArity(name, expected: "1 or more arguments", found: 0), at: expression.location)]
            }
            return inner
        }
    }

    // MARK: - Walking expressions

    struct Occurrence {
        let name: String
        let location: SourceLocation
    }

    static func variableOccurrences(in expression: KGSyntax.Expression) -> [Occurrence] {
        switch expression.kind {
        case .constant: return []
        case .variable(let v): return v == "_" ? [] : [Occurrence(name: v, location: expression.location)]
        case .unary(_, let e): return variableOccurrences(in: e)
        case .binary(_, let a, let b): return variableOccurrences(in: a) + variableOccurrences(in: b)
        case .call(_, let args): return args.flatMap(variableOccurrences)
        }
    }

    static func containsAnonymous(_ expression: KGSyntax.Expression) -> Bool {
        firstAnonymous(in: expression) != nil
    }

    private static func firstAnonymous(in expression: KGSyntax.Expression) -> SourceLocation? {
        switch expression.kind {
        case .constant: return nil
        case .variable(let v): return v == "_" ? expression.location : nil
        case .unary(_, let e): return firstAnonymous(in: e)
        case .binary(_, let a, let b): return firstAnonymous(in: a) ?? firstAnonymous(in: b)
        case .call(_, let args): return args.lazy.compactMap(firstAnonymous).first
        }
    }
}
