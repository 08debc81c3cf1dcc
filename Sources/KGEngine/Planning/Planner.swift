import KGSyntax

/// Chooses a join order for a rule and turns it into a `Plan`.
///
/// The delta atom (in a recursive round) goes first. Then, greedily, the atom with the most bound
/// arguments, ties broken by the smaller relation; every comparison, assignment and negation is
/// placed as soon as its variables are bound.
struct Planner {
    /// Returns the relation of a predicate; `withSources` gives the one with the source column,
    /// and `bound` (argument position to term id) only the stored facts with those arguments.
    let relation: (_ predicate: Value, _ withSources: Bool, _ bound: [Int: Int64]) throws -> Relation
    /// Predicates defined by rules: their relations hold derived facts, so they are never
    /// loaded with constants filtered by the store.
    let derived: Set<Value>
    /// Writes a term id as source text, for plan labels.
    let describe: (Int64) -> String
    /// The relation of a predicate if it is at hand already and complete (loaded, not derived),
    /// else nil: what sideways restriction may take values from without loading anything.
    /// With `loading`, a stored predicate's relation is loaded to be at hand.
    var known: (_ predicate: Value, _ withSources: Bool, _ bound: [Int: Int64], _ loading: Bool) throws -> Relation? = { _, _, _, _ in nil }
    /// The stored facts of a predicate with `column` holding one of `values` (distinct, sorted),
    /// read from the store value by value; nil when the predicate is not read from the store.
    var restricted: (_ predicate: Value, _ withSources: Bool, _ bound: [Int: Int64], _ column: Int, _ values: [Int64]) throws -> Relation? = { _, _, _, _, _ in nil }
    /// The most distinct values of a variable for which an atom of a stored predicate is read
    /// only for those values (`text-match(T, "..."), about(E, T)` reads about's facts of the
    /// matching terms, not all of them).
    static let sidewaysValueLimit = 1_000
    /// The most literals of a body whose atoms are read sideways.
    static let sidewaysBodyLimit = 64

    func plan(_ rule: CompiledRule, head: Relation, deltaAtom: Int?) throws -> Plan {
        var planner = self
        planner.sideways = try sidewaysRestrictions(rule, deltaAtom: deltaAtom)
        return try planner.planWithRelations(rule, head: head, deltaAtom: deltaAtom)
    }

    /// Atoms of stored predicates read only for the values another atom of the body gives one
    /// of their variables, by body position: when that atom's relation is complete (not
    /// derived, not the delta) with few distinct values there. Every solution of the body takes
    /// its value from them, so nothing is lost. Repeated until no more atoms are restricted, so
    /// a chain (`text-match(T, ...), about(E, T), label(E, L)`) is read along: first from the
    /// relations at hand (a text search's, those loaded already), then loading the stored
    /// relations that give values (`published-on(S, D), member-of(X, O) @ S`), which the plan
    /// would load anyway, from atoms written before the one they restrict.
    private func sidewaysRestrictions(_ rule: CompiledRule, deltaAtom: Int?) throws -> [Int: (relation: Relation, note: String)] {
        var restricted: [Int: (relation: Relation, note: String)] = [:]
        // Pairs of atoms are looked at: a body of thousands (planned in about linear time) is
        // read as it is.
        guard rule.body.count <= Planner.sidewaysBodyLimit else { return restricted }
        for loading in [false, true] {
          var changed = true
          while changed {
            changed = false
            for (b, literal) in rule.body.enumerated() where b != deltaAtom && restricted[b] == nil {
                guard case .positive(let atom) = literal, !derived.contains(atom.predicate) else { continue }
                let filter = storeFilter(atom)
                // A relation at hand whole needs no reading of parts.
                guard try known(atom.predicate, atom.source != nil, filter, false) == nil else { continue }
                let columns = atom.arguments + (atom.source.map { [$0] } ?? [])
                search: for (column, slot) in columns.enumerated() {
                    guard case .variable(let v) = slot else { continue }
                    // Loading, only atoms written before give values (left to right, as the
                    // rule is read), so that no relation a later one restricts is loaded whole.
                    for (a, other) in rule.body.enumerated() where a != b && a != deltaAtom && (!loading || a < b || restricted[a] != nil) {
                        guard case .positive(let giver) = other else { continue }
                        let giverColumns = giver.arguments + (giver.source.map { [$0] } ?? [])
                        guard let c = giverColumns.firstIndex(of: .variable(v)),
                              let relation = try restricted[a]?.relation ?? known(giver.predicate, giver.source != nil, storeFilter(giver), loading),
                              relation.count <= Planner.sidewaysValueLimit else { continue }
                        var values = Set<Int64>()
                        for r in 0..<relation.count { values.insert(relation.row(r)[c]) }
                        guard let read = try self.restricted(atom.predicate, atom.source != nil, filter, column, values.sorted()) else { break search }
                        restricted[b] = (read, "read for the \(values.count) values of column \(column + 1) in \(label(giver, names: rule.variableNames))")
                        changed = true
                        break search
                    }
                }
            }
          }
        }
        return restricted
    }

