import XCTest
import KGLog
import KGShell
import KGSyntax
import KGTestSupport

/// Why-trees, as text and as JSON, of stored facts, derivations, recursion and negation.
final class WhyRendererTests: XCTestCase {
    func kb() throws -> KnowledgeBase {
        let kb = try TestStore.newKnowledgeBase()
        try kb.execute(TestPrograms.provenance)
        return kb
    }

    func why(_ fact: String, _ format: String = "text") throws -> String {
        let node = try kb().why(fact)
        return format == "json" ? WhyRenderer.json(node) : WhyRenderer.text(node)
    }

    func testWhyOfAStoredFactWithTwoSources() throws {
        XCTAssertEqual(try why("member-of(russia, csto)"), """
            member-of(russia, csto)
            ├─ stored, from arminfo (reported by zainetdinov; published by arminfo-agency on 2012-04-27)
            └─ stored, from tass (published by tass-agency)

            """)
        XCTAssertEqual(try why("member-of(belarus, csto)."), "member-of(belarus, csto)\n└─ stored, without a source\n")
    }

    func testAFactFromManySourcesIsSummedUpThenListedByDate() throws {
        let kb = try TestStore.newKnowledgeBase()
        try kb.execute("""
            published-on(e1, 2014-07-12). published-on(e2, 2015-01-03). published-on(e3, 2016-05-05). published-on(e4, 2026-05-17).
            reported-by(e1, cia).
            m(am, csto) @ e4. m(am, csto) @ e2. m(am, csto) @ e1. m(am, csto) @ e3. m(am, csto) @ undated.
            """)
        let node = try kb.why("m(am, csto)")
        XCTAssertEqual(WhyRenderer.text(node), """
            m(am, csto)
            └─ stored, from 5 sources (published 2014-07-12 … 2026-05-17), the first 3:
               ├─ e1 (reported by cia; published on 2014-07-12)
               ├─ e2 (published on 2015-01-03)
               ├─ e3 (published on 2016-05-05)
               └─ … and 2 more (--all shows every source)

            """)
        XCTAssertEqual(WhyRenderer.text(node, sourceLimit: 1).split(separator: "\n")[1], "└─ stored, from 5 sources (published 2014-07-12 … 2026-05-17), the first:")
        // Every source, earliest first, undated last.
        XCTAssertEqual(WhyRenderer.text(node, sourceLimit: nil), """
            m(am, csto)
            ├─ stored, from e1 (reported by cia; published on 2014-07-12)
            ├─ stored, from e2 (published on 2015-01-03)
            ├─ stored, from e3 (published on 2016-05-05)
            ├─ stored, from e4 (published on 2026-05-17)
            └─ stored, from undated

            """)
    }

    func testWhyOfAOneRuleDerivation() throws {
        XCTAssertEqual(try why("ally(belarus, armenia)"), """
            ally(belarus, armenia)
            └─ by ally(X, Y) :- member-of(X, O), member-of(Y, O), X != Y.
               with X = belarus, Y = armenia, O = csto
               ├─ member-of(belarus, csto)
               │  └─ stored, without a source
               ├─ member-of(armenia, csto)
               │  └─ stored, from arminfo (reported by zainetdinov; published by arminfo-agency on 2012-04-27)
               └─ belarus != armenia: holds

            """)
    }

    func testWhyOfARecursiveDerivationIsWellFounded() throws {
        XCTAssertEqual(try why("reach(a, a)"), """
            reach(a, a)
            └─ by reach(X, Y) :- reach(X, Z), link(Z, Y).
               with X = a, Y = a, Z = c
               ├─ reach(a, c)
               │  └─ by reach(X, Y) :- reach(X, Z), link(Z, Y).
               │     with X = a, Y = c, Z = b
               │     ├─ reach(a, b)
               │     │  └─ by reach(X, Y) :- link(X, Y).
               │     │     with X = a, Y = b
               │     │     └─ link(a, b)
               │     │        └─ stored, from s1
               │     └─ link(b, c)
               │        └─ stored, from s2
               └─ link(c, a)
                  └─ stored, from s1

            """)
    }

