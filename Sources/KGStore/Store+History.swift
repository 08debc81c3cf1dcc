import CSQLite
import Foundation
import KGSyntax

// MARK: - Record time: what the knowledge base said, and when

/// Every change to a file is recorded (schema 7). A change is one write transaction: a row of
/// `changes(id, at, by, what)`, `at` in milliseconds since 1970 (UTC), `by` the operating-system
/// user, `what` the file, import or statement that made it. Change 0 stands for everything stored
/// before the file kept history (or for the file's creation).
///
/// - Each row of `quads`, `tuples`, `fact_periods`, `tuple_periods`, `rules` and `declarations`
///   carries `added_in`, the change that stored it; a row stated again keeps its first change.
/// - A row that goes (a retraction) is copied by a trigger into `retracted_facts` (fact and period
///   rows: binary facts by `s`, `o`, others by packed `args`; a period row has its ends) or
///   `retracted_texts` (rules and declarations), with `retracted_in`, the change that removed it.
///   Triggers take the change as the newest row of `changes`: a writer records its change before
///   it removes anything, and SQLite lets one writer in at a time. A row added and removed by
///   the same change never was, as far as any other change can tell: it is not kept.
///
/// The knowledge base as it stood after change `c`: the live rows with `added_in <= c`, and the
/// retracted ones with `added_in <= c < retracted_in`. Facts without history cost one small
/// integer a row, and queries of the present never read the history tables.
extension Store {
    static let historyTables = """
        CREATE TABLE IF NOT EXISTS changes(id INTEGER PRIMARY KEY, at INTEGER NOT NULL, by TEXT NOT NULL, what TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS retracted_facts(p INTEGER NOT NULL, s INTEGER, o INTEGER, args BLOB, g INTEGER NOT NULL,
            valid_from INTEGER, valid_until INTEGER, added_in INTEGER NOT NULL, retracted_in INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS retracted_facts_p ON retracted_facts(p, retracted_in);
        CREATE INDEX IF NOT EXISTS retracted_facts_change ON retracted_facts(retracted_in);
        CREATE TABLE IF NOT EXISTS retracted_texts(kind TEXT NOT NULL, id INTEGER NOT NULL, text TEXT NOT NULL,
            added_in INTEGER NOT NULL, retracted_in INTEGER NOT NULL);
        CREATE TRIGGER IF NOT EXISTS quads_history AFTER DELETE ON quads
            WHEN old.added_in <> (SELECT max(id) FROM changes) BEGIN
            INSERT INTO retracted_facts(p, s, o, g, added_in, retracted_in)
            VALUES (old.p, old.s, old.o, old.g, old.added_in, (SELECT max(id) FROM changes)); END;
        CREATE TRIGGER IF NOT EXISTS tuples_history AFTER DELETE ON tuples
            WHEN old.added_in <> (SELECT max(id) FROM changes) BEGIN
            INSERT INTO retracted_facts(p, args, g, added_in, retracted_in)
            VALUES (old.p, old.args, old.g, old.added_in, (SELECT max(id) FROM changes)); END;
        CREATE TRIGGER IF NOT EXISTS fact_periods_history AFTER DELETE ON fact_periods
            WHEN old.added_in <> (SELECT max(id) FROM changes) BEGIN
            INSERT INTO retracted_facts(p, s, o, g, valid_from, valid_until, added_in, retracted_in)
            VALUES (old.p, old.s, old.o, old.g, old.valid_from, old.valid_until, old.added_in, (SELECT max(id) FROM changes)); END;
        CREATE TRIGGER IF NOT EXISTS tuple_periods_history AFTER DELETE ON tuple_periods
            WHEN old.added_in <> (SELECT max(id) FROM changes) BEGIN
            INSERT INTO retracted_facts(p, args, g, valid_from, valid_until, added_in, retracted_in)
            VALUES (old.p, old.args, old.g, old.valid_from, old.valid_until, old.added_in, (SELECT max(id) FROM changes)); END;
        CREATE TRIGGER IF NOT EXISTS rules_history AFTER DELETE ON rules
            WHEN old.added_in <> (SELECT max(id) FROM changes) BEGIN
            INSERT INTO retracted_texts(kind, id, text, added_in, retracted_in)
            VALUES ('rule', old.id, old.text, old.added_in, (SELECT max(id) FROM changes)); END;
        CREATE TRIGGER IF NOT EXISTS declarations_history AFTER DELETE ON declarations
            WHEN old.added_in <> (SELECT max(id) FROM changes) BEGIN
            INSERT INTO retracted_texts(kind, id, text, added_in, retracted_in)
            VALUES ('declaration', old.rowid, old.text, old.added_in, (SELECT max(id) FROM changes)); END;
        """

