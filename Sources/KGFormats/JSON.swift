import KGSyntax

/// JSON text writing, and kglog values as typed JSON: `{"value":42,"kind":"integer"}`.
public enum JSONText {
    public static func string(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// A typed value: `{"value":42,"kind":"integer"}`. Numbers are JSON numbers; names,
    /// strings, IRIs and blank nodes their text; dates ISO text; a language-tagged string has
    /// `"language"`, a typed literal `"datatype"`. `JSONFacts` reads it back.
    public static func value(_ v: Value) -> String {
        let plain: String
        switch v {
        case .integer(let i): plain = String(i)
        case .decimal: plain = v.lexical
        default: plain = string(v.lexical)
        }
        var extra = ""
        if case .langString(_, let language) = v { extra = ",\"language\":" + string(language) }
        if case .typed(_, let datatype) = v { extra = ",\"datatype\":" + string(datatype) }
        return "{\"value\":\(plain),\"kind\":\"\(v.kind.label)\"\(extra)}"
    }

    /// One fact as a JSON Lines record: `{"predicate":…,"arguments":[…],"source":…}`, each a
    /// typed value, `source` left out for a fact without one.
    public static func fact(predicate: Value, arguments: [Value], source: Value?) -> String {
        "{\"predicate\":\(value(predicate)),\"arguments\":[\(arguments.map(value).joined(separator: ","))]"
            + (source.map { ",\"source\":\(value($0))" } ?? "") + "}\n"
    }
}

/// A parsed JSON value. Numbers keep their text, so that 2.50 stays a decimal with its digits.
public indirect enum JSONValue: Equatable, Sendable {
    case object([(key: String, value: JSONValue, column: Int)])
    case array([(value: JSONValue, column: Int)])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.object(let x), .object(let y)): return x.map(\.key) == y.map(\.key) && x.map(\.value) == y.map(\.value)
        case (.array(let x), .array(let y)): return x.map(\.value) == y.map(\.value)
        case (.string(let x), .string(let y)), (.number(let x), .number(let y)): return x == y
        case (.bool(let x), .bool(let y)): return x == y
        case (.null, .null): return true
        default: return false
        }
    }

    var kindName: String {
        switch self {
        case .object: return "an object"
        case .array: return "an array"
        case .string: return "a string"
        case .number: return "a number"
        case .bool: return "true or false"
        case .null: return "null"
        }
    }
}

/// Reads one JSON value from a line (RFC 8259), with the column of every error.
public struct JSONReader {
    private let bytes: UnsafeBufferPointer<UInt8>
    private let lineNumber: Int
    private var position = 0
    private var depth = 0

    /// Deeper nesting than this is an error rather than a stack overflow.
    public static let maximumNesting = 200

    /// The value on the line, which must hold nothing else but spaces.
    public static func parse(_ line: UnsafeBufferPointer<UInt8>, lineNumber: Int) throws(FormatDiagnostic) -> JSONValue {
        var reader = JSONReader(bytes: line, lineNumber: lineNumber)
        let value = try reader.value()
        reader.skipSpace()
        if reader.position < line.count { throw reader.fail(.expected("the end of the line", found: reader.found)) }
        return value
    }

    private init(bytes: UnsafeBufferPointer<UInt8>, lineNumber: Int) {
        self.bytes = bytes
        self.lineNumber = lineNumber
    }

    /// The column of the current position, counting characters.
    var column: Int { JSONReader.column(of: position, in: bytes) }

    static func column(of position: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var count = 1
        for i in 0..<min(position, bytes.count) where bytes[i] & 0xC0 != 0x80 { count += 1 }
        return count
    }

    func fail(_ error: FormatError) -> FormatDiagnostic {
        FormatDiagnostic(error: error, line: lineNumber, column: column)
    }

    private var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

    private var found: String {
        guard let byte = peek else { return "the end of the line" }
        return "'" + String(decoding: [byte], as: UTF8.self) + "'"
    }

