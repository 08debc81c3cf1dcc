import XCTest
import KGSyntax
import KGTestSupport

/// The answer order of values: the fast paths of `indicesInSortOrder` agree with `sortOrder`.
final class ValueOrderTests: XCTestCase {
    func testIndicesInSortOrderAgreeWithSortOrder() {
        var random = SplitMix64(seed: 5)
        let letters = ["a", "b", "z", "é", "ж", "ОДКБ", "日", "😀", "-", "0", "A"]
        func text() -> String { (0..<random.int(5)).map { _ in letters[random.int(letters.count)] }.joined() }
        for round in 0..<200 {
            var values = Set<Value>()
            let kind = random.int(6)
            // Every tenth round is larger than a comparison sort's threshold in `KeyedSort`.
            for _ in 0..<(round % 10 == 0 ? 500 + random.int(2_000) : random.int(60)) {
                switch kind {
                case 0: values.insert(.name("n" + text()))
                case 1: values.insert(.string(text()))
                case 2: values.insert(.integer(Int64(random.int(2_000)) - 1_000))
                // Texts that share a long beginning, and texts that differ only past eight
                // bytes or by a NUL at their end.
                case 3: values.insert(.iri("http://example.org/entity/" + text()))
                case 4: values.insert(.string("same-start" + text() + ["", "\u{0}", "\u{0}\u{0}"][random.int(3)] + text()))
                default:
                    // Mixed kinds take the general path.
                    values.insert([.name("n" + text()), .string(text()), .integer(Int64(random.int(50))), .iri("http://e/" + text())][random.int(4)])
                }
            }
            let list = Array(values)
            let expected = list.sorted(by: Value.sortOrder)
            XCTAssertEqual(Value.indicesInSortOrder(list).map { list[$0] }, expected, "round \(round)")
        }
    }

    func testTextSortsByCodePoint() {
        let names: [Value] = [.name("b"), .name("a-b"), .name("ab"), .name("é"), .name("z"), .name("a")]
        XCTAssertEqual(Value.indicesInSortOrder(names).map { names[$0] }, [.name("a"), .name("a-b"), .name("ab"), .name("b"), .name("z"), .name("é")])
    }
}
