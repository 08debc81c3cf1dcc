import KGFormats
import XCTest
import KGTestSupport
import KGEngine
import KGLog
import KGSyntax

/// Imports and exports through a knowledge base: round trips, typed values, errors, atomicity.
final class ImportExportTests: FolderTestCase {
    func export(_ kb: KnowledgeBase, _ format: DataFormat, predicate: Value? = nil, sourceColumn: Bool = false) throws -> String {
        var text = ""
        _ = try kb.export(format, predicate: predicate, sourceColumn: sourceColumn) { text += $0 }
        return text
    }

    func rows(_ kb: KnowledgeBase, _ query: String) throws -> [String] {
        try kb.query(query).rows.map { $0.map(\.sourceText).joined(separator: ", ") }
    }

    let xsd = "http://www.w3.org/2001/XMLSchema#"

    // MARK: - RDF

    func testNTriplesRoundTripKeepsEveryTerm() throws {
        let triples = """
            <http://e/armenia> <http://e/member-of> <http://e/csto> .
            _:b1 <http://e/name> "ОДКБ" .
            _:b1 <http://e/label> "chat"@fr .
            <http://e/x> <http://e/count> "42"^^<\(xsd)integer> .
            <http://e/x> <http://e/count> "042"^^<\(xsd)integer> .
            <http://e/x> <http://e/ratio> "2.5"^^<\(xsd)decimal> .
            <http://e/x> <http://e/on> "2012-05-03"^^<\(xsd)date> .
            <http://e/x> <http://e/flag> "true"^^<\(xsd)boolean> .
            <http://e/x> <http://e/text> "line\\nbreak \\"quoted\\" \\\\" .

            """
        let kb = try TestStore.newKnowledgeBase()
        XCTAssertEqual(try kb.importFile(try write("in.nt", triples), options: ImportOptions(format: .nt)), 9)
        let exported = try export(kb, .nt)
        XCTAssertEqual(Set(exported.split(separator: "\n")), Set(triples.split(separator: "\n")))
        // Typed literals of kglog's kinds compare as values.
        XCTAssertEqual(try rows(kb, "<http://e/count>(X, N), N > 40"), ["<http://e/x>, 42"])
        XCTAssertEqual(try rows(kb, "<http://e/on>(X, D), D < 2013-01-01, year(D) = 2012"), ["<http://e/x>, 2012-05-03"])
        // nt -> kglog -> nt -> kglog gives the triples of the first file again.
        let again = try TestStore.newKnowledgeBase()
        try again.importFile(try write("again.nt", exported), options: ImportOptions(format: .nt))
        XCTAssertEqual(Set(try export(again, .nt).split(separator: "\n")), Set(triples.split(separator: "\n")))
    }

    func testNQuadsGraphsAreSources() throws {
        let quads = """
            <http://e/armenia> <http://e/member-of> <http://e/csto> <http://e/arminfo> .
            <http://e/armenia> <http://e/member-of> <http://e/csto> <http://e/tass> .
            <http://e/russia> <http://e/member-of> <http://e/csto> .

            """
        let kb = try TestStore.newKnowledgeBase()
        XCTAssertEqual(try kb.importFile(try write("in.nq", quads), options: ImportOptions(format: .nq)), 3)
        XCTAssertEqual(try rows(kb, "<http://e/member-of>(X, Y) @ S"), [
            "<http://e/armenia>, <http://e/csto>, <http://e/arminfo>", "<http://e/armenia>, <http://e/csto>, <http://e/tass>",
        ])
        XCTAssertEqual(Set(try export(kb, .nq).split(separator: "\n")), Set(quads.split(separator: "\n")))
        // N-Triples has no graphs: the fact is written once.
        XCTAssertEqual(try export(kb, .nt).split(separator: "\n").count, 2)
    }

    func testPrefixesInTheLanguage() throws {
        let kb = try TestStore.newKnowledgeBase()
        try kb.importFile(try write("in.nt", "<http://example.org/armenia> <http://example.org/member-of> <http://example.org/csto> .\n"),
                          options: ImportOptions(format: .nt))
        try kb.execute("prefix ex: <http://example.org/>.")
        XCTAssertEqual(try rows(kb, "ex:member-of(X, ex:csto)"), ["<http://example.org/armenia>"])
        try kb.execute("ally(X, Y) :- ex:member-of(X, O), ex:member-of(Y, O).")
        XCTAssertEqual(try rows(kb, "ally(ex:armenia, Y)"), ["<http://example.org/armenia>"])
        XCTAssertThrowsError(try kb.execute("?- zz:p(X).", fileName: "q.kgl")) { error in
            XCTAssertEqual((error as? DiagnosticReport)?.rendered(), "q.kgl:1:4: error: unknown prefix 'zz:': declare it with 'prefix zz: <...>.'\n?- zz:p(X).\n   ^\n")
        }
    }

