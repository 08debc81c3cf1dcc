import Foundation
import KGSyntax

/// Built-in predicates: tests on text, usable in bodies like atoms (`contains(S, "stan")`).
/// Their names are reserved: no fact or rule may define them. They bind nothing: every
/// variable in them must be bound by a positive atom.
public enum BuiltinPredicate: String, CaseIterable, Sendable {
    case contains
    case startsWith = "starts-with"
    case endsWith = "ends-with"
    case matches

    public init?(_ predicate: Value) {
        guard case .name(let name) = predicate else { return nil }
        self.init(rawValue: name)
    }

    public var arity: Int { 2 }

    /// Whether the test holds, on the lexical text of both values. `matches` searches the text
    /// for the regular expression (anchor it with `^` and `$` to match the whole text).
    func holds(_ text: Value, _ pattern: Value, regex: (String) throws -> NSRegularExpression) throws -> Bool {
        let (s, p) = (text.lexical, pattern.lexical)
        switch self {
        case .contains: return p.isEmpty || s.contains(p)
        case .startsWith: return s.hasPrefix(p)
        case .endsWith: return s.hasSuffix(p)
        case .matches:
            let expression = try regex(p)
            return expression.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
        }
    }
}

/// Built-in functions, usable in comparisons and rule heads (`Y = lower(X)`).
public enum BuiltinFunction: String, CaseIterable, Sendable {
    case lower, upper, length, concat, substring
    case toString = "to-string", toNumber = "to-number"
    case year, month, day, date
    case daysBetween = "days-between"
    case nameOf = "name-of", kindOf = "kind-of"
    /// The largest (smallest) of the arguments, in the answer order: `greatest(D1, D2)`.
    case greatest, least

    /// The number of arguments, or nil for `concat`, `greatest` and `least` (one or more).
    public var arity: Int? {
        switch self {
        case .concat, .greatest, .least: return nil
        case .substring, .date: return 3
        case .daysBetween: return 2
        default: return 1
        }
    }

    /// The function's value, nil when it fails (`to-number` of text that is no number): the
    /// literal it is in then does not hold, and no error is raised.
    func apply(_ arguments: [Value]) throws(EngineError) -> Value? {
        func text(_ i: Int) -> String { arguments[i].lexical }
        func integer(_ i: Int) throws(EngineError) -> Int64 {
            guard case .integer(let n) = arguments[i] else { throw .wrongArgument(function: rawValue, expected: "an integer", value: arguments[i].described) }
            return n
        }
        func day(_ i: Int) throws(EngineError) -> CalendarDate {
            switch arguments[i] {
            case .date(let d): return d
            case .datetime(let t): return t.date
            default: throw .wrongArgument(function: rawValue, expected: "a date", value: arguments[i].described)
            }
        }
        switch self {
        case .lower:
            if case .name(let n) = arguments[0] { return .name(n.lowercased()) }
            return .string(text(0).lowercased())
        case .upper:
            if case .name(let n) = arguments[0] { return .name(n.uppercased()) }
            return .string(text(0).uppercased())
        case .length:
            return .integer(Int64(text(0).count))
        case .concat:
            return .string(arguments.map(\.lexical).joined())
        case .substring:
            let (start, length) = (try integer(1), try integer(2))
            guard start >= 0, length >= 0 else {
                throw .wrongArgument(function: rawValue, expected: "a start and a length of 0 or more", value: "\(start), \(length)")
            }
            let characters = Array(text(0))
            let from = min(Int(start), characters.count)
            let to = min(from + Int(min(length, Int64(Int32.max))), characters.count)
            return .string(String(characters[from..<to]))
        case .toString:
            return .string(text(0))
        case .toNumber:
            switch arguments[0] {
            case .integer, .decimal: return arguments[0]
            default:
                let s = text(0).trimmingCharacters(in: .whitespaces)
                if let i = Int64(s) { return .integer(i) }
                let decimalShape = s.range(of: #"^[+-]?[0-9]+(\.[0-9]+)?$"#, options: .regularExpression) != nil
                if decimalShape, let value = Value(kind: .decimal, lexical: s) { return value }
                return nil
            }
        case .year: return .integer(try day(0).components.year)
        case .month: return .integer(try day(0).components.month)
        case .day: return .integer(try day(0).components.day)
        case .date:
            let (y, m, d) = (try integer(0), try integer(1), try integer(2))
            guard let date = CalendarDate(year: y, month: m, day: d) else { throw .noSuchDay("\(y)-\(m)-\(d)") }
            return .date(date)
        case .daysBetween:
            return .integer(try day(1).daysSinceEpoch - day(0).daysSinceEpoch)
        case .nameOf:
            return .string(text(0))
        case .kindOf:
            return .name(arguments[0].kind.label)
        case .greatest:
            return arguments.dropFirst().reduce(arguments[0]) { Value.sortOrder($0, $1) ? $1 : $0 }
        case .least:
            return arguments.dropFirst().reduce(arguments[0]) { Value.sortOrder($1, $0) ? $1 : $0 }
        }
    }
}

/// Aggregates, allowed as arguments of a rule head: `members(O, count(X)) :- member-of(X, O).`
public enum AggregateFunction: String, CaseIterable, Sendable {
    case count
    case countDistinct = "count-distinct"
    case sum, min, max, avg
    /// `arg-max(V, K)`: the value of `V` in the solutions with the largest `K` (every such
    /// value when several solutions share that `K`, each giving its own head fact).
    case argMax = "arg-max"
    /// `arg-min(V, K)`: as `arg-max`, for the smallest `K`.
    case argMin = "arg-min"

    /// The number of arguments: the aggregated value, and for `arg-max`/`arg-min` the key.
    public var arity: Int { self == .argMax || self == .argMin ? 2 : 1 }
}
