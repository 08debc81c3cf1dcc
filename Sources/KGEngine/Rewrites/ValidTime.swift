import KGSyntax

/// Valid time: facts that hold in periods, carried through rules.
///
/// A stored fact may hold in periods (`from 2006-08-16 until 2012-12-19`); a fact stated
/// without one holds at all times. The rewrite gives each predicate with periods a relation
/// `p[periods]` of its facts with a period each (two more columns, the start and the end, half
/// open), and rewrites the rules so that:
/// - a derived fact holds over the intersection of its positive premises' periods
///   (`_from = greatest(...)`, `_until = least(...)`, `_from < _until`), minus the periods in
///   which a negated premise holds (a rule evaluated specially: `SpecialRule.subtract`);
/// - an aggregate is computed for each period in which its group's solutions stay the same
///   (`SpecialRule.aggregatePerPeriod`);
/// - `p(X) at D` holds when a period of the fact contains `D`, and `p(X) from F until U` binds
///   each maximal period (`p[maximal]`, the periods merged: `SpecialRule.coalesce`); both are
///   conditions that hold at all times, so a rule using them does not take their periods;
/// - a query's atom without a condition holds when its fact holds at some time.
/// Predicates without periods, and programs that use none, are left as they are.
public enum ValidTime {
    /// How a rule the rewrite made is evaluated, when not as an ordinary rule.
    enum SpecialRule {
        /// `p[maximal](A..., F, U) :- p[periods](A..., F, U).`: each fact's periods merged into
        /// maximal ones (overlapping or adjacent periods joined).
        case coalesce
        /// The body's negated atoms at `negations` (atoms of `p[maximal]`) take their periods
        /// away from the period of each solution of the rest; those at `excluding` (written
        /// `not p(...) at D`, read as `p[maximal](..., D, D)`) drop each solution for which a
        /// period of their fact contains the day.
        case subtract(negations: [Int], excluding: [Int])
        /// The head's aggregates are computed for each period in which the group's solutions
        /// stay the same; the head's last two arguments are the period. Negated premises, as
        /// in `subtract`, first take their periods away from each solution's.
        case aggregatePerPeriod(negations: [Int], excluding: [Int])
    }

    struct Rewrite {
        var query: Query
        var rules: [Clause]
        var arities: [Value: Int]
        var introduced: [Value: RewrittenPredicate]
        /// The special rules, by their text.
        var special: [String: SpecialRule]
        var addedRules: [String]
        /// Each rewritten rule's text as written, by its rewritten text.
        var origins: [String: String]
    }

    /// The predicates whose facts have periods: those stored with periods, and the derived
    /// ones a rule reads a predicate with periods for without saying when.
    static func predicatesWithPeriods(rules: [Clause], storedWithPeriods: Set<Value>) -> Set<Value> {
        var temporal = storedWithPeriods
        var changed = true
        while changed {
            changed = false
            for rule in rules where !temporal.contains(rule.head.predicate) {
                let readsPeriods = rule.body.contains { literal in
                    guard let atom = literal.atom, atom.time == nil else { return false }
                    return temporal.contains(atom.predicate)
                }
                if readsPeriods {
                    temporal.insert(rule.head.predicate)
                    changed = true
                }
            }
        }
        return temporal
    }

    /// The head's period in a rewritten rule.
    static let from = "_from", until = "_until"

