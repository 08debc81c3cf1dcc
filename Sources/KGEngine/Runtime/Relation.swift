/// The tuples of one predicate during an evaluation, packed as term ids.
///
/// Rows are either committed (visible to scans and indexes) or pending (derived in the current
/// round, not yet visible, stored after the committed ones). `commit()` makes the pending rows
/// visible and returns their range, which is the next round's delta. Duplicates are rejected on insert, so deduplication never
/// rescans the relation. How depends on the width:
/// - one column: a hash set of ids;
/// - two columns: the first column picks a hash set of second-column values (a two-level trie).
///   Derivations in a round mostly share their first column with the one before, so the set they
///   probe stays in cache;
/// - more columns: a hash set of row numbers keyed by the whole row.
///
/// The mutable state is `@exclusivity(unchecked)`: a relation is used by one evaluation on one
/// thread, and the runtime's access checks on each insert were a measurable part of evaluation.
final class Relation {
    let arity: Int
    /// Columns per row; nullary relations store one dummy column.
    let width: Int
    /// Every row, the committed ones first.
    @exclusivity(unchecked) private(set) var committed: RowBuffer
    /// How many rows are committed (visible).
    @exclusivity(unchecked) private(set) var count = 0
    /// Open addressing: each slot is `hash high bits << 32 | (row + 1)`, 0 when empty.
    @exclusivity(unchecked) private var slots: UnsafeMutablePointer<UInt64>
    @exclusivity(unchecked) private var slotMask: Int
    @exclusivity(unchecked) private var stored = 0
    @exclusivity(unchecked) private var indexes: [HashIndex] = []
    // Width 1 and 2: see the type's documentation.
    @exclusivity(unchecked) private var unarySet = Int64Set()
    @exclusivity(unchecked) private var firstColumn = Int64Map()
    @exclusivity(unchecked) private var secondSets: UnsafeMutablePointer<Int64Set>
    @exclusivity(unchecked) private var secondCount = 0
    @exclusivity(unchecked) private var secondCapacity = 16
    @exclusivity(unchecked) private var lastFirst = Int64Set.empty
    @exclusivity(unchecked) private var lastSet = 0
    /// False while rows were appended without the duplicate check (see `appendDistinct`).
    @exclusivity(unchecked) private var deduplicating = true

    init(arity: Int) {
        self.arity = arity
        self.width = max(arity, 1)
        committed = RowBuffer()
        slotMask = 63
        slots = .allocate(capacity: 64)
        slots.initialize(repeating: 0, count: 64)
        secondSets = .allocate(capacity: secondCapacity)
    }

    deinit {
        committed.deallocate()
        slots.deallocate()
        unarySet.deallocate()
        firstColumn.deallocate()
        for i in 0..<secondCount { secondSets[i].deallocate() }
        secondSets.deallocate()
        for index in indexes { index.deallocate() }
    }

    /// Rows visible to scans.

    @inline(__always)
    func row(_ i: Int) -> UnsafeMutablePointer<Int64> { committed.base + i * width }

    @inline(__always)
    private func anyRow(_ i: Int) -> UnsafeMutablePointer<Int64> { committed.base + i * width }

    // MARK: - Insertion

    /// Adds a row unless it is already present; returns true when it was new.
    @discardableResult
    @inline(__always)
    func insert(_ values: UnsafePointer<Int64>) -> Bool {
        if !deduplicating { startDeduplicating() }
        guard register(values, row: stored) else { return false }
        stored += 1
        committed.append(values, count: width)
        return true
    }

    /// Appends distinct committed rows packed little-endian, row after row, as a store's blob
    /// holds them.
    func appendDistinct(littleEndian bytes: UnsafeRawBufferPointer) {
        precondition(indexes.isEmpty && stored == count, "rows are appended before any index or derivation")
        guard bytes.count >= 8 else { return }
        committed.append(littleEndian: bytes)
        stored += bytes.count / 8 / width
        count = stored
        deduplicating = false
        roundEnds = [(count, -1)]
    }

