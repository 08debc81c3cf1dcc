import Foundation
import KGSyntax

/// Runs plans: nested loops over scans, with registers holding the bound variables' term ids.
///
/// The inner loops read flat operands and unowned references only, so they do no reference
/// counting; expressions and comparisons (rarer) take the general path. The state the loops
/// touch is marked `@exclusivity(unchecked)`: an executor runs one plan at a time on one thread,
/// and the runtime's access checks on every read and write of it cost more than a tenth of a
/// large evaluation.
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

    let dictionary: TermDictionary
    @exclusivity(unchecked) private var registers: UnsafeMutablePointer<Int64>
    @exclusivity(unchecked) private var registerCapacity = 16
    @exclusivity(unchecked) private var headBuffer: UnsafeMutablePointer<Int64>
    @exclusivity(unchecked) private var headCapacity = 16
    @exclusivity(unchecked) private var records: [Record] = []
    @exclusivity(unchecked) private var steps: [Step] = []
    @exclusivity(unchecked) private var stepCount = 0
    /// The head relation of the running plan, held without reference counting (the plan owns it).
    @exclusivity(unchecked) private var head: Unmanaged<Relation>
    /// The rows the head may take, when restricted (the caller owns the relation).
    @exclusivity(unchecked) private var headFilter: Unmanaged<Relation>?
    @exclusivity(unchecked) private var headOperands: UnsafeMutableBufferPointer<Operand>?
    @exclusivity(unchecked) private var headValues: [Computation] = []
    @exclusivity(unchecked) private var delta: Range<Int> = 0..<0
    /// Called every so often during a long run; throws to stop the evaluation.
    @exclusivity(unchecked) var checkpoint: (() throws -> Void)?
    /// Rows visited since the checkpoint was last called.
    @exclusivity(unchecked) private var ticks = 0
    /// New facts derived so far in this evaluation, and the most it may derive.
    @exclusivity(unchecked) private(set) var derivedFacts = 0
    @exclusivity(unchecked) var maximumDerivedFacts = Int.max
    @exclusivity(unchecked) var maximumMemory = Int.max
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

    /// Runs a plan until its head has `rows` new rows; returns whether it stopped early.
    func run(_ plan: Plan, stoppingAfter rows: Int) throws -> Bool {
        guard rows > 0 else { return true }
        stopAfter = derivedFacts + rows
        defer { stopAfter = Int.max }
        do {
            try run(plan)
            return false
        } catch is Enough {
            return true
        }
    }

    /// Thrown from the innermost loop when the head has the rows asked for.
    private struct Enough: Error {}
    /// The count of derived facts at which the running plan stops.
    @exclusivity(unchecked) private var stopAfter = Int.max

    /// Runs one plan; `delta` is the row range its delta scan reads. With `keepingOnly`, a
    /// derived row goes into the head only when that relation holds it.
    func run(_ plan: Plan, delta: Range<Int> = 0..<0, keepingOnly filter: Relation? = nil) throws {
        headFilter = filter.map { Unmanaged.passUnretained($0) }
        defer { headFilter = nil }
        reserveRegisters(plan.variableCount)
        if plan.head.width > headCapacity {
            headBuffer.deallocate()
            headCapacity = plan.head.width * 2
            headBuffer = .allocate(capacity: headCapacity)
        }
        headBuffer.initialize(repeating: 0, count: plan.head.width)
        steps = plan.steps
        // The same array each run (a recursive rule runs once a round, rounds may be millions).
        records.removeAll(keepingCapacity: true)
        for (i, step) in plan.steps.enumerated() {
            switch step {
            case .scan(let scan): records.append(Record(scan: scan, index: i, delta: delta))
            case .negation: records.append(Record(kind: .negation, index: i))
            case .filter, .assign, .test: records.append(Record(kind: .condition, index: i))
            }
        }
        stepCount = steps.count
        head = Unmanaged.passUnretained(plan.head)
        headOperands = plan.headOperands
        headValues = plan.headValues
        self.delta = delta
        defer { head = Unmanaged.passUnretained(placeholder) }
        // Each step of a plan is one nested call: a plan of thousands of steps (a body of
        // thousands of atoms) runs on a thread whose stack is sized for it.
        if stepCount > DeepStack.stepsOnAnyStack {
            try DeepStack.run(bytes: max(64 << 20, stepCount * 4096)) {
                try records.withUnsafeBufferPointer { try step(0, $0) }
            }
        } else {
            try records.withUnsafeBufferPointer { try step(0, $0) }
        }
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
                guard let id = try id(of: computation) else { return }
                registers[variable] = id
                try step(i + 1, records)
            case .test(let builtin, let arguments, let negated, let location):
                if try passes(builtin, arguments, location) != negated { try step(i + 1, records) }
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
            for (i, computation) in headValues.enumerated() {
                // A function that fails (to-number of text) derives nothing.
                guard let id = try id(of: computation) else { return }
                headBuffer[i] = id
            }
        }
        let buffer = headBuffer
        if let headFilter, !headFilter._withUnsafeGuaranteedRef({ $0.contains(buffer) }) { return }
        let isNew = head._withUnsafeGuaranteedRef { $0.insert(buffer) }
        if isNew {
            derivedFacts += 1
            if derivedFacts >= stopAfter { throw Enough() }
            if derivedFacts > maximumDerivedFacts { throw EngineError.tooManyFacts(limit: maximumDerivedFacts, rule: nil) }
            if derivedFacts & 0xFFFF == 0, ResidentMemory.bytes() > maximumMemory {
                throw EngineError.tooMuchMemory(limit: maximumMemory, facts: derivedFacts, rule: nil)
            }
        }
    }

    // MARK: - Expressions

    /// The term id of an expression's value; nil when a function in it fails. Integer
    /// arithmetic on inline ids stays on ids: nothing is decoded, looked up or allocated.
    func id(of computation: Computation) throws -> Int64? {
        switch computation {
        case .variable(let v): return registers[v]
        case .constant(_, let id): return id
        case .binary(let op, let a, let b, let location):
            guard let x = try id(of: a), let y = try id(of: b) else { return nil }
            if let i = TermCode.integer(x), let j = TermCode.integer(y), let id = Arithmetic.inlineInteger(op, i, j) {
                return id
            }
            do {
                return try dictionary.id(for: try Arithmetic.apply(op, dictionary.value(of: x), dictionary.value(of: y)))
            } catch let error as EngineError { throw Diagnostic(error, at: location) }
        default: return try value(of: computation).map { try dictionary.id(for: $0) }
        }
    }

    /// The value of an expression; nil when a function in it fails.
    func value(of computation: Computation) throws -> Value? {
        switch computation {
        case .constant(let value, _): return value
        case .variable(let v): return try dictionary.value(of: registers[v])
        case .unary(let op, let e, let location):
            guard let operand = try value(of: e) else { return nil }
            do {
                return op == .subtract ? try Arithmetic.negate(operand) : operand
            } catch { throw Diagnostic(error, at: location) }
        case .binary(let op, let a, let b, let location):
            guard let x = try value(of: a), let y = try value(of: b) else { return nil }
            do {
                return try Arithmetic.apply(op, x, y)
            } catch { throw Diagnostic(error, at: location) }
        case .call(let function, let arguments, let location):
            var values: [Value] = []
            for argument in arguments {
                guard let v = try value(of: argument) else { return nil }
                values.append(v)
            }
            do {
                return try function.apply(values)
            } catch { throw Diagnostic(error, at: location) }
        }
    }

    private func holds(_ l: Computation, _ op: ComparisonOperator, _ r: Computation) throws -> Bool {
        if op == .equal || op == .notEqual, let a = l.slot, let b = r.slot,
           Operand(a).value(registers) == Operand(b).value(registers) {
            return op == .equal
        }
        // Variables, constants and arithmetic compare as ids (numbers and dates inline, without
        // decoding); a function's result (often a string) is compared as the value it made.
        if l.isArithmetic && r.isArithmetic {
            guard let a = try id(of: l), let b = try id(of: r) else { return false }
            if let order = TermCode.inlineOrder(a, b) { return op.holds(order) }
            return Arithmetic.holds(try dictionary.value(of: a), op, try dictionary.value(of: b))
        }
        guard let x = try value(of: l), let y = try value(of: r) else { return false }
        return Arithmetic.holds(x, op, y)
    }

    private var regexes: [String: NSRegularExpression] = [:]

    private func passes(_ builtin: BuiltinPredicate, _ arguments: [Computation], _ location: SourceLocation) throws -> Bool {
        guard let text = try value(of: arguments[0]), let pattern = try value(of: arguments[1]) else { return false }
        return try builtin.holds(text, pattern) { source in
            if let cached = regexes[source] { return cached }
            do {
                let compiled = try NSRegularExpression(pattern: source)
                regexes[source] = compiled
                return compiled
            } catch {
                throw Diagnostic(EngineError.invalidRegex(source, reason: "it does not compile"), at: location)
            }
        }
    }

    /// Makes room for `count` registers.
    private func reserveRegisters(_ count: Int) {
        guard count > registerCapacity else { return }
        registers.deallocate()
        registerCapacity = count * 2
        registers = .allocate(capacity: registerCapacity)
    }

    /// Runs `body` with the registers holding `solution`, a register a variable of `rule`.
    func withRegisters(_ rule: CompiledRule, _ solution: UnsafePointer<Int64>, _ body: () throws -> Void) throws {
        reserveRegisters(rule.variableNames.count)
        for v in 0..<rule.variableNames.count { registers[v] = solution[v] }
        try body()
    }

    // MARK: - Aggregates

    /// Groups the distinct solutions of an aggregate rule's body (rows of `solutions`, one
    /// register a column) by the head's other arguments and inserts one head row per group.
    /// Groups are found by their ids (two inline, no allocation); `count` and `count-distinct`
    /// work on ids alone, only `sum`, `min`, `max` and `avg` decode values.
    func aggregate(_ solutions: Relation, rule: CompiledRule, into head: Relation) throws {
        let positions = rule.aggregates.keys.sorted()
        let aggregates = positions.map { rule.aggregates[$0]! }
        let keyComputations = rule.head.indices.filter { rule.aggregates[$0] == nil }.map { rule.head[$0] }
        reserveRegisters(rule.variableNames.count)
        // `count(X)` alone in the head counts the solutions, which are distinct rows already.
        if keyComputations.isEmpty, aggregates.count == 1, aggregates[0].function == .count,
           case .variable = aggregates[0].argument {
            if solutions.count > 0 {
                var count = try dictionary.id(for: .integer(Int64(solutions.count)))
                head.insert(&count)
            }
            return
        }
        if aggregates.allSatisfy({ $0.function == .count }) {
            return try count(solutions, rule: rule, keys: keyComputations, counted: aggregates.map(\.argument), into: head)
        }
        var groupOf: [GroupKey: Int] = [:]
        var keys: [[Int64]] = []
        var accumulators: [Accumulator] = []
        var key: [Int64] = []
        var inputs = [Value?](repeating: nil, count: aggregates.count)
        var inputIDs = [Int64](repeating: 0, count: aggregates.count)
        rows: for r in 0..<solutions.count {
            let row = solutions.row(r)
            for v in 0..<rule.variableNames.count { registers[v] = row[v] }
            key.removeAll(keepingCapacity: true)
            for computation in keyComputations {
                guard let id = try id(of: computation) else { continue rows }
                key.append(id)
            }
            // Every input first: a solution whose input fails counts in no group.
            for (i, aggregate) in aggregates.enumerated() {
                switch aggregate.function {
                case .count, .countDistinct:
                    guard let id = try id(of: aggregate.argument) else { continue rows }
                    inputIDs[i] = id
                case .argMax, .argMin:
                    guard let id = try id(of: aggregate.argument), let key = try value(of: aggregate.key!) else { continue rows }
                    inputIDs[i] = id
                    inputs[i] = key
                case .sum, .min, .max, .avg:
                    guard let value = try value(of: aggregate.argument) else { continue rows }
                    inputs[i] = value
                }
            }
            let group: Int
            if keyComputations.isEmpty && !keys.isEmpty {
                group = 0    // one group for all (`count(X)` alone in the head)
            } else if let known = groupOf[GroupKey(key)] {
                group = known
            } else {
                group = keys.count
                groupOf[GroupKey(key)] = group
                keys.append(key)
                accumulators += aggregates.map { Accumulator($0.function) }
            }
            for (i, aggregate) in aggregates.enumerated() {
                try accumulators[group * aggregates.count + i].add(inputs[i], id: inputIDs[i], rule: rule, at: aggregate.location)
            }
        }
        for (group, key) in keys.enumerated() {
            let results = try (0..<aggregates.count).map { try accumulators[group * aggregates.count + $0].resultIDs(dictionary) }
            insertHeads(rule, key: key, results: results, into: head)
        }
    }

    /// Inserts the head rows of one group: its key ids at the head's other positions, each
    /// aggregate's results (one, or several tied values of arg-max/arg-min) at its own, a row
    /// for every combination; with `period`, the period at the head's last two positions.
    func insertHeads(_ rule: CompiledRule, key: [Int64], results: [[Int64]], period: (Int64, Int64)? = nil, into head: Relation) {
        var row = [Int64](repeating: 0, count: head.width)
        let positions = period == nil ? rule.head.count : rule.head.count - 2
        if let period { (row[positions], row[positions + 1]) = period }
        var choice = [Int](repeating: 0, count: results.count)
        while true {
            var k = 0, a = 0
            for position in 0..<positions {
                if rule.aggregates[position] != nil {
                    row[position] = results[a][choice[a]]
                    a += 1
                } else {
                    row[position] = key[k]
                    k += 1
                }
            }
            row.withUnsafeBufferPointer { _ = head.insert($0.baseAddress!) }
            guard let next = choice.indices.last(where: { choice[$0] + 1 < results[$0].count }) else { return }
            choice[next] += 1
            for later in (next + 1)..<choice.count { choice[later] = 0 }
        }
    }
}

