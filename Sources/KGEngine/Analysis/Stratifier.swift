import KGSyntax

/// A group of rules evaluated together: one strongly connected component of the dependency graph.
public struct Stratum: Sendable {
    /// Indices into the rule list.
    public var rules: [Int]
    /// Predicates defined by this stratum's rules.
    public var predicates: Set<Value>
    /// Whether some rule of the stratum depends on a predicate of the stratum.
    public var isRecursive: Bool
}

/// Orders rules into strata so that every predicate is complete before it is negated or
/// aggregated; a cycle through negation or an aggregate is an error naming the cycle.
public enum Stratifier {
    /// A dependency of a rule's head on a body predicate.
    struct Edge {
        let to: Value
    }

    /// The indices of the rules that define `predicates`, directly or through other rules.
    static func rulesNeeded(for predicates: [Value], in rules: [Clause]) -> [Int] {
        var byHead: [Value: [Int]] = [:]
        for (i, rule) in rules.enumerated() { byHead[rule.head.predicate, default: []].append(i) }
        var seen = Set<Value>()
        var work = predicates
        var result: [Int] = []
        while let predicate = work.popLast() {
            guard seen.insert(predicate).inserted else { continue }
            for i in byHead[predicate] ?? [] {
                result.append(i)
                work += rules[i].body.compactMap(\.atom).map(\.predicate)
            }
        }
        return result.sorted()
    }

    /// The strata of `rules`, each after every stratum it depends on.
    public static func stratify(_ rules: [Clause]) throws(Diagnostic) -> [Stratum] {
        var edges: [Value: [Edge]] = [:]
        var nodes: [Value] = []
        var seen = Set<Value>()
        func add(_ v: Value) { if seen.insert(v).inserted { nodes.append(v) } }
        for rule in rules {
            add(rule.head.predicate)
            for literal in rule.body {
                guard let atom = literal.atom, BuiltinPredicate(atom.predicate) == nil else { continue }
                add(atom.predicate)
                edges[rule.head.predicate, default: []].append(Edge(to: atom.predicate))
            }
        }
        let components = stronglyConnectedComponents(nodes: nodes, edges: edges)
        var componentOf: [Value: Int] = [:]
        for (i, component) in components.enumerated() { for v in component { componentOf[v] = i } }

        // A negative edge inside one component is a cycle through negation (or an aggregate).
        for rule in rules {
            let aggregated = rule.head.arguments.contains { if case .call = $0.kind { return true } else { return false } }
            for literal in rule.body {
                guard let atom = literal.atom, let component = componentOf[atom.predicate],
                      component == componentOf[rule.head.predicate] else { continue }
                var negated = false
                if case .negated = literal { negated = true }
                guard negated || aggregated else { continue }
                let path = cyclePath(from: atom.predicate, to: rule.head.predicate, edges: edges, within: componentOf, component: component)
                let names = ([rule.head.predicate] + path).map { signature($0, rules) }
                throw Diagnostic(negated ? EngineError.negationCycle(names) : EngineError.aggregateCycle(names), at: atom.location)
            }
        }

        var strata: [Stratum] = []
        for component in components {
            let members = Set(component)
            let ruleIndices = rules.indices.filter { members.contains(rules[$0].head.predicate) }
            if ruleIndices.isEmpty { continue }
            let recursive = ruleIndices.contains { i in
                rules[i].body.contains { literal in literal.atom.map { members.contains($0.predicate) } ?? false }
            }
            strata.append(Stratum(rules: ruleIndices, predicates: members, isRecursive: recursive))
        }
        return strata
    }

    private static func signature(_ predicate: Value, _ rules: [Clause]) -> String {
        for rule in rules {
            for atom in rule.atoms where atom.predicate == predicate { return atom.signature }
        }
        return predicate.sourceText
    }

    /// Tarjan's algorithm, iterative; components come out dependencies first.
    static func stronglyConnectedComponents(nodes: [Value], edges: [Value: [Edge]]) -> [[Value]] {
        var index: [Value: Int] = [:]
        var lowLink: [Value: Int] = [:]
        var onStack = Set<Value>()
        var stack: [Value] = []
        var components: [[Value]] = []
        var counter = 0
        for root in nodes where index[root] == nil {
            // Each frame: the node and the position of the next edge to follow.
            var work: [(Value, Int)] = [(root, 0)]
            index[root] = counter; lowLink[root] = counter; counter += 1
            stack.append(root); onStack.insert(root)
            while let (node, position) = work.last {
                let out = edges[node] ?? []
                if position < out.count {
                    work[work.count - 1].1 += 1
                    let next = out[position].to
                    if index[next] == nil {
                        index[next] = counter; lowLink[next] = counter; counter += 1
                        stack.append(next); onStack.insert(next)
                        work.append((next, 0))
                    } else if onStack.contains(next) {
                        lowLink[node] = min(lowLink[node]!, index[next]!)
                    }
                    continue
                }
                work.removeLast()
                if let (parent, _) = work.last { lowLink[parent] = min(lowLink[parent]!, lowLink[node]!) }
                if lowLink[node] == index[node] {
                    var component: [Value] = []
                    while let top = stack.popLast() {
                        onStack.remove(top)
                        component.append(top)
                        if top == node { break }
                    }
                    components.append(component)
                }
            }
        }
        return components
    }

    /// A shortest path of predicates from `start` to `goal` inside one component.
    private static func cyclePath(from start: Value, to goal: Value, edges: [Value: [Edge]],
                                  within componentOf: [Value: Int], component: Int) -> [Value] {
        var previous: [Value: Value] = [:]
        var queue = [start]
        var visited: Set<Value> = [start]
        var head = 0
        while head < queue.count {
            let node = queue[head]; head += 1
            if node == goal { break }
            for edge in edges[node] ?? [] where componentOf[edge.to] == component && !visited.contains(edge.to) {
                visited.insert(edge.to)
                previous[edge.to] = node
                queue.append(edge.to)
            }
        }
        var path = [goal]
        var node = goal
        while node != start, let p = previous[node] { path.append(p); node = p }
        return path.reversed()
    }
}
