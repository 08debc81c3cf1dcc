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
    case call(BuiltinFunction, [Computation], SourceLocation)

    /// Whether the expression is variables and constants under arithmetic, with no function call.
    var isArithmetic: Bool {
        switch self {
        case .constant, .variable: return true
        case .unary(_, let e, _): return e.isArithmetic
        case .binary(_, let a, let b, _): return a.isArithmetic && b.isArithmetic
        case .call: return false
        }
    }

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
        case .call(_, let arguments, _): return arguments.reduce(into: Set<Int>()) { $0.formUnion($1.variables) }
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
    /// A built-in test such as `contains(S, "stan")`, or its negation.
    case builtin(BuiltinPredicate, [Computation], negated: Bool, SourceLocation)

    /// The variables a condition needs bound before it can be tested.
    var neededVariables: Set<Int> {
        switch self {
        case .positive(let atom), .negated(let atom): return atom.variables
        case .comparison(let l, _, let r, _): return l.variables.union(r.variables)
        case .builtin(_, let arguments, _, _): return arguments.reduce(into: Set<Int>()) { $0.formUnion($1.variables) }
        }
    }
}

/// An aggregate in a rule head: `count(X)` at some argument position.
struct CompiledAggregate {
    let function: AggregateFunction
    let argument: Computation
    /// The key of `arg-max` and `arg-min`; nil for the others.
    let key: Computation?
    let location: SourceLocation
}

/// A rule (or a query, as a rule with a hidden head) ready to plan: variables are numbered.
struct CompiledRule {
    let headPredicate: Value
    /// The head's arguments; at a position that holds an aggregate, a placeholder.
    let head: [Computation]
    /// Aggregates by head position; empty for an ordinary rule.
    let aggregates: [Int: CompiledAggregate]
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
        var head: [Computation] = []
        var aggregates: [Int: CompiledAggregate] = [:]
        for (position, argument) in clause.head.arguments.enumerated() {
            if case .call(let name, let arguments) = argument.kind, let function = AggregateFunction(rawValue: name), arguments.count == function.arity {
                aggregates[position] = CompiledAggregate(function: function, argument: try compiler.computation(arguments[0]),
                                                         key: try arguments.dropFirst().first.map { try compiler.computation($0) },
                                                         location: argument.location)
                head.append(.constant(.integer(0), id: 0))
            } else {
                head.append(try compiler.computation(argument))
            }
        }
        return CompiledRule(headPredicate: clause.head.predicate, head: head, aggregates: aggregates, body: body,
                            variableNames: compiler.names, text: clause.text)
    }

    /// A query as a rule whose head is `columns` (by default its own answer variables; a
    /// rewritten query keeps the order of the query asked).
    static func compile(_ query: Query, columns: [String]? = nil, dictionary: TermDictionary) throws -> CompiledRule {
        var compiler = RuleCompiler(dictionary: dictionary)
        let body = try query.body.map { try compiler.literal($0) }
        let head = (columns ?? query.answerVariables).map { Computation.variable(compiler.variables[$0]!) }
        return CompiledRule(headPredicate: queryPredicate, head: head, aggregates: [:], body: body,
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
        case .positive(let a, _) where BuiltinPredicate(a.predicate) != nil:
            return .builtin(BuiltinPredicate(a.predicate)!, try a.arguments.map { try computation($0) }, negated: false, a.location)
        case .negated(let a, _, let location) where BuiltinPredicate(a.predicate) != nil:
            return .builtin(BuiltinPredicate(a.predicate)!, try a.arguments.map { try computation($0) }, negated: true, location)
        case .positive(let a, let source): return .positive(try atom(a, source: source))
        case .negated(let a, let source, _): return .negated(try atom(a, source: source))
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
        case .call(let name, let arguments):
            guard let function = BuiltinFunction(rawValue: name) else {
                throw Diagnostic(EngineError.unknownFunction(name), at: expression.location)
            }
            return .call(function, try arguments.map { try computation($0) }, expression.location)
        }
    }
}