    func testKglogNamesSurviveAnRDFRoundTrip() throws {
        let kb = try TestStore.newKnowledgeBase()
        try kb.execute("member-of(armenia, csto) @ arminfo. founded(csto, 2002-10-07). p(a, b, c).")
        let quads = try export(kb, .nq)
        XCTAssertEqual(quads, """
            <kglog:csto> <kglog:founded> "2002-10-07"^^<\(xsd)date> .
            <kglog:armenia> <kglog:member-of> <kglog:csto> <kglog:arminfo> .

            """)
        let copy = try TestStore.newKnowledgeBase()
        try copy.importFile(try write("k.nq", quads), options: ImportOptions(format: .nq))
        XCTAssertEqual(try rows(copy, "member-of(X, Y) @ S"), ["armenia, csto, arminfo"])
        XCTAssertEqual(try rows(copy, "founded(X, D)"), ["csto, 2002-10-07"])
    }

    func testKglExportRunsIntoAnEqualKnowledgeBase() throws {
        let kb = try TestStore.newKnowledgeBase()
        try kb.execute("""
            prefix ex: <http://example.org/>.
            m(armenia, csto) @ arminfo. m(russia, csto). m(x, "ОДКБ"@ru) @ "a source". p(1, 2.5, 2012-02-29). q. ex:r(_:b, "1"^^<http://e/t>).
            ally(X, Y) :- m(X, O), m(Y, O), X != Y.
            """)
        let expected = """
            % kglog knowledge base export
            prefix ex: <http://example.org/>.
            m(armenia, csto) @ arminfo.
            m(russia, csto).
            m(x, "ОДКБ"@ru) @ "a source".
            p(1, 2.5, 2012-02-29).
            q.
            <http://example.org/r>(_:b, "1"^^<http://e/t>).
            ally(X, Y) :- m(X, O), m(Y, O), X != Y.

            """
        XCTAssertEqual(try export(kb, .kgl), expected)
        let copy = try TestStore.newKnowledgeBase()
        try copy.execute(expected)
        XCTAssertEqual(try export(copy, .kgl), expected)
        XCTAssertEqual(try rows(copy, "ally(armenia, Y)"), ["russia"])
        XCTAssertEqual(try rows(copy, "m(X, Y) @ S"), ["armenia, csto, arminfo", "x, \"ОДКБ\"@ru, \"a source\""])
        XCTAssertEqual(try rows(copy, "ex:r(B, V)"), ["_:b, \"1\"^^<http://e/t>"])
        XCTAssertEqual(copy.prefixes, ["ex": "http://example.org/"])
    }

    // MARK: - CSV and TSV

    func testCSVImportWithHeaderDetectionAndTypes() throws {
        let kb = try TestStore.newKnowledgeBase()
        let csv = try write("joined.csv", "state,organization,joined\narmenia,csto,1992-05-15\n\"Kazakh, \"\"stan\"\"\",csto,1992-05-15\nbelarus,csto,1993-12-31\n")
        XCTAssertEqual(try kb.importFile(csv, options: ImportOptions(format: .csv, predicate: .name("joined"))), 3)
        XCTAssertEqual(try rows(kb, "joined(X, csto, D), D < 1993-01-01"), ["\"Kazakh, \\\"stan\\\"\", 1992-05-15", "armenia, 1992-05-15"])
        // No numbers below: the first row is data unless --header says otherwise.
        let plain = try write("m.tsv", "armenia\tcsto\nrussia\tcsto\n")
        XCTAssertEqual(try kb.importFile(plain, options: ImportOptions(format: .tsv, predicate: .name("m"))), 2)
        XCTAssertEqual(try kb.importFile(try write("h.csv", "s,o\na,b\n"), options: ImportOptions(format: .csv, predicate: .name("h"), header: true)), 1)
        XCTAssertEqual(try kb.importFile(try write("t.csv", "7,x\n"), options: ImportOptions(format: .csv, predicate: .name("t"), asText: true)), 1)
        XCTAssertEqual(try rows(kb, "t(A, B)"), ["\"7\", \"x\""])
        // Rows come in the order of their terms' ids; an import numbers the new terms of a batch
        // in the order of kind and text (strings before names), as every format's import does.
        XCTAssertEqual(try export(kb, .csv, predicate: .name("joined")), "\"Kazakh, \"\"stan\"\"\",csto,1992-05-15\narmenia,csto,1992-05-15\nbelarus,csto,1993-12-31\n")
    }

