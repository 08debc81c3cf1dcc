import Foundation

/// A constant of the kglog language: the values facts are made of.
///
/// Names, strings, IRIs, integers, decimals and dates are distinct kinds: `csto` is not `"csto"`.
/// Equality is by kind and value; decimals are kept in canonical form so `1.50` equals `1.5`.
/// Three more kinds carry RDF terms through import and export unchanged: blank nodes
/// (`_:b1`), language-tagged strings (`"chat"@fr`) and literals of other datatypes
/// (`"true"^^<http://www.w3.org/2001/XMLSchema#boolean>`).
public enum Value: Hashable, Sendable {
    case name(String)
    case string(String)
    case integer(Int64)
    case decimal(Decimal)
    case date(CalendarDate)
    /// A moment in UTC (`2026-11-30T10:15:00Z`): when a change was recorded, or any timestamp.
    case datetime(DateTime)
    case iri(String)
    case blank(String)
    case langString(String, language: String)
    case typed(String, datatype: String)

    /// The kinds of value, in the order answers sort by. The raw values are stored in files:
    /// they never change.
    public enum Kind: Int, CaseIterable, Sendable, Comparable {
        case integer = 1, decimal, date, string, name, iri, blank, langString, typed, datetime

        public var label: String {
            switch self {
            case .name: return "name"
            case .string: return "string"
            case .integer: return "integer"
            case .decimal: return "decimal"
            case .date: return "date"
            case .datetime: return "datetime"
            case .iri: return "iri"
            case .blank: return "blank"
            case .langString: return "lang-string"
            case .typed: return "typed"
            }
        }

        public static func < (a: Kind, b: Kind) -> Bool { a.rawValue < b.rawValue }
    }

    public var kind: Kind {
        switch self {
        case .name: return .name
        case .string: return .string
        case .integer: return .integer
        case .decimal: return .decimal
        case .date: return .date
        case .datetime: return .datetime
        case .iri: return .iri
        case .blank: return .blank
        case .langString: return .langString
        case .typed: return .typed
        }
    }

    /// The moment a date (its midnight, UTC) or datetime stands for: how the two compare.
    public var moment: DateTime? {
        switch self {
        case .date(let d): return DateTime(startOf: d)
        case .datetime(let t): return t
        default: return nil
        }
    }

    public var isNumber: Bool {
        switch self {
        case .integer, .decimal: return true
        default: return false
        }
    }

    /// The numeric value of an integer or decimal.
    public var decimalValue: Decimal? {
        switch self {
        case .integer(let i): return Decimal(i)
        case .decimal(let d): return d
        default: return nil
        }
    }

    /// The plain lexical form: names and strings without quotes, dates ISO, IRIs without
    /// brackets, a blank node's label, a literal's text without its language or datatype.
    public var lexical: String {
        switch self {
        case .name(let s), .string(let s), .iri(let s), .blank(let s): return s
        case .langString(let s, _), .typed(let s, _): return s
        case .integer(let i): return String(i)
        case .decimal(let d): return Value.canonicalText(of: d)
        case .date(let d): return d.description
        case .datetime(let t): return t.description
        }
    }

    /// The text the term dictionary keeps, unique within a kind: the lexical form, with the
    /// language or datatype first for literals that have one (`"fr chat"`).
    public var storageText: String {
        switch self {
        case .langString(let s, let language): return language + " " + s
        case .typed(let s, let datatype): return datatype + " " + s
        default: return lexical
        }
    }

    /// Rebuilds a value from its kind and `storageText`; nil when the text does not fit the kind.
    public init?(kind: Kind, storageText text: String) {
        switch kind {
        case .langString, .typed:
            guard let space = text.firstIndex(of: " ") else { return nil }
            let (first, rest) = (String(text[..<space]), String(text[text.index(after: space)...]))
            self = kind == .langString ? .langString(rest, language: first) : .typed(rest, datatype: first)
        default:
            self.init(kind: kind, lexical: text)
        }
    }

    /// Rebuilds a value from its kind and plain lexical form; nil when the text does not fit the kind.
    public init?(kind: Kind, lexical: String) {
        switch kind {
        case .name: self = .name(lexical)
        case .string: self = .string(lexical)
        case .iri: self = .iri(lexical)
        case .blank: self = .blank(lexical)
        case .langString, .typed: return nil
        case .integer:
            guard let i = Int64(lexical) else { return nil }
            self = .integer(i)
        case .decimal:
            guard let d = Decimal(string: lexical, locale: Locale(identifier: "en_US_POSIX")), !d.isNaN else { return nil }
            self = .decimal(d)
        case .date:
            guard let d = CalendarDate(iso: Substring(lexical)) else { return nil }
            self = .date(d)
        case .datetime:
            guard let t = DateTime(iso: Substring(lexical)) else { return nil }
            self = .datetime(t)
        }
    }

