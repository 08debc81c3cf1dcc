import KGSyntax

/// Demand-driven evaluation: rewrites a program for a query that binds arguments (magic sets),
/// so that only facts relevant to the query are derived.
///
/// For `?- reach(n0, Y).` the rules of `reach` become rules of `reach[bf]` ("first argument
/// bound, second free") guarded by `magic-reach[bf](X)`, the set of first arguments asked for;
/// magic rules pass bindings from a rule's head and earlier body atoms to the derived atoms
/// after them (left to right), and the query seeds `magic-reach[bf](n0)`. Constants in the
/// bodies of rules evaluated as they are seed demand too (`from-n0(count(Y)) :- reach(n0, Y).`
/// computes only what starts at n0). A negated atom is adorned by its constants alone, its seed
/// a fact; without a constant it keeps the original predicate (computed whole, in a lower
/// stratum), so the result stays stratified.
public enum MagicSets {
    public struct Rewrite: Sendable {
        /// The original rules followed by the adorned and magic rules.
        public var rules: [Clause]
        /// The query over adorned predicates.
        public var query: Query
        /// The rules the rewrite added, as source text, for `.explain`.
        public var addedRules: [String]
        /// Arities of the predicates the rewrite introduced.
        public var arities: [Value: Int]
        /// Each adorned predicate (`reach[bf]`) with the predicate it stands for (`reach`).
        public var adorned: [Value: Value]
        /// What each predicate the rewrite introduced stands for.
        var introduced: [Value: RewrittenPredicate]
    }

    /// The rewritten program, or nil when the query binds no argument of a derived predicate
    /// (or a rule's shape is outside what the rewrite handles), in which case evaluate as is.
    public static func rewrite(_ query: Query, rules: [Clause]) -> Rewrite? {
        let derived = Set(rules.map(\.head.predicate))
        var rewriter = Rewriter(rules: rules, derived: derived)
        guard let body = rewriter.adornQuery(query.body) else { return nil }
        // Demand from the constants of rules evaluated as they are: in
        // `from-n0(count(Y)) :- reach(n0, Y).` the atom becomes `reach[bf](n0, Y)`, seeded by
        // `magic-reach[bf](n0).`, so only what starts at n0 is derived.
        var rewritten = rules
        var changed: [String] = []
        for i in Stratifier.rulesNeeded(for: query.body.compactMap(\.atom).map(\.predicate), in: rules) {
            let rule = rules[i]
            guard let ruleBody = rewriter.adorn(rule.body, bound: [], magicGuard: nil, onlyAtomsWithConstants: true) else { return nil }
            guard ruleBody != rule.body else { continue }
            rewritten[i].body = ruleBody
            changed.append(Clause(head: rule.head, source: rule.source, body: ruleBody, location: rule.location, text: "").formatted)
        }
        guard rewriter.processWorklist() else { return nil }
        guard !rewriter.added.isEmpty else { return nil }
        var newQuery = query
        newQuery.body = body
        return Rewrite(rules: rewritten + rewriter.added, query: newQuery,
                       addedRules: changed + rewriter.added.map(\.formatted), arities: rewriter.arities, adorned: rewriter.adorned,
                       introduced: rewriter.introduced)
    }

    private struct Rewriter {
        let rules: [Clause]
        let derived: Set<Value>
        var added: [Clause] = []
        var arities: [Value: Int] = [:]
        var adorned: [Value: Value] = [:]
        var introduced: [Value: RewrittenPredicate] = [:]
        var seen = Set<String>()
        var worklist: [(Value, String)] = []

        init(rules: [Clause], derived: Set<Value>) {
            self.rules = rules
            self.derived = derived
        }

        /// The name of an introduced predicate, recorded with what it stands for.
        mutating func name(_ predicate: RewrittenPredicate) -> Value {
            let name = predicate.name
            introduced[name] = predicate
            return name
        }

        /// The adornment of a positive atom given the bound variables, or nil when it is all free
        /// (or the atom is not derived, or, with `onlyWithConstants`, has no constant
        /// argument): such atoms keep their original predicate.
        func adornment(_ atom: Atom, source: Expression?, bound: Set<String>, onlyWithConstants: Bool = false) -> String? {
            guard derived.contains(atom.predicate), source == nil else { return nil }
            if onlyWithConstants && !atom.arguments.contains(where: { if case .constant = $0.kind { return true } else { return false } }) {
                return nil
            }
            let pattern = atom.arguments.map { argument -> Character in
                switch argument.kind {
                case .constant: return "b"
                case .variable(let v): return bound.contains(v) ? "b" : "f"
                default: return "f"
                }
            }
            return pattern.contains("b") ? String(pattern) : nil
        }

