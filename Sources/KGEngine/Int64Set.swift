/// An open-addressing hash set of 64-bit ids with the keys stored inline, so a probe touches
/// one cache line. `Int64.min` marks an empty slot (no term id is ever `Int64.min`).
struct Int64Set {
    private(set) var slots: UnsafeMutablePointer<Int64>
    private(set) var mask: Int
    private(set) var count = 0

    static let empty = Int64.min

    init(capacity: Int = 8) {
        var size = 8
        while size < capacity * 2 { size *= 2 }
        slots = LargeMemory.allocate(Int64.self, count: size)
        slots.initialize(repeating: Int64Set.empty, count: size)
        mask = size - 1
    }

    /// Frees the memory; the owner calls this exactly once.
    func deallocate() {
        slots.deallocate()
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
        var slot = Int64Set.hash(key) & mask
        while true {
            let entry = slots[slot]
            if entry == key { return false }
            if entry == Int64Set.empty { break }
            slot = (slot + 1) & mask
        }
        slots[slot] = key
        count += 1
        if count * 2 > mask { grow() }
        return true
    }

    @inline(__always)
    func contains(_ key: Int64) -> Bool {
        var slot = Int64Set.hash(key) & mask
        while true {
            let entry = slots[slot]
            if entry == key { return true }
            if entry == Int64Set.empty { return false }
            slot = (slot + 1) & mask
        }
    }

    private mutating func grow() {
        let old = slots
        let oldSize = mask + 1
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
