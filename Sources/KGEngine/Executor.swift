import KGSyntax

/// Runs plans: nested loops over scans, with registers holding the bound variables' term ids.
final class Executor {
    private let dictionary: TermDictionary
    private var registers: UnsafeMutablePointer<Int64>
    private var registerCapacity = 16
    private var headBuffer: UnsafeMutablePointer<Int64>
    private var headCapacity = 16
    private var plan: Plan!
    private var steps: [Step] = []
    private var delta: Range<Int> = 0..<0
    /// Rows inserted into head relations since the last reset; checked against `limit`.
    private(set) var derivedCount = 0
    /// Called every so often during a long run; throws to stop the evaluation.
    var checkpoint: (() throws -> Void)?
    private var ticks = 0

    init(dictionary: TermDictionary) {
        self.dictionary = dictionary
        registers = .allocate(capacity: registerCapacity)
        headBuffer = .allocate(capacity: headCapacity)
    }

    deinit {
        registers.deallocate()
        headBuffer.deallocate()
    }

    /// Runs one plan; `delta` is the row range its delta scan reads.
    func run(_ plan: Plan, delta: Range<Int> = 0..<0) throws {
        if plan.variableCount > registerCapacity {
            registers.deallocate()
            registerCapacity = plan.variableCount * 2
            registers = .allocate(capacity: registerCapacity)
        }
        if plan.head.width > headCapacity {
            headBuffer.deallocate()
            headCapacity = plan.head.width * 2
            headBuffer = .allocate(capacity: headCapacity)
        }
        headBuffer.initialize(repeating: 0, count: plan.head.width)
        self.plan = plan
        self.steps = plan.steps
        self.delta = delta
        try step(0)
    }

    // MARK: - Steps

    private func step(_ i: Int) throws {
        guard i < steps.count else { return try emit() }
        switch steps[i] {
        case .scan(let scan):
            try run(scan, next: i + 1)
        case .negation(let probe):
            if !matches(probe) { try step(i + 1) }
        case .filter(let l, let op, let r, _):
            if try holds(l, op, r) { try step(i + 1) }
        case .assign(let variable, let computation):
            registers[variable] = try id(of: computation)
            try step(i + 1)
        }
    }

    @inline(__always)
    private func value(of slot: Slot) -> Int64 {
        switch slot {
        case .variable(let v): return registers[v]
        case .constant(let id): return id
        case .anonymous: return 0
        }
    }

    private func run(_ scan: Scan, next: Int) throws {
        let relation = scan.relation
        let checks = scan.checks
        let binds = scan.binds
        if let index = scan.index {
            for (k, slot) in scan.key.enumerated() { scan.keyBuffer[k] = value(of: slot) }
            var r = index.first(scan.keyBuffer, in: relation)
            let chain = index.next
            while r >= 0 {
                let row = relation.row(Int(r))
                if try visit(row, checks, binds, next) { }
                r = chain[Int(r)]
            }
            return
        }
        let range = scan.isDelta ? delta : 0..<relation.count
        for r in range {
            _ = try visit(relation.row(r), checks, binds, next)
        }
    }

    @inline(__always)
    private func visit(_ row: UnsafeMutablePointer<Int64>, _ checks: [(column: Int, slot: Slot)],
                       _ binds: [(column: Int, variable: Int)], _ next: Int) throws -> Bool {
        for b in binds { registers[b.variable] = row[b.column] }
        for c in checks where row[c.column] != value(of: c.slot) { return false }
        ticks &+= 1
        if ticks & 0xFFFF == 0, let checkpoint { try checkpoint() }
        try step(next)
        return true
    }

    private func matches(_ probe: Probe) -> Bool {
        let relation = probe.relation
        for (k, slot) in probe.key.enumerated() { probe.keyBuffer[k] = value(of: slot) }
        if let index = probe.index { return index.first(probe.keyBuffer, in: relation) >= 0 }
        if probe.key.isEmpty { return relation.count > 0 }
        return relation.contains(probe.keyBuffer)
    }

    private func emit() throws {
        let values = plan.headValues
        for (i, computation) in values.enumerated() {
            switch computation {
            case .variable(let v): headBuffer[i] = registers[v]
            case .constant(_, let id): headBuffer[i] = id
            default: headBuffer[i] = try id(of: computation)
            }
        }
        if plan.head.insert(headBuffer) { derivedCount += 1 }
    }

    // MARK: - Expressions

    private func id(of computation: Computation) throws -> Int64 {
        switch computation {
        case .variable(let v): return registers[v]
        case .constant(_, let id): return id
        default: return try dictionary.id(for: value(of: computation))
        }
    }

    private func value(of computation: Computation) throws -> Value {
        switch computation {
        case .constant(let value, _): return value
        case .variable(let v): return try dictionary.value(of: registers[v])
        case .unary(let op, let e, let location):
            let operand = try value(of: e)
            do {
                return op == .subtract ? try Arithmetic.negate(operand) : operand
            } catch { throw Diagnostic(error, at: location) }
        case .binary(let op, let a, let b, let location):
            let (x, y) = (try value(of: a), try value(of: b))
            do {
                return try Arithmetic.apply(op, x, y)
            } catch { throw Diagnostic(error, at: location) }
        }
    }

    private func holds(_ l: Computation, _ op: ComparisonOperator, _ r: Computation) throws -> Bool {
        if op == .equal || op == .notEqual, let a = l.slot, let b = r.slot, value(of: a) == value(of: b) {
            return op == .equal
        }
        return Arithmetic.holds(try value(of: l), op, try value(of: r))
    }
}
