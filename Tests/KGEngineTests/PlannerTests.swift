import XCTest
import KGSyntax
@testable import KGEngine

/// Join orders on rules alone, with no store: relations of chosen sizes stand for the facts.
final class PlannerTests: XCTestCase {
    /// The plan of the program's one rule, each relation holding `sizes[predicate]` rows.
    func plan(_ text: String, sizes: [String: Int], deltaAtom: Int? = nil) throws -> [String] {
        let (statements, diagnostics) = Parser.parse(text)
        XCTAssertEqual(diagnostics.map(\.description), [])
        guard case .clause(let clause) = statements.first else { XCTFail("no rule"); return [] }
        let dictionary = TermDictionary(store: nil)
        let rule = try RuleCompiler.compile(clause, dictionary: dictionary)
        var relations: [Value: Relation] = [:]
        let planner = Planner(relation: { predicate, _, _ in
            if let relation = relations[predicate] { return relation }
            let arity = clause.atoms.first { $0.predicate == predicate }?.arity ?? 0
            let relation = Relation(arity: arity)
            relation.appendDistinct(rows: (0..<((sizes[predicate.sourceText] ?? 0) * arity)).map { Int64($0 + 1) })
            relations[predicate] = relation
            return relation
        }, derived: [], describe: { (try? dictionary.value(of: $0).sourceText) ?? "?" })
        return try planner.plan(rule, head: Relation(arity: clause.head.arity), deltaAtom: deltaAtom).explanation
    }

    func testTheSmallerRelationGoesFirstThenBoundLookups() throws {
        XCTAssertEqual(try plan("co(X, Y) :- big(X, O), small(Y, O), X != Y.", sizes: ["big": 1000, "small": 10]), [
            "scan: small(Y, O)",
            "index lookup on column 1: big(X, O)",
            "filter: X != Y",
        ])
    }

    func testAnAtomWithABoundArgumentBeatsASmallerUnboundOne() throws {
        // The constant of a stored predicate is left to the store, which loads only big(a, _).
        XCTAssertEqual(try plan("r(Y) :- big(a, Y), small(Y, Z).", sizes: ["big": 1000, "small": 10]), [
            "scan: big(a, Y)",
            "index lookup on column 0: small(Y, Z)",
        ])
    }

    func testTheDeltaGoesFirstAndConditionsAsSoonAsTheirVariablesAreBound() throws {
        XCTAssertEqual(try plan("reach(X, Y) :- link(Z, Y), reach(X, Z), not blocked(Y), N = X + 1, N > 2.",
                                sizes: ["link": 10, "reach": 1000, "blocked": 5], deltaAtom: 1), [
            "delta scan: reach(X, Z)",
            "assign: N = (X + 1)",
            "filter: N > 2",
            "index lookup on column 0: link(Z, Y)",
            "anti-join: not blocked(Y)",
        ])
    }
}
