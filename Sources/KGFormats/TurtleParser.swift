import Foundation
import KGSyntax

/// Reads Turtle and TriG (RDF 1.1) as they stream in: prefixes and bases (`@prefix`, `@base`,
/// and SPARQL's `PREFIX`, `BASE`), relative IRIs resolved per RFC 3986, `a`, `;` and `,`,
/// collections, blank node property lists, every literal form, and TriG's graphs. Each triple
/// (quad) is handed over as it is read, so memory stays flat whatever the file's size.
///
/// Terms become values as the N-Triples reader makes them: IRIs `.iri` (the `kglog:` scheme a
/// name again), blank nodes `.blank` (a `[]` or a collection's nodes get labels of their own,
/// `genid-N`, which no label in the file can be), literals through `Value.literal` (XML Schema
/// numbers and dates in canonical form become kglog values); Turtle's bare numbers are
/// `xsd:integer`, `xsd:decimal` or `xsd:double` literals, `true` and `false` `xsd:boolean` ones.
public struct TurtleParser {
    public enum Format: Sendable { case turtle, trig }

    public let format: Format
    /// The prefixes the document declared, last declaration of each name kept.
    public private(set) var prefixes: [String: String] = [:]
    private var base: String?
    private var source: ByteSource
    private var blankNodes = 0
    private var graph: Value?
    private var emit: (Quad, Int) throws -> Void = { _, _ in }

    static let rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    static let xsd = "http://www.w3.org/2001/XMLSchema#"
    static let rdfType = Value.iri(rdf + "type")
    static let rdfFirst = Value.iri(rdf + "first")
    static let rdfRest = Value.iri(rdf + "rest")
    static let rdfNil = Value.iri(rdf + "nil")

    /// A reader of `source`; `base` resolves relative IRIs until the document sets its own.
    public init(format: Format, source: ByteSource, base: String? = nil) {
        self.format = format
        self.source = source
        self.base = base
    }

    /// Reads the whole document, handing each triple (with its graph, in TriG) to `emit` with
    /// the line it was read on.
    public mutating func parse(_ emit: @escaping (Quad, Int) throws -> Void) throws {
        self.emit = emit
        defer { self.emit = { _, _ in } }
        while true {
            try skipSpace()
            guard try source.peek() != nil else { return }
            try statement()
        }
    }

    // MARK: - Statements

    private mutating func statement() throws {
        if try directive() { return }
        if format == .trig {
            try block()
        } else {
            try triples()
            try expect(".")
        }
    }

    /// `@prefix`, `@base`, `PREFIX`, `BASE`; false when the statement is none of them.
    private mutating func directive() throws -> Bool {
        if try source.peek() == UInt8(ascii: "@") {
            let (line, column) = source.position
            let word = try source.peekWord(after: 1)
            switch word {
            case "prefix":
                source.advance(count: 7)
                try prefixDeclaration()
                try expect(".")
            case "base":
                source.advance(count: 5)
                try skipSpace()
                base = try iriReference()
                try expect(".")
            default:
                throw FormatDiagnostic(error: .expected("'@prefix' or '@base'", found: "'@\(word)'"), line: line, column: column)
            }
            return true
        }
        guard let first = try source.peek(), first | 0x20 == UInt8(ascii: "p") || first | 0x20 == UInt8(ascii: "b") else { return false }
        let word = try source.peekWord(after: 0).uppercased()
        guard word == "PREFIX" || word == "BASE", try isWordEnd(after: word.utf8.count) else { return false }
        source.advance(count: word.utf8.count)
        if word == "PREFIX" {
            try prefixDeclaration()
        } else {
            try skipSpace()
            base = try iriReference()
        }
        return true
    }

    private mutating func prefixDeclaration() throws {
        try skipSpace()
        let (line, column) = source.position
        var name = ""
        if try source.peek() != UInt8(ascii: ":") {
            name = try prefixName()
        }
        guard try source.peek() == UInt8(ascii: ":") else { throw fail(.expected("a prefix name ending with ':'", found: try found()), line, column) }
        source.advance()
        try skipSpace()
        prefixes[name] = try iriReference()
    }

    /// TriG: a graph, or triples of the default graph.
    private mutating func block() throws {
        let word = try source.peekWord(after: 0)
        if word.uppercased() == "GRAPH", try isWordEnd(after: 5) {
            source.advance(count: 5)
            try skipSpace()
            let (line, column) = source.position
            guard let label = try graphLabel() else { throw fail(.expected("a graph name (an IRI or a blank node)", found: try found()), line, column) }
            try skipSpace()
            try wrappedGraph(label)
            return
        }
        if try source.peek() == UInt8(ascii: "{") {
            try wrappedGraph(nil)
            return
        }
        let next = try source.peek()
        if next == UInt8(ascii: "[") || next == UInt8(ascii: "(") {
            // A blank node property list or a collection: triples of the default graph (or,
            // for `[]` alone, a graph's name).
            if next == UInt8(ascii: "["), try isAnonymous() {
                let label = freshBlankNode()
                try skipAnonymous()
                try skipSpace()
                if try source.peek() == UInt8(ascii: "{") { return try wrappedGraph(label) }
                try predicateObjectList(subject: label)
                try expect(".")
                return
            }
            graph = nil
            try triples()
            try expect(".")
            return
        }
        // An IRI or a blank node: a graph's name, or a subject.
        let (line, column) = source.position
        guard let subject = try graphLabel() else { throw fail(.expected("a subject or a graph", found: try found()), line, column) }
        try skipSpace()
        if try source.peek() == UInt8(ascii: "{") { return try wrappedGraph(subject) }
        graph = nil
        try predicateObjectList(subject: subject)
        try expect(".")
    }

