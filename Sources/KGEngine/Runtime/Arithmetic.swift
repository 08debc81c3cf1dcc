import Foundation
import KGSyntax

/// Arithmetic and comparison on values, with the errors the language defines.
enum Arithmetic {
    /// `a op b`: integers stay integers (overflow is an error), a decimal makes the result
    /// decimal, a date plus or minus an integer is a date, a date minus a date is a number of days.
    static func apply(_ op: ArithmeticOperator, _ a: Value, _ b: Value) throws(EngineError) -> Value {
        switch (a, b) {
        case (.integer(let x), .integer(let y)):
            return .integer(try integer(op, x, y))
        case (.date(let d), .integer(let n)) where op == .add || op == .subtract:
            let (days, overflow) = op == .add ? d.daysSinceEpoch.addingReportingOverflow(n) : d.daysSinceEpoch.subtractingReportingOverflow(n)
            guard !overflow, abs(days) < 365 * 1_000_000 else { throw .invalidDateArithmetic("\(a.sourceText) \(op.rawValue) \(n)") }
            return .date(CalendarDate(daysSinceEpoch: days))
        case (.integer(let n), .date(let d)) where op == .add:
            return try apply(.add, .date(d), .integer(n))
        case (.date(let x), .date(let y)) where op == .subtract:
            return .integer(x.daysSinceEpoch - y.daysSinceEpoch)
        default:
            guard let x = a.decimalValue else { throw .notANumber(operation: op.rawValue, value: a.described) }
            guard let y = b.decimalValue else { throw .notANumber(operation: op.rawValue, value: b.described) }
            return .decimal(try decimal(op, x, y))
        }
    }

    static func negate(_ a: Value) throws(EngineError) -> Value {
        switch a {
        case .integer(let x):
            guard x != Int64.min else { throw .integerOverflow("-\(x)") }
            return .integer(-x)
        case .decimal(let d): return .decimal(-d)
        default: throw .notANumber(operation: "-", value: a.described)
        }
    }

    private static func integer(_ op: ArithmeticOperator, _ x: Int64, _ y: Int64) throws(EngineError) -> Int64 {
        let result: (partialValue: Int64, overflow: Bool)
        switch op {
        case .add: result = x.addingReportingOverflow(y)
        case .subtract: result = x.subtractingReportingOverflow(y)
        case .multiply: result = x.multipliedReportingOverflow(by: y)
        case .divide:
            guard y != 0 else { throw .divisionByZero }
            result = x.dividedReportingOverflow(by: y)
        case .remainder:
            guard y != 0 else { throw .divisionByZero }
            result = x.remainderReportingOverflow(dividingBy: y)
        }
        guard !result.overflow else { throw .integerOverflow("\(x) \(op.rawValue) \(y)") }
        return result.partialValue
    }

    private static func decimal(_ op: ArithmeticOperator, _ x: Decimal, _ y: Decimal) throws(EngineError) -> Decimal {
        switch op {
        case .add: return x + y
        case .subtract: return x - y
        case .multiply: return x * y
        case .divide:
            guard !y.isZero else { throw .divisionByZero }
            return x / y
        case .remainder:
            guard !y.isZero else { throw .divisionByZero }
            var quotient = x / y
            var truncated = Decimal()
            NSDecimalRound(&truncated, &quotient, 0, quotient < 0 ? .up : .down)
            return x - truncated * y
        }
    }

    /// Whether `a op b` holds. Numbers compare by value across integer and decimal; values of
    /// kinds that cannot be ordered against each other are unequal and never less or greater.
    static func holds(_ a: Value, _ op: ComparisonOperator, _ b: Value) -> Bool {
        guard let order = Value.compare(a, b) else { return op == .notEqual }
        return op.holds(order)
    }

    /// The inline id of `x op y` for the operations that cannot fail otherwise than by
    /// overflowing; nil when it overflows, leaves the inline range, or is another operation
    /// (the general path then reports the error).
    @inline(__always)
    static func inlineInteger(_ op: ArithmeticOperator, _ x: Int64, _ y: Int64) -> Int64? {
        let result: (partialValue: Int64, overflow: Bool)
        switch op {
        case .add: result = x.addingReportingOverflow(y)
        case .subtract: result = x.subtractingReportingOverflow(y)
        case .multiply: result = x.multipliedReportingOverflow(by: y)
        default: return nil
        }
        return result.overflow ? nil : TermCode.integerID(result.partialValue)
    }
}

extension ComparisonOperator {
    /// Whether the operator holds between two values in this order.
    @inline(__always)
    func holds(_ order: ComparisonResult) -> Bool {
        switch self {
        case .equal: return order == .orderedSame
        case .notEqual: return order != .orderedSame
        case .less: return order == .orderedAscending
        case .lessEqual: return order != .orderedDescending
        case .greater: return order == .orderedDescending
        case .greaterEqual: return order != .orderedAscending
        }
    }
}
