import KGSyntax

/// Puts answer rows in order by integers alone: each cell is the rank of its term in answer
/// order, so rows compare as tuples of ranks and no value is compared twice.
///
/// The sort key of a row is its `order by` columns (a descending one with its ranks reversed),
/// then its other columns left to right: a column already in the key adds nothing to it, so the
/// key is as wide as the row and, rows being distinct, no two keys are equal. Rows of one or two
/// columns pack their key in one 64-bit integer. With a limit, only the rows that can be in the
/// answer are selected (a heap of `offset + limit` keys) instead of sorting them all.
enum AnswerOrder {
    /// The rows of `ranks` (row after row, `width` to a row) from `offset` on, at most `limit`
    /// of them, in order; returned as ranks, row after row.
    static func select(_ ranks: [UInt32], width: Int, orderBy: [(column: Int, descending: Bool)],
                       offset: Int, limit: Int?) -> [UInt32] {
        let count = width == 0 ? 0 : ranks.count / width
        var keyColumns = orderBy
        var inKey = [Bool](repeating: false, count: width)
        for key in orderBy { inKey[key.column] = true }
        for column in 0..<width where !inKey[column] { keyColumns.append((column, false)) }
        let wanted = min(count, limit.map { offset + $0 } ?? count)
        guard wanted > offset else { return [] }
        if width <= 2 {
            // Reversing a rank is flipping its bits: XOR with all ones for a descending column.
            let (c0, c1) = (keyColumns[0].column, width == 2 ? keyColumns[1].column : 0)
            let flip0: UInt32 = keyColumns[0].descending ? .max : 0
            let flip1: UInt32 = width == 2 && keyColumns[1].descending ? .max : 0
            var keys = [UInt64](repeating: 0, count: count)
            ranks.withUnsafeBufferPointer { ranks in
                keys.withUnsafeMutableBufferPointer { keys in
                    if width == 1 {
                        for row in 0..<count { keys[row] = UInt64(ranks[row] ^ flip0) }
                    } else {
                        for row in 0..<count {
                            keys[row] = UInt64(ranks[row * 2 + c0] ^ flip0) << 32 | UInt64(ranks[row * 2 + c1] ^ flip1)
                        }
                    }
                }
            }
            keys = wanted >= count / 8 ? Array(radixSorted(keys).prefix(wanted)) : smallest(wanted, of: keys, by: <)
            // The key holds the whole row: take the ranks back out of it.
            var out = [UInt32](repeating: 0, count: (wanted - offset) * width)
            for (i, key) in keys[offset...].enumerated() {
                if width == 1 {
                    out[i] = UInt32(truncatingIfNeeded: key) ^ flip0
                } else {
                    out[i * 2 + c0] = UInt32(truncatingIfNeeded: key >> 32) ^ flip0
                    out[i * 2 + c1] = UInt32(truncatingIfNeeded: key) ^ flip1
                }
            }
            return out
        }
        // Wider rows: keys of ranks, a descending column's reversed, compared column by column.
        let keyWidth = keyColumns.count
        var keys = [UInt32](repeating: 0, count: count * keyWidth)
        for row in 0..<count {
            for (key, column) in keyColumns.enumerated() {
                keys[row * keyWidth + key] = ranks[row * width + column.column] ^ (column.descending ? .max : 0)
            }
        }
        let rows = smallest(wanted, of: Array(0..<count)) { a, b in
            for key in 0..<keyWidth where keys[a * keyWidth + key] != keys[b * keyWidth + key] {
                return keys[a * keyWidth + key] < keys[b * keyWidth + key]
            }
            return false
        }
        var out: [UInt32] = []
        out.reserveCapacity((wanted - offset) * width)
        for row in rows[offset...] { out.append(contentsOf: ranks[(row * width)..<((row + 1) * width)]) }
        return out
    }

    /// The keys in ascending order (`KeyedSort`'s radix sort: several times faster than
    /// comparing keys for the millions of rows of a large answer).
    static func radixSorted(_ keys: [UInt64]) -> [UInt64] {
        var sorted = keys
        KeyedSort.sort(&sorted) { $0 }
        return sorted
    }

    /// The `k` smallest elements in order: a full sort when `k` is a large part of the input,
    /// else a max-heap of `k` elements over one pass.
    static func smallest<T>(_ k: Int, of elements: [T], by less: (T, T) -> Bool) -> [T] {
        guard k < elements.count / 8 else {
            return Array(elements.sorted(by: less).prefix(k))
        }
        guard k > 0 else { return [] }
        return withoutActuallyEscaping(less) { less in
            // The k smallest so far, the largest of them on top.
            var heap = Heap<T> { less($1, $0) }
            for element in elements {
                if heap.count < k {
                    heap.push(element)
                } else if let largest = heap.first, less(element, largest) {
                    heap.replaceFirst(with: element)
                }
            }
            return heap.elements.sorted(by: less)
        }
    }
}