    /// An IRI or a labelled or anonymous blank node; nil when none comes next.
    private mutating func graphLabel() throws -> Value? {
        switch try source.peek() {
        case UInt8(ascii: "<"): return iriValue(try iriReference())
        case UInt8(ascii: "_"): return try blankNodeLabel()
        case UInt8(ascii: "["):
            guard try isAnonymous() else { return nil }
            try skipAnonymous()
            return freshBlankNode()
        default:
            guard try startsPrefixedName() else { return nil }
            return iriValue(try prefixedName())
        }
    }

    /// `{ triples . triples . ... }`, each triple in `label`'s graph.
    private mutating func wrappedGraph(_ label: Value?) throws {
        try expect("{")
        graph = label
        defer { graph = nil }
        while true {
            try skipSpace()
            if try source.peek() == UInt8(ascii: "}") {
                source.advance()
                return
            }
            try triples()
            try skipSpace()
            if try source.peek() == UInt8(ascii: ".") {
                source.advance()
                continue
            }
            let (line, column) = source.position
            guard try source.peek() == UInt8(ascii: "}") else { throw fail(.expected("'.' or '}'", found: try found()), line, column) }
        }
    }

    /// `subject predicateObjectList`, or `[ ... ] predicateObjectList?`.
    private mutating func triples() throws {
        try skipSpace()
        let (line, column) = source.position
        switch try source.peek() {
        case UInt8(ascii: "["):
            if try isAnonymous() {
                try skipAnonymous()
                try predicateObjectList(subject: freshBlankNode())
                return
            }
            let node = try blankNodePropertyList()
            try skipSpace()
            if try startsPredicate() { try predicateObjectList(subject: node) }
        case UInt8(ascii: "("):
            let list = try collection()
            try predicateObjectList(subject: list)
        case UInt8(ascii: "<"):
            try predicateObjectList(subject: iriValue(try iriReference()))
        case UInt8(ascii: "_"):
            try predicateObjectList(subject: try blankNodeLabel())
        default:
            guard try startsPrefixedName() else { throw fail(.expected("a subject", found: try found()), line, column) }
            try predicateObjectList(subject: iriValue(try prefixedName()))
        }
    }

    /// `verb objectList (';' (verb objectList)?)*`.
    private mutating func predicateObjectList(subject: Value) throws {
        try skipSpace()
        let predicate = try verb()
        try objectList(subject: subject, predicate: predicate)
        while true {
            try skipSpace()
            guard try source.peek() == UInt8(ascii: ";") else { return }
            while try source.peek() == UInt8(ascii: ";") {
                source.advance()
                try skipSpace()
            }
            guard try startsPredicate() else { return }
            let predicate = try verb()
            try objectList(subject: subject, predicate: predicate)
        }
    }

    private mutating func objectList(subject: Value, predicate: Value) throws {
        while true {
            try skipSpace()
            let object = try objectTerm()
            try emit(Quad(subject: subject, predicate: predicate, object: object, graph: graph), source.position.line)
            try skipSpace()
            guard try source.peek() == UInt8(ascii: ",") else { return }
            source.advance()
        }
    }

    private func startsPredicate() throws -> Bool {
        let next = try source.peek()
        if next == UInt8(ascii: "<") { return true }
        if next == UInt8(ascii: "a"), try isWordEnd(after: 1) { return true }
        return try startsPrefixedName()
    }

    /// `a` or an IRI.
    private mutating func verb() throws -> Value {
        let (line, column) = source.position
        if try source.peek() == UInt8(ascii: "a"), try isWordEnd(after: 1) {
            source.advance()
            return TurtleParser.rdfType
        }
        if try source.peek() == UInt8(ascii: "<") { return iriValue(try iriReference()) }
        guard try startsPrefixedName() else { throw fail(.expected("a predicate", found: try found()), line, column) }
        return iriValue(try prefixedName())
    }