    /// The rewrite, or nil when no predicate has periods and no atom asks about time.
    static func rewrite(_ query: Query, rules: [Clause], arities: [Value: Int], storedWithPeriods: Set<Value>) throws -> Rewrite? {
        // Only what the query reads matters: a program that reads no periods and asks nothing
        // about time is left as it is, however many other predicates have periods.
        let needed = Stratifier.rulesNeeded(for: query.body.compactMap(\.atom).map(\.predicate), in: rules).map { rules[$0] }
        let asksAboutTime = (needed.flatMap(\.body) + query.body).contains { $0.atom?.time != nil }
        let temporal = predicatesWithPeriods(rules: rules, storedWithPeriods: storedWithPeriods)
        let read = Set(needed.flatMap { $0.atoms.map(\.predicate) } + query.body.compactMap(\.atom).map(\.predicate))
        guard asksAboutTime || !read.isDisjoint(with: temporal) else { return nil }
        var rewriter = Rewriter(temporal: temporal, derived: Set(rules.map(\.head.predicate)), arities: arities)
        var rewritten: [Clause] = []
        for rule in rules { rewritten.append(try rewriter.rule(rule)) }
        var query = query
        if query.body.contains(where: rewriter.isNotAt) {
            // `not p(...) at D` in a query: answered through a rule of its own, evaluated so.
            let location = query.location
            let columns = query.answerVariables.map { Expression(.variable($0), at: location) }
            let head = Atom(predicate: .name("query[not-at]"), arguments: columns, at: location)
            rewritten.append(try rewriter.rule(Clause(head: head, source: nil, body: query.body, location: location, text: "")))
            rewriter.arities[head.predicate] = columns.count
            query.body = [.positive(head, source: nil)]
        } else {
            var body: [Literal] = []
            for literal in query.body { body += try rewriter.timeless(literal) }
            query.body = body
        }
        rewritten += rewriter.maximalRules()
        let origins = Dictionary(zip(rewritten.prefix(rules.count).map(\.text), rules.map(\.text)), uniquingKeysWith: { first, _ in first })
        return Rewrite(query: query, rules: rewritten, arities: rewriter.arities, introduced: rewriter.introduced,
                       special: rewriter.special, addedRules: rewritten.map(\.text), origins: origins)
    }

    /// The state of one rewrite: fresh variables, the predicates it introduced.
    private struct Rewriter {
        let temporal: Set<Value>
        let derived: Set<Value>
        var arities: [Value: Int]
        var introduced: [Value: RewrittenPredicate] = [:]
        var special: [String: SpecialRule] = [:]
        /// The predicates whose maximal periods are asked for, with their arities.
        var maximal: [Value: Int] = [:]
        /// The stored predicates whose maximal periods by source are asked for, with their arities.
        var maximalBySource: [Value: Int] = [:]
        private var fresh = 0

        init(temporal: Set<Value>, derived: Set<Value>, arities: [Value: Int]) {
            self.temporal = temporal
            self.derived = derived
            self.arities = arities
        }

        private func variable(_ name: String, _ location: SourceLocation) -> Expression {
            Expression(.variable(name), at: location)
        }

        /// A predicate the rewrite introduces, with its arity; its name.
        private mutating func introduce(_ predicate: RewrittenPredicate, arity: Int) -> Value {
            let name = predicate.name
            introduced[name] = predicate
            arities[name] = arity
            return name
        }

        /// `p[periods]`, introduced.
        private mutating func periods(_ atom: Atom) -> Value {
            introduce(.periods(atom.predicate), arity: atom.arity + 2)
        }

        /// `p[maximal]`, introduced (with `p[periods]`, which it merges); its rule is made at the end.
        private mutating func maximalPeriods(_ atom: Atom) -> Value {
            _ = periods(atom)
            maximal[atom.predicate] = atom.arity
            return introduce(.maximal(atom.predicate), arity: atom.arity + 2)
        }

        /// `p[maximal-by-source]`, introduced; its rule is made at the end. Only for a stored
        /// predicate: a derived one's sources are those its derivations rest on.
        private mutating func maximalBySource(_ atom: Atom, _ what: String) throws -> Value {
            guard !derived.contains(atom.predicate) else { throw EngineError.notYetWithPeriods("\(what) on a derived predicate") }
            _ = periods(atom)
            maximalBySource[atom.predicate] = atom.arity
            return introduce(.maximalBySource(atom.predicate), arity: atom.arity + 3)
        }

