/// Turns kglog source text into tokens, reporting every lexical error with its position.
///
/// The lexer works on UTF-8 bytes; columns count Unicode scalars so carets line up under
/// non-ASCII text. After an error it skips the offending text and goes on.
public struct Lexer {
    /// The UTF-8 source.
    public let bytes: [UInt8]
    private var position = 0
    private var line = 1
    private var column = 1
    /// The token read but not yet handed out (a token is read when one is asked for).
    private var pending: Token?
    /// The kind of the last token read, which decides what a `%` is.
    private var previousKind: Token.Kind?
    /// Every error found so far.
    public private(set) var diagnostics: [Diagnostic] = []

    public init(_ text: String) {
        self.bytes = Array(text.utf8)
    }

    /// The tokens of the whole text, ending with `.endOfInput`, and the errors found on the way.
    public static func tokenize(_ text: String) -> (tokens: [Token], diagnostics: [Diagnostic]) {
        var lexer = Lexer(text)
        var tokens: [Token] = []
        repeat { tokens.append(lexer.next()) } while tokens.last!.kind != .endOfInput
        return (tokens, lexer.diagnostics)
    }

    // MARK: - Driver

    /// The next token; `.endOfInput` at the end (and again after it). Reading token by token
    /// keeps memory flat however long the text.
    public mutating func next() -> Token {
        while true {
            skipSpaceAndComments()
            guard position < bytes.count else {
                return Token(kind: .endOfInput, text: "", location: here, range: position..<position)
            }
            lexToken()
            if let token = pending.take() { return token }
        }
    }

    private var here: SourceLocation { SourceLocation(line: line, column: column) }

    private func peek(_ offset: Int = 0) -> UInt8? {
        let i = position + offset
        return i < bytes.count ? bytes[i] : nil
    }

    private mutating func advance() {
        let byte = bytes[position]
        position += 1
        if byte == UInt8(ascii: "\n") {
            line += 1
            column = 1
        } else if byte & 0xC0 != 0x80 {
            column += 1
        }
    }

    private mutating func advance(by count: Int) {
        for _ in 0..<count { advance() }
    }

    private func text(_ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }

    /// Makes the token read from `start` to here; `text` is its text when already at hand.
    private mutating func emit(_ kind: Token.Kind, from start: Int, at location: SourceLocation, value: Value? = nil, text known: String? = nil) {
        pending = Token(kind: kind, text: known ?? text(start..<position), value: value, location: location, range: start..<position)
        previousKind = kind
    }

    private mutating func report(_ error: SyntaxError, at location: SourceLocation) {
        diagnostics.append(Diagnostic(error, at: location))
    }

    // MARK: - Space and comments

