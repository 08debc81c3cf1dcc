/// A lexical token of kglog source.
public struct Token: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        case name, variable, string, integer, decimal, date, datetime, iri
        /// `_:label`, an RDF blank node.
        case blankNode
        /// `ex:local`, an IRI written with a declared prefix (`ex:` alone in a `prefix` statement).
        case prefixedName
        case leftParen = "(", rightParen = ")", leftBrace = "{", rightBrace = "}"
        case comma = ",", period = ".", implies = ":-", query = "?-", at = "@"
        case equal = "=", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
        case plus = "+", minus = "-", star = "*", slash = "/", percent = "%"
        case endOfInput = "end of input"
    }

    public var kind: Kind
    /// The text as written in the source.
    public var text: String
    /// The constant a literal token stands for (names, strings, numbers, dates, IRIs).
    public var value: Value?
    public var location: SourceLocation
    /// Byte offsets of the token in the UTF-8 source.
    public var range: Range<Int>

    public init(kind: Kind, text: String, value: Value? = nil, location: SourceLocation, range: Range<Int>) {
        self.kind = kind
        self.text = text
        self.value = value
        self.location = location
        self.range = range
    }

    /// How the token is named in a diagnostic: `'member-of'`, `end of input`.
    public var quoted: String {
        kind == .endOfInput ? "end of input" : "'\(text)'"
    }
}
