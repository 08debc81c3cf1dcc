import XCTest
import KGEngine
import KGLog
import KGShell
import KGSyntax

/// Sources, `@` on stored and derived atoms, `retract source`, and why-trees.
final class ProvenanceTests: XCTestCase {
    let program = """
        reported-by(arminfo, zainetdinov). published-by(arminfo, arminfo-agency). published-on(arminfo, 2012-04-27).
        published-by(tass, tass-agency).
        member-of(armenia, csto) @ arminfo. member-of(russia, csto) @ arminfo. member-of(russia, csto) @ tass.
        member-of(belarus, csto). member-of(moldova, cis) @ tass. country(georgia). country(moldova).
        ally(X, Y) :- member-of(X, O), member-of(Y, O), X != Y.
        link(a, b) @ s1. link(b, c) @ s2. link(c, a) @ s1.
        reach(X, Y) :- link(X, Y).
        reach(X, Y) :- reach(X, Z), link(Z, Y).
        outsider(X) :- country(X), not member-of(X, csto).
        """

    func kb() throws -> KnowledgeBase {
        let kb = try KnowledgeBase()
        try kb.execute(program)
        return kb
    }

    func rows(_ kb: KnowledgeBase, _ query: String) throws -> [String] {
        let answer = try kb.query(query)
        if answer.columns.isEmpty { return [answer.holds ? "true" : "false"] }
        return answer.rows.map { $0.map(\.sourceText).joined(separator: ", ") }
    }

    // MARK: - @ S

    func testSourcesOfStoredAtomsBoundAndUnbound() throws {
        let kb = try kb()
        XCTAssertEqual(try rows(kb, "member-of(X, csto) @ S"), ["armenia, arminfo", "russia, arminfo", "russia, tass"])
        XCTAssertEqual(try rows(kb, "member-of(X, O) @ tass"), ["moldova, cis", "russia, csto"])
        XCTAssertEqual(try rows(kb, "member-of(belarus, csto) @ S"), [])
        XCTAssertEqual(try rows(kb, "member-of(russia, csto) @ arminfo"), ["true"])
    }

    func testSourcesOfDerivedAtomsAreThoseTheirDerivationsRestOn() throws {
        let kb = try kb()
        // ally(armenia, belarus) rests on arminfo and on a fact without a source.
        XCTAssertEqual(try rows(kb, "ally(armenia, Y) @ S"), ["belarus, arminfo", "russia, arminfo", "russia, tass"])
        XCTAssertEqual(try rows(kb, "ally(belarus, russia) @ tass"), ["true"])
        XCTAssertEqual(try rows(kb, "ally(X, Y) @ tass, X < Y"), ["armenia, russia", "belarus, russia"])
        // Recursive: every link on the way counts, on every derivation (here also round the cycle).
        XCTAssertEqual(try rows(kb, "reach(a, b) @ S"), ["s1", "s2"])
        try kb.execute("link(x, y) @ s3. link(y, w) @ s4.")
        XCTAssertEqual(try rows(kb, "reach(x, y) @ S"), ["s3"])
        XCTAssertEqual(try rows(kb, "reach(x, w) @ S"), ["s3", "s4"])
        XCTAssertEqual(try rows(kb, "reach(a, c) @ S"), ["s1", "s2"])
        XCTAssertEqual(try rows(kb, "reach(a, Y) @ s2"), ["a", "b", "c"])
        // Through negation, only the positive premises count.
        XCTAssertEqual(try rows(kb, "outsider(X) @ S"), [])
        try kb.execute("country(georgia) @ geo.")
        XCTAssertEqual(try rows(kb, "outsider(X) @ S"), ["georgia, geo"])
    }

    func testSourcesThroughAnAggregate() throws {
        let kb = try kb()
        try kb.execute("members(O, count(X)) :- member-of(X, O).")
        XCTAssertEqual(try rows(kb, "members(O, N) @ S"), ["cis, 1, tass", "csto, 3, arminfo", "csto, 3, tass"])
    }

    // MARK: - retract source

    func testRetractSourceKeepsFactsOtherSourcesAlsoAssert() throws {
        let kb = try kb()
        XCTAssertEqual(try kb.execute("retract source tass."), [.retracted(count: 2)])
        XCTAssertEqual(try rows(kb, "member-of(X, O)"), ["armenia, csto", "belarus, csto", "russia, csto"])
        XCTAssertEqual(try rows(kb, "member-of(russia, csto) @ S"), ["arminfo"])
        XCTAssertEqual(try rows(kb, "member-of(moldova, cis)"), ["false"])
        XCTAssertEqual(try kb.execute("retract source nobody."), [.retracted(count: 0)])
        // Facts about the source itself are ordinary facts and stay.
        XCTAssertEqual(try rows(kb, "published-by(tass, P)"), ["tass-agency"])
        // A predicate named 'source' is still a predicate.
        try kb.execute("source(x). retract source(x).")
        XCTAssertEqual(try rows(kb, "source(X)"), [])
    }

    func testSourceStatementsParse() {
        XCTAssertEqual(Parser.parse("retract source arminfo-2012-04-27. retract source \"s\".").statements.map(\.dump),
                       ["(retract-source (name arminfo-2012-04-27))", "(retract-source (string \"s\"))"])
    }

    // MARK: - why

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
        XCTAssertEqual(try why("ally(armenia, moldova)"), "ally(armenia, moldova) does not hold\n")
        XCTAssertEqual(try why("ally(armenia, moldova)", "json"), #"{"fact":"ally(armenia, moldova)","holds":false}"# + "\n")
    }

    func testWhyDerivesOnlyWhatTheFactNeeds() throws {
        // A chain of 400 links: its whole closure is 79,800 facts, far over the limit set here;
        // the facts relevant to reach(n0, n3) are the 399 that start at n0.
        let kb = try KnowledgeBase()
        try kb.execute((0..<400).map { "link(n\($0), n\($0 + 1)).\n" }.joined() + """
            reach(X, Y) :- link(X, Y).
            reach(X, Y) :- reach(X, Z), link(Z, Y).
            """)
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
        let kb = try KnowledgeBase()
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
}
