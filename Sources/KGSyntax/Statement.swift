import Foundation

/// A top-level statement of a kglog program.
public enum Statement: Sendable, Equatable {
    /// A fact (empty body) or a rule.
    case clause(Clause)
    /// `?- body.`
    case query(Query)
    /// `retract atom [@ source].`: the stored facts that match (the atom may have variables).
    case retraction(Retraction)
    /// `retract head :- body.`: the rule written so.
    case ruleRetraction(RuleRetraction)
    /// `retract source s.`: every fact that source asserted.
    case sourceRetraction(SourceRetraction)
    /// `prefix ex: <http://example.org/>.`
    case prefix(PrefixDeclaration)
    /// `functional held-in/2.`: the predicate's last argument is a function of the others.
    case functional(FunctionalDeclaration)
    /// `retract functional held-in/2.`
    case functionalRetraction(FunctionalDeclaration)

    public var location: SourceLocation {
        switch self {
        case .clause(let c): return c.location
        case .query(let q): return q.location
        case .retraction(let r): return r.location
        case .ruleRetraction(let r): return r.location
        case .sourceRetraction(let r): return r.location
        case .prefix(let p): return p.location
        case .functional(let f), .functionalRetraction(let f): return f.location
        }
    }

    /// The statement exactly as written in the source.
    public var text: String {
        switch self {
        case .clause(let c): return c.text
        case .query(let q): return q.text
        case .retraction(let r): return r.text
        case .ruleRetraction(let r): return r.text
        case .sourceRetraction(let r): return r.text
        case .prefix(let p): return p.text
        case .functional(let f), .functionalRetraction(let f): return f.text
        }
    }
}

/// `head [period] [@ source] [:- body].` A clause with an empty body is a fact; only a fact
/// may have a period.
public struct Clause: Sendable, Equatable {
    public var head: Atom
    public var source: Expression?
    public var body: [Literal]
    public var location: SourceLocation
    public var text: String
    /// The period a fact holds in; nil for a fact that holds at all times.
    public var period: Period?

    public init(head: Atom, source: Expression?, body: [Literal], location: SourceLocation, text: String, period: Period? = nil) {
        self.head = head
        self.source = source
        self.body = body
        self.location = location
        self.text = text
        self.period = period
    }

    public var isFact: Bool { body.isEmpty }

    /// Every atom of the clause, head first.
    public var atoms: [Atom] { [head] + body.compactMap(\.atom) }
}

/// `?- body.`
public struct Query: Sendable, Equatable {
    /// A query typed loosely made whole: `member-of(X, csto)` becomes `?- member-of(X, csto).`
    public static func text(_ typed: String) -> String {
        var source = typed.trimmingCharacters(in: .whitespacesAndNewlines)
        if !source.hasPrefix("?-") { source = "?- " + source }
        if !source.hasSuffix(".") { source += "." }
        return source
    }

    public var body: [Literal]
    /// `order by`, `limit` and `offset`, shaping the answer.
    public var options: QueryOptions
    public var location: SourceLocation
    public var text: String

    public init(body: [Literal], options: QueryOptions = QueryOptions(), location: SourceLocation, text: String) {
        self.body = body
        self.options = options
        self.location = location
        self.text = text
    }

    /// The answer columns: the body's named variables in order of first appearance,
    /// leaving out `_` and variables that start with `_` (`_Ignored`).
    public var answerVariables: [String] {
        var names: [String] = []
        var seen = Set<String>()
        for literal in body {
            switch literal {
            case .positive(let atom, let source):
                for a in atom.arguments + (atom.time?.expressions ?? []) { a.collectVariables(into: &names, seen: &seen) }
                source?.collectVariables(into: &names, seen: &seen)
            case .negated(let atom, let source, _):
                for a in atom.arguments + (atom.time?.expressions ?? []) { a.collectVariables(into: &names, seen: &seen) }
                source?.collectVariables(into: &names, seen: &seen)
            case .comparison(let l, _, let r, _):
                l.collectVariables(into: &names, seen: &seen)
                r.collectVariables(into: &names, seen: &seen)
            }
        }
        return names.filter { !$0.hasPrefix("_") }
    }
}

