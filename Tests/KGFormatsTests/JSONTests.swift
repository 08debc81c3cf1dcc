import XCTest
import KGFormats
import KGSyntax

final class JSONTests: XCTestCase {
    func parse(_ text: String) throws -> JSONValue {
        var bytes = Array(text.utf8)
        return try bytes.withUnsafeMutableBufferPointer { try JSONReader.parse(UnsafeBufferPointer($0), lineNumber: 1) }
    }

    func fact(_ text: String) throws -> JSONFacts.Fact? {
        var bytes = Array(text.utf8)
        return try bytes.withUnsafeMutableBufferPointer { try JSONFacts.parse(UnsafeBufferPointer($0), lineNumber: 7) }
    }

    func error(_ text: String) -> String? {
        do {
            _ = try fact(text)
            return nil
        } catch let error as FormatDiagnostic {
            return "\(error.line):\(error.column): \(error.error.message)"
        } catch {
            return "\(error)"
        }
    }

    func testValuesStringsAndNumbers() throws {
        XCTAssertEqual(try parse(#" {"a": [1, -2.50e3, true, false, null], "b": "x\"\\\/\n\u00e9\ud83d\ude00"} "#),
                       .object([("a", .array([(.number("1"), 9), (.number("-2.50e3"), 12), (.bool(true), 21), (.bool(false), 27), (.null, 34)]), 7),
                                ("b", .string("x\"\\/\né😀"), 46)]))
        XCTAssertEqual(try parse("[]"), .array([]))
        XCTAssertEqual(try parse("{}"), .object([]))
    }

    func testEveryKindRoundTripsThroughTypedJSON() throws {
        let values: [Value] = [
            .name("armenia"), .string("ОДКБ \"quoted\"\n"), .integer(-42), .decimal(Decimal(string: "2.50")!),
            .date(CalendarDate(iso: "2012-05-03")!), .iri("http://example.org/csto"), .blank("b1"),
            .langString("chat", language: "fr"), .typed("true", datatype: "http://www.w3.org/2001/XMLSchema#boolean"),
        ]
        let line = JSONText.fact(predicate: .name("p"), arguments: values, source: .name("tass"))
        XCTAssertTrue(line.hasSuffix("}\n"))
        let read = try XCTUnwrap(try fact(String(line.dropLast())))
        XCTAssertEqual(read.predicate, .name("p"))
        XCTAssertEqual(read.arguments, values)
        XCTAssertEqual(read.source, .name("tass"))
        // Plain strings and numbers stand for strings, integers and decimals; no source is none.
        XCTAssertEqual(try fact(#"{"predicate": {"value": "p", "kind": "name"}, "arguments": ["x", 3, 2.5], "source": null}"#),
                       JSONFacts.Fact(predicate: .name("p"), arguments: [.string("x"), .integer(3), .decimal(2.5)], source: nil))
        XCTAssertNil(try fact("   "))
    }

    func testErrorsHaveTheirColumn() {
        XCTAssertEqual(error(#"{"predicate": "p", "arguments": [1, 2}"#), "7:38: expected ']' but found '}'")
        XCTAssertEqual(error(#"{"predicate": "p"}"#), #"7:1: the fact has no "arguments""#)
        XCTAssertEqual(error(#"[1]"#), #"7:1: a fact is an object with "predicate" and "arguments""#)
        XCTAssertEqual(error(#"{"predicate": "p", "arguments": [{"value": "x", "kind": "colour"}]}"#),
                       #"7:34: unknown kind "colour": one of integer, decimal, date, string, name, iri, blank, lang-string, typed, datetime"#)
        XCTAssertEqual(error(#"{"predicate": "p", "arguments": [{"value": "2012-13-45", "kind": "date"}]}"#),
                       "7:34: '2012-13-45' is not a valid date")
        XCTAssertEqual(error(#"{"predicate": "p", "arguments": [{"value": 5, "kind": "name"}]}"#),
                       "7:34: the value of a name is a string, not a number")
        XCTAssertEqual(error(#"{"predicate": "p", "arguments": [{"value": "chat", "kind": "lang-string"}]}"#),
                       "7:34: a lang-string needs \"language\"")
        XCTAssertEqual(error(#"{"predicate": "p", "arguments": [], "colour": 1}"#),
                       #"7:47: unknown key "colour": a fact has "predicate", "arguments" and "source""#)
        XCTAssertEqual(error(#"{"predicate": "p", "arguments": ["a\x"]}"#), #"7:36: invalid escape '\x'"#)
        XCTAssertEqual(error(#"{"predicate": "p", "arguments": ["abc"#), "7:34: unterminated string: expected '\"'")
        XCTAssertEqual(error(#"{"predicate": "p", "arguments": []} x"#), "7:37: expected the end of the line but found 'x'")
        XCTAssertEqual(error(String(repeating: "[", count: 300)), "7:201: expected at most 200 levels of nesting but found more")
    }
}
