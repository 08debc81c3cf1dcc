import XCTest
import KGTestSupport
@testable import KGEngine

/// The engine's containers against Swift's own, on random operations.
final class RelationTests: XCTestCase {
    typealias Random = SplitMix64

    func testInt64SetAgreesWithSetAcrossTheBitmapSwitch() {
        for (seed, range) in [(1, 300), (2, 5000), (3, 100_000)] {
            var rng = Random(seed: UInt64(seed))
            var set = Int64Set()
            defer { set.deallocate() }
            var reference = Set<Int64>()
            for step in 0..<40_000 {
                // Mostly dense small ids, some negative (temporary) and some huge ones.
                var key = Int64(rng.next() % UInt64(range))
                if step % 17 == 0 { key = -key - 1 }
                if step % 29 == 0 { key = Int64(rng.next() >> 2) }
                XCTAssertEqual(set.insert(key), reference.insert(key).inserted, "seed \(seed) step \(step) key \(key)")
                let probe = Int64(rng.next() % UInt64(range * 2)) - Int64(range / 2)
                XCTAssertEqual(set.contains(probe), reference.contains(probe))
            }
            XCTAssertEqual(set.count, reference.count)
        }
    }

    func testRelationDeduplicatesAtEveryWidthAndCommitsDeltas() {
        for width in [0, 1, 2, 3] {
            let relation = Relation(arity: width)
            var rng = Random(seed: UInt64(width + 10))
            var reference = Set<[Int64]>()
            var row = [Int64](repeating: 0, count: max(width, 1))
            var committed = 0
            for round in 0..<5 {
                for _ in 0..<2000 {
                    for c in 0..<width { row[c] = Int64(rng.next() % 40) - 5 }
                    let isNew = row.withUnsafeBufferPointer { relation.insert($0.baseAddress!) }
                    XCTAssertEqual(isNew, reference.insert(Array(row.prefix(max(width, 1)))).inserted, "width \(width)")
                }
                let delta = relation.commit()
                XCTAssertEqual(delta, committed..<reference.count, "width \(width) round \(round)")
                committed = reference.count
            }
            XCTAssertEqual(relation.count, reference.count)
            let rows = (0..<relation.count).map { r in (0..<max(width, 1)).map { relation.row(r)[$0] } }
            XCTAssertEqual(Set(rows), reference)
            for probe in reference.prefix(50) {
                XCTAssertTrue(probe.withUnsafeBufferPointer { relation.contains($0.baseAddress!) })
            }
        }
    }

    func testRowsAppendedWithoutCheckAreDeduplicatedLater() {
        let relation = Relation(arity: 2)
        relation.appendDistinct(rows: [1, 2, 1, 3, 2, 2])
        XCTAssertEqual(relation.count, 3)
        XCTAssertFalse([1, 3].withUnsafeBufferPointer { relation.insert($0.baseAddress!) })
        XCTAssertTrue([3, 3].withUnsafeBufferPointer { relation.insert($0.baseAddress!) })
        XCTAssertEqual(relation.commit(), 3..<4)
        let index = relation.index(on: [1])
        var matches: [Int32] = []
        var r = [2].withUnsafeBufferPointer { index.first($0.baseAddress!, in: relation) }
        while r >= 0 { matches.append(r); r = index.next[Int(r)] }
        XCTAssertEqual(Set(matches), [0, 2])
    }
}
