import XCTest
import KGTestSupport
import KGEngine
import KGLog
import KGSyntax

/// Sources, `@` on stored and derived atoms, `retract source`, and why-trees.
final class ProvenanceTests: XCTestCase {
    let program = TestPrograms.provenance

    func kb() throws -> KnowledgeBase {
        let kb = try TestStore.newKnowledgeBase()
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
        // A constant source is read from the store alone: the SQL filters on it.
        let explained = try kb.explain("?- member-of(X, O) @ tass.")
        if TestStore.evaluatesOnServer {
            XCTAssertTrue(explained.contains { $0.contains("FROM quads WHERE p = ") && $0.contains(" AND g <> 0) AS t0 WHERE t0.g = ") }, "\(explained)")
            return
        }
        // The store reads only that source's rows (SQLite numbers parameters ?N, PostgreSQL $N).
        XCTAssertTrue(explained.contains { ($0.contains(" [?1 = ") && $0.contains(", ?4 = ")) || ($0.contains(" [$1 = ") && $0.contains(", $4 = ")) },
                      "\(explained)")
        XCTAssertTrue(explained.contains { line in
            line.contains("load member-of/2 with sources: 2 rows <- SELECT s, o, g FROM quads WHERE p = ")
                && (line.contains(" AND g = ?4 AND g != 0") || line.contains(" AND g = $4 AND g <> 0"))
        }, "\(explained)")
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

    func testNegationWithASource() throws {
        let kb = try kb()
        // What one source says and another does not: the difference of two reports.
        XCTAssertEqual(try rows(kb, "member-of(X, O) @ arminfo, not member-of(X, O) @ tass"), ["armenia, csto"])
        XCTAssertEqual(try rows(kb, "member-of(X, O) @ tass, not member-of(X, O) @ arminfo"), ["moldova, cis"])
        // The source may be a variable bound before, and the predicate a derived one.
        XCTAssertEqual(try rows(kb, "member-of(X, csto) @ S, not member-of(X, csto) @ tass"), ["armenia, arminfo"])
        // ally(armenia, russia) rests on tass too (russia's membership), ally(armenia, belarus) not.
        XCTAssertEqual(try rows(kb, "ally(X, Y) @ arminfo, X < Y, not ally(X, Y) @ tass"), ["armenia, belarus"])
        // In a stored rule, written back as it was given.
        try kb.execute("unconfirmed(X, O) :- member-of(X, O) @ arminfo, not member-of(X, O) @ tass.")
        XCTAssertEqual(try rows(kb, "unconfirmed(X, O)"), ["armenia, csto"])
        XCTAssertTrue(kb.rules.map(\.formatted).contains("unconfirmed(X, O) :- member-of(X, O) @ arminfo, not member-of(X, O) @ tass."))
        let why = try kb.why("unconfirmed(armenia, csto)")
        XCTAssertEqual(why.derivations.first?.premises.last, .negation("member-of(armenia, csto) @ tass"))
        // The source of a negated atom must be bound elsewhere.
        XCTAssertThrowsError(try kb.query("member-of(X, O), not member-of(X, O) @ S")) { error in
            XCTAssertTrue("\(error)".contains("'S'"), "\(error)")
        }
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
}