    private mutating func skipSpace() {
        while let b = peek, b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A { position += 1 }
    }

    private mutating func expect(_ byte: UInt8) throws(FormatDiagnostic) {
        guard peek == byte else { throw fail(.expected("'\(String(decoding: [byte], as: UTF8.self))'", found: found)) }
        position += 1
    }

    private mutating func value() throws(FormatDiagnostic) -> JSONValue {
        skipSpace()
        switch peek {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try word("true"); return .bool(true)
        case UInt8(ascii: "f"): try word("false"); return .bool(false)
        case UInt8(ascii: "n"): try word("null"); return .null
        case let b? where b == UInt8(ascii: "-") || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")): return .number(try number())
        default: throw fail(.expected("a JSON value", found: found))
        }
    }

    private mutating func nest() throws(FormatDiagnostic) {
        depth += 1
        if depth > JSONReader.maximumNesting { throw fail(.expected("at most \(JSONReader.maximumNesting) levels of nesting", found: "more")) }
    }

    private mutating func object() throws(FormatDiagnostic) -> JSONValue {
        try nest()
        defer { depth -= 1 }
        position += 1
        var members: [(key: String, value: JSONValue, column: Int)] = []
        skipSpace()
        if peek == UInt8(ascii: "}") { position += 1; return .object(members) }
        while true {
            skipSpace()
            guard peek == UInt8(ascii: "\"") else { throw fail(.expected("a key in quotes", found: found)) }
            let key = try string()
            skipSpace()
            try expect(UInt8(ascii: ":"))
            skipSpace()
            let column = self.column
            members.append((key, try value(), column))
            skipSpace()
            if peek == UInt8(ascii: ",") { position += 1; continue }
            try expect(UInt8(ascii: "}"))
            return .object(members)
        }
    }

    private mutating func array() throws(FormatDiagnostic) -> JSONValue {
        try nest()
        defer { depth -= 1 }
        position += 1
        var elements: [(value: JSONValue, column: Int)] = []
        skipSpace()
        if peek == UInt8(ascii: "]") { position += 1; return .array(elements) }
        while true {
            skipSpace()
            let column = self.column
            elements.append((try value(), column))
            skipSpace()
            if peek == UInt8(ascii: ",") { position += 1; continue }
            try expect(UInt8(ascii: "]"))
            return .array(elements)
        }
    }

    private mutating func word(_ text: String) throws(FormatDiagnostic) {
        for byte in text.utf8 {
            guard peek == byte else { throw fail(.expected("'\(text)'", found: found)) }
            position += 1
        }
    }

    // number ::= '-'? ('0' | [1-9][0-9]*) ('.' [0-9]+)? ([eE] [+-]? [0-9]+)?
    private mutating func number() throws(FormatDiagnostic) -> String {
        let start = position
        func digits(_ reader: inout JSONReader) throws(FormatDiagnostic) {
            guard let b = reader.peek, b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") else { throw reader.fail(.expected("a digit", found: reader.found)) }
            while let b = reader.peek, b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") { reader.position += 1 }
        }
        if peek == UInt8(ascii: "-") { position += 1 }
        if peek == UInt8(ascii: "0") { position += 1 } else { try digits(&self) }
        if peek == UInt8(ascii: ".") { position += 1; try digits(&self) }
        if let e = peek, e | 0x20 == UInt8(ascii: "e") {
            position += 1
            if let sign = peek, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { position += 1 }
            try digits(&self)
        }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
    }

