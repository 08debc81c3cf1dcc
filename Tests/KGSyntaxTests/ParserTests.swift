import XCTest
@testable import KGSyntax

final class ParserTests: XCTestCase {
    private func dump(_ text: String) -> [String] {
        let (statements, diagnostics) = Parser.parse(text)
        XCTAssertEqual(diagnostics.map(\.description), [], "unexpected syntax errors")
        return statements.map(\.dump)
    }

    private func errors(_ text: String) -> [String] {
        Parser.parse(text).diagnostics.map(\.description)
    }

    func testFacts() {
        XCTAssertEqual(dump("member-of(armenia, csto). country(armenia). raining. p(1, -2, 2.5, \"s\", 2012-05-03, <http://x/y>)."), [
            "(fact (atom member-of (name armenia) (name csto)))",
            "(fact (atom country (name armenia)))",
            "(fact (atom raining))",
            "(fact (atom p (integer 1) (integer -2) (decimal 2.5) (string \"s\") (date 2012-05-03) (iri <http://x/y>)))",
        ])
    }

    func testFactWithSourceAndSourceBlock() {
        XCTAssertEqual(dump("held-in(c, astana) @ arminfo-2012-04-27. @ s2 { p(a). q(b, c). }"), [
            "(fact (atom held-in (name c) (name astana)) (source (name arminfo-2012-04-27)))",
            "(fact (atom p (name a)) (source (name s2)))",
            "(fact (atom q (name b) (name c)) (source (name s2)))",
        ])
    }

    func testRules() {
        XCTAssertEqual(dump("ally(X, Y) :- member-of(X, O), member-of(Y, O), X != Y."), [
            "(rule (atom ally (var X) (var Y)) (atom member-of (var X) (var O)) (atom member-of (var Y) (var O)) (!= (var X) (var Y)))",
        ])
        XCTAssertEqual(dump("outsider(X) :- country(X), not member-of(X, csto)."), [
            "(rule (atom outsider (var X)) (atom country (var X)) (not (atom member-of (var X) (name csto))))",
        ])
        XCTAssertEqual(dump("dropped(X) :- m(X) @ a, not m(X) @ b, not m(X) @ S, s(S)."), [
            "(rule (atom dropped (var X)) (@ (atom m (var X)) (name a)) (not (@ (atom m (var X)) (name b))) (not (@ (atom m (var X)) (var S))) (atom s (var S)))",
        ])
        XCTAssertEqual(dump("sum(X, Y, X + Y * 2) :- n(X), n(Y)."), [
            "(rule (atom sum (var X) (var Y) (+ (var X) (* (var Y) (integer 2)))) (atom n (var X)) (atom n (var Y)))",
        ])
        XCTAssertEqual(dump("members(O, count(X)) :- member-of(X, O)."), [
            "(rule (atom members (var O) (call count (var X))) (atom member-of (var X) (var O)))",
        ])
    }

    func testArithmeticPrecedenceAndAssociativity() {
        XCTAssertEqual(dump("?- X = 1 - 2 - 3, Y = (1 - 2) * -Z % 4, W = -(3)."), [
            "(query (= (var X) (- (- (integer 1) (integer 2)) (integer 3))) "
                + "(= (var Y) (% (* (- (integer 1) (integer 2)) (- (var Z))) (integer 4))) (= (var W) (integer -3)))",
        ])
    }

    func testQueriesWithSourcesAndAllComparisons() {
        XCTAssertEqual(dump("?- member-of(X, csto) @ S, reported-by(S, Who), p(_) @ arminfo, X < Y, X <= Y, X > Y, X >= Y, X = Y."), [
            "(query (@ (atom member-of (var X) (name csto)) (var S)) (atom reported-by (var S) (var Who)) "
                + "(@ (atom p (var _)) (name arminfo)) (< (var X) (var Y)) (<= (var X) (var Y)) (> (var X) (var Y)) "
                + "(>= (var X) (var Y)) (= (var X) (var Y)))",
        ])
    }

