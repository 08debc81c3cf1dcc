import KGFormats
import XCTest
import KGTestSupport
import KGEngine
import KGLog
import KGSyntax

final class KnowledgeBaseTests: FolderTestCase {
    func testFactsAndRulesSurviveClosingAndReopening() throws {
        let file = directory.appendingPathComponent("csto.kglog").path
        do {
            let kb = try KnowledgeBase(path: file)
            try kb.execute("""
                member-of(armenia, csto) @ arminfo. member-of(russia, csto). member-of(russia, cis).
                ally(X, Y) :- member-of(X, O), member-of(Y, O), X != Y.
                """)
        }
        let kb = try KnowledgeBase(path: file)
        XCTAssertEqual(try rows(kb, "ally(armenia, Y)"), ["russia"])
        XCTAssertEqual(try rows(kb, "member-of(X, csto) @ S"), ["armenia, arminfo"])
        XCTAssertEqual(kb.rules.map(\.text), ["ally(X, Y) :- member-of(X, O), member-of(Y, O), X != Y."])
        // The arity recorded yesterday is enforced today.
        XCTAssertThrowsError(try kb.execute("member-of(a)."))
    }

    func testAFileWithAnErrorInItsLastStatementChangesNothing() throws {
        let file = directory.appendingPathComponent("kb.kglog").path
        let kb = try KnowledgeBase(path: file)
        try kb.execute("member-of(armenia, csto).")
        let bad = """
            member-of(russia, csto).
            ally(X, Y) :- member-of(X, O), member-of(Y, O).
            retract member-of(armenia, csto).
            ?- member-of(X, csto).
            member-of(belarus, csto, 1992).
            """
        XCTAssertThrowsError(try kb.execute(bad, fileName: "bad.kgl")) { error in
            XCTAssertEqual((error as? DiagnosticReport)?.rendered(), """
                bad.kgl:5:1: error: predicate 'member-of' is used with 3 arguments here but has 2 elsewhere
                member-of(belarus, csto, 1992).
                ^

                """)
        }
        XCTAssertEqual(try rows(kb, "member-of(X, csto)"), ["armenia"])
        XCTAssertEqual(kb.rules, [])
        // Also after reopening the file.
        let again = try KnowledgeBase(path: file)
        XCTAssertEqual(try rows(again, "member-of(X, O)"), ["armenia, csto"])
        XCTAssertEqual(again.rules, [])
        XCTAssertThrowsError(try again.query("ally(X, Y)"))
    }

    func testAnEvaluationErrorRollsBackTheWholeText() throws {
        let kb = try TestStore.newKnowledgeBase()
        XCTAssertThrowsError(try kb.execute("n(0). ?- n(X), Y = 1 / X."))
        XCTAssertThrowsError(try kb.query("n(X)")) { error in
            XCTAssertEqual((error as? DiagnosticReport)?.diagnostics.first?.message, "unknown predicate 'n/1': no fact or rule defines it")
        }
    }

    func testTheSameFactFromTwoSourcesIsKeptTwiceAndAnsweredOnce() throws {
        let kb = try TestStore.newKnowledgeBase()
        let results = try kb.execute("""
            held-in(council, astana) @ arminfo. held-in(council, astana) @ tass. held-in(council, astana) @ tass.
            """)
        XCTAssertEqual(results, [.asserted(isNew: true), .asserted(isNew: true), .asserted(isNew: false)])
        XCTAssertEqual(try rows(kb, "held-in(council, P)"), ["astana"])
        XCTAssertEqual(try rows(kb, "held-in(council, P) @ S"), ["astana, arminfo", "astana, tass"])
        // Retracting one source keeps the other; retracting without a source removes all.
        XCTAssertEqual(try kb.execute("retract held-in(council, astana) @ tass."), [.retracted(count: 1)])
        XCTAssertEqual(try rows(kb, "held-in(council, P) @ S"), ["astana, arminfo"])
        try kb.execute("held-in(council, astana) @ tass.")
        XCTAssertEqual(try kb.execute("retract held-in(council, astana)."), [.retracted(count: 2)])
        XCTAssertEqual(try rows(kb, "held-in(council, P)"), [])
        XCTAssertEqual(try kb.execute("retract held-in(nothing, here)."), [.retracted(count: 0)])
    }

