import XCTest
import KGTestSupport
import KGEngine
import KGLog
import KGSyntax

/// Aggregates, built-in predicates and functions, and shaped answers: exact results and errors.
final class AggregateAndBuiltinTests: XCTestCase {
    // MARK: - Aggregates

    let members = """
        member-of(armenia, csto). member-of(russia, csto). member-of(belarus, csto).
        member-of(russia, cis). member-of(moldova, cis).
        pay(p1, armenia, 10). pay(p2, armenia, 10). pay(p3, russia, 2.5). pay(p4, russia, -4).
        """

    func testCountPerGroup() {
        XCTAssertEqual(answers(members + "members(O, count(X)) :- member-of(X, O).", "members(O, N)"), ["cis, 2", "csto, 3"])
        XCTAssertEqual(answers(members + "members(O, count(X)) :- member-of(X, O).", "members(csto, N)"), ["3"])
        XCTAssertEqual(answers(members + "states(count(X)) :- member-of(X, _).", "states(N)"), ["4"])
        XCTAssertEqual(answers(members + "pairs(count(X)) :- member-of(X, O).", "pairs(N)"), ["5"])
    }

    func testCountDistinctCountsValuesNotSolutions() {
        XCTAssertEqual(answers(members + "who(O, count(S), count-distinct(S)) :- pay(_, S, _), member-of(S, O).", "who(O, N, D)"),
                       ["cis, 1, 1", "csto, 2, 2"])
        XCTAssertEqual(answers(members + "n(count(A), count-distinct(A)) :- pay(P, _, A).", "n(C, D)"), ["4, 3"])
        // `_` is not part of a solution: without the payment, equal amounts are one solution.
        XCTAssertEqual(answers(members + "n(count(A), count-distinct(A)) :- pay(_, _, A).", "n(C, D)"), ["3, 3"])
    }

    func testSumAndAvgOverDistinctSolutionsWithMixedNumbers() {
        // Two equal payments are two solutions (the payment ids differ): both count.
        XCTAssertEqual(answers(members + "total(S, sum(A)) :- pay(P, S, A).", "total(S, T)"), ["armenia, 20", "russia, -1.5"])
        XCTAssertEqual(answers(members + "mean(S, avg(A)) :- pay(P, S, A).", "mean(S, M)"), ["armenia, 10.0", "russia, -0.75"])
        XCTAssertEqual(answers(members + "all(sum(A)) :- pay(P, _, A).", "all(T)"), ["18.5"])
        XCTAssertEqual(answers(members + "all(sum(A)) :- pay(_, _, A).", "all(T)"), ["8.5"])
    }

    func testMinAndMaxOnEveryComparableKind() {
        let program = """
            reported(f1, 2012-04-27). reported(f1, 2012-03-01). reported(f2, 2012-05-01).
            label(x, "Zeta"). label(x, "alpha"). label(y, beta). label(y, alpha).
            first-report(F, min(D)) :- reported(F, D).
            last-report(max(D)) :- reported(_, D).
            first-label(X, min(L)) :- label(X, L).
            """
        XCTAssertEqual(answers(program, "first-report(F, D)"), ["f1, 2012-03-01", "f2, 2012-05-01"])
        XCTAssertEqual(answers(program, "last-report(D)"), ["2012-05-01"])
        XCTAssertEqual(answers(program, "first-label(X, L)"), ["x, \"Zeta\"", "y, alpha"])
        // Mixed kinds follow the answer order: numbers, dates, strings, names.
        XCTAssertEqual(answers("v(b). v(\"a\"). v(3). v(2012-01-01). lo(min(X)) :- v(X). hi(max(X)) :- v(X).", "lo(L), hi(H)"),
                       ["3, b"])
    }