    func testRetraction() {
        XCTAssertEqual(dump("retract member-of(uzbekistan, csto). retract p(a) @ s. retract p(X, _) @ S. retract q(X) :- p(X, a), not r(X)."), [
            "(retract (atom member-of (name uzbekistan) (name csto)))",
            "(retract (atom p (name a)) (source (name s)))",
            "(retract (atom p (var X) (var _)) (source (var S)))",
            "(retract-rule (atom q (var X)) (atom p (var X) (name a)) (not (atom r (var X))))",
        ])
        // Before a prefixed name too ("retract" and "not" are keywords before any predicate).
        XCTAssertEqual(dump("prefix ex: <http://e/>. retract ex:p(a). q(X) :- r(X), not ex:p(X)."), [
            "(prefix ex <http://e/>)",
            "(retract (atom <http://e/p> (name a)))",
            "(rule (atom q (var X)) (atom r (var X)) (not (atom <http://e/p> (var X))))",
        ])
    }

    func testPeriodsAndTimeConditions() {
        XCTAssertEqual(dump("""
            m(uz, csto) from 2006-08-16 until 2012-12-19 @ tass. m(am, csto) from 2002-10-07. m(ge, cis) until 2009-08-18.
            retract m(uz, csto) from 2006-08-16 until 2012-12-19 @ tass.
            ?- m(X, csto) at 2010-01-01, m(X, O) from F until U @ S, not m(X, cis) at D.
            """), [
            "(fact (atom m (name uz) (name csto)) (period (from (date 2006-08-16)) (until (date 2012-12-19))) (source (name tass)))",
            "(fact (atom m (name am) (name csto)) (period (from (date 2002-10-07))))",
            "(fact (atom m (name ge) (name cis)) (period (until (date 2009-08-18))))",
            "(retract (atom m (name uz) (name csto)) (period (from (date 2006-08-16)) (until (date 2012-12-19))) (source (name tass)))",
            "(query (at (atom m (var X) (name csto)) (date 2010-01-01)) (@ (during (atom m (var X) (var O)) (var F) (var U)) (var S)) (not (at (atom m (var X) (name cis)) (var D))))",
        ])
        // Written back as read.
        let (statements, _) = Parser.parse("?- m(X, csto) at 2010-01-01, m(X, O) from F until U @ S. m(a) from 2000-01-01 until 2001-01-01 @ s.")
        XCTAssertEqual(statements.map { statement -> String in
            switch statement {
            case .query(let q): return q.body.map(\.sourceText).joined(separator: ", ")
            case .clause(let c): return c.formatted
            default: return ""
            }
        }, ["m(X, csto) at 2010-01-01, m(X, O) from F until U @ S", "m(a) from 2000-01-01 until 2001-01-01 @ s."])
        // Words, not keywords, elsewhere: a fact of `from`, a constant `until`.
        XCTAssertEqual(dump("from(until). at(from)."), ["(fact (atom from (name until)))", "(fact (atom at (name from)))"])
    }

    func testFunctionalDeclarations() {
        XCTAssertEqual(dump("functional held-in/2. retract functional held-in/2. functional <http://e/p>/1. prefix ex: <http://e/>. functional ex:seat/3. retract functional ex:a/b/2."), [
            "(functional held-in/2)",
            "(retract-functional held-in/2)",
            "(functional <http://e/p>/1)",
            "(prefix ex <http://e/>)",
            "(functional <http://e/seat>/3)",
            "(retract-functional <http://e/a/b>/2)",
        ])
        // Only before a predicate: a fact or retraction of `functional` stays one.
        XCTAssertEqual(dump("functional(a). retract functional(a). functional."), [
            "(fact (atom functional (name a)))",
            "(retract (atom functional (name a)))",
            "(fact (atom functional))",
        ])
        XCTAssertEqual(errors("functional p/x. functional p/0. functional p/2 q. functional p 2."), [
            "1:14: error: expected '/' and the predicate's number of arguments, such as 'held-in/2' but found 'x'",
            "1:30: error: expected a number of arguments of 1 or more but found '0'",
            "1:48: error: expected '.' at the end of the statement but found 'q'",
            "1:64: error: expected '/' and the predicate's number of arguments, such as 'held-in/2' but found '2'",
        ])
    }