    func testResultsArriveInOrderAndALaterErrorUndoesThemAll() throws {
        let kb = try TestStore.newKnowledgeBase()
        var seen: [StatementResult] = []
        try kb.execute("m(a, x). m(a, x). ?- m(a, X). retract m(a, x).") { seen.append($0) }
        XCTAssertEqual(seen.count, 4)
        XCTAssertEqual(Array(seen.prefix(2)), [.asserted(isNew: true), .asserted(isNew: false)])
        XCTAssertEqual(seen.last, .retracted(count: 1))
        seen = []
        XCTAssertThrowsError(try kb.execute("m(b, x). ?- m(b, X), Y = 1 / 0.") { seen.append($0) })
        XCTAssertEqual(seen, [.asserted(isNew: true)])
        XCTAssertEqual(try rows(kb, "m(b, X)"), [])
    }

    func testABulkTextGivesEveryStatementItsResultInOrder() throws {
        // Over a megabyte: binary facts are written in batches, yet each still says whether it
        // was new, and a query between them sees those before it.
        let kb = try TestStore.newKnowledgeBase()
        try kb.execute("e(n0, n1). t(n0, n1, n2).")
        var text = ""
        var expected: [String] = []
        for i in 0..<60_000 {
            text += "e(n\(i), n\(i + 1)).\n"                          // the first is there already
            expected.append(i == 0 ? "old" : "new")
            if i % 1000 == 7 { text += "e(n\(i), n\(i + 1)) @ s.\n"; expected.append("new") }   // another source
            if i % 1000 == 8 { text += "e(n\(i - 1), n\(i)).\n"; expected.append("old") }        // a repeat
            if i == 12_345 { text += "?- e(n12345, X).\n"; expected.append("answer n12346") }
            if i == 20_000 { text += "t(n0, n1, n2). t(a, b, c).\n"; expected += ["old", "new"] }
            // Inline values (numbers, dates) among them, each new once.
            if i % 1000 == 9 { text += "size(n\(i), \(i - 5_000)). seen(n\(i), 2020-01-0\(i % 9 + 1)). size(n\(i), \(i - 5_000)).\n"; expected += ["new", "new", "old"] }
        }
        XCTAssertGreaterThan(text.utf8.count, 1 << 20)
        var seen: [String] = []
        try kb.execute(text) { result in
            switch result {
            case .asserted(let isNew): seen.append(isNew ? "new" : "old")
            case .answer(_, let answer): seen.append("answer " + answer.rows.map { $0[0].sourceText }.joined(separator: " "))
            default: seen.append("\(result)")
            }
        }
        XCTAssertEqual(seen.count, expected.count)
        XCTAssertEqual(seen, expected)
        XCTAssertEqual(try kb.count("?- e(X, Y)."), 60_000)
        XCTAssertEqual(try kb.count("?- e(X, Y) @ s."), 60)
        XCTAssertEqual(try kb.count("?- size(X, N), N < 0."), 5)
        XCTAssertEqual(try rows(kb, "seen(n59009, D)"), ["2020-01-06"])
    }

    func testEverySyntaxErrorIsReportedEvenAfterAnErrorWhileApplying() throws {
        let kb = try TestStore.newKnowledgeBase()
        // The division by zero comes first, but the syntax errors after it are what is reported.
        XCTAssertThrowsError(try kb.execute("p(1).\n?- p(X), Y = X / 0.\nq(.\nr(X) :- s(.\n", fileName: "f.kgl")) { error in
            XCTAssertEqual((error as? DiagnosticReport)?.diagnostics.map(\.description),
                           ["3:3: error: expected a term but found '.'", "4:11: error: expected a term but found '.'"])
        }
        // So are static errors (here an unsafe rule) after one.
        XCTAssertThrowsError(try kb.execute("p(1).\n?- p(X), Y = X / 0.\nr(X) :- p(Y).\n")) { error in
            XCTAssertEqual((error as? DiagnosticReport)?.diagnostics.count, 1)
            XCTAssertEqual((error as? DiagnosticReport)?.diagnostics.first?.location.line, 3)
        }
        // Alone, the evaluation error is reported; nothing of the text stays.
        XCTAssertThrowsError(try kb.execute("p(1).\n?- p(X), Y = X / 0.\n")) { error in
            XCTAssertEqual((error as? DiagnosticReport)?.diagnostics.first?.message, "division by zero")
        }
        XCTAssertEqual(try kb.predicates(), [])
    }

