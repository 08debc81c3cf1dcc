import CLibPQ
import Foundation

/// One connection to a PostgreSQL server through libpq: SQL with bound parameters (never text
/// spliced into SQL), results as rows of text, errors with the server's SQLSTATE and message,
/// and transactions that roll back when their body throws.
///
/// The connection string is anything libpq takes: a URI (`postgresql://USER@HOST:PORT/DB`),
/// `key=value` pairs, or nothing but what `PGHOST`, `PGUSER`, `PGPASSWORD`, `PGSERVICE` and
/// `~/.pgpass` give.
public final class PostgresConnection {
    private var handle: OpaquePointer?
    /// The connection string with any password hidden, for messages.
    public let target: String
    private var transactionDepth = 0
    /// Counts the transactions begun and the rollbacks (of transactions or savepoints), so
    /// that what a caller knows of the open transaction can be checked to still hold.
    public private(set) var transactionSerial = 0
    public private(set) var rollbacks = 0
    /// Whether a transaction is open.
    public var isInTransaction: Bool { transactionDepth > 0 }

    public init(_ connectionString: String) throws {
        target = PostgresConnection.hidingPassword(connectionString)
        if let failure = kglog_libpq_load() {
            throw PostgresError.cannotConnect(target: target, reason: String(cString: failure))
        }
        let connection = PQconnectdb(connectionString)
        guard let connection, PQstatus(connection) == CONNECTION_OK else {
            let reason = connection.map { PostgresConnection.firstLine(String(cString: PQerrorMessage($0))) } ?? "out of memory"
            PQfinish(connection)
            throw PostgresError.cannotConnect(target: target, reason: reason)
        }
        handle = connection
        // Notices (such as 'relation already exists, skipping') are not the user's business.
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
    }

    deinit {
        close()
    }

    public func close() {
        if let handle { PQfinish(handle) }
        handle = nil
    }

