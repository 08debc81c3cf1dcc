import KGSyntax

/// Evaluates a query over stored facts and rules, bottom-up and semi-naively.
///
/// Only the rules the query depends on are evaluated, stratum by stratum. Stored facts are read
/// from the store once per relation; derived facts live in memory only, so a query never writes.
public final class Evaluator {
    let store: StoredFacts
    var catalog: PredicateCatalog
    let rules: [Clause]
    /// Rewrite queries that bind arguments with magic sets (on by default).
    public var demandDriven = true
    /// Where queries are evaluated when the store is on a database server (`ServerEvaluation`).
    public var site = EvaluationSite.auto
    /// With `auto`, the fewest stored rows (the database's estimate) a query must read to be
    /// evaluated in the database.
    public var serverThreshold = Evaluator.defaultServerThreshold
    /// Why every query must be evaluated here, whatever `site` says (the facts are read from a
    /// knowledge base's history, say); nil when the store decides.
    public var evaluatedHereBecause: String?
    /// The most facts one evaluation may derive before it stops with an error.
    public var maximumDerivedFacts: Int {
        get { executor.maximumDerivedFacts }
        set { executor.maximumDerivedFacts = newValue }
    }
    /// The default limit on derived facts: far more than any answer a person reads, few enough
    /// to stop a rule that never ends long before memory runs out.
    public static let defaultMaximumDerivedFacts = 20_000_000
    /// The most memory (resident, in bytes) the process may hold while evaluating before it
    /// stops with an error; checked every 65,536 derived facts.
    public var maximumMemory: Int {
        get { executor.maximumMemory }
        set { executor.maximumMemory = newValue }
    }
    /// The default memory limit: 4 GiB, or half the machine's memory when that is less.
    public static let defaultMaximumMemory = min(4 << 30, ResidentMemory.physicalBytes() / 2)
    let dictionary: TermDictionary
    let executor: Executor
    private struct RelationKey: Hashable {
        let predicate: Value
        let withSources: Bool
        let bound: [Int: Int64]
    }
    private var relations: [RelationKey: Relation] = [:]
    /// Whether relations record the round of each commit (explanations need it); set before
    /// the first relation is made.
    var tracksRounds = false {
        willSet { precondition(relations.isEmpty, "rounds are recorded from the first relation on") }
    }
    /// While set for a predicate, its rules derive only the facts this relation holds (`why`
    /// derives only the facts relevant to the one it explains).
    var headFilters: [Value: Relation] = [:]
    /// Predicates defined by the rules being evaluated.
    var derived = Set<Value>()
    /// What each predicate a rewrite introduced (`reach[bf]`, `reach[stored]`) stands for.
    var introduced: [Value: RewrittenPredicate] = [:]
    /// The rules valid time evaluates specially, by their text (`ValidTime`).
    var specialRules: [String: ValidTime.SpecialRule] = [:]
    /// The rules the valid-time rewrite made, as written: by rewritten text.
    var ruleOrigins: [String: String] = [:]
    /// Whether the prepared query reads periods (the database does not evaluate those).
    var usesPeriods = false
    private var storedWithPeriods: Set<Value>?

    /// The predicates some of whose stored facts have periods, read once.
    func storedPredicatesWithPeriods() throws -> Set<Value> {
        if let known = storedWithPeriods { return known }
        let values = Set(try store.predicatesWithPeriods().map { try dictionary.value(of: $0) })
        storedWithPeriods = values
        return values
    }
    /// Lines describing what was done, for `.explain`.
    public internal(set) var trace: [String] = []
    /// Called regularly during evaluation; throw from it to cancel (Ctrl-C, limits).
    public var checkpoint: (() throws -> Void)? {
        get { executor.checkpoint }
        set { executor.checkpoint = newValue }
    }

    public init(store: StoredFacts, catalog: PredicateCatalog, rules: [Clause]) {
        self.store = store
        self.catalog = catalog
        // `text-match` atoms read relations of their own (`TextMatch`), in rules as in queries.
        var searches: TextMatch.Introduced = [:]
        self.rules = TextMatch.rewrite(rules, introducing: &searches)
        for predicate in searches.keys { self.catalog.declare(predicate, arity: 2) }
        self.introduced = searches
        self.dictionary = TermDictionary(store: store)
        self.executor = Executor(dictionary: dictionary)
        self.executor.maximumDerivedFacts = Evaluator.defaultMaximumDerivedFacts
        self.executor.maximumMemory = Evaluator.defaultMaximumMemory
    }