    /// An object: an IRI, a blank node, a collection, a property list, or a literal.
    private mutating func objectTerm() throws -> Value {
        let (line, column) = source.position
        guard let next = try source.peek() else { throw fail(.expected("an object", found: "the end of the file"), line, column) }
        switch next {
        case UInt8(ascii: "<"): return iriValue(try iriReference())
        case UInt8(ascii: "_"): return try blankNodeLabel()
        case UInt8(ascii: "["):
            if try isAnonymous() {
                try skipAnonymous()
                return freshBlankNode()
            }
            return try blankNodePropertyList()
        case UInt8(ascii: "("): return try collection()
        case UInt8(ascii: "\""), UInt8(ascii: "'"): return try rdfLiteral()
        case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try numericLiteral()
        case UInt8(ascii: "."):
            guard let after = try source.peek(1), after >= UInt8(ascii: "0") && after <= UInt8(ascii: "9") else {
                throw fail(.expected("an object", found: try found()), line, column)
            }
            return try numericLiteral()
        default:
            for word in ["true", "false"] where try next == word.utf8.first && source.peekWord(after: 0) == word && isWordEnd(after: word.utf8.count) {
                source.advance(count: word.utf8.count)
                return Value.literal(word, datatype: Value.XSD.boolean)
            }
            guard try startsPrefixedName() else { throw fail(.expected("an object", found: try found()), line, column) }
            return iriValue(try prefixedName())
        }
    }

    /// `[ predicateObjectList ]`: a fresh blank node, the subject of the list's triples.
    private mutating func blankNodePropertyList() throws -> Value {
        try expect("[")
        let node = freshBlankNode()
        try predicateObjectList(subject: node)
        try expect("]")
        return node
    }

    /// `( object* )`: `rdf:nil`, or a chain of `rdf:first` / `rdf:rest` nodes.
    private mutating func collection() throws -> Value {
        try expect("(")
        var items: [Value] = []
        while true {
            try skipSpace()
            if try source.peek() == UInt8(ascii: ")") {
                source.advance()
                break
            }
            items.append(try objectTerm())
        }
        guard !items.isEmpty else { return TurtleParser.rdfNil }
        let nodes = items.map { _ in freshBlankNode() }
        for (index, item) in items.enumerated() {
            try emit(Quad(subject: nodes[index], predicate: TurtleParser.rdfFirst, object: item, graph: graph), source.position.line)
            let rest = index + 1 < nodes.count ? nodes[index + 1] : TurtleParser.rdfNil
            try emit(Quad(subject: nodes[index], predicate: TurtleParser.rdfRest, object: rest, graph: graph), source.position.line)
        }
        return nodes[0]
    }

    // MARK: - Terms

    private mutating func freshBlankNode() -> Value {
        blankNodes += 1
        return .blank("genid-\(blankNodes)")
    }

    /// Whether `[` is followed only by white space and `]`.
    private func isAnonymous() throws -> Bool {
        var offset = 1
        while let b = try source.peek(offset) {
            if b == UInt8(ascii: "]") { return true }
            guard b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D else { return false }
            offset += 1
        }
        return false
    }

    private mutating func skipAnonymous() throws {
        source.advance()
        while try source.peek() != UInt8(ascii: "]") { source.advance() }
        source.advance()
    }

    /// An IRI as a value: the `kglog:` scheme names a kglog name.
    private func iriValue(_ iri: String) -> Value {
        iri.utf8.count > 6 && iri.hasPrefix("kglog:") ? .name(String(iri.dropFirst(6))) : .iri(iri)
    }

    /// `<...>`, its escapes read and the result resolved against the base.
    private mutating func iriReference() throws -> String {
        let (line, column) = source.position
        guard try source.peek() == UInt8(ascii: "<") else { throw fail(.expected("an IRI in '<' '>'", found: try found()), line, column) }
        source.advance()
        // Most IRIs have no escapes: taken from the buffer in one piece.
        let plain = try source.countRun { b, _ in b != UInt8(ascii: ">") && !TurtleParser.forbiddenInIRI(UInt32(b)) }
        if try source.peek(plain) == UInt8(ascii: ">") {
            guard let text = source.text(count: plain) else { throw fail(.notUTF8, line, column) }
            source.advance(withinLine: plain + 1)
            return try resolve(text, line: line, column: column)
        }
        var bytes: [UInt8] = []
        while true {
            let (cline, ccolumn) = source.position
            guard let b = try source.peek() else { throw fail(.unterminatedIRI, line, column) }
            source.advance()
            if b == UInt8(ascii: ">") { break }
            if b == UInt8(ascii: "\\") {
                let scalar = try unicodeEscape(line: cline, column: ccolumn)
                guard !TurtleParser.forbiddenInIRI(scalar.value) else { throw fail(.invalidIRICharacter(TurtleParser.describe(scalar)), cline, ccolumn) }
                bytes += Array(String(Character(scalar)).utf8)
                continue
            }
            guard !TurtleParser.forbiddenInIRI(UInt32(b)) else {
                throw fail(.invalidIRICharacter(b < 0x80 ? TurtleParser.describe(Unicode.Scalar(b)) : "\\u\(String(b, radix: 16))"), cline, ccolumn)
            }
            bytes.append(b)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw fail(.notUTF8, line, column) }
        return try resolve(text, line: line, column: column)
    }

    private func resolve(_ reference: String, line: Int, column: Int) throws -> String {
        if IRIResolution.hasScheme(reference) { return reference }
        guard let base else { throw fail(.relativeIRIWithoutBase(reference), line, column) }
        return IRIResolution.resolve(reference, against: base)
    }

