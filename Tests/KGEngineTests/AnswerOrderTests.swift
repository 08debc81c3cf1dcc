import XCTest
import KGTestSupport
@testable import KGEngine

/// Ordering answer rows by ranks, compared with a plain sort of the same rows, over random
/// rows of one to three columns, with and without `order by`, offsets and limits (both the
/// full sort and the heap that keeps only the first rows).
final class AnswerOrderTests: XCTestCase {
    /// The rows in order by a plain comparison: the key columns, then every column.
    func expected(_ rows: [[UInt32]], orderBy: [(column: Int, descending: Bool)], offset: Int, limit: Int?) -> [UInt32] {
        let sorted = rows.sorted { a, b in
            for key in orderBy where a[key.column] != b[key.column] {
                return key.descending ? a[key.column] > b[key.column] : a[key.column] < b[key.column]
            }
            return a.lexicographicallyPrecedes(b)
        }
        let end = limit.map { min(sorted.count, offset + $0) } ?? sorted.count
        return offset < end ? Array(sorted[offset..<end].joined()) : []
    }

    func testRanksOrderRowsAsAPlainSortDoes() {
        var random = SplitMix64(seed: 12)
        for round in 0..<300 {
            let width = 1 + random.int(3)
            let distinct = 1 + random.int(50)
            var seen = Set<[UInt32]>()
            for _ in 0..<random.int(400) { seen.insert((0..<width).map { _ in UInt32(random.int(distinct)) }) }
            let rows = Array(seen).shuffled(using: &random)
            var orderBy: [(column: Int, descending: Bool)] = []
            for column in (0..<width).shuffled(using: &random) where random.chance(40) {
                orderBy.append((column, random.chance(50)))
            }
            let offset = random.chance(30) ? random.int(20) : 0
            let limit: Int? = random.chance(50) ? random.int(30) : nil
            let got = AnswerOrder.select(Array(rows.joined()), width: width, orderBy: orderBy, offset: offset, limit: limit)
            XCTAssertEqual(got, expected(rows, orderBy: orderBy, offset: offset, limit: limit),
                           "round \(round): width \(width), order by \(orderBy), offset \(offset), limit \(String(describing: limit))")
        }
    }

    func testTheSmallestElementsByHeapAndBySort() {
        var random = SplitMix64(seed: 3)
        let elements = (0..<1_000).map { _ in random.int(10_000) }
        for k in [0, 1, 5, 100, 124, 125, 999, 1_000, 2_000] {
            XCTAssertEqual(AnswerOrder.smallest(k, of: elements, by: <), Array(elements.sorted().prefix(k)), "k = \(k)")
        }
    }

    func testTheRadixSortSortsAsComparisonsDo() {
        var random = SplitMix64(seed: 77)
        for round in 0..<200 {
            // Keys that differ in few bytes (ranks of a few terms) or in all of them.
            let bits = [1, 8, 13, 26, 40, 64][round % 6]
            let keys = (0..<random.int(3_000)).map { _ in bits == 64 ? random.next() : random.next() & ((1 << UInt64(bits)) - 1) }
            XCTAssertEqual(AnswerOrder.radixSorted(keys), keys.sorted(), "round \(round), \(bits) bits")
        }
        XCTAssertEqual(AnswerOrder.radixSorted([]), [])
        XCTAssertEqual(AnswerOrder.radixSorted([5, 5, 5]), [5, 5, 5])
    }
}
