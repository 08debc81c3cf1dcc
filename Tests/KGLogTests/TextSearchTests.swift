import KGFormats
import XCTest
import KGTestSupport
import KGEngine
import KGLog
import KGSyntax

/// `text-match`: full-text search over strings and names, on every store, with the same
/// scores on each.
final class TextSearchTests: FolderTestCase {
    let labels = """
        label(csto, "Collective Security Treaty Organization").
        label(csto-ru, "Организация Договора о коллективной безопасности (ОДКБ)").
        label(mod-am, "Ministry of Defence of Armenia").
        label(mod-kz, "Defence ministers of Kazakhstan and Kyrgyzstan met").
        about(report1, "The defence ministers met in Astana") @ tass.
        about(report2, "ministers of foreign affairs") @ tass.
        about(report3, "Défense et sécurité") @ afp.
        """

    func testWordsPhrasesPrefixesAndOperatorsFindTheirTexts() throws {
        let kb = try TestStore.newKnowledgeBase()
        try kb.execute(labels)
        XCTAssertEqual(try rows(kb, #"text-match(T, "defence ministers"), about(E, T)"#), [#""The defence ministers met in Astana", report1"#])
        XCTAssertEqual(try rows(kb, #"text-match(T, "defence ministers")"#), [
            #""Defence ministers of Kazakhstan and Kyrgyzstan met""#, #""The defence ministers met in Astana""#,
        ])
        // Any script, without case; a name's words are split at its hyphens.
        XCTAssertEqual(try rows(kb, #"text-match(T, "одкб")"#), [#""Организация Договора о коллективной безопасности (ОДКБ)""#])
        XCTAssertEqual(try rows(kb, #"text-match(T, "ОДКБ"), label(E, T)"#), [#""Организация Договора о коллективной безопасности (ОДКБ)", csto-ru"#])
        XCTAssertEqual(try rows(kb, #"text-match(T, "RU")"#), ["csto-ru"])
        // Without accents or width either.
        XCTAssertEqual(try rows(kb, #"text-match(T, "sécurité")"#), [#""Défense et sécurité""#])
        XCTAssertEqual(try rows(kb, #"text-match(T, "SECURITE")"#), [#""Défense et sécurité""#])
        XCTAssertEqual(try rows(kb, #"text-match(T, "ＣＳＴＯ")"#), ["csto", "csto-ru"])
        // A phrase: its words in that order.
        XCTAssertEqual(try rows(kb, #"text-match(T, "\"ministers of\"")"#), [
            #""Defence ministers of Kazakhstan and Kyrgyzstan met""#, #""ministers of foreign affairs""#,
        ])
        XCTAssertEqual(try rows(kb, #"text-match(T, "\"of ministers\"")"#), [])
        // Prefixes, OR, NOT and parentheses.
        XCTAssertEqual(try rows(kb, #"text-match(T, "kyrg* OR astan*")"#), [
            #""Defence ministers of Kazakhstan and Kyrgyzstan met""#, #""The defence ministers met in Astana""#,
        ])
        XCTAssertEqual(try rows(kb, #"text-match(T, "ministers NOT defence")"#), [#""ministers of foreign affairs""#])
        XCTAssertEqual(try rows(kb, #"text-match(T, "(treaty OR ministry) AND (organization OR armenia)")"#), [
            #""Collective Security Treaty Organization""#, #""Ministry of Defence of Armenia""#,
        ])
        XCTAssertEqual(try rows(kb, #"text-match(T, "nothing-like-this")"#), [])
        // Negated: the terms it does not match.
        XCTAssertEqual(try rows(kb, #"about(E, T), not text-match(T, "ministers")"#), [#"report3, "Défense et sécurité""#])
        XCTAssertEqual(try rows(kb, #"about(E, T), not text-match(T, "ministers OR defense")"#), [])
    }

    func testScoresRankByRelevanceAndAreTheSameOnEveryStore() throws {
        let kb = try TestStore.newKnowledgeBase()
        try kb.execute(labels)
        XCTAssertEqual(try rows(kb, #"text-match(T, "defen* OR csto", S) order by S desc"#), [
            "csto, 2.546",
            "csto-ru, 2.1168",
            #""Défense et sécurité", 1.1232"#,
            #""Ministry of Defence of Armenia", 0.8717"#,
            #""The defence ministers met in Astana", 0.7839"#,
            #""Defence ministers of Kazakhstan and Kyrgyzstan met", 0.7122"#,
        ])
        // The word found twice ranks first; a shorter text before a longer one.
        try kb.execute(#"about(report4, "Ministers, ministers everywhere")."#)
        XCTAssertEqual(try rows(kb, #"text-match(T, "ministers", S), about(E, T) order by S desc"#).map { $0.components(separatedBy: ", ").suffix(2).joined(separator: ", ") }, [
            "1.7225, report4", "1.0752, report2", "0.8564, report1",
        ])
    }

    func testEveryWriteKeepsTheIndexUpToDate() throws {
        let kb = try TestStore.newKnowledgeBase()
        try kb.execute(labels)
        XCTAssertEqual(try rows(kb, #"text-match(T, "summit")"#), [])
        try kb.execute(#"about(report5, "A summit in Minsk") @ belta."#)
        XCTAssertEqual(try rows(kb, #"text-match(T, "summit"), about(E, T) @ S"#), [#""A summit in Minsk", report5, belta"#])
        // A change that fails adds nothing that facts hold.
        XCTAssertThrowsError(try kb.execute(#"about(report6, "Emergency session"). about(report6, "x", "y")."#))
        XCTAssertEqual(try rows(kb, #"text-match(T, "emergency"), about(E, T)"#), [])
        // An import's strings too.
        let file = directory.appendingPathComponent("more.nt")
        try #"<http://example.org/r7> <http://example.org/about> "Parliamentary delegation" ."#.write(to: file, atomically: true, encoding: .utf8)
        _ = try kb.importFile(file.path, options: ImportOptions(format: .nt))
        XCTAssertEqual(try rows(kb, #"text-match(T, "parliament*")"#), [#""Parliamentary delegation""#])
        // Retracted, then compacted: the text is gone from the dictionary and the index.
        try kb.execute(#"retract about(report5, "A summit in Minsk") @ belta."#)
        try kb.forgetHistory(before: DateTime(millisecondsSinceEpoch: DateTime.range.upperBound))
        _ = try kb.compact()
        XCTAssertEqual(try rows(kb, #"text-match(T, "summit")"#), [])
        XCTAssertEqual(try rows(kb, #"text-match(T, "astana")"#), [#""The defence ministers met in Astana""#])
    }

    func testRulesAndWhyUseIt() throws {
        let kb = try TestStore.newKnowledgeBase()
        try kb.execute(labels + #"defence-related(E) :- about(E, T), text-match(T, "defen*")."#)
        XCTAssertEqual(try rows(kb, "defence-related(E)"), ["report1", "report3"])
        let why = try kb.why("defence-related(report1)")
        XCTAssertTrue(why.holds)
        XCTAssertEqual(why.derivations.map(\.rule), [#"defence-related(E) :- about(E, T), text-match(T, "defen*")."#])
        XCTAssertEqual(why.derivations[0].premises.last, .condition(#"text-match("The defence ministers met in Astana", "defen*")"#))
        guard case .fact(let about)? = why.derivations[0].premises.first else { return XCTFail("\(why.derivations[0].premises)") }
        XCTAssertEqual(about.fact, #"about(report1, "The defence ministers met in Astana")"#)
        XCTAssertEqual(about.sources.map(\.source), ["tass"])
    }

    func testBadSearchesAreErrorsAtTheirPosition() throws {
        let kb = try TestStore.newKnowledgeBase()
        try kb.execute(labels)
        let cases: [(String, String)] = [
            (#"text-match(T, "AND x")"#, #"<query>:1:19: error: invalid text search "AND x": 'AND' needs a word, phrase or '(' before it"#),
            (#"text-match(T, "a OR")"#, #"<query>:1:23: error: invalid text search "a OR": a word, phrase or '(' is missing at the end"#),
            (#"text-match(T, "\"open")"#, #"<query>:1:19: error: invalid text search "\"open": a quote that is not closed"#),
            (#"text-match(T, "(a b")"#, #"<query>:1:19: error: invalid text search "(a b": '(' that is not closed"#),
            (#"text-match(T, "NOT a")"#, #"<query>:1:19: error: invalid text search "NOT a": 'NOT' takes away from what comes before it: write 'a NOT b'"#),
            (#"text-match(T, " ")"#, #"<query>:1:20: error: invalid text search " ": nothing to look for: give one or more words"#),
            (#"text-match(T, X)"#, #"<query>:1:18: error: the search of 'text-match' must be a string constant ("defence ministers"), not 'X'"#),
            (#"text-match(T, csto)"#, #"<query>:1:18: error: the search of 'text-match' must be a string constant ("defence ministers"), not 'csto'"#),
            (#"text-match(T)"#, "<query>:1:4: error: built-in 'text-match' takes 2 or 3 arguments (the term, the search, and its score), not 1"),
            (#"text-match(T, "a") @ S"#, "<query>:1:4: error: '@' cannot be used with the built-in 'text-match'"),
        ]
        for (query, expected) in cases {
            XCTAssertThrowsError(try kb.query(query), query) { error in
                XCTAssertEqual(rendered(error).split(separator: "\n").first.map(String.init), expected, query)
            }
        }
        XCTAssertThrowsError(try kb.execute(#"text-match(a, "b")."#)) { error in
            XCTAssertTrue(rendered(error).contains("'text-match' is a built-in predicate and cannot be defined by facts or rules"), rendered(error))
        }
        // Nothing was changed by the refused statements.
        XCTAssertEqual(try rows(kb, #"text-match(T, "b")"#), [])
    }
}

/// "Did you mean": an unknown predicate, or a name that appears in no fact, gets the nearest
/// known ones, on every store.
final class SuggestionTests: FolderTestCase {
    func testAnUnknownPredicateNamesTheNearestKnownOnes() throws {
        let kb = try TestStore.newKnowledgeBase()
        try kb.execute("member-of(armenia, csto). members(csto, 6). reported-by(r1, tass).")
        XCTAssertThrowsError(try kb.query("membr-of(X, Y)")) { error in
            XCTAssertEqual(rendered(error).split(separator: "\n").first.map(String.init),
                           "<query>:1:4: error: unknown predicate 'membr-of/2': no fact or rule defines it; did you mean 'member-of/2'?")
        }
        XCTAssertThrowsError(try kb.query("text-mach(T, \"x\")")) { error in
            XCTAssertTrue(rendered(error).contains("did you mean 'text-match'?"), rendered(error))
        }
        XCTAssertThrowsError(try kb.query("nato(X)")) { error in
            XCTAssertEqual(rendered(error).split(separator: "\n").first.map(String.init),
                           "<query>:1:4: error: unknown predicate 'nato/1': no fact or rule defines it")
        }
    }

    func testANameThatAppearsNowhereGetsANoteWhenNothingIsFound() throws {
        let kb = try TestStore.newKnowledgeBase()
        try kb.execute("member-of(armenia, csto) @ tass. member-of(belarus, csto). member-of(armenia, cis).")
        let answer = try kb.query("member-of(armenai, O)")
        XCTAssertEqual(answer.rowCount, 0)
        XCTAssertEqual(answer.notes, ["'armenai' appears in no fact; did you mean 'armenia'?"])
        XCTAssertEqual(try kb.query("member-of(X, csto) @ tas").notes, ["'tas' appears in no fact; did you mean 'tass'?"])
        XCTAssertEqual(try kb.query("member-of(X, cst)").notes, ["'cst' appears in no fact; did you mean 'csto'?"])
        // Known names, answers found, or nothing near: no note.
        XCTAssertEqual(try kb.query("member-of(belarus, cis)").notes, [])
        XCTAssertEqual(try kb.query("member-of(X, csto)").notes, [])
        XCTAssertEqual(try kb.query("member-of(X, nato)").notes, ["'nato' appears in no fact"])
    }
}

/// An atom of a stored predicate whose variable another atom binds to a few values is read
/// only for those values, on every store.
final class SidewaysReadTests: FolderTestCase {
    func testAFewValuesFromAnEarlierAtomReadOnlyTheirFacts() throws {
        let kb = try TestStore.newKnowledgeBase()
        try kb.execute("""
            published-on(s1, 2025-03-01). published-on(s2, 2026-02-01). published-on(s3, 2026-05-01).
            member-of(am, csto) @ s1. member-of(by, csto) @ s2. member-of(kz, csto) @ s3. member-of(am, cis) @ s3. member-of(ru, cis).
            label(am, "Armenia"). label(by, "Belarus"). label(ru, "Russia").
            about(r1, "Armenia joins"). about(r2, "Belarus leaves").
            """)
        let query = "published-on(S, D), D >= 2026-01-01, member-of(X, O) @ S, label(X, L)"
        XCTAssertEqual(try rows(kb, query), ["s2, 2026-02-01, by, csto, \"Belarus\"", "s3, 2026-05-01, am, cis, \"Armenia\""])
        // Along a chain from a text search (read here, wherever the store is); the terms no fact holds find nothing.
        let chain = #"text-match(T, "armenia OR russia"), label(X, T), member-of(X, O)"#
        XCTAssertEqual(try rows(kb, chain), [#""Armenia", am, cis"#, #""Armenia", am, csto"#, #""Russia", ru, cis"#])
        XCTAssertEqual(try kb.explain(Query.text(chain)).filter { $0.hasPrefix("  load") }.map { $0.components(separatedBy: " <- ")[0] }, [
            #"  load text-match["armenia OR russia"]/2: 3 rows"#,
            "  load label/2 for 3 values of column 2: 2 rows",
            "  load member-of/2 for 2 values of column 1: 3 rows",
        ])
        // (Evaluated in the database, there is no reading to show.)
        guard !TestStore.evaluatesOnServer else { return }
        let loads = try kb.explain(Query.text(query)).filter { $0.hasPrefix("  load") }.map { $0.components(separatedBy: " <- ")[0] }
        XCTAssertEqual(loads, [
            "  load published-on/2: 3 rows",
            "  load member-of/2 with sources for 3 values of column 3: 4 rows",
            "  load label/2 for 3 values of column 1: 2 rows",
        ])
    }
}