    func testALargeTextIsAppliedAsABulkLoadAndStaysAllOrNothing() throws {
        // Over a megabyte of facts, some with sources, into a new file: written directly and the
        // source index built at the end.
        let file = directory.appendingPathComponent("big.kglog").path
        let facts = (0..<30_000).map { "edge(node-number-\($0), node-number-\($0 + 1))\($0 % 3 == 0 ? " @ survey" : "").\n" }.joined()
        XCTAssertGreaterThan(facts.utf8.count, 1 << 20)
        let kb = try KnowledgeBase(path: file)
        // A failure at the very end leaves the new file as it was.
        XCTAssertThrowsError(try kb.execute(facts + "edge(a).\n"))
        XCTAssertEqual(try kb.predicates(), [])
        var added = 0
        try kb.execute(facts + "?- edge(node-number-29999, X).") { if $0 == .asserted(isNew: true) { added += 1 } }
        XCTAssertEqual(added, 30_000)
        XCTAssertEqual(try kb.count("?- edge(X, Y) @ survey."), 10_000)
        XCTAssertEqual(try kb.sources().map(\.facts), [10_000])
        kb.store.close()
        let reopened = try KnowledgeBase(path: file)
        XCTAssertEqual(try reopened.count("?- edge(X, Y)."), 30_000)
        XCTAssertEqual(try reopened.store.integrityCheck(), "ok")
    }

    /// A bulk text is parsed on a second thread while this one applies it: errors come out as
    /// for a small text (every syntax error, even after one while applying), and a cancel
    /// between batches of statements stops both threads and applies nothing.
    func testABulkTextParsedOnASecondThreadKeepsItsErrorsAndStopsWhenCancelled() throws {
        let kb = try TestStore.newKnowledgeBase()
        let facts = (0..<40_000).map { "edge(node-number-\($0), node-number-\($0 + 1)).\n" }
        XCTAssertGreaterThan(facts.joined().utf8.count, 1 << 20)
        // An arity error on line 20,001 while applying, then syntax errors near the end.
        let text = (facts[..<20_000] + ["edge(a).\n"] + facts[20_000..<39_998] + ["q(.\n", "r(X) :- s(.\n"]).joined()
        XCTAssertThrowsError(try kb.execute(text, fileName: "big.kgl")) { error in
            XCTAssertEqual((error as? DiagnosticReport)?.diagnostics.map(\.description),
                           ["40000:3: error: expected a term but found '.'", "40001:11: error: expected a term but found '.'"])
        }
        XCTAssertThrowsError(try kb.execute(facts[..<20_000].joined() + "edge(a).\n" + facts[20_000...].joined(), fileName: "big.kgl")) { error in
            XCTAssertEqual((error as? DiagnosticReport)?.diagnostics.map(\.description).first?.hasPrefix("20001:1: error:"), true, "\(error)")
        }
        XCTAssertEqual(try kb.predicates(), [])
        struct Stop: Error {}
        var checks = 0
        kb.checkpoint = {
            checks += 1
            if checks == 3 { throw Stop() }
        }
        XCTAssertThrowsError(try kb.execute(facts.joined())) { XCTAssertTrue($0 is Stop, "\($0)") }
        XCTAssertEqual(checks, 3)
        kb.checkpoint = nil
        XCTAssertEqual(try kb.predicates(), [])
        // The knowledge base goes on: the same text now applies whole.
        var added = 0
        try kb.execute(facts.joined()) { if $0 == .asserted(isNew: true) { added += 1 } }
        XCTAssertEqual(added, 40_000)
    }