    /// The tables whose rows carry `added_in`.
    static let recordedTables = ["quads", "tuples", "fact_periods", "tuple_periods", "rules", "declarations"]

    /// Schema 7 records every change: `added_in` on every row, the history tables, and change 0
    /// for what was there before.
    func addHistory(what: String) throws {
        try transaction {
            try connection.execute("\(Store.declarationsTable) \(Store.periodTables)")
            for table in Store.recordedTables
            where try connection.scalar("SELECT count(*) FROM pragma_table_info('\(table)') WHERE name = 'added_in'") == 0 {
                try connection.execute("ALTER TABLE \(table) ADD COLUMN added_in INTEGER NOT NULL DEFAULT 0")
            }
            try connection.execute(Store.historyTables)
            let first = try connection.prepare("INSERT OR IGNORE INTO changes(id, at, by, what) VALUES (0, ?1, ?2, ?3)")
            first.bind(1, ChangeStamp.now())
            first.bind(2, ChangeStamp.userName)
            first.bind(3, what)
            try first.run()
            try connection.execute("PRAGMA user_version = 7")
        }
    }



    /// The change the current write transaction records, made at its first write. Outside a
    /// transaction, every write is a change of its own.
    func changeID() throws -> Int64 {
        if let current = currentChange { return current.id }
        let statement = try connection.prepare("INSERT INTO changes(at, by, what) VALUES (max(?1, (SELECT coalesce(max(at), 0) + 1 FROM changes)), ?2, ?3)")
        // Each change has a moment of its own, after the one before it, even when the clock
        // was set back or two changes come within a millisecond.
        statement.bind(1, ChangeStamp.now())
        statement.bind(2, changeAuthor)
        statement.bind(3, changeDescription)
        try statement.run()
        let id = connection.lastInsertRowID
        if inTransaction { currentChange = (id, transactionDepthNow) }
        return id
    }

    // MARK: Reading the past

    /// The last change recorded at or before `moment` (milliseconds since 1970); nil when the
    /// history begins after it (the file was made later, or older history was forgotten).
    public func change(atOrBefore moment: Int64) throws -> Int64? {
        let statement = try connection.prepare("SELECT max(id) FROM changes WHERE at <= ?1")
        defer { statement.reset() }
        statement.bind(1, moment)
        guard try statement.step(), !statement.isNull(0) else { return nil }
        return statement.int64(0)
    }

    /// The first change the file remembers: when its history begins.
    public func firstChange() throws -> ChangeRecord? {
        try changeRecords(where: "id = (SELECT min(id) FROM changes)").first
    }

    /// The changes after change `after`, oldest first.
    public func changes(after: Int64) throws -> [ChangeRecord] {
        try changeRecords(where: "id > ?1", after)
    }

    private func changeRecords(where condition: String, _ parameter: Int64? = nil) throws -> [ChangeRecord] {
        let statement = try connection.prepare("SELECT id, at, by, what FROM changes WHERE \(condition) ORDER BY id")
        defer { statement.reset() }
        if let parameter { statement.bind(1, parameter) }
        var result: [ChangeRecord] = []
        while try statement.step() {
            result.append(ChangeRecord(id: statement.int64(0), at: statement.int64(1), by: statement.string(2), what: statement.string(3)))
        }
        return result
    }

