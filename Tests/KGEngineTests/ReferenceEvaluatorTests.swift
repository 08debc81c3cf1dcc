import XCTest
import KGTestSupport
import KGEngine
import KGLog
import KGSyntax

/// Compares the engine with a naive reference evaluator on many random programs.
///
/// The reference repeats every rule over all facts until nothing changes, stratum by stratum
/// (negated predicates are computed first), with no indexes, deltas or plans: slow and obviously
/// right. Programs mix recursion (linear and not), negation over lower strata, constants,
/// repeated variables, `_` and comparisons.
final class ReferenceEvaluatorTests: XCTestCase {
    typealias Random = SplitMix64

    // MARK: - Programs

    struct RuleSpec {
        var head: (String, [String])
        var positive: [(String, [String])]
        var negative: [(String, [String])]
        var comparisons: [(String, String, String)]

        var text: String {
            func atom(_ a: (String, [String])) -> String { "\(a.0)(\(a.1.joined(separator: ", ")))" }
            var body = positive.map(atom)
            body += negative.map { "not " + atom($0) }
            body += comparisons.map { "\($0.0) \($0.1) \($0.2)" }
            return "\(atom(head)) :- \(body.joined(separator: ", "))."
        }
    }

    /// Predicates in levels: e0, e1 (stored, binary); p-predicates defined by rules. A rule of
    /// level k uses positive atoms of levels <= k (recursion) and negated atoms of levels < k.
    func randomProgram(_ rng: inout Random) -> (facts: [(String, Int, Int)], rules: [RuleSpec]) {
        let constants = 6
        var facts: [(String, Int, Int)] = []
        for predicate in ["e0", "e1"] {
            for _ in 0..<rng.int(12) + 2 { facts.append((predicate, rng.int(constants), rng.int(constants))) }
        }
        let levels = ["p0", "p1", "p2"]
        var rules: [RuleSpec] = []
        let variables = ["X", "Y", "Z", "W"]
        for (level, head) in levels.enumerated() {
            for _ in 0..<rng.int(3) + 1 {
                let visible = ["e0", "e1"] + levels[0...level]
                let lower = ["e0", "e1"] + levels[0..<level]
                var positive: [(String, [String])] = []
                for _ in 0..<rng.int(3) + 1 {
                    let p = visible[rng.int(visible.count)]
                    func arg() -> String {
                        if rng.chance(10) { return "c\(rng.int(constants))" }
                        if rng.chance(8) { return "_" }
                        return variables[rng.int(variables.count)]
                    }
                    positive.append((p, [arg(), arg()]))
                }
                let bound = Array(Set(positive.flatMap(\.1).filter { $0.first!.isUppercase })).sorted()
                guard bound.count >= 1 else { continue }
                func pick() -> String { bound[rng.int(bound.count)] }
                var negative: [(String, [String])] = []
                if rng.chance(35) {
                    let p = lower[rng.int(lower.count)]
                    // A constant in a negated atom seeds that atom's demand (see MagicSets).
                    negative.append((p, [rng.chance(15) ? "c\(rng.int(constants))" : pick(), rng.chance(20) ? "_" : pick()]))
                }
                var comparisons: [(String, String, String)] = []
                if rng.chance(30) {
                    let ops = ["!=", "<", "=", ">="]
                    comparisons.append((pick(), ops[rng.int(ops.count)], rng.chance(50) ? pick() : "c\(rng.int(constants))"))
                }
                rules.append(RuleSpec(head: (head, [pick(), pick()]), positive: positive, negative: negative, comparisons: comparisons))
            }
        }
        return (facts, rules)
    }

    // MARK: - The reference evaluator

    typealias Tuple = [String]

