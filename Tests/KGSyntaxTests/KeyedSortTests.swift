import XCTest
import KGSyntax
import KGTestSupport

final class KeyedSortTests: XCTestCase {
    /// The radix sort gives what a stable comparison sort gives, whatever the keys: few or many,
    /// repeated, all alike in their high bits, signed integers' keys.
    func testItSortsAsAStableComparisonSortDoes() {
        var random = SplitMix64(seed: 7)
        for (count, range) in [(0, UInt64(10)), (1, 10), (200, 5), (300, 5), (5_000, 1 << 20), (70_000, UInt64.max), (70_000, 3)] {
            var keyed = (0..<count).map { (key: range == UInt64.max ? random.next() : random.next() % range, index: $0) }
            if range == 1 << 20 { for i in keyed.indices { keyed[i].key |= 0xABCD << 48 } }
            let expected = keyed.sorted { ($0.key, $0.index) < ($1.key, $1.index) }
            KeyedSort.sort(&keyed)
            XCTAssertEqual(keyed.map(\.key), expected.map(\.key), "\(count)")
            XCTAssertEqual(keyed.map(\.index), expected.map(\.index), "equal keys keep their order (\(count))")
        }
        // Rows by several columns, the first deciding.
        let rows: [(Int64, Int64)] = (0..<3_000).map { _ in (Int64(random.next() % 7) - 3, Int64(bitPattern: random.next())) }
        let order = KeyedSort.order(count: rows.count, by: [{ KeyedSort.key(rows[$0].0) }, { KeyedSort.key(rows[$0].1) }])
        XCTAssertEqual(order.map { rows[$0].0 }, rows.sorted(by: <).map(\.0))
        XCTAssertEqual(order.map { rows[$0].1 }, rows.sorted(by: <).map(\.1))
        let numbers: [Int64] = [5, -3, Int64.min, 0, Int64.max, -1, 2]
        var keyed = numbers.enumerated().map { (key: KeyedSort.key($0.element), index: $0.offset) }
        KeyedSort.sort(&keyed)
        XCTAssertEqual(keyed.map { numbers[$0.index] }, numbers.sorted())
    }
}
