import XCTest
import KGSyntax
import KGTestSupport

/// The datetime kind: its text, its range, its id, and how it orders against dates.
final class DateTimeTests: XCTestCase {
    private func moment(_ text: String) -> DateTime? { DateTime(iso: Substring(text)) }

    func testTextRoundTripsAndMillisecondsAreShownOnlyWhenThere() {
        XCTAssertEqual(moment("1970-01-01T00:00:00Z")?.millisecondsSinceEpoch, 0)
        XCTAssertEqual(moment("1970-01-01T00:00:01.5Z")?.millisecondsSinceEpoch, 1500)
        XCTAssertEqual(moment("1969-12-31T23:59:59.999Z")?.millisecondsSinceEpoch, -1)
        XCTAssertEqual(moment("1969-12-31T23:59:59.999Z")?.date, CalendarDate(year: 1969, month: 12, day: 31))
        for text in ["2026-11-30T10:15:00Z", "2026-11-30T10:15:00.25Z", "2026-11-30T10:15:00.001Z", "0001-01-01T00:00:00Z",
                     "9999-12-31T23:59:59.999Z", "2012-02-29T12:00:00Z"] {
            XCTAssertEqual(moment(text)?.description, text)
        }
        // Other writings of a moment read the same and are written canonically.
        XCTAssertEqual(moment("2026-11-30T10:15:00.250Z")?.description, "2026-11-30T10:15:00.25Z")
        XCTAssertEqual(moment("2026-11-30T10:15:00.0Z")?.description, "2026-11-30T10:15:00Z")
        XCTAssertEqual(DateTime(millisecondsSinceEpoch: DateTime.range.lowerBound).description, "0001-01-01T00:00:00Z")
        XCTAssertEqual(DateTime(millisecondsSinceEpoch: DateTime.range.upperBound).description, "9999-12-31T23:59:59.999Z")
    }

    func testMalformedAndOutOfRangeTextsAreRefused() {
        for text in ["2026-11-30T10:15Z", "2026-11-30T10:15:00", "2026-11-30T10:15:00+02:00", "2026-11-30T10:15:00.1234Z",
                     "2026-11-30 10:15:00Z", "2026-11-30T10:15:00.Z", "26-11-30T10:15:00Z"] {
            XCTAssertEqual(DateTime.parse(text.utf8), .failure(.malformed), text)
        }
        for text in ["2026-13-30T10:15:00Z", "2026-11-31T10:15:00Z", "2026-11-30T24:00:00Z", "2026-11-30T10:60:00Z",
                     "2026-11-30T10:15:60Z", "0000-12-31T23:59:59Z", "2013-02-29T00:00:00Z"] {
            XCTAssertEqual(DateTime.parse(text.utf8), .failure(.outOfRange), text)
        }
    }

    func testTheLexerReadsDatetimesAndReportsBadOnesAtTheirPosition() {
        XCTAssertEqual(Lexer.tokenize("p(2026-11-30T10:15:00Z).").tokens.map(\.kind), [.name, .leftParen, .datetime, .rightParen, .period, .endOfInput])
        XCTAssertEqual(Lexer.tokenize("p(2026-11-30T10:15:00Z)").tokens[2].value, .datetime(moment("2026-11-30T10:15:00Z")!))
        // A date is still a date, and a name may still start with digits and hyphens.
        XCTAssertEqual(Lexer.tokenize("2026-11-30").tokens.first?.kind, .date)
        XCTAssertEqual(Lexer.tokenize("X = T - 1.").diagnostics.count, 0)
        XCTAssertEqual(Lexer.tokenize("p(a,\n  2026-13-30T10:15:00Z).").diagnostics.map(\.description), [
            "2:3: error: datetime '2026-13-30T10:15:00Z' is out of range: no such moment, or a year outside 0001 to 9999",
        ])
        XCTAssertEqual(Lexer.tokenize("p(2026-11-30T10:15Z).").diagnostics.map(\.description), [
            "1:3: error: invalid datetime '2026-11-30T10:15Z': write YYYY-MM-DDTHH:MM:SSZ in UTC, with at most three digits after the seconds' point",
        ])
        XCTAssertEqual(Lexer.tokenize("p(2026-11-30T10:15:00).").diagnostics.map(\.description), [
            "1:3: error: invalid datetime '2026-11-30T10:15:00': write YYYY-MM-DDTHH:MM:SSZ in UTC, with at most three digits after the seconds' point",
        ])
    }