    /// Runs one statement with its parameters (`$1`, `$2`, ...; nil is NULL) and returns its rows.
    /// While it runs, `checkpoint` is called every 50 ms: when it throws, the server is asked to
    /// cancel the statement and its error is thrown once the server has stopped.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [PostgresValue?] = [], checkpoint: (() throws -> Void)? = nil) throws -> PostgresResult {
        try withResult(sql, parameters, checkpoint: checkpoint) { PostgresResult($0) }
    }

    /// The rows of a query whose columns are all integers, packed row after row (NULL is 0),
    /// read straight from libpq's buffer: no string is made for a value. `checkpoint` as for
    /// `execute`.
    public func integers(_ sql: String, _ parameters: [PostgresValue?] = [], checkpoint: (() throws -> Void)? = nil) throws -> [Int64] {
        try withResult(sql, parameters, checkpoint: checkpoint) { result in
            let (rows, columns) = (PQntuples(result), PQnfields(result))
            var values = [Int64](repeating: 0, count: Int(rows) * Int(columns))
            var index = 0
            for row in 0..<rows {
                for column in 0..<columns {
                    if let text = PQgetvalue(result, row, column), PQgetisnull(result, row, column) == 0 { values[index] = strtoll(text, nil, 10) }
                    index += 1
                }
            }
            return values
        }
    }

    /// Runs one statement and hands its result, when it succeeded, to `body`.
    private func withResult<T>(_ sql: String, _ parameters: [PostgresValue?], checkpoint: (() throws -> Void)?,
                               _ body: (OpaquePointer) throws -> T) throws -> T {
        guard let handle else { throw PostgresError.closed(target: target) }
        let texts: [String?] = parameters.map { $0?.text }
        let result: OpaquePointer?
        if let checkpoint {
            let sent = withCStrings(texts) { values in
                PQsendQueryParams(handle, sql, Int32(values.count), nil, values, nil, nil, 0)
            }
            result = sent == 1 ? try awaitResult(handle, checkpoint: checkpoint) : nil
        } else {
            result = withCStrings(texts) { values in
                PQexecParams(handle, sql, Int32(values.count), nil, values, nil, nil, 0)
            }
        }
        defer { PQclear(result) }
        // The server went away (stopped, crashed, the network dropped): say which server.
        if PQstatus(handle) == CONNECTION_BAD {
            throw PostgresError.connectionLost(target: target, reason: PostgresConnection.firstLine(String(cString: PQerrorMessage(handle))))
        }
        guard let result else { throw PostgresError.server(sqlState: "", message: PostgresConnection.firstLine(String(cString: PQerrorMessage(handle))), position: nil) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK:
            return try body(result)
        default:
            throw PostgresError(result)
        }
    }

    /// Waits for the result of a statement sent, calling `checkpoint` every 50 ms; when it
    /// throws, cancels the statement, waits for the server to give up, and rethrows. Returns the
    /// statement's result (nil when the connection failed).
    private func awaitResult(_ handle: OpaquePointer, checkpoint: () throws -> Void) throws -> OpaquePointer? {
        var wait = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
        while PQisBusy(handle) == 1 {
            _ = poll(&wait, 1, 50)
            guard PQconsumeInput(handle) == 1 else { break }
            do {
                try checkpoint()
            } catch {
                if let cancel = PQgetCancel(handle) {
                    var reason = [CChar](repeating: 0, count: 256)
                    _ = PQcancel(cancel, &reason, Int32(reason.count))
                    PQfreeCancel(cancel)
                }
                while let pending = PQgetResult(handle) { PQclear(pending) }
                throw error
            }
        }
        // The statement's result, then nil; a second result (there is none for one statement) is dropped.
        let result = PQgetResult(handle)
        while let extra = PQgetResult(handle) { PQclear(extra) }
        return result
    }

    /// Sends rows to a `COPY ... FROM STDIN` statement: `data` is the whole stream, in the
    /// statement's format. Returns how many rows the server took.
    @discardableResult
    public func copy(_ sql: String, data: [UInt8]) throws -> Int {
        guard let handle else { throw PostgresError.closed(target: target) }
        let started = PQexec(handle, sql)
        defer { PQclear(started) }
        if PQstatus(handle) == CONNECTION_BAD {
            throw PostgresError.connectionLost(target: target, reason: PostgresConnection.firstLine(String(cString: PQerrorMessage(handle))))
        }
        guard let started, PQresultStatus(started) == PGRES_COPY_IN else {
            if let started { throw PostgresError(started) }
            throw PostgresError.server(sqlState: "", message: PostgresConnection.firstLine(String(cString: PQerrorMessage(handle))), position: nil)
        }
        let chunk = 1 << 20
        var sent = true
        data.withUnsafeBufferPointer { bytes in
            var offset = 0
            while offset < bytes.count && sent {
                let count = min(chunk, bytes.count - offset)
                let pointer = UnsafeRawPointer(bytes.baseAddress! + offset).assumingMemoryBound(to: CChar.self)
                sent = PQputCopyData(handle, pointer, Int32(count)) == 1
                offset += count
            }
        }
        _ = PQputCopyEnd(handle, sent ? nil : "the client stopped sending")
        // The COPY's own result, then nothing: every result is read so the connection is ready.
        var failure: PostgresError?
        var rows = 0
        while let result = PQgetResult(handle) {
            if PQresultStatus(result) == PGRES_COMMAND_OK {
                rows = Int(String(cString: PQcmdTuples(result))) ?? 0
            } else if failure == nil {
                failure = PostgresError(result)
            }
            PQclear(result)
        }
        if PQstatus(handle) == CONNECTION_BAD {
            throw PostgresError.connectionLost(target: target, reason: PostgresConnection.firstLine(String(cString: PQerrorMessage(handle))))
        }
        if let failure { throw failure }
        return rows
    }

    /// Runs `body` in a transaction (a savepoint inside another): committed when it returns,
    /// rolled back when it throws.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try inTransaction(beginning: "BEGIN", keeping: true, body)
    }

    /// Runs `body` in a transaction (a savepoint inside another) that is rolled back at the end,
    /// whatever happens: for work whose effects must not outlive it. A transaction of its own is
    /// `REPEATABLE READ` (one snapshot for all its statements) and `READ WRITE` even on a
    /// read-only session, for temporary tables.
    public func discardingChanges<T>(_ body: () throws -> T) throws -> T {
        try inTransaction(beginning: "BEGIN ISOLATION LEVEL REPEATABLE READ READ WRITE", keeping: false, body)
    }

    /// Runs `body` in a transaction begun with `begin` (a savepoint when one is open already),
    /// kept when it returns if `keeping`, else rolled back, as it is when `body` throws.
    private func inTransaction<T>(beginning begin: String, keeping: Bool, _ body: () throws -> T) throws -> T {
        let savepoint = "kglog_\(transactionDepth)"
        let nested = transactionDepth > 0
        try execute(nested ? "SAVEPOINT \(savepoint)" : begin)
        if !nested { transactionSerial += 1 }
        transactionDepth += 1
        let value: T
        do {
            value = try body()
        } catch {
            transactionDepth -= 1
            rollBack(to: nested ? savepoint : nil)
            throw error
        }
        transactionDepth -= 1
        if keeping {
            try execute(nested ? "RELEASE SAVEPOINT \(savepoint)" : "COMMIT")
        } else {
            rollBack(to: nested ? savepoint : nil)
        }
        return value
    }

    /// Undoes the transaction, or back to `savepoint` (then released, so that savepoints do not
    /// pile up in a long transaction). A failure here leaves the server to roll back.
    private func rollBack(to savepoint: String?) {
        rollbacks += 1
        guard let savepoint else {
            _ = try? execute("ROLLBACK")
            return
        }
        _ = try? execute("ROLLBACK TO SAVEPOINT \(savepoint)")
        _ = try? execute("RELEASE SAVEPOINT \(savepoint)")
    }

    /// `postgresql://user:secret@host/db` → `postgresql://user:***@host/db`; `password=secret` → `password=***`.
    static func hidingPassword(_ text: String) -> String {
        var hidden = text
        if let scheme = hidden.range(of: "://"), let at = hidden[scheme.upperBound...].firstIndex(of: "@"),
           let colon = hidden[scheme.upperBound..<at].firstIndex(of: ":") {
            hidden.replaceSubrange(hidden.index(after: colon)..<at, with: "***")
        }
        if let range = hidden.range(of: #"password\s*=\s*('[^']*'|\S+)"#, options: .regularExpression) {
            hidden.replaceSubrange(range, with: "password=***")
        }
        return hidden
    }

    static func firstLine(_ message: String) -> String {
        String(message.split(separator: "\n").first ?? "").trimmingCharacters(in: .whitespaces)
    }

    /// Calls `body` with C strings of `texts` (nil stays NULL), valid during the call.
    private func withCStrings<R>(_ texts: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
        let copies = texts.map { $0.map { strdup($0) } ?? nil }
        defer { for copy in copies { free(copy) } }
        return body(copies.map { $0.map { UnsafePointer($0) } })
    }
}

