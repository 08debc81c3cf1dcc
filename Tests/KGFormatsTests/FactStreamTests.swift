import XCTest
import KGFormats
import KGSyntax
import KGTestSupport

/// Every format behind one reader and one writer protocol: what a writer writes, the same
/// format's reader reads back; writers group and merge as their formats ask.
final class FactStreamTests: FolderTestCase {
    /// A sink that keeps every fact as `predicate(arguments) @ source :line`.
    struct Recorder: FactSink {
        var facts: [String] = []

        mutating func add(_ statement: RawStatement, line: FactLine) throws {
            record(statement.predicate.value, [statement.subject.value, statement.object.value], statement.graph?.value, line)
        }

        mutating func add(_ quad: Quad, line: FactLine) throws {
            record(quad.predicate, [quad.subject, quad.object], quad.graph, line)
        }

        mutating func add(predicate: Value, arguments: [Value], source: Value?, line: FactLine) throws {
            record(predicate, arguments, source, line)
        }

        private mutating func record(_ predicate: Value, _ arguments: [Value], _ source: Value?, _ line: FactLine) {
            let text = predicate.sourceText + "(" + arguments.map(\.sourceText).joined(separator: ", ") + ")"
            facts.append(text + (source.map { " @ " + $0.sourceText } ?? "") + " :\(line.number)")
        }
    }

    /// A fact as values, which `written` numbers as a store would.
    struct Fact {
        var predicate: Value
        var arguments: [Value]
        var source: Value?
        var periods: [(from: Int64, until: Int64)] = []
    }

    let facts: [Fact] = [
        Fact(predicate: .name("label"), arguments: [.name("csto"), .langString("ОДКБ", language: "ru")], source: nil),
        Fact(predicate: .name("member-of"), arguments: [.name("armenia"), .name("csto")], source: .name("arminfo")),
        Fact(predicate: .name("member-of"), arguments: [.name("armenia"), .name("csto")], source: .name("tass")),
        Fact(predicate: .name("member-of"), arguments: [.name("russia"), .name("csto")], source: nil),
    ]

    /// Writes the facts in the order the writer asks for, as an export would hand them over.
    func written(_ format: DataFormat, _ facts: [Fact], sourceColumn: Bool = false) throws -> (text: String, written: Int, skipped: Int) {
        var writer = format.writer(prefixes: ["ex": "http://example.org/"], sourceColumn: sourceColumn)
        var ordered = facts.filter { writer.takes(arity: $0.arguments.count) }
        switch writer.order {
        case .byPredicate: break
        case .bySourceAndSubject: ordered.sort { ($0.source?.sourceText ?? "", $0.arguments[0].sourceText) < ($1.source?.sourceText ?? "", $1.arguments[0].sourceText) }
        case .bySubject:
            var seen = Set<String>()
            ordered = ordered.filter { seen.insert($0.predicate.sourceText + $0.arguments.map(\.sourceText).joined()).inserted }.map {
                Fact(predicate: $0.predicate, arguments: $0.arguments, source: nil, periods: $0.periods)
            }
            ordered.sort { $0.arguments[0].sourceText < $1.arguments[0].sourceText }
        }
        var terms: [Value] = []
        func id(_ value: Value) -> Int64 {
            if let index = terms.firstIndex(of: value) { return Int64(index) }
            terms.append(value)
            return Int64(terms.count - 1)
        }
        var text = ""
        writer.begin { text += $0 }
        for fact in ordered {
            let exported = ExportedFact(predicate: id(fact.predicate), arguments: fact.arguments.map(id), source: fact.source.map(id), periods: fact.periods)
            try writer.write(exported, values: { terms[Int($0)] }) { text += $0 }
        }
        writer.finish { text += $0 }
        return (text, writer.written, writer.skipped)
    }

    func read(_ format: DataFormat, _ text: String, options: ReadOptions = ReadOptions()) throws -> [String] {
        var reader = try XCTUnwrap(try format.reader(path: try write("in." + format.extensions[0], text), options: options))
        var recorder = Recorder()
        try reader.read(into: &recorder)
        return recorder.facts
    }