    private mutating func string() throws(FormatDiagnostic) -> String {
        let start = position
        position += 1
        var scalars = String.UnicodeScalarView()
        var runStart = position
        func flush(_ reader: JSONReader, _ scalars: inout String.UnicodeScalarView, to end: Int) {
            scalars.append(contentsOf: String(decoding: UnsafeBufferPointer(rebasing: reader.bytes[runStart..<end]), as: UTF8.self).unicodeScalars)
        }
        while true {
            guard let b = peek else {
                position = start
                throw fail(.unterminatedString)
            }
            if b == UInt8(ascii: "\"") { break }
            if b < 0x20 { throw fail(.expected("a character", found: "control character U+00" + String(b, radix: 16, uppercase: true).leftPadded)) }
            guard b == UInt8(ascii: "\\") else { position += 1; continue }
            flush(self, &scalars, to: position)
            let escape = position
            position += 1
            guard let e = peek else { throw fail(.unterminatedString) }
            position += 1
            switch e {
            case UInt8(ascii: "\""): scalars.append("\"")
            case UInt8(ascii: "\\"): scalars.append("\\")
            case UInt8(ascii: "/"): scalars.append("/")
            case UInt8(ascii: "b"): scalars.append("\u{08}")
            case UInt8(ascii: "f"): scalars.append("\u{0C}")
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "t"): scalars.append("\t")
            case UInt8(ascii: "u"):
                var code = try hex4(from: escape)
                if (0xD800..<0xDC00).contains(code) {
                    // A surrogate pair: the low half must follow as another \u escape.
                    guard peek == UInt8(ascii: "\\"), position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "u") else {
                        throw failAt(.invalidEscape("\\u" + String(code, radix: 16, uppercase: true)), escape)
                    }
                    position += 2
                    let low = try hex4(from: escape)
                    guard (0xDC00..<0xE000).contains(low) else { throw failAt(.invalidEscape("\\u" + String(code, radix: 16, uppercase: true)), escape) }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let scalar = Unicode.Scalar(code) else { throw failAt(.invalidEscape("\\u" + String(code, radix: 16, uppercase: true)), escape) }
                scalars.append(scalar)
            default:
                throw failAt(.invalidEscape("\\" + String(decoding: [e], as: UTF8.self)), escape)
            }
            runStart = position
        }
        flush(self, &scalars, to: position)
        position += 1
        return String(scalars)
    }

    private mutating func hex4(from escape: Int) throws(FormatDiagnostic) -> UInt32 {
        var code: UInt32 = 0
        for _ in 0..<4 {
            guard let b = peek, let digit = Hex.digit(b) else {
                throw failAt(.invalidEscape(String(decoding: UnsafeBufferPointer(rebasing: bytes[escape..<min(position + 1, bytes.count)]), as: UTF8.self)), escape)
            }
            code = code << 4 | digit
            position += 1
        }
        return code
    }

    private func failAt(_ error: FormatError, _ at: Int) -> FormatDiagnostic {
        FormatDiagnostic(error: error, line: lineNumber, column: JSONReader.column(of: at, in: bytes))
    }
}

private extension String {
    /// Two hex digits.
    var leftPadded: String { count < 2 ? "0" + self : self }
}

/// Facts as JSON Lines: one `{"predicate":…,"arguments":[…],"source":…}` object a line, each
/// term a typed value as `JSONText.value` writes it. A plain JSON string stands for a string, a
/// plain number for an integer or a decimal.
public enum JSONFacts {
    public struct Fact: Equatable, Sendable {
        public var predicate: Value
        public var arguments: [Value]
        public var source: Value?

        public init(predicate: Value, arguments: [Value], source: Value?) {
            self.predicate = predicate
            self.arguments = arguments
            self.source = source
        }
    }

