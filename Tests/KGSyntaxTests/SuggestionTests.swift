import XCTest
import KGSyntax

final class SuggestionTests: XCTestCase {
    func testTheNearestWithinATyposDistanceComeFirst() {
        let known = ["member-of", "members", "membership", "reported-by", "published-on", "csto", "cis"]
        XCTAssertEqual(Suggestion.nearest(to: "membr-of", among: known), ["member-of"])
        XCTAssertEqual(Suggestion.nearest(to: "memebr-of", among: known), ["member-of"], "two neighbours swapped are one edit")
        XCTAssertEqual(Suggestion.nearest(to: "Reported-By", among: known), ["reported-by"])
        XCTAssertEqual(Suggestion.nearest(to: "cis", among: known + ["cisx", "ci"]), ["ci", "cisx"])
        XCTAssertEqual(Suggestion.nearest(to: "nato", among: known), [], "too far from everything")
        XCTAssertEqual(Suggestion.nearest(to: "csto", among: known), [], "itself is no suggestion")
        XCTAssertEqual(Suggestion.nearest(to: "одк", among: ["одкб", "снг"]), ["одкб"])
        XCTAssertEqual(Suggestion.nearest(to: "q", among: ["p", "qq"]), [], "one or two letters: no suggestion")
    }

    func testThePhraseListsThem() {
        XCTAssertEqual(Suggestion.phrase([]), "")
        XCTAssertEqual(Suggestion.phrase(["a"]), "; did you mean 'a'?")
        XCTAssertEqual(Suggestion.phrase(["a", "b", "c"]), "; did you mean 'a', 'b' or 'c'?")
    }
}
