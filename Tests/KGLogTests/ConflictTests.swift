import XCTest
import KGTestSupport
import KGEngine
import KGLog
import KGSyntax

/// Functional predicates, `conflict`, and the list of conflicts, on every store.
final class ConflictTests: FolderTestCase {
    let reports = """
        published-on(arminfo, 2012-04-27). reported-by(arminfo, zainetdinov). published-by(arminfo, arminfo-agency).
        published-on(kaztag, 2012-05-02). reported-by(kaztag, correspondent).
        held-on(council, 2012-05-03) @ arminfo. held-on(council, 2012-05-04) @ kaztag. held-on(council, 2012-05-04) @ tass.
        held-on(summit, 2012-06-01) @ arminfo. held-on(summit, 2012-06-01) @ kaztag.
        held-on(parade, 2012-05-09). held-on(parade, 2012-05-10) @ kaztag.
        """

    func testConflictHoldsForTwoValuesOfAFunctionalPredicate() throws {
        let kb = try TestStore.newKnowledgeBase()
        try kb.execute(reports)
        // Not declared: no conflict, and no error.
        XCTAssertEqual(try rows(kb, "conflict(P, E, V1, V2)"), [])
        try kb.execute("functional held-on/2.")
        XCTAssertEqual(try rows(kb, "conflict(P, E, V1, V2), V1 < V2"), [
            "held-on, council, 2012-05-03, 2012-05-04",
            "held-on, parade, 2012-05-09, 2012-05-10",
        ])
        XCTAssertEqual(try rows(kb, "conflict(held-on, council, V1, V2)"), ["2012-05-03, 2012-05-04", "2012-05-04, 2012-05-03"])
        XCTAssertEqual(try kb.query("conflict(held-on, summit, _, _)").holds, false)
        // In rules, negated too; and why explains it down to the sources.
        try kb.execute("settled(E) :- held-on(E, _), not conflict(held-on, E, _, _).")
        XCTAssertEqual(try rows(kb, "settled(E)"), ["summit"])
        let why = try kb.why("conflict(held-on, council, 2012-05-03, 2012-05-04)")
        XCTAssertTrue(why.holds)
        XCTAssertEqual(why.derivations.map(\.rule), ["conflict(held-on, S, V1, V2) :- held-on(S, V1), held-on(S, V2), V1 != V2."])
        // A derived functional predicate has conflicts too.
        try kb.execute("functional venue/2. venue(E, P) :- place(E, P). place(council, astana). place(council, almaty).")
        XCTAssertEqual(try rows(kb, "conflict(venue, E, V1, V2), V1 < V2"), ["council, almaty, astana"])
    }

    func testTheListOfConflictsGivesEachValueWithItsSources() throws {
        let kb = try TestStore.newKnowledgeBase()
        try kb.execute(reports + "functional held-on/2. functional score/3. score(a, 2012, 1). score(a, 2012, 2) @ s. score(a, 2013, 1).")
        let conflicts = try kb.conflicts()
        XCTAssertEqual(conflicts.map(\.signature), ["held-on/2", "held-on/2", "score/3"])
        XCTAssertEqual(conflicts.map { $0.subject.map(\.sourceText) }, [["council"], ["parade"], ["a", "2012"]])
        let council = conflicts[0]
        XCTAssertEqual(council.values.map(\.value.sourceText), ["2012-05-03", "2012-05-04"])
        // Sources earliest published first; an undated source after.
        XCTAssertEqual(council.values[1].sources.map(\.source.sourceText), ["kaztag", "tass"])
        XCTAssertEqual(council.values[0].sources, [
            KnowledgeBase.ReportingSource(source: .name("arminfo"), publishedOn: [.date(CalendarDate(year: 2012, month: 4, day: 27)!)],
                                          publishedBy: [.name("arminfo-agency")], reportedBy: [.name("zainetdinov")]),
        ])
        // A value stated without a source has none.
        XCTAssertEqual(conflicts[1].values.map { $0.sources.map(\.source.sourceText) }, [[], ["kaztag"]])
        XCTAssertEqual(conflicts[2].values.map(\.value.sourceText), ["1", "2"])
        XCTAssertEqual(try kb.conflicts(of: .name("score")).count, 1)
        XCTAssertEqual(try kb.conflicts(of: .name("nothing")), [])
    }

