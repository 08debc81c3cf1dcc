import Foundation

/// Numbers the distinct terms of a file as it is read: the same kind and text always get the
/// same number, counted from 0 in the order first seen. Works on the bytes of the text, with
/// its own hash table, so reading a term allocates nothing.
struct TermNumbering {
    /// The texts of all terms, one after another; term `n` spans `starts[n]..<starts[n + 1]`.
    private var text: [UInt8] = []
    private var starts: [Int] = [0]
    /// Open addressing with linear probing; a slot holds what a lookup compares, so that a
    /// lookup touches the slot and the text and nothing else (the table is far larger than
    /// the processor's caches, and each place touched is a likely cache miss).
    private var slots: [Slot]
    private var mask: Int

    private struct Slot {
        /// 0 for an empty slot, otherwise the hash's high 32 bits, then the term number + 1.
        var tagAndNumber: UInt64 = 0
        /// The text's start in `text` (high 32 bits), the kind (8 bits) and the text's length
        /// (low 24 bits; all ones for a text that long or longer, whose length `starts` holds).
        var place: UInt64 = 0
    }

    init(capacity: Int = 1 << 16) {
        let size = max(16, capacity.nextPowerOfTwo)
        slots = [Slot](repeating: Slot(), count: size)
        mask = size - 1
    }

    var count: Int { starts.count - 1 }

    private static let longText = 0xFF_FFFF

    /// The number of a term, and whether this is its first appearance.
    mutating func number(kind: UInt8, text term: UnsafeBufferPointer<UInt8>) -> (number: Int, isNew: Bool) {
        let hash = TermNumbering.hash(term, kind: kind)
        let tag = hash & 0xFFFF_FFFF_0000_0000
        let kindAndLength = UInt64(kind) << 24 | UInt64(min(term.count, TermNumbering.longText))
        var index = Int(truncatingIfNeeded: hash) & mask
        let found: Int? = slots.withUnsafeBufferPointer { slots in
            text.withUnsafeBufferPointer { stored in
                while true {
                    let slot = slots[index]
                    if slot.tagAndNumber == 0 { return nil }
                    if slot.tagAndNumber & 0xFFFF_FFFF_0000_0000 == tag && slot.place & 0xFFFF_FFFF == kindAndLength {
                        let number = Int(slot.tagAndNumber & 0xFFFF_FFFF) - 1
                        let start = Int(slot.place >> 32)
                        if term.count < TermNumbering.longText
                            ? term.isEmpty || memcmp(stored.baseAddress! + start, term.baseAddress!, term.count) == 0
                            : equals(number, term) {
                            return number
                        }
                    }
                    index = (index + 1) & mask
                }
            }
        }
        if let found { return (found, false) }
        let number = count
        let start = text.count
        text.append(contentsOf: term)
        starts.append(text.count)
        slots[index] = Slot(tagAndNumber: tag | UInt64(number + 1), place: UInt64(start) << 32 | kindAndLength)
        if count * 4 > slots.count * 3 { grow() }   // at most three quarters full
        return (number, true)
    }

    /// Bytes of text held. A slot keeps a text's start in 32 bits, so the numbering must be
    /// cleared long before 4 GiB (the import clears it at 64 MiB).
    var textBytes: Int { text.count }

    /// Calls `body` with the text of term `number`.
    func withText<R>(of number: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        text.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[starts[number]..<starts[number + 1]])) }
    }

    /// Forgets every term, keeping the memory for the next ones.
    mutating func removeAll() {
        text.removeAll(keepingCapacity: true)
        starts.removeAll(keepingCapacity: true)
        starts.append(0)
        slots.withUnsafeMutableBufferPointer { $0.update(repeating: Slot()) }
    }

    private func equals(_ number: Int, _ term: UnsafeBufferPointer<UInt8>) -> Bool {
        withText(of: number) { $0.elementsEqual(term) }
    }

    private mutating func grow() {
        let size = slots.count * 2
        var larger = [Slot](repeating: Slot(), count: size)
        let largerMask = size - 1
        for slot in slots where slot.tagAndNumber != 0 {
            let number = Int(slot.tagAndNumber & 0xFFFF_FFFF) - 1
            let hash = withText(of: number) { TermNumbering.hash($0, kind: UInt8(truncatingIfNeeded: slot.place >> 24)) }
            var index = Int(truncatingIfNeeded: hash) & largerMask
            while larger[index].tagAndNumber != 0 { index = (index + 1) & largerMask }
            larger[index] = slot
        }
        slots = larger
        mask = largerMask
    }

    /// A 64-bit hash of a kind and text, eight bytes at a time, well mixed in every bit.
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>, kind: UInt8) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 &* (UInt64(kind) &+ 1) ^ UInt64(bytes.count)
        guard let base = bytes.baseAddress else { return mix(h) }
        let raw = UnsafeRawPointer(base)
        var offset = 0
        while offset + 8 <= bytes.count {
            h = (h ^ raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
            offset += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.count {
            tail |= UInt64(base[offset]) << shift
            shift += 8
            offset += 1
        }
        return mix(h ^ tail)
    }

    /// The finalizer of SplitMix64: every input bit reaches every output bit.
    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value &* 0x94D0_49BB_1331_11EB
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

private extension Int {
    var nextPowerOfTwo: Int {
        self <= 1 ? 1 : 1 << (Int.bitWidth - (self - 1).leadingZeroBitCount)
    }
}