    /// Atoms read only for some values (`sidewaysRestrictions`), by body position.
    var sideways: [Int: (relation: Relation, note: String)] = [:]

    /// The relation an atom of the body reads: its restricted one, or the predicate's.
    func relation(ofAtomAt position: Int, _ atom: CompiledAtom, filter: [Int: Int64]) throws -> Relation {
        try sideways[position]?.relation ?? relation(atom.predicate, atom.source != nil, filter)
    }

    private func planWithRelations(_ rule: CompiledRule, head: Relation, deltaAtom: Int?) throws -> Plan {
        var state = try PlanningState(rule, planner: self)
        var steps: [Step] = []
        let names = rule.variableNames
        if let delta = deltaAtom, case .positive(let atom) = rule.body[delta] {
            state.placed[delta] = true
            let (scan, newlyBound) = try scan(atom, at: delta, bound: state.bound, isDelta: true, names: names)
            steps.append(.scan(scan))
            state.bind(newlyBound)
        }
        while true {
            try placeReadyConditions(rule, &state, &steps)
            guard let chosen = state.nextAtom(), case .positive(let atom) = rule.body[chosen] else { break }
            state.placed[chosen] = true
            let (scan, newlyBound) = try scan(atom, at: chosen, bound: state.bound, isDelta: false, names: names)
            steps.append(.scan(scan))
            state.bind(newlyBound)
        }
        return Plan(steps: steps, head: head, headValues: rule.head, variableNames: names, ruleText: rule.text)
    }

    /// Places every negation, comparison and assignment whose variables are bound, the first
    /// in body order first, until none is left ready.
    private func placeReadyConditions(_ rule: CompiledRule, _ state: inout PlanningState, _ steps: inout [Step]) throws {
        while let i = state.nextReadyCondition() {
            let bound = state.bound
            state.placed[i] = true
            switch rule.body[i] {
            case .positive:
                continue
            case .negated(let atom):
                steps.append(.negation(try probe(atom, names: rule.variableNames)))
            case .builtin(let builtin, let arguments, let negated, let location):
                steps.append(.test(builtin, arguments, negated: negated, location))
            case .comparison(let l, let op, let r, let location):
                if l.variables.isSubset(of: bound) && r.variables.isSubset(of: bound) {
                    steps.append(.filter(l, op, r, location))
                } else if op == .equal, case .variable(let v) = l, !bound.contains(v), r.variables.isSubset(of: bound) {
                    steps.append(.assign(v, r))
                    state.bind([v])
                } else if op == .equal, case .variable(let v) = r, !bound.contains(v), l.variables.isSubset(of: bound) {
                    steps.append(.assign(v, l))
                    state.bind([v])
                }
            }
        }
    }

    /// The constant arguments of an atom of a stored-only predicate, and its constant source (as
    /// the column after the arguments), for the store to filter by.
    func storeFilter(_ atom: CompiledAtom) -> [Int: Int64] {
        guard !derived.contains(atom.predicate) else { return [:] }
        var filter: [Int: Int64] = [:]
        for (column, slot) in (atom.arguments + (atom.source.map { [$0] } ?? [])).enumerated() {
            if case .constant(let id) = slot { filter[column] = id }
        }
        return filter
    }