    /// Decimal text that always shows a decimal point, so it reads back as a decimal.
    public static func canonicalText(of d: Decimal) -> String {
        var text = d.description
        if !text.contains(".") && !text.contains("e") && !text.contains("E") { text += ".0" }
        return text
    }

    /// The value written as kglog source: `armenia`, `"ОДКБ"`, `42`, `2.5`, `2012-05-03`, `<http://x>`.
    public var sourceText: String {
        switch self {
        case .name(let s): return s
        case .string(let s): return Value.quoted(s)
        case .iri(let s): return "<\(s)>"
        case .blank(let s): return "_:" + s
        case .langString(let s, let language): return Value.quoted(s) + "@" + language
        case .typed(let s, let datatype): return Value.quoted(s) + "^^<\(datatype)>"
        default: return lexical
        }
    }

    /// A string literal with kglog escapes.
    public static func quoted(_ s: String) -> String {
        // Most texts need no escape: a byte scan says so without building them scalar by scalar.
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0x7F }) { return "\"" + s + "\"" }
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

// MARK: - Ordering

extension Value {
    /// The total order answers are sorted by: numbers (by value), dates, strings, names, IRIs.
    public static func sortOrder(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.integer(let x), .integer(let y)): return x < y
        // By code point, which is the order of the UTF-8 bytes (compared without decoding).
        case (.string(let x), .string(let y)), (.name(let x), .name(let y)), (.iri(let x), .iri(let y)), (.blank(let x), .blank(let y)):
            return utf8Precedes(x, y)
        case (.date(let x), .date(let y)): return x < y
        case (.datetime(let x), .datetime(let y)): return x < y
        // A date and a datetime sort by the moment the date begins; at the same moment, the date first.
        case (.date(let x), .datetime(let y)): return DateTime(startOf: x) <= y
        case (.datetime(let x), .date(let y)): return x < DateTime(startOf: y)
        case (.langString, .langString), (.typed, .typed):
            return utf8Precedes(a.storageText, b.storageText)
        default:
            if let x = a.decimalValue, let y = b.decimalValue {
                if x != y { return x < y }
                return a.kind < b.kind
            }
            return a.kind.sortGroup < b.kind.sortGroup
        }
    }

    /// The indices of `values` (distinct) in `sortOrder`. Values all of one text kind (names,
    /// strings, IRIs: the common answer) or all integers are compared as bytes or integers
    /// directly, without comparing `Value`s.
    public static func indicesInSortOrder(_ values: [Value]) -> [Int] {
        func text(_ value: Value) -> String? {
            switch value {
            case .name(let x), .string(let x), .iri(let x), .blank(let x): return x
            default: return nil
            }
        }
        guard let first = values.first else { return [] }
        if case .integer = first {
            var numbers: [Int64] = []
            numbers.reserveCapacity(values.count)
            for value in values {
                guard case .integer(let n) = value else { return values.indices.sorted { sortOrder(values[$0], values[$1]) } }
                numbers.append(n)
            }
            var keyed = numbers.enumerated().map { (key: KeyedSort.key($0.element), index: $0.offset) }
            KeyedSort.sort(&keyed)
            return keyed.map(\.index)
        }
        guard text(first) != nil, values.allSatisfy({ $0.kind == first.kind }) else {
            return values.indices.sorted { sortOrder(values[$0], values[$1]) }
        }
        // Every text in one buffer. Past the bytes all texts begin with (an IRI's namespace),
        // each text's next eight bytes make one number: indices are sorted by those numbers,
        // and by the byte ranges only where they are equal.
        let texts = PackedTexts(values.lazy.map { text($0) ?? "" })
        return texts.bytes.withUnsafeBufferPointer { bytes in
            texts.starts.withUnsafeBufferPointer { starts in
                let shared = sharedPrefixLength(bytes, starts)
                var keyed = [(key: UInt64, index: Int)]()
                keyed.reserveCapacity(values.count)
                for index in values.indices {
                    let start = starts[index] + shared, end = min(starts[index + 1], start + 8)
                    var key: UInt64 = 0
                    for at in start..<(start + 8) { key = key << 8 | UInt64(at < end ? bytes[at] : 0) }
                    keyed.append((key, index))
                }
                // By the numbers first; then each run of equal numbers by its bytes.
                KeyedSort.sort(&keyed)
                func precedes(_ a: KeyedSort.Keyed, _ b: KeyedSort.Keyed) -> Bool {
                    let (sa, sb) = (starts[a.index] + shared, starts[b.index] + shared)
                    let (la, lb) = (starts[a.index + 1] - sa, starts[b.index + 1] - sb)
                    let common = min(la, lb)
                    if common > 0, let base = bytes.baseAddress {
                        let order = memcmp(base + sa, base + sb, common)
                        if order != 0 { return order < 0 }
                    }
                    return la < lb
                }
                var runStart = 0
                for index in 1...keyed.count where index == keyed.count || keyed[index].key != keyed[runStart].key {
                    if index - runStart > 1 { keyed[runStart..<index].sort(by: precedes) }
                    runStart = index
                }
                return keyed.map(\.index)
            }
        }
    }

    /// The number of bytes every packed text begins with.
    private static func sharedPrefixLength(_ bytes: UnsafeBufferPointer<UInt8>, _ starts: UnsafeBufferPointer<Int>) -> Int {
        let count = starts.count - 1
        guard count > 1 else { return 0 }
        var shared = starts[1] - starts[0]
        for index in 1..<count where shared > 0 {
            let start = starts[index]
            var length = 0
            let limit = min(shared, starts[index + 1] - start)
            while length < limit && bytes[start + length] == bytes[starts[0] + length] { length += 1 }
            shared = length
        }
        return shared
    }

    /// Whether `x` comes before `y` by code point: their UTF-8 bytes compared as unsigned.
    static func utf8Precedes(_ x: String, _ y: String) -> Bool {
        var x = x, y = y
        return x.withUTF8 { a in
            y.withUTF8 { b in
                let common = min(a.count, b.count)
                if common > 0, let pa = a.baseAddress, let pb = b.baseAddress {
                    let order = memcmp(pa, pb, common)
                    if order != 0 { return order < 0 }
                }
                return a.count < b.count
            }
        }
    }

    /// Compares two values of comparable kinds; nil when the kinds cannot be ordered against each other.
    public static func compare(_ a: Value, _ b: Value) -> ComparisonResult? {
        switch (a, b) {
        case (.integer(let x), .integer(let y)): return x < y ? .orderedAscending : (x == y ? .orderedSame : .orderedDescending)
        case (.string(let x), .string(let y)), (.name(let x), .name(let y)), (.iri(let x), .iri(let y)), (.blank(let x), .blank(let y)):
            if x == y { return .orderedSame }
            return x.unicodeScalars.lexicographicallyPrecedes(y.unicodeScalars) ? .orderedAscending : .orderedDescending
        case (.date(let x), .date(let y)): return x < y ? .orderedAscending : (x == y ? .orderedSame : .orderedDescending)
        case (.datetime, .datetime), (.date, .datetime), (.datetime, .date):
            let (x, y) = (a.moment!, b.moment!)
            return x < y ? .orderedAscending : (x == y ? .orderedSame : .orderedDescending)
        case (.langString(let x, let l1), .langString(let y, let l2)) where l1 == l2:
            return compare(.string(x), .string(y))
        case (.typed(let x, let d1), .typed(let y, let d2)) where d1 == d2:
            return compare(.string(x), .string(y))
        default:
            guard let x = a.decimalValue, let y = b.decimalValue else { return nil }
            return x < y ? .orderedAscending : (x == y ? .orderedSame : .orderedDescending)
        }
    }
}