/// `retract atom [period] [@ source].` The atom's arguments and the source are constants or
/// variables: every stored fact that matches is removed (a variable twice must match the same
/// term twice). With a period, only that period of the fact is removed.
public struct Retraction: Sendable, Equatable {
    public var atom: Atom
    public var source: Expression?
    public var location: SourceLocation
    public var text: String
    public var period: Period?

    public init(atom: Atom, source: Expression?, location: SourceLocation, text: String, period: Period? = nil) {
        self.atom = atom
        self.source = source
        self.location = location
        self.text = text
        self.period = period
    }

    /// Whether it names one fact: no variable among the arguments or as the source.
    public var isGround: Bool {
        (atom.arguments + [source].compactMap { $0 }).allSatisfy { if case .constant = $0.kind { return true } else { return false } }
    }
}

/// `retract head :- body.`: removes the stored rule that reads the same (spacing aside).
public struct RuleRetraction: Sendable, Equatable {
    public var rule: Clause
    public var location: SourceLocation
    public var text: String

    public init(rule: Clause, location: SourceLocation, text: String) {
        self.rule = rule
        self.location = location
        self.text = text
    }
}

/// How a query's answers are ordered and cut: `order by O, X desc limit 10 offset 5`.
public struct QueryOptions: Sendable, Equatable {
    /// One sort key of `order by`.
    public struct SortKey: Sendable, Equatable {
        public var variable: String
        public var descending: Bool
        public var location: SourceLocation

        public init(variable: String, descending: Bool, location: SourceLocation) {
            self.variable = variable
            self.descending = descending
            self.location = location
        }
    }

    public var orderBy: [SortKey]
    public var limit: Int?
    public var offset: Int?

    public init(orderBy: [SortKey] = [], limit: Int? = nil, offset: Int? = nil) {
        self.orderBy = orderBy
        self.limit = limit
        self.offset = offset
    }

    public var isEmpty: Bool { orderBy.isEmpty && limit == nil && offset == nil }
}

/// `retract source s.`
public struct SourceRetraction: Sendable, Equatable {
    public var source: Expression
    public var location: SourceLocation
    public var text: String

    public init(source: Expression, location: SourceLocation, text: String) {
        self.source = source
        self.location = location
        self.text = text
    }
}

/// `prefix ex: <http://example.org/>.`: `ex:member-of` then stands for the IRI
/// `<http://example.org/member-of>`.
public struct PrefixDeclaration: Sendable, Equatable {
    /// The prefix without its colon: `ex`.
    public var name: String
    public var iri: String
    public var location: SourceLocation
    public var text: String

    public init(name: String, iri: String, location: SourceLocation, text: String) {
        self.name = name
        self.iri = iri
        self.location = location
        self.text = text
    }
}

/// `functional held-in/2.`: the last argument of the predicate is a function of the others (an
/// event is held in one place), so two values for the same other arguments are a conflict
/// between sources. A knowledge base keeps its declarations.
public struct FunctionalDeclaration: Sendable, Equatable {
    public var predicate: Value
    public var arity: Int
    public var location: SourceLocation
    /// The statement as written (with `retract` for a retraction).
    public var text: String

    public init(predicate: Value, arity: Int, location: SourceLocation, text: String) {
        self.predicate = predicate
        self.arity = arity
        self.location = location
        self.text = text
    }

    /// `held-in/2`.
    public var signature: String { "\(predicate.sourceText)/\(arity)" }

    /// The declaration as a knowledge base keeps it and its backup writes it:
    /// `functional held-in/2.`, IRIs written whole.
    public var canonicalText: String { "functional \(signature)." }
}