    func testArgMaxAndArgMinGiveTheValueOfTheBestKey() throws {
        let reports = """
            held-in(council, astana) @ r1. held-in(council, almaty) @ r2. held-in(council, astana) @ r3.
            held-in(summit, moscow) @ r1.
            published-on(r1, 2012-04-27). published-on(r2, 2012-05-02). published-on(r3, 2012-05-29).
            latest-place(E, arg-max(P, D)) :- held-in(E, P) @ S, published-on(S, D).
            earliest-place(E, arg-min(P, D)) :- held-in(E, P) @ S, published-on(S, D).
            """
        XCTAssertEqual(answers(reports, "latest-place(E, P)"), ["council, astana", "summit, moscow"])
        XCTAssertEqual(answers(reports, "earliest-place(E, P)"), ["council, astana", "summit, moscow"])
        XCTAssertEqual(answers(reports + " published-on(r2, 2012-06-01).", "latest-place(council, P)"), ["almaty"])
        // Keys of any kind, in the answer order; two values tied on the best key give two facts.
        let tied = "score(a, 3). score(b, 7). score(c, 7). score(d, 2.5). best(arg-max(X, N)) :- score(X, N). worst(arg-min(X, N)) :- score(X, N)."
        XCTAssertEqual(answers(tied, "best(X)"), ["b", "c"])
        XCTAssertEqual(answers(tied, "worst(X)"), ["d"])
        // With another aggregate in the same head, a fact for each tied value.
        XCTAssertEqual(answers(tied + " both(arg-max(X, N), count(X)) :- score(X, N).", "both(X, C)"), ["b, 4", "c, 4"])
        // The same value reached by several solutions is one fact.
        XCTAssertEqual(answers("s(a, 1, p). s(a, 1, q). top(arg-max(X, N)) :- s(X, N, _).", "top(X)"), ["a"])
        // In a query, with nothing stored.
        let kb = try TestStore.newKnowledgeBase()
        try kb.execute(reports)
        XCTAssertEqual(try kb.query("held-in(E, P) @ _S, published-on(_S, D), L = arg-max(P, D)").rows.map { $0.map(\.sourceText) },
                       [["council", "astana"], ["summit", "moscow"]])
        XCTAssertEqual(error("p(a, 1). t(arg-max(X)) :- p(X, _)."), """
            t.kgl:1:12: error: built-in 'arg-max' takes 2 arguments (the value and the key), not 1
            p(a, 1). t(arg-max(X)) :- p(X, _).
                       ^

            """)
        XCTAssertEqual(error("?- p(X, N), B = arg-min(X, N, N).", setup: "p(a, 1)."), """
            t.kgl:1:17: error: built-in 'arg-min' takes 2 arguments (the value and the key), not 3
            ?- p(X, N), B = arg-min(X, N, N).
                            ^

            """)
    }

    func testCountsSkipSolutionsWhoseKeyOrCountedValueFails() {
        // Rows come ordered by group: a failing row between two of one group must not carry
        // the group before it over to the next.
        let program = """
            p(g1, "1"). p(g2, "x"). p(g2, "2"). p(g2, "3"). p(g3, "y").
            n(G, count(to-number(X))) :- p(G, X).
            m(to-number(X), count(G)) :- p(G, X).
            k(G, count(X), count(to-number(X))) :- p(G, X).
            """
        XCTAssertEqual(answers(program, "n(G, N)"), ["g1, 1", "g2, 2"])
        XCTAssertEqual(answers(program, "m(X, N)"), ["1, 1", "2, 1", "3, 1"])
        XCTAssertEqual(answers(program, "k(G, A, B)"), ["g1, 1, 1", "g2, 2, 2"])
    }

    func testAnEmptyGroupIsAbsent() {
        XCTAssertEqual(answers("p(a). q(a, b). n(count(X)) :- q(X, nothing).", "n(N)"), [])
        XCTAssertEqual(answers("p(a). q(a, b). n(X, count(Y)) :- p(X), q(Y, X).", "n(X, N)"), [])
    }