    // MARK: - Queries

    /// The distinct answers of a query, sorted by their columns (or its `order by`), cut to its
    /// `offset` and `limit`. Each distinct term is decoded once, in bulk; rows are ordered by
    /// the ranks of their terms (`AnswerOrder`), never by comparing values.
    public func answer(_ query: Query) throws -> QueryAnswer {
        let result = try evaluate(query)
        let columns = query.answerVariables
        let width = columns.count
        guard width > 0 else { return QueryAnswer(holds: result.count > 0) }
        // Number the distinct ids in the order they are met.
        var numbering = Int64Map()
        defer { numbering.deallocate() }
        var ids: [Int64] = []
        var cells = [UInt32](repeating: 0, count: result.count * width)
        for r in 0..<result.count {
            let row = result.row(r)
            for c in 0..<width {
                if let number = numbering.value(for: row[c]) {
                    cells[r * width + c] = UInt32(number)
                } else {
                    numbering.set(Int32(ids.count), for: row[c])
                    cells[r * width + c] = UInt32(ids.count)
                    ids.append(row[c])
                }
            }
        }
        // Decode each once, rank them in answer order, and order the rows by ranks.
        let values = try dictionary.values(of: ids)
        let byRank = Value.indicesInSortOrder(values)
        var rank = [UInt32](repeating: 0, count: values.count)
        for (position, number) in byRank.enumerated() { rank[number] = UInt32(position) }
        for i in cells.indices { cells[i] = rank[Int(cells[i])] }
        let orderBy = query.options.orderBy.compactMap { key in columns.firstIndex(of: key.variable).map { (column: $0, descending: key.descending) } }
        let selected = AnswerOrder.select(cells, width: width, orderBy: orderBy, offset: query.options.offset ?? 0, limit: query.options.limit)
        let terms = byRank.map { values[$0] }
        let rowCount = selected.count / width
        guard rowCount < result.count else {
            return QueryAnswer(columns: columns, terms: terms, cells: selected, rowCount: rowCount)
        }
        // A cut answer keeps only the terms its rows use (still in answer order).
        var used = [UInt32](repeating: UInt32.max, count: terms.count)
        for cell in selected { used[Int(cell)] = 0 }
        var kept: [Value] = []
        for i in used.indices where used[i] == 0 {
            used[i] = UInt32(kept.count)
            kept.append(terms[i])
        }
        return QueryAnswer(columns: columns, terms: kept, cells: selected.map { used[Int($0)] }, rowCount: rowCount)
    }

    /// The number of distinct answers of a query, without decoding them.
    public func count(_ query: Query) throws -> Int {
        let prepared = try prepare(query)
        let total: Int
        if let program = try serverProgram(for: prepared), case .count(let counted)? = try answer(of: program, prepared, counting: true) {
            total = counted
        } else {
            total = try evaluateHere(prepared).count
        }
        // Counted as shown: after `offset`, at most `limit`.
        let offset = query.options.offset ?? 0
        return max(0, min(total, query.options.limit.map { offset + $0 } ?? total) - offset)
    }

    /// Evaluates a query and describes how: the rewrite, strata, join orders, loads and rounds.
    public func explain(_ query: Query) throws -> [String] {
        trace = []
        let count = try evaluate(query).count
        return trace + ["answers: \(count)"]
    }

    /// A query ready to evaluate: rewritten, with the rules it needs in strata.
    struct PreparedQuery {
        let query: Query
        let clauses: [Clause]
        let strata: [Stratum]
        /// The answer's columns: the asked query's variables, in its order (a rewrite may
        /// meet them in another).
        let columns: [String]
    }

