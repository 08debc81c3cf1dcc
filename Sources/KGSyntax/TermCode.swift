import Foundation

/// How a value becomes a 64-bit term id and back: the one place that knows. The store, the
/// engine, the importers and the exporters all go through it.
///
/// An id is one of:
/// - **positive**: a term of the store's dictionary (names, strings, IRIs, blank nodes,
///   literals, and numbers too large to be inline), looked up by its kind and `storageText`;
/// - **0**: no term (the source of a fact stated without one);
/// - **inline** (sign bit set, a 3-bit tag, a 60-bit payload): an integer in [-2^59, 2^59), any
///   date, any datetime (milliseconds), or a decimal whose significand fits 52 bits and whose exponent fits 8. Such a value
///   is never in the dictionary, so every value has exactly one id, and arithmetic, comparisons
///   and aggregates on it need no lookup;
/// - **temporary** (tag 7, that is -1, -2, ...): a value one evaluation computed that is neither
///   inline nor stored (a string made by `concat`), held in that evaluation's arena.
///
/// `Int64.min` (tag 0, payload 0) is never an id: hash sets use it to mark an empty slot.
public enum TermCode {
    /// No term: the source of a fact stated without one.
    public static let noTerm: Int64 = 0

    private static let payloadBits: Int64 = 60
    private static let payloadMask: Int64 = (1 << payloadBits) - 1
    private static let tagMask: Int64 = 0x7 << payloadBits

    private enum Tag: Int64 {
        case integer = 1, decimal = 2, date = 3, datetime = 4, temporary = 7
    }

    private static func make(_ tag: Tag, _ payload: Int64) -> Int64 {
        Int64.min | tag.rawValue << payloadBits | payload & payloadMask
    }

    private static func tag(of id: Int64) -> Tag? {
        id < 0 ? Tag(rawValue: (id & tagMask) >> payloadBits) : nil
    }

    /// The payload sign-extended from 60 bits.
    private static func signedPayload(_ id: Int64) -> Int64 {
        (id << (64 - payloadBits)) >> (64 - payloadBits)
    }

    // MARK: - Kinds of id

    /// Whether the id is a term of the store's dictionary.
    @inline(__always)
    public static func isDictionary(_ id: Int64) -> Bool { id > 0 }

    /// Whether the id holds its value itself.
    @inline(__always)
    public static func isInline(_ id: Int64) -> Bool {
        let tag = (id & tagMask) >> payloadBits
        return id < 0 && tag >= Tag.integer.rawValue && tag <= Tag.datetime.rawValue
    }

    /// Whether the id is an evaluation's temporary one.
    @inline(__always)
    public static func isTemporary(_ id: Int64) -> Bool { id < 0 && id & tagMask == tagMask }

    /// Whether a fact in a store can hold the id (a dictionary or inline id).
    @inline(__always)
    public static func isStorable(_ id: Int64) -> Bool { id > 0 || isInline(id) }

    /// The `n`th temporary id (from 0): -1, -2, ...
    public static func temporary(_ n: Int) -> Int64 { -1 - Int64(n) }

    /// The index of a temporary id (the inverse of `temporary`).
    public static func temporaryIndex(_ id: Int64) -> Int { Int(-1 - id) }

    // MARK: - Inline values

    /// The inline id of a value, nil when it goes to the dictionary.
    public static func inlineID(_ value: Value) -> Int64? {
        switch value {
        case .integer(let n): return integerID(n)
        case .date(let d): return make(.date, d.daysSinceEpoch)
        case .datetime(let t): return make(.datetime, t.millisecondsSinceEpoch)
        case .decimal(let d): return decimalID(d)
        default: return nil
        }
    }

    /// The inline id of an integer, nil outside [-2^59, 2^59).
    @inline(__always)
    public static func integerID(_ n: Int64) -> Int64? {
        signedPayload(n) == n ? make(.integer, n) : nil
    }

    /// The integer an inline id holds, nil for any other id.
    @inline(__always)
    public static func integer(_ id: Int64) -> Int64? {
        tag(of: id) == .integer ? signedPayload(id) : nil
    }

    /// The day (days since 1970-01-01) an inline date id holds, nil for any other id.
    @inline(__always)
    public static func day(_ id: Int64) -> Int64? {
        tag(of: id) == .date ? signedPayload(id) : nil
    }

    /// The value an inline id holds, nil for any other id.
    public static func inlineValue(_ id: Int64) -> Value? {
        switch tag(of: id) {
        case .integer: return .integer(signedPayload(id))
        case .date: return .date(CalendarDate(daysSinceEpoch: signedPayload(id)))
        case .datetime: return .datetime(DateTime(millisecondsSinceEpoch: signedPayload(id)))
        case .decimal:
            let exponent = Int(Int8(truncatingIfNeeded: (id & payloadMask) >> significandBits))
            let significand = (id << (64 - significandBits)) >> (64 - significandBits)
            return .decimal(Decimal(sign: significand < 0 ? .minus : .plus, exponent: exponent,
                                    significand: Decimal(significand.magnitude)))
        default: return nil
        }
    }

