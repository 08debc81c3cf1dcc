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

/// A term as kglog's store encodes it: its kind and its text (`TermCode.dictionaryKey`).
/// The text points into the line or into the parser's scratch space: it is valid until the
/// parser reads the next line.
public struct RawTerm {
    public var kind: Value.Kind
    public var text: UnsafeBufferPointer<UInt8>

    public init(kind: Value.Kind, text: UnsafeBufferPointer<UInt8>) {
        self.kind = kind
        self.text = text
    }

    /// The term as a value.
    public var value: Value {
        TermCode.value(kind: kind.rawValue, text: String(decoding: text, as: UTF8.self))!
    }
}

/// One statement's terms as the store encodes them; valid until the parser reads the next line.
public struct RawStatement {
    public var subject: RawTerm
    public var predicate: RawTerm
    public var object: RawTerm
    public var graph: RawTerm?
}

/// Parses N-Triples and N-Quads (RDF 1.1) one line at a time.
///
/// IRIs become `.iri` values, blank nodes `.blank`, literals strings, language-tagged strings
/// or typed literals (XML Schema integers, decimals, dates in canonical form become kglog
/// numbers and dates). IRIs in the `kglog:` scheme, which the writer uses for kglog names, become
/// names again.
///
/// `parseRaw` gives each term as its kind and storage text without building a `Value`: a bulk
/// import hashes those bytes directly. `parse` gives values.
public struct NTriplesParser {
    public enum Format: Sendable { case nTriples, nQuads }

    public let format: Format
    private let scratch = Scratch()

    public init(format: Format) {
        self.format = format
    }

    /// The statement on one line, nil for a blank or comment line.
    public func parse(_ line: UnsafeBufferPointer<UInt8>, lineNumber: Int) throws(FormatDiagnostic) -> Quad? {
        guard let raw = try parseRaw(line, lineNumber: lineNumber) else { return nil }
        return Quad(subject: raw.subject.value, predicate: raw.predicate.value, object: raw.object.value, graph: raw.graph?.value)
    }