    static func forbiddenInIRI(_ value: UInt32) -> Bool {
        switch value {
        case 0...0x20, 0x3C, 0x3E, 0x22, 0x7B, 0x7D, 0x7C, 0x5E, 0x60, 0x5C: return true
        default: return false
        }
    }

    static func describe(_ scalar: Unicode.Scalar) -> String {
        "U+" + String(format: "%04X", scalar.value)
    }

    /// After a `\`: `uXXXX` or `UXXXXXXXX`, as a scalar.
    private mutating func unicodeEscape(line: Int, column: Int) throws -> Unicode.Scalar {
        guard let kind = try source.peek(), kind == UInt8(ascii: "u") || kind == UInt8(ascii: "U") else {
            throw fail(.invalidEscape("\\" + (try source.peek().map { String(UnicodeScalar($0)) } ?? "")), line, column)
        }
        source.advance()
        let count = kind == UInt8(ascii: "u") ? 4 : 8
        var value: UInt32 = 0
        for _ in 0..<count {
            guard let b = try source.peek(), let digit = Hex.digit(b) else { throw fail(.invalidEscape("\\" + String(UnicodeScalar(kind))), line, column) }
            source.advance()
            value = value << 4 | UInt32(digit)
        }
        guard let scalar = Unicode.Scalar(value) else { throw fail(.invalidEscape(String(format: "\\U%08X", value)), line, column) }
        return scalar
    }

    /// `prefix:local` or `prefix:`, as the IRI it stands for.
    private mutating func prefixedName() throws -> String {
        let (line, column) = source.position
        var name = ""
        if try source.peek() != UInt8(ascii: ":") { name = try prefixName() }
        guard try source.peek() == UInt8(ascii: ":") else { throw fail(.expected("':' after a prefix", found: try found()), line, column) }
        source.advance()
        guard let namespace = prefixes[name] else { throw fail(.unknownPrefix(name), line, column) }
        return namespace + (try localName())
    }

    /// Whether a prefixed name starts here (a letter, or `:`).
    private func startsPrefixedName() throws -> Bool {
        guard let b = try source.peek() else { return false }
        if b == UInt8(ascii: ":") { return true }
        guard let scalar = try source.peekScalar() else { return false }
        return TurtleParser.isNameStart(scalar)
    }

    /// PN_PREFIX: a letter, then letters, digits, `_`, `-`, `.` (not last).
    private mutating func prefixName() throws -> String {
        let (line, column) = source.position
        // ASCII names, the usual ones, in one piece.
        let source = self.source
        let plain = try source.countRun { b, offset in
            if TurtleParser.isASCIILetter(b) { return true }
            if offset == 0 { return false }
            if TurtleParser.isPlainNameByte(b) { return b != UInt8(ascii: ":") }
            guard b == UInt8(ascii: "."), let after = try source.peek(offset + 1) else { return false }
            return (TurtleParser.isPlainNameByte(after) && after != UInt8(ascii: ":")) || after == UInt8(ascii: ".")
        }
        if plain > 0, try !TurtleParser.continuesBeyondASCII(source, at: plain) {
            let name = source.text(count: plain)!
            source.advance(withinLine: plain)
            return name
        }
        guard let first = try source.peekScalar(), TurtleParser.isNameStart(first) else {
            throw fail(.expected("a prefix name", found: try found()), line, column)
        }
        var name = String(Character(first))
        source.advance(count: first.utf8Length)
        while let scalar = try source.peekScalar() {
            if TurtleParser.isNameChar(scalar) {
                name.unicodeScalars.append(scalar)
                source.advance(count: scalar.utf8Length)
            } else if scalar == ".", let after = try source.peekScalar(after: 1), TurtleParser.isNameChar(after) || after == "." {
                name.append(".")
                source.advance()
            } else {
                break
            }
        }
        return name
    }

    /// PN_LOCAL, its `\` escapes read (percent escapes are kept, as in the IRI).
    private mutating func localName() throws -> String {
        // ASCII names without escapes, the usual ones, in one piece.
        let source = self.source
        let plain = try source.countRun { b, offset in
            if TurtleParser.isPlainNameByte(b) { return offset > 0 || b != UInt8(ascii: "-") }
            guard b == UInt8(ascii: "."), offset > 0, let after = try source.peek(offset + 1) else { return false }
            return TurtleParser.isPlainNameByte(after) || after == UInt8(ascii: ".")
        }
        if try !TurtleParser.continuesBeyondASCII(source, at: plain) {
            let name = source.text(count: plain)!
            source.advance(withinLine: plain)
            return name
        }
        var name = ""
        var first = true
        while true {
            let (line, column) = source.position
            guard let scalar = try source.peekScalar() else { break }
            if scalar == "\\" {
                guard let escaped = try source.peekScalar(after: 1), "_~.-!$&'()*+,;=/?#@%".unicodeScalars.contains(escaped) else {
                    throw fail(.invalidEscape("\\" + ((try source.peekScalar(after: 1)).map { String($0) } ?? "")), line, column)
                }
                name.unicodeScalars.append(escaped)
                source.advance(count: 2)
            } else if scalar == "%" {
                guard let h1 = try source.peek(1), let h2 = try source.peek(2), Hex.digit(h1) != nil, Hex.digit(h2) != nil else {
                    throw fail(.invalidEscape("%"), line, column)
                }
                name += "%" + String(UnicodeScalar(h1)) + String(UnicodeScalar(h2))
                source.advance(count: 3)
            } else if first ? (TurtleParser.isNameStart(scalar) || scalar == "_" || scalar == ":" || ("0"..."9").contains(scalar))
                            : (TurtleParser.isNameChar(scalar) || scalar == ":") {
                name.unicodeScalars.append(scalar)
                source.advance(count: scalar.utf8Length)
            } else if scalar == ".", !name.isEmpty, let after = try source.peekScalar(after: 1),
                      TurtleParser.isNameChar(after) || after == ":" || after == "." || after == "\\" || after == "%" {
                name.append(".")
                source.advance()
            } else {
                break
            }
            first = false
        }
        return name
    }