    func testAggregatesFeedOtherRulesAndQueries() {
        let program = members + """
            members(O, count(X)) :- member-of(X, O).
            big(O) :- members(O, N), N >= 3.
            in-several(X) :- membership-count(X, N), N > 1.
            membership-count(X, count(O)) :- member-of(X, O).
            """
        XCTAssertEqual(answers(program, "big(O)"), ["csto"])
        XCTAssertEqual(answers(program, "in-several(X)"), ["russia"])
    }

    func testAggregateErrors() {
        XCTAssertEqual(error("p(a). t(sum(X)) :- p(X).\n?- t(S)."), """
            t.kgl:1:9: error: 'sum' in rule 't/1' needs numbers, not name 'a'
            p(a). t(sum(X)) :- p(X).
                    ^

            """)
        XCTAssertEqual(error("p(1). q(X) :- p(X), X = count(X)."), """
            t.kgl:1:25: error: aggregate 'count' is only allowed as an argument of a rule head
            p(1). q(X) :- p(X), X = count(X).
                                    ^

            """)
        XCTAssertEqual(error("p(1). c(count(Y)) :- p(X)."), """
            t.kgl:1:15: error: variable 'Y' in the head of rule 'c/1' is not bound by a positive atom of the body
            p(1). c(count(Y)) :- p(X).
                          ^

            """)
        XCTAssertEqual(error("e(a, b). r(X, count(Y)) :- e(X, Y), r(Y, _)."), """
            t.kgl:1:37: error: cycle through an aggregate: 'r/2' -> 'r/2'
            e(a, b). r(X, count(Y)) :- e(X, Y), r(Y, _).
                                                ^

            """)
    }

    // MARK: - Built-in predicates

    let names = """
        country(kazakhstan, "Kazakhstan"). country(uzbekistan, "Uzbekistan"). country(armenia, "Armenia").
        country(russia, "Россия"). country(empty, "").
        """

    func testStringTests() {
        XCTAssertEqual(answers(names, "country(X, _), contains(X, \"stan\")"), ["kazakhstan", "uzbekistan"])
        XCTAssertEqual(answers(names, "country(_, N), starts-with(N, \"A\")"), ["\"Armenia\""])
        XCTAssertEqual(answers(names, "country(_, N), ends-with(N, \"ия\")"), ["\"Россия\""])
        XCTAssertEqual(answers(names, "country(X, N), contains(N, \"\")").count, 5)
        XCTAssertEqual(answers(names, "country(X, N), not contains(X, \"stan\"), N != \"\""), ["armenia, \"Armenia\"", "russia, \"Россия\""])
        XCTAssertEqual(answers(names, "country(X, _), matches(X, \"^[ku].*stan$\")"), ["kazakhstan", "uzbekistan"])
        XCTAssertEqual(answers(names, "country(X, _), contains(upper(X), \"RUS\")"), ["russia"])
    }

    func testBuiltinErrors() {
        XCTAssertEqual(error("?- p(X), matches(X, \"(unclosed\")."), """
            t.kgl:1:21: error: invalid regular expression "(unclosed": it does not compile
            ?- p(X), matches(X, "(unclosed").
                                ^

            """)
        XCTAssertEqual(error("contains(a, b)."), """
            t.kgl:1:1: error: 'contains' is a built-in predicate and cannot be defined by facts or rules
            contains(a, b).
            ^

            """)
        XCTAssertEqual(error("p(a). q(X) :- p(X), starts-with(X)."), """
            t.kgl:1:21: error: built-in 'starts-with' takes 2 arguments, not 1
            p(a). q(X) :- p(X), starts-with(X).
                                ^

            """)
        XCTAssertEqual(error("p(a). q(X) :- p(X), contains(X, Y)."), """
            t.kgl:1:33: error: variable 'Y' in a built-in test of rule 'q/1' is not bound by a positive atom of the body
            p(a). q(X) :- p(X), contains(X, Y).
                                            ^

            """)
        XCTAssertEqual(error("p(a). q(Y) :- p(X), Y = substring(X, 1)."), """
            t.kgl:1:25: error: built-in 'substring' takes 3 arguments, not 2
            p(a). q(Y) :- p(X), Y = substring(X, 1).
                                    ^

            """)
        XCTAssertEqual(error("p(a). ?- p(X), Y = year(X)."), """
            t.kgl:1:20: error: 'year' expects a date, not name 'a'
            p(a). ?- p(X), Y = year(X).
                               ^

            """)
        XCTAssertEqual(error("?- D = date(2013, 2, 29)."), """
            t.kgl:1:8: error: no such day: 2013-2-29
            ?- D = date(2013, 2, 29).
                   ^

            """)
    }

