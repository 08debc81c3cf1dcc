import KGSyntax

/// The rules valid time evaluates specially (`ValidTime.SpecialRule`): merging periods,
/// taking away the periods of negated premises, and aggregates for each period.
///
/// Periods are half open, `[from, until)`, their ends inline date ids; they are compared by
/// their days.
extension Evaluator {
    /// `p[maximal](A..., F, U) :- p[periods](A..., F, U).`: each fact's periods, overlapping
    /// or adjacent ones merged.
    /// With a source (`p[maximal-by-source]`), each source's periods are merged apart: the
    /// rows (arguments, period, source) are read as (arguments, source, period).
    func coalesce(_ rule: CompiledRule, into head: Relation) throws {
        guard case .positive(let atom) = rule.body.first else { return }
        var periods = try relation(atom.predicate, withSources: atom.source != nil)
        let width = head.arity
        if atom.source != nil {
            let bySource = Relation(arity: width)
            var row = [Int64](repeating: 0, count: width)
            for r in 0..<periods.count {
                let read = periods.row(r)
                for column in 0..<(width - 3) { row[column] = read[column] }
                (row[width - 3], row[width - 2], row[width - 1]) = (read[width - 1], read[width - 3], read[width - 2])
                row.withUnsafeBufferPointer { _ = bySource.insert($0.baseAddress!) }
            }
            bySource.commit()
            periods = bySource
        }
        for merged in Periods.merged(periods, width: width) { merged.withUnsafeBufferPointer { _ = head.insert($0.baseAddress!) } }
    }

    /// A rule with negated premises that have periods, ready to apply: the rule of its other
    /// premises' solutions, where the head's period is, and the periods each negated premise
    /// takes away (its predicate is of a lower stratum, so they are known before it runs).
    struct Subtraction {
        let rule: CompiledRule
        /// The rule whose head is a solution (every variable) of the premises kept.
        let solutionRule: CompiledRule
        /// The positions in `rule.body` of the premises kept, in `solutionRule.body`'s order.
        let kept: [Int]
        /// The variables of the head's period (none for a rule without periods, with only
        /// `not ... at D`).
        let period: (from: Int, until: Int)?
        let negations: [(columns: [(position: Int, slot: Slot)], periods: [[Int64]: [(Int64, Int64)]], day: Slot?)]
    }

    /// Reads what `subtract` needs: the periods of the negated premises, by the arguments they
    /// are matched on.
    func subtraction(_ rule: CompiledRule, negations: [Int], excluding: [Int]) throws -> Subtraction? {
        let kept = rule.body.indices.filter { !negations.contains($0) && !excluding.contains($0) }
        let solutionRule = CompiledRule(headPredicate: rule.headPredicate, head: rule.variableNames.indices.map { .variable($0) },
                                        aggregates: [:], body: kept.map { rule.body[$0] }, variableNames: rule.variableNames, text: rule.text)
        var period: (from: Int, until: Int)?
        if !negations.isEmpty {
            guard case .variable(let from)? = rule.head.dropLast().last, case .variable(let until)? = rule.head.last else { return nil }
            period = (from, until)
        }
        var subtracted: [(columns: [(position: Int, slot: Slot)], periods: [[Int64]: [(Int64, Int64)]], day: Slot?)] = []
        for index in negations + excluding {
            guard case .negated(let atom) = rule.body[index] else { continue }
            let relation = try self.relation(atom.predicate, withSources: false)
            let matched = atom.arguments.dropLast(2).enumerated().filter { $0.element != .anonymous }.map { (position: $0.offset, slot: $0.element) }
            var periods: [[Int64]: [(Int64, Int64)]] = [:]
            let width = relation.arity
            for r in 0..<relation.count {
                let row = relation.row(r)
                let key = matched.map { row[$0.position] }
                periods[key, default: []].append((row[width - 2], row[width - 1]))
            }
            for key in periods.keys { periods[key] = Periods.union(periods[key]!) }
            subtracted.append((matched, periods, excluding.contains(index) ? atom.arguments.last : nil))
        }
        return Subtraction(rule: rule, solutionRule: solutionRule, kept: kept, period: period, negations: subtracted)
    }