    func testTextsFullOfQuotesSemicolonsAndBackslashesAreStoredAsTheyAre() throws {
        let kb = try TestStore.newKnowledgeBase()
        // As written in kglog, and the strings they are.
        let written = [#""x'); DROP TABLE quads; --""#, #""a \"quoted\" word""#, #""back\\slash""#, #""semi;colon""#, #""ОДКБ's""#]
        let strings = ["x'); DROP TABLE quads; --", "a \"quoted\" word", "back\\slash", "semi;colon", "ОДКБ's"]
        try kb.execute(written.enumerated().map { "said(p\($0.offset), \($0.element)) @ <http://example.org/a'b;c>." }.joined(separator: "\n"))
        let answer = try kb.query("?- said(P, T) @ S.")
        XCTAssertEqual(answer.rows.map { $0[1] }, strings.map { Value.string($0) })
        XCTAssertEqual(Set(answer.rows.map { $0[2] }), [.iri("http://example.org/a'b;c")])
        XCTAssertTrue(try kb.query("?- said(p1, \(written[1])).").holds)
        XCTAssertEqual(try kb.execute("retract said(p0, \(written[0]))."), [.retracted(count: 1)])
        XCTAssertEqual(try kb.count("?- said(P, T)."), 4)
    }

    func testRetractingAPatternRemovesEveryStoredFactThatMatches() throws {
        let kb = try TestStore.newKnowledgeBase()
        try kb.execute("""
            m(armenia, csto) @ tass. m(armenia, csto) @ arminfo. m(russia, csto). m(russia, cis). m(belarus, belarus).
            said(tass, x) @ tass. said(tass, y) @ arminfo. t(1, 2, 3). t(1, 5, 6). t(2, 2, 3).
            """)
        XCTAssertEqual(try kb.execute("retract m(X, csto) @ tass."), [.retracted(count: 1)])
        XCTAssertEqual(try rows(kb, "m(X, O) @ S"), ["armenia, csto, arminfo"])
        XCTAssertEqual(try kb.execute("retract m(X, csto)."), [.retracted(count: 2)])   // every source
        XCTAssertEqual(try rows(kb, "m(X, O)"), ["belarus, belarus", "russia, cis"])
        XCTAssertEqual(try kb.execute("retract m(X, X)."), [.retracted(count: 1)])      // the same term twice
        XCTAssertEqual(try rows(kb, "m(X, O)"), ["russia, cis"])
        XCTAssertEqual(try kb.execute("retract said(S, _) @ S."), [.retracted(count: 1)]) // the source is the first argument
        XCTAssertEqual(try rows(kb, "said(S, X) @ W"), ["tass, y, arminfo"])
        XCTAssertEqual(try kb.execute("retract t(1, _, _)."), [.retracted(count: 2)])
        XCTAssertEqual(try rows(kb, "t(A, B, C)"), ["2, 2, 3"])
        // A constant the knowledge base has never seen matches nothing.
        XCTAssertEqual(try kb.execute("retract m(X, nato)."), [.retracted(count: 0)])
        XCTAssertEqual(try kb.execute("retract t(_, _, _) @ nowhere."), [.retracted(count: 0)])
        XCTAssertThrowsError(try kb.execute("retract m(X)."))   // the arity is checked
    }

    func testRetractingARuleRemovesItAndWhatItDerived() throws {
        let file = directory.appendingPathComponent("kb.kglog").path
        do {
            let kb = try KnowledgeBase(path: file)
            try kb.execute("""
                m(armenia, csto). m(russia, csto).
                ally(X, Y) :- m(X, O), m(Y, O), X != Y.
                reach(X, Y) :- ally(X, Y).
                """)
            XCTAssertEqual(try rows(kb, "reach(armenia, Y)"), ["russia"])
            // Written differently (spacing, line breaks), it is the same rule.
            XCTAssertEqual(try kb.execute("retract ally(X,Y):-m(X,O),\n  m(Y, O), X!=Y."), [.rulesRetracted(count: 1)])
            XCTAssertEqual(try kb.execute("retract ally(X, Y) :- m(X, O), m(Y, O), X != Y."), [.rulesRetracted(count: 0)])
            // Other variable names are another rule.
            XCTAssertEqual(try kb.execute("retract reach(A, B) :- ally(A, B)."), [.rulesRetracted(count: 0)])
            XCTAssertEqual(try rows(kb, "reach(armenia, Y)"), [])
        }
        let reopened = try KnowledgeBase(path: file)
        XCTAssertEqual(reopened.rules.map(\.text), ["reach(X, Y) :- ally(X, Y)."])
        XCTAssertEqual(try rows(reopened, "reach(armenia, Y)"), [])
        // Undone with the rest of its text when a later statement fails.
        XCTAssertThrowsError(try reopened.execute("retract reach(X, Y) :- ally(X, Y). ?- m(X, Y), Z = 1 / 0."))
        XCTAssertEqual(reopened.rules.count, 1)
        XCTAssertEqual(try KnowledgeBase(path: file).rules.count, 1)
    }

    func testTheSameRuleIsStoredOnce() throws {
        let file = directory.appendingPathComponent("rules.kglog").path
        do {
            let kb = try KnowledgeBase(path: file)
            XCTAssertEqual(try kb.execute("m(a). r(X) :- m(X)."), [.asserted(isNew: true), .ruleAdded])
            // Written differently (spacing, a comment), it is the same rule: nothing is added.
            XCTAssertEqual(try kb.execute("m(b).\nr(X)  :-\n  m(X). % again"),
                           [.asserted(isNew: true), .ruleAlreadyStored("r(X) :- m(X).", location: SourceLocation(line: 2, column: 1))])
            // Other variable names make another rule.
            XCTAssertEqual(try kb.execute("r(Y) :- m(Y)."), [.ruleAdded])
            XCTAssertEqual(kb.rules.map(\.formatted), ["r(X) :- m(X).", "r(Y) :- m(Y)."])
        }
        XCTAssertEqual(try KnowledgeBase(path: file).rules.count, 2)
    }

    func testSessionRulesAreUsedAndNeverStored() throws {
        let file = directory.appendingPathComponent("session.kglog").path
        do {
            let kb = try KnowledgeBase(path: file)
            try kb.execute("m(a, x). m(b, x). m(c, y). r(X) :- m(X, y).")
            XCTAssertEqual(try kb.addSessionRule("near(X, Y) :- m(X, O), m(Y, O), X != Y."), .ruleAdded)
            XCTAssertEqual(try rows(kb, "near(a, Y)"), ["b"])
            XCTAssertTrue(try kb.why("near(a, b)").holds)
            XCTAssertEqual(kb.rules.map(\.formatted), ["r(X) :- m(X, y)."])
            XCTAssertEqual(kb.sessionRules.map(\.formatted), ["near(X, Y) :- m(X, O), m(Y, O), X != Y."])
            // The same rule again, stored or for the session: nothing added.
            XCTAssertEqual(try kb.addSessionRule("r(X)  :-  m(X, y)."), .ruleAlreadyStored("r(X) :- m(X, y).", location: SourceLocation(line: 1, column: 1)))
            // Checked as a stored rule is: one rule, safe, arities agreeing, no cycle through not.
            for (text, message) in [("p(a).", "expected one rule such as 'near(X, Y) :- border(X, Y).' but found 'p(a).'"),
                                    ("q(X) :- m(X).", "predicate 'm' is used with 1 argument here but has 2 elsewhere"),
                                    ("s(X) :- m(X, _), not t(X).", nil),
                                    ("t(X) :- m(X, _), not s(X).", "cycle through negation")] {
                if let message {
                    XCTAssertThrowsError(try kb.addSessionRule(text), text) { error in
                        XCTAssertTrue("\((error as? DiagnosticReport)?.rendered() ?? "\(error)")".contains(message), "\(error)")
                    }
                } else {
                    XCTAssertEqual(try kb.addSessionRule(text), .ruleAdded)
                }
            }
            XCTAssertEqual(kb.sessionRules.count, 2)
        }
        // The file never held them.
        let reopened = try KnowledgeBase(path: file)
        XCTAssertEqual(reopened.sessionRules, [])
        XCTAssertEqual(reopened.rules.map(\.formatted), ["r(X) :- m(X, y)."])
        XCTAssertThrowsError(try reopened.query("near(a, Y)"))
    }

    func testCompactingRemovesTermsNothingUsesAndKeepsEverythingElse() throws {
        let file = directory.appendingPathComponent("kb.kglog").path
        let kb = try KnowledgeBase(path: file)
        let reported = (0..<20_000).map { "said(person-\($0), \"a long enough statement number \($0)\") @ rumour-\($0 % 7).\n" }.joined()
        try kb.execute(reported + """
            member-of(armenia, csto) @ tass. country(armenia). meets(council, astana, 2012-05-03).
            ally(X, Y) :- member-of(X, O), member-of(Y, O).
            """)
        let termsBefore = try kb.store.nextTermID() - 1
        try kb.execute((0..<7).map { "retract source rumour-\($0).\n" }.joined())
        // The history keeps what the rumours said, and so their terms, until it is forgotten.
        XCTAssertEqual(try kb.compact().removedTerms, 0)
        let forgotten = try kb.forgetHistory(before: DateTime(millisecondsSinceEpoch: DateTime.range.upperBound))
        XCTAssertEqual([forgotten.changes, forgotten.rows], [2, 20_000])
        let result = try kb.compact()
        // Everything the rumours said, and the rumours themselves, went: 2 terms a fact, 7 sources.
        XCTAssertEqual(result.removedTerms, 40_007)
        XCTAssertLessThan(result.bytesAfter, result.bytesBefore / 2)
        XCTAssertEqual(try kb.store.nextTermID() - 1, termsBefore, "ids are kept, not renumbered")
        XCTAssertEqual(try kb.store.integrityCheck(), "ok")
        // What stays answers as before, unary, ternary and predicates known only by arity included.
        XCTAssertEqual(try rows(kb, "member-of(X, O) @ S"), ["armenia, csto, tass"])
        XCTAssertEqual(try rows(kb, "meets(E, P, D)"), ["council, astana, 2012-05-03"])
        XCTAssertEqual(try rows(kb, "country(X)"), ["armenia"])
        XCTAssertEqual(try rows(kb, "ally(armenia, Y)"), ["armenia"])
        XCTAssertEqual(try rows(kb, "said(P, W)"), [])
        XCTAssertEqual(try kb.compact().removedTerms, 0)
        // New facts after compacting get new ids.
        try kb.execute("said(someone, \"again\").")
        XCTAssertEqual(try rows(try KnowledgeBase(path: file), "said(P, W)"), ["someone, \"again\""])
    }

    func testQueriesOverAnImportedPredicateSeeEveryLaterChange() throws {
        // 12,000 imported links: enough for the store to keep them as one blob as well.
        let file = directory.appendingPathComponent("kb.kglog").path
        let kb = try KnowledgeBase(path: file)
        let triples = (0..<12_000).map { "<http://e/n\($0)> <http://e/link> <http://e/n\($0 + 1)> .\n" }.joined()
        XCTAssertEqual(try kb.importFile(try write("links.nt", triples), options: ImportOptions(format: .nt)), 12_000)
        try kb.execute("prefix e: <http://e/>. reach(X, Y) :- e:link(X, Y). reach(X, Y) :- reach(X, Z), e:link(Z, Y).")
        XCTAssertEqual(try kb.count("?- e:link(X, Y)."), 12_000)
        XCTAssertEqual(try kb.count("?- reach(e:n11990, Y)."), 10)
        try kb.execute("e:link(e:n12000, e:n12001).")
        XCTAssertEqual(try kb.count("?- e:link(X, Y)."), 12_001)
        XCTAssertEqual(try kb.count("?- reach(e:n11990, Y)."), 11)
        try kb.execute("retract e:link(e:n5, _).")
        XCTAssertEqual(try kb.count("?- e:link(X, Y)."), 12_000)
        XCTAssertEqual(try KnowledgeBase(path: file).count("?- reach(e:n0, Y)."), 5)
    }

    func testRetractedFactsNoLongerDeriveAnything() throws {
        let kb = try TestStore.newKnowledgeBase()
        try kb.execute("m(uzbekistan, csto). m(russia, csto). ally(X, Y) :- m(X, O), m(Y, O), X != Y.")
        XCTAssertEqual(try rows(kb, "ally(russia, Y)"), ["uzbekistan"])
        try kb.execute("retract m(uzbekistan, csto).")
        XCTAssertEqual(try rows(kb, "ally(russia, Y)"), [])
    }

    func testQueriesSeeStatementsBeforeThemInTheSameText() throws {
        let kb = try TestStore.newKnowledgeBase()
        let results = try kb.execute("p(a). ?- p(X). p(b). ?- p(X).")
        let answers = results.compactMap { result -> [[Value]]? in
            if case .answer(_, let answer) = result { return answer.rows }
            return nil
        }
        XCTAssertEqual(answers, [[[.name("a")]], [[.name("a")], [.name("b")]]])
    }

    func testAQueryNeverWritesToTheFile() throws {
        let file = directory.appendingPathComponent("ro.kglog").path
        let kb = try KnowledgeBase(path: file)
        try kb.execute("n(1). next(X, X + 1) :- n(X). flag(brand-new-name) :- n(_).")
        let before = try rows(kb, "next(X, Y), flag(F)")
        XCTAssertEqual(before, ["1, 2, brand-new-name"])
        // The rule's constant is not added to the term dictionary (numbers are never in it).
        XCTAssertNil(try kb.store.termID(for: .name("brand-new-name")))
        XCTAssertEqual(try kb.store.termID(for: .integer(2)), TermCode.integerID(2))
    }
}