        /// Sideways information passing: among the literals left (`remaining`, positions in
        /// `body`), the one to pass bindings through next — the first atom in body order with a
        /// bound argument, else the first literal left. `reach(X, Y) :- reach(Z, Y), edge(X, Z).`
        /// asked with X bound passes X through `edge` first, so `reach(Z, Y)` is asked with Z
        /// bound too. Returns its place in `remaining`.
        static func nextSideways(_ body: [Literal], _ remaining: [Int], bound: Set<String>) -> Int {
            remaining.firstIndex { i in
                guard case .positive(let atom, _) = body[i], BuiltinPredicate(atom.predicate) == nil else { return false }
                return atom.arguments.contains { argument in
                    if case .constant = argument.kind { return true }
                    if case .variable(let v) = argument.kind { return bound.contains(v) }
                    return false
                }
            } ?? 0
        }

        /// The body with derived atoms renamed to their adorned predicates, bindings passed in
        /// the order `nextSideways` chooses, and for each renamed atom the magic rule that asks for it (its body:
        /// the literals that come before it in that order). The body keeps its own order.
        mutating func adorn(_ body: [Literal], bound initial: Set<String>, magicGuard: Atom?, onlyAtomsWithConstants: Bool = false) -> [Literal]? {
            var bound = initial
            // `X = constant` binds X wherever it stands in the body.
            let constants = body.filter { literal in
                guard case .comparison(let l, .equal, let r, _) = literal else { return false }
                if case .variable = l.kind, r.variables.isEmpty { return true }
                if case .variable = r.kind, l.variables.isEmpty { return true }
                return false
            }
            for case .comparison(let l, _, let r, _) in constants { bound.formUnion(l.variables + r.variables) }
            var placed: [Literal] = []     // the literals handled so far, in sideways order
            var adorned = body
            var remaining = Array(body.indices)
            while !remaining.isEmpty {
                let i = remaining.remove(at: Rewriter.nextSideways(body, remaining, bound: bound))
                let literal = body[i]
                var result: [Literal] = []    // the literal as adorned: one, appended below
                switch literal {
                case .positive(let atom, let source):
                    if let pattern = adornment(atom, source: source, bound: bound, onlyWithConstants: onlyAtomsWithConstants) {
                        let boundArguments = zip(atom.arguments, pattern).filter { $0.1 == "b" }.map(\.0)
                        let magicHead = Atom(predicate: name(.magic(atom.predicate, adornment: pattern)),
                                             arguments: boundArguments, at: atom.location)
                        guard let magicBody = magicRuleBody(constants + placed, magicGuard: magicGuard, needs: magicHead) else { return nil }
                        add(Clause(head: magicHead, source: nil, body: magicBody, location: atom.location, text: ""))
                        enqueue(atom.predicate, pattern)
                        let renamed = Atom(predicate: name(.adorned(atom.predicate, adornment: pattern)),
                                           arguments: atom.arguments, at: atom.location)
                        result.append(.positive(renamed, source: nil))
                    } else {
                        result.append(literal)
                    }
                    // Built-in tests bind nothing.
                    if BuiltinPredicate(atom.predicate) == nil {
                        bound.formUnion(atom.variables)
                        if let source { bound.formUnion(source.variables) }
                    }
                case .negated(let atom, let source, let location):
                    // Constants alone seed a negated atom's demand (the seed is a fact, so the
                    // negated predicate stays in a lower stratum); without one, or with a source,
                    // it is computed whole.
                    if source == nil, let pattern = adornment(atom, source: nil, bound: [], onlyWithConstants: true) {
                        let magicHead = Atom(predicate: name(.magic(atom.predicate, adornment: pattern)),
                                             arguments: zip(atom.arguments, pattern).filter { $0.1 == "b" }.map(\.0), at: atom.location)
                        add(Clause(head: magicHead, source: nil, body: [], location: atom.location, text: ""))
                        enqueue(atom.predicate, pattern)
                        result.append(.negated(Atom(predicate: name(.adorned(atom.predicate, adornment: pattern)), arguments: atom.arguments, at: atom.location),
                                               source: nil, location: location))
                    } else {
                        result.append(literal)
                    }
                case .comparison(let l, let op, let r, _):
                    result.append(literal)
                    if op == .equal {
                        if case .variable(let v) = l.kind, r.variables.allSatisfy(bound.contains) { bound.insert(v) }
                        if case .variable(let v) = r.kind, l.variables.allSatisfy(bound.contains) { bound.insert(v) }
                    }
                }
                guard let adornedLiteral = result.first else { continue }
                adorned[i] = adornedLiteral
                placed.append(adornedLiteral)
            }
            return adorned
        }