    // MARK: - Built-in functions

    func testStringFunctions() {
        XCTAssertEqual(answers("", "A = lower(\"ОДКБ Kazakh\"), B = upper(astana), C = length(\"ОДКБ\"), D = length(\"\")"),
                       ["\"одкб kazakh\", ASTANA, 4, 0"])
        XCTAssertEqual(answers("", "A = concat(\"a\", b, 1, 2012-05-03), B = concat(\"x\")"), ["\"ab12012-05-03\", \"x\""])
        XCTAssertEqual(answers("", "A = substring(\"Astana\", 0, 3), B = substring(\"Astana\", 4, 10), C = substring(\"Ast\", 9, 1)"),
                       ["\"Ast\", \"na\", \"\""])
        XCTAssertEqual(answers("", "A = to-string(42), B = to-string(csto), C = name-of(<http://x/a>)"), ["\"42\", \"csto\", \"http://x/a\""])
    }

    func testToNumberFailsInsteadOfErring() {
        let program = "t(\"42\"). t(\"-3.50\"). t(\"x1\"). t(\"\"). t(\"1e5\")."
        XCTAssertEqual(answers(program, "t(S), N = to-number(S)"), ["\"-3.50\", -3.5", "\"42\", 42"])
        XCTAssertEqual(answers(program + "num(to-number(S)) :- t(S).", "num(N)"), ["-3.5", "42"])
    }

    func testDateFunctions() {
        XCTAssertEqual(answers("", "D = 2012-02-29, Y = year(D), M = month(D), N = day(D)"), ["2012-02-29, 2012, 2, 29"])
        XCTAssertEqual(answers("", "D = date(2012, 9, 3), E = D + 5, B = days-between(2012-09-03, 2012-09-08), C = days-between(2013-01-01, 2012-12-31)"),
                       ["2012-09-03, 2012-09-08, 5, -1"])
        XCTAssertEqual(answers("e(a, 2012-09-03). e(b, 2012-10-01). e(c, 2011-09-30).", "e(X, D), month(D) = 9, year(D) = 2012"), ["a, 2012-09-03"])
    }

    func testKindOf() {
        XCTAssertEqual(answers("v(a). v(\"a\"). v(1). v(1.5). v(2012-01-01). v(<http://x>).", "v(X), K = kind-of(X)"), [
            "1, integer", "1.5, decimal", "2012-01-01, date", "\"a\", string", "a, name", "<http://x>, iri",
        ])
    }

    // MARK: - Shaping answers

