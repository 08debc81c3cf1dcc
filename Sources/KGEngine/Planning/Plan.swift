import KGSyntax

/// One step of a rule's join plan; the executor runs the steps as nested loops.
enum Step {
    /// Iterate the rows of a relation that match the bound columns, binding new variables.
    case scan(Scan)
    /// Continue only when no row matches (`not atom`).
    case negation(Probe)
    /// Continue only when the comparison holds.
    case filter(Computation, ComparisonOperator, Computation, SourceLocation)
    /// Bind a variable to the value of an expression (`X = Y + 1`).
    case assign(Int, Computation)
    /// Continue only when a built-in test holds (or, negated, does not).
    case test(BuiltinPredicate, [Computation], negated: Bool, SourceLocation)
}

/// Where an inner loop reads a value: a register (a bound variable) or a constant term id.
/// A flat value type, so the executor's loops touch no reference counts.
struct Operand {
    /// The register to read, or -1 for the constant.
    let register: Int
    let constant: Int64

    init(_ slot: Slot) {
        switch slot {
        case .variable(let v): register = v; constant = 0
        case .constant(let id): register = -1; constant = id
        case .anonymous: register = -1; constant = 0
        }
    }

    @inline(__always)
    func value(_ registers: UnsafeMutablePointer<Int64>) -> Int64 {
        register >= 0 ? registers[register] : constant
    }
}

/// Copies `values` into a new buffer the owner frees.
func makeBuffer<T>(_ values: [T]) -> UnsafeMutableBufferPointer<T> {
    let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: max(values.count, 1))
    _ = buffer.initialize(from: values)
    return UnsafeMutableBufferPointer(rebasing: buffer[0..<values.count])
}

/// A scan of one body atom.
final class Scan {
    // The evaluator keeps relations and their indexes alive while plans run.
    unowned(unsafe) let relation: Relation
    /// Scan the current delta rows instead of all committed rows.
    let isDelta: Bool
    /// The index used to find matching rows; nil means a scan of the whole range.
    unowned(unsafe) let index: HashIndex?
    /// The key looked up in `index`, one operand per indexed column.
    let key: UnsafeMutableBufferPointer<Operand>
    /// Columns that must equal an operand's value (when no index covers them).
    let checkColumns: UnsafeMutableBufferPointer<Int>
    let checkOperands: UnsafeMutableBufferPointer<Operand>
    /// Columns whose values bind variables (registers).
    let bindColumns: UnsafeMutableBufferPointer<Int>
    let bindRegisters: UnsafeMutableBufferPointer<Int>
    let keyBuffer: UnsafeMutablePointer<Int64>
    let label: String

    init(relation: Relation, isDelta: Bool, index: HashIndex?, key: [Slot], checks: [(Int, Slot)],
         binds: [(Int, Int)], label: String) {
        self.relation = relation
        self.isDelta = isDelta
        self.index = index
        self.key = makeBuffer(key.map(Operand.init))
        self.checkColumns = makeBuffer(checks.map(\.0))
        self.checkOperands = makeBuffer(checks.map { Operand($0.1) })
        self.bindColumns = makeBuffer(binds.map(\.0))
        self.bindRegisters = makeBuffer(binds.map(\.1))
        self.label = label
        keyBuffer = .allocate(capacity: max(key.count, 1))
    }

    deinit {
        keyBuffer.deallocate()
        for buffer in [checkColumns, bindColumns, bindRegisters] { buffer.baseAddress?.deallocate() }
        key.baseAddress?.deallocate()
        checkOperands.baseAddress?.deallocate()
    }
}

/// A membership test of a negated atom.
final class Probe {
    unowned(unsafe) let relation: Relation
    /// The index on the bound columns, when some columns are `_`.
    unowned(unsafe) let index: HashIndex?
    /// The values to look for: every column when `index` is nil, else the indexed columns.
    let key: [Operand]
    let keyBuffer: UnsafeMutablePointer<Int64>
    let label: String

    init(relation: Relation, index: HashIndex?, key: [Slot], label: String) {
        self.relation = relation
        self.index = index
        self.key = key.map(Operand.init)
        self.label = label
        keyBuffer = .allocate(capacity: max(key.count, relation.width))
        keyBuffer.initialize(repeating: 0, count: max(key.count, relation.width))
    }

    deinit { keyBuffer.deallocate() }
}

/// The join plan of one rule for one round: steps, then the head to insert into.
final class Plan {
    let steps: [Step]
    let head: Relation
    let headValues: [Computation]
    /// The head's values as operands when every one is a variable or a constant, else nil.
    let headOperands: UnsafeMutableBufferPointer<Operand>?
    let variableCount: Int
    let variableNames: [String]
    let ruleText: String

    init(steps: [Step], head: Relation, headValues: [Computation], variableNames: [String], ruleText: String) {
        self.steps = steps
        self.head = head
        self.headValues = headValues
        let slots = headValues.compactMap(\.slot)
        self.headOperands = slots.count == headValues.count ? makeBuffer(slots.map(Operand.init)) : nil
        self.variableCount = variableNames.count
        self.variableNames = variableNames
        self.ruleText = ruleText
    }

    deinit {
        headOperands?.baseAddress?.deallocate()
    }

    /// The join order, one line a step, as `.explain` prints it.
    var explanation: [String] {
        steps.map { step in
            switch step {
            case .scan(let scan):
                let how = scan.isDelta ? "delta scan" : (scan.index == nil ? "scan" : "index lookup on column\(scan.index!.columns.count == 1 ? "" : "s") \(scan.index!.columns.map(String.init).joined(separator: ","))")
                return "\(how): \(scan.label)"
            case .negation(let probe): return "anti-join: not \(probe.label)"
            case .filter(let l, let op, let r, _): return "filter: \(describe(l)) \(op.rawValue) \(describe(r))"
            case .assign(let v, let c): return "assign: \(variableNames[v]) = \(describe(c))"
            case .test(let builtin, let arguments, let negated, _):
                return "test: \(negated ? "not " : "")\(builtin.rawValue)(\(arguments.map(describe).joined(separator: ", ")))"
            }
        }
    }

    private func describe(_ c: Computation) -> String {
        switch c {
        case .constant(let v, _): return v.sourceText
        case .variable(let v): return variableNames[v]
        case .unary(let op, let e, _): return "\(op.rawValue)\(describe(e))"
        case .binary(let op, let a, let b, _): return "(\(describe(a)) \(op.rawValue) \(describe(b)))"
        case .call(let function, let arguments, _): return "\(function.rawValue)(\(arguments.map(describe).joined(separator: ", ")))"
        }
    }
}
