import XCTest
import KGSyntax
@testable import KGEngine

/// Strata of programs alone, with no store: dependency order, recursion, and the cycles that
/// negation and aggregates may not close.
final class StratifierTests: XCTestCase {
    func clauses(_ text: String) -> [Clause] {
        let (statements, diagnostics) = Parser.parse(text)
        XCTAssertEqual(diagnostics.map(\.description), [])
        return statements.compactMap { if case .clause(let clause) = $0 { return clause } else { return nil } }
    }

    /// Each stratum as `predicates (recursive)`, in evaluation order.
    func strata(_ text: String) throws -> [String] {
        try Stratifier.stratify(clauses(text)).map { stratum in
            stratum.predicates.map(\.sourceText).sorted().joined(separator: " ") + (stratum.isRecursive ? " (recursive)" : "")
        }
    }

    func testStrataComeInDependencyOrder() throws {
        XCTAssertEqual(try strata("""
            outsider(X) :- country(X), not reach(X, csto).
            reach(X, Y) :- reach(X, Z), link(Z, Y).
            reach(X, Y) :- link(X, Y).
            link(X, Y) :- member-of(X, Y).
            members(O, count(X)) :- member-of(X, O).
            """), ["link", "reach (recursive)", "outsider", "members"])
    }

    func testMutualRecursionIsOneStratum() throws {
        XCTAssertEqual(try strata("even(X) :- zero(X). even(X) :- odd(Y), succ(Y, X). odd(X) :- even(Y), succ(Y, X)."),
                       ["even odd (recursive)"])
    }

    func testACycleThroughNegationOrAnAggregateIsNamed() {
        XCTAssertThrowsError(try Stratifier.stratify(clauses("p(X) :- q(X), not r(X). r(X) :- p(X)."))) { error in
            XCTAssertEqual((error as? Diagnostic)?.message, "cycle through negation: 'p/1' -> 'r/1' -> 'p/1'")
        }
        XCTAssertThrowsError(try Stratifier.stratify(clauses("n(count(X)) :- m(X). m(X) :- n(X)."))) { error in
            XCTAssertEqual((error as? Diagnostic)?.message, "cycle through an aggregate: 'n/1' -> 'm/1' -> 'n/1'")
        }
    }
}
