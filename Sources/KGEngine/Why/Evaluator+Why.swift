import KGSyntax

// MARK: - Why a fact holds

extension Evaluator {
    /// The derivation tree of a ground fact: its stored sources (with who reported and published
    /// them) and, for each rule that derives it, the first `limit` derivations down to stored
    /// facts. A fact explained once is not expanded again elsewhere in the tree.
    ///
    /// Like a query, the explanation is demand driven: only the facts relevant to this one
    /// (those magic sets would derive for `?- fact.`) are derived, so explaining one path in a
    /// large graph does not compute its whole closure. Derivations are looked for among them.
    public func why(_ fact: Atom, limit: Int = 3) throws -> WhyNode {
        if fact.time != nil { throw Diagnostic(EngineError.notYetWithPeriods("'why' with 'at' or 'from ... until'"), at: fact.location) }
        let withPeriods = ValidTime.predicatesWithPeriods(rules: rules, storedWithPeriods: try storedPredicatesWithPeriods())
        let derived = Set(rules.map(\.head.predicate))
        let needed = Set(Stratifier.rulesNeeded(for: [fact.predicate], in: rules).map { rules[$0].head.predicate })
        if !needed.intersection(derived).isDisjoint(with: withPeriods) { return try whyWithPeriods(fact, limit: limit) }
        tracksRounds = true
        if demandDriven { headFilters = try relevantFacts(to: fact) }
        defer { headFilters = [:] }
        let (clauses, strata) = try strata(for: [fact.predicate], in: rules)
        var stratumOf: [Value: Int] = [:]
        for (number, stratum) in strata.enumerated() {
            for predicate in stratum.predicates { stratumOf[predicate] = number }
            try evaluate(stratum, clauses)
        }
        var explainer = Explainer(evaluator: self, clauses: clauses, stratumOf: stratumOf, limit: limit)
        let values = try fact.arguments.map { argument -> Value in
            guard case .constant(let value) = argument.kind else {
                throw Diagnostic(EngineError.whyNeedsGroundFact(argument.sourceText), at: argument.location)
            }
            return value
        }
        return try explainer.explain(fact.predicate, values)
    }
}

extension Evaluator {
    /// `why` when the fact rests on facts with periods: the program rewritten for valid time
    /// (`ValidTime`) is evaluated whole, and the derivations are those of its rules, each with
    /// the period it gives the fact; every fact of a predicate with periods shows its maximal
    /// periods. Rules are shown as written.
    private func whyWithPeriods(_ fact: Atom, limit: Int) throws -> WhyNode {
        let values = try fact.arguments.map { argument -> Value in
            guard case .constant(let value) = argument.kind else {
                throw Diagnostic(EngineError.whyNeedsGroundFact(argument.sourceText), at: argument.location)
            }
            return value
        }
        // `?- fact from F until U.`: its preparation rewrites the rules (and never by magic sets).
        var asked = fact
        asked.time = .during(from: Expression(.variable("_From"), at: fact.location), until: Expression(.variable("_Until"), at: fact.location))
        tracksRounds = true
        let prepared = try prepare(Query(body: [.positive(asked, source: nil)], location: fact.location, text: "?- \(asked.sourceText)."))
        var stratumOf: [Value: Int] = [:]
        for (number, stratum) in prepared.strata.enumerated() {
            for predicate in stratum.predicates { stratumOf[predicate] = number }
            try evaluate(stratum, prepared.clauses)
        }
        var explainer = Explainer(evaluator: self, clauses: prepared.clauses, stratumOf: stratumOf, limit: limit)
        explainer.writtenRules = ruleOrigins
        return try explainer.explain(fact.predicate, values)
    }
}

