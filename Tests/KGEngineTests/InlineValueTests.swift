import XCTest
import KGEngine
import KGLog
import KGSyntax

/// Arithmetic, comparisons and aggregates on inline ids (integers, dates, small decimals) agree
/// with the general path on values, across the edge of the inline range.
final class InlineValueTests: XCTestCase {
    /// The largest inline integer, 2^59 - 1.
    private let edge: Int64 = (1 << 59) - 1

    func testArithmeticCrossesTheEdgeOfTheInlineRange() {
        XCTAssertEqual(answers("n(\(edge)).", "n(X), Y = X + 1, Z = Y - 1, W = X * 2"),
                       ["\(edge), \(edge + 1), \(edge), \(edge * 2)"])
        XCTAssertEqual(answers("n(\(-edge - 1)).", "n(X), Y = X - 1, Z = 0 - X"), ["\(-edge - 1), \(-edge - 2), \(edge + 1)"])
        // A number past the inline range meets the same number computed another way.
        XCTAssertEqual(answers("big(\(edge + 1)). n(\(edge)).", "n(X), big(Y), Y = X + 1"), ["\(edge), \(edge + 1)"])
        XCTAssertEqual(answers("n(7).", "n(X), Y = X / 2, Z = X % 4, W = X + 0.5"), ["7, 3, 3, 7.5"])
    }

    func testOverflowAndDivisionByZeroAreStillErrors() {
        XCTAssertEqual(error("n(9223372036854775807).\n?- n(X), Y = X + 1.\n"), """
            t.kgl:2:16: error: integer overflow in '9223372036854775807 + 1'
            ?- n(X), Y = X + 1.
                           ^

            """)
        XCTAssertEqual(error("n(5).\n?- n(X), Y = X / 0.\n"), "t.kgl:2:16: error: division by zero\n?- n(X), Y = X / 0.\n               ^\n")
    }

    func testComparisonsOnIdsAgreeWithComparisonsOnValues() {
        let program = "v(1). v(2). v(\(edge)). v(\(edge + 1)). v(-3). v(1.5). v(2.0). v(2020-01-01). v(1999-12-31). v(\"a\"). v(b)."
        XCTAssertEqual(answers(program, "v(X), X > 1"), ["1.5", "2", "2.0", "\(edge)", "\(edge + 1)"])
        XCTAssertEqual(answers(program, "v(X), X <= 2"), ["-3", "1", "1.5", "2", "2.0"])
        // `=` is sameness of terms (2.0 is not 2); `<=` and `>=` compare numbers by value.
        XCTAssertEqual(answers(program, "v(X), X = 2"), ["2"])
        XCTAssertEqual(answers(program, "v(X), X >= 2, X <= 2"), ["2", "2.0"])
        XCTAssertEqual(answers(program, "v(X), X >= 2000-01-01"), ["2020-01-01"])
        XCTAssertEqual(answers(program, "v(X), X < 2000-01-01"), ["1999-12-31"])
        XCTAssertEqual(answers(program, "v(X), v(Y), X = 2, Y < X, Y > 0"), ["2, 1", "2, 1.5"])
        XCTAssertEqual(answers(program, "v(X), X != 1, X < 3, X > -5"), ["-3", "1.5", "2", "2.0"])
        XCTAssertEqual(answers(program, "v(X), D = 2020-01-01 - 1999-12-31, X < D, X > 1"), ["1.5, 7306", "2, 7306", "2.0, 7306"])
    }

    func testAggregatesOverInlineAndDictionaryNumbers() {
        let program = """
            w(a, 1). w(a, \(edge)). w(b, 2.5). w(b, 12345678901234567.25). w(c, 2020-01-01). w(c, 1999-12-31).
            total(G, sum(N)) :- w(G, N), G != c.
            low(G, min(N)) :- w(G, N).
            high(G, max(N)) :- w(G, N).
            mean(G, avg(N)) :- w(G, N), G != c.
            """
        XCTAssertEqual(answers(program, "total(G, N)"), ["a, \(edge + 1)", "b, 12345678901234569.75"])
        XCTAssertEqual(answers(program, "low(G, N)"), ["a, 1", "b, 2.5", "c, 1999-12-31"])
        XCTAssertEqual(answers(program, "high(G, N)"), ["a, \(edge)", "b, 12345678901234567.25", "c, 2020-01-01"])
        XCTAssertEqual(answers(program, "mean(G, N)"), ["a, 288230376151711744.0", "b, 6172839450617284.875"])
    }
}
