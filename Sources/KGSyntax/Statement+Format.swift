// MARK: - Canonical source text

/// Statements written back as kglog source, for rules that a rewrite produced and for `.explain`.
extension Atom {
    public var sourceText: String {
        arguments.isEmpty ? predicate.sourceText
            : "\(predicate.sourceText)(\(arguments.map(\.formatted).joined(separator: ", ")))"
    }
}

extension Literal {
    public var sourceText: String {
        switch self {
        case .positive(let atom, let source):
            return atom.sourceText + (atom.time.map { " " + $0.sourceText } ?? "") + (source.map { " @ \($0.formatted)" } ?? "")
        case .negated(let atom, let source, _):
            return "not " + atom.sourceText + (atom.time.map { " " + $0.sourceText } ?? "") + (source.map { " @ \($0.formatted)" } ?? "")
        case .comparison(let l, let op, let r, _):
            return "\(l.formatted) \(op.rawValue) \(r.formatted)"
        }
    }
}

extension Clause {
    /// The clause as source text: `head :- body.` or `head.`
    public var formatted: String {
        let head = self.head.sourceText + (period.map { " " + $0.sourceText } ?? "") + (source.map { " @ \($0.formatted)" } ?? "")
        return body.isEmpty ? head + "." : "\(head) :- \(body.map(\.sourceText).joined(separator: ", "))."
    }
}

extension Expression {
    /// Source text with parentheses only where precedence needs them.
    public var formatted: String {
        switch kind {
        case .binary(let op, let a, let b):
            let precedence = op == .add || op == .subtract ? 1 : 2
            func side(_ e: Expression, right: Bool) -> String {
                guard case .binary(let inner, _, _) = e.kind else { return e.formatted }
                let innerPrecedence = inner == .add || inner == .subtract ? 1 : 2
                let needs = innerPrecedence < precedence || (right && innerPrecedence == precedence)
                return needs ? "(\(e.formatted))" : e.formatted
            }
            return "\(side(a, right: false)) \(op.rawValue) \(side(b, right: true))"
        case .unary(let op, let e):
            if case .binary = e.kind { return "\(op.rawValue)(\(e.formatted))" }
            return "\(op.rawValue)\(e.formatted)"
        case .call(let name, let args):
            return "\(name)(\(args.map(\.formatted).joined(separator: ", ")))"
        default:
            return sourceText
        }
    }
}