extension Evaluator {
    /// For each derived predicate the magic-set rewrite of `?- fact.` asks about, the facts it
    /// derives of it: the facts relevant to `fact`. Empty when there is no rewrite.
    func relevantFacts(to fact: Atom) throws -> [Value: Relation] {
        let query = Query(body: [.positive(fact, source: nil)], location: fact.location, text: "?- \(fact.sourceText).")
        guard let rewrite = MagicSets.rewrite(query, rules: rules), (try? Stratifier.stratify(rewrite.rules)) != nil else { return [:] }
        var demandCatalog = catalog
        for (predicate, arity) in rewrite.arities { demandCatalog.declare(predicate, arity: arity) }
        let demand = Evaluator(store: store, catalog: demandCatalog, rules: rewrite.rules)
        demand.demandDriven = false
        demand.introduced = introduced.merging(rewrite.introduced) { $1 }
        demand.checkpoint = executor.checkpoint
        demand.maximumDerivedFacts = maximumDerivedFacts
        demand.maximumMemory = maximumMemory
        _ = try demand.count(rewrite.query)
        var relevant: [Value: Relation] = [:]
        for (adorned, predicate) in rewrite.adorned {
            let union = relevant[predicate] ?? Relation(arity: catalog.arity(of: predicate) ?? 0)
            let rows = try demand.relation(adorned, withSources: false)
            for r in 0..<rows.count { _ = union.insert(rows.row(r)) }
            relevant[predicate] = union
        }
        for union in relevant.values { union.commit() }
        return relevant
    }
}

/// Walks derivations top-down over relations the evaluator has computed completely.
private struct Explainer {
    let evaluator: Evaluator
    let clauses: [Clause]
    let stratumOf: [Value: Int]
    let limit: Int
    var explained = Set<String>()
    /// With periods: the text of each rule as written, by the text of its rewritten form.
    var writtenRules: [String: String] = [:]

    init(evaluator: Evaluator, clauses: [Clause], stratumOf: [Value: Int], limit: Int) {
        self.evaluator = evaluator
        self.clauses = clauses
        self.stratumOf = stratumOf
        self.limit = limit
    }

    private static func text(_ predicate: Value, _ values: [Value]) -> String {
        values.isEmpty ? predicate.sourceText : "\(predicate.sourceText)(\(values.map(\.sourceText).joined(separator: ", ")))"
    }

    /// The relation of the facts of `predicate` with their periods, when it has periods.
    private func periodsRelation(of predicate: Value) throws -> (name: Value, relation: Relation)? {
        let name = RewrittenPredicate.periods(predicate).name
        guard evaluator.introduced[name] != nil else { return nil }
        return (name, try evaluator.relation(name, withSources: false))
    }

    /// The periods in which a fact holds (from `p[periods]`), merged into maximal ones.
    private func maximalPeriods(of ids: [Int64], in relation: Relation) -> [(Int64, Int64)] {
        var periods: [(Int64, Int64)] = []
        for r in 0..<relation.count {
            let row = relation.row(r)
            if ids.indices.allSatisfy({ row[$0] == ids[$0] }) { periods.append((row[ids.count], row[ids.count + 1])) }
        }
        return Periods.union(periods)
    }

    private func whyPeriod(_ period: (Int64, Int64)) throws -> WhyPeriod {
        WhyPeriod(from: period.0 == Period.openStartID ? nil : try evaluator.dictionary.value(of: period.0).sourceText,
                  until: period.1 == Period.openEndID ? nil : try evaluator.dictionary.value(of: period.1).sourceText)
    }

    /// Explains a fact: its stored sources, and its derivations, each down to stored facts. A
    /// fact of a predicate with periods holds in its maximal periods (shown, unless it holds at
    /// all times), and is derived by the rules rewritten for periods, each solution checked
    /// against its own round; any other holds when its row is there, derived after its round.
    mutating func explain(_ predicate: Value, _ values: [Value]) throws -> WhyNode {
        let fact = Explainer.text(predicate, values)
        let ids = try values.map { try evaluator.dictionary.id(for: $0) }
        let periods = try periodsRelation(of: predicate)
        let maximal = periods.map { maximalPeriods(of: ids, in: $0.relation) }
        let relation = periods == nil ? try evaluator.relation(predicate, withSources: false) : nil
        let row = relation?.rowNumber(of: ids)
        var node = WhyNode(fact: fact, holds: maximal.map { !$0.isEmpty } ?? (row != nil), sources: [], storedWithoutSource: false,
                           derivations: [], moreDerivations: 0, explainedAbove: false)
        guard node.holds else { return node }
        if explained.contains(fact) {
            node.explainedAbove = true
            return node
        }
        explained.insert(fact)
        if let maximal, maximal.count > 1 || maximal[0] != (Period.openStartID, Period.openEndID) { node.periods = try maximal.map(whyPeriod) }
        try addSources(of: predicate, ids, to: &node)
        let round = row.map { relation!.round(ofRow: $0) }
        var found: [WhyDerivation] = []
        var total = 0
        for clause in clauses where clause.head.predicate == (periods?.name ?? predicate) {
            if periods != nil, case .aggregatePerPeriod? = evaluator.specialRules[clause.text] {
                throw EngineError.notYetWithPeriods("'why' of an aggregate computed for each period")
            }
            let (shown, count) = try derivations(of: clause, values, round: round, room: limit - found.count)
            found += shown
            total += count
        }
        node.derivations = found
        node.moreDerivations = total - found.count
        return node
    }