    /// The fact on one line; nil for a blank line.
    public static func parse(_ line: UnsafeBufferPointer<UInt8>, lineNumber: Int) throws(FormatDiagnostic) -> Fact? {
        if let bad = NTriplesParser.firstInvalidUTF8(line) {
            throw FormatDiagnostic(error: .notUTF8, line: lineNumber, column: JSONReader.column(of: bad, in: line))
        }
        guard line.contains(where: { $0 != 0x20 && $0 != 0x09 }) else { return nil }
        func fail(_ message: String, _ column: Int) -> FormatDiagnostic {
            FormatDiagnostic(error: .invalidJSONFact(message), line: lineNumber, column: column)
        }
        let start = JSONReader.column(of: line.firstIndex { $0 != 0x20 && $0 != 0x09 } ?? 0, in: line)
        guard case .object(let members) = try JSONReader.parse(line, lineNumber: lineNumber) else {
            throw fail("a fact is an object with \"predicate\" and \"arguments\"", start)
        }
        var predicate: Value?
        var arguments: [Value]?
        var source: Value?
        for member in members {
            switch member.key {
            case "predicate":
                predicate = try value(member.value, column: member.column, lineNumber: lineNumber)
            case "arguments":
                guard case .array(let elements) = member.value else { throw fail("\"arguments\" is an array", member.column) }
                arguments = try elements.map { element throws(FormatDiagnostic) in try value(element.value, column: element.column, lineNumber: lineNumber) }
            case "source":
                if member.value != .null { source = try value(member.value, column: member.column, lineNumber: lineNumber) }
            default:
                throw fail("unknown key \"\(member.key)\": a fact has \"predicate\", \"arguments\" and \"source\"", member.column)
            }
        }
        guard let predicate else { throw fail("the fact has no \"predicate\"", start) }
        guard let arguments else { throw fail("the fact has no \"arguments\"", start) }
        return Fact(predicate: predicate, arguments: arguments, source: source)
    }

    /// A term: `{"value":…,"kind":…}` (with `"language"` or `"datatype"` for those kinds), or a
    /// plain string or number.
    static func value(_ json: JSONValue, column: Int, lineNumber: Int) throws(FormatDiagnostic) -> Value {
        func fail(_ message: String) -> FormatDiagnostic {
            FormatDiagnostic(error: .invalidJSONFact(message), line: lineNumber, column: column)
        }
        switch json {
        case .string(let text):
            return .string(text)
        case .number(let text):
            if let value = Value(kind: .integer, lexical: text) { return value }
            guard let value = Value(kind: .decimal, lexical: text) else { throw fail("the number \(text) is out of range") }
            return value
        case .object(let members):
            var fields: [String: JSONValue] = [:]
            for member in members {
                guard ["value", "kind", "language", "datatype"].contains(member.key) else {
                    throw fail("unknown key \"\(member.key)\": a term has \"value\" and \"kind\"")
                }
                fields[member.key] = member.value
            }
            guard case .string(let label)? = fields["kind"] else { throw fail("a term needs \"kind\", such as \"name\" or \"integer\"") }
            guard let kind = Value.Kind.allCases.first(where: { $0.label == label }) else {
                throw fail("unknown kind \"\(label)\": one of " + Value.Kind.allCases.map(\.label).joined(separator: ", "))
            }
            let text: String
            switch fields["value"] {
            case .string(let s)?: text = s
            case .number(let n)? where kind == .integer || kind == .decimal: text = n
            case let other?: throw fail("the value of a \(label) is \(kind == .integer || kind == .decimal ? "a number" : "a string"), not \(other.kindName)")
            case nil: throw fail("a term needs \"value\"")
            }
            switch kind {
            case .langString:
                guard case .string(let language)? = fields["language"], !language.isEmpty else { throw fail("a lang-string needs \"language\"") }
                return .langString(text, language: language.lowercased())
            case .typed:
                guard case .string(let datatype)? = fields["datatype"], !datatype.isEmpty else { throw fail("a typed literal needs \"datatype\"") }
                return .typed(text, datatype: datatype)
            default:
                guard let value = Value(kind: kind, lexical: text) else { throw fail("'\(text)' is not a valid \(label)") }
                return value
            }
        default:
            throw fail("a term is an object with \"value\" and \"kind\", a string or a number, not \(json.kindName)")
        }
    }
}