    /// The one preparation of a query: the rewrites (sources of derived facts, periods, then
    /// demand by magic sets, which applies only while the program stays stratified), then the
    /// rules the query needs, in strata. Each step is recorded in the trace.
    func prepare(_ original: Query) throws -> PreparedQuery {
        var query = original
        var rules = self.rules
        // The sources of a derived fact are those its derivations rest on; with a time
        // condition as well, not yet.
        var searches: TextMatch.Introduced = [:]
        query.body = TextMatch.rewrite(query.body, introducing: &searches)
        record(arities: searches.mapValues { _ in 2 }, introduced: searches)
        let derivedPredicates = Set(rules.map(\.head.predicate))
        var withPeriods: Set<Value>?
        for literal in query.body + rules.flatMap(\.body) {
            switch literal {
            case .positive(let atom, let source?), .negated(let atom, let source?, _):
                guard atom.time != nil && derivedPredicates.contains(atom.predicate) else { continue }
                let temporal = try withPeriods ?? ValidTime.predicatesWithPeriods(rules: rules, storedWithPeriods: try storedPredicatesWithPeriods())
                withPeriods = temporal
                if temporal.contains(atom.predicate) {
                    throw Diagnostic(EngineError.notYetWithPeriods("'at' or 'from ... until' with '@' on a derived predicate"), at: source.location)
                }
            default: continue
            }
        }
        if let rewrite = SourceTracking.rewrite(query, rules: rules, arities: catalog.arities) {
            (query, rules) = (rewrite.query, rewrite.rules)
            record(arities: rewrite.arities, introduced: rewrite.introduced)
            trace.append("sources of derived facts ('@' on derived predicates):")
            trace += rewrite.addedRules.map { "  " + $0 }
        }
        // After source tracking, so that the rules it adds carry periods too; the special rules
        // are known by their text, so no later rewrite may copy them (magic sets are left out).
        if let rewrite = try ValidTime.rewrite(query, rules: rules, arities: catalog.arities, storedWithPeriods: try storedPredicatesWithPeriods()) {
            (query, rules) = (rewrite.query, rewrite.rules)
            record(arities: rewrite.arities, introduced: rewrite.introduced)
            specialRules = rewrite.special
            ruleOrigins = rewrite.origins
            usesPeriods = true
            trace.append("periods (valid time):")
            trace += rewrite.addedRules.map { "  " + $0 + (rewrite.special[$0].map { "   % \($0)" } ?? "") }
        }
        if demandDriven, specialRules.isEmpty, let rewrite = MagicSets.rewrite(query, rules: rules), (try? Stratifier.stratify(rewrite.rules)) != nil {
            (query, rules) = (rewrite.query, rewrite.rules)
            record(arities: rewrite.arities, introduced: rewrite.introduced)
            trace.append("demand-driven rewrite (magic sets):")
            trace += rewrite.addedRules.map { "  " + $0 }
        }
        let (clauses, strata) = try strata(for: query.body.compactMap(\.atom).map(\.predicate), in: rules)
        return PreparedQuery(query: query, clauses: clauses, strata: strata, columns: original.answerVariables)
    }

    /// The rules that `predicates` need, directly or through other rules, and their strata.
    func strata(for predicates: [Value], in rules: [Clause]) throws -> (clauses: [Clause], strata: [Stratum]) {
        let clauses = Stratifier.rulesNeeded(for: predicates, in: rules).map { rules[$0] }
        derived = Set(clauses.map(\.head.predicate))
        return (clauses, try Stratifier.stratify(clauses))
    }

    private func record(arities: [Value: Int], introduced: [Value: RewrittenPredicate]) {
        for (predicate, arity) in arities { catalog.declare(predicate, arity: arity) }
        self.introduced.merge(introduced) { $1 }
    }

    /// Evaluates the rules a query needs, then the query, where `site` says (in the database,
    /// or here); returns the answer relation.
    private func evaluate(_ original: Query) throws -> Relation {
        let prepared = try prepare(original)
        if let program = try serverProgram(for: prepared), case .rows(let answer)? = try answer(of: program, prepared, counting: false) {
            return answer
        }
        return try evaluateHere(prepared)
    }