        /// A literal that holds at all times, as literals without time conditions: an atom
        /// with `at` or `from ... until`, or one that asks whether its fact ever holds.
        mutating func timeless(_ literal: Literal) throws -> [Literal] {
            switch literal {
            case .comparison: return [literal]
            case .negated(let atom, let source, let location):
                if let time = atom.time {
                    guard temporal.contains(atom.predicate) else {
                        var plain = atom
                        plain.time = nil
                        return [.negated(plain, source: source, location: location)]
                    }
                    // `not p(...) at D`: the caller marks the rule to drop solutions on that day.
                    guard case .at(let day) = time, source == nil else { throw EngineError.notYetWithPeriods("'not' with 'from ... until' or '@'") }
                    return [.negated(Atom(predicate: maximalPeriods(atom), arguments: atom.arguments + [day, day], at: atom.location),
                                     source: nil, location: location)]
                }
                guard temporal.contains(atom.predicate), derived.contains(atom.predicate) else { return [literal] }
                var read = Atom(predicate: periods(atom), arguments: atom.arguments + [variable("_", location), variable("_", location)], at: atom.location)
                read.time = nil
                return [.negated(read, source: source, location: location)]
            case .positive(let atom, let source):
                var plain = atom
                plain.time = nil
                switch atom.time {
                case nil:
                    // Whether the fact ever holds: stored facts are read as they are.
                    guard temporal.contains(atom.predicate), derived.contains(atom.predicate) else { return [literal] }
                    let location = atom.location
                    return [.positive(Atom(predicate: periods(atom), arguments: atom.arguments + [variable("_", location), variable("_", location)],
                                           at: location), source: source)]
                case .at(let day)?:
                    guard temporal.contains(atom.predicate) else { return [.positive(plain, source: source)] }
                    fresh += 1
                    let (start, end) = (variable("_from[\(fresh)]", day.location), variable("_until[\(fresh)]", day.location))
                    return [.positive(Atom(predicate: periods(atom), arguments: atom.arguments + [start, end], at: atom.location), source: source),
                            .comparison(start, .lessEqual, day, location: day.location),
                            .comparison(day, .less, end, location: day.location)]
                case .during(let start, let end)?:
                    guard temporal.contains(atom.predicate) else {
                        return [.positive(plain, source: source),
                                .comparison(start, .equal, Expression(.constant(.date(Period.openStart)), at: start.location), location: start.location),
                                .comparison(end, .equal, Expression(.constant(.date(Period.openEnd)), at: end.location), location: end.location)]
                    }
                    if let source {
                        // The periods one source states, merged.
                        return [.positive(Atom(predicate: try maximalBySource(atom, "'from ... until' with '@'"), arguments: atom.arguments + [source, start, end],
                                               at: atom.location), source: nil)]
                    }
                    return [.positive(Atom(predicate: maximalPeriods(atom), arguments: atom.arguments + [start, end], at: atom.location), source: nil)]
                }
            }
        }