    func testTSVValuesWithTabsNewlinesAndBackslashesSurviveExportAndImport() throws {
        let kb = try TestStore.newKnowledgeBase()
        try kb.execute(#"note(a, "tab\there"). note(b, "two\nlines\r"). note(c, "back\\slash \\t"). note(d, "plain")."#)
        let exported = try export(kb, .tsv, predicate: .name("note"))
        XCTAssertEqual(exported, "a\ttab\\there\nb\ttwo\\nlines\\r\nc\tback\\\\slash \\\\t\nd\tplain\n")
        let copy = try TestStore.newKnowledgeBase()
        XCTAssertEqual(try copy.importFile(try write("n.tsv", exported), options: ImportOptions(format: .tsv, predicate: .name("note"), asText: true)), 4)
        XCTAssertEqual(try copy.query("note(X, Y)").rows.map { $0.map(\.lexical) },
                       [["a", "tab\there"], ["b", "two\nlines\r"], ["c", "back\\slash \\t"], ["d", "plain"]])
        // A backslash before any other character is kept as it stands.
        XCTAssertEqual(try copy.importFile(try write("w.tsv", #"C:\dir\x"# + "\n"), options: ImportOptions(format: .tsv, predicate: .name("path"), asText: true)), 1)
        XCTAssertEqual(try copy.query("path(X)").rows.map { $0.map(\.lexical) }, [[#"C:\dir\x"#]])
    }

    // MARK: - Errors and atomicity

    func testABadLastLineImportsNothing() throws {
        let path = directory.appendingPathComponent("kb.kglog").path
        let kb = try KnowledgeBase(path: path)
        let lines = (0..<1000).map { "<http://e/n\($0)> <http://e/p> <http://e/n\($0 + 1)> ." }.joined(separator: "\n")
        let file = try write("bad.nt", lines + "\n<http://e/s> <http://e/p> \"unterminated .\n")
        XCTAssertThrowsError(try kb.importFile(file, options: ImportOptions(format: .nt))) { error in
            XCTAssertEqual((error as? DiagnosticReport)?.rendered(), """
                \(file):1001:27: error: unterminated string: expected '"'
                <http://e/s> <http://e/p> "unterminated .
                                          ^

                """)
        }
        XCTAssertThrowsError(try kb.query("<http://e/p>(X, Y)"))
        XCTAssertEqual(try KnowledgeBase(path: path).predicates(), [])
    }

    func testACSVColumnCanHoldEachRowsSource() throws {
        let kb = try TestStore.newKnowledgeBase()
        let file = try write("editions.csv", "country,org,edition\narmenia,csto,ed-2024\nrussia,csto,ed-2024\narmenia,csto,ed-2025\nbelarus,csto,\n")
        // Named by the header (which the name makes a header): an empty field takes --source.
        XCTAssertEqual(try kb.importFile(file, options: ImportOptions(format: .csv, predicate: .name("member-of"), source: .name("base"),
                                                                  sourceColumn: .named("edition"))), 4)
        XCTAssertEqual(try rows(kb, "member-of(X, O) @ S"),
                       ["armenia, csto, ed-2024", "armenia, csto, ed-2025", "belarus, csto, base", "russia, csto, ed-2024"])
        XCTAssertEqual(try rows(kb, "member-of(X, O) @ ed-2024, not member-of(X, O) @ ed-2025"), ["russia, csto"])
        // By number, in TSV, without a header; an empty field and no --source: no source.
        let tsv = try write("editions.tsv", "ed-1\tarmenia\t1992\n\tbelarus\t1994\n")
        XCTAssertEqual(try kb.importFile(tsv, options: ImportOptions(format: .tsv, predicate: .name("joined"), sourceColumn: .number(1))), 2)
        XCTAssertEqual(try rows(kb, "joined(X, Y) @ S"), ["armenia, 1992, ed-1"])
        XCTAssertEqual(try rows(kb, "joined(X, Y)"), ["armenia, 1992", "belarus, 1994"])
        // Errors name the file and the first line, and import nothing.
        let cases: [(ImportOptions.SourceColumn, String, String)] = [
            (.number(4), "the source column 4 is not one of the 3 columns", "country,org,edition"),
            (.named("year"), "the source column 'year' is named, but the file has no header row: give its number (--source-column 1 for the first)", "country,org,edition"),
        ]
        for (column, message, line) in cases {
            XCTAssertThrowsError(try kb.importFile(file, options: ImportOptions(format: .csv, predicate: .name("other"), sourceColumn: column))) { error in
                XCTAssertEqual((error as? DiagnosticReport)?.rendered(), "\(file):1:1: error: \(message)\n\(line)\n^\n")
            }
        }
        let single = try write("single.csv", "s1\ns2\n")
        XCTAssertThrowsError(try kb.importFile(single, options: ImportOptions(format: .csv, predicate: .name("other"), sourceColumn: .number(1)))) { error in
            XCTAssertEqual((error as? DiagnosticReport)?.rendered(),
                           "\(single):1:1: error: a row of only the source column makes no fact: the predicate needs at least one other column\ns1\n^\n")
        }
        XCTAssertThrowsError(try kb.query("other(X, Y)"))
        // Only rows have columns.
        XCTAssertThrowsError(try kb.importFile(try write("x.nt", ""), options: ImportOptions(format: .nt, sourceColumn: .number(1)))) { error in
            XCTAssertEqual(error as? ImportError, .optionDoesNotApply(option: "--source-column", format: "nt"))
        }
    }

    func testACSVExportWithSourcesImportsBackTheSame() throws {
        let kb = try TestStore.newKnowledgeBase()
        try kb.execute("m(armenia, csto) @ e1. m(armenia, csto) @ e2. m(russia, \"a, b\") @ e1. m(belarus, csto).")
        let csv = try export(kb, .csv, predicate: .name("m"), sourceColumn: true)
        XCTAssertEqual(csv, "armenia,csto,e1\narmenia,csto,e2\nrussia,\"a, b\",e1\nbelarus,csto,\n")
        XCTAssertEqual(try export(kb, .tsv, predicate: .name("m")), "armenia\tcsto\nrussia\ta, b\nbelarus\tcsto\n")
        let copy = try TestStore.newKnowledgeBase()
        XCTAssertEqual(try copy.importFile(try write("m.csv", csv), options: ImportOptions(format: .csv, predicate: .name("m"), header: false, sourceColumn: .number(3))), 4)
        XCTAssertEqual(try rows(copy, "m(X, Y) @ S"), try rows(kb, "m(X, Y) @ S"))
        XCTAssertEqual(try rows(copy, "m(X, Y)"), try rows(kb, "m(X, Y)"))
    }

    func testSmallImportsIntoALargePredicateAreSeenByQueries() throws {
        let file = directory.appendingPathComponent("large.kglog").path
        let kb = try KnowledgeBase(path: file)
        // 12,000 pairs in one import: the predicate gets its packed copy.
        let text = (0..<12_000).map { "c\($0 % 3_000),o\($0 / 3_000)" }.joined(separator: "\n") + "\n"
        XCTAssertEqual(try kb.importFile(try write("big.csv", text), options: ImportOptions(format: .csv, predicate: .name("m"), header: false, source: .name("e1"))), 12_000)
        // Small imports after it: new pairs, a known pair from a new source, a row from two sources.
        XCTAssertEqual(try kb.importFile(try write("e2.csv", "c1,o9\nc0,o0\nnew,o1\n"), options: ImportOptions(format: .csv, predicate: .name("m"), header: false, source: .name("e2"))), 3)
        try kb.execute("m(new, o1) @ e3. m(another, o2).")
        XCTAssertEqual(try kb.count("?- m(X, Y)."), 12_003)
        XCTAssertEqual(try rows(kb, "m(X, o9)"), ["c1"])
        XCTAssertEqual(try rows(kb, "m(new, Y) @ S"), ["o1, e2", "o1, e3"])
        // Every c has 4 objects (12 ordered pairs of them); c1 has a fifth (20).
        XCTAssertEqual(try kb.count("?- m(X, Y), m(X, Z), Y != Z."), 3_000 * 12 + 8)
        // A retraction is seen too, and so is the file reopened.
        try kb.execute("retract m(c1, o9). retract m(c2, o0) @ e1.")
        XCTAssertEqual(try kb.count("?- m(X, Y)."), 12_001)
        XCTAssertEqual(try KnowledgeBase(path: file, readOnly: true).count("?- m(X, Y)."), 12_001)
    }

    func testCSVErrorsNameFileLineAndColumn() throws {
        let kb = try TestStore.newKnowledgeBase()
        let file = try write("bad.csv", "a,b\nc,d,e\n")
        XCTAssertThrowsError(try kb.importFile(file, options: ImportOptions(format: .csv, predicate: .name("p")))) { error in
            XCTAssertEqual((error as? DiagnosticReport)?.rendered(), "\(file):2:5: error: expected 2 fields but found 3\nc,d,e\n    ^\n")
        }
        let short = try write("short.csv", "a,b,c\nd,e\n")
        XCTAssertThrowsError(try kb.importFile(short, options: ImportOptions(format: .csv, predicate: .name("p")))) { error in
            XCTAssertEqual((error as? DiagnosticReport)?.diagnostics.first?.description, "2:4: error: expected 3 fields but found 2")
        }
        // The predicate's arity is kept: a later file with another width is refused.
        try kb.execute("q(a, b).")
        XCTAssertThrowsError(try kb.importFile(try write("q.csv", "x,y,z\n"), options: ImportOptions(format: .csv, predicate: .name("q")))) { error in
            XCTAssertEqual((error as? DiagnosticReport)?.diagnostics.first?.message, "predicate 'q' is used with 3 arguments here but has 2 elsewhere")
        }
        XCTAssertEqual(try rows(kb, "q(X, Y)"), ["a, b"])
    }

    func testAFileThatIsNotUTF8IsAnError() throws {
        let kb = try TestStore.newKnowledgeBase()
        let path = directory.appendingPathComponent("latin1.nt").path
        var bytes = Array("<http://e/s> <http://e/p> \"caf".utf8)
        bytes += [0xE9] + Array("\" .\n".utf8)
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        XCTAssertThrowsError(try kb.importFile(path, options: ImportOptions(format: .nt))) { error in
            XCTAssertEqual((error as? DiagnosticReport)?.diagnostics.first?.description, "1:31: error: the file is not UTF-8 text")
        }
        let csv = directory.appendingPathComponent("latin1.csv").path
        XCTAssertTrue(FileManager.default.createFile(atPath: csv, contents: Data([0x61, 0x2C, 0xE9, 0x0A])))
        XCTAssertThrowsError(try kb.importFile(csv, options: ImportOptions(format: .csv, predicate: .name("p")))) { error in
            XCTAssertEqual((error as? DiagnosticReport)?.diagnostics.first?.description, "1:3: error: the file is not UTF-8 text")
        }
    }

    // MARK: - JSON Lines

    func testJSONLinesRoundTripKeepsEveryFactSourceAndKind() throws {
        let kb = try TestStore.newKnowledgeBase()
        try kb.execute("""
            member-of(armenia, csto) @ tass. member-of(armenia, csto) @ arminfo. member-of(russia, csto).
            country(armenia). held(council, 2012-05-03, "Астана", 2.50, -7).
            label(<http://e/x>, "chat"@fr) @ <http://e/g>.
            """)
        _ = try kb.importFile(try write("t.nt", "_:b1 <http://e/flag> \"true\"^^<\(xsd)boolean> .\n"), options: ImportOptions(format: .nt))
        let exported = try export(kb, .jsonl)
        XCTAssertEqual(exported.split(separator: "\n").count, 7)
        XCTAssertTrue(exported.contains(#"{"predicate":{"value":"member-of","kind":"name"},"arguments":[{"value":"armenia","kind":"name"},{"value":"csto","kind":"name"}],"source":{"value":"tass","kind":"name"}}"#), exported)
        let again = try TestStore.newKnowledgeBase()
        XCTAssertEqual(try again.importFile(try write("kb.jsonl", exported), options: ImportOptions(format: .jsonl)), 7)
        XCTAssertEqual(try export(again, .kgl), """
            % kglog knowledge base export
            country(armenia).
            held(council, 2012-05-03, "Астана", 2.5, -7).
            label(<http://e/x>, "chat"@fr) @ <http://e/g>.
            member-of(armenia, csto) @ arminfo.
            member-of(armenia, csto) @ tass.
            member-of(russia, csto).
            <http://e/flag>(_:b1, "true"^^<http://www.w3.org/2001/XMLSchema#boolean>).

            """)
        XCTAssertEqual(try rows(again, "held(E, D, P, R, N), R > 2, D < 2013-01-01"), ["council, 2012-05-03, \"Астана\", 2.5, -7"])
    }

    func testABadJSONLineImportsNothingAndSaysWhere() throws {
        let kb = try TestStore.newKnowledgeBase()
        try kb.execute("p(a, b).")
        let good = #"{"predicate": {"value": "q", "kind": "name"}, "arguments": [1, 2]}"#
        let file = try write("bad.jsonl", good + "\n\n" + #"{"predicate": {"value": "p", "kind": "name"}, "arguments": [1]}"# + "\n")
        XCTAssertThrowsError(try kb.importFile(file, options: ImportOptions(format: .jsonl))) { error in
            XCTAssertEqual((error as? DiagnosticReport)?.diagnostics.first?.description,
                           "3:1: error: predicate 'p' is used with 1 argument here but has 2 elsewhere")
        }
        let broken = try write("broken.jsonl", good + "\n" + #"{"predicate": "q", "arguments": [1, 2"# + "\n")
        XCTAssertThrowsError(try kb.importFile(broken, options: ImportOptions(format: .jsonl))) { error in
            XCTAssertEqual((error as? DiagnosticReport)?.rendered(), """
                \(broken):2:38: error: expected ']' but found the end of the line
                {"predicate": "q", "arguments": [1, 2
                                                     ^

                """)
        }
        XCTAssertEqual(try kb.predicates().map(\.predicate), [.name("p")])
    }

    func testAnImportFarLargerThanTheReadBufferStreams() throws {
        // 60,000 lines of about 90 bytes: several read chunks, lines split across them.
        let path = directory.appendingPathComponent("big.nt").path
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: nil))
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: path))
        var chunk = ""
        for i in 0..<60_000 {
            chunk += "<http://example.org/node/\(i)> <http://example.org/link> <http://example.org/node/\(i + 1)> .\n"
            if i % 5000 == 4999 { handle.write(Data(chunk.utf8)); chunk = "" }
        }
        handle.closeFile()
        let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        XCTAssertGreaterThan(size, 4 << 20)
        let kb = try TestStore.newKnowledgeBase()
        XCTAssertEqual(try kb.importFile(path, options: ImportOptions(format: .nt)), 60_000)
        XCTAssertEqual(try kb.count("?- <http://example.org/link>(X, Y)."), 60_000)
        XCTAssertEqual(try rows(kb, "<http://example.org/link>(<http://example.org/node/59999>, Y)"), ["<http://example.org/node/60000>"])
    }

    func testDatetimesAreValuesInRulesAndRoundTripAsXMLSchemaDateTime() throws {
        let kb = try TestStore.newKnowledgeBase()
        try kb.execute("""
            reported(a, 2026-11-30T10:15:00Z). reported(b, 2026-11-30T23:59:59.5Z). reported(c, 2026-12-01T00:00:00Z).
            late(X) :- reported(X, T), T >= 2026-11-30T12:00:00Z.
            by-december(X) :- reported(X, T), T < 2026-12-01.
            """)
        XCTAssertEqual(try rows(kb, "late(X)"), ["b", "c"])
        // A date compares as the moment it begins.
        XCTAssertEqual(try rows(kb, "by-december(X)"), ["a", "b"])
        XCTAssertEqual(try rows(kb, "reported(X, T), Y = year(T), D = day(T)"), [
            "a, 2026-11-30T10:15:00Z, 2026, 30", "b, 2026-11-30T23:59:59.5Z, 2026, 30", "c, 2026-12-01T00:00:00Z, 2026, 1",
        ])
        XCTAssertEqual(try rows(kb, "reported(X, T), T = 2026-11-30T10:15:00.000Z"), ["a, 2026-11-30T10:15:00Z"])
        XCTAssertEqual(try rows(kb, "reported(_, T), N = max(T)"), ["2026-12-01T00:00:00Z"])
        // Written as xsd:dateTime, read back as the same values.
        let triples = try export(kb, .nt, predicate: .name("reported"))
        XCTAssertTrue(triples.contains("<kglog:a> <kglog:reported> \"2026-11-30T10:15:00Z\"^^<\(xsd)dateTime> .\n"), triples)
        let again = try TestStore.newKnowledgeBase()
        try again.importFile(try write("r.nt", triples), options: ImportOptions(format: .nt))
        XCTAssertEqual(try rows(again, "reported(X, T), T > 2026-11-30T10:15:00Z"), ["b, 2026-11-30T23:59:59.5Z", "c, 2026-12-01T00:00:00Z"])
        // JSON Lines and CSV keep the kind.
        let lines = try export(kb, .jsonl, predicate: .name("reported"))
        XCTAssertTrue(lines.contains("{\"value\":\"2026-11-30T10:15:00Z\",\"kind\":\"datetime\"}"), lines)
        let csv = try write("r.csv", "a,2026-11-30T10:15:00Z\nb,2026-11-30T10:15:00+02:00\n")
        XCTAssertEqual(try kb.importFile(csv, options: ImportOptions(format: .csv, predicate: .name("seen"))), 2)
        XCTAssertEqual(try rows(kb, "seen(X, T), K = kind-of(T)"), ["a, 2026-11-30T10:15:00Z, datetime", "b, \"2026-11-30T10:15:00+02:00\", string"])
        // The backup keeps them.
        let backup = try TestStore.newKnowledgeBase()
        try backup.execute(try kb.exportText())
        XCTAssertEqual(try rows(backup, "late(X)"), ["b", "c"])
    }

    func testTurtleAndTriGImportWithPrefixesBasesAndGraphs() throws {
        let kb = try TestStore.newKnowledgeBase()
        try kb.execute("prefix ex: <http://kept.example/>.")
        let turtle = try write("m.ttl", """
            @prefix ex: <http://file.example/> .
            PREFIX org: <http://org.example/>
            @base <http://base.example/dir/> .
            # Relative IRIs resolve against the base; `a`, `;`, `,`, lists and property lists.
            <armenia> a org:State ;
                org:memberOf <../orgs/csto>, <../orgs/cis> ;
                org:name "Armenia"@EN, "Армения"@ru ;
                org:joined "2002-10-07"^^<http://www.w3.org/2001/XMLSchema#date> ;
                org:population 2963900 ;
                org:ranked [ org:by ex:index ; org:place 3.5 ] ;
                org:neighbours ( <georgia> <azerbaijan> ) .
            """)
        XCTAssertEqual(try kb.importFile(turtle, options: ImportOptions(format: .ttl)), 15)
        XCTAssertEqual(try rows(kb, "<http://org.example/memberOf>(<http://base.example/dir/armenia>, O)"),
                       ["<http://base.example/orgs/cis>", "<http://base.example/orgs/csto>"])
        XCTAssertEqual(try rows(kb, "<http://org.example/joined>(X, D), Y = year(D)"), ["<http://base.example/dir/armenia>, 2002-10-07, 2002"])
        XCTAssertEqual(try rows(kb, "<http://org.example/name>(X, N)"), [#"<http://base.example/dir/armenia>, "Armenia"@en"#, #"<http://base.example/dir/armenia>, "Армения"@ru"#])
        XCTAssertEqual(try rows(kb, "<http://org.example/ranked>(X, B), <http://org.example/place>(B, P)"), ["<http://base.example/dir/armenia>, _:genid-1, 3.5"])
        XCTAssertEqual(try rows(kb, "<http://www.w3.org/1999/02/22-rdf-syntax-ns#first>(L, X)"), ["_:genid-2, <http://base.example/dir/georgia>", "_:genid-3, <http://base.example/dir/azerbaijan>"])
        // The file's prefixes are the knowledge base's now, but for one it had: that stays.
        XCTAssertEqual(kb.prefixes["org"], "http://org.example/")
        XCTAssertEqual(kb.prefixes["ex"], "http://kept.example/")
        // TriG: graphs are sources; --base stands for a file without @base.
        let trig = try write("g.trig", """
            @prefix : <http://e/> .
            :s :p :o .
            GRAPH :report1 { :s :p :o2 . :s :q "x" }
            <report2> { <s> :p :o3 }
            """)
        var options = ImportOptions(format: .trig)
        options.base = "http://given.example/"
        XCTAssertEqual(try kb.importFile(trig, options: options), 4)
        XCTAssertEqual(try rows(kb, "<http://e/p>(<http://e/s>, O) @ S"), ["<http://e/o2>, <http://e/report1>"])
        XCTAssertEqual(try rows(kb, "<http://e/p>(X, <http://e/o3>) @ S"), ["<http://given.example/s>, <http://given.example/report2>"])
        XCTAssertTrue(try kb.query("<http://e/p>(<http://e/s>, <http://e/o>)").holds)
        // A bad statement anywhere imports nothing, and says where.
        let bad = try write("bad.ttl", "@prefix : <http://e/> .\n:a :b :c .\n:a :b :c ;\n  :d .\n")
        XCTAssertThrowsError(try kb.importFile(bad, options: ImportOptions(format: .ttl))) { error in
            XCTAssertEqual(rendered(error), """
                \(bad):4:6: error: expected an object but found '.'
                  :d .
                     ^

                """)
        }
        XCTAssertThrowsError(try kb.query("<http://e/b>(X, Y)"), "nothing of the file was applied")
        let unknown = try write("unknown.ttl", "nope:a <http://e/b> <http://e/c> .\n")
        XCTAssertThrowsError(try kb.importFile(unknown, options: ImportOptions(format: .ttl))) { error in
            XCTAssertTrue(rendered(error).hasPrefix("\(unknown):1:1: error: unknown prefix 'nope:'"), rendered(error))
        }
        XCTAssertThrowsError(try kb.importFile(trig, options: { var o = ImportOptions(format: .nt); o.base = "http://x/"; return o }())) { error in
            XCTAssertEqual((error as? ImportError)?.message, "--base is for Turtle and TriG files, not nt")
        }
    }

    func testTurtleAndTriGExportsAreReadableAndReadBackTheSame() throws {
        let kb = try TestStore.newKnowledgeBase()
        try kb.execute("""
            prefix ex: <http://example.org/>.
            member-of(armenia, csto) @ tass. member-of(armenia, cis). member-of(russia, csto) @ tass.
            ex:name(armenia, "Armenia \\"quoted\\"\\n") @ tass.
            <http://example.org/founded>(csto, 2002-10-07).
            party-to(uzbekistan, cst) from 2006-08-16 until 2012-12-19 @ tass.
            seen(armenia, 2026-11-30T10:15:00Z).
            point(1, 2, 3).
            """)
        var turtle = ""
        XCTAssertEqual(try kb.export(.ttl) { turtle += $0 }.skipped, 1)
        XCTAssertTrue(turtle.hasPrefix("@prefix : <kglog:> .\n@prefix ex: <http://example.org/> .\n\n"), turtle)
        XCTAssertTrue(turtle.contains(":armenia :member-of :csto, :cis ;\n    ex:name \"Armenia \\\"quoted\\\"\\n\" ;\n    :seen \"2026-11-30T10:15:00Z\"^^<http://www.w3.org/2001/XMLSchema#dateTime> .\n"), turtle)
        XCTAssertTrue(turtle.contains(":csto ex:founded \"2002-10-07\"^^<http://www.w3.org/2001/XMLSchema#date> .\n"), turtle)
        // TriG keeps sources as graphs and periods as reification: read back, the same facts.
        var trig = ""
        _ = try kb.export(.trig) { trig += $0 }
        XCTAssertTrue(trig.contains(":tass {\n    :armenia :member-of :csto ;\n        ex:name \"Armenia \\\"quoted\\\"\\n\" .\n    :russia :member-of :csto .\n"), trig)
        let again = try TestStore.newKnowledgeBase()
        XCTAssertEqual(try again.importFile(try write("back.trig", trig), options: ImportOptions(format: .trig)), 7)
        let binary = { (text: String) in Set(text.split(separator: "\n").filter { !$0.hasPrefix("%") && !$0.hasPrefix("prefix") && !$0.hasPrefix("point") }) }
        XCTAssertEqual(binary(try again.exportText()), binary(try kb.exportText()))
        // Turtle has no graphs: the facts come back without their sources.
        let plain = try TestStore.newKnowledgeBase()
        XCTAssertEqual(try plain.importFile(try write("back.ttl", turtle), options: ImportOptions(format: .ttl)), 7)
        XCTAssertEqual(try rows(plain, "member-of(X, csto)"), ["armenia", "russia"])
        XCTAssertEqual(try rows(plain, "party-to(X, T) from F until U"), ["uzbekistan, cst, 2006-08-16, 2012-12-19"])
    }
}
