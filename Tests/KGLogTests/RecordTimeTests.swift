import KGFormats
import XCTest
import KGTestSupport
import KGEngine
import KGLog
import KGSyntax

/// Record time on every store: each change recorded, queries as the knowledge base stood at a
/// moment, the history of a fact and since a moment, and forgetting old history.
final class RecordTimeTests: FolderTestCase {
    /// Four changes: facts and a rule; a new source and a retraction; a period replaced; the rule retracted.
    private func knowledgeBaseWithFourChanges() throws -> KnowledgeBase {
        let kb = try TestStore.newKnowledgeBase()
        try kb.execute("""
            member-of(armenia, csto) @ tass. member-of(uzbekistan, csto) from 2006-08-16 @ tass.
            ally(X, Y) :- member-of(X, O), member-of(Y, O), X != Y.
            """, fileName: "first.kgl")
        try kb.execute("member-of(russia, csto) @ ria. retract member-of(armenia, csto) @ tass.", fileName: "second.kgl")
        try kb.execute("""
            retract member-of(uzbekistan, csto) from 2006-08-16 @ tass.
            member-of(uzbekistan, csto) from 2006-08-16 until 2012-12-19 @ tass.
            """, fileName: "third.kgl")
        try kb.execute("retract ally(X, Y) :- member-of(X, O), member-of(Y, O), X != Y.")
        return kb
    }

    /// The moment of each change, by its number.
    private func moments(_ kb: KnowledgeBase) throws -> [Int64: DateTime] {
        Dictionary(uniqueKeysWithValues: try kb.changes().map { ($0.id, DateTime(millisecondsSinceEpoch: $0.at)) })
    }

    private func before(_ moment: DateTime) -> DateTime {
        DateTime(millisecondsSinceEpoch: moment.millisecondsSinceEpoch - 1)
    }

    func testEveryWriteIsAChangeWithItsMomentUserAndWhat() throws {
        let kb = try knowledgeBaseWithFourChanges()
        let changes = try kb.changes()
        XCTAssertEqual(changes.map(\.id), [0, 1, 2, 3, 4])
        XCTAssertEqual(changes.map(\.what), [
            "the knowledge base was created", "first.kgl", "second.kgl", "third.kgl",
            "retract ally(X, Y) :- member-of(X, O), member-of(Y, O), X != Y.",
        ])
        XCTAssertEqual(Set(changes.map(\.by)).count, 1)
        XCTAssertFalse(changes[0].by.isEmpty)
        // Each change has a moment of its own, in order.
        XCTAssertEqual(changes.map(\.at), changes.map(\.at).sorted())
        XCTAssertEqual(Set(changes.map(\.at)).count, 5)
        // Queries, and texts that change nothing new, record no change.
        _ = try kb.query("member-of(X, csto)")
        try kb.execute("?- ally(X, Y).")
        XCTAssertEqual(try kb.changes().count, 5)
        // A text that fails records nothing.
        XCTAssertThrowsError(try kb.execute("p(a). q(X)."))
        XCTAssertEqual(try kb.changes().count, 5)
    }

