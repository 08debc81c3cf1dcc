import XCTest
import KGEngine
import KGLog
import KGSyntax

/// Every checking and evaluation error, with its exact rendered text.
final class ErrorTests: XCTestCase {
    func testUnsafeVariableInHead() {
        XCTAssertEqual(error("p(X, Y) :- q(X)."), """
            t.kgl:1:6: error: variable 'Y' in the head of rule 'p/2' is not bound by a positive atom of the body
            p(X, Y) :- q(X).
                 ^

            """)
    }

    func testUnsafeVariableInNegation() {
        XCTAssertEqual(error("p(X) :- q(X), not r(X, Y)."), """
            t.kgl:1:24: error: variable 'Y' in a negated atom of rule 'p/1' is not bound by a positive atom of the body
            p(X) :- q(X), not r(X, Y).
                                   ^

            """)
    }

    func testUnsafeVariableInComparison() {
        XCTAssertEqual(error("p(X) :- q(X), X < Y."), """
            t.kgl:1:19: error: variable 'Y' in a comparison of rule 'p/1' is not bound by a positive atom of the body
            p(X) :- q(X), X < Y.
                              ^

            """)
        // An assignment chain binds; a comparison of two unbound variables does not.
        XCTAssertEqual(error("?- q(X), Z = Y + 1, Y = X, W < Z, V = V.", setup: "q(1)."), """
            t.kgl:1:28: error: variable 'W' in the query is not bound by a positive atom
            ?- q(X), Z = Y + 1, Y = X, W < Z, V = V.
                                       ^
            t.kgl:1:35: error: variable 'V' in the query is not bound by a positive atom
            ?- q(X), Z = Y + 1, Y = X, W < Z, V = V.
                                              ^

            """)
    }

    func testFactsMustBeGround() {
        XCTAssertEqual(error("p(a, X)."), """
            t.kgl:1:6: error: a fact cannot contain the variable 'X'
            p(a, X).
                 ^

            """)
        XCTAssertEqual(error("p(1 + 2)."), """
            t.kgl:1:5: error: a fact's arguments must be constants
            p(1 + 2).
                ^

            """)
    }

    func testExpressionsInBodyAtoms() {
        XCTAssertEqual(error("p(X) :- q(X + 1)."), """
            t.kgl:1:13: error: an atom in a body takes only constants and variables: bind the expression with '=' first
            p(X) :- q(X + 1).
                        ^

            """)
    }

    func testAnonymousVariableInHead() {
        XCTAssertEqual(error("p(_) :- q(_)."), """
            t.kgl:1:3: error: '_' cannot appear in the head of a rule
            p(_) :- q(_).
              ^

            """)
    }

    func testCycleThroughNegation() {
        XCTAssertEqual(error("p(X) :- q(X), not r(X).\nr(X) :- q(X), s(X).\ns(X) :- p(X)."), """
            t.kgl:1:19: error: cycle through negation: 'p/1' -> 'r/1' -> 's/1' -> 'p/1'
            p(X) :- q(X), not r(X).
                              ^

            """)
        XCTAssertEqual(error("win(X) :- move(X, Y), not win(Y)."), """
            t.kgl:1:27: error: cycle through negation: 'win/1' -> 'win/1'
            win(X) :- move(X, Y), not win(Y).
                                      ^

            """)
    }

    func testArityMismatchBetweenTwoFacts() {
        XCTAssertEqual(error("member-of(armenia, csto).\nmember-of(armenia, csto, 1992)."), """
            t.kgl:2:1: error: predicate 'member-of' is used with 3 arguments here but has 2 elsewhere
            member-of(armenia, csto, 1992).
            ^

            """)
    }

    func testArityMismatchBetweenAFactAndARule() {
        XCTAssertEqual(error("ally(X) :- member-of(X, _).", setup: "ally(a, b). member-of(a, csto)."), """
            t.kgl:1:1: error: predicate 'ally' is used with 1 argument here but has 2 elsewhere
            ally(X) :- member-of(X, _).
            ^

            """)
        XCTAssertEqual(error("country(a, b).", setup: "p(X) :- country(X)."), """
            t.kgl:1:1: error: predicate 'country' is used with 2 arguments here but has 1 elsewhere
            country(a, b).
            ^

            """)
    }

    func testUnknownPredicateInAQueryIsAnError() {
        XCTAssertEqual(error("?- membr-of(X, csto).", setup: "member-of(a, csto)."), """
            t.kgl:1:4: error: unknown predicate 'membr-of/2': no fact or rule defines it; did you mean 'member-of/2'?
            ?- membr-of(X, csto).
               ^

            """)
    }

    func testDivisionByZero() {
        XCTAssertEqual(error("?- n(X), Y = 10 / (X - 1).", setup: "n(1)."), """
            t.kgl:1:17: error: division by zero
            ?- n(X), Y = 10 / (X - 1).
                            ^

            """)
        XCTAssertEqual(error("?- Y = 10.5 % 0."), """
            t.kgl:1:13: error: division by zero
            ?- Y = 10.5 % 0.
                        ^

            """)
    }

    func testIntegerOverflowAndNonNumbers() {
        XCTAssertEqual(error("?- X = 9223372036854775807 + 1."), """
            t.kgl:1:28: error: integer overflow in '9223372036854775807 + 1'
            ?- X = 9223372036854775807 + 1.
                                       ^

            """)
        XCTAssertEqual(error("?- p(X), Y = X * 2.", setup: "p(armenia)."), """
            t.kgl:1:16: error: cannot apply '*' to name 'armenia'
            ?- p(X), Y = X * 2.
                           ^

            """)
    }

    func testRetractTakesConstantsAndVariables() {
        XCTAssertEqual(error("retract p(X + 1).", setup: "p(1)."), """
            t.kgl:1:13: error: retract takes constants and variables, not 'X + 1'
            retract p(X + 1).
                        ^

            """)
        XCTAssertEqual(error("retract p(X) @ f(Y).", setup: "p(1)."), """
            t.kgl:1:17: error: expected '.' at the end of the statement but found '('
            retract p(X) @ f(Y).
                            ^

            """)
    }

    func testUnknownFunction() {
        XCTAssertEqual(error("p(frob(X)) :- q(X).", setup: "q(1)."), """
            t.kgl:1:3: error: unknown function 'frob'
            p(frob(X)) :- q(X).
              ^

            """)
    }
}