extension Value.Kind {
    /// Integers and decimals sort together as numbers.
    /// Dates and datetimes sort together as moments.
    var sortGroup: Int {
        switch self {
        case .decimal: return Value.Kind.integer.rawValue
        case .datetime: return Value.Kind.date.rawValue
        default: return rawValue
        }
    }
}

// MARK: - RDF literals

extension Value {
    public static let xsd = "http://www.w3.org/2001/XMLSchema#"

    /// The XML Schema datatypes kglog values are written with, made once (a literal's datatype
    /// is compared with them for every literal read).
    public enum XSD {
        public static let string = xsd + "string"
        public static let integer = xsd + "integer"
        public static let decimal = xsd + "decimal"
        public static let double = xsd + "double"
        public static let boolean = xsd + "boolean"
        public static let date = xsd + "date"
        public static let dateTime = xsd + "dateTime"
    }

    /// A typed literal as a value: XML Schema integers, decimals, dates and strings in their
    /// canonical form become the kglog kinds (so rules compare them as values); any other form or
    /// datatype stays a typed literal, so an import gives back exactly the same RDF terms.
    public static func literal(_ text: String, datatype: String) -> Value {
        let native: Value?
        switch datatype {
        case XSD.string: return .string(text)
        case XSD.integer: native = Int64(text).map { .integer($0) }
        case XSD.decimal: native = text.contains(".") ? Value(kind: .decimal, lexical: text) : nil
        case XSD.date: native = CalendarDate(iso: Substring(text)).map { .date($0) }
        case XSD.dateTime: native = DateTime(iso: Substring(text)).map { .datetime($0) }
        default: native = nil
        }
        if let native, native.lexical == text { return native }
        return .typed(text, datatype: datatype)
    }

    /// The RDF datatype IRI a value is written with, nil for kinds that are not literals.
    public var datatype: String? {
        switch self {
        case .string: return XSD.string
        case .integer: return XSD.integer
        case .decimal: return XSD.decimal
        case .date: return XSD.date
        case .datetime: return XSD.dateTime
        case .typed(_, let datatype): return datatype
        case .langString: return "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
        default: return nil
        }
    }
}