    func testAsRecordedAnswersAsTheKnowledgeBaseStoodAtEachMoment() throws {
        let kb = try knowledgeBaseWithFourChanges()
        let at = try moments(kb)
        func members(asRecorded moment: DateTime?) throws -> [String] {
            try kb.showAsRecorded(at: moment)
            defer { try? kb.showAsRecorded(at: nil) }
            return try rows(kb, "member-of(X, csto) @ S")
        }
        XCTAssertEqual(try members(asRecorded: at[1]), ["armenia, tass", "uzbekistan, tass"])
        XCTAssertEqual(try members(asRecorded: before(at[2]!)), ["armenia, tass", "uzbekistan, tass"])
        XCTAssertEqual(try members(asRecorded: at[2]), ["russia, ria", "uzbekistan, tass"])
        XCTAssertEqual(try members(asRecorded: nil), ["russia, ria", "uzbekistan, tass"])
        // Periods as they stood.
        try kb.showAsRecorded(at: at[2])
        XCTAssertEqual(kb.recordedMoment, at[2])
        XCTAssertEqual(try rows(kb, "member-of(uzbekistan, csto) from F until U"), ["2006-08-16, 9999-12-31"])
        XCTAssertEqual(try rows(kb, "member-of(X, csto) at 2020-01-01"), ["russia", "uzbekistan"])
        try kb.showAsRecorded(at: at[3])
        XCTAssertEqual(try rows(kb, "member-of(uzbekistan, csto) from F until U"), ["2006-08-16, 2012-12-19"])
        XCTAssertEqual(try rows(kb, "member-of(X, csto) at 2020-01-01"), ["russia"])
        // Rules as they stood: derived facts, why, and counts through a query aggregate.
        XCTAssertEqual(try rows(kb, "ally(X, Y)"), ["russia, uzbekistan", "uzbekistan, russia"])
        // One count a period: russia alone before 2006-08-16 and after 2012-12-19, both between.
        XCTAssertEqual(try rows(kb, "member-of(X, csto), N = count(X)"), ["1", "2"])
        XCTAssertEqual(try kb.why("member-of(uzbekistan, csto)").sources.map { $0.periods.map(\.text) }, [["from 2006-08-16 until 2012-12-19"]])
        try kb.showAsRecorded(at: at[1])
        XCTAssertEqual(try rows(kb, "ally(X, Y)"), ["armenia, uzbekistan", "uzbekistan, armenia"])
        XCTAssertEqual(try kb.why("member-of(armenia, csto)").sources.map(\.source), ["tass"])
        try kb.showAsRecorded(at: at[4])
        XCTAssertEqual(try rows(kb, "ally(X, Y)"), [])
        try kb.showAsRecorded(at: nil)
        XCTAssertNil(kb.recordedMoment)
        XCTAssertEqual(try rows(kb, "ally(X, Y)"), [])
    }

    func testThePastRefusesChangesAndTheMomentBeforeHistoryIsAnError() throws {
        let kb = try knowledgeBaseWithFourChanges()
        let at = try moments(kb)
        try kb.showAsRecorded(at: at[2])
        XCTAssertThrowsError(try kb.execute("p(a).")) { error in
            XCTAssertEqual(rendered(error), """
                <input>:1:1: error: the knowledge base is shown as recorded at \(at[2]!): changes are refused (return to the present first)
                p(a).
                ^

                """)
        }
        XCTAssertThrowsError(try kb.importFile(try write("in.nt", "<http://e/a> <http://e/p> <http://e/b> .\n"), options: ImportOptions(format: .nt))) { error in
            XCTAssertEqual((error as? HistoryError), .pastIsReadOnly(moment: at[2]!.description))
        }
        XCTAssertThrowsError(try kb.forgetHistory(before: at[2]!))
        // The past is read by kglog, never in the database.
        kb.evaluationSite = .server
        XCTAssertThrowsError(try kb.query("member-of(X, csto)")) { error in
            XCTAssertTrue(rendered(error).contains("error: cannot evaluate on the server: the knowledge base as recorded at \(at[2]!) is read from its history, by kglog"),
                          rendered(error))
        }
        kb.evaluationSite = .auto
        try kb.showAsRecorded(at: nil)
        XCTAssertEqual(try kb.changes().count, 5)
        XCTAssertThrowsError(try kb.query("p(X)"))
        // Before the first change, the history says nothing.
        XCTAssertThrowsError(try kb.showAsRecorded(at: before(at[0]!))) { error in
            XCTAssertEqual(error as? HistoryError, .beforeHistory(moment: before(at[0]!).description, begins: at[0]!.description))
            XCTAssertEqual((error as? HistoryError)?.message,
                           "the knowledge base's history begins at \(at[0]!): it cannot say how it stood at \(before(at[0]!))")
        }
        XCTAssertNil(kb.recordedMoment)
    }

