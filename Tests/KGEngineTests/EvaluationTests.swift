import XCTest
import KGTestSupport
import KGEngine
import KGLog
import KGSyntax

/// Evaluation through a knowledge base: exact answers of small programs.
final class EvaluationTests: XCTestCase {
    func testJoinAndProjection() {
        let program = "m(armenia, csto). m(russia, csto). m(russia, cis). m(moldova, cis)."
        XCTAssertEqual(answers(program, "m(X, csto), m(X, cis)"), ["russia"])
        XCTAssertEqual(answers(program, "m(_, _)"), ["true"])
        XCTAssertEqual(answers(program, "m(_, O)"), ["cis", "csto"])
        XCTAssertEqual(answers(program, "m(X, _)"), ["armenia", "moldova", "russia"])
        XCTAssertEqual(answers(program + "org(O) :- m(_, O).", "org(O)"), ["cis", "csto"])
    }

    func testUnionOfRules() {
        let program = "a(1). b(2). b(1). u(X) :- a(X). u(X) :- b(X)."
        XCTAssertEqual(answers(program, "u(X)"), ["1", "2"])
    }

    func testTransitiveClosureOnAChainAndOnACycle() {
        let rules = "reach(X, Y) :- link(X, Y). reach(X, Y) :- reach(X, Z), link(Z, Y)."
        XCTAssertEqual(answers(rules + "link(a, b). link(b, c). link(c, d).", "reach(a, Y)"), ["b", "c", "d"])
        XCTAssertEqual(answers(rules + "link(a, b). link(b, c). link(c, d).", "reach(X, Y)").count, 6)
        let cycle = rules + "link(a, b). link(b, c). link(c, a)."
        XCTAssertEqual(answers(cycle, "reach(X, Y)"), [
            "a, a", "a, b", "a, c", "b, a", "b, b", "b, c", "c, a", "c, b", "c, c",
        ])
        // Left- and right-recursive, and doubly recursive forms agree.
        let nonlinear = "r(X, Y) :- link(X, Y). r(X, Y) :- r(X, Z), r(Z, Y). link(a, b). link(b, c). link(c, d). link(d, e)."
        XCTAssertEqual(answers(nonlinear, "r(a, Y)"), ["b", "c", "d", "e"])
    }

    func testSameGeneration() {
        let program = """
            parent(r, a). parent(r, b). parent(a, c). parent(a, d). parent(b, e).
            sg(X, Y) :- parent(P, X), parent(P, Y), X != Y.
            sg(X, Y) :- parent(A, X), sg(A, B), parent(B, Y).
            """
        XCTAssertEqual(answers(program, "sg(X, Y)"), ["a, b", "b, a", "c, d", "c, e", "d, c", "d, e", "e, c", "e, d"])
    }

    func testMutualRecursion() {
        let program = """
            next(0, 1). next(1, 2). next(2, 3). next(3, 4). next(4, 5).
            even(0).
            even(Y) :- odd(X), next(X, Y).
            odd(Y) :- even(X), next(X, Y).
            """
        XCTAssertEqual(answers(program, "even(X)"), ["0", "2", "4"])
        XCTAssertEqual(answers(program, "odd(X)"), ["1", "3", "5"])
    }

    func testNegationOverARecursivePredicateInALowerStratum() {
        let program = """
            node(a). node(b). node(c). node(d).
            link(a, b). link(b, c). link(d, d).
            reach(X, Y) :- link(X, Y).
            reach(X, Y) :- reach(X, Z), link(Z, Y).
            unreachable-from-a(X) :- node(X), not reach(a, X).
            isolated(X) :- node(X), not reach(X, _), not reach(_, X).
            """
        XCTAssertEqual(answers(program, "unreachable-from-a(X)"), ["a", "d"])
        XCTAssertEqual(answers(program, "isolated(X)"), [])
        XCTAssertEqual(answers(program + "node(e).", "isolated(X)"), ["e"])
    }

    func testArithmeticInHeadsAndBodies() {
        let program = """
            n(1). n(2). n(3).
            sum(X, Y, X + Y) :- n(X), n(Y), X < Y.
            next-year(Y2) :- year(Y), Y2 = Y + 1.
            year(2012).
            half(X, H) :- n(X), H = X / 2.
            precise(X, H) :- n(X), H = X / 2.0.
            rem(X, R) :- n(X), R = X % 2.
            neg(X, 0 - X * 2) :- n(X).
            """
        XCTAssertEqual(answers(program, "sum(X, Y, S)"), ["1, 2, 3", "1, 3, 4", "2, 3, 5"])
        XCTAssertEqual(answers(program, "next-year(Y)"), ["2013"])
        XCTAssertEqual(answers(program, "half(X, H)"), ["1, 0", "2, 1", "3, 1"])
        XCTAssertEqual(answers(program, "precise(X, H)"), ["1, 0.5", "2, 1.0", "3, 1.5"])
        XCTAssertEqual(answers(program, "rem(X, R)"), ["1, 1", "2, 0", "3, 1"])
        XCTAssertEqual(answers(program, "neg(X, Y)"), ["3, -6", "2, -4", "1, -2"].reversed())
        XCTAssertEqual(answers("", "X = 0.1 + 0.2, Y = 7 - 10, Z = -7 / 2, W = -7 % 3"), ["0.3, -3, -3, -1"])
    }

