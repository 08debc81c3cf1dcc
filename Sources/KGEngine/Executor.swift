import KGSyntax

/// Runs plans: nested loops over scans, with registers holding the bound variables' term ids.
///
/// The inner loops read flat operands and unowned references only, so they do no reference
/// counting; expressions and comparisons (rarer) take the general path.
final class Executor {
    /// A step as the inner loop sees it: plain pointers taken when the plan starts to run
    /// (relations and indexes do not change during a run), so the loops do no reference counting.
    private struct Record {
        enum Kind { case scan, negation, condition }
        let kind: Kind
        let index: Int
        // Scans:
        var rows: UnsafeMutablePointer<Int64> = UnsafeMutablePointer(bitPattern: 8)!
        var width = 0
        var range: Range<Int> = 0..<0
        var lookup: IndexView?
        var key: UnsafeMutableBufferPointer<Operand> = UnsafeMutableBufferPointer(start: nil, count: 0)
        var keyBuffer: UnsafeMutablePointer<Int64> = UnsafeMutablePointer(bitPattern: 8)!
        var checkColumns: UnsafeMutableBufferPointer<Int> = UnsafeMutableBufferPointer(start: nil, count: 0)
        var checkOperands: UnsafeMutableBufferPointer<Operand> = UnsafeMutableBufferPointer(start: nil, count: 0)
        var bindColumns: UnsafeMutableBufferPointer<Int> = UnsafeMutableBufferPointer(start: nil, count: 0)
        var bindRegisters: UnsafeMutableBufferPointer<Int> = UnsafeMutableBufferPointer(start: nil, count: 0)

        init(kind: Kind, index: Int) {
            self.kind = kind
            self.index = index
        }

        init(scan: Scan, index: Int, delta: Range<Int>) {
            self.init(kind: .scan, index: index)
            let relation = scan.relation
            rows = relation.committed.base
            width = relation.width
            range = scan.isDelta ? delta : 0..<relation.count
            lookup = scan.index?.view
            key = scan.key
            keyBuffer = scan.keyBuffer
            checkColumns = scan.checkColumns
            checkOperands = scan.checkOperands
            bindColumns = scan.bindColumns
            bindRegisters = scan.bindRegisters
        }
    }

    private let dictionary: TermDictionary
    private var registers: UnsafeMutablePointer<Int64>
    private var registerCapacity = 16
    private var headBuffer: UnsafeMutablePointer<Int64>
    private var headCapacity = 16
    private var records: [Record] = []
    private var steps: [Step] = []
    private var stepCount = 0
    /// The head relation of the running plan, held without reference counting (the plan owns it).
    private var head: Unmanaged<Relation>
    private var headOperands: UnsafeMutableBufferPointer<Operand>?
    private var headValues: [Computation] = []
    private var delta: Range<Int> = 0..<0
    /// Called every so often during a long run; throws to stop the evaluation.
    var checkpoint: (() throws -> Void)?
    /// Rows visited since the checkpoint was last called.
    private var ticks = 0
    private let placeholder = Relation(arity: 0)

    init(dictionary: TermDictionary) {
        self.dictionary = dictionary
        registers = .allocate(capacity: registerCapacity)
        headBuffer = .allocate(capacity: headCapacity)
        head = Unmanaged.passUnretained(placeholder)
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
        steps = plan.steps
        records = plan.steps.enumerated().map { i, step in
            switch step {
            case .scan(let scan): return Record(scan: scan, index: i, delta: delta)
            case .negation: return Record(kind: .negation, index: i)
            case .filter, .assign: return Record(kind: .condition, index: i)
            }
        }
        stepCount = steps.count
        head = Unmanaged.passUnretained(plan.head)
        headOperands = plan.headOperands
        headValues = plan.headValues
        self.delta = delta
        defer { head = Unmanaged.passUnretained(placeholder) }
        try records.withUnsafeBufferPointer { try step(0, $0) }
    }

    // MARK: - Steps

    private func step(_ i: Int, _ records: UnsafeBufferPointer<Record>) throws {
        guard i < stepCount else { return try emit() }
        let record = records[i]
        switch record.kind {
        case .scan:
            try scan(record, next: i + 1, records)
        case .negation:
            guard case .negation(let probe) = steps[record.index] else { return }
            if !matches(probe) { try step(i + 1, records) }
        case .condition:
            switch steps[record.index] {
            case .filter(let l, let op, let r, _):
                if try holds(l, op, r) { try step(i + 1, records) }
            case .assign(let variable, let computation):
                registers[variable] = try id(of: computation)
                try step(i + 1, records)
            default:
                break
            }
        }
    }

    private func scan(_ record: Record, next: Int, _ records: UnsafeBufferPointer<Record>) throws {
        let registers = self.registers
        let rows = record.rows
        let width = record.width
        var visited = 0
        if let lookup = record.lookup {
            for k in 0..<record.key.count { record.keyBuffer[k] = record.key[k].value(registers) }
            var r = lookup.first(record.keyBuffer, rows: rows, width: width)
            while r >= 0 {
                if try visit(rows + Int(r) * width, record, next, records) { visited += 1 }
                r = lookup.next[Int(r)]
            }
        } else {
            for r in record.range {
                if try visit(rows + r * width, record, next, records) { visited += 1 }
            }
        }
        ticks &+= visited
        if ticks > 1 << 16, let checkpoint {
            ticks = 0
            try checkpoint()
        }
    }

    /// Binds the row's variables and goes on when its checked columns match.
    @inline(__always)
    private func visit(_ row: UnsafeMutablePointer<Int64>, _ record: Record, _ next: Int,
                       _ records: UnsafeBufferPointer<Record>) throws -> Bool {
        let registers = self.registers
        for b in 0..<record.bindColumns.count { registers[record.bindRegisters[b]] = row[record.bindColumns[b]] }
        for c in 0..<record.checkColumns.count where row[record.checkColumns[c]] != record.checkOperands[c].value(registers) {
            return false
        }
        try step(next, records)
        return true
    }

    private func matches(_ probe: Probe) -> Bool {
        let relation = probe.relation
        for (k, operand) in probe.key.enumerated() { probe.keyBuffer[k] = operand.value(registers) }
        if let index = probe.index { return index.first(probe.keyBuffer, in: relation) >= 0 }
        if probe.key.isEmpty { return relation.count > 0 }
        return relation.contains(probe.keyBuffer)
    }

    @inline(__always)
    private func emit() throws {
        if let operands = headOperands {
            for i in 0..<operands.count { headBuffer[i] = operands[i].value(registers) }
        } else {
            for (i, computation) in headValues.enumerated() { headBuffer[i] = try id(of: computation) }
        }
        let buffer = headBuffer
        head._withUnsafeGuaranteedRef { _ = $0.insert(buffer) }
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
        if op == .equal || op == .notEqual, let a = l.slot, let b = r.slot,
           Operand(a).value(registers) == Operand(b).value(registers) {
            return op == .equal
        }
        return Arithmetic.holds(try value(of: l), op, try value(of: r))
    }
}