    func testTheHistoryOfAFactAndOfEverythingSinceAMoment() throws {
        let kb = try knowledgeBaseWithFourChanges()
        let at = try moments(kb)
        func lines(_ events: [HistoryEvent]) -> [String] {
            events.map { "\($0.change) \($0.action.rawValue) \($0.statement) [\($0.what)]" + ($0.at == at[$0.change] ? "" : " at a wrong moment") }
        }
        XCTAssertEqual(lines(try kb.history(of: "member-of(uzbekistan, csto)")), [
            "1 added member-of(uzbekistan, csto) @ tass. [first.kgl]",
            "1 added member-of(uzbekistan, csto) from 2006-08-16 @ tass. [first.kgl]",
            "3 added member-of(uzbekistan, csto) @ tass. [third.kgl]",
            "3 added member-of(uzbekistan, csto) from 2006-08-16 until 2012-12-19 @ tass. [third.kgl]",
            "3 retracted member-of(uzbekistan, csto) @ tass. [third.kgl]",
            "3 retracted member-of(uzbekistan, csto) from 2006-08-16 @ tass. [third.kgl]",
        ])
        XCTAssertEqual(lines(try kb.history(of: "member-of(armenia, csto) @ tass")), [
            "1 added member-of(armenia, csto) @ tass. [first.kgl]",
            "2 retracted member-of(armenia, csto) @ tass. [second.kgl]",
        ])
        XCTAssertEqual(try kb.history(of: "member-of(armenia, csto) @ ria"), [])
        XCTAssertEqual(try kb.history(of: "member-of(belarus, csto)"), [])
        XCTAssertEqual(lines(try kb.history(since: at[2]!)), [
            "3 added member-of(uzbekistan, csto) @ tass. [third.kgl]",
            "3 added member-of(uzbekistan, csto) from 2006-08-16 until 2012-12-19 @ tass. [third.kgl]",
            "3 retracted member-of(uzbekistan, csto) @ tass. [third.kgl]",
            "3 retracted member-of(uzbekistan, csto) from 2006-08-16 @ tass. [third.kgl]",
            "4 retracted ally(X, Y) :- member-of(X, O), member-of(Y, O), X != Y. [retract ally(X, Y) :- member-of(X, O), member-of(Y, O), X != Y.]",
        ])
        XCTAssertEqual(try kb.history(since: at[4]!), [])
        // A fact added and retracted by one change never was, for any other.
        try kb.execute("q(a). retract q(a).")
        XCTAssertEqual(try kb.history(of: "q(a)"), [])
        // Declarations are in the history too.
        try kb.execute("functional member-of/2.")
        XCTAssertEqual(try kb.history(since: at[4]!).map(\.statement), ["functional member-of/2."])
        XCTAssertEqual(try kb.changes().count, 7)
        // Only a fact of constants has a history.
        XCTAssertThrowsError(try kb.history(of: "member-of(X, csto)")) { error in
            XCTAssertEqual(rendered(error), """
                <fact>:1:11: error: expected a fact such as 'member-of(armenia, csto)' (constants only, optionally '@ SOURCE'), but found member-of(X, csto)
                member-of(X, csto)
                          ^

                """)
        }
        XCTAssertThrowsError(try kb.history(of: "member-of(armenia"))
    }

