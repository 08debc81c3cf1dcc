import CSQLite
#if canImport(Glibc)
import Glibc
#endif

/// A thin owner of one `sqlite3` handle with a cache of prepared statements.
///
/// Only `KGStore` talks to SQLite. All SQL is constant text with bound parameters.
final class SQLiteConnection {
    private(set) var handle: OpaquePointer?
    private var statements: [String: SQLiteStatement] = [:]
    /// The file's path, as errors name it.
    let path: String

    /// Opens `path`; errors name `reportedPath` when given (a copy in memory of a file names the file).
    init(path: String, readOnly: Bool = false, reportedPath: String? = nil) throws {
        self.path = reportedPath ?? path
        var db: OpaquePointer?
        let flags = (readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)) | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let reason = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_close_v2(db)
            throw StoreError.cannotOpen(path: path, reason: reason)
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
        // A second writer waits this long for the first to finish (readers never wait in WAL mode).
        sqlite3_busy_timeout(db, SQLiteConnection.busyTimeoutMilliseconds)
    }

    /// How long a change waits for another process's write to end: 30 s, or
    /// `KGLOG_BUSY_TIMEOUT_MS` milliseconds from the environment.
    static let busyTimeoutMilliseconds: Int32 = {
        if let text = getenv("KGLOG_BUSY_TIMEOUT_MS").map({ String(cString: $0) }), let value = Int32(text), value >= 0 { return value }
        return 30_000
    }()

    deinit {
        close()
    }

    func close() {
        for statement in statements.values { statement.finalize() }
        statements.removeAll()
        if let handle { sqlite3_close_v2(handle) }
        handle = nil
    }

    /// Copies the whole database into `target` (SQLite's online backup, all pages in one step).
    func copy(into target: SQLiteConnection) throws {
        guard let backup = sqlite3_backup_init(target.handle, "main", handle, "main") else {
            throw target.error(sqlite3_errcode(target.handle))
        }
        let rc = sqlite3_backup_step(backup, -1)
        sqlite3_backup_finish(backup)
        guard rc == SQLITE_DONE else { throw error(rc) }
    }

    func error(_ rc: Int32) -> StoreError {
        let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
        if rc & 0xFF == SQLITE_CORRUPT { return .damaged(path: path, reason: message) }
        if rc & 0xFF == SQLITE_READONLY { return .readOnly(path: path) }
        if rc & 0xFF == SQLITE_BUSY { return .busy(path: path) }
        return .sqlite(code: rc, message: "'\(path)': \(message)")
    }

    /// Runs SQL text with no parameters and no rows (schema, pragmas, transactions).
    func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &message)
        if rc != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_free(message)
            if rc & 0xFF == SQLITE_CORRUPT { throw StoreError.damaged(path: path, reason: text) }
            if rc & 0xFF == SQLITE_READONLY { throw StoreError.readOnly(path: path) }
            if rc & 0xFF == SQLITE_BUSY { throw StoreError.busy(path: path) }
            throw StoreError.sqlite(code: rc, message: "'\(path)': \(text)")
        }
    }

    /// A cached prepared statement for constant SQL text, reset and ready to bind.
    func prepare(_ sql: String) throws -> SQLiteStatement {
        if let cached = statements[sql] {
            cached.reset()
            return cached
        }
        var raw: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &raw, nil)
        guard rc == SQLITE_OK, let raw else { throw error(rc) }
        let statement = SQLiteStatement(raw, connection: self)
        statements[sql] = statement
        return statement
    }

    /// The first column of the first row of a query, as an integer.
    func scalar(_ sql: String) throws -> Int64? {
        let statement = try prepare(sql)
        defer { statement.reset() }
        return try statement.step() ? statement.int64(0) : nil
    }

    var changes: Int { Int(sqlite3_changes(handle)) }
    var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }
}

/// A prepared statement: bind parameters (1-based), step, read columns (0-based).
final class SQLiteStatement {
    private var raw: OpaquePointer?
    private unowned let connection: SQLiteConnection

    init(_ raw: OpaquePointer, connection: SQLiteConnection) {
        self.raw = raw
        self.connection = connection
    }

    func finalize() {
        sqlite3_finalize(raw)
        raw = nil
    }

    func reset() {
        sqlite3_reset(raw)
        sqlite3_clear_bindings(raw)
    }

    func bind(_ index: Int32, _ value: Int64) {
        sqlite3_bind_int64(raw, index, value)
    }

    func bind(_ index: Int32, _ value: String) {
        // SQLITE_TRANSIENT: SQLite copies the text before this call returns.
        sqlite3_bind_text(raw, index, value, -1, unsafeBitCast(-1, to: sqlite3_destructor_type.self))
    }

    /// Binds UTF-8 text in place, without a copy: `text` must stay valid until the statement
    /// has run (SQLITE_STATIC).
    func bind(_ index: Int32, text: UnsafeBufferPointer<UInt8>) {
        // An empty buffer may have no address; a null pointer would bind NULL, not "".
        let start = UnsafeRawPointer(text.baseAddress ?? SQLiteStatement.emptyText.utf8Start)
        sqlite3_bind_text(raw, index, start.assumingMemoryBound(to: CChar.self), Int32(text.count), nil)
    }

    private static let emptyText: StaticString = ""

    func bind(_ index: Int32, blob: UnsafeRawBufferPointer) {
        sqlite3_bind_blob(raw, index, blob.baseAddress, Int32(blob.count), unsafeBitCast(-1, to: sqlite3_destructor_type.self))
    }

    /// Advances to the next row: true when a row is ready, false when done.
    func step() throws -> Bool {
        let rc = sqlite3_step(raw)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        let error = connection.error(rc)
        sqlite3_reset(raw)
        throw error
    }

    /// Runs a statement that returns no rows.
    func run() throws {
        defer { reset() }
        while try step() {}
    }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(raw, column) }

    func double(_ column: Int32) -> Double { sqlite3_column_double(raw, column) }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(raw, column) == SQLITE_NULL }

    func string(_ column: Int32) -> String {
        guard let text = sqlite3_column_text(raw, column) else { return "" }
        let count = Int(sqlite3_column_bytes(raw, column))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    func blob(_ column: Int32) -> UnsafeRawBufferPointer {
        let count = Int(sqlite3_column_bytes(raw, column))
        guard let pointer = sqlite3_column_blob(raw, column), count > 0 else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: pointer, count: count)
    }
}
