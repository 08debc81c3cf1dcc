/// Replacing variables by values: an explanation shows a rule's literals with the values of one
/// of its solutions, and asks about a rule's body with a fact's values put in.
extension Expression {
    /// The expression with each variable `binding` names replaced by its value.
    public func substituting(_ binding: [String: Value]) -> Expression {
        var copy = self
        switch kind {
        case .variable(let name): if let v = binding[name] { copy.kind = .constant(v) }
        case .unary(let op, let e): copy.kind = .unary(op, e.substituting(binding))
        case .binary(let op, let a, let b): copy.kind = .binary(op, a.substituting(binding), b.substituting(binding))
        case .call(let name, let arguments): copy.kind = .call(name, arguments.map { $0.substituting(binding) })
        case .constant: break
        }
        return copy
    }
}

extension Atom {
    public func substituting(_ binding: [String: Value]) -> Atom {
        Atom(predicate: predicate, arguments: arguments.map { $0.substituting(binding) }, at: location)
    }
}

extension Literal {
    /// The literal with each variable `binding` names replaced by its value (its source too).
    public func substituting(_ binding: [String: Value]) -> Literal {
        switch self {
        case .positive(let atom, let source): return .positive(atom.substituting(binding), source: source?.substituting(binding))
        case .negated(let atom, let source, let location):
            return .negated(atom.substituting(binding), source: source?.substituting(binding), location: location)
        case .comparison(let l, let op, let r, let location):
            return .comparison(l.substituting(binding), op, r.substituting(binding), location: location)
        }
    }
}