    /// A rule with negated premises that have periods: each solution of the rest holds over
    /// its period minus the periods in which a premise at `negations` holds, unless a premise
    /// at `excluding` (`not p(...) at D`) holds on its day.
    func subtract(_ rule: CompiledRule, negations: [Int], excluding: [Int], into head: Relation, planner: Planner) throws {
        guard let subtraction = try subtraction(rule, negations: negations, excluding: excluding) else { return }
        let solutions = Relation(arity: rule.variableNames.count)
        try executor.run(try planner.plan(subtraction.solutionRule, head: solutions, deltaAtom: nil))
        solutions.commit()
        try apply(subtraction, to: solutions, into: head)
    }

    /// An aggregate per period over a body with negated premises that have periods: each
    /// solution of the rest, over what remains of its period, is one of the aggregate's.
    func aggregateAfterSubtracting(_ rule: CompiledRule, negations: [Int], excluding: [Int], into head: Relation, planner: Planner) throws {
        guard let subtraction = try subtraction(rule, negations: negations, excluding: excluding) else { return }
        let solutions = Relation(arity: rule.variableNames.count)
        try executor.run(try planner.plan(subtraction.solutionRule, head: solutions, deltaAtom: nil))
        solutions.commit()
        let remaining = Relation(arity: rule.variableNames.count)
        try apply(subtraction, to: solutions) { _ = remaining.insert($0) }
        remaining.commit()
        trace.append("  aggregate rule (for each period, after negated premises): \(rule.text)")
        try executor.aggregatePerPeriod(remaining, rule: rule, into: head)
    }

    /// Inserts into `head` each of `solutions` over what remains of its period.
    func apply(_ subtraction: Subtraction, to solutions: Relation, into head: Relation) throws {
        try apply(subtraction, to: solutions) { try executor.insertHead(subtraction.rule, solution: $0, into: head) }
    }

    /// Hands `emit` each of `solutions` (all the rule's variables) over each piece that remains
    /// of its period, the period's variables set to the piece.
    func apply(_ subtraction: Subtraction, to solutions: Relation, emit: (UnsafePointer<Int64>) throws -> Void) throws {
        func id(_ slot: Slot, _ row: UnsafeMutablePointer<Int64>) -> Int64 {
            switch slot {
            case .variable(let v): return row[v]
            case .constant(let id): return id
            case .anonymous: return 0
            }
        }
        var buffer = [Int64](repeating: 0, count: subtraction.rule.variableNames.count)
        solutions: for r in 0..<solutions.count {
            let row = solutions.row(r)
            for v in buffer.indices { buffer[v] = row[v] }
            var pieces = subtraction.period.map { [(row[$0.from], row[$0.until])] } ?? []
            for negation in subtraction.negations {
                let key = negation.columns.map { id($0.slot, row) }
                guard let periods = negation.periods[key] else { continue }
                if let day = negation.day {
                    let d = Periods.day(id(day, row))
                    if periods.contains(where: { Periods.day($0.0) <= d && d < Periods.day($0.1) }) { continue solutions }
                } else {
                    pieces = pieces.flatMap { Periods.subtract(periods, from: $0) }
                }
            }
            guard let period = subtraction.period else {
                try buffer.withUnsafeBufferPointer { try emit($0.baseAddress!) }
                continue
            }
            for piece in pieces {
                buffer[period.from] = piece.0
                buffer[period.until] = piece.1
                try buffer.withUnsafeBufferPointer { try emit($0.baseAddress!) }
            }
        }
    }
}

/// Arithmetic on periods: half-open, their ends inline date ids.
enum Periods {
    static func day(_ id: Int64) -> Int64 { TermCode.day(id) ?? 0 }