    /// Every fact row of a predicate as it stood after change `change`, packed row after row:
    /// the arguments, then the source; ordered by arguments, then source.
    public func factRows(predicate: Int64, arity: Int, asOf change: Int64) throws -> [Int64] {
        let sql = arity == 2
            ? """
              SELECT s, o, g FROM quads WHERE p = ?1 AND added_in <= ?2
              UNION ALL SELECT s, o, g FROM retracted_facts
                  WHERE p = ?1 AND s IS NOT NULL AND valid_from IS NULL AND added_in <= ?2 AND retracted_in > ?2
              ORDER BY 1, 2, 3
              """
            : """
              SELECT args, g FROM tuples WHERE p = ?1 AND added_in <= ?2
              UNION ALL SELECT args, g FROM retracted_facts
                  WHERE p = ?1 AND args IS NOT NULL AND valid_from IS NULL AND added_in <= ?2 AND retracted_in > ?2
              ORDER BY 1, 2
              """
        return try packedRows(sql, predicate: predicate, change: change, arity: arity, extraColumns: 1)
    }

    /// Every period row of a predicate as it stood after change `change`, packed row after row:
    /// the arguments, the source, the start and the end.
    public func periodRows(predicate: Int64, arity: Int, asOf change: Int64) throws -> [Int64] {
        let sql = arity == 2
            ? """
              SELECT s, o, g, valid_from, valid_until FROM fact_periods WHERE p = ?1 AND added_in <= ?2
              UNION ALL SELECT s, o, g, valid_from, valid_until FROM retracted_facts
                  WHERE p = ?1 AND s IS NOT NULL AND valid_from IS NOT NULL AND added_in <= ?2 AND retracted_in > ?2
              """
            : """
              SELECT args, g, valid_from, valid_until FROM tuple_periods WHERE p = ?1 AND added_in <= ?2
              UNION ALL SELECT args, g, valid_from, valid_until FROM retracted_facts
                  WHERE p = ?1 AND args IS NOT NULL AND valid_from IS NOT NULL AND added_in <= ?2 AND retracted_in > ?2
              """
        return try packedRows(sql, predicate: predicate, change: change, arity: arity, extraColumns: 3)
    }

    /// The rows of `sql` (binary facts' subject and object as two columns, others' packed
    /// arguments as one), packed: the arguments, then `extraColumns` integers.
    private func packedRows(_ sql: String, predicate: Int64, change: Int64, arity: Int, extraColumns: Int) throws -> [Int64] {
        let statement = try connection.prepare(sql)
        defer { statement.reset() }
        statement.bind(1, predicate)
        statement.bind(2, change)
        var result: [Int64] = []
        let first = arity == 2 ? 2 : 1
        while try statement.step() {
            if arity == 2 {
                result.append(statement.int64(0))
                result.append(statement.int64(1))
            } else {
                let blob = statement.blob(0)
                guard blob.count == arity * 8 else { throw StoreError.sqlite(code: SQLITE_CORRUPT, message: "a fact of arity \(arity) has \(blob.count / 8) arguments") }
                result += Store.unpacked(blob)
            }
            for column in 0..<extraColumns { result.append(statement.int64(Int32(first + column))) }
        }
        return result
    }