    /// Evaluates the rules a query needs, then the query, in this process.
    private func evaluateHere(_ prepared: PreparedQuery) throws -> Relation {
        let query = prepared.query
        for (number, stratum) in prepared.strata.enumerated() {
            trace.append("stratum \(number + 1)\(stratum.isRecursive ? " (recursive)" : ""): \(stratum.predicates.map(\.sourceText).sorted().joined(separator: ", "))")
            try evaluate(stratum, prepared.clauses)
        }
        // A query for a whole relation (one atom, each argument its own variable) is answered
        // by the relation itself, without copying millions of rows into an answer relation.
        if query.body.count == 1, case .positive(let atom, nil) = query.body[0], BuiltinPredicate(atom.predicate) == nil {
            let names = atom.arguments.compactMap { argument -> String? in
                if case .variable(let name) = argument.kind, !name.hasPrefix("_") { return name } else { return nil }
            }
            if !names.isEmpty, names == prepared.columns, names.count == atom.arguments.count, Set(names).count == names.count {
                let whole = try relation(atom.predicate, withSources: false)
                trace.append("query: \(query.text)")
                trace.append("  the answer is \(atom.predicate.sourceText) itself: \(whole.count) rows")
                return whole
            }
        }
        let compiled = try RuleCompiler.compile(query, columns: prepared.columns, dictionary: dictionary)
        let answer = Relation(arity: compiled.head.count)
        let plan = try planner.plan(compiled, head: answer, deltaAtom: nil)
        trace.append("query: \(query.text)")
        trace += plan.explanation.map { "  " + $0 }
        // `limit` without `order by` asks for any N answers: the join stops once it has them
        // (the offset's first), instead of finding every answer and cutting.
        if let limit = query.options.limit, query.options.orderBy.isEmpty {
            let wanted = (query.options.offset ?? 0) + limit
            if try executor.run(plan, stoppingAfter: wanted) {
                trace.append("  stopped after \(wanted) answers (limit without order by)")
            }
        } else {
            try executor.run(plan)
        }
        answer.commit()
        return answer
    }

    // MARK: - Strata

    var planner: Planner {
        var planner = Planner(
            relation: { [unowned self] predicate, withSources, bound in try self.relation(predicate, withSources: withSources, bound: bound) },
            derived: derived,
            describe: { [unowned self] id in (try? self.dictionary.value(of: id))?.sourceText ?? "#\(id)" })
        planner.known = { [unowned self] predicate, withSources, bound, loading in
            try self.knownRelation(predicate, withSources: withSources, bound: bound, loading: loading)
        }
        planner.restricted = { [unowned self] predicate, withSources, bound, column, values in
            try self.restrictedRelation(predicate, withSources: withSources, bound: bound, column: column, values: values)
        }
        return planner
    }

