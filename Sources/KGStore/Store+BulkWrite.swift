import CSQLite
import Foundation
import KGSyntax

/// Terms to add in bulk: kinds and UTF-8 texts, the texts one after another in one buffer.
public struct TermList: Sendable {
    public private(set) var kinds: [UInt8] = []
    /// Where each term's text ends in `bytes` (it starts where the previous one ends).
    public private(set) var ends: [Int] = []
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public var count: Int { kinds.count }

    public mutating func append(kind: UInt8, text: UnsafeBufferPointer<UInt8>) {
        kinds.append(kind)
        bytes.append(contentsOf: text)
        ends.append(bytes.count)
    }

    /// The range of term `index`'s text in `bytes`.
    public func textRange(_ index: Int) -> Range<Int> {
        (index == 0 ? 0 : ends[index - 1])..<ends[index]
    }

    /// The terms sorted by kind, then text byte by byte (the order of the store's index on
    /// terms, in which they are inserted fastest), with the index each had in this list.
    public func sortedByKindAndText() -> (terms: TermList, originalIndex: [Int]) {
        var order = Array(0..<count)
        bytes.withUnsafeBufferPointer { bytes in
            order.sort { a, b in
                if kinds[a] != kinds[b] { return kinds[a] < kinds[b] }
                let (x, y) = (textRange(a), textRange(b))
                let common = min(x.count, y.count)
                let comparison = common == 0 ? 0 : memcmp(bytes.baseAddress! + x.lowerBound, bytes.baseAddress! + y.lowerBound, common)
                return comparison != 0 ? comparison < 0 : x.count < y.count
            }
        }
        var sorted = TermList()
        sorted.bytes.reserveCapacity(bytes.count)
        bytes.withUnsafeBufferPointer { bytes in
            for index in order { sorted.append(kind: kinds[index], text: UnsafeBufferPointer(rebasing: bytes[textRange(index)])) }
        }
        return (sorted, order)
    }
}

/// One binary fact as term ids: subject, predicate, object and source (`Store.noSource` for none).
public struct QuadRow: Hashable, Sendable {
    public var s, p, o, g: Int64

    public init(s: Int64, p: Int64, o: Int64, g: Int64) {
        (self.s, self.p, self.o, self.g) = (s, p, o, g)
    }
}

/// One fact of an arity other than two as term ids: predicate, arguments, source.
public struct TupleRow: Hashable, Sendable {
    public var p: Int64
    public var arguments: [Int64]
    public var g: Int64

    public init(p: Int64, arguments: [Int64], g: Int64) {
        (self.p, self.arguments, self.g) = (p, arguments, g)
    }
}

// MARK: - Bulk writing

extension Store {
    /// Rows a multi-row INSERT of a bulk write carries: one statement per 100 rows costs about
    /// half as much per row as one statement per row.
    static let rowsPerInsert = 100

    /// The id the next new term gets.
    public func nextTermID() throws -> Int64 {
        try (connection.scalar("SELECT max(id) FROM terms") ?? 0) + 1
    }