        /// A rule: one deriving a predicate with periods carries them; others only have their
        /// time conditions rewritten.
        mutating func rule(_ rule: Clause) throws -> Clause {
            guard temporal.contains(rule.head.predicate) else {
                var result = rule
                result.body = []
                var excluding: [Int] = []
                for literal in rule.body {
                    if isNotAt(literal) { excluding.append(result.body.count) }
                    result.body += try timeless(literal)
                }
                if result.body != rule.body { result.text = result.formatted }
                if !excluding.isEmpty { special[result.text] = .subtract(negations: [], excluding: excluding) }
                return result
            }
            let location = rule.location
            var body: [Literal] = []
            var starts: [Expression] = [], ends: [Expression] = []
            var negations: [Int] = []
            var excluding: [Int] = []
            for literal in rule.body {
                if isNotAt(literal) { excluding.append(body.count) }
                switch literal {
                case .positive(let atom, let source) where atom.time == nil && temporal.contains(atom.predicate):
                    fresh += 1
                    let (start, end) = (variable("_from[\(fresh)]", location), variable("_until[\(fresh)]", location))
                    starts.append(start)
                    ends.append(end)
                    body.append(.positive(Atom(predicate: periods(atom), arguments: atom.arguments + [start, end], at: atom.location), source: source))
                case .negated(let atom, let source, let negation) where atom.time == nil && temporal.contains(atom.predicate):
                    negations.append(body.count)
                    // The periods the fact holds in (from one source, with `@`) are taken away.
                    let read = source == nil
                        ? Atom(predicate: maximalPeriods(atom), arguments: atom.arguments + [variable("_", negation), variable("_", negation)], at: atom.location)
                        : Atom(predicate: try maximalBySource(atom, "'not ... @'"), arguments: atom.arguments + [source!, variable("_", negation), variable("_", negation)],
                               at: atom.location)
                    body.append(.negated(read, source: nil, location: negation))
                default:
                    body += try timeless(literal)
                }
            }
            // The head's period: the intersection of the premises' (all time without any).
            let (start, end): (Expression, Expression)
            switch starts.count {
            case 0:
                (start, end) = (variable(ValidTime.from, location), variable(ValidTime.until, location))
                body.append(.comparison(start, .equal, Expression(.constant(.date(Period.openStart)), at: location), location: location))
                body.append(.comparison(end, .equal, Expression(.constant(.date(Period.openEnd)), at: location), location: location))
            case 1:
                (start, end) = (starts[0], ends[0])
            default:
                (start, end) = (variable(ValidTime.from, location), variable(ValidTime.until, location))
                body.append(.comparison(start, .equal, Expression(.call("greatest", starts), at: location), location: location))
                body.append(.comparison(end, .equal, Expression(.call("least", ends), at: location), location: location))
                body.append(.comparison(start, .less, end, location: location))
            }
            let head = Atom(predicate: periods(rule.head), arguments: rule.head.arguments + [start, end], at: rule.head.location)
            var result = Clause(head: head, source: nil, body: body, location: location, text: "")
            result.text = result.formatted
            let aggregated = rule.head.arguments.contains { if case .call = $0.kind { return true } else { return false } }
            if aggregated {
                special[result.text] = .aggregatePerPeriod(negations: negations, excluding: excluding)
            } else if !negations.isEmpty || !excluding.isEmpty {
                special[result.text] = .subtract(negations: negations, excluding: excluding)
            }
            return result
        }

        /// Whether a literal is `not p(...) at D` on a predicate with periods.
        func isNotAt(_ literal: Literal) -> Bool {
            if case .negated(let atom, nil, _) = literal, case .at? = atom.time, temporal.contains(atom.predicate) { return true }
            return false
        }

        /// `p[maximal](A..., F, U) :- p[periods](A..., F, U).` for each predicate asked so, and
        /// `p[maximal-by-source](A..., S, F, U) :- p[periods](A..., F, U) @ S.`
        mutating func maximalRules() -> [Clause] {
            // Each a coalescing rule over p[periods]: by source, (A..., S, F, U) from
            // (A..., F, U) @ S; else (A..., F, U) from (A..., F, U).
            let location = SourceLocation(line: 1, column: 1)
            let (start, end) = (variable(ValidTime.from, location), variable(ValidTime.until, location))
            func coalescing(_ predicate: Value, _ arity: Int, bySource: Bool) -> Clause {
                let arguments = (0..<arity).map { variable("A\($0)", location) }
                let source = bySource ? variable("S", location) : nil
                let head = bySource ? RewrittenPredicate.maximalBySource(predicate) : .maximal(predicate)
                var rule = Clause(head: Atom(predicate: head.name, arguments: arguments + (source.map { [$0] } ?? []) + [start, end], at: location),
                                  source: nil,
                                  body: [.positive(Atom(predicate: RewrittenPredicate.periods(predicate).name, arguments: arguments + [start, end], at: location),
                                                   source: source)],
                                  location: location, text: "")
                rule.text = rule.formatted
                special[rule.text] = .coalesce
                return rule
            }
            return maximalBySource.sorted { Value.sortOrder($0.key, $1.key) }.map { coalescing($0.key, $0.value, bySource: true) }
                + maximal.sorted { Value.sortOrder($0.key, $1.key) }.map { coalescing($0.key, $0.value, bySource: false) }
        }
    }
}
