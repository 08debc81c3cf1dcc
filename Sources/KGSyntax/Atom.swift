/// A predicate applied to arguments: `member-of(X, csto)`.
public struct Atom: Sendable, Equatable {
    /// The predicate: a name, or an IRI for predicates imported from RDF.
    public var predicate: Value
    public var arguments: [Expression]
    public var location: SourceLocation

    public init(predicate: Value, arguments: [Expression], at location: SourceLocation) {
        self.predicate = predicate
        self.arguments = arguments
        self.location = location
    }

    public var arity: Int { arguments.count }

    /// `member-of/2`, the way diagnostics name a predicate.
    public var signature: String { "\(predicate.sourceText)/\(arity)" }

    public var variables: [String] {
        var names: [String] = []
        for a in arguments { a.collectVariables(into: &names) }
        return names
    }
}

/// One condition in a rule or query body.
public enum Literal: Sendable, Equatable {
    /// A positive atom, optionally with `@ S` binding or filtering the source of stored facts.
    case positive(Atom, source: Expression?)
    /// `not atom`: holds when no fact matches; with `@ S`, when no fact from that source does
    /// (for a derived predicate: no derivation rests on a fact from it).
    case negated(Atom, source: Expression?, location: SourceLocation)
    /// `lhs op rhs`; with `=` and one side an unbound variable, it binds that variable.
    case comparison(Expression, ComparisonOperator, Expression, location: SourceLocation)

    public var location: SourceLocation {
        switch self {
        case .positive(let atom, _): return atom.location
        case .negated(_, _, let location), .comparison(_, _, _, let location): return location
        }
    }
}

extension Literal {
    /// The atom of a positive or negated literal.
    public var atom: Atom? {
        switch self {
        case .positive(let atom, _), .negated(let atom, _, _): return atom
        case .comparison: return nil
        }
    }
}