    func testForgettingHistoryKeepsThePresentAndEveryMomentAfter() throws {
        let kb = try knowledgeBaseWithFourChanges()
        let at = try moments(kb)
        // Forgetting before the history begins forgets nothing.
        let nothing = try kb.forgetHistory(before: before(at[0]!))
        XCTAssertEqual([nothing.changes, nothing.rows], [0, 0])
        let forgotten = try kb.forgetHistory(before: before(at[4]!))
        // Changes 0, 1 and 2 go; the rows retracted by change 3 (two fact rows, a period) with them.
        XCTAssertEqual([forgotten.changes, forgotten.rows], [3, 3])
        XCTAssertEqual(try kb.changes().map(\.id), [3, 4])
        XCTAssertThrowsError(try kb.showAsRecorded(at: at[2]))
        try kb.showAsRecorded(at: at[3])
        XCTAssertEqual(try rows(kb, "member-of(X, csto) @ S"), ["russia, ria", "uzbekistan, tass"])
        XCTAssertEqual(try rows(kb, "ally(russia, Y)"), ["uzbekistan"])
        try kb.showAsRecorded(at: nil)
        // A row added by a forgotten change has no moment any more.
        let russia = try kb.history(of: "member-of(russia, csto)")
        XCTAssertEqual(russia.map(\.change), [2])
        XCTAssertNil(russia[0].at)
        XCTAssertEqual(try rows(kb, "member-of(X, csto)"), ["russia", "uzbekistan"])
    }

    func testImportsAreChangesAndTheirFactsAreNotInThePastBeforeThem() throws {
        let kb = try TestStore.newKnowledgeBase()
        try kb.execute("seed(a).")
        let file = try write("in.nq", "<http://e/a> <http://e/p> <http://e/b> <http://e/g> .\n<http://e/a> <http://e/p> <http://e/c> .\n")
        XCTAssertEqual(try kb.importFile(file, options: ImportOptions(format: .nq)), 2)
        let changes = try kb.changes()
        XCTAssertEqual(changes.last?.what, "import \(file)")
        XCTAssertEqual(try kb.history(since: DateTime(millisecondsSinceEpoch: changes[1].at)).map(\.statement), [
            "<http://e/p>(<http://e/a>, <http://e/b>) @ <http://e/g>.", "<http://e/p>(<http://e/a>, <http://e/c>).",
        ])
        try kb.showAsRecorded(at: DateTime(millisecondsSinceEpoch: changes[1].at))
        XCTAssertEqual(try rows(kb, "<http://e/p>(X, Y)"), [])
        XCTAssertEqual(try rows(kb, "seed(X)"), ["a"])
        try kb.showAsRecorded(at: nil)
        XCTAssertEqual(try rows(kb, "<http://e/p>(X, Y)"), ["<http://e/a>, <http://e/b>", "<http://e/a>, <http://e/c>"])
    }

    func testAKnowledgeBaseReopenedKeepsItsHistory() throws {
        let location = try TestStore.reopenableLocation(in: directory)
        do {
            let kb = try KnowledgeBase(path: location)
            try kb.execute("p(a). p(b).")
            try kb.execute("retract p(a).")
        }
        let kb = try KnowledgeBase(path: location, readOnly: true)
        let at = try moments(kb)
        try kb.showAsRecorded(at: at[1])
        XCTAssertEqual(try rows(kb, "p(X)"), ["a", "b"])
        XCTAssertEqual(try kb.history(of: "p(a)").map { "\($0.change) \($0.action.rawValue)" }, ["1 added", "2 retracted"])
    }

    func testConflictsAsRecordedUseTheDeclarationsAndFactsOfThen() throws {
        let kb = try TestStore.newKnowledgeBase()
        try kb.execute("functional held-on/2. held-on(council, 2012-05-03) @ arminfo. held-on(council, 2012-05-04) @ kaztag.")
        try kb.execute("retract held-on(council, 2012-05-04) @ kaztag.")
        try kb.execute("retract functional held-on/2.")
        let at = try moments(kb)
        XCTAssertEqual(try kb.conflicts(), [])
        try kb.showAsRecorded(at: at[1])
        XCTAssertEqual(try kb.conflicts().map { $0.values.map(\.value.sourceText) }, [["2012-05-03", "2012-05-04"]])
        XCTAssertEqual(try rows(kb, "conflict(held-on, E, V1, V2), V1 < V2"), ["council, 2012-05-03, 2012-05-04"])
        try kb.showAsRecorded(at: at[2])
        XCTAssertEqual(try kb.conflicts(), [])
    }
}
