/// A set of 64-bit term ids: an open-addressing hash table with the keys stored inline, so a
/// probe touches one cache line, that turns into a bitmap once the ids are dense enough for
/// the bitmap to be no larger than the table. Store ids are small consecutive integers, so the
/// sets of a big relation usually end as bitmaps a few cache lines long.
/// `Int64.min` marks an empty slot (no term id is ever `Int64.min`).
struct Int64Set {
    private(set) var slots: UnsafeMutablePointer<Int64>
    private(set) var mask: Int
    /// Keys in the hash table (those the bitmap does not cover).
    private var hashed = 0
    /// Bits for keys in `0 ..< bitmapLimit`, once the set has turned dense.
    private var bitmap: UnsafeMutablePointer<UInt64>?
    private var bitmapLimit: Int64 = 0
    private var largestKey: Int64 = -1
    private(set) var count = 0

    static let empty = Int64.min

    init(capacity: Int = 8) {
        var size = 16
        while size < capacity * 2 { size *= 2 }
        slots = LargeMemory.allocate(Int64.self, count: size)
        slots.initialize(repeating: Int64Set.empty, count: size)
        mask = size - 1
    }

    /// Frees the memory; the owner calls this exactly once.
    func deallocate() {
        slots.deallocate()
        bitmap?.deallocate()
    }

    @inline(__always)
    static func hash(_ key: Int64) -> Int {
        var h = UInt64(bitPattern: key) &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 29
        return Int(truncatingIfNeeded: h)
    }

    /// Adds `key`; true when it was not there before.
    @inline(__always)
    mutating func insert(_ key: Int64) -> Bool {
        if let bitmap, key >= 0, key < bitmapLimit {
            let word = Int(key >> 6)
            let bit = UInt64(1) << UInt64(key & 63)
            if bitmap[word] & bit != 0 { return false }
            bitmap[word] |= bit
            count += 1
            return true
        }
        var slot = Int64Set.hash(key) & mask
        while true {
            let entry = slots[slot]
            if entry == key { return false }
            if entry == Int64Set.empty { break }
            slot = (slot + 1) & mask
        }
        slots[slot] = key
        hashed += 1
        count += 1
        if key > largestKey { largestKey = key }
        if hashed * 3 > mask * 2 { grow() }   // at most two thirds full
        return true
    }

    @inline(__always)
    func contains(_ key: Int64) -> Bool {
        if let bitmap, key >= 0, key < bitmapLimit {
            return bitmap[Int(key >> 6)] & (UInt64(1) << UInt64(key & 63)) != 0
        }
        var slot = Int64Set.hash(key) & mask
        while true {
            let entry = slots[slot]
            if entry == key { return true }
            if entry == Int64Set.empty { return false }
            slot = (slot + 1) & mask
        }
    }

    /// Doubles the table, or moves the keys into a bitmap when one would be no larger.
    private mutating func grow() {
        let old = slots
        let oldSize = mask + 1
        var limit: Int64 = 64
        while limit <= largestKey { limit *= 2 }
        let bitmapWords = Int(limit / 64)
        if bitmapWords <= oldSize * 2 && limit > bitmapLimit {
            // Dense: keys in 0 ..< limit go to a (bigger) bitmap, the rest stay hashed.
            let words = LargeMemory.allocate(UInt64.self, count: bitmapWords)
            words.initialize(repeating: 0, count: bitmapWords)
            if let bitmap {
                words.update(from: bitmap, count: Int(bitmapLimit / 64))
                bitmap.deallocate()
            }
            bitmap = words
            bitmapLimit = limit
            var outliers: [Int64] = []
            for i in 0..<oldSize where old[i] != Int64Set.empty {
                let key = old[i]
                if key >= 0 && key < limit {
                    words[Int(key >> 6)] |= UInt64(1) << UInt64(key & 63)
                } else {
                    outliers.append(key)
                }
            }
            rebuild(size: 16, with: outliers, freeing: old)
            return
        }
        // Straight from the old table into the new one: no copy of the keys in between.
        let size = oldSize * 2
        slots = LargeMemory.allocate(Int64.self, count: size)
        slots.initialize(repeating: Int64Set.empty, count: size)
        mask = size - 1
        for i in 0..<oldSize where old[i] != Int64Set.empty {
            var slot = Int64Set.hash(old[i]) & mask
            while slots[slot] != Int64Set.empty { slot = (slot + 1) & mask }
            slots[slot] = old[i]
        }
        old.deallocate()
    }

    private mutating func rebuild(size: Int, with keys: [Int64], freeing old: UnsafeMutablePointer<Int64>) {
        var size = size
        while size < keys.count * 2 + 2 { size *= 2 }
        slots = LargeMemory.allocate(Int64.self, count: size)
        slots.initialize(repeating: Int64Set.empty, count: size)
        mask = size - 1
        hashed = keys.count
        for key in keys {
            var slot = Int64Set.hash(key) & mask
            while slots[slot] != Int64Set.empty { slot = (slot + 1) & mask }
            slots[slot] = key
        }
        old.deallocate()
    }
}

/// A map from 64-bit ids to small integers, open addressing with inline keys.
struct Int64Map {
    private var keys: UnsafeMutablePointer<Int64>
    private var values: UnsafeMutablePointer<Int32>
    private var mask: Int
    private(set) var count = 0

    init() {
        keys = .allocate(capacity: 16)
        keys.initialize(repeating: Int64Set.empty, count: 16)
        values = .allocate(capacity: 16)
        mask = 15
    }

    func deallocate() {
        keys.deallocate()
        values.deallocate()
    }

    @inline(__always)
    func value(for key: Int64) -> Int32? {
        var slot = Int64Set.hash(key) & mask
        while true {
            let entry = keys[slot]
            if entry == key { return values[slot] }
            if entry == Int64Set.empty { return nil }
            slot = (slot + 1) & mask
        }
    }

    mutating func set(_ value: Int32, for key: Int64) {
        var slot = Int64Set.hash(key) & mask
        while keys[slot] != Int64Set.empty && keys[slot] != key { slot = (slot + 1) & mask }
        if keys[slot] == Int64Set.empty { count += 1 }
        keys[slot] = key
        values[slot] = value
        if count * 2 > mask { grow() }
    }

    private mutating func grow() {
        let (oldKeys, oldValues, oldSize) = (keys, values, mask + 1)
        let size = oldSize * 2
        keys = .allocate(capacity: size)
        keys.initialize(repeating: Int64Set.empty, count: size)
        values = .allocate(capacity: size)
        mask = size - 1
        for i in 0..<oldSize where oldKeys[i] != Int64Set.empty {
            var slot = Int64Set.hash(oldKeys[i]) & mask
            while keys[slot] != Int64Set.empty { slot = (slot + 1) & mask }
            keys[slot] = oldKeys[i]
            values[slot] = oldValues[i]
        }
        oldKeys.deallocate()
        oldValues.deallocate()
    }
}