    /// The statement on one line as raw terms, nil for a blank or comment line.
    public func parseRaw(_ line: UnsafeBufferPointer<UInt8>, lineNumber: Int) throws(FormatDiagnostic) -> RawStatement? {
        if let bad = NTriplesParser.firstInvalidUTF8(line) {
            throw Cursor(bytes: line, lineNumber: lineNumber, scratch: scratch, position: bad).fail(.notUTF8)
        }
        scratch.count = 0
        var cursor = Cursor(bytes: line, lineNumber: lineNumber, scratch: scratch)
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
        var graph: Span?
        if format == .nQuads && cursor.peek != UInt8(ascii: ".") {
            graph = try cursor.subjectOrGraph()
            cursor.skipSpace()
        }
        guard cursor.peek == UInt8(ascii: ".") else { throw cursor.fail(.expected("'.'", found: cursor.found())) }
        cursor.advance()
        cursor.skipSpace()
        if !cursor.atEnd && cursor.peek != UInt8(ascii: "#") { throw cursor.fail(.trailingContent(cursor.word())) }
        // Only now, with the scratch space written, do its addresses stay put.
        let term = { (span: Span) in RawTerm(kind: span.kind, text: span.text(line: line, scratch: self.scratch)) }
        return RawStatement(subject: term(subject), predicate: term(predicate), object: term(object), graph: graph.map(term))
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

    /// Where a term's storage text is: a range of the line, or of the scratch space (text with
    /// escapes decoded, or text put together, such as a language tag before a string).
    struct Span {
        var kind: Value.Kind
        var range: Range<Int>
        var inScratch: Bool

        func text(line: UnsafeBufferPointer<UInt8>, scratch: Scratch) -> UnsafeBufferPointer<UInt8> {
            inScratch ? UnsafeBufferPointer(rebasing: scratch.buffer[range]) : UnsafeBufferPointer(rebasing: line[range])
        }
    }

    /// Bytes a line's terms are put together in; reused from line to line.
    final class Scratch {
        private(set) var buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 256)
        var count = 0

        deinit { buffer.deallocate() }

        func append<Bytes: Collection<UInt8>>(contentsOf bytes: Bytes) {
            reserve(bytes.count)
            for byte in bytes {
                buffer[count] = byte
                count += 1
            }
        }

        func append(_ scalar: Unicode.Scalar) {
            reserve(4)
            UTF8.encode(scalar) { byte in
                buffer[count] = byte
                count += 1
            }
        }

        private func reserve(_ more: Int) {
            guard count + more > buffer.count else { return }
            let larger = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(buffer.count * 2, count + more))
            _ = larger.initialize(fromContentsOf: buffer[0..<count])
            buffer.deallocate()
            buffer = larger
        }
    }

    /// A position in one line's bytes, with the errors it raises.
    private struct Cursor {
        let bytes: UnsafeBufferPointer<UInt8>
        let lineNumber: Int
        let scratch: Scratch
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

        mutating func subjectOrGraph() throws(FormatDiagnostic) -> Span {
            switch peek {
            case UInt8(ascii: "<"): return try iri()
            case UInt8(ascii: "_"): return try blankNode()
            default: throw fail(.expected("an IRI or a blank node", found: found()))
            }
        }

        mutating func object() throws(FormatDiagnostic) -> Span {
            switch peek {
            case UInt8(ascii: "<"): return try iri()
            case UInt8(ascii: "_"): return try blankNode()
            case UInt8(ascii: "\""): return try literal()
            default: throw fail(.expected("an IRI, a blank node or a literal", found: found()))
            }
        }

        // IRIREF ::= '<' ([^#x00-#x20<>"{}|^`\] | UCHAR)* '>'
        mutating func iri() throws(FormatDiagnostic) -> Span {
            let start = position
            advance()
            var text = TextBuilder(at: position, scratch: scratch)
            while true {
                guard let b = peek else { throw failAt(.unterminatedIRI, start) }
                if b == UInt8(ascii: ">") { break }
                if b == UInt8(ascii: "\\") {
                    text.endRun(at: position, in: bytes)
                    let escapeStart = position
                    advance()
                    guard let kind = peek, kind == UInt8(ascii: "u") || kind == UInt8(ascii: "U") else {
                        throw failAt(.invalidEscape(String(decoding: UnsafeBufferPointer(rebasing: bytes[escapeStart..<min(escapeStart + 2, bytes.count)]), as: UTF8.self)), escapeStart)
                    }
                    advance()
                    scratch.append(try hexEscape(length: kind == UInt8(ascii: "u") ? 4 : 8, from: escapeStart))
                    text.startRun(at: position)
                    continue
                }
                if b <= 0x20 || Cursor.forbiddenInIRI(b) {
                    throw fail(.invalidIRICharacter(b <= 0x20 ? String(format: "U+%04X", b) : String(UnicodeScalar(b))))
                }
                advance()
            }
            var span = text.finish(at: position, in: bytes, kind: .iri)
            advance()
            let iri = span.text(line: bytes, scratch: scratch)
            guard Cursor.isAbsolute(iri) else { throw failAt(.relativeIRI(String(decoding: iri, as: UTF8.self)), start) }
            if iri.starts(with: Cursor.kglogScheme) {
                span.kind = .name
                span.range = span.range.dropFirst(Cursor.kglogScheme.count)
            }
            return span
        }

        static let kglogScheme = Array("kglog:".utf8)

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
        static func isAbsolute(_ iri: UnsafeBufferPointer<UInt8>) -> Bool {
            var utf8 = iri.makeIterator()
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
        mutating func blankNode() throws(FormatDiagnostic) -> Span {
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
            return Span(kind: .blank, range: labelStart..<position, inScratch: false)
        }

        // literal ::= STRING_LITERAL_QUOTE ('^^' IRIREF | LANGTAG)?
        mutating func literal() throws(FormatDiagnostic) -> Span {
            let start = position
            advance()
            var text = TextBuilder(at: position, scratch: scratch)
            while true {
                guard let b = peek else { throw failAt(.unterminatedString, start) }
                if b == UInt8(ascii: "\"") { break }
                if b == 0x0A || b == 0x0D { throw failAt(.unterminatedString, start) }
                guard b == UInt8(ascii: "\\") else { advance(); continue }
                text.endRun(at: position, in: bytes)
                let escapeStart = position
                advance()
                guard let e = peek else { throw failAt(.unterminatedString, start) }
                advance()
                switch e {
                case UInt8(ascii: "t"): scratch.append("\t")
                case UInt8(ascii: "b"): scratch.append("\u{08}")
                case UInt8(ascii: "n"): scratch.append("\n")
                case UInt8(ascii: "r"): scratch.append("\r")
                case UInt8(ascii: "f"): scratch.append("\u{0C}")
                case UInt8(ascii: "\""): scratch.append("\"")
                case UInt8(ascii: "'"): scratch.append("'")
                case UInt8(ascii: "\\"): scratch.append("\\")
                case UInt8(ascii: "u"), UInt8(ascii: "U"):
                    scratch.append(try hexEscape(length: e == UInt8(ascii: "u") ? 4 : 8, from: escapeStart))
                default:
                    throw failAt(.invalidEscape("\\" + String(decoding: [e], as: UTF8.self)), escapeStart)
                }
                text.startRun(at: position)
            }
            let lexical = text.finish(at: position, in: bytes, kind: .string)
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
                // Stored as "tag text", the tag in lower case.
                let stored = scratch.count
                scratch.append(contentsOf: bytes[(tagStart + 1)..<position].lazy.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 | 0x20 : $0 })
                scratch.append(" ")
                // (Copied first when it is in the scratch space, which may move as it grows.)
                let text = lexical.text(line: bytes, scratch: scratch)
                if lexical.inScratch { scratch.append(contentsOf: Array(text)) } else { scratch.append(contentsOf: text) }
                return Span(kind: .langString, range: stored..<scratch.count, inScratch: true)
            }
            if peek == UInt8(ascii: "^") {
                let caret = position
                advance()
                guard peek == UInt8(ascii: "^") else { throw failAt(.expected("'^^'", found: "'^'"), caret) }
                advance()
                guard peek == UInt8(ascii: "<") else { throw fail(.expected("a datatype IRI", found: found())) }
                let datatypeStart = position
                let datatype = try iri()
                guard datatype.kind == .iri else { throw failAt(.expected("a datatype IRI", found: "a kglog name"), datatypeStart) }
                return typed(lexical, datatype: datatype)
            }
            return lexical
        }

        /// A typed literal: canonical integers (the common case) directly, every other one
        /// through `Value.literal`, which decides what becomes a kglog number, date or string.
        private mutating func typed(_ lexical: Span, datatype: Span) -> Span {
            let text = lexical.text(line: bytes, scratch: scratch)
            if datatype.text(line: bytes, scratch: scratch).elementsEqual(Cursor.xsdInteger) && Cursor.isCanonicalInteger(text) {
                return Span(kind: .integer, range: lexical.range, inScratch: lexical.inScratch)
            }
            let value = Value.literal(String(decoding: text, as: UTF8.self),
                                      datatype: String(decoding: datatype.text(line: bytes, scratch: scratch), as: UTF8.self))
            let stored = scratch.count
            scratch.append(contentsOf: TermCode.dictionaryKey(of: value).text.utf8)
            return Span(kind: value.kind, range: stored..<scratch.count, inScratch: true)
        }

        static let xsdInteger = Array((Value.xsd + "integer").utf8)

        /// `-?(0|[1-9][0-9]*)` short enough to fit an Int64, and not "-0": text that reads back
        /// as the same integer.
        static func isCanonicalInteger(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
            let digits = text.first == UInt8(ascii: "-") ? UnsafeBufferPointer(rebasing: text.dropFirst()) : text
            guard let first = digits.first, digits.count <= 18, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return false }
            return first != UInt8(ascii: "0") || digits.count == 1 && digits.count == text.count
        }
    }
}

/// The text of an IRI or string being read: the line's bytes themselves while no escape has
/// come; from the first escape on, the plain runs and decoded characters go to the scratch space.
private struct TextBuilder {
    private let scratch: NTriplesParser.Scratch
    private var runStart: Int
    private var scratchStart: Int?

    init(at position: Int, scratch: NTriplesParser.Scratch) {
        self.scratch = scratch
        runStart = position
    }

    /// Ends the plain run before an escape (whose character the caller appends to the scratch).
    mutating func endRun(at position: Int, in bytes: UnsafeBufferPointer<UInt8>) {
        if scratchStart == nil { scratchStart = scratch.count }
        scratch.append(contentsOf: bytes[runStart..<position])
    }

    /// Starts the next plain run after an escape.
    mutating func startRun(at position: Int) {
        runStart = position
    }

    func finish(at position: Int, in bytes: UnsafeBufferPointer<UInt8>, kind: Value.Kind) -> NTriplesParser.Span {
        guard let scratchStart else { return NTriplesParser.Span(kind: kind, range: runStart..<position, inScratch: false) }
        scratch.append(contentsOf: bytes[runStart..<position])
        return NTriplesParser.Span(kind: kind, range: scratchStart..<scratch.count, inScratch: true)
    }
}