    func testKeywordsAreOnlyKeywordsBeforeAPredicate() {
        XCTAssertEqual(dump("not(a). retract(b). p(X) :- q(X), not = X."), [
            "(fact (atom not (name a)))",
            "(fact (atom retract (name b)))",
            "(rule (atom p (var X)) (atom q (var X)) (= (name not) (var X)))",
        ])
    }

    func testIRIPredicate() {
        XCTAssertEqual(dump("?- <http://x/e>(A, B)."), ["(query (atom <http://x/e> (var A) (var B)))"])
    }

    func testStatementTextIsKeptAsWritten() {
        let (statements, _) = Parser.parse("% c\nally(X, Y) :-\n    m(X, O),  % note\n    m(Y, O).\n")
        XCTAssertEqual(statements.first?.text, "ally(X, Y) :-\n    m(X, O),  % note\n    m(Y, O).")
        XCTAssertEqual(statements.first?.location, SourceLocation(line: 2, column: 1))
    }

    func testAnswerVariablesSkipUnderscoreNames() {
        guard case .query(let q)? = Parser.parse("?- p(X, _, _Y, Z), q(Z, W).").statements.first else { return XCTFail("no query") }
        XCTAssertEqual(q.answerVariables, ["X", "Z", "W"])
    }

    // MARK: - Errors

    func testMissingPeriod() {
        XCTAssertEqual(errors("p(a)\nq(b)."), ["2:1: error: expected '.' at the end of the statement but found 'q'"])
    }

    func testEveryErrorInAFileIsReported() {
        XCTAssertEqual(errors("p(a.\nok(b).\n?- q(X), .\nr(X) :- .\n?- s(X) t.\nu(X) :- v(X)"), [
            "1:4: error: expected ',' or ')' but found '.'",
            "3:10: error: expected a term but found '.'",
            "4:9: error: expected a term but found '.'",
            "5:9: error: expected '.' at the end of the query but found 't'",
            "6:13: error: expected '.' at the end of the statement but found end of input",
        ])
        // The statement after an error is still read.
        XCTAssertEqual(Parser.parse("p(a.\nok(b).").statements.map(\.dump), ["(fact (atom ok (name b)))"])
        XCTAssertEqual(Parser.parse("p(a).\np(.\nok(b).").statements.map(\.dump), [
            "(fact (atom p (name a)))", "(fact (atom ok (name b)))",
        ])
    }

    func testNotAnAtom() {
        XCTAssertEqual(errors("?- 42."), ["1:4: error: expected an atom such as 'p(X)' but found '42'"])
        XCTAssertEqual(errors("?- p(X), X + 1."), ["1:10: error: expected an atom such as 'p(X)' but found 'X'"])
        XCTAssertEqual(errors("X(a)."), ["1:1: error: expected a fact, a rule or a query but found 'X'"])
    }

    func testSourceErrors() {
        XCTAssertEqual(errors("p(X) @ s :- q(X)."), ["1:10: error: a rule cannot have a source: '@' belongs on facts and body atoms"])
        XCTAssertEqual(errors("?- p(X) @ (."), ["1:11: error: expected a source (a constant or a variable) after '@' but found '('"])
        XCTAssertEqual(errors("p(a) @ X."), ["1:8: error: expected a source constant after '@' but found 'X'"])
        XCTAssertEqual(errors("@ s { p(X) :- q(X). r(a) @ t. }"), [
            "1:7: error: only facts may appear in a source block",
            "1:28: error: a fact in a source block takes the block's source: remove its '@'",
        ])
        XCTAssertEqual(errors("@ s { p(a). "), ["1:13: error: expected '}' to close the source block but found end of input"])
    }

