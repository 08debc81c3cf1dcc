import XCTest
import KGEngine
import KGShell
import KGSyntax

final class AnswerRendererTests: XCTestCase {
    let answer = QueryAnswer(columns: ["X", "Name"], rows: [
        [.name("csto"), .string("ОДКБ")],
        [.name("csto"), .string("Collective, \"Security\"")],
        [.integer(42), .date(CalendarDate(year: 1992, month: 5, day: 15)!)],
        [.decimal(Decimal(string: "2.5")!), .string("tab\there")],
    ])

    func testTableAlignsUnicodeAndCountsRows() {
        XCTAssertEqual(AnswerRenderer(format: .table).render(answer), """
            +------+----------------------------+
            | X    | Name                       |
            +------+----------------------------+
            | csto | "ОДКБ"                     |
            | csto | "Collective, \\"Security\\"" |
            | 42   | 1992-05-15                 |
            | 2.5  | "tab\\there"                |
            +------+----------------------------+
            4 rows

            """)
    }

    func testTableCutsWideValuesAndHandlesEmptyAndGroundAnswers() {
        let wide = QueryAnswer(columns: ["S"], rows: [[.string(String(repeating: "x", count: 30))]])
        XCTAssertEqual(AnswerRenderer(format: .table, maximumCellWidth: 10).render(wide), """
            +------------+
            | S          |
            +------------+
            | "xxxxxxxx… |
            +------------+
            1 row

            """)
        XCTAssertEqual(AnswerRenderer(format: .table).render(QueryAnswer(columns: ["X"], rows: [])), "+---+\n| X |\n+---+\n0 rows\n")
        XCTAssertEqual(AnswerRenderer(format: .table).render(QueryAnswer(columns: [], rows: [[]])), "true\n")
        XCTAssertEqual(AnswerRenderer(format: .tsv).render(QueryAnswer(columns: [], rows: [])), "false\n")
    }

    func testTSVPrintsPlainLexicalValues() {
        XCTAssertEqual(AnswerRenderer(format: .tsv).render(answer),
                       "X\tName\ncsto\tОДКБ\ncsto\tCollective, \"Security\"\n42\t1992-05-15\n2.5\ttab\\there\n")
    }

    func testCSVQuotesPerRFC4180() {
        XCTAssertEqual(AnswerRenderer(format: .csv).render(answer),
                       "X,Name\ncsto,ОДКБ\ncsto,\"Collective, \"\"Security\"\"\"\n42,1992-05-15\n2.5,tab\there\n")
    }

    func testJSON() {
        XCTAssertEqual(AnswerRenderer(format: .json).render(answer),
                       #"{"columns":["X","Name"],"rows":[[{"value":"csto","kind":"name"},{"value":"ОДКБ","kind":"string"}],"#
                        + #"[{"value":"csto","kind":"name"},{"value":"Collective, \"Security\"","kind":"string"}],"#
                        + #"[{"value":42,"kind":"integer"},{"value":"1992-05-15","kind":"date"}],"#
                        + #"[{"value":2.5,"kind":"decimal"},{"value":"tab\there","kind":"string"}]]}"# + "\n")
        XCTAssertEqual(AnswerRenderer(format: .json).render(QueryAnswer(columns: [], rows: [])), "{\"holds\":false}\n")
    }

    func testALargeAnswerIsWrittenInPiecesThatMakeTheSameText() {
        // Many short terms and a few long ones: several megabytes of text, few terms to format.
        let padding = String(repeating: "x", count: 100)
        let rows = (0..<20_000).map { i -> [Value] in [.name("n\(i)"), .string("value \(padding) \(i % 50)")] }
        let large = QueryAnswer(columns: ["X", "V"], rows: rows)
        for format in OutputFormat.allCases {
            let renderer = AnswerRenderer(format: format)
            var pieces: [String] = []
            renderer.render(large, query: nil) { pieces.append($0) }
            XCTAssertGreaterThan(pieces.count, 1, "\(format)")
            XCTAssertTrue(pieces.allSatisfy { $0.utf8.count <= (1 << 20) + 4096 }, "\(format)")
            XCTAssertEqual(pieces.joined(), renderer.render(large), "\(format)")
        }
        let tsv = AnswerRenderer(format: .tsv).render(large).split(separator: "\n")
        XCTAssertEqual(tsv.count, 20_001)
        XCTAssertEqual(tsv[1], "n0\tvalue \(padding) 0")
        XCTAssertEqual(tsv[20_000], "n19999\tvalue \(padding) 49")
    }
}
