import KGSyntax

/// Every error the format readers report; each comes with a line and column.
public enum FormatError: DiagnosticMessage, Equatable {
    case notUTF8
    case expected(String, found: String)
    case relativeIRI(String)
    case invalidIRICharacter(String)
    case invalidEscape(String)
    case unterminatedString
    case unterminatedIRI
    case invalidLanguageTag
    case invalidBlankNode
    case trailingContent(String)
    case directiveNotAllowed(String)
    case fieldCount(expected: Int, found: Int)
    case unterminatedQuotedField
    case quoteInUnquotedField
    case invalidJSONFact(String)
    case relativeIRIWithoutBase(String)
    case unknownPrefix(String)
    case noSuchSourceColumn(String, columns: Int)
    case sourceColumnNeedsHeader(String)
    case onlyTheSourceColumn

    public var message: String {
        switch self {
        case .notUTF8: return "the file is not UTF-8 text"
        case .expected(let what, let found): return "expected \(what) but found \(found)"
        case .relativeIRI(let iri): return "IRI '<\(iri)>' is relative: N-Triples and N-Quads need absolute IRIs"
        case .invalidIRICharacter(let c): return "character '\(c)' is not allowed in an IRI"
        case .invalidEscape(let e): return "invalid escape '\(e)'"
        case .unterminatedString: return "unterminated string: expected '\"'"
        case .unterminatedIRI: return "unterminated IRI: expected '>'"
        case .invalidLanguageTag: return "invalid language tag"
        case .invalidBlankNode: return "invalid blank node label"
        case .trailingContent(let found): return "expected the end of the line after '.' but found '\(found)'"
        case .directiveNotAllowed(let d): return "'\(d)' is Turtle, not N-Triples or N-Quads"
        case .fieldCount(let expected, let found): return "expected \(expected) field\(expected == 1 ? "" : "s") but found \(found)"
        case .unterminatedQuotedField: return "unterminated quoted field: expected '\"'"
        case .quoteInUnquotedField: return "a '\"' inside a field that is not quoted: quote the field and double the '\"'"
        case .invalidJSONFact(let message): return message
        case .relativeIRIWithoutBase(let iri): return "IRI '<\(iri)>' is relative and there is no base to resolve it against: declare '@base' or give --base"
        case .unknownPrefix(let name): return "unknown prefix '\(name):': declare it with '@prefix \(name): <...> .'"
        case .noSuchSourceColumn(let column, let columns):
            return "the source column \(column) is not one of the \(columns) columns"
        case .sourceColumnNeedsHeader(let name):
            return "the source column '\(name)' is named, but the file has no header row: give its number (--source-column 1 for the first)"
        case .onlyTheSourceColumn:
            return "a row of only the source column makes no fact: the predicate needs at least one other column"
        }
    }
}

/// A format error with its position.
public struct FormatDiagnostic: Error, Sendable {
    public var error: FormatError
    public var line: Int
    public var column: Int
    /// The text of the line, when the reader has it (else the report reads it from the file).
    public var lineText: String?

    public init(error: FormatError, line: Int, column: Int, lineText: String? = nil) {
        self.error = error
        self.line = line
        self.column = column
        self.lineText = lineText
    }

    public var diagnostic: Diagnostic { Diagnostic(error, at: SourceLocation(line: line, column: column)) }
}
