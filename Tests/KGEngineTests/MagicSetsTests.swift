import XCTest
import KGSyntax
@testable import KGEngine

/// The demand-driven rewrite on programs alone, with no store: which rules it adds for a
/// query, and when it leaves the program as it is.
final class MagicSetsTests: XCTestCase {
    func program(_ text: String) -> (rules: [Clause], query: Query) {
        let (statements, diagnostics) = Parser.parse(text)
        XCTAssertEqual(diagnostics.map(\.description), [])
        var rules: [Clause] = []
        var query: Query?
        for statement in statements {
            if case .clause(let clause) = statement { rules.append(clause) }
            if case .query(let q) = statement { query = q }
        }
        return (rules, query!)
    }

    func testABoundFirstArgumentOfARecursiveRule() throws {
        let (rules, query) = program("""
            reach(X, Y) :- link(X, Y).
            reach(X, Y) :- reach(X, Z), link(Z, Y).
            ?- reach(n0, Y).
            """)
        let rewrite = try XCTUnwrap(MagicSets.rewrite(query, rules: rules))
        // The seed, each rule guarded by the magic set (the recursive call passes X on, which the
        // magic set already holds), and the stored facts of reach, if any.
        XCTAssertEqual(rewrite.addedRules, [
            "magic-reach[bf](n0).",
            "reach[bf](X, Y) :- magic-reach[bf](X), link(X, Y).",
            "reach[bf](X, Y) :- magic-reach[bf](X), reach[bf](X, Z), link(Z, Y).",
            "reach[bf](A0, A1) :- magic-reach[bf](A0), reach[stored](A0, A1).",
        ])
        XCTAssertEqual(rewrite.adorned, [.name("reach[bf]"): .name("reach")])
        XCTAssertEqual(rewrite.arities[.name("magic-reach[bf]")], 1)
    }

    func testNoRewriteWithoutABoundArgumentOfADerivedPredicate() {
        let free = program("reach(X, Y) :- link(X, Y). ?- reach(X, Y).")
        XCTAssertNil(MagicSets.rewrite(free.query, rules: free.rules))
        let stored = program("reach(X, Y) :- link(X, Y). ?- link(n0, Y).")
        XCTAssertNil(MagicSets.rewrite(stored.query, rules: stored.rules))
    }

    func testAConstantInARuleBodySeedsDemandThroughAnAggregate() throws {
        let (rules, query) = program("""
            reach(X, Y) :- link(X, Y).
            reach(X, Y) :- reach(X, Z), link(Z, Y).
            from-n0(count(Y)) :- reach(n0, Y).
            ?- from-n0(N).
            """)
        let rewrite = try XCTUnwrap(MagicSets.rewrite(query, rules: rules))
        XCTAssertEqual(rewrite.addedRules, [
            "from-n0(count(Y)) :- reach[bf](n0, Y).",
            "magic-reach[bf](n0).",
            "reach[bf](X, Y) :- magic-reach[bf](X), link(X, Y).",
            "reach[bf](X, Y) :- magic-reach[bf](X), reach[bf](X, Z), link(Z, Y).",
            "reach[bf](A0, A1) :- magic-reach[bf](A0), reach[stored](A0, A1).",
        ])
        XCTAssertEqual(rewrite.rules[2].body.count, 1)
    }

    func testBindingsPassThroughTheAtomThatIsBoundNotTheFirstWritten() throws {
        // reach(Z, Y) comes first but nothing binds it; edge(X, Z) does, through X.
        let (rules, query) = program("""
            reach(X, Y) :- edge(X, Y).
            reach(X, Y) :- reach(Z, Y), edge(X, Z).
            ?- reach(n0, Y).
            """)
        let rewrite = try XCTUnwrap(MagicSets.rewrite(query, rules: rules))
        XCTAssertEqual(rewrite.addedRules, [
            "magic-reach[bf](n0).",
            "reach[bf](X, Y) :- magic-reach[bf](X), edge(X, Y).",
            "magic-reach[bf](Z) :- magic-reach[bf](X), edge(X, Z).",
            "reach[bf](X, Y) :- magic-reach[bf](X), reach[bf](Z, Y), edge(X, Z).",
            "reach[bf](A0, A1) :- magic-reach[bf](A0), reach[stored](A0, A1).",
        ])
    }
}