    /// The scan of an atom, and the variables it binds.
    private func scan(_ atom: CompiledAtom, at position: Int, bound: Set<Int>, isDelta: Bool, names: [String]) throws -> (Scan, Set<Int>) {
        let filter = isDelta ? [:] : storeFilter(atom)
        let relation = isDelta ? try self.relation(atom.predicate, atom.source != nil, filter) : try self.relation(ofAtomAt: position, atom, filter: filter)
        let columns = atom.arguments + (atom.source.map { [$0] } ?? [])
        var keyColumns: [Int] = []
        var key: [Slot] = []
        var checks: [(Int, Slot)] = []
        var binds: [(Int, Int)] = []
        var boundHere = Set<Int>()
        for (column, slot) in columns.enumerated() {
            if filter[column] != nil { continue }    // every row of the filtered relation matches
            switch slot {
            case .anonymous:
                continue
            case .constant:
                keyColumns.append(column); key.append(slot)
            case .variable(let v) where bound.contains(v):
                keyColumns.append(column); key.append(slot)
            case .variable(let v) where boundHere.contains(v):
                checks.append((column, slot))
            case .variable(let v):
                binds.append((column, v))
                boundHere.insert(v)
            }
        }
        var label = label(atom, names: names)
        if !isDelta, let note = sideways[position]?.note { label += " (\(note))" }
        if isDelta || keyColumns.isEmpty {
            let keyChecks = zip(keyColumns, key).map { ($0, $1) }
            return (Scan(relation: relation, isDelta: isDelta, index: nil, key: [], checks: keyChecks + checks, binds: binds, label: label), boundHere)
        }
        return (Scan(relation: relation, isDelta: false, index: relation.index(on: keyColumns), key: key,
                     checks: checks, binds: binds, label: label), boundHere)
    }

    private func probe(_ atom: CompiledAtom, names: [String]) throws -> Probe {
        // `not atom @ s` (on a stored predicate; the rewrite turned a derived one's into its
        // `[sources]` relation) looks in the rows with sources, the source one more column.
        let relation = try relation(atom.predicate, atom.source != nil, storeFilter(atom))
        let label = label(atom, names: names)
        let arguments = atom.arguments + (atom.source.map { [$0] } ?? [])
        if !arguments.contains(.anonymous) {
            return Probe(relation: relation, index: nil, key: arguments, label: label)
        }
        let columns = arguments.indices.filter { arguments[$0] != .anonymous }
        return Probe(relation: relation, index: columns.isEmpty ? nil : relation.index(on: columns),
                     key: columns.map { arguments[$0] }, label: label)
    }

    func label(_ atom: CompiledAtom, names: [String]) -> String {
        func text(_ slot: Slot) -> String {
            switch slot {
            case .anonymous: return "_"
            case .variable(let v): return names[v]
            case .constant(let id): return describe(id)
            }
        }
        let args = atom.arguments.map(text).joined(separator: ", ")
        let source = atom.source.map { " @ \(text($0))" } ?? ""
        return "\(atom.predicate.sourceText)(\(args))\(source)"
    }
}

/// What planning one rule keeps track of, so that each step costs about log n for a body of n
/// literals (a body of thousands of atoms is planned in linear time, not quadratic): the
/// variables bound so far, the atoms not yet placed in two heaps — those with a bound argument
/// and the others, each by (relation size, position) — and for each condition how many of the
/// variables it waits for are still unbound.
private struct PlanningState {
    private(set) var bound = Set<Int>()
    var placed: [Bool]
    private var sizes: [Int]
    private var hasBoundArgument: [Bool]
    private var withBound = PlanningState.heap()
    private var withoutBound = PlanningState.heap()
    private var atomsOfVariable: [Int: [Int]] = [:]
    /// For each condition: variables still unbound of all it uses, and for `X = e` / `e = X`
    /// of the side that must be bound for an assignment (-1 when it cannot assign).
    private var unboundAll: [Int]
    private var unboundLeft: [Int]
    private var unboundRight: [Int]
    private var conditionsOfVariable: [Int: [(condition: Int, side: Int)]] = [:]
    private var ready = PlanningState.heap()
    private var queued: [Bool]