    /// The union of periods, as disjoint periods in order (overlapping or adjacent merged).
    static func union(_ periods: [(Int64, Int64)]) -> [(Int64, Int64)] {
        let sorted = periods.sorted { day($0.0) < day($1.0) }
        var result: [(Int64, Int64)] = []
        for period in sorted {
            if let last = result.last, day(period.0) <= day(last.1) {
                if day(period.1) > day(last.1) { result[result.count - 1].1 = period.1 }
            } else {
                result.append(period)
            }
        }
        return result
    }

    /// `period` minus the disjoint, ordered `periods`: what is left, in order.
    static func subtract(_ periods: [(Int64, Int64)], from period: (Int64, Int64)) -> [(Int64, Int64)] {
        var result: [(Int64, Int64)] = []
        var start = period.0
        let end = day(period.1)
        for taken in periods where day(taken.1) > day(start) && day(taken.0) < end {
            if day(taken.0) > day(start) { result.append((start, taken.0)) }
            start = taken.1
            if day(start) >= end { return result }
        }
        if day(start) < end { result.append((start, period.1)) }
        return result
    }

    /// The rows of a relation whose last two columns are a period, each row's periods merged
    /// with those of the same other columns.
    static func merged(_ relation: Relation, width: Int) -> [[Int64]] {
        var byFact: [[Int64]: [(Int64, Int64)]] = [:]
        var order: [[Int64]] = []
        for r in 0..<relation.count {
            let row = relation.row(r)
            let fact = Array(UnsafeBufferPointer(start: row, count: width - 2))
            if byFact[fact] == nil { order.append(fact) }
            byFact[fact, default: []].append((row[width - 2], row[width - 1]))
        }
        return order.flatMap { fact in union(byFact[fact]!).map { fact + [$0.0, $0.1] } }
    }
}

extension Executor {
    /// Inserts the head of `rule` computed from one solution (a register a variable).
    func insertHead(_ rule: CompiledRule, solution: UnsafePointer<Int64>, into head: Relation) throws {
        try withRegisters(rule, solution) {
            var row = [Int64](repeating: 0, count: head.width)
            for (position, computation) in rule.head.enumerated() {
                guard let id = try id(of: computation) else { return }
                row[position] = id
            }
            row.withUnsafeBufferPointer { _ = head.insert($0.baseAddress!) }
        }
    }