    func testOrderLimitOffset() {
        let program = "m(armenia, csto). m(russia, csto). m(belarus, csto). m(russia, cis). m(moldova, cis)."
        XCTAssertEqual(answers(program, "m(X, O) order by O, X desc"), [
            "russia, cis", "moldova, cis", "russia, csto", "belarus, csto", "armenia, csto",
        ])
        XCTAssertEqual(answers(program, "m(X, O) order by X desc limit 2"), ["russia, cis", "russia, csto"])
        // Without order by: some three answers (in the database, whichever it finds first),
        // ordered, then the first one skipped.
        let some = answers(program, "m(X, O) limit 2 offset 1")
        if TestStore.evaluatesOnServer {
            XCTAssertEqual(some.count, 2)
            XCTAssertEqual(some, some.sorted())
            XCTAssertTrue(Set(some).isSubset(of: answers(program, "m(X, O)")))
        } else {
            XCTAssertEqual(some, ["belarus, csto", "moldova, cis"])
        }
        XCTAssertEqual(answers(program, "m(X, O) offset 10"), [])
        XCTAssertEqual(answers(program, "m(X, O) order by O asc limit 0"), [])
    }

    func testALimitWithoutOrderByStopsTheJoinOnceItHasTheAnswers() throws {
        let kb = try TestStore.newKnowledgeBase()
        try kb.execute((0..<200).map { "e(n\($0), n\($0 + 1))." }.joined(separator: " ") + " f(X, Z) :- e(X, Y), e(Y, Z).")
        let text = { (answer: QueryAnswer) in answer.rows.map { $0.map(\.sourceText).joined(separator: ", ") } }
        let all = text(try kb.query("e(X, Y), e(Y, Z)"))
        XCTAssertEqual(all.count, 199)
        // Some three answers (the first found), shown in answer order.
        let three = text(try kb.query("e(X, Y), e(Y, Z) limit 3"))
        XCTAssertEqual(three.count, 3)
        XCTAssertTrue(Set(three).isSubset(of: all))
        XCTAssertEqual(three, three.sorted { all.firstIndex(of: $0)! < all.firstIndex(of: $1)! })
        if TestStore.evaluatesOnServer {
            // In the database, the query's SELECT stops there.
            XCTAssertTrue(try kb.explain("?- e(X, Y), e(Y, Z) limit 3.").contains { $0.hasSuffix(" LIMIT 3") })
            XCTAssertTrue(try kb.explain("?- e(X, Y), e(Y, Z) limit 2 offset 5.").contains { $0.hasSuffix(" LIMIT 7") })
        } else {
            XCTAssertTrue(try kb.explain("?- e(X, Y), e(Y, Z) limit 3.").contains("  stopped after 3 answers (limit without order by)"))
            XCTAssertTrue(try kb.explain("?- e(X, Y), e(Y, Z) limit 2 offset 5.").contains("  stopped after 7 answers (limit without order by)"))
        }
        // With order by, the first in that order, all answers considered.
        XCTAssertEqual(text(try kb.query("e(X, Y), e(Y, Z) order by X limit 3")), Array(all.prefix(3)))
        XCTAssertFalse(try kb.explain("?- e(X, Y), e(Y, Z) order by X limit 3.").contains { $0.contains("stopped") })
        // Counted as shown; more than there are is all there are.
        XCTAssertEqual(try kb.count("?- e(X, Y), e(Y, Z) limit 3 offset 2."), 3)
        XCTAssertEqual(try kb.count("?- e(X, Y), e(Y, Z) limit 5 offset 197."), 2)
        XCTAssertEqual(try kb.count("?- e(X, Y), e(Y, Z) limit 500."), 199)
        XCTAssertEqual(try kb.count("?- f(X, Z) limit 4."), 4)
        XCTAssertEqual(text(try kb.query("e(X, Y), e(Y, Z) limit 0")), [])
    }