    /// Semi-naive evaluation of one stratum: a first round with every rule over all facts, then
    /// rounds in which each recursive rule joins only the previous round's new facts (the delta).
    func evaluate(_ stratum: Stratum, _ clauses: [Clause]) throws {
        let compiled = try stratum.rules.map { try RuleCompiler.compile(clauses[$0], dictionary: dictionary) }
        let heads = try compiled.map { try relation($0.headPredicate, withSources: false) }
        let planner = self.planner
        let ownPredicates = Set(compiled.map(\.headPredicate))
        for (rule, head) in zip(compiled, heads) {
            if let special = specialRules[rule.text] {
                // In a recursion, a special rule reading only lower strata runs once, here;
                // one that takes periods away from solutions of the recursion runs again on
                // each round's new facts (below). Merging periods, or aggregates, over the
                // recursion itself would need its facts complete.
                let readsRecursion = rule.body.contains { if case .positive(let atom) = $0 { return ownPredicates.contains(atom.predicate) } else { return false } }
                if stratum.isRecursive && readsRecursion {
                    guard case .subtract = special else {
                        throw EngineError.notYetWithPeriods("recursion through an aggregate or 'from ... until'")
                    }
                }
                trace.append("  rule (\(special)): \(rule.text)")
                switch special {
                case .coalesce: try coalesce(rule, into: head)
                case .subtract(let negations, let excluding):
                    try subtract(rule, negations: negations, excluding: excluding, into: head, planner: planner)
                case .aggregatePerPeriod(let negations, let excluding) where negations.isEmpty && excluding.isEmpty:
                    try aggregate(rule, into: head, planner: planner, perPeriod: true)
                case .aggregatePerPeriod(let negations, let excluding):
                    try aggregateAfterSubtracting(rule, negations: negations, excluding: excluding, into: head, planner: planner)
                }
                continue
            }
            if !rule.aggregates.isEmpty {
                try aggregate(rule, into: head, planner: planner)
                continue
            }
            let plan = try planner.plan(rule, head: head, deltaAtom: nil)
            trace.append("  rule: \(rule.text)")
            trace += plan.explanation.map { "    " + $0 }
            try naming(rule.text) { try executor.run(plan, keepingOnly: headFilters[rule.headPredicate]) }
        }
        // Each predicate of the stratum once, by position, with its relation and last round's
        // new rows; the rounds below then look nothing up by name.
        var position: [Value: Int] = [:]
        var stratumRelations: [Relation] = []
        for (rule, head) in zip(compiled, heads) where position[rule.headPredicate] == nil {
            position[rule.headPredicate] = stratumRelations.count
            stratumRelations.append(head)
        }
        var deltas = stratumRelations.map { $0.commit() }
        guard stratum.isRecursive else { return }

        // One plan per rule and recursive body atom, that atom reading the delta. A rule that
        // takes periods away has its solutions found so, then their periods cut.
        var deltaPlans: [(plan: Plan, delta: Int, filter: Relation?, rule: Int)] = []
        var subtractionPlans: [(deltaAtom: Int, delta: Int, subtraction: Subtraction, head: Relation, rule: Int)] = []
        for (r, (rule, head)) in zip(compiled, heads).enumerated() {
            if case .subtract(let negations, let excluding)? = specialRules[rule.text] {
                guard let subtraction = try subtraction(rule, negations: negations, excluding: excluding) else { continue }
                for (i, literal) in subtraction.solutionRule.body.enumerated() {
                    guard case .positive(let atom) = literal, atom.source == nil, let delta = position[atom.predicate] else { continue }
                    let plan = try planner.plan(subtraction.solutionRule, head: Relation(arity: rule.variableNames.count), deltaAtom: i)
                    trace.append("  delta rule (on \(atom.predicate.sourceText), periods taken away): \(rule.text)")
                    trace += plan.explanation.map { "    " + $0 }
                    subtractionPlans.append((i, delta, subtraction, head, r))
                }
                continue
            }
            if specialRules[rule.text] != nil { continue }
            for (i, literal) in rule.body.enumerated() {
                guard case .positive(let atom) = literal, atom.source == nil, let delta = position[atom.predicate] else { continue }
                let plan = try planner.plan(rule, head: head, deltaAtom: i)
                trace.append("  delta rule (on \(atom.predicate.sourceText)): \(rule.text)")
                trace += plan.explanation.map { "    " + $0 }
                deltaPlans.append((plan, delta, headFilters[rule.headPredicate], r))
            }
        }
        var rounds = 1
        while deltas.contains(where: { !$0.isEmpty }) {
            for (plan, delta, filter, rule) in deltaPlans where !deltas[delta].isEmpty {
                try naming(compiled[rule].text) { try executor.run(plan, delta: deltas[delta], keepingOnly: filter) }
            }
            for (deltaAtom, delta, subtraction, head, rule) in subtractionPlans where !deltas[delta].isEmpty {
                let solutions = Relation(arity: compiled[rule].variableNames.count)
                let plan = try planner.plan(subtraction.solutionRule, head: solutions, deltaAtom: deltaAtom)
                try naming(compiled[rule].text) { try executor.run(plan, delta: deltas[delta]) }
                solutions.commit()
                try apply(subtraction, to: solutions, into: head)
            }
            for i in stratumRelations.indices { deltas[i] = stratumRelations[i].commit(round: rounds) }
            rounds += 1
        }
        trace.append("  \(rounds) rounds")
    }

    /// Runs `body`, naming the rule (its text, read only on an error) in a limit's error it throws.
    private func naming(_ rule: @autoclosure () -> String, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as EngineError {
            throw error.naming(rule: rule())
        }
    }