extension Executor {
    /// Aggregates that are all `count`: each group's number of solutions whose counted
    /// expressions all have a value, found on ids alone. Solutions read from the store come
    /// ordered by their first columns, so a row of the same group as the one before skips the
    /// lookup of its group.
    fileprivate func count(_ solutions: Relation, rule: CompiledRule, keys keyComputations: [Computation], counted: [Computation],
                           into head: Relation) throws {
        // Keys and counted arguments that are variables are read from the row itself.
        let keyColumns = keyComputations.compactMap { computation -> Int? in if case .variable(let v) = computation { return v } else { return nil } }
        let onColumns = keyColumns.count == keyComputations.count
            && counted.allSatisfy { if case .variable = $0 { return true } else { return false } }
        let width = keyComputations.count
        var groupOf: [GroupKey: Int] = [:]
        var keys: [Int64] = []              // each group's key, one after the other
        var counts: [Int64] = []
        var key = [Int64](repeating: 0, count: width)
        var previousGroup = -1
        rows: for r in 0..<solutions.count {
            let row = solutions.row(r)
            var sameAsPrevious = previousGroup >= 0
            if onColumns {
                for i in 0..<width {
                    let id = row[keyColumns[i]]
                    if id != key[i] { sameAsPrevious = false; key[i] = id }
                }
            } else {
                for v in 0..<rule.variableNames.count { registers[v] = row[v] }
                for i in 0..<width {
                    guard let id = try id(of: keyComputations[i]) else { previousGroup = -1; continue rows }
                    if id != key[i] { sameAsPrevious = false; key[i] = id }
                }
                for computation in counted where try id(of: computation) == nil {
                    previousGroup = -1
                    continue rows
                }
            }
            let group: Int
            if sameAsPrevious {
                group = previousGroup
            } else if let known = groupOf[GroupKey(key)] {
                group = known
            } else {
                group = counts.count
                groupOf[GroupKey(key)] = group
                keys += key
                counts.append(0)
            }
            counts[group] += 1
            previousGroup = group
        }
        for group in counts.indices {
            let count = try dictionary.id(for: .integer(counts[group]))
            insertHeads(rule, key: Array(keys[(group * width)..<((group + 1) * width)]), results: counted.map { _ in [count] }, into: head)
        }
    }
}