    func testValuesWithPeriodsConflictOnlyWhenTheirPeriodsMeet() throws {
        let kb = try TestStore.newKnowledgeBase()
        try kb.execute("""
            functional seat/2.
            seat(council, astana) from 2000-01-01 until 2001-01-01 @ a. seat(council, almaty) from 2001-01-01 @ b.
            seat(bank, x) from 2000-01-01 until 2002-01-01 @ a. seat(bank, y) from 2001-06-01 @ b.
            functional score/3. score(t, 1, high) from 2000-01-01 until 2001-01-01. score(t, 1, low) from 2001-01-01.
            """)
        // One after the other is a change, not a disagreement.
        XCTAssertEqual(try rows(kb, "conflict(seat, E, V, W), V < W"), ["bank, x, y"])
        XCTAssertEqual(try rows(kb, "conflict(seat, E, V, W) from F until U, V < W"), ["bank, x, y, 2001-06-01, 2002-01-01"])
        XCTAssertEqual(try kb.conflicts().map { "\($0.signature) \($0.subject.map(\.sourceText)) \($0.values.map(\.value.sourceText))" },
                       ["seat/2 [\"bank\"] [\"x\", \"y\"]"])
    }

    func testDeclarationsAreKeptRetractedAndBackedUp() throws {
        let location = try TestStore.reopenableLocation(in: directory)
        do {
            let kb = try KnowledgeBase(path: location)
            XCTAssertEqual(try kb.execute("prefix ex: <http://e/>. functional held-on/2. functional ex:seat/2. functional held-on/2."),
                           [.prefixDeclared, .declared(isNew: true), .declared(isNew: true), .declared(isNew: false)])
        }
        let kb = try KnowledgeBase(path: location)
        XCTAssertEqual(kb.functionalPredicates.map(\.canonicalText), ["functional held-on/2.", "functional <http://e/seat>/2."])
        XCTAssertEqual(try kb.predicates().filter(\.isFunctional).map(\.predicate.sourceText), ["held-on", "<http://e/seat>"])
        // The backup declares them again.
        let backup = try kb.exportText()
        XCTAssertTrue(backup.contains("functional held-on/2.\nfunctional <http://e/seat>/2.\n"), backup)
        let restored = try TestStore.newKnowledgeBase()
        try restored.execute(backup)
        XCTAssertEqual(restored.functionalPredicates.map(\.canonicalText), kb.functionalPredicates.map(\.canonicalText))
        // Retracted, written with the prefix; a second time there is none.
        XCTAssertEqual(try kb.execute("retract functional ex:seat/2. retract functional ex:seat/2."),
                       [.declarationsRetracted(count: 1), .declarationsRetracted(count: 0)])
        let reopened = try KnowledgeBase(path: location)
        XCTAssertEqual(reopened.functionalPredicates.map(\.canonicalText), ["functional held-on/2."])
    }

    func testDeclarationErrorsChangeNothing() throws {
        let kb = try TestStore.newKnowledgeBase()
        try kb.execute("held-on(c, 2012-05-03). p(a) :- q(a). q(a).")
        func check(_ text: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
            XCTAssertThrowsError(try kb.execute("functional q/1. " + text, fileName: "t.kgl"), file: file, line: line) { error in
                XCTAssertEqual(rendered(error), expected, file: file, line: line)
            }
            XCTAssertEqual(kb.functionalPredicates, [], file: file, line: line)
        }
        check("functional held-on/3.", """
            t.kgl:1:17: error: predicate 'held-on' is used with 3 arguments here but has 2 elsewhere
            functional q/1. functional held-on/3.
                            ^

            """)
        check("functional contains/2.", """
            t.kgl:1:17: error: 'contains' is a built-in predicate and cannot be defined by facts or rules
            functional q/1. functional contains/2.
                            ^

            """)
        check("conflict(a, b, c, d).", """
            t.kgl:1:17: error: 'conflict' is a built-in predicate and cannot be defined by facts or rules
            functional q/1. conflict(a, b, c, d).
                            ^

            """)
        check("r(X) :- q(X), conflict(q, X, Y).", """
            t.kgl:1:31: error: predicate 'conflict' is used with 3 arguments here but has 4 elsewhere
            functional q/1. r(X) :- q(X), conflict(q, X, Y).
                                          ^

            """)
        check("functional held-on.", """
            t.kgl:1:35: error: expected '/' and the predicate's number of arguments, such as 'held-in/2' but found '.'
            functional q/1. functional held-on.
                                              ^

            """)
        // A conflict that would depend on its own negation.
        check("functional s/2. s(X, Y) :- q(X), q(Y), not conflict(s, X, Y, _).", """
            t.kgl:1:60: error: cycle through negation: 's/2' -> 'conflict/4' -> 's/2'
            functional q/1. functional s/2. s(X, Y) :- q(X), q(Y), not conflict(s, X, Y, _).
                                                                       ^

            """)
        XCTAssertEqual(kb.rules.count, 1)
        XCTAssertThrowsError(try kb.query("conflict(P, S, V)"))
    }
}