    /// `_:label`.
    private mutating func blankNodeLabel() throws -> Value {
        let (line, column) = source.position
        guard try source.peek() == UInt8(ascii: "_"), try source.peek(1) == UInt8(ascii: ":") else {
            throw fail(.invalidBlankNode, line, column)
        }
        source.advance(count: 2)
        guard let first = try source.peekScalar(), TurtleParser.isNameStart(first) || first == "_" || (first.isASCII && first.properties.numericType != nil) else {
            throw fail(.invalidBlankNode, line, column)
        }
        var label = String(Character(first))
        source.advance(count: first.utf8Length)
        while let scalar = try source.peekScalar() {
            if TurtleParser.isNameChar(scalar) {
                label.unicodeScalars.append(scalar)
                source.advance(count: scalar.utf8Length)
            } else if scalar == ".", let after = try source.peekScalar(after: 1), TurtleParser.isNameChar(after) || after == "." {
                label.append(".")
                source.advance()
            } else {
                break
            }
        }
        // The document's labels are its own: another document's `_:a` is another node; and
        // none can be taken for a node made here.
        return .blank("b-" + label)
    }

    /// A string, then a language tag or a datatype.
    private mutating func rdfLiteral() throws -> Value {
        let text = try string()
        if try source.peek() == UInt8(ascii: "@") {
            let (line, column) = source.position
            source.advance()
            // Letters, then parts of letters and digits after `-`.
            var length = try source.countRun { b, _ in TurtleParser.isASCIILetter(b) }
            guard length > 0 else { throw fail(.invalidLanguageTag, line, column) }
            while try source.peek(length) == UInt8(ascii: "-") {
                let part = try source.countRun(from: length + 1) { b, _ in TurtleParser.isASCIILetter(b) || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) }
                guard part > 0 else { throw fail(.invalidLanguageTag, line, column) }
                length += 1 + part
            }
            let tag = source.text(count: length)!
            source.advance(withinLine: length)
            return .langString(text, language: tag.utf8.contains { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") } ? tag.lowercased() : tag)
        }
        if try source.peek() == UInt8(ascii: "^"), try source.peek(1) == UInt8(ascii: "^") {
            source.advance(count: 2)
            let (line, column) = source.position
            let datatype: String
            if try source.peek() == UInt8(ascii: "<") {
                datatype = try iriReference()
            } else if try startsPrefixedName() {
                datatype = try prefixedName()
            } else {
                throw fail(.expected("a datatype IRI", found: try found()), line, column)
            }
            return Value.literal(text, datatype: datatype)
        }
        return .string(text)
    }

    /// One of the four quoted forms, its escapes read.
    private mutating func string() throws -> String {
        let (line, column) = source.position
        guard let quote = try source.peek() else { throw fail(.unterminatedString, line, column) }
        let long = try source.peek(1) == quote && source.peek(2) == quote
        source.advance(count: long ? 3 : 1)
        if !long {
            // Most strings have no escapes: taken from the buffer in one piece.
            let plain = try source.countRun { b, _ in b != quote && b != UInt8(ascii: "\\") && b != 0x0A && b != 0x0D }
            if try source.peek(plain) == quote {
                guard let text = source.text(count: plain) else { throw fail(.notUTF8, line, column) }
                source.advance(withinLine: plain + 1)
                return text
            }
        }
        var bytes: [UInt8] = []
        while true {
            let (cline, ccolumn) = source.position
            guard let b = try source.peek() else { throw fail(.unterminatedString, line, column) }
            if b == quote {
                if !long {
                    source.advance()
                    break
                }
                if try source.peek(1) == quote, try source.peek(2) == quote {
                    source.advance(count: 3)
                    break
                }
                bytes.append(b)
                source.advance()
                continue
            }
            if !long && (b == 0x0A || b == 0x0D) { throw fail(.unterminatedString, line, column) }
            if b == UInt8(ascii: "\\") {
                source.advance()
                guard let e = try source.peek() else { throw fail(.unterminatedString, line, column) }
                let simple: [UInt8: UInt8] = [UInt8(ascii: "t"): 0x09, UInt8(ascii: "b"): 0x08, UInt8(ascii: "n"): 0x0A, UInt8(ascii: "r"): 0x0D,
                                              UInt8(ascii: "f"): 0x0C, UInt8(ascii: "\""): 0x22, UInt8(ascii: "'"): 0x27, UInt8(ascii: "\\"): 0x5C]
                if let replacement = simple[e] {
                    bytes.append(replacement)
                    source.advance()
                } else {
                    let scalar = try unicodeEscape(line: cline, column: ccolumn)
                    bytes += Array(String(Character(scalar)).utf8)
                }
                continue
            }
            bytes.append(b)
            source.advance()
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw fail(.notUTF8, line, column) }
        return text
    }

    /// INTEGER, DECIMAL or DOUBLE.
    private mutating func numericLiteral() throws -> Value {
        let (line, column) = source.position
        // An integer, the usual number, in one piece.
        let sign = try source.peek() == UInt8(ascii: "+") || source.peek() == UInt8(ascii: "-") ? 1 : 0
        let digitCount = try source.countRun(from: sign) { b, _ in b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
        let goesOn = try source.peek(sign + digitCount).map { $0 == UInt8(ascii: ".") || $0 | 0x20 == UInt8(ascii: "e") } ?? false
        if digitCount > 0 && !goesOn {
            let text = source.text(count: sign + digitCount)!
            source.advance(withinLine: sign + digitCount)
            return Value.literal(text, datatype: Value.XSD.integer)
        }
        var text = ""
        func digits() throws -> Int {
            var count = 0
            while let b = try source.peek(), b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") {
                text.append(Character(UnicodeScalar(b)))
                source.advance()
                count += 1
            }
            return count
        }
        if let sign = try source.peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            text.append(Character(UnicodeScalar(sign)))
            source.advance()
        }
        let whole = try digits()
        var fraction = 0
        var hasPoint = false
        if try source.peek() == UInt8(ascii: "."), let after = try source.peek(1),
           (after >= UInt8(ascii: "0") && after <= UInt8(ascii: "9")) || ((after | 0x20) == UInt8(ascii: "e") && whole > 0) {
            hasPoint = true
            text.append(".")
            source.advance()
            fraction = try digits()
        }
        guard whole + fraction > 0 else { throw fail(.expected("a number", found: try found()), line, column) }
        if let e = try source.peek(), (e | 0x20) == UInt8(ascii: "e") {
            text.append(Character(UnicodeScalar(e)))
            source.advance()
            if let sign = try source.peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                text.append(Character(UnicodeScalar(sign)))
                source.advance()
            }
            guard try digits() > 0 else { throw fail(.expected("the exponent's digits", found: try found()), line, column) }
            return Value.literal(text, datatype: Value.XSD.double)
        }
        return Value.literal(text, datatype: hasPoint ? Value.XSD.decimal : Value.XSD.integer)
    }

    // MARK: - Characters

    static func isASCIILetter(_ b: UInt8) -> Bool {
        (b | 0x20) >= UInt8(ascii: "a") && (b | 0x20) <= UInt8(ascii: "z")
    }

    /// An ASCII byte that a local name may hold anywhere but first: a letter, a digit, `_`, `-`
    /// or `:`.
    static func isPlainNameByte(_ b: UInt8) -> Bool {
        isASCIILetter(b) || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "_") || b == UInt8(ascii: "-") || b == UInt8(ascii: ":")
    }

    /// Whether a name whose ASCII part ends `offset` bytes ahead may go on with an escape or a
    /// character beyond ASCII (directly, or after a dot): then it is read scalar by scalar.
    static func continuesBeyondASCII(_ source: ByteSource, at offset: Int) throws -> Bool {
        guard var b = try source.peek(offset) else { return false }
        if b == UInt8(ascii: ".") {
            guard let after = try source.peek(offset + 1) else { return false }
            b = after
        }
        return b >= 0x80 || b == UInt8(ascii: "\\") || b == UInt8(ascii: "%")
    }

    /// PN_CHARS_BASE.
    static func isNameStart(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        switch v {
        case 0x41...0x5A, 0x61...0x7A, 0xC0...0xD6, 0xD8...0xF6, 0xF8...0x2FF, 0x370...0x37D, 0x37F...0x1FFF, 0x200C...0x200D,
             0x2070...0x218F, 0x2C00...0x2FEF, 0x3001...0xD7FF, 0xF900...0xFDCF, 0xFDF0...0xFFFD, 0x10000...0xEFFFF:
            return true
        default:
            return false
        }
    }

    /// PN_CHARS.
    static func isNameChar(_ s: Unicode.Scalar) -> Bool {
        if isNameStart(s) { return true }
        switch s.value {
        case 0x5F, 0x2D, 0x30...0x39, 0xB7, 0x300...0x36F, 0x203F...0x2040: return true
        default: return false
        }
    }

    /// Skips white space and comments.
    private mutating func skipSpace() throws {
        while let b = try source.peek() {
            if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D {
                source.advance()
            } else if b == UInt8(ascii: "#") {
                while let c = try source.peek(), c != 0x0A && c != 0x0D { source.advance() }
            } else {
                return
            }
        }
    }

    /// Whether the word of `length` bytes here ends there (the next byte starts no name).
    private func isWordEnd(after length: Int) throws -> Bool {
        guard let scalar = try source.peekScalar(after: length) else { return true }
        return !(TurtleParser.isNameChar(scalar) || scalar == ":")
    }

    private mutating func expect(_ symbol: Character) throws {
        try skipSpace()
        let (line, column) = source.position
        guard try source.peek() == symbol.asciiValue else { throw fail(.expected("'\(symbol)'", found: try found()), line, column) }
        source.advance()
    }

    /// What comes next, for an error: a few characters, or the end of the file.
    private func found() throws -> String {
        var text = ""
        var offset = 0
        while text.count < 12, let scalar = try source.peekScalar(after: offset), scalar != "\n", scalar != "\r" {
            text.unicodeScalars.append(scalar)
            offset += String(scalar).utf8.count
        }
        return text.isEmpty ? "the end of the file" : "'\(text)'"
    }

    private func fail(_ error: FormatError, _ line: Int, _ column: Int) -> FormatDiagnostic {
        FormatDiagnostic(error: error, line: line, column: column)
    }
}