    /// Appends many distinct committed rows at once, packed row after row.
    func appendDistinct(rows values: [Int64]) {
        precondition(indexes.isEmpty && stored == count, "rows are appended before any index or derivation")
        guard !values.isEmpty else { return }
        values.withUnsafeBufferPointer { committed.append($0.baseAddress!, count: $0.count) }
        stored += values.count / width
        count = stored
        deduplicating = false
        roundEnds = [(count, -1)]
    }

    /// Builds the duplicate-check structures over the rows appended without them.
    private func startDeduplicating() {
        deduplicating = true
        for r in 0..<count { _ = register(row(r), row: r) }
    }

    /// Records a row in the duplicate check; false when it was already there.
    /// `row` is the number the row has (or will have) among all rows.
    @inline(__always)
    private func register(_ values: UnsafePointer<Int64>, row: Int) -> Bool {
        switch width {
        case 1:
            return unarySet.insert(values[0])
        case 2:
            // Find the set first: creating one may move `secondSets`.
            let set = secondSet(for: values[0], creating: true)
            return secondSets[set].insert(values[1])
        default:
            return registerRow(values, row: row)
        }
    }

    /// The index of the set of second-column values for first-column value `first`, or -1.
    @inline(__always)
    private func secondSet(for first: Int64, creating: Bool) -> Int {
        if first == lastFirst { return lastSet }
        if let existing = firstColumn.value(for: first) {
            lastFirst = first
            lastSet = Int(existing)
            return lastSet
        }
        guard creating else { return -1 }
        if secondCount == secondCapacity {
            let bigger = LargeMemory.allocate(Int64Set.self, count: secondCapacity * 2)
            bigger.moveInitialize(from: secondSets, count: secondCount)
            secondSets.deallocate()
            secondSets = bigger
            secondCapacity *= 2
        }
        (secondSets + secondCount).initialize(to: Int64Set())
        firstColumn.set(Int32(secondCount), for: first)
        secondCount += 1
        lastFirst = first
        lastSet = secondCount - 1
        return lastSet
    }

    private func registerRow(_ values: UnsafePointer<Int64>, row: Int) -> Bool {
        // Grow first: growing rehashes rows, and this one is not stored yet.
        if (row + 1) * 2 > slotMask { grow() }
        let (slot, tag, found) = probe(values)
        if found { return false }
        slots[slot] = tag | UInt64(row + 1)
        return true
    }

    /// Looks a row up in the open-addressing table of rows wider than two: the slot holding an
    /// equal row (`found`), or the empty slot where it would go, and the row's hash tag.
    @inline(__always)
    private func probe(_ values: UnsafePointer<Int64>) -> (slot: Int, tag: UInt64, found: Bool) {
        let h = hashRow(values, width: width)
        let tag = h & 0xFFFF_FFFF_0000_0000
        var slot = Int(truncatingIfNeeded: h) & slotMask
        while true {
            let entry = slots[slot]
            if entry == 0 { return (slot, tag, false) }
            if entry & 0xFFFF_FFFF_0000_0000 == tag {
                let existing = anyRow(Int(entry & 0xFFFF_FFFF) - 1)
                var same = true
                for c in 0..<width where existing[c] != values[c] { same = false; break }
                if same { return (slot, tag, true) }
            }
            slot = (slot + 1) & slotMask
        }
    }

    /// Whether a row is present (committed or pending).
    func contains(_ values: UnsafePointer<Int64>) -> Bool {
        if !deduplicating { startDeduplicating() }
        switch width {
        case 1: return unarySet.contains(values[0])
        case 2:
            let set = secondSet(for: values[0], creating: false)
            return set >= 0 && secondSets[set].contains(values[1])
        default: break
        }
        return probe(values).found
    }

    private func grow() {
        let oldSlots = slots
        let oldCount = slotMask + 1
        let newCount = oldCount * 2
        slots = LargeMemory.allocate(UInt64.self, count: newCount)
        slots.initialize(repeating: 0, count: newCount)
        slotMask = newCount - 1
        for i in 0..<oldCount {
            let entry = oldSlots[i]
            if entry == 0 { continue }
            let h = hashRow(anyRow(Int(entry & 0xFFFF_FFFF) - 1), width: width)
            var slot = Int(truncatingIfNeeded: h) & slotMask
            while slots[slot] != 0 { slot = (slot + 1) & slotMask }
            slots[slot] = entry
        }
        oldSlots.deallocate()
    }

