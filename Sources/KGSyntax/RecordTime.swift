import Foundation

/// What the history of a knowledge base is made of (record time): its changes, and the rows
/// each added or retracted. Both stores return these.

/// When and by whom a change is made, as both stores record it.
public enum ChangeStamp {
    /// Milliseconds since 1970-01-01T00:00:00Z, now.
    public static func now() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }

    /// The operating-system user this process runs as.
    public static let userName: String = {
        if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return ProcessInfo.processInfo.environment["USER"] ?? "unknown"
    }()
}

/// One change: a write transaction, when (milliseconds since 1970, UTC), by whom, and what.
public struct ChangeRecord: Equatable, Sendable {
    public var id: Int64
    public var at: Int64
    public var by: String
    public var what: String

    public init(id: Int64, at: Int64, by: String, what: String) {
        self.id = id
        self.at = at
        self.by = by
        self.what = what
    }
}

/// A stored fact row (or one of its periods) with the change that added it and, when it is gone,
/// the change that retracted it.
public struct HistoryRow: Equatable, Sendable {
    public var predicate: Int64
    public var arguments: [Int64]
    public var source: Int64
    public var period: (from: Int64, until: Int64)?
    public var addedIn: Int64
    public var retractedIn: Int64?

    public init(predicate: Int64, arguments: [Int64], source: Int64, period: (from: Int64, until: Int64)?, addedIn: Int64, retractedIn: Int64?) {
        self.predicate = predicate
        self.arguments = arguments
        self.source = source
        self.period = period
        self.addedIn = addedIn
        self.retractedIn = retractedIn
    }

    public static func == (a: HistoryRow, b: HistoryRow) -> Bool {
        a.predicate == b.predicate && a.arguments == b.arguments && a.source == b.source && a.period?.from == b.period?.from
            && a.period?.until == b.period?.until && a.addedIn == b.addedIn && a.retractedIn == b.retractedIn
    }
}

/// A rule or declaration with the change that added it and, when it is gone, the one that retracted it.
public struct TextHistoryRow: Equatable, Sendable {
    public var kind: String
    public var text: String
    public var addedIn: Int64
    public var retractedIn: Int64?

    public init(kind: String, text: String, addedIn: Int64, retractedIn: Int64?) {
        self.kind = kind
        self.text = text
        self.addedIn = addedIn
        self.retractedIn = retractedIn
    }
}