    /// Adds terms in bulk and returns their ids, in the order of `terms`.
    ///
    /// With `allNew` the caller promises that no term of the list is in the dictionary yet, nor
    /// twice in the list: they get consecutive ids from `nextTermID()` without a lookup each.
    /// Terms sorted by kind and text go in fastest (the dictionary's index then grows at its end).
    public func addTerms(_ terms: TermList, allNew: Bool) throws -> [Int64] {
        var ids = [Int64](repeating: 0, count: terms.count)
        var missing: [Int] = []
        let lookup = try connection.prepare("SELECT id FROM terms WHERE kind = ?1 AND lexical = ?2")
        try terms.bytes.withUnsafeBufferPointer { bytes in
            for index in 0..<terms.count {
                let text = UnsafeBufferPointer(rebasing: bytes[terms.textRange(index)])
                if let inline = TermCode.inlineID(kind: Int(terms.kinds[index]), text: text) {
                    ids[index] = inline
                } else if allNew {
                    missing.append(index)
                } else {
                    lookup.bind(1, Int64(terms.kinds[index]))
                    lookup.bind(2, text: text)
                    if try lookup.step() { ids[index] = lookup.int64(0) } else { missing.append(index) }
                    lookup.reset()
                }
            }
        }
        var next = try nextTermID()
        for index in missing {
            ids[index] = next
            next += 1
        }
        try terms.bytes.withUnsafeBufferPointer { bytes in
            _ = try insertRows(into: "terms(id, kind, lexical)", columns: 3, count: missing.count, orIgnore: false) { statement, parameter, row in
                let index = missing[row]
                statement.bind(parameter, ids[index])
                statement.bind(parameter + 1, Int64(terms.kinds[index]))
                statement.bind(parameter + 2, text: UnsafeBufferPointer(rebasing: bytes[terms.textRange(index)]))
            }
        }
        return ids
    }

    /// Adds binary facts in bulk to the quad tables and returns how many were new.
    ///
    /// Each table is written in its own key order, so that it grows at its end (or in runs)
    /// instead of at random places: the rows are sorted for the first table, then for the next
    /// on another thread while the first is written, and so on.
    @discardableResult
    public func addQuads(_ rows: [QuadRow]) throws -> Int {
        let newPairs = try pairsNotStored(rows)
        var added = 0
        var next = BackgroundWork { QuadOrder.pso.sorted(rows) }
        for order in QuadOrder.allCases {
            let sorted = next.result()
            if let following = order.next { next = BackgroundWork { following.sorted(rows) } }
            let inserted = try insertSorted(sorted, into: order)
            if order == .pso { added = inserted }
        }
        if added > 0 { try factsAdded(predicates: Set(rows.map(\.p)), newPairs: newPairs) }
        return added
    }

    /// Adds binary facts in bulk and says, for each row in the order given, whether it was new:
    /// not stored before, and the first of equal rows. Every table takes the rows sorted in its
    /// key order with multi-row statements; the primary table's statements return the rows
    /// they inserted, which are the new ones.
    public func addQuadsTellingWhichAreNew(_ rows: [QuadRow]) throws -> [Bool] {
        guard !rows.isEmpty else { return [] }
        let keys = rows.map { QuadKey($0.p, $0.s, $0.o, $0.g) }
        // Stable: equal rows keep their order, so the first of them is the one that can be new.
        let order = rows.indices.sorted { keys[$0] != keys[$1] ? keys[$0] < keys[$1] : $0 < $1 }
        var distinct: [Int] = []
        distinct.reserveCapacity(rows.count)
        for index in order where distinct.last.map({ keys[$0] != keys[index] }) ?? true { distinct.append(index) }
        let newPairs = try pairsNotStored(rows)
        var isNew = [Bool](repeating: false, count: rows.count)
        // Into a store with no binary facts yet, each distinct row is new: written without
        // asking SQLite which rows it inserted.
        if try connection.scalar("SELECT NOT EXISTS (SELECT 1 FROM quads)") == 1 {
            for index in distinct { isNew[index] = true }
            _ = try insertSorted(distinct.map { keys[$0] }, into: .pso)
            let added = distinct.map { rows[$0] }
            for order in [QuadOrder.pos, .osp] { _ = try insertSorted(order.sorted(added), into: order) }
            try factsAdded(predicates: Set(added.map(\.p)), newPairs: newPairs)
            return isNew
        }
        let part = try quadPart(forBatchOf: distinct.count)
        let many = try connection.prepare(Store.quadInsertSQL(into: part, rows: Store.rowsPerInsert, returning: true))
        let one = try connection.prepare(Store.quadInsertSQL(into: part, rows: 1, returning: true))
        let change = try changeID()
        var next = 0
        while next < distinct.count {
            let statement = distinct.count - next >= Store.rowsPerInsert ? many : one
            let chunk = distinct[next..<(next + (statement === many ? Store.rowsPerInsert : 1))]
            for (offset, index) in chunk.enumerated() {
                let (p, s, o, g) = keys[index].columns
                let parameter = Int32(offset * 5 + 1)
                statement.bind(parameter, p)
                statement.bind(parameter + 1, s)
                statement.bind(parameter + 2, o)
                statement.bind(parameter + 3, g)
                statement.bind(parameter + 4, change)
            }
            defer { statement.reset() }
            // The chunk is sorted: each returned row is found by binary search.
            while try statement.step() {
                let inserted = QuadKey(statement.int64(0), statement.int64(1), statement.int64(2), statement.int64(3))
                var (low, high) = (chunk.startIndex, chunk.endIndex)
                while low < high {
                    let middle = (low + high) / 2
                    if keys[chunk[middle]] < inserted { low = middle + 1 } else { high = middle }
                }
                isNew[chunk[low]] = true
            }
            next = chunk.endIndex
        }
        let added = rows.indices.filter { isNew[$0] }.map { rows[$0] }
        try quadRowsAdded(added.count, to: part)
        for order in [QuadOrder.pos, .osp] { _ = try insertSorted(order.sorted(added), into: order) }
        try factsAdded(predicates: Set(added.map(\.p)), newPairs: newPairs)
        return isNew
    }