    /// Makes pending rows visible; returns the range of rows that became visible (the delta).
    @discardableResult
    func commit(round: Int = 0) -> Range<Int> {
        let start = count
        count = stored
        let end = count
        for index in indexes { index.extend(self, through: end) }
        if tracksRounds { roundEnds.append((end, round)) }
        return start..<end
    }

    // MARK: - Rounds, for explanations

    /// The row count after each commit, with the evaluation round it belonged to (-1 for the
    /// stored rows).
    private var roundEnds: [(end: Int, round: Int)] = []
    private var positions: [[Int64]: Int]?

    /// Whether commits record their round, for `round(ofRow:)`. Only explanations ask, and a
    /// rule that derives one fact a round for millions of rounds would otherwise keep a record
    /// per round.
    var tracksRounds = false

    /// The evaluation round a row was derived in: -1 for stored rows.
    func round(ofRow row: Int) -> Int {
        precondition(tracksRounds, "rounds are recorded only for explanations")
        return roundEnds.first { $0.end > row }?.round ?? -1
    }

    /// The number of a committed row, or nil when the relation does not hold it.
    func rowNumber(of values: [Int64]) -> Int? {
        if positions == nil {
            var map: [[Int64]: Int] = [:]
            for r in 0..<count { map[Array(UnsafeBufferPointer(start: row(r), count: width))] = r }
            positions = map
        }
        return positions?[width == arity ? values : [0]]
    }

    // MARK: - Indexes

    /// The hash index on `columns`, built on first use and kept up to date by `commit()`.
    func index(on columns: [Int]) -> HashIndex {
        if let existing = indexes.first(where: { $0.columns == columns }) { return existing }
        let index = HashIndex(columns: columns)
        index.extend(self, through: count)
        indexes.append(index)
        return index
    }
}

/// A hash index from the values of some columns to the committed rows that have them.
///
/// Each distinct key has one slot holding its first row; `next` chains the other rows with the
/// same key, so a lookup walks exactly the matching rows.
final class HashIndex {
    let columns: [Int]
    private let columnBuffer: UnsafeMutablePointer<Int>
    private var slots: UnsafeMutablePointer<Int32>
    private var slotMask: Int
    private var keys = 0
    /// `next[row]`: the next row with the same key, or -1.
    private(set) var next: UnsafeMutablePointer<Int32>
    private var nextCapacity: Int
    private(set) var indexedRows = 0

    init(columns: [Int]) {
        self.columns = columns
        columnBuffer = .allocate(capacity: max(columns.count, 1))
        for (i, c) in columns.enumerated() { columnBuffer[i] = c }
        slotMask = 63
        slots = .allocate(capacity: 64)
        slots.initialize(repeating: -1, count: 64)
        nextCapacity = 64
        next = .allocate(capacity: 64)
    }

    func deallocate() {
        columnBuffer.deallocate()
        slots.deallocate()
        next.deallocate()
    }