    func reference(facts: [(String, Int, Int)], rules: [RuleSpec]) -> [String: Set<Tuple>] {
        var db: [String: Set<Tuple>] = [:]
        for (p, a, b) in facts { db[p, default: []].insert(["c\(a)", "c\(b)"]) }
        for level in ["p0", "p1", "p2"] {
            let levelRules = rules.filter { $0.head.0 == level }
            var changed = true
            while changed {
                changed = false
                for rule in levelRules {
                    for binding in solutions(rule, db) {
                        let tuple = rule.head.1.map { binding[$0] ?? $0 }
                        if db[level, default: []].insert(tuple).inserted { changed = true }
                    }
                }
            }
        }
        return db
    }

    func solutions(_ rule: RuleSpec, _ db: [String: Set<Tuple>]) -> [[String: String]] {
        var bindings: [[String: String]] = [[:]]
        for (p, args) in rule.positive {
            var next: [[String: String]] = []
            for binding in bindings {
                for tuple in db[p] ?? [] {
                    var b = binding
                    var ok = true
                    for (arg, value) in zip(args, tuple) {
                        if arg == "_" { continue }
                        if arg.first!.isUppercase {
                            if let existing = b[arg] { if existing != value { ok = false; break } } else { b[arg] = value }
                        } else if arg != value { ok = false; break }
                    }
                    if ok { next.append(b) }
                }
            }
            bindings = next
        }
        return bindings.filter { b in
            for (p, args) in rule.negative {
                let exists = (db[p] ?? []).contains { tuple in
                    zip(args, tuple).allSatisfy { arg, value in arg == "_" || (b[arg] ?? arg) == value }
                }
                if exists { return false }
            }
            for (l, op, r) in rule.comparisons {
                let (x, y) = (b[l] ?? l, b[r] ?? r)
                switch op {
                case "!=": if x == y { return false }
                case "=": if x != y { return false }
                case "<": if !(x < y) { return false }
                case ">=": if !(x >= y) { return false }
                default: return false
                }
            }
            return true
        }
    }

    // MARK: - The comparison

    func testEngineAgreesWithTheReferenceOnRandomPrograms() throws {
        for seed in 1...300 {
            var rng = Random(seed: UInt64(seed))
            let (facts, rules) = randomProgram(&rng)
            var text = facts.map { "\($0.0)(c\($0.1), c\($0.2))." }.joined(separator: "\n") + "\n"
            text += "p0(c0, c0) :- e0(c0, c0).\np1(c0, c0) :- e0(c0, c0).\np2(c0, c0) :- e0(c0, c0).\n"
            text += rules.map(\.text).joined(separator: "\n") + "\n"
            let expected = reference(facts: facts, rules: rules + [
                RuleSpec(head: ("p0", ["c0", "c0"]), positive: [("e0", ["c0", "c0"])], negative: [], comparisons: []),
                RuleSpec(head: ("p1", ["c0", "c0"]), positive: [("e0", ["c0", "c0"])], negative: [], comparisons: []),
                RuleSpec(head: ("p2", ["c0", "c0"]), positive: [("e0", ["c0", "c0"])], negative: [], comparisons: []),
            ])
            let kb = try TestStore.newKnowledgeBase()
            do {
                try kb.execute(text)
            } catch let report as DiagnosticReport {
                XCTFail("seed \(seed): \(report.rendered())\n\(text)")
                continue
            }
            for predicate in ["p0", "p1", "p2"] {
                let answer = try kb.query("\(predicate)(A, B)")
                let got = Set(answer.rows.map { $0.map(\.lexical) })
                let want = expected[predicate] ?? []
                if got != want {
                    XCTFail("seed \(seed), \(predicate): engine \(got.sorted { $0.lexicographicallyPrecedes($1) }), reference \(want.sorted { $0.lexicographicallyPrecedes($1) })\n\(text)")
                    return
                }
                // Bound queries agree with the filtered full answer.
                let bound = try kb.query("\(predicate)(c1, B)")
                XCTAssertEqual(Set(bound.rows.map { ["c1"] + $0.map(\.lexical) }), want.filter { $0[0] == "c1" }, "seed \(seed)")
            }
        }
    }
}
