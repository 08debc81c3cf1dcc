import Foundation

/// Full-text search: how a text becomes the words it is found by, and the searches of
/// `text-match(T, "defence ministers")`. The one place that knows both, so that what a store
/// indexes and what a search asks are the same words on every store.
public enum TextWords {
    /// The words of a text, in order: each maximal run of letters, digits and combining marks,
    /// folded: without case, accents or width, in any script (`ОДКБ` is `одкб`, `Défense` is
    /// `defense`). Everything else separates words.
    public static func words(in text: String) -> [String] {
        var words: [String] = []
        forEachWord(in: text) { words.append(String(decoding: $0, as: UTF8.self)) }
        return words
    }

    /// The words of a text joined by single spaces (what an index is given), and how many.
    public static func joinedWords(in text: String) -> (text: String, count: Int) {
        var joined: [UInt8] = []
        var count = 0
        forEachWord(in: text) { word in
            if count > 0 { joined.append(UInt8(ascii: " ")) }
            joined.append(contentsOf: word)
            count += 1
        }
        return (String(decoding: joined, as: UTF8.self), count)
    }

    /// Calls `body` with each word's UTF-8 bytes, in order.
    private static func forEachWord(in text: String, _ body: (ArraySlice<UInt8>) -> Void) {
        // ASCII needs only lowercasing; anything else is folded by Foundation first.
        var ascii = true
        for byte in text.utf8 where byte >= 0x80 { ascii = false; break }
        let folded = ascii ? text : text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
        var word: [UInt8] = []
        word.reserveCapacity(32)
        func flush() {
            guard !word.isEmpty else { return }
            body(word[...])
            word.removeAll(keepingCapacity: true)
        }
        func take(_ byte: UInt8) {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): word.append(byte)
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): word.append(byte + 32)
            default: flush()
            }
        }
        if ascii {
            for byte in folded.utf8 { take(byte) }
        } else {
            for scalar in folded.unicodeScalars {
                if scalar.isASCII {
                    take(UInt8(scalar.value))
                } else if isWordScalar(scalar) {
                    // Folded already: no case left to take away.
                    UTF8.encode(scalar) { word.append($0) }
                } else {
                    flush()
                }
            }
        }
        flush()
    }

    /// The text a term of the dictionary is searched by, from its kind and stored text (a
    /// language-tagged string's without its tag); nil for kinds that are not searched.
    public static func searchedText(kind: Int, storageText: String) -> Substring? {
        switch Value.Kind(rawValue: kind) {
        case .string?, .name?: return storageText[...]
        case .langString?: return storageText.firstIndex(of: " ").map { storageText[storageText.index(after: $0)...] }
        default: return nil
        }
    }

    /// Letters, numbers, combining marks and private-use characters belong to words.
    public static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .decimalNumber, .letterNumber, .otherNumber,
             .nonspacingMark, .spacingMark, .enclosingMark, .privateUse:
            return true
        default:
            return false
        }
    }

    /// The kinds of value (`Value.Kind` raw values) a text index holds.
    public static let searchedKinds: [Int] = [Value.Kind.string.rawValue, Value.Kind.name.rawValue, Value.Kind.langString.rawValue]
}