    /// The stored sources of a fact, with what is said of each source.
    private func addSources(of predicate: Value, _ ids: [Int64], to node: inout WhyNode) throws {
        let store = evaluator.store
        guard ids.allSatisfy(TermCode.isStorable), let predicateID = try evaluator.dictionary.storedID(for: predicate) else { return }
        var described: [(source: Value, description: SourceDescription)] = []
        var periods: [Value: [WhyPeriod]] = [:]
        func periodsOf(_ source: Int64) throws -> [WhyPeriod] {
            try store.periods(ofFact: predicateID, arguments: ids, source: source)
                .sorted { (Periods.day($0.from), Periods.day($0.until)) < (Periods.day($1.from), Periods.day($1.until)) }
                .map { period in
                    WhyPeriod(from: period.from == Period.openStartID ? nil : try evaluator.dictionary.value(of: period.from).sourceText,
                              until: period.until == Period.openEndID ? nil : try evaluator.dictionary.value(of: period.until).sourceText)
                }
        }
        for source in try store.sources(ofFact: predicateID, arguments: ids) {
            if source == TermCode.noTerm {
                node.storedWithoutSource = true
                node.periodsWithoutSource = try periodsOf(source)
                continue
            }
            let value = try evaluator.dictionary.value(of: source)
            described.append((value, try SourceDescription(of: source, in: store, catalog: evaluator.catalog)))
            periods[value] = try periodsOf(source)
        }
        node.sources = described.sorted(by: SourceDescription.precedes).map { source, description in
            WhySource(source: source.sourceText, reportedBy: description.reportedBy.map(\.sourceText),
                      publishedBy: description.publishedBy.map(\.sourceText), publishedOn: description.publishedOn.map(\.sourceText),
                      periods: periods[source] ?? [])
        }
    }