    func testDeepNestingIsAnErrorNotACrash() {
        let deep = "?- X = " + String(repeating: "(", count: 100_000) + "1" + String(repeating: ")", count: 100_000) + "."
        XCTAssertEqual(errors(deep), ["1:\(8 + Parser.maximumNesting): error: expression nested more than \(Parser.maximumNesting) levels deep"])
    }

    func testALongChainOfOperatorsIsAnErrorNotACrash() {
        // A chain of n operators is a tree n deep: within the limit it parses, past it it is refused.
        let ones = { (count: Int, op: String) in "?- X = " + Array(repeating: "1", count: count).joined(separator: " \(op) ") + "." }
        XCTAssertEqual(errors(ones(Parser.maximumNesting, "+")), [])
        XCTAssertEqual(errors(ones(Parser.maximumNesting + 1, "*")), [
            "1:\(6 + 4 * Parser.maximumNesting): error: expression more than \(Parser.maximumNesting) operations deep: split it with intermediate variables (Y1 = ..., Y = Y1 + ...)",
        ])
        XCTAssertEqual(errors(ones(100_000, "+")).count, 1)
    }

    // MARK: - Rendering

    func testRenderedDiagnosticHasFileLineColumnSourceLineAndCaret() {
        let text = "p(a).\n\tq(\"ОДКБ\", $)."
        let report = DiagnosticReport(fileName: "f.kgl", sourceText: text, diagnostics: Parser.parse(text).diagnostics)
        XCTAssertEqual(report.rendered(), "f.kgl:2:12: error: unexpected character '$'\n\tq(\"ОДКБ\", $).\n\t          ^\n")
    }

    /// Plain facts are read from the bytes without tokens; everything must come out as reading
    /// the tokens gives it: statements, their locations and texts, and every error.
    func testPlainFactsReadFromTheBytesGiveWhatTheTokensGive() {
        let texts = [
            "member-of(armenia, csto).\nmember-of(belarus,csto) .\n\tp( a ,\tb ).",
            "@ edition-1 {\n  member-of(c058, o41).\n  member-of(c-1, o_2-x).\n}\n",
            "p(a). % a comment\np(b).%another\n",
            "p(a, b-). p(a-, b). p(a--b, c). p(a, b) @ s. p(a, b) :- q(a). p(a, b) from 2010-01-01.",
            "p(a, ex:b). prefix ex: <http://example.org/>. p(a, ex:b). p(ex:a).",
            "p(a, \"s\"). p(a, 12). p(a, X). p(a, f(b)). p(a, éa). p(é, a). p(aé, b). p().",
            "p(a\n, b). p(a,\nb).\np(a, b)\n. p(a, b)",
            "p(a, b).x p(a b). p(a,, b). p(a, b,). p(, b). p(a, b)). p((a), b).",
            "p(a, b). 5 p(a, b).. p(a, b)",
            "not(a, b). retract(a, b). functional(a, b). at(a, b). p(not, retract).",
            "p(a, b) . % x\n?- p(a, B).\n@ s { p(a, b). p(c, d) :- q. }",
        ]
        for text in texts {
            let quick = Parser.parse(text)
            let slow = Parser.parse(text, plainFactsFromBytes: false)
            XCTAssertEqual(quick.statements, slow.statements, text)
            XCTAssertEqual(quick.diagnostics.map(\.description), slow.diagnostics.map(\.description), text)
        }
        // What a plain fact is read as.
        guard case .clause(let clause)? = Parser.parse("\n  member-of(am,  csto) .").statements.first else { return XCTFail() }
        XCTAssertEqual(clause.text, "member-of(am,  csto) .")
        XCTAssertEqual(clause.location, SourceLocation(line: 2, column: 3))
        XCTAssertEqual(clause.head.arguments.map(\.location), [SourceLocation(line: 2, column: 13), SourceLocation(line: 2, column: 18)])
        XCTAssertEqual(clause.head.arguments.map(\.kind), [.constant(.name("am")), .constant(.name("csto"))])
    }
}