    func testDateArithmetic() {
        XCTAssertEqual(answers("", "D = 2012-09-03 + 5, E = 2012-03-01 - 1, N = 2012-09-08 - 2012-09-03"),
                       ["2012-09-08, 2012-02-29, 5"])
    }

    func testComparisonsAcrossKinds() {
        let program = """
            v(1). v(2.5). v("b"). v("a"). v(x). v(2012-05-03). v(2011-01-01). v(<http://e/x>).
            """
        XCTAssertEqual(answers(program, "v(X), X < 2"), ["1"])
        XCTAssertEqual(answers(program, "v(X), X >= 1.5"), ["2.5"])
        XCTAssertEqual(answers(program, "v(X), X < \"b\""), ["\"a\""])
        XCTAssertEqual(answers(program, "v(X), X > 2012-01-01"), ["2012-05-03"])
        XCTAssertEqual(answers(program, "v(X), X <= w"), [])
        XCTAssertEqual(answers(program, "v(X), X != 1, X != \"a\", X != \"b\", X != x"), [
            "2.5", "2011-01-01", "2012-05-03", "<http://e/x>",
        ])
        // Answers sort numbers, then dates, strings, names, IRIs.
        XCTAssertEqual(answers(program, "v(X)"), ["1", "2.5", "2011-01-01", "2012-05-03", "\"a\"", "\"b\"", "x", "<http://e/x>"])
        // Numbers compare by value across integer and decimal; terms of different kinds never equal.
        XCTAssertEqual(answers("", "1 = 1.0"), ["true"])
        XCTAssertEqual(answers("", "1 < 1.5, 2.0 >= 2"), ["true"])
        XCTAssertEqual(answers("", "csto = \"csto\""), ["false"])
        XCTAssertEqual(answers("", "csto != \"csto\""), ["true"])
        XCTAssertEqual(answers("", "1 < \"2\""), ["false"])
    }

    func testNaryFactsAndRules() {
        let program = """
            post(zainetdinov, "press secretary", csto, 2012).
            post(bordyuzha, "Secretary General", csto, 2012).
            staff(O, P) :- post(P, _, O, _).
            triple(A, B, C) :- staff(A, B), post(B, C, _, _).
            """
        XCTAssertEqual(answers(program, "staff(csto, P)"), ["bordyuzha", "zainetdinov"])
        XCTAssertEqual(answers(program, "triple(A, B, C)"), [
            "csto, bordyuzha, \"Secretary General\"", "csto, zainetdinov, \"press secretary\"",
        ])
    }

    func testNullaryPredicates() {
        XCTAssertEqual(answers("raining. wet :- raining.", "wet"), ["true"])
        XCTAssertEqual(answers("dry :- sunny. sunny :- raining.", "dry"), ["false"])
        XCTAssertEqual(answers("dry :- sunny. sunny :- raining. raining.", "dry"), ["true"])
    }

    func testRepeatedVariablesInAnAtom() {
        XCTAssertEqual(answers("e(a, a). e(a, b). e(b, b). self(X) :- e(X, X).", "self(X)"), ["a", "b"])
        XCTAssertEqual(answers("e(a, a). e(a, b).", "e(X, X)"), ["a"])
    }

    func testConstantsInHeadsAndUnknownConstants() {
        XCTAssertEqual(answers("p(a). flag(done) :- p(_).", "flag(X)"), ["done"])
        XCTAssertEqual(answers("p(a).", "p(zzz)"), ["false"])
    }

    func testGroundQueries() {
        let program = "m(armenia, csto). ally(X, Y) :- m(X, O), m(Y, O), X != Y. m(russia, csto)."
        XCTAssertEqual(answers(program, "m(armenia, csto)"), ["true"])
        XCTAssertEqual(answers(program, "m(georgia, csto)"), ["false"])
        XCTAssertEqual(answers(program, "ally(armenia, russia)"), ["true"])
        XCTAssertEqual(answers(program, "ally(armenia, armenia)"), ["false"])
    }

    func testSourcesOfStoredFacts() {
        let program = """
            m(armenia, csto) @ arminfo. m(armenia, csto) @ tass. m(russia, csto) @ tass. m(belarus, csto).
            reported-by(arminfo, zainetdinov).
            """
        XCTAssertEqual(answers(program, "m(X, csto)"), ["armenia", "belarus", "russia"])
        XCTAssertEqual(answers(program, "m(X, csto) @ S"), ["armenia, arminfo", "armenia, tass", "russia, tass"])
        XCTAssertEqual(answers(program, "m(X, csto) @ tass"), ["armenia", "russia"])
        XCTAssertEqual(answers(program, "m(X, csto) @ S, reported-by(S, Who)"), ["armenia, arminfo, zainetdinov"])
    }

    func testVariablesStartingWithAnUnderscoreAreNotAnswerColumns() throws {
        // `_X` is named but not an answer column: the answer is the distinct values of Y.
        let kb = try TestStore.newKnowledgeBase()
        try kb.execute("p(a, b). p(c, b). p(c, d).")
        XCTAssertEqual(try kb.query("?- p(_X, Y).").rows, [[.name("b")], [.name("d")]])
        XCTAssertEqual(try kb.query("?- p(X, _Y).").rows, [[.name("a")], [.name("c")]])
        XCTAssertEqual(try kb.count("?- p(_X, Y)."), 2)
        XCTAssertEqual(try kb.query("?- p(X, Y).").rows.count, 3)
    }
}