    /// How two inline ids of the same kind compare (integers and dates by their payload, which
    /// keeps their order); nil when either is of another kind, or they differ in kind.
    @inline(__always)
    public static func inlineOrder(_ a: Int64, _ b: Int64) -> ComparisonResult? {
        guard a & ~payloadMask == b & ~payloadMask, let tag = tag(of: a), tag == .integer || tag == .date || tag == .datetime else { return nil }
        let (x, y) = (signedPayload(a), signedPayload(b))
        return x < y ? .orderedAscending : x == y ? .orderedSame : .orderedDescending
    }

    /// The kind of value an inline id holds, nil for any other id.
    public static func inlineKind(_ id: Int64) -> Value.Kind? {
        switch tag(of: id) {
        case .integer: return .integer
        case .date: return .date
        case .datetime: return .datetime
        case .decimal: return .decimal
        default: return nil
        }
    }

    /// A decimal is inline as a 52-bit signed significand and an 8-bit exponent of ten, taken
    /// from its canonical text with trailing zeros removed, so that equal decimals get one id.
    private static let significandBits: Int64 = 52

    private static func decimalID(_ d: Decimal) -> Int64? {
        decimalID(canonicalText: Value.canonicalText(of: d).utf8)
    }

    /// The inline id of the decimal with this canonical text (`-12.5`), nil when it does not fit.
    private static func decimalID<Text: Collection<UInt8>>(canonicalText text: Text) -> Int64? {
        var significand: Int64 = 0
        var exponent = 0
        var negative = false
        var afterPoint = false
        var digits = 0
        for byte in text {
            switch byte {
            case UInt8(ascii: "-") where digits == 0 && !negative: negative = true
            case UInt8(ascii: "."): guard !afterPoint else { return nil }; afterPoint = true
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                digits += 1
                let (times, o1) = significand.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times.addingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
                guard !o1, !o2 else { return nil }
                significand = sum
                if afterPoint { exponent -= 1 }
            default: return nil
            }
        }
        guard digits > 0 else { return nil }
        if significand == 0 { exponent = 0 }
        while significand != 0 && significand % 10 == 0 {
            significand /= 10
            exponent += 1
        }
        if negative { significand = -significand }
        let limit: Int64 = 1 << (significandBits - 1)
        guard significand >= -limit, significand < limit, (-128...127).contains(exponent) else { return nil }
        let payload = Int64(UInt8(bitPattern: Int8(exponent))) << significandBits | significand & ((1 << significandBits) - 1)
        return make(.decimal, payload)
    }

    // MARK: - Dictionary keys

    /// The inline id of a term given as the store keeps terms (a kind's raw value and its
    /// `storageText`), nil when the term belongs in the dictionary.
    public static func inlineID<Text: Collection<UInt8>>(kind: Int, text: Text) -> Int64? {
        switch Value.Kind(rawValue: kind) {
        case .integer:
            var n: Int64 = 0
            var negative = false
            var digits = 0
            for byte in text {
                if byte == UInt8(ascii: "-") && digits == 0 && !negative { negative = true; continue }
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                let (times, o1) = n.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times.addingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
                guard !o1, !o2 else { return nil }
                n = sum
                digits += 1
            }
            guard digits > 0 else { return nil }
            return integerID(negative ? -n : n)
        case .decimal:
            return decimalID(canonicalText: text)
        case .date:
            return CalendarDate(iso: Substring(String(decoding: text, as: UTF8.self))).map { make(.date, $0.daysSinceEpoch) }
        case .datetime:
            guard case .success(let moment) = DateTime.parse(text) else { return nil }
            return make(.datetime, moment.millisecondsSinceEpoch)
        default:
            return nil
        }
    }

    /// The kind and text a dictionary keeps a value under.
    public static func dictionaryKey(of value: Value) -> (kind: Int, text: String) {
        (value.kind.rawValue, value.storageText)
    }

    /// The value of a dictionary term from its kind and text; nil when they do not make one.
    public static func value(kind: Int, text: String) -> Value? {
        Value.Kind(rawValue: kind).flatMap { Value(kind: $0, storageText: text) }
    }

    /// The kind and text of an inline id, as the dictionary would keep the value.
    public static func inlineKey(_ id: Int64) -> (kind: Int, text: String)? {
        inlineValue(id).map(dictionaryKey(of:))
    }
}