    /// Adds facts of arities other than two in bulk, sorted as the `tuples` table's key is
    /// (predicate, packed arguments, source), and returns how many were new.
    @discardableResult
    public func addTuples(_ rows: [TupleRow]) throws -> Int {
        guard !rows.isEmpty else { return 0 }
        let sorted = rows.sorted { a, b in
            if a.p != b.p { return a.p < b.p }
            // The key compares the little-endian packed arguments byte by byte.
            for (x, y) in zip(a.arguments, b.arguments) where x != y {
                return UInt64(bitPattern: x).byteSwapped < UInt64(bitPattern: y).byteSwapped
            }
            return a.arguments.count != b.arguments.count ? a.arguments.count < b.arguments.count : a.g < b.g
        }
        let packed = sorted.map { $0.arguments.map(\.littleEndian) }
        let change = try changeID()
        return try insertRows(into: "tuples(p, args, g, added_in)", columns: 4, count: sorted.count) { statement, parameter, row in
            statement.bind(parameter, sorted[row].p)
            packed[row].withUnsafeBytes { statement.bind(parameter + 1, blob: $0) }
            statement.bind(parameter + 2, sorted[row].g)
            statement.bind(parameter + 3, change)
        }
    }

    /// Inserts packed rows, sorted in `order`, into that order's table (for the rows with their
    /// sources, the part of `quads` a batch of their size goes to); returns how many were new.
    private func insertSorted(_ sorted: [QuadKey], into order: QuadOrder) throws -> Int {
        let withSources = order == .pso
        guard !sorted.isEmpty else { return 0 }
        let change = withSources ? try changeID() : 0
        let part = withSources ? try quadPart(forBatchOf: sorted.count) : nil
        let inserted = try insertRows(into: order.table, columns: withSources ? 5 : 3, count: sorted.count,
                                      sql: part.map { part in { rows in Store.quadInsertSQL(into: part, rows: rows) } }) { statement, parameter, row in
            let (a, b, c, d) = sorted[row].columns
            statement.bind(parameter, a)
            statement.bind(parameter + 1, b)
            statement.bind(parameter + 2, c)
            if withSources {
                statement.bind(parameter + 3, d)
                statement.bind(parameter + 4, change)
            }
        }
        if let part { try quadRowsAdded(inserted, to: part) }
        return inserted
    }