/// The ids a group of an aggregate is found by: up to two held inline, so looking a group up
/// allocates nothing in the common case.
struct GroupKey: Hashable {
    let first: Int64
    let second: Int64
    let rest: [Int64]

    init(_ ids: [Int64]) {
        first = ids.count > 0 ? ids[0] : 0
        second = ids.count > 1 ? ids[1] : 0
        rest = ids.count > 2 ? Array(ids[2...]) : []
    }
}

/// The running state of one aggregate over one group.
struct Accumulator {
    let function: AggregateFunction
    private var count: Int64 = 0
    private var distinct = Set<Int64>()
    private var total: Value = .integer(0)
    /// The best value so far (`min`, `max`), or the best key (`arg-max`, `arg-min`).
    private var best: Value?
    /// The ids of the values that came with the best key, each once, in order of arrival.
    private var bestIDs: [Int64] = []

    init(_ function: AggregateFunction) {
        self.function = function
    }

    /// Adds one solution's input: its id for `count` and `count-distinct`; the value's id and
    /// the key for `arg-max` and `arg-min`; its value otherwise.
    mutating func add(_ input: Value?, id: Int64, rule: CompiledRule, at location: SourceLocation) throws {
        count += 1
        switch function {
        case .count: return
        case .countDistinct: distinct.insert(id); return
        default: break
        }
        guard let value = input else { return }
        switch function {
        case .count, .countDistinct: break
        case .sum, .avg:
            guard value.isNumber else {
                let name = "\(rule.headPredicate.sourceText)/\(rule.head.count)"
                throw Diagnostic(EngineError.aggregateNotANumber(function: function.rawValue, value: value.described, rule: name), at: location)
            }
            do {
                total = try Arithmetic.apply(.add, total, value)
            } catch { throw Diagnostic(error, at: location) }
        case .min:
            if best == nil || Value.sortOrder(value, best!) { best = value }
        case .max:
            if best == nil || Value.sortOrder(best!, value) { best = value }
        case .argMax, .argMin:
            if let current = best, current == value {
                if !bestIDs.contains(id) { bestIDs.append(id) }
            } else if best == nil || (function == .argMax ? Value.sortOrder(best!, value) : Value.sortOrder(value, best!)) {
                best = value
                bestIDs = [id]
            }
        }
    }

    /// The aggregate's result ids: one, or for `arg-max` and `arg-min` each tied value.
    func resultIDs(_ dictionary: TermDictionary) throws -> [Int64] {
        switch function {
        case .count: return [try dictionary.id(for: .integer(count))]
        case .countDistinct: return [try dictionary.id(for: .integer(Int64(distinct.count)))]
        case .sum: return [try dictionary.id(for: total)]
        case .min, .max: return [try dictionary.id(for: best ?? .integer(0))]
        case .avg: return [try dictionary.id(for: .decimal((total.decimalValue ?? 0) / Decimal(count)))]
        case .argMax, .argMin: return bestIDs
        }
    }
}