    static func unpacked(_ blob: UnsafeRawBufferPointer) -> [Int64] {
        (0..<(blob.count / 8)).map { Int64(littleEndian: blob.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self)) }
    }

    /// The rules or declarations (`kind` "rule" or "declaration") as they stood after a change,
    /// in the order they were added.
    public func texts(_ kind: String, asOf change: Int64) throws -> [String] {
        let live = kind == "rule" ? "SELECT id, text FROM rules" : "SELECT rowid AS id, text FROM declarations"
        let statement = try connection.prepare("""
            SELECT text FROM (\(live) WHERE added_in <= ?1
                              UNION ALL SELECT id, text FROM retracted_texts WHERE kind = ?2 AND added_in <= ?1 AND retracted_in > ?1)
            ORDER BY id
            """)
        defer { statement.reset() }
        statement.bind(1, change)
        statement.bind(2, kind)
        var result: [String] = []
        while try statement.step() { result.append(statement.string(0)) }
        return result
    }

    // MARK: The history of facts

    /// The recorded additions and retractions of fact and period rows: of one fact (`predicate`
    /// and `arguments`), of one predicate, or of all; only changes after `after` when given.
    public func history(predicate: Int64?, arguments: [Int64]?, after: Int64?) throws -> [HistoryRow] {
        var result: [HistoryRow] = []
        let since = after ?? -1
        func collect(_ sql: String, binaryColumns: Bool, periods: Bool, retracted: Bool) throws {
            let statement = try connection.prepare(sql)
            defer { statement.reset() }
            statement.bind(1, since)
            if let predicate { statement.bind(2, predicate) }
            if let arguments {
                if arguments.count == 2 { statement.bind(3, arguments[0]); statement.bind(4, arguments[1]) } else {
                    Store.withPacked(arguments) { statement.bind(5, blob: $0) }
                }
            }
            while try statement.step() {
                let args = binaryColumns ? [statement.int64(1), statement.int64(2)] : Store.unpacked(statement.blob(1))
                result.append(HistoryRow(predicate: statement.int64(0), arguments: args, source: statement.int64(3),
                                         period: periods ? (statement.int64(4), statement.int64(5)) : nil,
                                         addedIn: statement.int64(6), retractedIn: retracted ? statement.int64(7) : nil))
            }
        }
        let one = predicate == nil ? "" : " AND p = ?2"
        let binary = arguments == nil ? "" : arguments!.count == 2 ? " AND s = ?3 AND o = ?4" : " AND 0"
        let other = arguments == nil ? "" : arguments!.count == 2 ? " AND 0" : " AND args = ?5"
        let live = "(added_in > ?1)"
        let gone = "(added_in > ?1 OR retracted_in > ?1)"
        try collect("SELECT p, s, o, g, 0, 0, added_in FROM quads WHERE \(live)\(one)\(binary) ORDER BY p, s, o, g", binaryColumns: true, periods: false, retracted: false)
        try collect("SELECT p, args, 0, g, 0, 0, added_in FROM tuples WHERE \(live)\(one)\(other)", binaryColumns: false, periods: false, retracted: false)
        try collect("SELECT p, s, o, g, valid_from, valid_until, added_in FROM fact_periods WHERE \(live)\(one)\(binary)", binaryColumns: true, periods: true, retracted: false)
        try collect("SELECT p, args, 0, g, valid_from, valid_until, added_in FROM tuple_periods WHERE \(live)\(one)\(other)", binaryColumns: false, periods: true, retracted: false)
        for (hasPeriod, condition) in [(false, "valid_from IS NULL"), (true, "valid_from IS NOT NULL")] {
            try collect("SELECT p, s, o, g, valid_from, valid_until, added_in, retracted_in FROM retracted_facts WHERE s IS NOT NULL AND \(condition) AND \(gone)\(one)\(binary)",
                        binaryColumns: true, periods: hasPeriod, retracted: true)
            try collect("SELECT p, args, 0, g, valid_from, valid_until, added_in, retracted_in FROM retracted_facts WHERE args IS NOT NULL AND \(condition) AND \(gone)\(one)\(other)",
                        binaryColumns: false, periods: hasPeriod, retracted: true)
        }
        return result
    }

    /// The recorded additions and retractions of rules and declarations after change `after`.
    public func textHistory(after: Int64?) throws -> [TextHistoryRow] {
        let statement = try connection.prepare("""
            SELECT 'rule', text, added_in, NULL FROM rules WHERE added_in > ?1
            UNION ALL SELECT 'declaration', text, added_in, NULL FROM declarations WHERE added_in > ?1
            UNION ALL SELECT kind, text, added_in, retracted_in FROM retracted_texts WHERE added_in > ?1 OR retracted_in > ?1
            """)
        defer { statement.reset() }
        statement.bind(1, after ?? -1)
        var result: [TextHistoryRow] = []
        while try statement.step() {
            result.append(TextHistoryRow(kind: statement.string(0), text: statement.string(1), addedIn: statement.int64(2),
                                         retractedIn: statement.isNull(3) ? nil : statement.int64(3)))
        }
        return result
    }

    /// Forgets the history before change `change`: the changes before it, and the rows retracted
    /// at or before it (no moment the history still answers for can see them). Returns how many
    /// changes and retracted rows went.
    public func forgetHistory(before change: Int64) throws -> (changes: Int, rows: Int) {
        try transaction {
            try connection.execute("DELETE FROM changes WHERE id < \(change)")
            let changes = connection.changes
            try connection.execute("DELETE FROM retracted_facts WHERE retracted_in <= \(change)")
            var rows = connection.changes
            try connection.execute("DELETE FROM retracted_texts WHERE retracted_in <= \(change)")
            rows += connection.changes
            return (changes, rows)
        }
    }
}