    func testWhatEachWriterWritesItsReaderReadsBack() throws {
        let ternary = Fact(predicate: .name("held"), arguments: [.name("council"), .date(CalendarDate(year: 2012, month: 5, day: 3)!), .string("Астана")], source: .name("tass"))
        let all = facts + [ternary]
        let expected: [DataFormat: [String]] = [
            .nt: ["label(csto, \"ОДКБ\"@ru) :1", "member-of(armenia, csto) :2", "member-of(russia, csto) :3"],
            .nq: ["label(csto, \"ОДКБ\"@ru) :1", "member-of(armenia, csto) @ arminfo :2", "member-of(armenia, csto) @ tass :3", "member-of(russia, csto) :4"],
            .ttl: ["member-of(armenia, csto) :4", "label(csto, \"ОДКБ\"@ru) :5", "member-of(russia, csto) :6"],
            .trig: ["label(csto, \"ОДКБ\"@ru) :4", "member-of(russia, csto) :5", "member-of(armenia, csto) @ arminfo :7", "member-of(armenia, csto) @ tass :10"],
            .jsonl: ["label(csto, \"ОДКБ\"@ru) :1", "member-of(armenia, csto) @ arminfo :2", "member-of(armenia, csto) @ tass :3",
                     "member-of(russia, csto) :4", "held(council, 2012-05-03, \"Астана\") @ tass :5"],
        ]
        for (format, facts) in expected.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            let out = try written(format, all)
            XCTAssertEqual(try read(format, out.text), facts, "\(format)\n\(out.text)")
            XCTAssertEqual(out.written, facts.count, "\(format)")
        }
        // CSV and TSV: one predicate's rows, each fact once, or a row per source with it.
        let members = Array(facts[1...])
        for format in [DataFormat.csv, .tsv] {
            let options = ReadOptions(predicate: .name("m"), sourceColumn: .number(3))
            XCTAssertEqual(try read(format, try written(format, members).text, options: ReadOptions(predicate: .name("m"))),
                           ["m(armenia, csto) :1", "m(russia, csto) :2"])
            let withSources = try written(format, members, sourceColumn: true)
            XCTAssertEqual(try read(format, withSources.text, options: options),
                           ["m(armenia, csto) @ arminfo :1", "m(armenia, csto) @ tass :2", "m(russia, csto) :3"], withSources.text)
        }
    }

    /// kgl: a statement per fact and source, and per period (sorted, an open end left out);
    /// facts of any arity; what it writes runs back into the same facts.
    func testTheKglWriterWritesAStatementPerFactSourceAndPeriod() throws {
        let day = { (y: Int64, m: Int64, d: Int64) in TermCode.inlineID(.date(CalendarDate(year: y, month: m, day: d)!))! }
        var dated = facts
        dated[1].periods = [(day(2010, 1, 1), Period.openEndID), (Period.openStartID, day(2005, 6, 30))]
        dated.append(Fact(predicate: .name("treaty"), arguments: [.integer(1992), .string("Tashkent"), Value.literal("2.5", datatype: Value.XSD.decimal)], source: nil))
        dated.append(Fact(predicate: .name("raining"), arguments: [], source: .iri("http://example.org/report")))
        let result = try written(.kgl, dated)
        XCTAssertEqual(result.text, """
            label(csto, "ОДКБ"@ru).
            member-of(armenia, csto) until 2005-06-30 @ arminfo.
            member-of(armenia, csto) from 2010-01-01 @ arminfo.
            member-of(armenia, csto) @ tass.
            member-of(russia, csto).
            treaty(1992, "Tashkent", 2.5).
            raining @ <http://example.org/report>.

            """)
        XCTAssertEqual(result.written, 6)
        XCTAssertEqual(result.skipped, 0)
        XCTAssertEqual(Parser.parse(result.text).diagnostics.map(\.description), [])
    }

    func testWritersGroupSubjectsAndMergePeriods() throws {
        let from = TermCode.inlineID(.date(CalendarDate(year: 2006, month: 8, day: 16)!))!
        let until = TermCode.inlineID(.date(CalendarDate(year: 2012, month: 12, day: 19)!))!
        var dated = facts
        dated[1].periods = [(from, Period.openEndID)]
        dated[2].periods = [(Period.openStartID, until)]
        // N-Triples: the fact once, with both sources' periods after it.
        XCTAssertEqual(try written(.nt, dated).text, """
            <kglog:csto> <kglog:label> "ОДКБ"@ru .
            <kglog:armenia> <kglog:member-of> <kglog:csto> .
            _:period1 <http://www.w3.org/1999/02/22-rdf-syntax-ns#subject> <kglog:armenia> .
            _:period1 <http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate> <kglog:member-of> .
            _:period1 <http://www.w3.org/1999/02/22-rdf-syntax-ns#object> <kglog:csto> .
            _:period1 <kglog:valid-from> "2006-08-16"^^<http://www.w3.org/2001/XMLSchema#date> .
            _:period2 <http://www.w3.org/1999/02/22-rdf-syntax-ns#subject> <kglog:armenia> .
            _:period2 <http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate> <kglog:member-of> .
            _:period2 <http://www.w3.org/1999/02/22-rdf-syntax-ns#object> <kglog:csto> .
            _:period2 <kglog:valid-until> "2012-12-19"^^<http://www.w3.org/2001/XMLSchema#date> .
            <kglog:russia> <kglog:member-of> <kglog:csto> .

            """)
        // A source that states it at all times: the fact holds at all times, no periods.
        dated[2].periods = []
        XCTAssertEqual(try written(.nt, dated).text.components(separatedBy: "_:period").count, 1)
        // TriG: each source a graph, its subjects grouped; a number cannot name a graph.
        var trig = facts
        trig.append(Fact(predicate: .name("member-of"), arguments: [.name("armenia"), .name("cis")], source: .name("tass")))
        trig.append(Fact(predicate: .name("member-of"), arguments: [.name("belarus"), .name("csto")], source: .integer(7)))
        let out = try written(.trig, trig)
        XCTAssertEqual(out.text, """
            @prefix : <kglog:> .
            @prefix ex: <http://example.org/> .

            :csto :label "ОДКБ"@ru .
            :russia :member-of :csto .
            :arminfo {
                :armenia :member-of :csto .
            }
            :tass {
                :armenia :member-of :csto, :cis .
            }

            """)
        XCTAssertEqual(out.written, 5)
        XCTAssertEqual(out.skipped, 1)
    }

    func testReaderErrorsCarryTheirLine() throws {
        for (format, text, message) in [
            (DataFormat.jsonl, "{\"predicate\":\"p\",\"arguments\":[]}\n{\"predicate\":1}\n", "2:"),
            (.nt, "<http://e/a> <http://e/b> <http://e/c> .\n<http://e/a> <http://e/b> .\n", "2:"),
            (.csv, "a,b\nc\n", "2:"),
        ] {
            XCTAssertThrowsError(try read(format, text, options: ReadOptions(predicate: .name("p")))) { error in
                let diagnostic = error as? FormatDiagnostic
                XCTAssertEqual(diagnostic.map { "\($0.line):" }, message, "\(format)")
                XCTAssertEqual(diagnostic?.lineText, String(text.split(separator: "\n")[1]), "\(format)")
            }
        }
        // A Turtle statement may span lines: its reader leaves the line to the report.
        XCTAssertThrowsError(try read(.ttl, "@prefix e: <http://e/> .\ne:a e:b\n  e:c e:d .\n")) { error in
            XCTAssertEqual((error as? FormatDiagnostic)?.line, 3)
            XCTAssertNil((error as? FormatDiagnostic)?.lineText)
        }
        XCTAssertNil(try DataFormat.kgl.reader(path: "x.kgl", options: ReadOptions()))
        XCTAssertNil(try DataFormat.csv.reader(path: "x.csv", options: ReadOptions()), "CSV needs a predicate")
    }
}