    /// The derivations of a fact by one rule: the shown ones and how many there are in all.
    /// In a recursive stratum a premise of the same stratum must come from an earlier round, so
    /// every derivation shown is well founded.
    /// With periods (`round` nil), the clause is a rewritten one whose head ends with the
    /// period; each solution's own row gives the round its premises must come before.
    private mutating func derivations(of clause: Clause, _ values: [Value], round: Int?, room: Int) throws -> ([WhyDerivation], Int) {
        let dictionary = evaluator.dictionary
        // A rule whose negated premises take periods away: its solutions are those of the rest,
        // kept when some of their period remains.
        var solved = clause
        var negated: [Atom] = []
        if case .subtract(let negations, let excluding)? = evaluator.specialRules[clause.text] {
            guard excluding.isEmpty else { throw EngineError.notYetWithPeriods("'why' through 'not ... at'") }
            negated = negations.compactMap { clause.body[$0].atom }
            solved.body = clause.body.enumerated().filter { !negations.contains($0.offset) }.map(\.element)
        }
        let rule = try RuleCompiler.compile(solved, dictionary: dictionary)
        var body = rule.body
        for (position, computation) in rule.head.enumerated() where rule.aggregates[position] == nil && position < values.count {
            body.append(.comparison(computation, .equal, .constant(values[position], id: try dictionary.id(for: values[position])), clause.location))
        }
        let solutionRule = CompiledRule(headPredicate: rule.headPredicate, head: rule.variableNames.indices.map { .variable($0) },
                                        aggregates: [:], body: body, variableNames: rule.variableNames, text: rule.text)
        let solutions = Relation(arity: rule.variableNames.count)
        try evaluator.executor.run(try evaluator.planner.plan(solutionRule, head: solutions, deltaAtom: nil))
        solutions.commit()
        var bindings: [[String: Value]] = []
        for r in 0..<solutions.count {
            let row = solutions.row(r)
            var binding: [String: Value] = [:]
            for (v, name) in rule.variableNames.enumerated() { binding[name] = try dictionary.value(of: row[v]) }
            if try isWellFounded(clause, binding, round: round ?? headRound(clause, binding)), try somePeriodRemains(clause, binding, without: negated) {
                bindings.append(binding)
            }
        }
        bindings.sort { a, b in
            for name in rule.variableNames where a[name] != b[name] {
                return Value.sortOrder(a[name]!, b[name]!)
            }
            return false
        }
        // Bindings read in the order the variables appear in the rule, head first.
        var order = clause.head.variables
        for literal in clause.body {
            let names: [String]
            switch literal {
            case .positive(let atom, let source): names = atom.variables + (source?.variables ?? [])
            case .negated(let atom, let source, _): names = atom.variables + (source?.variables ?? [])
            case .comparison(let l, _, let r, _): names = l.variables + r.variables
            }
            for name in names where !order.contains(name) { order.append(name) }
        }
        let visible = order.filter { !$0.hasPrefix("_") && rule.variableNames.contains($0) }
        let written = writtenRules[clause.text] ?? clause.text
        // With periods, the head's last two arguments are the period the derivation gives.
        func period(_ binding: [String: Value]) throws -> WhyPeriod? {
            guard round == nil, clause.head.arguments.count == values.count + 2 else { return nil }
            let ends = try clause.head.arguments.suffix(2).map { try Explainer.value($0, binding) }
            return try whyPeriod((try dictionary.id(for: ends[0]), try dictionary.id(for: ends[1])))
        }
        func describe(_ binding: [String: Value]) -> [WhyDerivation.Binding] {
            visible.compactMap { name in binding[name].map { .init(variable: name, value: $0.sourceText) } }
        }
        if !rule.aggregates.isEmpty {
            // One derivation: the group, with the premises of its first solutions.
            guard !bindings.isEmpty, room > 0 else { return ([], bindings.isEmpty ? 0 : 1) }
            let groupVariables = Set(clause.head.arguments.flatMap { argument -> [String] in
                if case .call = argument.kind { return [] }
                return argument.variables
            })
            let aggregates = rule.aggregates.keys.sorted().map { position in
                "\(clause.head.arguments[position].formatted) = \(values[position].sourceText)"
            }
            var premises: [WhyPremise] = []
            for binding in bindings.prefix(limit) { premises += try self.premises(clause, binding) }
            let derivation = WhyDerivation(
                rule: written,
                bindings: describe(bindings[0]).filter { groupVariables.contains($0.variable) },
                aggregate: "\(aggregates.joined(separator: ", ")) over \(bindings.count) solution\(bindings.count == 1 ? "" : "s")",
                premises: premises, moreSolutions: max(0, bindings.count - limit))
            return ([derivation], 1)
        }
        var shown: [WhyDerivation] = []
        for binding in bindings.prefix(max(0, room)) {
            shown.append(WhyDerivation(rule: written, bindings: describe(binding), aggregate: nil,
                                       premises: try premises(clause, binding), moreSolutions: 0, period: try period(binding)))
        }
        return (shown, bindings.count)
    }

    /// Whether some of the period a solution gives its head remains once the periods of the
    /// negated atoms (of `p[maximal]`) are taken away.
    private func somePeriodRemains(_ clause: Clause, _ binding: [String: Value], without negated: [Atom]) throws -> Bool {
        guard !negated.isEmpty else { return true }
        let ends = try clause.head.arguments.suffix(2).map { try evaluator.dictionary.id(for: try Explainer.value($0, binding)) }
        var remaining = [(ends[0], ends[1])]
        for atom in negated {
            guard case .maximal(let predicate)? = evaluator.introduced[atom.predicate], let periods = try periodsRelation(of: predicate) else { continue }
            let ids = try atom.arguments.dropLast(2).map { try evaluator.dictionary.id(for: try Explainer.value($0, binding)) }
            let taken = maximalPeriods(of: ids, in: periods.relation)
            remaining = remaining.flatMap { Periods.subtract(taken, from: $0) }
        }
        return !remaining.isEmpty
    }