    /// Inserts `count` rows into `target` ("table(columns)") with multi-row statements, skipping
    /// rows already there when `orIgnore`; or with the statements `sql` makes for a number of
    /// rows. `bind` binds row `row`'s values to the parameters from `parameter` on. Returns how
    /// many rows were inserted.
    func insertRows(into target: String, columns: Int, count: Int, orIgnore: Bool = true, sql: ((Int) -> String)? = nil,
                    bind: (SQLiteStatement, Int32, Int) -> Void) throws -> Int {
        let verb = orIgnore ? "INSERT OR IGNORE INTO" : "INSERT INTO"
        let group = "(" + Array(repeating: "?", count: columns).joined(separator: ", ") + ")"
        let statementText = sql ?? { rows in "\(verb) \(target) VALUES " + Array(repeating: group, count: rows).joined(separator: ", ") }
        let many = try connection.prepare(statementText(Store.rowsPerInsert))
        let one = try connection.prepare(statementText(1))
        var inserted = 0
        var row = 0
        while row < count {
            let statement = count - row >= Store.rowsPerInsert ? many : one
            let rows = statement === many ? Store.rowsPerInsert : 1
            for offset in 0..<rows { bind(statement, Int32(offset * columns + 1), row + offset) }
            try statement.run()
            inserted += connection.changes
            row += rows
        }
        return inserted
    }
}

// MARK: - Orders of quads

/// The three orders the quad tables keep: every row with its source in (p, s, o, g), the
/// distinct facts without sources in (p, o, s) and (o, s, p).
enum QuadOrder: CaseIterable {
    case pso, pos, osp

    /// The table, with its columns in key order.
    var table: String {
        switch self {
        case .pso: return "quads_main(p, s, o, g, added_in)"  // or quads_recent: see `quadPart(forBatchOf:)`
        case .pos: return "quads_pos(p, o, s)"
        case .osp: return "quads_osp(o, s, p)"
        }
    }

    var next: QuadOrder? {
        switch self {
        case .pso: return .pos
        case .pos: return .osp
        case .osp: return nil
        }
    }

    /// The rows packed with their ids in this order's column order, sorted, each once.
    func sorted(_ rows: [QuadRow]) -> [QuadKey] {
        var keys = rows.map { row -> QuadKey in
            switch self {
            case .pso: return QuadKey(row.p, row.s, row.o, row.g)
            case .pos: return QuadKey(row.p, row.o, row.s, 0)
            case .osp: return QuadKey(row.o, row.s, row.p, 0)
            }
        }
        QuadKey.radixSort(&keys)
        var distinct = 0
        for index in keys.indices where index == 0 || keys[index] != keys[distinct - 1] {
            keys[distinct] = keys[index]
            distinct += 1
        }
        keys.removeLast(keys.count - distinct)
        return keys
    }
}

/// Four ids as one key of a quad table, in that table's column order; keys compare column by
/// column as SQLite compares integers (signed), so sorted keys are the table's order.
struct QuadKey: Equatable {
    var columns: (Int64, Int64, Int64, Int64)

    init(_ a: Int64, _ b: Int64, _ c: Int64, _ d: Int64) {
        columns = (a, b, c, d)
    }

    static func == (x: QuadKey, y: QuadKey) -> Bool { x.columns == y.columns }

    static func < (x: QuadKey, y: QuadKey) -> Bool { x.columns < y.columns }

    /// Column `index`'s id with its sign bit flipped, so that unsigned order is signed order.
    @inline(__always)
    func ordered(_ index: Int) -> UInt64 {
        let id: Int64
        switch index {
        case 0: id = columns.0
        case 1: id = columns.1
        case 2: id = columns.2
        default: id = columns.3
        }
        return KeyedSort.key(id)
    }

    /// Sorts keys column by column, the last first (`KeyedSort` is stable, so that is
    /// lexicographic order): a few linear passes for the digits that differ.
    static func radixSort(_ keys: inout [QuadKey]) {
        for column in stride(from: 3, through: 0, by: -1) { KeyedSort.sort(&keys) { $0.ordered(column) } }
    }
}
