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

    func plan(_ rule: CompiledRule, head: Relation, deltaAtom: Int?) throws -> Plan {
        var bound = Set<Int>()
        var steps: [Step] = []
        var remaining = Array(rule.body.indices)
        let names = rule.variableNames

        if let delta = deltaAtom, case .positive(let atom) = rule.body[delta] {
            steps.append(.scan(try scan(atom, bound: &bound, isDelta: true, names: names)))
            remaining.removeAll { $0 == delta }
        }
        while true {
            try placeReadyConditions(rule, &remaining, &bound, &steps)
            let atoms = remaining.compactMap { i -> (Int, CompiledAtom)? in
                if case .positive(let atom) = rule.body[i] { return (i, atom) }
                return nil
            }
            guard !atoms.isEmpty else { break }
            var best: (index: Int, atom: CompiledAtom, score: (Int, Int))?
            for (i, atom) in atoms {
                let boundCount = (atom.arguments + (atom.source.map { [$0] } ?? [])).filter { slot in
                    switch slot {
                    case .constant: return true
                    case .variable(let v): return bound.contains(v)
                    case .anonymous: return false
                    }
                }.count
                let size = try relation(atom.predicate, atom.source != nil, storeFilter(atom)).count
                let score = (boundCount > 0 ? 1 : 0, -size)
                if best == nil || score > best!.score { best = (i, atom, score) }
            }
            guard let chosen = best else { break }
            steps.append(.scan(try scan(chosen.atom, bound: &bound, isDelta: false, names: names)))
            remaining.removeAll { $0 == chosen.index }
        }
        return Plan(steps: steps, head: head, headValues: rule.head, variableNames: names, ruleText: rule.text)
    }

    /// Places every negation, comparison and assignment whose variables are bound, until none is left ready.
    private func placeReadyConditions(_ rule: CompiledRule, _ remaining: inout [Int], _ bound: inout Set<Int>, _ steps: inout [Step]) throws {
        var changed = true
        while changed {
            changed = false
            for i in remaining {
                switch rule.body[i] {
                case .positive:
                    continue
                case .negated(let atom):
                    guard atom.variables.isSubset(of: bound) else { continue }
                    steps.append(.negation(try probe(atom, names: rule.variableNames)))
                case .builtin(let builtin, let arguments, let negated, let location):
                    guard rule.body[i].neededVariables.isSubset(of: bound) else { continue }
                    steps.append(.test(builtin, arguments, negated: negated, location))
                case .comparison(let l, let op, let r, let location):
                    if l.variables.isSubset(of: bound) && r.variables.isSubset(of: bound) {
                        steps.append(.filter(l, op, r, location))
                    } else if op == .equal, case .variable(let v) = l, !bound.contains(v), r.variables.isSubset(of: bound) {
                        steps.append(.assign(v, r))
                        bound.insert(v)
                    } else if op == .equal, case .variable(let v) = r, !bound.contains(v), l.variables.isSubset(of: bound) {
                        steps.append(.assign(v, l))
                        bound.insert(v)
                    } else {
                        continue
                    }
                }
                remaining.removeAll { $0 == i }
                changed = true
                break
            }
        }
    }

    /// The constant arguments of an atom of a stored-only predicate, for the store to filter by.
    private func storeFilter(_ atom: CompiledAtom) -> [Int: Int64] {
        guard !derived.contains(atom.predicate) else { return [:] }
        var filter: [Int: Int64] = [:]
        for (column, slot) in atom.arguments.enumerated() { if case .constant(let id) = slot { filter[column] = id } }
        return filter
    }

    private func scan(_ atom: CompiledAtom, bound: inout Set<Int>, isDelta: Bool, names: [String]) throws -> Scan {
        let filter = isDelta ? [:] : storeFilter(atom)
        let relation = try relation(atom.predicate, atom.source != nil, filter)
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
        bound.formUnion(boundHere)
        let label = label(atom, names: names)
        if isDelta || keyColumns.isEmpty {
            let keyChecks = zip(keyColumns, key).map { ($0, $1) }
            return Scan(relation: relation, isDelta: isDelta, index: nil, key: [], checks: keyChecks + checks, binds: binds, label: label)
        }
        return Scan(relation: relation, isDelta: false, index: relation.index(on: keyColumns), key: key,
                    checks: checks, binds: binds, label: label)
    }

    private func probe(_ atom: CompiledAtom, names: [String]) throws -> Probe {
        // Negated atoms never carry `@` (the grammar has no place for it).
        let relation = try relation(atom.predicate, false, [:])
        let label = label(atom, names: names)
        if !atom.arguments.contains(.anonymous) {
            return Probe(relation: relation, index: nil, key: atom.arguments, label: label)
        }
        let columns = atom.arguments.indices.filter { atom.arguments[$0] != .anonymous }
        return Probe(relation: relation, index: columns.isEmpty ? nil : relation.index(on: columns),
                     key: columns.map { atom.arguments[$0] }, label: label)
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