/// Bytes read from a file a megabyte at a time (or from memory), with the line and column of
/// the next one. One reader reads it, on one thread, so its state is `@exclusivity(unchecked)`:
/// the runtime's access checks cost a sixth of a large import's reading.
public final class ByteSource {
    @exclusivity(unchecked) private var buffer: [UInt8] = []
    @exclusivity(unchecked) private var index = 0
    private let handle: FileHandle?
    @exclusivity(unchecked) private var atEnd = false
    /// Line and column (in characters, from 1) of the next byte.
    @exclusivity(unchecked) public private(set) var position = (line: 1, column: 1)
    @exclusivity(unchecked) private var lastWasCarriageReturn = false

    public init(path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw CocoaError(.fileReadNoSuchFile) }
        self.handle = handle
    }

    public init(bytes: [UInt8]) {
        buffer = bytes
        handle = nil
        atEnd = true
    }

    deinit { try? handle?.close() }

    /// The byte `offset` ahead, nil past the end.
    @inline(__always)
    func peek(_ offset: Int = 0) throws -> UInt8? {
        let at = index + offset
        if at < buffer.count { return buffer[at] }
        return try peekAfterRefill(offset)
    }

    private func peekAfterRefill(_ offset: Int) throws -> UInt8? {
        while index + offset >= buffer.count && !atEnd { try refill() }
        return index + offset < buffer.count ? buffer[index + offset] : nil
    }

    /// How many bytes from here on satisfy `accepts` (given each byte and its offset), all of
    /// them in the buffer afterwards.
    @inline(__always)
    func countRun(from start: Int = 0, _ accepts: (UInt8, Int) throws -> Bool) throws -> Int {
        var count = 0
        while let b = try peek(start + count), try accepts(b, count) { count += 1 }
        return count
    }

    /// The next `count` bytes (peeked already) as text, or nil when they are not UTF-8.
    func text(count: Int) -> String? {
        buffer.withUnsafeBufferPointer { all in
            let bytes = UnsafeBufferPointer(rebasing: all[index..<(index + count)])
            guard NTriplesParser.firstInvalidUTF8(bytes) == nil else { return nil }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    private func refill() throws {
        if index > 0 {
            buffer.removeFirst(index)
            index = 0
        }
        guard let handle, let data = try handle.read(upToCount: 1 << 20), !data.isEmpty else {
            atEnd = true
            return
        }
        buffer.append(contentsOf: data)
    }

    /// The Unicode scalar starting `offset` bytes ahead.
    func peekScalar(after offset: Int = 0) throws -> Unicode.Scalar? {
        guard let first = try peek(offset) else { return nil }
        if first < 0x80 { return Unicode.Scalar(first) }
        let count = first >= 0xF0 ? 4 : first >= 0xE0 ? 3 : 2
        var bytes = [first]
        for i in 1..<count {
            guard let b = try peek(offset + i) else { return nil }
            bytes.append(b)
        }
        return String(validating: bytes, as: UTF8.self)?.unicodeScalars.first
    }

    /// The letters (ASCII) starting `offset` bytes ahead.
    func peekWord(after offset: Int) throws -> String {
        var word = ""
        while let b = try peek(offset + word.utf8.count), (b | 0x20) >= UInt8(ascii: "a") && (b | 0x20) <= UInt8(ascii: "z") {
            word.append(Character(UnicodeScalar(b)))
        }
        return word
    }

    /// Moves past `count` bytes (peeked already) with no line break among them.
    func advance(withinLine count: Int) {
        guard count > 0 else { return }
        var characters = 0
        for at in index..<(index + count) where buffer[at] & 0xC0 != 0x80 { characters += 1 }
        index += count
        position.column += characters
        lastWasCarriageReturn = false
    }

    func advance(count: Int = 1) {
        for _ in 0..<count {
            guard index < buffer.count else { return }
            let b = buffer[index]
            index += 1
            if b == 0x0A {
                if !lastWasCarriageReturn { position = (position.line + 1, 1) }
                lastWasCarriageReturn = false
            } else if b == 0x0D {
                position = (position.line + 1, 1)
                lastWasCarriageReturn = true
            } else {
                lastWasCarriageReturn = false
                if b & 0xC0 != 0x80 { position.column += 1 }
            }
        }
    }
}

/// RFC 3986 reference resolution (section 5.2), for relative IRIs.
public enum IRIResolution {
    /// Whether a reference starts with a scheme (`http:`): it is absolute then.
    public static func hasScheme(_ reference: String) -> Bool {
        // A letter, then letters, digits, `+`, `-` and `.`, up to the colon.
        for (offset, b) in reference.utf8.enumerated() {
            if b == UInt8(ascii: ":") { return offset > 0 }
            let isLetter = (b | 0x20) >= UInt8(ascii: "a") && (b | 0x20) <= UInt8(ascii: "z")
            let isOther = (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "+") || b == UInt8(ascii: "-") || b == UInt8(ascii: ".")
            guard isLetter || (offset > 0 && isOther) else { return false }
        }
        return false
    }

    struct Parts {
        var scheme: String?
        var authority: String?
        var path: String
        var query: String?
        var fragment: String?

        init(_ text: String) {
            var rest = Substring(text)
            if let hash = rest.firstIndex(of: "#") {
                fragment = String(rest[rest.index(after: hash)...])
                rest = rest[..<hash]
            }
            if let question = rest.firstIndex(of: "?") {
                query = String(rest[rest.index(after: question)...])
                rest = rest[..<question]
            }
            if IRIResolution.hasScheme(String(rest)), let colon = rest.firstIndex(of: ":") {
                scheme = String(rest[..<colon])
                rest = rest[rest.index(after: colon)...]
            }
            if rest.hasPrefix("//") {
                rest = rest.dropFirst(2)
                let end = rest.firstIndex(of: "/") ?? rest.endIndex
                authority = String(rest[..<end])
                rest = rest[end...]
            }
            path = String(rest)
        }

        var text: String {
            var out = ""
            if let scheme { out += scheme + ":" }
            if let authority { out += "//" + authority }
            out += path
            if let query { out += "?" + query }
            if let fragment { out += "#" + fragment }
            return out
        }
    }

    /// The target IRI of `reference` against the absolute `base`.
    public static func resolve(_ reference: String, against base: String) -> String {
        let r = Parts(reference), b = Parts(base)
        var t = Parts("")
        if r.scheme != nil {
            t = r
            t.path = removeDotSegments(r.path)
        } else {
            if r.authority != nil {
                t.authority = r.authority
                t.path = removeDotSegments(r.path)
                t.query = r.query
            } else {
                if r.path.isEmpty {
                    t.path = b.path
                    t.query = r.query ?? b.query
                } else {
                    if r.path.hasPrefix("/") {
                        t.path = removeDotSegments(r.path)
                    } else {
                        t.path = removeDotSegments(merge(b, r.path))
                    }
                    t.query = r.query
                }
                t.authority = b.authority
            }
            t.scheme = b.scheme
        }
        t.fragment = r.fragment
        return t.text
    }

    private static func merge(_ base: Parts, _ path: String) -> String {
        if base.authority != nil && base.path.isEmpty { return "/" + path }
        guard let slash = base.path.lastIndex(of: "/") else { return path }
        return String(base.path[...slash]) + path
    }

    static func removeDotSegments(_ path: String) -> String {
        var input = Substring(path)
        var result = ""
        while !input.isEmpty {
            if input.hasPrefix("../") {
                input = input.dropFirst(3)
            } else if input.hasPrefix("./") {
                input = input.dropFirst(2)
            } else if input.hasPrefix("/./") {
                input = input.dropFirst(2)
            } else if input == "/." {
                input = "/"
            } else if input.hasPrefix("/../") {
                input = input.dropFirst(3)
                if let slash = result.lastIndex(of: "/") { result = String(result[..<slash]) } else { result = "" }
            } else if input == "/.." {
                input = "/"
                if let slash = result.lastIndex(of: "/") { result = String(result[..<slash]) } else { result = "" }
            } else if input == "." || input == ".." {
                input = ""
            } else {
                let start = input.hasPrefix("/") ? input.index(after: input.startIndex) : input.startIndex
                let end = input[start...].firstIndex(of: "/") ?? input.endIndex
                result += input[..<end]
                input = input[end...]
            }
        }
        return result
    }
}

extension Unicode.Scalar {
    /// The number of bytes of its UTF-8 encoding.
    var utf8Length: Int { value < 0x80 ? 1 : value < 0x800 ? 2 : value < 0x10000 ? 3 : 4 }
}
