/// Every error the store reports.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// SQLite refused an operation.
    case sqlite(code: Int32, message: String)
    /// The file could not be opened at all.
    case cannotOpen(path: String, reason: String)
    /// The file is a SQLite database of some other program, or not SQLite at all.
    case notAKnowledgeBase(path: String)
    /// The file was written by a newer kglog.
    case newerSchema(path: String, found: Int32, supported: Int32)
    /// The file is a kglog knowledge base whose pages SQLite finds damaged (truncated, overwritten).
    case damaged(path: String, reason: String)
    /// Another process kept the file locked for a change longer than the wait allows.
    case busy(path: String)
    /// A change was asked of a file this process may only read.
    case readOnly(path: String)
    /// A term id in a fact has no entry in the term dictionary.
    case danglingTerm(id: Int64)

    /// Lowercase, no trailing period, as every diagnostic of the project.
    public var message: String {
        switch self {
        case .sqlite(let code, let message): return "database error \(code): \(message)"
        case .cannotOpen(let path, let reason): return "cannot open '\(path)': \(reason)"
        case .notAKnowledgeBase(let path): return "'\(path)' is not a kglog knowledge base"
        case .newerSchema(let path, let found, let supported):
            return "'\(path)' has schema version \(found), newer than this kglog's \(supported): upgrade kglog to open it"
        case .damaged(let path, let reason): return "'\(path)' is damaged: \(reason)"
        case .busy(let path):
            let seconds = Double(SQLiteConnection.busyTimeoutMilliseconds) / 1000
            let wait = seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\(seconds) s"
            return "'\(path)' is being changed by another process and stayed locked for \(wait): try again when it is done"
        case .readOnly(let path): return "'\(path)' is read-only: it can be queried but not changed"
        case .danglingTerm(let id): return "the knowledge base is damaged: term \(id) is missing from the dictionary"
        }
    }

    public var description: String { message }
}
