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
}

/// A scan of one body atom.
final class Scan {
    let relation: Relation
    /// Scan the current delta rows instead of all committed rows.
    let isDelta: Bool
    /// The index used to find matching rows; nil means a scan of the whole range.
    let index: HashIndex?
    /// The key looked up in `index`, one slot per indexed column.
    let key: [Slot]
    /// Columns that must equal a slot's value (when no index covers them).
    let checks: [(column: Int, slot: Slot)]
    /// Columns whose values bind variables.
    let binds: [(column: Int, variable: Int)]
    let keyBuffer: UnsafeMutablePointer<Int64>
    let label: String

    init(relation: Relation, isDelta: Bool, index: HashIndex?, key: [Slot], checks: [(Int, Slot)],
         binds: [(Int, Int)], label: String) {
        self.relation = relation
        self.isDelta = isDelta
        self.index = index
        self.key = key
        self.checks = checks
        self.binds = binds
        self.label = label
        keyBuffer = .allocate(capacity: max(key.count, 1))
    }

    deinit { keyBuffer.deallocate() }
}

/// A membership test of a negated atom.
final class Probe {
    let relation: Relation
    /// The index on the bound columns, when some columns are `_`.
    let index: HashIndex?
    /// The values to look for: every column when `index` is nil, else the indexed columns.
    let key: [Slot]
    let keyBuffer: UnsafeMutablePointer<Int64>
    let label: String

    init(relation: Relation, index: HashIndex?, key: [Slot], label: String) {
        self.relation = relation
        self.index = index
        self.key = key
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
    let variableCount: Int
    let variableNames: [String]
    let ruleText: String

    init(steps: [Step], head: Relation, headValues: [Computation], variableNames: [String], ruleText: String) {
        self.steps = steps
        self.head = head
        self.headValues = headValues
        self.variableCount = variableNames.count
        self.variableNames = variableNames
        self.ruleText = ruleText
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
            }
        }
    }

    private func describe(_ c: Computation) -> String {
        switch c {
        case .constant(let v, _): return v.sourceText
        case .variable(let v): return variableNames[v]
        case .unary(let op, let e, _): return "\(op.rawValue)\(describe(e))"
        case .binary(let op, let a, let b, _): return "(\(describe(a)) \(op.rawValue) \(describe(b)))"
        }
    }
}