/// A parsed search: words (`defence`), phrases in quotes (`"defence ministers"`), prefixes
/// (`defen*`), joined by `AND` (also by putting them side by side), `OR` and `NOT` (`a NOT b`:
/// a without b), with parentheses. `AND` binds tighter than `OR`; operators are upper case.
public indirect enum TextSearch: Hashable, Sendable {
    /// Words that must follow each other; with `prefix`, the last one is a prefix.
    case phrase([String], prefix: Bool)
    case and(TextSearch, TextSearch)
    case or(TextSearch, TextSearch)
    /// The first without the second.
    case not(TextSearch, TextSearch)

    /// What is wrong with a search, and at which character (from 0) of it.
    public struct Problem: Error, Sendable, Equatable {
        public let message: String
        public let offset: Int
    }

    /// Parses a search; a search with nothing to look for, an operator without an operand or an
    /// unclosed quote or parenthesis is a `Problem`.
    public init(parsing text: String) throws(Problem) {
        var parser = Parser(tokens: try Parser.tokens(of: text), end: text.unicodeScalars.count)
        self = try parser.parseOr()
        if let extra = parser.peek {
            throw Problem(message: extra.kind == .close ? "')' without its '('" : "unexpected \(extra.described)", offset: extra.offset)
        }
    }

    /// The phrases a search looks for, each once, in the order written (`NOT`'s included).
    public var phrases: [TextSearch] {
        var found: [TextSearch] = []
        func walk(_ search: TextSearch) {
            switch search {
            case .phrase: if !found.contains(search) { found.append(search) }
            case .and(let a, let b), .or(let a, let b), .not(let a, let b): walk(a); walk(b)
            }
        }
        walk(self)
        return found
    }

    /// The search in SQLite FTS5's query syntax: every word quoted, so no word is read as an
    /// operator or column.
    public var fts5: String {
        switch self {
        case .phrase(let words, let prefix):
            return "\"" + words.joined(separator: " ") + "\"" + (prefix ? " *" : "")
        case .and(let a, let b): return "(\(a.fts5) AND \(b.fts5))"
        case .or(let a, let b): return "(\(a.fts5) OR \(b.fts5))"
        case .not(let a, let b): return "(\(a.fts5) NOT \(b.fts5))"
        }
    }

    /// The search as a PostgreSQL `tsquery` (each word quoted as a lexeme; a phrase's words
    /// joined by `<->`, a prefix marked `:*`).
    public var tsquery: String {
        switch self {
        case .phrase(let words, let prefix):
            let lexemes = words.map { "'" + $0 + "'" }
            return "(" + lexemes.enumerated().map { $1 + (prefix && $0 == lexemes.count - 1 ? ":*" : "") }.joined(separator: " <-> ") + ")"
        case .and(let a, let b): return "(\(a.tsquery) & \(b.tsquery))"
        case .or(let a, let b): return "(\(a.tsquery) | \(b.tsquery))"
        case .not(let a, let b): return "(\(a.tsquery) & !\(b.tsquery))"
        }
    }

    /// Whether a text's words match the search (what an index finds, found by reading them).
    public func matches(_ words: [String]) -> Bool {
        switch self {
        case .phrase: return occurrences(in: words) > 0
        case .and(let a, let b): return a.matches(words) && b.matches(words)
        case .or(let a, let b): return a.matches(words) || b.matches(words)
        case .not(let a, let b): return a.matches(words) && !b.matches(words)
        }
    }

    /// How many times a phrase occurs in a text's words (0 for anything but a phrase).
    public func occurrences(in words: [String]) -> Int {
        guard case .phrase(let phrase, let prefix) = self, !phrase.isEmpty, words.count >= phrase.count else { return 0 }
        var count = 0
        for start in 0...(words.count - phrase.count) {
            var matches = true
            for (i, word) in phrase.enumerated() {
                let candidate = words[start + i]
                if prefix && i == phrase.count - 1 ? !candidate.hasPrefix(word) : candidate != word { matches = false; break }
            }
            if matches { count += 1 }
        }
        return count
    }

    /// Okapi BM25 of one text for this search, as SQLite's FTS5 computes it (k1 = 1.2,
    /// b = 0.75, an idf of at least 1e-6), positive: `documents` texts are indexed, of
    /// `averageLength` words on average, and `containing[i]` of them hold `phrases[i]`.
    public func bm25(words: [String], documents: Int, averageLength: Double, containing: [Int]) -> Double {
        let (k1, b) = (1.2, 0.75)
        let n = Double(documents)
        var score = 0.0
        for (phrase, holding) in zip(phrases, containing) {
            let frequency = Double(phrase.occurrences(in: words))
            guard frequency > 0 else { continue }
            var idf = log((n - Double(holding) + 0.5) / (Double(holding) + 0.5))
            if idf <= 0 { idf = 1e-6 }
            // In FTS5's order of operations, so that both give the same number.
            let numerator = frequency * (k1 + 1)
            let denominator = frequency + k1 * (1 - b + b * Double(words.count) / averageLength)
            score += idf * numerator / denominator
        }
        return score
    }

    /// A score as the value `text-match` gives: a decimal rounded to four places.
    public static func scoreValue(_ score: Double) -> Value {
        .decimal(Decimal(Int64((score * 10_000).rounded())) / 10_000)
    }

    // MARK: - Parsing

    private struct Token {
        enum Kind { case words, and, or, not, open, close }
        let kind: Kind
        let words: [String]
        let prefix: Bool
        let offset: Int

        var described: String {
            switch kind {
            case .words: return "'\(words.joined(separator: " "))'"
            case .and: return "'AND'"
            case .or: return "'OR'"
            case .not: return "'NOT'"
            case .open: return "'('"
            case .close: return "')'"
            }
        }
    }

    private struct Parser {
        let tokens: [Token]
        let end: Int
        var position = 0

        var peek: Token? { position < tokens.count ? tokens[position] : nil }

        static func tokens(of text: String) throws(Problem) -> [Token] {
            let scalars = Array(text.unicodeScalars)
            var tokens: [Token] = []
            var i = 0
            while i < scalars.count {
                let c = scalars[i]
                if c == "(" { tokens.append(Token(kind: .open, words: [], prefix: false, offset: i)); i += 1; continue }
                if c == ")" { tokens.append(Token(kind: .close, words: [], prefix: false, offset: i)); i += 1; continue }
                if c == "\"" {
                    guard let close = scalars[(i + 1)...].firstIndex(of: "\"") else {
                        throw Problem(message: "a quote that is not closed", offset: i)
                    }
                    let words = TextWords.words(in: String(String.UnicodeScalarView(scalars[(i + 1)..<close])))
                    guard !words.isEmpty else { throw Problem(message: "a phrase with no words in it", offset: i) }
                    let prefix = close + 1 < scalars.count && scalars[close + 1] == "*"
                    tokens.append(Token(kind: .words, words: words, prefix: prefix, offset: i))
                    i = close + (prefix ? 2 : 1)
                    continue
                }
                guard !c.properties.isWhitespace else { i += 1; continue }
                // A bare word runs to the next space, quote or parenthesis.
                var j = i
                while j < scalars.count, !scalars[j].properties.isWhitespace, !"()\"".unicodeScalars.contains(scalars[j]) { j += 1 }
                let raw = String(String.UnicodeScalarView(scalars[i..<j]))
                switch raw {
                case "AND": tokens.append(Token(kind: .and, words: [], prefix: false, offset: i))
                case "OR": tokens.append(Token(kind: .or, words: [], prefix: false, offset: i))
                case "NOT": tokens.append(Token(kind: .not, words: [], prefix: false, offset: i))
                default:
                    let prefix = raw.hasSuffix("*")
                    let words = TextWords.words(in: raw)
                    // Punctuation alone (`-`, `*`) looks for nothing.
                    if !words.isEmpty { tokens.append(Token(kind: .words, words: words, prefix: prefix, offset: i)) }
                }
                i = j
            }
            return tokens
        }

        mutating func parseOr() throws(Problem) -> TextSearch {
            var left = try parseAnd()
            while peek?.kind == .or {
                position += 1
                left = .or(left, try parseAnd())
            }
            return left
        }

        /// Operands side by side, or joined by `AND`; `NOT` takes away what follows it.
        mutating func parseAnd() throws(Problem) -> TextSearch {
            var left = try parseOperand()
            while let next = peek, next.kind != .or, next.kind != .close {
                switch next.kind {
                case .and: position += 1; left = .and(left, try parseOperand())
                case .not: position += 1; left = .not(left, try parseOperand())
                default: left = .and(left, try parseOperand())
                }
            }
            return left
        }

        mutating func parseOperand() throws(Problem) -> TextSearch {
            guard let token = peek else {
                throw Problem(message: tokens.isEmpty ? "nothing to look for: give one or more words" : "a word, phrase or '(' is missing at the end", offset: end)
            }
            switch token.kind {
            case .words:
                position += 1
                return .phrase(token.words, prefix: token.prefix)
            case .open:
                position += 1
                let inner = try parseOr()
                guard peek?.kind == .close else { throw Problem(message: "'(' that is not closed", offset: token.offset) }
                position += 1
                return inner
            case .not:
                throw Problem(message: "'NOT' takes away from what comes before it: write 'a NOT b'", offset: token.offset)
            case .and, .or, .close:
                throw Problem(message: "\(token.described) needs a word, phrase or '(' before it", offset: token.offset)
            }
        }
    }
}
