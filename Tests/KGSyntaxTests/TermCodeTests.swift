import Foundation
import XCTest
import KGSyntax
import KGTestSupport

/// The term codec: every kind round-trips, inline ids are unique per value and never collide
/// with dictionary, temporary or empty-slot ids, and the text path agrees with the value path.
final class TermCodeTests: XCTestCase {
    private let limit: Int64 = 1 << 59
    private let significandLimit: Int64 = 1 << 51

    /// A random value of any kind, often at the edge between inline and dictionary.
    private func randomValue(_ random: inout SplitMix64) -> Value {
        func edge(_ bound: Int64) -> Int64 {
            let offset = Int64(random.int(3)) - 1
            return random.chance(50) ? bound + offset : -bound + offset
        }
        switch random.int(10) {
        case 0: return .integer(Int64(bitPattern: random.next()))
        case 1: return .integer(edge(limit))
        case 2: return .integer(Int64(random.int(2001)) - 1000)
        case 3:
            let significand = random.chance(50) ? edge(significandLimit) : Int64(random.int(200_001)) - 100_000
            let exponent = random.chance(30) ? (random.chance(50) ? -128 - random.int(3) + 1 : 127 + random.int(3) - 1) : random.int(21) - 10
            return .decimal(Decimal(sign: significand < 0 ? .minus : .plus, exponent: exponent, significand: Decimal(significand.magnitude)))
        case 4: return .decimal(Decimal(string: "\(random.int(1000)).\(random.int(1000))")!)
        case 5: return .date(CalendarDate(daysSinceEpoch: Int64(random.int(720_000_000)) - 360_000_000))
        case 6: return .name("n\(random.int(100))")
        case 7: return .string("s\(random.int(100))")
        case 8:
            let span = UInt64(DateTime.range.upperBound - DateTime.range.lowerBound)
            return .datetime(DateTime(millisecondsSinceEpoch: DateTime.range.lowerBound + Int64(random.next() % span)))
        default: return .typed("\(random.int(100))", datatype: Value.xsd + "byte")
        }
    }

    func testEveryKindRoundTripsAndEachValueHasOneID() {
        var random = SplitMix64(seed: 0x7E57_C0DE)
        var idOf: [Value: Int64] = [:]
        var valueOf: [Int64: Value] = [:]
        for _ in 0..<20_000 {
            let value = randomValue(&random)
            guard let id = TermCode.inlineID(value) else {
                // Only numbers too large for the payload go to the dictionary.
                switch value {
                case .integer(let n): XCTAssertTrue(n < -limit || n >= limit, "\(n)")
                case .decimal, .name, .string, .typed: break
                default: XCTFail("\(value) is not inline")
                }
                continue
            }
            XCTAssertTrue(TermCode.isInline(id))
            XCTAssertTrue(TermCode.isStorable(id))
            XCTAssertFalse(TermCode.isDictionary(id) || TermCode.isTemporary(id) || id == Int64.min || id == 0, "\(value): \(id)")
            XCTAssertEqual(TermCode.inlineValue(id), value)
            XCTAssertEqual(TermCode.inlineKind(id), value.kind)
            // The text the dictionary would keep gives the same id (the import path).
            let (kind, text) = TermCode.dictionaryKey(of: value)
            XCTAssertEqual(TermCode.inlineID(kind: kind, text: text.utf8), id, "\(value)")
            XCTAssertEqual(TermCode.inlineKey(id)?.text, text)
            if let known = idOf[value] { XCTAssertEqual(known, id, "\(value)") }
            if let known = valueOf[id] { XCTAssertEqual(known, value, "two values share the id \(id)") }
            idOf[value] = id
            valueOf[id] = value
        }
        XCTAssertGreaterThan(valueOf.count, 5_000)
    }

    func testTheBoundariesBetweenInlineAndDictionary() {
        XCTAssertEqual(TermCode.integer(TermCode.integerID(limit - 1)!), limit - 1)
        XCTAssertEqual(TermCode.integer(TermCode.integerID(-limit)!), -limit)
        XCTAssertNil(TermCode.integerID(limit))
        XCTAssertNil(TermCode.integerID(-limit - 1))
        XCTAssertNil(TermCode.inlineID(.integer(.max)))
        XCTAssertNil(TermCode.inlineID(.integer(.min)))
        XCTAssertNil(TermCode.inlineID(kind: Value.Kind.integer.rawValue, text: "576460752303423488".utf8))
        XCTAssertNotNil(TermCode.inlineID(kind: Value.Kind.integer.rawValue, text: "576460752303423487".utf8))
        // Decimals: 51 bits of magnitude and an exponent of -128...127 fit.
        let fits = Decimal(sign: .plus, exponent: -128, significand: Decimal(significandLimit - 1))
        XCTAssertEqual(TermCode.inlineID(.decimal(fits)).flatMap(TermCode.inlineValue), .decimal(fits))
        XCTAssertNil(TermCode.inlineID(.decimal(Decimal(sign: .plus, exponent: -3, significand: Decimal(significandLimit)))))
        XCTAssertNil(TermCode.inlineID(.decimal(Decimal(string: "12345678901234567.25")!)))
        XCTAssertEqual(TermCode.inlineID(.decimal(Decimal(string: "-0.0")!)), TermCode.inlineID(.decimal(0)))
        // Equal decimals written differently share one id; a decimal is not the integer it equals.
        XCTAssertEqual(TermCode.inlineID(.decimal(Decimal(string: "1.50")!)), TermCode.inlineID(.decimal(Decimal(string: "1.5")!)))
        XCTAssertNotEqual(TermCode.inlineID(.decimal(2)), TermCode.inlineID(.integer(2)))
        XCTAssertEqual(TermCode.inlineValue(TermCode.inlineID(.decimal(Decimal(string: "1000000")!))!)?.sourceText, "1000000.0")
        // Texts that are not a kind's canonical form are not inline.
        XCTAssertNil(TermCode.inlineID(kind: Value.Kind.integer.rawValue, text: "".utf8))
        XCTAssertNil(TermCode.inlineID(kind: Value.Kind.integer.rawValue, text: "1e3".utf8))
        XCTAssertNil(TermCode.inlineID(kind: Value.Kind.date.rawValue, text: "2024-02-30".utf8))
        XCTAssertNil(TermCode.inlineID(kind: Value.Kind.name.rawValue, text: "12".utf8))
        // Temporary ids are their own range.
        XCTAssertEqual(TermCode.temporary(0), -1)
        XCTAssertTrue(TermCode.isTemporary(TermCode.temporary(1_000_000)))
        XCTAssertEqual(TermCode.temporaryIndex(TermCode.temporary(41)), 41)
        XCTAssertFalse(TermCode.isStorable(TermCode.temporary(0)))
        XCTAssertNil(TermCode.inlineValue(-1))
        XCTAssertNil(TermCode.inlineValue(Int64.min))
        XCTAssertNil(TermCode.inlineValue(42))
    }
}
