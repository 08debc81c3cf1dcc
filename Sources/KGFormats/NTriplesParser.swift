import KGSyntax

/// One RDF statement: a triple, with a graph name in N-Quads.
public struct Quad: Equatable, Sendable {
    public var subject: Value
    public var predicate: Value
    public var object: Value
    public var graph: Value?

    public init(subject: Value, predicate: Value, object: Value, graph: Value? = nil) {
        self.subject = subject
        self.predicate = predicate
        self.object = object
        self.graph = graph
    }
}

/// Parses N-Triples and N-Quads (RDF 1.1) one line at a time.
///
/// IRIs become `.iri` values, blank nodes `.blank`, literals strings, language-tagged strings
/// or typed literals (XML Schema integers, decimals, dates in canonical form become kglog
/// numbers and dates). IRIs in the `kglog:` scheme, which the writer uses for kglog names, become
/// names again.
public struct NTriplesParser {
    public enum Format: Sendable { case nTriples, nQuads }

    public let format: Format

    public init(format: Format) {
        self.format = format
    }

    /// The statement on one line, nil for a blank or comment line.
    public func parse(_ line: UnsafeBufferPointer<UInt8>, lineNumber: Int) throws(FormatDiagnostic) -> Quad? {
        if let bad = NTriplesParser.firstInvalidUTF8(line) {
            throw Cursor(bytes: line, lineNumber: lineNumber, position: bad).fail(.notUTF8)
        }
        var cursor = Cursor(bytes: line, lineNumber: lineNumber)
        cursor.skipSpace()
        if cursor.atEnd || cursor.peek == UInt8(ascii: "#") { return nil }
        if cursor.peek == UInt8(ascii: "@") {
            throw cursor.fail(.directiveNotAllowed(cursor.word()))
        }
        let subject = try cursor.subjectOrGraph()
        cursor.skipSpace()
        guard cursor.peek == UInt8(ascii: "<") else { throw cursor.fail(.expected("a predicate IRI", found: cursor.found())) }
        let predicate = try cursor.iri()
        cursor.skipSpace()
        let object = try cursor.object()
        cursor.skipSpace()
        var graph: Value?
        if format == .nQuads && cursor.peek != UInt8(ascii: ".") {
            graph = try cursor.subjectOrGraph()
            cursor.skipSpace()
        }
        guard cursor.peek == UInt8(ascii: ".") else { throw cursor.fail(.expected("'.'", found: cursor.found())) }
        cursor.advance()
        cursor.skipSpace()
        if !cursor.atEnd && cursor.peek != UInt8(ascii: "#") { throw cursor.fail(.trailingContent(cursor.word())) }
        return Quad(subject: subject, predicate: predicate, object: object, graph: graph)
    }

