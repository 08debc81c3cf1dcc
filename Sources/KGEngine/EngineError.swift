import KGSyntax

/// Where in a rule or query an unbound variable was found.
public enum UnsafePlace: String, Sendable, Equatable {
    case head = "the head"
    case negation = "a negated atom"
    case comparison = "a comparison"
    case builtin = "a built-in test"
    case query = "the query"
}

/// Every error found while checking or evaluating a program.
public enum EngineError: DiagnosticMessage, Equatable {
    case unsafeVariable(String, place: UnsafePlace, rule: String)
    case negationCycle([String])
    case aggregateCycle([String])
    case arityMismatch(predicate: String, used: Int, declared: Int)
    case unknownPredicate(String, suggestions: [String] = [])
    case unknownFunction(String)
    case aggregateOutsideHead(String)
    case factNotGround(String)
    case factArgumentNotConstant
    case expressionInBodyAtom
    case anonymousInHead
    case divisionByZero
    case integerOverflow(String)
    case notANumber(operation: String, value: String)
    case invalidDateArithmetic(String)
    case retractArgument(String)
    case builtinArity(String, expected: String, found: Int)
    case reservedPredicate(String)
    case timeOnBuiltin(String)
    case timeNotADay(String)
    case notYetWithPeriods(String)
    case sourceOnBuiltin(String)
    case invalidRegex(String, reason: String)
    case textSearchNotAString(String)
    case invalidTextSearch(String, reason: String)
    case wrongArgument(function: String, expected: String, value: String)
    case noSuchDay(String)
    case aggregateNotANumber(function: String, value: String, rule: String)
    case unknownSortVariable(String)
    case whyNeedsGroundFact(String)
    /// `rule` is the text of the rule that was deriving when the limit was reached.
    case tooManyFacts(limit: Int, rule: String?)
    case tooMuchMemory(limit: Int, facts: Int, rule: String?)
    /// A stored fact holds an id the store's dictionary does not have.
    case missingTerm(id: Int64)

    public var message: String {
        switch self {
        case .unsafeVariable(let v, let place, let rule):
            if place == .query { return "variable '\(v)' in the query is not bound by a positive atom" }
            return "variable '\(v)' in \(place.rawValue) of rule '\(rule)' is not bound by a positive atom of the body"
        case .negationCycle(let cycle):
            return "cycle through negation: \(cycle.map { "'\($0)'" }.joined(separator: " -> "))"
        case .aggregateCycle(let cycle):
            return "cycle through an aggregate: \(cycle.map { "'\($0)'" }.joined(separator: " -> "))"
        case .arityMismatch(let p, let used, let declared):
            return "predicate '\(p)' is used with \(used) argument\(used == 1 ? "" : "s") here but has \(declared) elsewhere"
        case .unknownPredicate(let p, let suggestions): return "unknown predicate '\(p)': no fact or rule defines it" + Suggestion.phrase(suggestions)
        case .unknownFunction(let f): return "unknown function '\(f)'"
        case .aggregateOutsideHead(let f): return "aggregate '\(f)' is only allowed as an argument of a rule head"
        case .factNotGround(let v): return "a fact cannot contain the variable '\(v)'"
        case .factArgumentNotConstant: return "a fact's arguments must be constants"
        case .expressionInBodyAtom: return "an atom in a body takes only constants and variables: bind the expression with '=' first"
        case .anonymousInHead: return "'_' cannot appear in the head of a rule"
        case .divisionByZero: return "division by zero"
        case .integerOverflow(let op): return "integer overflow in '\(op)'"
        case .notANumber(let op, let value): return "cannot apply '\(op)' to \(value)"
        case .invalidDateArithmetic(let text): return "date arithmetic out of range: \(text)"
        case .retractArgument(let text): return "retract takes constants and variables, not '\(text)'"
        case .builtinArity(let name, let expected, let found):
            return "built-in '\(name)' takes \(expected), not \(found)"
        case .timeNotADay(let found): return "a day such as 2010-01-01 (or a variable) goes after 'at', 'from' and 'until', not '\(found)'"
        case .timeOnBuiltin(let name): return "built-in '\(name)' holds at all times: 'at' and 'from ... until' belong on atoms of facts"
        case .notYetWithPeriods(let what): return "\(what) is not supported yet for predicates whose facts have periods"
        case .reservedPredicate(let name): return "'\(name)' is a built-in predicate and cannot be defined by facts or rules"
        case .sourceOnBuiltin(let name): return "'@' cannot be used with the built-in '\(name)'"
        case .invalidRegex(let pattern, let reason): return "invalid regular expression \(Value.quoted(pattern)): \(reason)"
        case .textSearchNotAString(let found):
            return "the search of 'text-match' must be a string constant (\"defence ministers\"), not '\(found)'"
        case .invalidTextSearch(let search, let reason): return "invalid text search \(Value.quoted(search)): \(reason)"
        case .wrongArgument(let function, let expected, let value): return "'\(function)' expects \(expected), not \(value)"
        case .noSuchDay(let text): return "no such day: \(text)"
        case .aggregateNotANumber(let function, let value, let rule):
            return "'\(function)' in rule '\(rule)' needs numbers, not \(value)"
        case .unknownSortVariable(let v): return "cannot order by '\(v)': it is not a variable of the answer"
        case .whyNeedsGroundFact(let v): return "why takes a fact without variables, but '\(v)' is a variable"
        case .tooManyFacts(let limit, let rule):
            return "evaluation stopped after deriving \(limit) facts, the limit\(EngineError.naming(rule)); raise the limit with --max-facts if the answer really is that big"
        case .tooMuchMemory(let limit, let facts, let rule):
            return "evaluation stopped after deriving \(facts) facts: it holds more than \(ResidentMemory.describe(limit)) of memory, the limit\(EngineError.naming(rule)); raise the limit with --max-memory if the answer really needs it"
        case .missingTerm(let id):
            return "the knowledge base is damaged: term \(id) is missing from the dictionary"
        }
    }
}

extension EngineError {
    /// What a limit's message says of the rule that reached it.
    static func naming(_ rule: String?) -> String {
        guard let rule else { return ": a rule may derive new facts without end (as n(X) :- n(Y), X = Y + 1 does)" }
        return ", in the rule '\(rule)', which may derive new facts without end"
    }

    /// The same error, naming the rule that was deriving (when it names none yet).
    func naming(rule: String) -> EngineError {
        switch self {
        case .tooManyFacts(let limit, nil): return .tooManyFacts(limit: limit, rule: rule)
        case .tooMuchMemory(let limit, let facts, nil): return .tooMuchMemory(limit: limit, facts: facts, rule: rule)
        default: return self
        }
    }
}

extension Value {
    /// `name 'armenia'`, `string "ОДКБ"`: how diagnostics name a value.
    var described: String { "\(kind.label) \(kind == .string ? sourceText : "'\(sourceText)'")" }
}