    func testWhyThroughNegationAndOfAFactThatDoesNotHold() throws {
        XCTAssertEqual(try why("outsider(moldova)"), """
            outsider(moldova)
            └─ by outsider(X) :- country(X), not member-of(X, csto).
               with X = moldova
               ├─ country(moldova)
               │  └─ stored, without a source
               └─ not member-of(moldova, csto): holds, no fact matches

            """)
        // Why not: for each rule, the first premise that fails, with the values tried.
        XCTAssertEqual(try why("ally(armenia, moldova)"), """
            ally(armenia, moldova) does not hold
            ├─ no such fact is stored
            └─ not by ally(X, Y) :- member-of(X, O), member-of(Y, O), X != Y.
               ├─ with X = armenia, Y = moldova
               └─ member-of(moldova, O): no fact matches for any solution of the premises before it (such as O = csto)

            """)
        XCTAssertEqual(try why("ally(armenia, moldova)", "json"), #"{"fact":"ally(armenia, moldova)","holds":false,"whyNot":[{"rule":"ally(X, Y) :- member-of(X, O), member-of(Y, O), X != Y.","bindings":{"X":"armenia","Y":"moldova"},"fails":"member-of(moldova, O)","reason":"no fact matches for any solution of the premises before it (such as O = csto)"}]}"# + "\n")
        XCTAssertEqual(try why("ally(armenia, armenia)").split(separator: "\n").last,
                       "   └─ armenia != armenia: it is false for any solution of the premises before it (such as O = csto)")
        XCTAssertEqual(try why("outsider(georgia)"), "outsider(georgia)\n└─ by outsider(X) :- country(X), not member-of(X, csto).\n   with X = georgia\n   ├─ country(georgia)\n   │  └─ stored, without a source\n   └─ not member-of(georgia, csto): holds, no fact matches\n")
        XCTAssertEqual(try why("outsider(russia)"), """
            outsider(russia) does not hold
            ├─ no such fact is stored
            └─ not by outsider(X) :- country(X), not member-of(X, csto).
               ├─ with X = russia
               └─ country(russia): no fact matches

            """)
        // A stored predicate: no rule to try. A head with a constant that is not the fact's.
        XCTAssertEqual(try why("member-of(georgia, csto)"), "member-of(georgia, csto) does not hold\n└─ no such fact is stored\n")
        let kb = try kb()
        try kb.execute("founder(X, csto) :- member-of(X, csto), X = russia. twin(X, X) :- country(X).")
        XCTAssertEqual(WhyRenderer.text(try kb.why("founder(russia, cis)")), "founder(russia, cis) does not hold\n├─ no such fact is stored\n└─ not by founder(X, csto) :- member-of(X, csto), X = russia.\n   └─ founder(X, csto): its head does not take founder(russia, cis)\n")
        XCTAssertEqual(WhyRenderer.text(try kb.why("twin(georgia, moldova)")), "twin(georgia, moldova) does not hold\n├─ no such fact is stored\n└─ not by twin(X, X) :- country(X).\n   └─ twin(X, X): its head would need X to be both georgia and moldova\n")
    }

    func testWhyDerivesOnlyWhatTheFactNeeds() throws {
        // A chain of 400 links: its whole closure is 79,800 facts, far over the limit set here;
        // the facts relevant to reach(n0, n3) are the 399 that start at n0.
        let kb = try TestStore.newKnowledgeBase()
        try kb.execute(TestPrograms.chain(400))
        kb.maximumDerivedFacts = 5_000
        XCTAssertThrowsError(try kb.count("?- reach(X, Y)."))
        let node = try kb.why("reach(n0, n3)")
        XCTAssertEqual(WhyRenderer.text(node), """
            reach(n0, n3)
            └─ by reach(X, Y) :- reach(X, Z), link(Z, Y).
               with X = n0, Y = n3, Z = n2
               ├─ reach(n0, n2)
               │  └─ by reach(X, Y) :- reach(X, Z), link(Z, Y).
               │     with X = n0, Y = n2, Z = n1
               │     ├─ reach(n0, n1)
               │     │  └─ by reach(X, Y) :- link(X, Y).
               │     │     with X = n0, Y = n1
               │     │     └─ link(n0, n1)
               │     │        └─ stored, without a source
               │     └─ link(n1, n2)
               │        └─ stored, without a source
               └─ link(n2, n3)
                  └─ stored, without a source

            """)
        XCTAssertFalse(try kb.why("reach(n3, n0)").holds)
    }

    func testWhyCountsDerivationsBeyondTheLimit() throws {
        let kb = try TestStore.newKnowledgeBase()
        try kb.execute("e(a, b). e(a, c). e(a, d). e(a, e). e(b, z). e(c, z). e(d, z). e(e, z). two(X, Z) :- e(X, Y), e(Y, Z).")
        let node = try kb.why("two(a, z)", limit: 2)
        XCTAssertEqual(node.derivations.map { $0.bindings.map(\.value) }, [["a", "z", "b"], ["a", "z", "c"]])
        XCTAssertEqual(node.moreDerivations, 2)
        XCTAssertTrue(WhyRenderer.text(node).hasSuffix("└─ … and 2 more derivations\n"))
    }

    func testWhyAsJSON() throws {
        XCTAssertEqual(try why("outsider(moldova)", "json"),
                       #"{"fact":"outsider(moldova)","holds":true,"sources":[],"storedWithoutSource":false,"derivations":[{"rule":"outsider(X) :- country(X), not member-of(X, csto).","bindings":{"X":"moldova"},"premises":[{"fact":"country(moldova)","holds":true,"sources":[],"storedWithoutSource":true,"derivations":[],"moreDerivations":0},{"not":"member-of(moldova, csto)","holds":true}]}],"moreDerivations":0}"# + "\n")
    }

    func testWhyErrors() throws {
        let kb = try kb()
        XCTAssertThrowsError(try kb.why("ally(X, russia)")) { error in
            XCTAssertEqual((error as? DiagnosticReport)?.rendered(), """
                <fact>:1:9: error: why takes a fact without variables, but 'X' is a variable
                ?- ally(X, russia).
                        ^

                """)
        }
        XCTAssertThrowsError(try kb.why("nothing(here)")) { error in
            XCTAssertEqual((error as? DiagnosticReport)?.diagnostics.first?.message, "unknown predicate 'nothing/1': no fact or rule defines it")
        }
    }

    func testPeriodsOfADerivedFactAndOfEachDerivation() throws {
        let kb = try TestStore.newKnowledgeBase()
        try kb.execute("""
            member-of(georgia, csto) from 1994-04-20 until 1999-04-02 @ tass.
            member-of(georgia, cis) until 2009-08-18.
            outside-csto(X) :- member-of(X, cis), not member-of(X, csto).
            """)
        let node = try kb.why("outside-csto(georgia)")
        XCTAssertEqual(WhyRenderer.text(node), """
            outside-csto(georgia), until 1994-04-20, from 1999-04-02 until 2009-08-18
            └─ by outside-csto(X) :- member-of(X, cis), not member-of(X, csto).
               with X = georgia
               until 2009-08-18
               ├─ member-of(georgia, cis), until 2009-08-18
               │  └─ stored, without a source, until 2009-08-18
               └─ not member-of(georgia, csto): the periods in which it holds are taken away

            """)
        XCTAssertEqual(WhyRenderer.json(node), """
            {"fact":"outside-csto(georgia)","holds":true,"periods":[{"from":null,"until":"1994-04-20"},{"from":"1999-04-02","until":"2009-08-18"}],\
            "sources":[],"storedWithoutSource":false,"derivations":[{"rule":"outside-csto(X) :- member-of(X, cis), not member-of(X, csto).",\
            "bindings":{"X":"georgia"},"period":{"from":null,"until":"2009-08-18"},"premises":[{"fact":"member-of(georgia, cis)","holds":true,\
            "periods":[{"from":null,"until":"2009-08-18"}],"sources":[],"storedWithoutSource":true,"periodsWithoutSource":[{"from":null,"until":"2009-08-18"}],\
            "derivations":[],"moreDerivations":0},{"not":"member-of(georgia, csto)","periodsTakenAway":true}]}],"moreDerivations":0}

            """)
    }
}
