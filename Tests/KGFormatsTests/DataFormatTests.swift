import XCTest
import KGFormats

/// The one table of formats: every extension names its format, and the lists made from it.
final class DataFormatTests: XCTestCase {
    func testEveryExtensionNamesItsFormatAndNoneTwo() {
        var seen = Set<String>()
        for format in DataFormat.allCases {
            for ext in format.extensions {
                XCTAssertTrue(seen.insert(ext).inserted, ext)
                XCTAssertEqual(DataFormat(path: "data/facts." + ext), format)
                XCTAssertEqual(DataFormat(path: "FACTS." + ext.uppercased()), format)
            }
            XCTAssertEqual(DataFormat(rawValue: format.rawValue), format)
        }
        XCTAssertNil(DataFormat(path: "facts.xml"))
        XCTAssertNil(DataFormat(path: "facts"))
        XCTAssertEqual(DataFormat.names, "kgl, nt, nq, ttl, trig, jsonl, csv or tsv")
        XCTAssertEqual(DataFormat.usualExtensions, ".kgl, .nt, .nq, .ttl, .trig, .jsonl, .csv or .tsv")
        XCTAssertEqual(DataFormat.allCases.filter(\.needsPredicate), [.csv, .tsv])
        XCTAssertEqual(DataFormat.ttl.mediaType, "text/turtle; charset=utf-8")
    }
}