    /// Adds rows `indexedRows ..< end` of the relation.
    func extend(_ relation: Relation, through end: Int) {
        if end > nextCapacity {
            var capacity = nextCapacity
            while capacity < end { capacity *= 2 }
            let newNext = LargeMemory.allocate(Int32.self, count: capacity)
            newNext.update(from: next, count: indexedRows)
            next.deallocate()
            next = newNext
            nextCapacity = capacity
        }
        let n = columns.count
        // The table grows once, to fit every key the new rows can add (at most one a run).
        var runs = 0
        for r in indexedRows..<end {
            let (row, previous) = (relation.row(r), r > 0 ? relation.row(r - 1) : nil)
            var same = previous != nil
            if let previous { for i in 0..<n where previous[columnBuffer[i]] != row[columnBuffer[i]] { same = false; break } }
            if !same { runs += 1 }
        }
        var size = slotMask + 1
        while (keys + runs) * 2 > size - 1 { size *= 2 }
        if size > slotMask + 1 { grow(relation, to: size) }
        for r in indexedRows..<end {
            let row = relation.row(r)
            // Rows read sorted (stored facts come by subject) arrive in runs of one key: a row
            // with the previous row's key joins its chain right after it, without hashing.
            if r > 0 {
                let previous = relation.row(r - 1)
                var same = true
                for i in 0..<n where previous[columnBuffer[i]] != row[columnBuffer[i]] { same = false; break }
                if same {
                    next[r] = next[r - 1]
                    next[r - 1] = Int32(r)
                    continue
                }
            }
            let h = hashColumns(row, columnBuffer, n)
            var slot = Int(truncatingIfNeeded: h) & slotMask
            while true {
                let head = slots[slot]
                if head < 0 {
                    slots[slot] = Int32(r)
                    next[r] = -1
                    keys += 1
                    break
                }
                let other = relation.row(Int(head))
                var same = true
                for i in 0..<n where other[columnBuffer[i]] != row[columnBuffer[i]] { same = false; break }
                if same {
                    // The chain keeps the key's first row at its head; later rows follow it.
                    next[r] = next[Int(head)]
                    next[Int(head)] = Int32(r)
                    break
                }
                slot = (slot + 1) & slotMask
            }
            if keys * 2 > slotMask { grow(relation, to: (slotMask + 1) * 2) }
        }
        indexedRows = end
    }

    private func grow(_ relation: Relation, to newCount: Int) {
        let oldSlots = slots
        let oldCount = slotMask + 1
        slots = LargeMemory.allocate(Int32.self, count: newCount)
        slots.initialize(repeating: -1, count: newCount)
        slotMask = newCount - 1
        for i in 0..<oldCount where oldSlots[i] >= 0 {
            let h = hashColumns(relation.row(Int(oldSlots[i])), columnBuffer, columns.count)
            var slot = Int(truncatingIfNeeded: h) & slotMask
            while slots[slot] >= 0 { slot = (slot + 1) & slotMask }
            slots[slot] = oldSlots[i]
        }
        oldSlots.deallocate()
    }

    /// The index's tables as they are now, for inner loops; valid until the next `extend`.
    var view: IndexView {
        IndexView(slots: slots, mask: slotMask, next: next, columns: columnBuffer, columnCount: columns.count)
    }

    /// The first row whose key columns equal `key`, or -1; continue with `next[row]`.
    @inline(__always)
    func first(_ key: UnsafePointer<Int64>, in relation: Relation) -> Int32 {
        let n = columns.count
        let h = hashKey(key, n)
        var slot = Int(truncatingIfNeeded: h) & slotMask
        while true {
            let head = slots[slot]
            if head < 0 { return -1 }
            let row = relation.row(Int(head))
            var same = true
            for i in 0..<n where row[columnBuffer[i]] != key[i] { same = false; break }
            if same { return head }
            slot = (slot + 1) & slotMask
        }
    }
}

/// A snapshot of a `HashIndex`'s tables: plain pointers, so lookups do no reference counting.
struct IndexView {
    let slots: UnsafeMutablePointer<Int32>
    let mask: Int
    let next: UnsafeMutablePointer<Int32>
    let columns: UnsafeMutablePointer<Int>
    let columnCount: Int

    /// The first row whose key columns equal `key`, or -1; continue with `next[row]`.
    @inline(__always)
    func first(_ key: UnsafePointer<Int64>, rows: UnsafeMutablePointer<Int64>, width: Int) -> Int32 {
        let n = columnCount
        var slot = Int(truncatingIfNeeded: hashKey(key, n)) & mask
        while true {
            let head = slots[slot]
            if head < 0 { return -1 }
            let row = rows + Int(head) * width
            var same = true
            for i in 0..<n where row[columns[i]] != key[i] { same = false; break }
            if same { return head }
            slot = (slot + 1) & mask
        }
    }
}