    /// The offset of the first byte that is not part of valid UTF-8, or nil.
    static func firstInvalidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard bytes.contains(where: { $0 >= 0x80 }) else { return nil }
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): offset += UTF8.width(scalar)
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }

    /// A position in one line's bytes, with the errors it raises.
    private struct Cursor {
        let bytes: UnsafeBufferPointer<UInt8>
        let lineNumber: Int
        var position = 0

        var atEnd: Bool { position >= bytes.count }
        var peek: UInt8? { position < bytes.count ? bytes[position] : nil }
        mutating func advance() { position += 1 }

        mutating func skipSpace() {
            while let b = peek, b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") { advance() }
        }

        /// The column of the current position, counting characters.
        var column: Int {
            var count = 1
            for i in 0..<min(position, bytes.count) where bytes[i] & 0xC0 != 0x80 { count += 1 }
            return count
        }

        func fail(_ error: FormatError) -> FormatDiagnostic {
            FormatDiagnostic(error: error, line: lineNumber, column: column)
        }

        func failAt(_ error: FormatError, _ at: Int) -> FormatDiagnostic {
            var copy = self
            copy.position = at
            return copy.fail(error)
        }

        func found() -> String {
            atEnd ? "the end of the line" : "'\(word())'"
        }

        func word() -> String {
            var end = position
            while end < bytes.count, bytes[end] != UInt8(ascii: " "), bytes[end] != UInt8(ascii: "\t") { end += 1 }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[position..<min(end, position + 40)]), as: UTF8.self)
        }

        mutating func subjectOrGraph() throws(FormatDiagnostic) -> Value {
            switch peek {
            case UInt8(ascii: "<"): return try iri()
            case UInt8(ascii: "_"): return try blankNode()
            default: throw fail(.expected("an IRI or a blank node", found: found()))
            }
        }

        mutating func object() throws(FormatDiagnostic) -> Value {
            switch peek {
            case UInt8(ascii: "<"): return try iri()
            case UInt8(ascii: "_"): return try blankNode()
            case UInt8(ascii: "\""): return try literal()
            default: throw fail(.expected("an IRI, a blank node or a literal", found: found()))
            }
        }

        // IRIREF ::= '<' ([^#x00-#x20<>"{}|^`\] | UCHAR)* '>'
        mutating func iri() throws(FormatDiagnostic) -> Value {
            let start = position
            advance()
            var builder = TextBuilder(at: position)
            while true {
                guard let b = peek else { throw failAt(.unterminatedIRI, start) }
                if b == UInt8(ascii: ">") { break }
                if b == UInt8(ascii: "\\") {
                    builder.endRun(at: position, in: bytes)
                    let escapeStart = position
                    advance()
                    guard let kind = peek, kind == UInt8(ascii: "u") || kind == UInt8(ascii: "U") else {
                        throw failAt(.invalidEscape(String(decoding: UnsafeBufferPointer(rebasing: bytes[escapeStart..<min(escapeStart + 2, bytes.count)]), as: UTF8.self)), escapeStart)
                    }
                    advance()
                    builder.append(try hexEscape(length: kind == UInt8(ascii: "u") ? 4 : 8, from: escapeStart))
                    builder.startRun(at: position)
                    continue
                }
                if b <= 0x20 || Cursor.forbiddenInIRI(b) {
                    throw fail(.invalidIRICharacter(b <= 0x20 ? String(format: "U+%04X", b) : String(UnicodeScalar(b))))
                }
                advance()
            }
            let text = builder.text(endingAt: position, in: bytes)
            advance()
            guard Cursor.isAbsolute(text) else { throw failAt(.relativeIRI(text), start) }
            if text.hasPrefix("kglog:") { return .name(String(text.dropFirst(6))) }
            return .iri(text)
        }

        @inline(__always)
        static func forbiddenInIRI(_ b: UInt8) -> Bool {
            switch b {
            case UInt8(ascii: "<"), UInt8(ascii: "\""), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "|"),
                 UInt8(ascii: "^"), UInt8(ascii: "`"):
                return true
            default:
                return false
            }
        }

        /// Whether an IRI starts with a scheme: a letter, then letters, digits, '+', '-' or '.', then ':'.
        static func isAbsolute(_ iri: String) -> Bool {
            var utf8 = iri.utf8.makeIterator()
            guard let first = utf8.next(), (first | 0x20) >= UInt8(ascii: "a") && (first | 0x20) <= UInt8(ascii: "z") else { return false }
            while let b = utf8.next() {
                if b == UInt8(ascii: ":") { return true }
                let letter = (b | 0x20) >= UInt8(ascii: "a") && (b | 0x20) <= UInt8(ascii: "z")
                let digit = b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")
                guard letter || digit || b == UInt8(ascii: "+") || b == UInt8(ascii: "-") || b == UInt8(ascii: ".") else { return false }
            }
            return false
        }

        mutating func hexEscape(length: Int, from start: Int) throws(FormatDiagnostic) -> Unicode.Scalar {
            var value: UInt32 = 0
            for _ in 0..<length {
                guard let b = peek, let digit = Hex.digit(b) else {
                    let end = min(position + 1, bytes.count)
                    throw failAt(.invalidEscape(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)), start)
                }
                value = value << 4 | digit
                advance()
            }
            guard let scalar = Unicode.Scalar(value) else {
                throw failAt(.invalidEscape(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)), start)
            }
            return scalar
        }

        // BLANK_NODE_LABEL ::= '_:' (PN_CHARS_U | [0-9]) ((PN_CHARS | '.')* PN_CHARS)?
        mutating func blankNode() throws(FormatDiagnostic) -> Value {
            let start = position
            advance()
            guard peek == UInt8(ascii: ":") else { throw failAt(.invalidBlankNode, start) }
            advance()
            let labelStart = position
            func isLabel(_ b: UInt8) -> Bool {
                (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
                    || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "_") || b >= 0x80
            }
            guard let first = peek, isLabel(first) else { throw failAt(.invalidBlankNode, start) }
            advance()
            while let b = peek, isLabel(b) || b == UInt8(ascii: "-") || b == UInt8(ascii: ".") { advance() }
            // A label does not end with '.': that is the statement's end.
            while position > labelStart + 1 && bytes[position - 1] == UInt8(ascii: ".") { position -= 1 }
            if let b = peek, b == UInt8(ascii: ":") { throw failAt(.invalidBlankNode, start) }
            return .blank(String(decoding: UnsafeBufferPointer(rebasing: bytes[labelStart..<position]), as: UTF8.self))
        }

        // literal ::= STRING_LITERAL_QUOTE ('^^' IRIREF | LANGTAG)?
        mutating func literal() throws(FormatDiagnostic) -> Value {
            let start = position
            advance()
            var builder = TextBuilder(at: position)
            while true {
                guard let b = peek else { throw failAt(.unterminatedString, start) }
                if b == UInt8(ascii: "\"") { break }
                if b == 0x0A || b == 0x0D { throw failAt(.unterminatedString, start) }
                guard b == UInt8(ascii: "\\") else { advance(); continue }
                builder.endRun(at: position, in: bytes)
                let escapeStart = position
                advance()
                guard let e = peek else { throw failAt(.unterminatedString, start) }
                advance()
                switch e {
                case UInt8(ascii: "t"): builder.append("\t")
                case UInt8(ascii: "b"): builder.append("\u{08}")
                case UInt8(ascii: "n"): builder.append("\n")
                case UInt8(ascii: "r"): builder.append("\r")
                case UInt8(ascii: "f"): builder.append("\u{0C}")
                case UInt8(ascii: "\""): builder.append("\"")
                case UInt8(ascii: "'"): builder.append("'")
                case UInt8(ascii: "\\"): builder.append("\\")
                case UInt8(ascii: "u"), UInt8(ascii: "U"):
                    builder.append(try hexEscape(length: e == UInt8(ascii: "u") ? 4 : 8, from: escapeStart))
                default:
                    throw failAt(.invalidEscape("\\" + String(decoding: [e], as: UTF8.self)), escapeStart)
                }
                builder.startRun(at: position)
            }
            let text = builder.text(endingAt: position, in: bytes)
            advance()
            if peek == UInt8(ascii: "@") {
                let tagStart = position
                advance()
                let letters = position
                while let b = peek, (b | 0x20) >= UInt8(ascii: "a") && (b | 0x20) <= UInt8(ascii: "z") { advance() }
                guard position > letters else { throw failAt(.invalidLanguageTag, tagStart) }
                while peek == UInt8(ascii: "-") {
                    advance()
                    let part = position
                    while let b = peek, ((b | 0x20) >= UInt8(ascii: "a") && (b | 0x20) <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) { advance() }
                    guard position > part else { throw failAt(.invalidLanguageTag, tagStart) }
                }
                let tag = String(decoding: UnsafeBufferPointer(rebasing: bytes[(tagStart + 1)..<position]), as: UTF8.self)
                return .langString(text, language: tag.lowercased())
            }
            if peek == UInt8(ascii: "^") {
                let caret = position
                advance()
                guard peek == UInt8(ascii: "^") else { throw failAt(.expected("'^^'", found: "'^'"), caret) }
                advance()
                guard peek == UInt8(ascii: "<") else { throw fail(.expected("a datatype IRI", found: found())) }
                let datatypeStart = position
                guard case .iri(let datatype) = try iri() else { throw failAt(.expected("a datatype IRI", found: "a kglog name"), datatypeStart) }
                return Value.literal(text, datatype: datatype)
            }
            return .string(text)
        }
    }
}

/// Text read from a line: runs of plain bytes with escaped characters between them. Text with
/// no escape is decoded in one piece.
private struct TextBuilder {
    private var scalars = String.UnicodeScalarView()
    private var runStart: Int
    private var escaped = false

    init(at position: Int) {
        runStart = position
    }

    /// Ends the plain run before an escape.
    mutating func endRun(at position: Int, in bytes: UnsafeBufferPointer<UInt8>) {
        scalars.append(contentsOf: String(decoding: UnsafeBufferPointer(rebasing: bytes[runStart..<position]), as: UTF8.self).unicodeScalars)
        escaped = true
    }

    mutating func append(_ scalar: Unicode.Scalar) {
        scalars.append(scalar)
    }

    /// Starts the next plain run after an escape.
    mutating func startRun(at position: Int) {
        runStart = position
    }

    func text(endingAt position: Int, in bytes: UnsafeBufferPointer<UInt8>) -> String {
        let run = String(decoding: UnsafeBufferPointer(rebasing: bytes[runStart..<position]), as: UTF8.self)
        return escaped ? String(scalars) + run : run
    }
}
