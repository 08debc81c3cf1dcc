// MARK: - AST dump

/// An S-expression rendering of the syntax tree, for tests and debugging:
/// `(rule (atom ally (var X) (var Y)) (atom member-of (var X) (var O)) ...)`.
extension Statement {
    public var dump: String {
        switch self {
        case .clause(let c):
            let source = c.source.map { " (source \($0.dump))" } ?? ""
            if c.isFact { return "(fact \(c.head.dump)\(c.period.map { " " + $0.dump } ?? "")\(source))" }
            return "(rule \(c.head.dump) \(c.body.map(\.dump).joined(separator: " ")))"
        case .query(let q):
            return "(query \(q.body.map(\.dump).joined(separator: " ")))"
        case .retraction(let r):
            let source = r.source.map { " (source \($0.dump))" } ?? ""
            return "(retract \(r.atom.dump)\(r.period.map { " " + $0.dump } ?? "")\(source))"
        case .ruleRetraction(let r):
            return "(retract-rule \(r.rule.head.dump) \(r.rule.body.map(\.dump).joined(separator: " ")))"
        case .sourceRetraction(let r):
            return "(retract-source \(r.source.dump))"
        case .prefix(let p):
            return "(prefix \(p.name) <\(p.iri)>)"
        case .functional(let f):
            return "(functional \(f.signature))"
        case .functionalRetraction(let f):
            return "(retract-functional \(f.signature))"
        }
    }
}

extension Literal {
    public var dump: String {
        switch self {
        case .positive(let atom, let source):
            guard let source else { return atom.timedDump }
            return "(@ \(atom.timedDump) \(source.dump))"
        case .negated(let atom, let source, _):
            guard let source else { return "(not \(atom.timedDump))" }
            return "(not (@ \(atom.timedDump) \(source.dump)))"
        case .comparison(let l, let op, let r, _):
            return "(\(op.rawValue) \(l.dump) \(r.dump))"
        }
    }
}

extension Atom {
    public var dump: String {
        (["(atom \(predicate.sourceText)"] + arguments.map(\.dump)).joined(separator: " ") + ")"
    }
}

extension Expression {
    public var dump: String {
        switch kind {
        case .constant(let v): return "(\(v.kind.label) \(v.sourceText))"
        case .variable(let name): return "(var \(name))"
        case .unary(let op, let e): return "(\(op.rawValue) \(e.dump))"
        case .binary(let op, let a, let b): return "(\(op.rawValue) \(a.dump) \(b.dump))"
        case .call(let name, let args): return (["(call \(name)"] + args.map(\.dump)).joined(separator: " ") + ")"
        }
    }

    /// The expression written as kglog source, fully parenthesized.
    public var sourceText: String {
        switch kind {
        case .constant(let v): return v.sourceText
        case .variable(let name): return name
        case .unary(let op, let e): return "\(op.rawValue)\(e.sourceText)"
        case .binary(let op, let a, let b): return "(\(a.sourceText) \(op.rawValue) \(b.sourceText))"
        case .call(let name, let args): return "\(name)(\(args.map(\.sourceText).joined(separator: ", ")))"
        }
    }
}

extension Atom {
    /// The dump with its time condition: `(at (atom p (var X)) (date 2010-01-01))`.
    var timedDump: String {
        switch time {
        case nil: return dump
        case .at(let day)?: return "(at \(dump) \(day.dump))"
        case .during(let from, let until)?: return "(during \(dump) \(from.dump) \(until.dump))"
        }
    }
}

extension Period {
    var dump: String {
        "(period " + [from.map { "(from \($0.dump))" }, until.map { "(until \($0.dump))" }].compactMap { $0 }.joined(separator: " ") + ")"
    }
}
