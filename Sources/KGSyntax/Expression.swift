/// An expression: a constant, a variable, arithmetic, or a call such as `count(X)`.
public struct Expression: Sendable, Equatable {
    public indirect enum Kind: Sendable, Equatable {
        case constant(Value)
        /// A named variable; `_` is anonymous and never names the same thing twice.
        case variable(String)
        case unary(ArithmeticOperator, Expression)
        case binary(ArithmeticOperator, Expression, Expression)
        /// A function or aggregate applied to arguments: `count(X)`, `lower(S)`.
        case call(String, [Expression])
    }

    public var kind: Kind
    public var location: SourceLocation

    public init(_ kind: Kind, at location: SourceLocation) {
        self.kind = kind
        self.location = location
    }

    public var isAnonymous: Bool {
        if case .variable("_") = kind { return true }
        return false
    }

    /// The named variables in this expression, in order of first appearance (without `_`).
    public var variables: [String] {
        var names: [String] = []
        collectVariables(into: &names)
        return names
    }

    func collectVariables(into names: inout [String]) {
        var seen = Set(names)
        collectVariables(into: &names, seen: &seen)
    }

    /// Appends the variables not in `seen` yet, in order of appearance (linear in the names).
    func collectVariables(into names: inout [String], seen: inout Set<String>) {
        switch kind {
        case .constant: break
        case .variable(let name):
            if name != "_" && seen.insert(name).inserted { names.append(name) }
        case .unary(_, let e): e.collectVariables(into: &names, seen: &seen)
        case .binary(_, let a, let b):
            a.collectVariables(into: &names, seen: &seen)
            b.collectVariables(into: &names, seen: &seen)
        case .call(_, let args):
            for a in args { a.collectVariables(into: &names, seen: &seen) }
        }
    }
}

/// `+ - * / %`
public enum ArithmeticOperator: String, Sendable, Equatable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", remainder = "%"
}

/// `= != < <= > >=`
public enum ComparisonOperator: String, Sendable, Equatable {
    case equal = "=", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
}
