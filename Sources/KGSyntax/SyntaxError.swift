/// Every error the lexer and parser report.
public enum SyntaxError: DiagnosticMessage, Equatable {
    case unexpectedCharacter(String)
    case unterminatedString
    case invalidEscape(String)
    case invalidUnicodeEscape(String)
    case unterminatedIRI
    case integerOutOfRange(String)
    case invalidNumber(String)
    case invalidDate(String)
    case invalidDatetime(String)
    case datetimeOutOfRange(String)
    case spacelessSubtraction(String)
    case expected(String, found: String)
    case notAnAtom(String)
    case sourceMustBeConstantOrVariable(found: String)
    case sourceOnRule
    case periodOnRule
    case periodEndNotADate(String)
    case periodEndsBeforeItStarts(from: String, until: String)
    case ruleInSourceBlock
    case sourceInSourceBlock
    case nestedTooDeeply(limit: Int)
    case tooManyOperations(limit: Int)
    case expectedDatatype
    case unknownPrefix(String)

    public var message: String {
        switch self {
        case .unexpectedCharacter(let c): return "unexpected character '\(c)'"
        case .unterminatedString: return "unterminated string: a string must end with '\"' on the same line"
        case .invalidEscape(let e): return "invalid escape '\(e)' in string: use \\\" \\\\ \\n \\t \\r or \\uXXXX"
        case .invalidUnicodeEscape(let e): return "invalid unicode escape '\(e)'"
        case .unterminatedIRI: return "unterminated IRI: expected '>'"
        case .integerOutOfRange(let t): return "integer '\(t)' does not fit in 64 bits"
        case .invalidNumber(let t): return "invalid number '\(t)'"
        case .invalidDate(let t): return "invalid date '\(t)': no such day"
        case .invalidDatetime(let t):
            return "invalid datetime '\(t)': write YYYY-MM-DDTHH:MM:SSZ in UTC, with at most three digits after the seconds' point"
        case .datetimeOutOfRange(let t): return "datetime '\(t)' is out of range: no such moment, or a year outside 0001 to 9999"
        case .spacelessSubtraction(let t): return "'\(t)' is not a date (YYYY-MM-DD); write a subtraction with spaces, as 'a - b'"
        case .expected(let what, let found): return "expected \(what) but found \(found)"
        case .notAnAtom(let found): return "expected an atom such as 'p(X)' but found \(found)"
        case .sourceMustBeConstantOrVariable(let found): return "expected a source (a constant or a variable) after '@' but found \(found)"
        case .sourceOnRule: return "a rule cannot have a source: '@' belongs on facts and body atoms"
        case .periodOnRule:
            return "a rule cannot have a period: its facts hold over the periods of their premises ('from' and 'until' belong on facts)"
        case .periodEndNotADate(let found): return "the ends of a period are dates such as 2006-08-16, not \(found)"
        case .periodEndsBeforeItStarts(let from, let until): return "a period must end after it starts: 'until \(until)' is not after 'from \(from)'"
        case .ruleInSourceBlock: return "only facts may appear in a source block"
        case .sourceInSourceBlock: return "a fact in a source block takes the block's source: remove its '@'"
        case .nestedTooDeeply(let limit): return "expression nested more than \(limit) levels deep"
        case .tooManyOperations(let limit):
            return "expression more than \(limit) operations deep: split it with intermediate variables (Y1 = ..., Y = Y1 + ...)"
        case .expectedDatatype: return "expected a datatype IRI such as '<http://www.w3.org/2001/XMLSchema#integer>' after '^^'"
        case .unknownPrefix(let name): return "unknown prefix '\(name)': declare it with 'prefix \(name) <...>.'"
        }
    }
}
