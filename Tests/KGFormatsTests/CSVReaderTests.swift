import XCTest
import KGFormats
import KGSyntax

final class CSVReaderTests: XCTestCase {
    func records(_ text: String, _ dialect: CSVReader.Dialect = .csv) throws -> [[String]] {
        var reader = CSVReader(dialect: dialect)
        var out: [[String]] = []
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var bytes = Array(line.utf8)
            if let record = try bytes.withUnsafeMutableBufferPointer({ try reader.feed(UnsafeBufferPointer($0), lineNumber: i + 1) }) {
                out.append(record.map(\.text))
            }
        }
        try reader.finish()
        return out
    }

    func testRFC4180Quoting() throws {
        XCTAssertEqual(try records("a,b,c\n\"Kazakh, stan\",\"say \"\"hi\"\"\",\"two\nlines\"\n,,"), [
            ["a", "b", "c"], ["Kazakh, stan", "say \"hi\"", "two\nlines"], ["", "", ""],
        ])
        XCTAssertEqual(try records("a\tb \"q\"\tc", .tsv), [["a", "b \"q\"", "c"]])
    }

    func testCSVErrors() {
        XCTAssertThrowsError(try records("a,b\n\"open,c")) { error in
            let e = error as? FormatDiagnostic
            XCTAssertEqual(e.map { "\($0.line):\($0.column): \($0.error.message)" }, "2:1: unterminated quoted field: expected '\"'")
        }
        XCTAssertThrowsError(try records("ab\"c,d")) { error in
            let e = error as? FormatDiagnostic
            XCTAssertEqual(e.map { "\($0.line):\($0.column): \($0.error.message)" }, "1:3: a '\"' inside a field that is not quoted: quote the field and double the '\"'")
        }
        XCTAssertThrowsError(try records("\"a\"b,c")) { error in
            let e = error as? FormatDiagnostic
            XCTAssertEqual(e.map { "\($0.line):\($0.column): \($0.error.message)" }, "1:4: expected ',' after a quoted field but found 'b'")
        }
    }

    func testFieldValues() {
        XCTAssertEqual(CSVReader.value(of: "42", asText: false), .integer(42))
        XCTAssertEqual(CSVReader.value(of: "-2.50", asText: false).lexical, "-2.5")
        XCTAssertEqual(CSVReader.value(of: "2012-02-29", asText: false).kind, .date)
        XCTAssertEqual(CSVReader.value(of: "2013-02-29", asText: false), .string("2013-02-29"))
        XCTAssertEqual(CSVReader.value(of: "member-of", asText: false), .name("member-of"))
        XCTAssertEqual(CSVReader.value(of: "Armenia", asText: false), .string("Armenia"))
        XCTAssertEqual(CSVReader.value(of: "42", asText: true), .string("42"))
        for (text, kind) in [("a-b", Value.Kind.name), ("x_y9", .name), ("csto-council-2012-05", .name), ("a--b", .string),
                             ("a-", .string), ("-a", .string), ("a b", .string), ("ünï", .string), ("", .string),
                             ("1.5", .decimal), ("-0.25", .decimal), ("1.", .string), (".5", .string), ("1.2.3", .string), ("-", .string)] {
            XCTAssertEqual(CSVReader.value(of: text, asText: false).kind, kind, text)
        }
    }
}