        /// The body of a magic rule: the guard and the earlier literals whose variables are bound
        /// there; nil when the magic head would not be bound (the rewrite is then abandoned).
        func magicRuleBody(_ earlier: [Literal], magicGuard: Atom?, needs head: Atom) -> [Literal]? {
            var candidates: [Literal] = magicGuard.map { [.positive($0, source: nil)] } ?? []
            candidates += earlier.filter {
                if case .positive(let atom, _) = $0 { return BuiltinPredicate(atom.predicate) == nil }
                return false
            }
            let assignments = earlier.filter { if case .comparison(_, .equal, _, _) = $0 { return true } else { return false } }
            let bound = SafetyCheck.boundVariables(of: candidates + assignments)
            for literal in earlier {
                switch literal {
                case .positive(let atom, _):
                    if BuiltinPredicate(atom.predicate) != nil, Set(atom.variables).isSubset(of: bound) { candidates.append(literal) }
                case .negated(let atom, let source, _):
                    if Set(atom.variables + (source?.variables ?? [])).isSubset(of: bound) { candidates.append(literal) }
                case .comparison(let l, _, let r, _):
                    if Set(l.variables + r.variables).isSubset(of: bound) { candidates.append(literal) }
                }
            }
            guard Set(head.variables).isSubset(of: bound) else { return nil }
            return candidates
        }

        mutating func add(_ clause: Clause) {
            var clause = clause
            clause.text = clause.formatted
            guard !added.contains(where: { $0.text == clause.text }) else { return }
            // A magic rule that only copies its own guard adds nothing.
            if clause.body.count == 1, case .positive(let only, nil) = clause.body[0],
               only.sourceText == clause.head.sourceText { return }
            added.append(clause)
            arities[clause.head.predicate] = clause.head.arity
        }

        mutating func enqueue(_ predicate: Value, _ pattern: String) {
            if seen.insert("\(predicate.sourceText)[\(pattern)]").inserted { worklist.append((predicate, pattern)) }
        }

        mutating func adornQuery(_ body: [Literal]) -> [Literal]? {
            adorn(body, bound: [], magicGuard: nil)
        }

        /// Adorns the rules of every (predicate, adornment) asked for, until none is new.
        mutating func processWorklist() -> Bool {
            while let (predicate, pattern) = worklist.popLast() {
                adorned[name(.adorned(predicate, adornment: pattern))] = predicate
                for rule in rules where rule.head.predicate == predicate {
                    var headBound: [Expression] = []
                    for (argument, mode) in zip(rule.head.arguments, pattern) where mode == "b" {
                        switch argument.kind {
                        case .variable, .constant: headBound.append(argument)
                        default: return false    // a computed head argument cannot be asked for
                        }
                    }
                    let magicGuard = Atom(predicate: name(.magic(predicate, adornment: pattern)), arguments: headBound, at: rule.location)
                    arities[magicGuard.predicate] = magicGuard.arity
                    let bound = Set(headBound.flatMap(\.variables))
                    guard let body = adorn(rule.body, bound: bound, magicGuard: magicGuard) else { return false }
                    let head = Atom(predicate: name(.adorned(predicate, adornment: pattern)), arguments: rule.head.arguments, at: rule.head.location)
                    add(Clause(head: head, source: nil, body: [.positive(magicGuard, source: nil)] + body,
                               location: rule.location, text: ""))
                    arities[head.predicate] = head.arity
                }
                // The predicate's stored facts, if it has any, answer the demand too.
                guard let example = rules.first(where: { $0.head.predicate == predicate }) else { continue }
                let variables = (0..<example.head.arity).map { Expression(.variable("A\($0)"), at: example.location) }
                let boundVariables = zip(variables, pattern).filter { $0.1 == "b" }.map(\.0)
                let stored = Atom(predicate: name(.stored(predicate)), arguments: variables, at: example.location)
                arities[stored.predicate] = stored.arity
                add(Clause(head: Atom(predicate: name(.adorned(predicate, adornment: pattern)), arguments: variables, at: example.location),
                           source: nil,
                           body: [.positive(Atom(predicate: name(.magic(predicate, adornment: pattern)), arguments: boundVariables, at: example.location), source: nil),
                                  .positive(stored, source: nil)],
                           location: example.location, text: ""))
            }
            return true
        }
    }
}
