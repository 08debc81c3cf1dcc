/// A predicate applied to arguments: `member-of(X, csto)`.
public struct Atom: Sendable, Equatable {
    /// The predicate: a name, or an IRI for predicates imported from RDF.
    public var predicate: Value
    public var arguments: [Expression]
    public var location: SourceLocation
    /// In a body: when the fact must hold (`at 2010-01-01`, `from F until U`); nil for an
    /// atom without one, which holds over the periods of its facts.
    public var time: TimeCondition?

    public init(predicate: Value, arguments: [Expression], at location: SourceLocation, time: TimeCondition? = nil) {
        self.predicate = predicate
        self.arguments = arguments
        self.location = location
        self.time = time
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

/// When a body atom must hold.
public enum TimeCondition: Sendable, Equatable {
    /// `at D`: a period of the fact contains the day `D` (bound elsewhere, or a constant).
    case at(Expression)
    /// `from F until U`: binds `F` and `U` to each maximal period in which the fact holds
    /// (an open end is 0001-01-01 or 9999-12-31).
    case during(from: Expression, until: Expression)

    /// Its expressions: the day of `at`, or the two ends.
    public var expressions: [Expression] {
        switch self {
        case .at(let day): return [day]
        case .during(let from, let until): return [from, until]
        }
    }

    public var sourceText: String {
        switch self {
        case .at(let day): return "at \(day.formatted)"
        case .during(let from, let until): return "from \(from.formatted) until \(until.formatted)"
        }
    }
}

/// The period in which a stored fact holds, half-open: `from 2006-08-16 until 2012-12-19`.
/// Either end may be left out (open).
public struct Period: Sendable, Equatable {
    /// The day an open start stands for, and the id of that day.
    public static let openStart = CalendarDate(year: 1, month: 1, day: 1)!
    public static let openStartID = TermCode.inlineID(.date(openStart))!
    /// The day an open end stands for (the period holds until then, that day excluded).
    public static let openEnd = CalendarDate(year: 9999, month: 12, day: 31)!
    public static let openEndID = TermCode.inlineID(.date(openEnd))!

    public var from: Expression?
    public var until: Expression?
    public var location: SourceLocation

    public init(from: Expression?, until: Expression?, location: SourceLocation) {
        self.from = from
        self.until = until
        self.location = location
    }

    public var sourceText: String {
        [from.map { "from \($0.formatted)" }, until.map { "until \($0.formatted)" }].compactMap { $0 }.joined(separator: " ")
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
