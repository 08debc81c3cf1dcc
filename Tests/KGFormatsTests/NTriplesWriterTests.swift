import XCTest
import KGFormats
import KGSyntax

/// Terms as N-Triples writes them: escapes where needed, the text as it is where none is.
final class NTriplesWriterTests: XCTestCase {
    func testTermsAreEscapedOnlyWhereNeeded() {
        XCTAssertEqual(NTriplesWriter.term(.iri("http://example.org/a")), "<http://example.org/a>")
        XCTAssertEqual(NTriplesWriter.term(.iri("http://example.org/a b{c}|d^e`f\\g\"h<i>")),
                       "<http://example.org/a\\u0020b\\u007Bc\\u007D\\u007Cd\\u005Ee\\u0060f\\u005Cg\\u0022h\\u003Ci\\u003E>")
        XCTAssertEqual(NTriplesWriter.term(.iri("http://example.org/ОДКБ")), "<http://example.org/ОДКБ>")
        XCTAssertEqual(NTriplesWriter.term(.name("member-of")), "<kglog:member-of>")
        XCTAssertEqual(NTriplesWriter.term(.string("plain ОДКБ text")), "\"plain ОДКБ text\"")
        XCTAssertEqual(NTriplesWriter.term(.string("say \"hi\"\\\n\t\r\u{1}\u{7F}")), "\"say \\\"hi\\\"\\\\\\n\\t\\r\\u0001\\u007F\"")
        XCTAssertEqual(NTriplesWriter.term(.langString("chat", language: "fr")), "\"chat\"@fr")
        XCTAssertEqual(NTriplesWriter.term(.integer(42)), "\"42\"^^<http://www.w3.org/2001/XMLSchema#integer>")
    }
}
