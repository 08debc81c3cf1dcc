import Hummingbird
import KGEngine
import KGLog
import KGSyntax

/// What a request did wrong, or why it stopped; each has its HTTP status.
enum ServerError: Error, Equatable, DiagnosticMessage {
    case notAQuery
    case unauthorized(writes: Bool)
    case readOnly
    case tooLarge(limit: Int)
    case notUTF8
    case missingParameter(String)
    case badParameter(String, String)
    case notATerm(String)
    case timedOut
    case cancelled

    var message: String {
        switch self {
        case .notAQuery: return "/api/query takes queries only: facts, rules and retractions go to /api/statements"
        case .unauthorized(let writes):
            return writes ? "a change needs the server's token: Authorization: Bearer TOKEN"
                : "this server listens beyond loopback: every request needs its token (Authorization: Bearer TOKEN)"
        case .readOnly: return "the server is read-only (--read-only): it takes no changes"
        case .tooLarge(let limit): return "the request's body is larger than \(limit / (1 << 20)) MiB"
        case .notUTF8: return "the request's body is not UTF-8 text"
        case .missingParameter(let name): return "the request needs the parameter '\(name)'"
        case .badParameter(let name, let expected): return "the parameter '\(name)' takes \(expected)"
        case .notATerm(let text):
            return "'\(text)' is not a constant such as member-of, \"text\", 42, <http://example.org/p> or ex:p (with its prefix declared)"
        case .timedOut: return "the query ran past the server's time limit (--query-timeout); nothing was changed"
        case .cancelled: return "the request was cancelled; nothing was changed"
        }
    }

    /// The status an error answers with: 400 for bad input, 401, 403, 413, 503 for a limit
    /// (time, derived facts, memory, a busy file), 500 for anything else.
    static func status(of error: Error) -> HTTPResponse.Status {
        switch error {
        case let error as ServerError:
            switch error {
            case .unauthorized: return .unauthorized
            case .readOnly: return .forbidden
            case .tooLarge: return .contentTooLarge
            case .timedOut, .cancelled: return .serviceUnavailable
            default: return .badRequest
            }
        case let report as DiagnosticReport:
            if let first = report.diagnostics.first, isLimit(first.error) { return .serviceUnavailable }
            return .badRequest
        case let diagnostic as Diagnostic:
            return isLimit(diagnostic.error) ? .serviceUnavailable : .badRequest
        case let error as EngineError:
            return isLimit(error) ? .serviceUnavailable : .badRequest
        case is DiagnosticMessage:
            return .badRequest
        default:
            return .internalServerError
        }
    }

    private static func isLimit(_ error: Error) -> Bool {
        switch error {
        case let engine as EngineError:
            switch engine {
            case .tooManyFacts, .tooMuchMemory: return true
            default: return false
            }
        case let server as ServerError: return server == .timedOut
        default: return false
        }
    }

    /// The message and, for an error in the request's text, its line and column.
    static func describe(_ error: Error) -> (message: String, line: Int?, column: Int?) {
        switch error {
        case let error as ServerError: return (error.message, nil, nil)
        case let report as DiagnosticReport:
            guard let first = report.diagnostics.first else { return ("the text has an error", nil, nil) }
            return (first.error.message, first.location.line, first.location.column)
        case let diagnostic as Diagnostic: return (diagnostic.error.message, diagnostic.location.line, diagnostic.location.column)
        case let message as DiagnosticMessage: return (message.message, nil, nil)
        default: return ("\(error)", nil, nil)
        }
    }
}