    /// An aggregate rule: its body's distinct solutions (one column a variable), grouped.
    /// Stratification has made every predicate of the body complete already.
    private func aggregate(_ rule: CompiledRule, into head: Relation, planner: Planner, perPeriod: Bool = false) throws {
        // A body of one atom of distinct variables in column order (`reach(X, Y)`, or
        // `member-of(X, O) @ S` with the source last): its solutions are the relation's rows,
        // distinct already; group them where they are.
        if !perPeriod, rule.body.count == 1, case .positive(let atom) = rule.body[0],
           atom.arguments + (atom.source.map { [$0] } ?? []) == (0..<rule.variableNames.count).map({ Slot.variable($0) }),
           BuiltinPredicate(atom.predicate) == nil {
            let relation = try planner.relation(atom.predicate, atom.source != nil, [:])
            trace.append("  aggregate rule: \(rule.text)")
            trace.append("    the solutions are \(atom.predicate.sourceText) itself: \(relation.count) rows")
            trace.append("    group by the head's other arguments: " + rule.aggregates.keys.sorted().map { "\(rule.aggregates[$0]!.function.rawValue) at argument \($0 + 1)" }.joined(separator: ", "))
            try executor.aggregate(relation, rule: rule, into: head)
            return
        }
        let solutions = Relation(arity: rule.variableNames.count)
        // A solution is the values of the rule's own variables: the periods `at D` reads
        // (variables valid time adds) are left out, so that two stints covering the day are one
        // solution. Aggregates per period keep them: they are each solution's period.
        let hidden = { (name: String) in !perPeriod && (name.hasPrefix("_from[") || name.hasPrefix("_until[")) }
        let solutionRule = CompiledRule(headPredicate: rule.headPredicate,
                                        head: rule.variableNames.indices.map { hidden(rule.variableNames[$0]) ? .constant(.integer(0), id: 0) : .variable($0) },
                                        aggregates: [:], body: rule.body, variableNames: rule.variableNames, text: rule.text)
        let plan = try planner.plan(solutionRule, head: solutions, deltaAtom: nil)
        trace.append("  aggregate rule: \(rule.text)")
        trace += plan.explanation.map { "    " + $0 }
        trace.append("    group by the head's other arguments: " + rule.aggregates.keys.sorted().map { "\(rule.aggregates[$0]!.function.rawValue) at argument \($0 + 1)" }.joined(separator: ", "))
        try naming(rule.text) { try executor.run(plan) }
        solutions.commit()
        if perPeriod {
            try executor.aggregatePerPeriod(solutions, rule: rule, into: head)
        } else {
            try executor.aggregate(solutions, rule: rule, into: head)
        }
    }

    // MARK: - Relations

    /// The relation of a predicate when it is complete: loaded already, a text search's, or
    /// (with `loading`) any that is not derived. Else nil.
    private func knownRelation(_ predicate: Value, withSources: Bool, bound: [Int: Int64], loading: Bool) throws -> Relation? {
        guard !derived.contains(predicate) else { return nil }
        if loading || introduced[predicate]?.isTextMatch == true { return try relation(predicate, withSources: withSources, bound: bound) }
        return relations[RelationKey(predicate: predicate, withSources: withSources, bound: bound)]
    }

    private struct RestrictionKey: Hashable {
        let relation: RelationKey
        let column: Int
        let values: [Int64]
    }
    private var restrictedRelations: [RestrictionKey: Relation] = [:]

    /// The stored binary facts of a predicate whose `column` (the source's with `withSources`)
    /// holds one of `values`, read value by value through the store's index on that column;
    /// nil for a predicate not read from the store as it is (one a rewrite made, or not binary).
    private func restrictedRelation(_ predicate: Value, withSources: Bool, bound: [Int: Int64], column: Int, values: [Int64]) throws -> Relation? {
        if let rewritten = introduced[predicate], rewritten.storedPredicate == nil { return nil }
        let storedPredicate = introduced[predicate]?.storedPredicate ?? predicate
        guard catalog.arity(of: predicate) == 2, let id = try dictionary.storedID(for: storedPredicate) else { return nil }
        let key = RestrictionKey(relation: RelationKey(predicate: predicate, withSources: withSources, bound: bound), column: column, values: values)
        if let known = restrictedRelations[key] { return known }
        let relation = Relation(arity: withSources ? 3 : 2)
        relation.tracksRounds = tracksRounds
        var reads = 0
        // Values no stored fact can hold (computed ones) find nothing.
        for value in values where TermCode.isStorable(value) && (bound[column] ?? value) == value {
            var read = bound
            read[column] = value
            relation.appendDistinct(rows: try store.facts(predicate: id, arity: 2, withSources: withSources, bound: read))
            reads += 1
        }
        let read = store.describeRead(predicate: id, arity: 2, withSources: withSources, bound: bound.merging([column: values.first ?? 0]) { $1 })
        trace.append("  load \(predicate.sourceText)/2\(withSources ? " with sources" : "") for \(values.count) values of column \(column + 1): \(relation.count) rows <- \(reads) reads of \(read)")
        restrictedRelations[key] = relation
        return relation
    }