/// A parameter of a statement, sent as text in PostgreSQL's input syntax.
public enum PostgresValue: Sendable, Equatable {
    case integer(Int64)
    case text(String)

    var text: String {
        switch self {
        case .integer(let value): return String(value)
        case .text(let value): return value
        }
    }
}

/// The rows a statement returned, each value as PostgreSQL's text output (nil for NULL).
public struct PostgresResult: Sendable, Equatable {
    public var columns: [String]
    public var rows: [[String?]]
    /// How many rows an INSERT, UPDATE or DELETE changed.
    public var changed: Int

    init(_ result: OpaquePointer) {
        let columnCount = PQnfields(result)
        columns = (0..<columnCount).map { String(cString: PQfname(result, $0)) }
        rows = (0..<PQntuples(result)).map { row in
            (0..<columnCount).map { column in
                PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column))
            }
        }
        changed = Int(String(cString: PQcmdTuples(result))) ?? 0
    }

    /// The first column of the first row as an integer (a count, an id), or nil.
    public var firstInteger: Int64? {
        rows.first?.first.flatMap { $0 }.flatMap { Int64($0) }
    }
}

/// What went wrong talking to PostgreSQL.
public enum PostgresError: Error, Equatable, CustomStringConvertible {
    case cannotConnect(target: String, reason: String)
    case closed(target: String)
    /// The connection broke during a statement; the server rolls back what was not committed.
    case connectionLost(target: String, reason: String)
    /// The server refused a statement: its SQLSTATE, message, and the 1-based character
    /// position in the statement it points at, when it gives one.
    case server(sqlState: String, message: String, position: Int?)

    init(_ result: OpaquePointer) {
        func field(_ code: Int32) -> String? { PQresultErrorField(result, code).map { String(cString: $0) } }
        self = .server(sqlState: field(Int32(UInt8(ascii: "C"))) ?? "",
                       message: field(Int32(UInt8(ascii: "M"))) ?? PostgresConnection.firstLine(String(cString: PQresultErrorMessage(result))),
                       position: field(Int32(UInt8(ascii: "P"))).flatMap { Int($0) })
    }

    /// A deadlock or a serialization failure: the server undid the transaction, and running it
    /// again may well succeed.
    public var isConflictWithAnotherWriter: Bool {
        if case .server(let state, _, _) = self { return state == "40P01" || state == "40001" }
        return false
    }

    public var description: String {
        switch self {
        case .cannotConnect(let target, let reason): return "cannot connect to '\(target)': \(reason)"
        case .closed(let target): return "the connection to '\(target)' is closed"
        case .connectionLost(let target, let reason):
            return "lost the connection to '\(target)' (\(reason)): nothing of the unfinished transaction was kept"
        case .server(let state, let message, _): return state.isEmpty ? message : "\(message) (SQLSTATE \(state))"
        }
    }
}