    /// An aggregate rule with periods: its solutions (a register a variable, the period at the
    /// head's last two variables) are grouped by the head's other arguments, and each group's
    /// aggregates computed for each period in which its solutions stay the same; periods with
    /// the same results one after the other are one. A solution is its variables other than
    /// the periods', so one that holds over overlapping periods counts once.
    func aggregatePerPeriod(_ solutions: Relation, rule: CompiledRule, into head: Relation) throws {
        guard case .variable(let fromVariable)? = rule.head.dropLast().last, case .variable(let untilVariable)? = rule.head.last else { return }
        let positions = rule.aggregates.keys.sorted()
        let aggregates = positions.map { rule.aggregates[$0]! }
        let keyPositions = (0..<(rule.head.count - 2)).filter { rule.aggregates[$0] == nil }
        let identity = rule.variableNames.indices.filter { !rule.variableNames[$0].hasPrefix("_from") && !rule.variableNames[$0].hasPrefix("_until") }
        // Each solution's group, identity, period and aggregate inputs.
        struct Solution {
            let identity: [Int64]
            let from: Int64, until: Int64
            let inputs: [Value?]
            let inputIDs: [Int64]
        }
        var groups: [[Int64]: [Solution]] = [:]
        var groupOrder: [[Int64]] = []
        rows: for r in 0..<solutions.count {
            let row = solutions.row(r)
            var found: Solution?
            var key: [Int64] = []
            try withRegisters(rule, row) {
                for position in keyPositions {
                    guard let id = try id(of: rule.head[position]) else { return }
                    key.append(id)
                }
                var inputs: [Value?] = [], inputIDs: [Int64] = []
                for aggregate in aggregates {
                    switch aggregate.function {
                    case .count, .countDistinct:
                        guard let id = try id(of: aggregate.argument) else { return }
                        inputs.append(nil)
                        inputIDs.append(id)
                    case .argMax, .argMin:
                        guard let id = try id(of: aggregate.argument), let key = try value(of: aggregate.key!) else { return }
                        inputs.append(key)
                        inputIDs.append(id)
                    case .sum, .min, .max, .avg:
                        guard let value = try value(of: aggregate.argument) else { return }
                        inputs.append(value)
                        inputIDs.append(0)
                    }
                }
                found = Solution(identity: identity.map { row[$0] }, from: row[fromVariable], until: row[untilVariable], inputs: inputs, inputIDs: inputIDs)
            }
            guard let solution = found else { continue rows }
            if groups[key] == nil { groupOrder.append(key) }
            groups[key, default: []].append(solution)
        }
        for key in groupOrder {
            let members = groups[key]!
            // The days on which what holds may change, in order; between two of them, the
            // solutions whose period covers it.
            var boundaries = Set<Int64>()
            var idOfDay: [Int64: Int64] = [:]
            for solution in members {
                for end in [solution.from, solution.until] {
                    boundaries.insert(Periods.day(end))
                    idOfDay[Periods.day(end)] = end
                }
            }
            let days = boundaries.sorted()
            var open: (results: [[Int64]], from: Int64)?
            var last: Int64 = 0
            func close(at end: Int64) {
                guard let run = open else { return }
                insertHeads(rule, key: key, results: run.results, period: (run.from, end), into: head)
                open = nil
            }
            // A sweep over the days: each solution (by identity) enters at its start and leaves
            // at its end; how many of its periods cover the current day is counted, so one
            // covered twice counts once. Counts need only the number of solutions present;
            // other aggregates are computed over the solutions present.
            var identityNumber: [[Int64]: Int] = [:]
            var representative: [Int] = []            // a member index for each identity
            var events: [(day: Int64, change: Int, identity: Int)] = []
            for (index, solution) in members.enumerated() {
                let number: Int
                if let known = identityNumber[solution.identity] { number = known } else {
                    number = representative.count
                    identityNumber[solution.identity] = number
                    representative.append(index)
                }
                events.append((Periods.day(solution.from), 1, number))
                events.append((Periods.day(solution.until), -1, number))
            }
            events.sort { $0.day < $1.day }
            let countsOnly = aggregates.allSatisfy { $0.function == .count }
            var covering = [Int](repeating: 0, count: representative.count)
            var present = Set<Int>()
            var next = 0
            for (start, end) in zip(days, days.dropFirst()) {
                while next < events.count && events[next].day <= start {
                    let event = events[next]
                    covering[event.identity] += event.change
                    if covering[event.identity] > 0 { present.insert(event.identity) } else { present.remove(event.identity) }
                    next += 1
                }
                let startID = idOfDay[start]!
                guard !present.isEmpty else {
                    close(at: startID)
                    continue
                }
                let results: [[Int64]]
                if countsOnly {
                    let count = try dictionary.id(for: .integer(Int64(present.count)))
                    results = aggregates.map { _ in [count] }
                } else {
                    var accumulators = aggregates.map { Accumulator($0.function) }
                    for identity in present.sorted() {
                        let solution = members[representative[identity]]
                        for i in aggregates.indices {
                            try accumulators[i].add(solution.inputs[i], id: solution.inputIDs[i], rule: rule, at: aggregates[i].location)
                        }
                    }
                    results = try accumulators.map { try $0.resultIDs(dictionary) }
                }
                if let run = open, run.results == results, last == start { last = end; continue }
                close(at: startID)
                open = (results, startID)
                last = end
            }
            if let run = open { insertHeads(rule, key: key, results: run.results, period: (run.from, idOfDay[last]!), into: head) }
        }
    }
}