    func testAggregatesInAQueryStoreNothing() throws {
        let kb = try TestStore.newKnowledgeBase()
        try kb.execute("""
            m(armenia, csto) @ e1. m(russia, csto) @ e1. m(belarus, csto) @ e2. m(russia, cis) @ e2. m(moldova, cis) @ e2.
            budget(csto, 2020, 10). budget(csto, 2021, 12). budget(cis, 2021, 7).
            """)
        let text = { (query: String) in try kb.query(query).rows.map { $0.map(\.sourceText).joined(separator: ", ") } }
        // Grouped by the query's other variables; ordered and cut like any answer.
        XCTAssertEqual(try text("m(X, O), N = count(X)"), ["cis, 2", "csto, 3"])
        XCTAssertEqual(try text("m(X, O), N = count(X) order by N desc limit 1"), ["csto, 3"])
        XCTAssertEqual(try kb.query("m(X, O), N = count(X)").columns, ["O", "N"])
        XCTAssertEqual(try text("m(X, O) @ S, N = count(X)"), ["cis, e2, 2", "csto, e1, 2", "csto, e2, 1"])
        XCTAssertEqual(try text("m(X, O) @ e2, N = count(X)"), ["cis, 2", "csto, 1"])
        // Several at once, over no group; the other aggregates too.
        XCTAssertEqual(try text("m(X, O), N = count(X), K = count-distinct(O)"), ["5, 2"])
        XCTAssertEqual(try text("budget(O, Y, B), T = sum(B), L = min(Y), H = max(B), A = avg(B)"), ["cis, 7, 2021, 7, 7.0", "csto, 22, 2020, 12, 11.0"])
        XCTAssertEqual(try kb.count("?- m(X, O), N = count(X)."), 2)
        XCTAssertTrue(try kb.explain("?- m(X, O), N = count(X).").contains { $0.contains("aggregate[query](O, count(X)) :- m(X, O).") })
        // Nothing is stored: no rule, no predicate.
        XCTAssertEqual(kb.rules, [])
        XCTAssertThrowsError(try kb.query("aggregate[query](O, N)"))
        // The aggregated variable must be bound by the query.
        XCTAssertEqual(error("?- m(X, O), N = count(Y).", setup: "m(a, b)."), """
            t.kgl:1:23: error: variable 'Y' in the query is not bound by a positive atom
            ?- m(X, O), N = count(Y).
                                  ^

            """)
    }

    func testOrderByErrors() {
        XCTAssertEqual(error("p(a). ?- p(X) order by Y."), """
            t.kgl:1:24: error: cannot order by 'Y': it is not a variable of the answer
            p(a). ?- p(X) order by Y.
                                   ^

            """)
        XCTAssertEqual(error("p(a). ?- p(X) limit -1."), """
            t.kgl:1:21: error: expected a number of answers after 'limit' but found '-'
            p(a). ?- p(X) limit -1.
                                ^

            """)
    }

    func testAnAggregateOverAConstantDerivesOnlyWhatTheConstantNeeds() throws {
        // A chain of 400 links: its whole closure is 79,800 facts, far over the limit set here;
        // the 399 that start at n0 are all the count needs.
        let kb = try TestStore.newKnowledgeBase()
        try kb.execute(TestPrograms.chain(400) + """
            from-n0(count(Y)) :- reach(n0, Y).
            from-n5-not-past-n10(count(Y)) :- reach(n5, Y), not reach(n10, Y).
            """)
        kb.maximumDerivedFacts = 5_000
        XCTAssertThrowsError(try kb.count("?- reach(X, Y)."))
        XCTAssertEqual(try kb.query("from-n0(N)").rows, [[.integer(400)]])
        XCTAssertEqual(try kb.query("from-n5-not-past-n10(N)").rows, [[.integer(5)]])
    }

    func testARecursiveAtomWrittenFirstStaysDemandDriven() throws {
        let kb = try TestStore.newKnowledgeBase()
        try kb.execute(TestPrograms.chain(400, predicate: "edge", recursiveAtomFirst: false))
        kb.maximumDerivedFacts = 5_000
        XCTAssertThrowsError(try kb.count("?- reach(X, Y)."))
        XCTAssertEqual(try kb.count("?- reach(n390, Y)."), 10)
        XCTAssertEqual(try kb.query("?- reach(n397, Y).").rows, [[.name("n398")], [.name("n399")], [.name("n400")]])
    }
}
