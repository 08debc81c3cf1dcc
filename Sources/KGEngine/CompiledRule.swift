import KGSyntax

/// An argument of a compiled atom: a numbered variable, a term id, or `_`.
enum Slot: Equatable {
    case variable(Int)
    case constant(Int64)
    case anonymous
}

/// A compiled expression over numbered variables.
indirect enum Computation {
    case constant(Value, id: Int64)
    case variable(Int)
    case unary(ArithmeticOperator, Computation, SourceLocation)
    case binary(ArithmeticOperator, Computation, Computation, SourceLocation)

    /// The expression as a slot, when it is a plain variable or constant.
    var slot: Slot? {
        switch self {
        case .constant(_, let id): return .constant(id)
        case .variable(let v): return .variable(v)
        default: return nil
        }
    }

    var variables: Set<Int> {
        switch self {
        case .constant: return []
        case .variable(let v): return [v]
        case .unary(_, let e, _): return e.variables
        case .binary(_, let a, let b, _): return a.variables.union(b.variables)
        }
    }
}

/// An atom with its arguments resolved to slots; `source` is the `@ S` slot, if any.
struct CompiledAtom {
    let predicate: Value
    let arguments: [Slot]
    let source: Slot?
    let location: SourceLocation

    var variables: Set<Int> {
        var result = Set<Int>()
        for slot in arguments + (source.map { [$0] } ?? []) { if case .variable(let v) = slot { result.insert(v) } }
        return result
    }
}

enum CompiledLiteral {
    case positive(CompiledAtom)
    case negated(CompiledAtom)
    case comparison(Computation, ComparisonOperator, Computation, SourceLocation)
}

/// A rule (or a query, as a rule with a hidden head) ready to plan: variables are numbered.
struct CompiledRule {
    let headPredicate: Value
    let head: [Computation]
    let body: [CompiledLiteral]
    let variableNames: [String]
    /// The rule as written, for `.explain` and messages.
    let text: String
}

/// Turns checked rules and queries into `CompiledRule`s, resolving constants to term ids.
struct RuleCompiler {
    let dictionary: TermDictionary
    private var variables: [String: Int] = [:]
    private var names: [String] = []

    init(dictionary: TermDictionary) {
        self.dictionary = dictionary
    }

    /// The predicate name of the hidden head a query is compiled to; no name can be written so.
    static let queryPredicate = Value.name("?query")

    static func compile(_ clause: Clause, dictionary: TermDictionary) throws -> CompiledRule {
        var compiler = RuleCompiler(dictionary: dictionary)
        let body = try clause.body.map { try compiler.literal($0) }
        let head = try clause.head.arguments.map { try compiler.computation($0) }
        return CompiledRule(headPredicate: clause.head.predicate, head: head, body: body,
                            variableNames: compiler.names, text: clause.text)
    }

    static func compile(_ query: Query, dictionary: TermDictionary) throws -> CompiledRule {
        var compiler = RuleCompiler(dictionary: dictionary)
        let body = try query.body.map { try compiler.literal($0) }
        let head = query.answerVariables.map { Computation.variable(compiler.variables[$0]!) }
        return CompiledRule(headPredicate: queryPredicate, head: head, body: body,
                            variableNames: compiler.names, text: query.text)
    }

    private mutating func variable(_ name: String) -> Int {
        if let v = variables[name] { return v }
        let v = names.count
        names.append(name)
        variables[name] = v
        return v
    }

    private mutating func slot(_ expression: Expression) throws -> Slot {
        switch expression.kind {
        case .variable("_"): return .anonymous
        case .variable(let name): return .variable(variable(name))
        case .constant(let value): return .constant(try dictionary.id(for: value))
        default: throw Diagnostic(EngineError.expressionInBodyAtom, at: expression.location)
        }
    }

    private mutating func atom(_ atom: Atom, source: Expression?) throws -> CompiledAtom {
        CompiledAtom(predicate: atom.predicate, arguments: try atom.arguments.map { try slot($0) },
                     source: try source.map { try slot($0) }, location: atom.location)
    }

    private mutating func literal(_ literal: Literal) throws -> CompiledLiteral {
        switch literal {
        case .positive(let a, let source): return .positive(try atom(a, source: source))
        case .negated(let a, _): return .negated(try atom(a, source: nil))
        case .comparison(let l, let op, let r, let location):
            return .comparison(try computation(l), op, try computation(r), location)
        }
    }

    mutating func computation(_ expression: Expression) throws -> Computation {
        switch expression.kind {
        case .constant(let value): return .constant(value, id: try dictionary.id(for: value))
        case .variable(let name): return .variable(variable(name))
        case .unary(let op, let e): return .unary(op, try computation(e), expression.location)
        case .binary(let op, let a, let b): return .binary(op, try computation(a), try computation(b), expression.location)
        case .call(let name, _): throw Diagnostic(EngineError.unknownFunction(name), at: expression.location)
        }
    }
}