    func testDatetimesOrderWithDatesByTheMomentADayBegins() {
        let values: [Value] = [
            .datetime(moment("2026-11-30T10:15:00Z")!), .date(CalendarDate(year: 2026, month: 11, day: 30)!),
            .datetime(moment("2026-11-30T00:00:00Z")!), .date(CalendarDate(year: 2026, month: 12, day: 1)!),
            .datetime(moment("2026-11-29T23:59:59.999Z")!), .integer(5), .string("a"),
        ]
        XCTAssertEqual(values.sorted(by: Value.sortOrder).map(\.sourceText), [
            "5", "2026-11-29T23:59:59.999Z", "2026-11-30", "2026-11-30T00:00:00Z", "2026-11-30T10:15:00Z", "2026-12-01", "\"a\"",
        ])
        XCTAssertEqual(Value.indicesInSortOrder(values).map { values[$0] }, values.sorted(by: Value.sortOrder))
        XCTAssertEqual(Value.compare(.date(CalendarDate(year: 2026, month: 11, day: 30)!), .datetime(moment("2026-11-30T00:00:00Z")!)), .orderedSame)
        XCTAssertEqual(Value.compare(.datetime(moment("2026-11-30T10:15:00Z")!), .date(CalendarDate(year: 2026, month: 12, day: 1)!)), .orderedAscending)
        XCTAssertNil(Value.compare(.datetime(moment("2026-11-30T10:15:00Z")!), .integer(1)))
    }

    func testInlineIdsKeepTheOrderOfMoments() {
        var random = SplitMix64(seed: 0xDA7E)
        let span = UInt64(DateTime.range.upperBound - DateTime.range.lowerBound)
        for _ in 0..<2_000 {
            let (a, b) = (DateTime.range.lowerBound + Int64(random.next() % span), DateTime.range.lowerBound + Int64(random.next() % span))
            let (x, y) = (TermCode.inlineID(.datetime(DateTime(millisecondsSinceEpoch: a)))!, TermCode.inlineID(.datetime(DateTime(millisecondsSinceEpoch: b)))!)
            XCTAssertEqual(TermCode.inlineOrder(x, y), a < b ? .orderedAscending : a == b ? .orderedSame : .orderedDescending)
            XCTAssertEqual(TermCode.inlineKind(x), .datetime)
        }
        // A date and a datetime have ids of different kinds: not ordered by their ids.
        XCTAssertNil(TermCode.inlineOrder(TermCode.inlineID(.date(CalendarDate(daysSinceEpoch: 0)))!,
                                          TermCode.inlineID(.datetime(DateTime(millisecondsSinceEpoch: 0)))!))
    }

    func testXMLSchemaDateTimeLiteralsInCanonicalFormBecomeDatetimes() {
        XCTAssertEqual(Value.literal("2026-11-30T10:15:00Z", datatype: Value.xsd + "dateTime"), .datetime(moment("2026-11-30T10:15:00Z")!))
        // Any other form stays the literal it was, so it is written back unchanged.
        for text in ["2026-11-30T10:15:00+02:00", "2026-11-30T10:15:00", "2026-11-30T10:15:00.250Z"] {
            XCTAssertEqual(Value.literal(text, datatype: Value.xsd + "dateTime"), .typed(text, datatype: Value.xsd + "dateTime"))
        }
        XCTAssertEqual(Value.datetime(moment("2026-11-30T10:15:00Z")!).datatype, Value.xsd + "dateTime")
    }
}