    /// The round in which the head row of a solution was derived.
    private func headRound(_ clause: Clause, _ binding: [String: Value]) throws -> Int {
        let ids = try clause.head.arguments.map { try evaluator.dictionary.id(for: try Explainer.value($0, binding)) }
        let relation = try evaluator.relation(clause.head.predicate, withSources: false)
        return relation.rowNumber(of: ids).map { relation.round(ofRow: $0) } ?? Int.max
    }

    /// Whether every premise of the rule's own stratum was derived before the fact itself.
    private func isWellFounded(_ clause: Clause, _ binding: [String: Value], round: Int) throws -> Bool {
        guard let stratum = stratumOf[clause.head.predicate] else { return true }
        for case .positive(let atom, nil) in clause.body where stratumOf[atom.predicate] == stratum {
            let ids = try atom.arguments.map { try evaluator.dictionary.id(for: try Explainer.value($0, binding)) }
            let relation = try evaluator.relation(atom.predicate, withSources: false)
            guard let row = relation.rowNumber(of: ids), relation.round(ofRow: row) < round else { return false }
        }
        return true
    }

    private static func value(_ expression: Expression, _ binding: [String: Value]) throws -> Value {
        switch expression.kind {
        case .constant(let v): return v
        case .variable(let name):
            guard let v = binding[name] else { throw Diagnostic(EngineError.whyNeedsGroundFact(name), at: expression.location) }
            return v
        default: throw Diagnostic(EngineError.expressionInBodyAtom, at: expression.location)
        }
    }

    private mutating func premises(_ clause: Clause, _ binding: [String: Value]) throws -> [WhyPremise] {
        var result: [WhyPremise] = []
        for literal in clause.body {
            // A premise of the rewrite for periods is shown as written: the atom without its period.
            if let atom = literal.atom, case .textMatch(_, let text)? = evaluator.introduced[atom.predicate] {
                // Shown as written: `text-match(T, "search")`, or with its score.
                var arguments = [atom.arguments[0], Expression(.constant(.string(text)), at: atom.location)]
                if case .variable(let score) = atom.arguments[1].kind, !score.hasPrefix("_") { arguments.append(atom.arguments[1]) }
                let shown = Atom(predicate: TextMatch.predicate, arguments: arguments, at: atom.location)
                let text = Literal.positive(shown, source: nil).substituting(binding).sourceText
                if case .negated = literal { result.append(.negation(text)) } else { result.append(.condition(text)) }
                continue
            }
            if let atom = literal.atom, let rewritten = evaluator.introduced[atom.predicate] {
                let original: Value
                switch rewritten {
                case .periods(let p), .maximal(let p): original = p
                default: original = atom.predicate
                }
                let arguments = Array(atom.arguments.dropLast(2))
                let plain = Atom(predicate: original, arguments: arguments, at: atom.location)
                if case .negated = literal {
                    result.append(.periodsTakenAway(plain.substituting(binding).sourceText))
                } else {
                    result.append(.fact(try explain(original, try arguments.map { try Explainer.value($0, binding) })))
                }
                continue
            }
            // The comparisons that compute the period are not the rule's.
            if case .comparison(let left, _, let right, _) = literal,
               (left.variables + right.variables).contains(where: { $0.hasPrefix("_from") || $0.hasPrefix("_until") }) {
                continue
            }
            switch literal {
            case .positive(let atom, let source) where BuiltinPredicate(atom.predicate) == nil:
                let values = try atom.arguments.map { try Explainer.value($0, binding) }
                var node = try explain(atom.predicate, values)
                if let source, let s = try? Explainer.value(source, binding) {
                    node.sources = node.sources.filter { $0.source == s.sourceText }
                }
                result.append(.fact(node))
            case .positive:
                result.append(.condition(literal.substituting(binding).sourceText))
            case .negated:
                // Shown without its "not": the premise says it holds as a negation.
                result.append(.negation(String(literal.substituting(binding).sourceText.dropFirst("not ".count))))
            case .comparison:
                result.append(.condition(literal.substituting(binding).sourceText))
            }
        }
        return result
    }
}
