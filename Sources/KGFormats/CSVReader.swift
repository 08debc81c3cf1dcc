import KGSyntax

/// Reads CSV (RFC 4180) and TSV records, keeping each field's line and column for errors.
///
/// CSV fields may be quoted with `"`; a quoted field may hold commas, doubled quotes and line
/// breaks. TSV fields are split at tabs, with no quoting; `\t`, `\n`, `\r` and `\\` in a
/// field stand for a tab, a newline, a carriage return and a backslash (`TSVEscaping`).
public struct CSVReader {
    public enum Dialect: Sendable { case csv, tsv }

    public struct Field: Equatable, Sendable {
        public var text: String
        public var line: Int
        public var column: Int
    }

    public let dialect: Dialect
    private var pending: [UInt8] = []
    private var pendingLine = 0

    public init(dialect: Dialect) {
        self.dialect = dialect
    }

    /// Feeds one physical line; returns a record when it completes one (a quoted CSV field can
    /// span lines, so a record may take several). `finish` reports a record left open.
    public mutating func feed(_ line: UnsafeBufferPointer<UInt8>, lineNumber: Int) throws(FormatDiagnostic) -> [Field]? {
        if pending.isEmpty { pendingLine = lineNumber } else { pending.append(0x0A) }
        pending.append(contentsOf: line)
        if dialect == .tsv {
            defer { pending = [] }
            return try tsvRecord()
        }
        guard let record = try csvRecord() else { return nil }
        pending = []
        return record
    }

    /// An error when the input ended inside a quoted field.
    public func finish() throws(FormatDiagnostic) {
        if !pending.isEmpty { throw FormatDiagnostic(error: .unterminatedQuotedField, line: pendingLine, column: 1) }
    }

    private func tsvRecord() throws(FormatDiagnostic) -> [Field] {
        var fields: [Field] = []
        var start = 0
        var column = 1
        var startColumn = 1
        for (i, b) in pending.enumerated() {
            if b == 0x09 {
                fields.append(Field(text: TSVEscaping.unescape(try text(start..<i, line: pendingLine, column: startColumn)), line: pendingLine, column: startColumn))
                start = i + 1
                column += 1
                startColumn = column
            } else if b & 0xC0 != 0x80 {
                column += 1
            }
        }
        fields.append(Field(text: TSVEscaping.unescape(try text(start..<pending.count, line: pendingLine, column: startColumn)), line: pendingLine, column: startColumn))
        return fields
    }

    /// The record in `pending`, or nil when a quoted field is still open.
    private func csvRecord() throws(FormatDiagnostic) -> [Field]? {
        var fields: [Field] = []
        var i = 0
        var line = pendingLine
        var column = 1
        let bytes = pending
        func advanceColumn(_ b: UInt8) {
            if b == 0x0A { line += 1; column = 1 } else if b & 0xC0 != 0x80 { column += 1 }
        }
        while true {
            let (fieldLine, fieldColumn) = (line, column)
            if i < bytes.count && bytes[i] == UInt8(ascii: "\"") {
                advanceColumn(bytes[i]); i += 1
                var value: [UInt8] = []
                while true {
                    guard i < bytes.count else { return nil }
                    let b = bytes[i]
                    if b == UInt8(ascii: "\"") {
                        if i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "\"") {
                            value.append(b); advanceColumn(b); advanceColumn(b); i += 2
                            continue
                        }
                        advanceColumn(b); i += 1
                        break
                    }
                    value.append(b); advanceColumn(b); i += 1
                }
                guard i == bytes.count || bytes[i] == UInt8(ascii: ",") else {
                    throw FormatDiagnostic(error: .expected("',' after a quoted field", found: "'\(String(decoding: [bytes[i]], as: UTF8.self))'"), line: line, column: column)
                }
                guard let text = String(validating: value, as: UTF8.self) else {
                    throw FormatDiagnostic(error: .notUTF8, line: fieldLine, column: fieldColumn)
                }
                fields.append(Field(text: text, line: fieldLine, column: fieldColumn))
            } else {
                let start = i
                while i < bytes.count && bytes[i] != UInt8(ascii: ",") {
                    if bytes[i] == UInt8(ascii: "\"") { throw FormatDiagnostic(error: .quoteInUnquotedField, line: line, column: column) }
                    advanceColumn(bytes[i]); i += 1
                }
                fields.append(Field(text: try text(start..<i, line: fieldLine, column: fieldColumn), line: fieldLine, column: fieldColumn))
            }
            if i >= bytes.count { return fields }
            advanceColumn(bytes[i]); i += 1   // the comma
        }
    }

    private func text(_ range: Range<Int>, line: Int, column: Int) throws(FormatDiagnostic) -> String {
        guard let text = String(validating: pending[range], as: UTF8.self) else {
            throw FormatDiagnostic(error: .notUTF8, line: line, column: column)
        }
        return text
    }

    /// The value a field stands for: an integer, a decimal, an ISO date or datetime (UTC, canonical) when it reads as one
    /// (unless `asText`), a name when it is written like one, otherwise a string.
    public static func value(of text: String, asText: Bool) -> Value {
        if asText { return .string(text) }
        if let i = Int64(text) { return .integer(i) }
        let utf8 = text.utf8
        if isDecimal(utf8), let d = Value(kind: .decimal, lexical: text) { return d }
        if utf8.count == 10, let date = CalendarDate(iso: Substring(text)) { return .date(date) }
        if utf8.count >= 20, let moment = DateTime(iso: Substring(text)), moment.description == text { return .datetime(moment) }
        if isName(utf8) { return .name(text) }
        return .string(text)
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    /// `-?[0-9]+\.[0-9]+`
    static func isDecimal(_ text: String.UTF8View) -> Bool {
        var bytes = text[...]
        if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        guard let point = bytes.firstIndex(of: UInt8(ascii: ".")) else { return false }
        let (whole, fraction) = (bytes[..<point], bytes[bytes.index(after: point)...])
        return !whole.isEmpty && !fraction.isEmpty && whole.allSatisfy(isDigit) && fraction.allSatisfy(isDigit)
    }

    /// A kglog name: `[a-z][A-Za-z0-9_]*(-[A-Za-z0-9_]+)*`.
    static func isName(_ text: String.UTF8View) -> Bool {
        guard let first = text.first, first >= UInt8(ascii: "a") && first <= UInt8(ascii: "z"), text.last != UInt8(ascii: "-") else { return false }
        var previous = first
        for b in text.dropFirst() {
            let word = isDigit(b) || b == UInt8(ascii: "_") || (b | 0x20 >= UInt8(ascii: "a") && b | 0x20 <= UInt8(ascii: "z"))
            guard word || (b == UInt8(ascii: "-") && previous != UInt8(ascii: "-")) else { return false }
            previous = b
        }
        return true
    }
}