    private mutating func skipSpaceAndComments() {
        while let byte = peek() {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                advance()
            case UInt8(ascii: "%") where !percentIsModulo():
                while let b = peek(), b != UInt8(ascii: "\n") { advance() }
            default:
                return
            }
        }
    }

    /// `%` is the remainder operator after a variable, a number or `)` when an operand follows on
    /// the same line (`X % 2`, `(X + 1) % N`); everywhere else it starts a comment.
    private func percentIsModulo() -> Bool {
        guard let previous = previousKind else { return false }
        var i = position + 1
        while i < bytes.count, bytes[i] == UInt8(ascii: " ") || bytes[i] == UInt8(ascii: "\t") { i += 1 }
        guard i < bytes.count else { return false }
        let next = bytes[i]
        let isDigit = next >= UInt8(ascii: "0") && next <= UInt8(ascii: "9")
        switch previous {
        case .variable, .integer, .decimal:
            let isUpper = next >= UInt8(ascii: "A") && next <= UInt8(ascii: "Z")
            return isDigit || isUpper || next == UInt8(ascii: "_") || next == UInt8(ascii: "(") || next == UInt8(ascii: "-")
        case .rightParen:
            return isDigit || next == UInt8(ascii: "(")
        default:
            return false
        }
    }

    // MARK: - Plain facts

    /// The arguments of a plain fact, read straight from the bytes instead of as tokens: when
    /// the text from here (just after a predicate's name) is `( name { , name } ) .` on one
    /// line, with spaces or tabs between and ASCII names (a lowercase letter, then letters,
    /// digits, `_`, and `-` before a letter or digit), returns each name with where it starts
    /// and moves past the `.`; otherwise returns nil and moves nowhere, and the text is read as
    /// tokens (which is where anything else, and every error, is handled).
    mutating func plainFactArguments() -> (names: [(text: String, location: SourceLocation)], end: Int)? {
        guard pending == nil else { return nil }
        let count = bytes.count
        return bytes.withUnsafeBufferPointer { bytes -> (names: [(text: String, location: SourceLocation)], end: Int)? in
            var i = position
            func skipBlanks() { while i < count, bytes[i] == UInt8(ascii: " ") || bytes[i] == UInt8(ascii: "\t") { i += 1 } }
            skipBlanks()
            guard i < count, bytes[i] == UInt8(ascii: "(") else { return nil }
            i += 1
            var names: [(text: String, location: SourceLocation)] = []
            while true {
                skipBlanks()
                guard i < count, bytes[i] >= UInt8(ascii: "a"), bytes[i] <= UInt8(ascii: "z") else { return nil }
                let start = i
                i += 1
                while i < count {
                    if Lexer.isWordByte(bytes[i]) || (bytes[i] == UInt8(ascii: "-") && i + 1 < count && Lexer.isWordByte(bytes[i + 1])) {
                        i += 1
                    } else {
                        break
                    }
                }
                // Beyond ASCII, a prefixed name (`ex:a`), or a `-` before anything else: tokens.
                guard i < count, bytes[i] < 0x80, bytes[i] != UInt8(ascii: ":") else { return nil }
                names.append((String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self),
                               SourceLocation(line: line, column: column + (start - position))))
                skipBlanks()
                guard i < count else { return nil }
                if bytes[i] == UInt8(ascii: ",") {
                    i += 1
                } else if bytes[i] == UInt8(ascii: ")") {
                    i += 1
                    break
                } else {
                    return nil
                }
            }
            skipBlanks()
            guard i < count, bytes[i] == UInt8(ascii: ".") else { return nil }
            i += 1
            return (names, i)
        }.map { found in
            // One line of ASCII: the column moves by the bytes passed.
            column += found.end - position
            position = found.end
            previousKind = .period
            return found
        }
    }

    // MARK: - Tokens

    private mutating func lexToken() {
        let start = position
        let location = here
        let byte = bytes[position]
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"):
            lexName(start: start, location: location)
        case UInt8(ascii: "_") where peek(1) == UInt8(ascii: ":"):
            advance(by: 2)
            let labelStart = position
            while let b = peek(), Lexer.isWordByte(b) || b >= 0x80 || ((b == UInt8(ascii: "-") || b == UInt8(ascii: ".")) && peek(1).map { Lexer.isWordByte($0) } == true) {
                advance()
            }
            emit(.blankNode, from: start, at: location, value: .blank(text(labelStart..<position)))
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"):
            advance()
            while let b = peek(), Lexer.isWordByte(b) { advance() }
            emit(.variable, from: start, at: location)
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            lexNumberOrDate(start: start, location: location)
        case UInt8(ascii: "\""):
            lexString(start: start, location: location)
        case UInt8(ascii: "<") where looksLikeIRI():
            lexIRI(start: start, location: location)
        default:
            lexPunctuation(start: start, location: location)
        }
    }

    private static func isWordByte(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
            || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "_")
    }

    /// A name: a lowercase letter, then letters, digits, `_`, and `-` when a letter or digit follows it.
    private mutating func lexName(start: Int, location: SourceLocation) {
        advance()
        while let b = peek() {
            if Lexer.isWordByte(b) || b >= 0x80 {
                advance()
            } else if b == UInt8(ascii: "-"), let after = peek(1), Lexer.isWordByte(after) || after >= 0x80 {
                advance()
            } else {
                break
            }
        }
        // ex:local (not ':-'): a prefixed IRI, resolved by the parser.
        if peek() == UInt8(ascii: ":"), peek(1) != UInt8(ascii: "-") {
            advance()
            while let b = peek() {
                if Lexer.isWordByte(b) || b >= 0x80 {
                    advance()
                } else if (b == UInt8(ascii: "-") || b == UInt8(ascii: ".") || b == UInt8(ascii: "/") || b == UInt8(ascii: "#")),
                          let after = peek(1), Lexer.isWordByte(after) || after >= 0x80 {
                    advance()
                } else {
                    break
                }
            }
            emit(.prefixedName, from: start, at: location)
            return
        }
        let name = text(start..<position)
        emit(.name, from: start, at: location, value: .name(name), text: name)
    }

    /// `YYYY-MM-DDTHH:MM:SS[.fff]Z`, the date already read: a datetime, or an error at its start.
    private mutating func lexDateTime(start: Int, location: SourceLocation) {
        advance()
        while let b = peek(), (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: ":") || b == UInt8(ascii: ".") {
            advance()
        }
        if peek() == UInt8(ascii: "Z") { advance() }
        let lexeme = text(start..<position)
        switch DateTime.parse(lexeme.utf8) {
        case .success(let moment):
            emit(.datetime, from: start, at: location, value: .datetime(moment))
            return
        case .failure(.outOfRange): report(.datetimeOutOfRange(lexeme), at: location)
        case .failure(.malformed): report(.invalidDatetime(lexeme), at: location)
        }
        emit(.integer, from: start, at: location, value: .integer(0))
    }

    private mutating func lexNumberOrDate(start: Int, location: SourceLocation) {
        func isDigit(_ b: UInt8?) -> Bool { b.map { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } ?? false }
        while isDigit(peek()) { advance() }
        // Digits joined by hyphens: a date, or a subtraction written without spaces.
        if peek() == UInt8(ascii: "-"), isDigit(peek(1)) {
            while isDigit(peek()) || (peek() == UInt8(ascii: "-") && isDigit(peek(1))) { advance() }
            // The common case, YYYY-MM-DD, read from the bytes without making text.
            if position - start == 10, bytes[start + 4] == UInt8(ascii: "-"), bytes[start + 7] == UInt8(ascii: "-") {
                func number(_ from: Int, _ count: Int) -> Int64? {
                    var n: Int64 = 0
                    for i in from..<(from + count) {
                        let b = bytes[i]
                        guard b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") else { return nil }
                        n = n * 10 + Int64(b - UInt8(ascii: "0"))
                    }
                    return n
                }
                if peek() == UInt8(ascii: "T"), isDigit(peek(1)) {
                    lexDateTime(start: start, location: location)
                    return
                }
                if let y = number(start, 4), let m = number(start + 5, 2), let d = number(start + 8, 2),
                   let date = CalendarDate(year: y, month: m, day: d) {
                    emit(.date, from: start, at: location, value: .date(date))
                    return
                }
            }
            let lexeme = text(start..<position)
            let parts = lexeme.split(separator: "-")
            if parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2 {
                if let date = CalendarDate(iso: Substring(lexeme)) {
                    emit(.date, from: start, at: location, value: .date(date))
                    return
                }
                report(.invalidDate(lexeme), at: location)
            } else {
                report(.spacelessSubtraction(lexeme), at: location)
            }
            // A stand-in token keeps the parser from reporting the same mistake again.
            emit(.integer, from: start, at: location, value: .integer(0))
            return
        }
        if peek() == UInt8(ascii: "."), isDigit(peek(1)) {
            advance()
            while isDigit(peek()) { advance() }
            let lexeme = text(start..<position)
            if let value = Value(kind: .decimal, lexical: lexeme) {
                emit(.decimal, from: start, at: location, value: value)
            } else {
                report(.invalidNumber(lexeme), at: location)
                emit(.integer, from: start, at: location, value: .integer(0))
            }
            return
        }
        let lexeme = text(start..<position)
        if let value = Int64(lexeme) {
            emit(.integer, from: start, at: location, value: .integer(value))
        } else {
            report(.integerOutOfRange(lexeme), at: location)
            emit(.integer, from: start, at: location, value: .integer(0))
        }
    }

    /// A string: `"..."` on one line, with `\" \\ \n \t \r \uXXXX \UXXXXXXXX` escapes.
    private mutating func lexString(start: Int, location: SourceLocation) {
        advance()
        var scalars = String.UnicodeScalarView()
        var contentStart = position
        var valid = true
        func flush(_ lexer: inout Lexer) {
            scalars.append(contentsOf: String(decoding: lexer.bytes[contentStart..<lexer.position], as: UTF8.self).unicodeScalars)
        }
        while true {
            guard let b = peek(), b != UInt8(ascii: "\n"), b != UInt8(ascii: "\r") else {
                report(.unterminatedString, at: location)
                emit(.string, from: start, at: location, value: .string(""))
                return
            }
            if b == UInt8(ascii: "\"") {
                flush(&self)
                advance()
                break
            }
            guard b == UInt8(ascii: "\\") else {
                advance()
                continue
            }
            flush(&self)
            let escapeLocation = here
            advance()
            guard let e = peek(), e != UInt8(ascii: "\n") else {
                report(.unterminatedString, at: location)
                return
            }
            advance()
            switch e {
            case UInt8(ascii: "\""): scalars.append("\"")
            case UInt8(ascii: "\\"): scalars.append("\\")
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "t"): scalars.append("\t")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "u"), UInt8(ascii: "U"):
                if let scalar = lexUnicodeEscape(width: e == UInt8(ascii: "u") ? 4 : 8, at: escapeLocation) {
                    scalars.append(scalar)
                } else {
                    valid = false
                }
            default:
                report(.invalidEscape("\\" + String(decoding: [e], as: UTF8.self)), at: escapeLocation)
                valid = false
            }
            contentStart = position
        }
        let content = valid ? String(scalars) : ""
        // "chat"@fr: a language tag right after the closing quote (with a space, '@' names a source).
        if peek() == UInt8(ascii: "@"), let b = peek(1), (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z")) {
            advance()
            let tagStart = position
            while let b = peek(), Lexer.isWordByte(b) || (b == UInt8(ascii: "-") && peek(1).map { Lexer.isWordByte($0) } == true) { advance() }
            emit(.string, from: start, at: location, value: .langString(content, language: text(tagStart..<position).lowercased()))
            return
        }
        // "1"^^<datatype>: a typed literal; the XML Schema types kglog has become its own kinds.
        if peek() == UInt8(ascii: "^"), peek(1) == UInt8(ascii: "^") {
            let caretLocation = here
            advance(by: 2)
            guard peek() == UInt8(ascii: "<"), looksLikeIRI() else {
                report(.expectedDatatype, at: caretLocation)
                emit(.string, from: start, at: location, value: .string(content))
                return
            }
            advance()
            let iriStart = position
            while let b = peek(), b != UInt8(ascii: ">") { advance() }
            let datatype = text(iriStart..<position)
            advance()
            emit(.string, from: start, at: location, value: Value.literal(content, datatype: datatype))
            return
        }
        emit(.string, from: start, at: location, value: .string(content))
    }

    /// The hex digits after `\u` or `\U`; a high surrogate must be followed by `\u` and a low one.
    private mutating func lexUnicodeEscape(width: Int, at location: SourceLocation) -> Unicode.Scalar? {
        let escapeStart = position - 2
        func readHex(_ lexer: inout Lexer, _ count: Int) -> UInt32? {
            var value: UInt32 = 0
            for _ in 0..<count {
                guard let b = lexer.peek(), let digit = Hex.digit(b) else { return nil }
                value = value << 4 | digit
                lexer.advance()
            }
            return value
        }
        guard var code = readHex(&self, width) else {
            report(.invalidUnicodeEscape(text(escapeStart..<position)), at: location)
            return nil
        }
        if width == 4, (0xD800...0xDBFF).contains(code) {
            guard peek() == UInt8(ascii: "\\"), peek(1) == UInt8(ascii: "u") else {
                report(.invalidUnicodeEscape(text(escapeStart..<position)), at: location)
                return nil
            }
            advance(by: 2)
            guard let low = readHex(&self, 4), (0xDC00...0xDFFF).contains(low) else {
                report(.invalidUnicodeEscape(text(escapeStart..<position)), at: location)
                return nil
            }
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
        }
        guard let scalar = Unicode.Scalar(code) else {
            report(.invalidUnicodeEscape(text(escapeStart..<position)), at: location)
            return nil
        }
        return scalar
    }

    /// `<` opens an IRI when a letter follows and a `>` closes it before any space: `<http://x/a>`.
    private func looksLikeIRI() -> Bool {
        guard let first = peek(1), (first >= UInt8(ascii: "a") && first <= UInt8(ascii: "z"))
                || (first >= UInt8(ascii: "A") && first <= UInt8(ascii: "Z")) else { return false }
        var i = position + 1
        var sawColon = false
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: ">") { return sawColon }
            if b == UInt8(ascii: ":") { sawColon = true }
            if b <= 0x20 || b == UInt8(ascii: "<") || b == UInt8(ascii: "\"") || b == UInt8(ascii: ",") { return false }
            i += 1
        }
        return false
    }

    private mutating func lexIRI(start: Int, location: SourceLocation) {
        advance()
        let contentStart = position
        while let b = peek(), b != UInt8(ascii: ">") { advance() }
        guard peek() == UInt8(ascii: ">") else {
            report(.unterminatedIRI, at: location)
            return
        }
        let content = text(contentStart..<position)
        advance()
        emit(.iri, from: start, at: location, value: .iri(content))
    }

    private mutating func lexPunctuation(start: Int, location: SourceLocation) {
        let byte = bytes[position]
        let next = peek(1)
        let kind: Token.Kind?
        var length = 1
        switch byte {
        case UInt8(ascii: "("): kind = .leftParen
        case UInt8(ascii: ")"): kind = .rightParen
        case UInt8(ascii: "{"): kind = .leftBrace
        case UInt8(ascii: "}"): kind = .rightBrace
        case UInt8(ascii: ","): kind = .comma
        case UInt8(ascii: "."): kind = .period
        case UInt8(ascii: "@"): kind = .at
        case UInt8(ascii: "+"): kind = .plus
        case UInt8(ascii: "-"): kind = .minus
        case UInt8(ascii: "*"): kind = .star
        case UInt8(ascii: "/"): kind = .slash
        case UInt8(ascii: "%"): kind = .percent
        case UInt8(ascii: "="): kind = .equal
        case UInt8(ascii: ":") where next == UInt8(ascii: "-"): kind = .implies; length = 2
        case UInt8(ascii: "?") where next == UInt8(ascii: "-"): kind = .query; length = 2
        case UInt8(ascii: "!") where next == UInt8(ascii: "="): kind = .notEqual; length = 2
        case UInt8(ascii: "<"):
            if next == UInt8(ascii: "=") { kind = .lessEqual; length = 2 } else { kind = .less }
        case UInt8(ascii: ">"):
            if next == UInt8(ascii: "=") { kind = .greaterEqual; length = 2 } else { kind = .greater }
        default: kind = nil
        }
        guard let kind else {
            // Skip one whole character, however many bytes it has.
            advance()
            while let b = peek(), b & 0xC0 == 0x80 { advance() }
            report(.unexpectedCharacter(text(start..<position)), at: location)
            return
        }
        advance(by: length)
        emit(kind, from: start, at: location, text: kind.rawValue)
    }
}
