import XCTest
import KGSyntax
@testable import KGEngine

/// Join orders on rules alone, with no store: relations of chosen sizes stand for the facts.
final class PlannerTests: XCTestCase {
    /// The plan of the program's one rule, each relation holding `sizes[predicate]` rows, or
    /// `sizes["predicate filtered"]` when the store filters it by a constant; `derived`
    /// predicates are never filtered.
    func plan(_ text: String, sizes: [String: Int], derived: Set<Value> = [], deltaAtom: Int? = nil) throws -> [String] {
        let (statements, diagnostics) = Parser.parse(text)
        XCTAssertEqual(diagnostics.map(\.description), [])
        guard case .clause(let clause) = statements.first else { XCTFail("no rule"); return [] }
        let dictionary = TermDictionary(store: nil)
        let rule = try RuleCompiler.compile(clause, dictionary: dictionary)
        var relations: [Value: Relation] = [:]
        let planner = Planner(relation: { predicate, _, bound in
            let key = predicate.sourceText + (bound.isEmpty ? "" : " filtered")
            if let relation = relations[.name(key)] { return relation }
            let arity = clause.atoms.first { $0.predicate == predicate }?.arity ?? 0
            let relation = Relation(arity: arity)
            relation.appendDistinct(rows: (0..<((sizes[key] ?? 0) * arity)).map { Int64($0 + 1) })
            relations[.name(key)] = relation
            return relation
        }, derived: derived, describe: { (try? dictionary.value(of: $0).sourceText) ?? "?" })
        return try planner.plan(rule, head: Relation(arity: clause.head.arity), deltaAtom: deltaAtom).explanation
    }

    func testTheSmallerRelationGoesFirstThenBoundLookups() throws {
        XCTAssertEqual(try plan("co(X, Y) :- big(X, O), small(Y, O), X != Y.", sizes: ["big": 1000, "small": 10]), [
            "scan: small(Y, O)",
            "index lookup on column 1: big(X, O)",
            "filter: X != Y",
        ])
    }

    func testAConstantOfADerivedPredicateIsAKeyToLookUp() throws {
        // Derived facts are not filtered by the store: the constant makes big(a, Y) a lookup,
        // and an atom with a bound argument goes before a smaller one without.
        XCTAssertEqual(try plan("r(Y) :- big(a, Y), small(Y, Z).", sizes: ["big": 1000, "small": 10], derived: [.name("big")]), [
            "index lookup on column 0: big(a, Y)",
            "index lookup on column 0: small(Y, Z)",
        ])
    }

    func testAConstantTheStoreFiltersByMakesAScanOfTheRowsItKeeps() throws {
        // The store loads only big(a, _): that atom is a scan of what it loaded, ordered by
        // that size like any other scan, and no longer counts as bound.
        XCTAssertEqual(try plan("r(Y) :- big(a, Y), small(Y, Z).", sizes: ["big filtered": 5, "small": 10]), [
            "scan: big(a, Y)",
            "index lookup on column 0: small(Y, Z)",
        ])
        XCTAssertEqual(try plan("r(Y) :- big(a, Y), small(Y, Z).", sizes: ["big filtered": 50, "small": 10]), [
            "scan: small(Y, Z)",
            "index lookup on column 1: big(a, Y)",
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