    /// Positions by a key (a relation's size, or the position itself), then by position.
    private static func heap() -> Heap<(key: Int, position: Int)> {
        Heap { $0.key != $1.key ? $0.key < $1.key : $0.position < $1.position }
    }

    init(_ rule: CompiledRule, planner: Planner) throws {
        let count = rule.body.count
        placed = Array(repeating: false, count: count)
        sizes = Array(repeating: 0, count: count)
        hasBoundArgument = Array(repeating: false, count: count)
        unboundAll = Array(repeating: 0, count: count)
        unboundLeft = Array(repeating: -1, count: count)
        unboundRight = Array(repeating: -1, count: count)
        queued = Array(repeating: false, count: count)
        for (i, literal) in rule.body.enumerated() {
            switch literal {
            case .positive(let atom):
                // A constant the store filters by is no key to look up: the relation holds only
                // its rows already, so the atom is a scan of that (smaller) relation.
                let filter = planner.storeFilter(atom)
                sizes[i] = try planner.relation(ofAtomAt: i, atom, filter: filter).count
                for (column, slot) in (atom.arguments + (atom.source.map { [$0] } ?? [])).enumerated() {
                    if case .constant = slot, filter[column] == nil { hasBoundArgument[i] = true }
                    if case .variable(let v) = slot { atomsOfVariable[v, default: []].append(i) }
                }
                if hasBoundArgument[i] { withBound.push((sizes[i], i)) } else { withoutBound.push((sizes[i], i)) }
            case .negated, .builtin:
                let needed = literal.neededVariables
                unboundAll[i] = needed.count
                for v in needed { conditionsOfVariable[v, default: []].append((i, 0)) }
            case .comparison(let l, let op, let r, _):
                let all = l.variables.union(r.variables)
                unboundAll[i] = all.count
                for v in all { conditionsOfVariable[v, default: []].append((i, 0)) }
                if op == .equal, case .variable = l {
                    unboundRight[i] = r.variables.count
                    for v in r.variables { conditionsOfVariable[v, default: []].append((i, 2)) }
                }
                if op == .equal, case .variable = r {
                    unboundLeft[i] = l.variables.count
                    for v in l.variables { conditionsOfVariable[v, default: []].append((i, 1)) }
                }
            }
            if case .positive = literal { continue }
            if unboundAll[i] == 0 || unboundLeft[i] == 0 || unboundRight[i] == 0 { queue(i) }
        }
    }

    private mutating func queue(_ condition: Int) {
        guard !queued[condition] else { return }
        queued[condition] = true
        ready.push((condition, condition))
    }

    /// Records newly bound variables: atoms that use them gain a bound argument, conditions
    /// that waited only for them become ready.
    mutating func bind(_ variables: Set<Int>) {
        for v in variables where bound.insert(v).inserted {
            for i in atomsOfVariable[v] ?? [] where !placed[i] && !hasBoundArgument[i] {
                hasBoundArgument[i] = true
                withBound.push((sizes[i], i))
            }
            for (condition, side) in conditionsOfVariable[v] ?? [] {
                switch side {
                case 0: unboundAll[condition] -= 1
                case 1: unboundLeft[condition] -= 1
                default: unboundRight[condition] -= 1
                }
                if unboundAll[condition] == 0 || unboundLeft[condition] == 0 || unboundRight[condition] == 0 { queue(condition) }
            }
        }
    }

    /// The ready condition first in body order, not yet placed.
    mutating func nextReadyCondition() -> Int? {
        while let (_, i) = ready.pop() {
            if !placed[i] { return i }
        }
        return nil
    }

    /// The atom to scan next: one with a bound argument if any, the smallest relation first,
    /// then the first in body order.
    mutating func nextAtom() -> Int? {
        while let (_, i) = withBound.pop() {
            if !placed[i] { return i }
        }
        while let (_, i) = withoutBound.pop() {
            if !placed[i] && !hasBoundArgument[i] { return i }
        }
        return nil
    }
}