    /// The relation of a predicate, loaded from the store's facts on first use.
    /// With `withSources`, rows carry the fact's source as one more column.
    func relation(_ predicate: Value, withSources: Bool, bound: [Int: Int64] = [:]) throws -> Relation {
        let key = RelationKey(predicate: predicate, withSources: withSources, bound: bound)
        if let existing = relations[key] { return existing }
        let arity = catalog.arity(of: predicate) ?? 0
        let relation = Relation(arity: withSources ? arity + 1 : arity)
        relation.tracksRounds = tracksRounds
        if case .textMatch(let search, _)? = introduced[predicate] {
            try loadTextMatches(search, into: relation, bound: bound)
            trace.append("  load \(predicate.sourceText)/2: \(relation.count) rows <- the store's text index")
            relations[key] = relation
            return relation
        }
        let storedPredicate = introduced[predicate]?.storedPredicate ?? predicate
        if case .periods(let withPeriods)? = introduced[storedPredicate] {
            // The stored facts with their periods (a derived predicate's rules add to them).
            if let id = try dictionary.storedID(for: withPeriods) {
                let arity = relation.arity - 2 - (withSources ? 1 : 0)
                // The relation's columns: the arguments, the period, then the source; the store
                // counts the source as column `arity`.
                var stored: [Int: Int64] = [:]
                var periodBound: [Int: Int64] = [:]
                for (column, id) in bound {
                    if column < arity { stored[column] = id } else if column == arity + 2 { stored[arity] = id } else { periodBound[column] = id }
                }
                var rows = try store.factsWithPeriods(predicate: id, arity: arity, withSources: withSources, bound: stored)
                if !periodBound.isEmpty {
                    let width = relation.width
                    rows = stride(from: 0, to: rows.count, by: width).filter { start in periodBound.allSatisfy { rows[start + $0.key] == $0.value } }
                        .flatMap { rows[$0..<($0 + width)] }
                }
                relation.appendDistinct(rows: rows)
                trace.append("  load \(predicate.sourceText)/\(arity + 2)\(withSources ? " with sources" : ""): \(relation.count) rows <- the stored facts of \(withPeriods.sourceText) with their periods")
            }
            relations[key] = relation
            return relation
        }
        if let id = try dictionary.storedID(for: storedPredicate) {
            // The store gives each fact once (with sources: once per source), so no duplicate check.
            // A large binary predicate's facts come packed in one blob when the store keeps one.
            if arity == 2 && !withSources && bound.isEmpty,
               try store.withCachedFacts(predicate: id, { relation.appendDistinct(littleEndian: $0) }) {
                trace.append("  load \(predicate.sourceText)/2: \(relation.count) rows <- the store's packed copy [p = \(id)]")
                relations[key] = relation
                return relation
            }
            let rows = try store.facts(predicate: id, arity: arity, withSources: withSources, bound: bound)
            if relation.arity == 0 {
                // A nullary fact has no columns to read: whether it holds is whether a row exists.
                if try store.factCount(predicate: id, arity: 0) > 0 { relation.appendDistinct(rows: [0]) }
            } else {
                relation.appendDistinct(rows: rows)
            }
            trace.append("  load \(predicate.sourceText)/\(arity)\(withSources ? " with sources" : ""): \(relation.count) rows <- "
                         + store.describeRead(predicate: id, arity: arity, withSources: withSources, bound: bound))
        }
        relations[key] = relation
        return relation
    }

    /// The terms a search matches, each with its score (a decimal, four places), kept when they
    /// hold `bound`'s ids at its columns.
    private func loadTextMatches(_ search: TextSearch, into relation: Relation, bound: [Int: Int64]) throws {
        var rows: [Int64] = []
        for (term, score) in try store.textMatches(search) {
            let row = [term, try dictionary.id(for: TextSearch.scoreValue(score))]
            if bound.allSatisfy({ row[$0.key] == $0.value }) { rows += row }
        }
        relation.appendDistinct(rows: rows)
    }
}
