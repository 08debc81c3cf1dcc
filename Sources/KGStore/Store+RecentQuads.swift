import Foundation

/// The rows of binary facts with their sources are kept in two parts, so that a write costs
/// what it writes rather than what the table holds (schema 9):
///
/// - `quads_main`: the bulk of the rows, in (p, s, o, g) order;
/// - `quads_recent`: the rows of recent small writes, in the same order;
/// - `quads`: a view of both, which every read uses (SQLite merges the two ordered parts of a
///   read with `ORDER BY`, so a fact's sources still come one after the other).
///
/// Why: the rows of one fact from all its sources lie together in (p, s, o, g) order, so a
/// source restating a few thousand known facts (a new edition of a reference work) adds one
/// row next to each of them, which in a large table is a page written per row: an edition's
/// import took three times as long at the end of 250 editions as at the start. Into the small
/// recent part the same rows write a few hundred pages. When the recent part has grown to an
/// eighth of the main one, a write transaction moves its rows into the main part in key order
/// before it commits ("folding", as log-structured stores merge their levels): each row is
/// moved once, and the main part is written in one ordered pass instead of a page per row.
///
/// A key is in one part only: a row goes into the recent part only when the main part does not
/// hold it, and into the main part only when the recent part is empty (a batch large enough to
/// go there folds the recent rows first). Deletes remove from both. `quads_parts` keeps the
/// main part's row count (refreshed by each fold), so that choosing a part costs no count.
extension Store {
    /// One part of the binary facts' rows.
    enum QuadPart: String {
        case main = "quads_main"
        case recent = "quads_recent"
    }

    /// A batch of this many times fewer rows than the main part holds goes to the recent part.
    static let recentBatchShare = 16
    /// The recent part is folded into the main part when it holds more than this share of the
    /// main part's rows, and more than `minimumFoldRows` (a property, which tests lower).
    static let foldShare = 8

    /// The recent part, its index on sources, and its history trigger (a fold drops the table
    /// and makes it again: no trigger runs for the rows it moves).
    static let recentQuadsTable = """
        CREATE TABLE quads_recent(s INTEGER NOT NULL, p INTEGER NOT NULL, o INTEGER NOT NULL, g INTEGER NOT NULL,
                                  added_in INTEGER NOT NULL DEFAULT 0, PRIMARY KEY(p, s, o, g)) WITHOUT ROWID;
        CREATE INDEX quads_recent_g ON quads_recent(g) WHERE g != 0;
        CREATE TRIGGER quads_recent_history AFTER DELETE ON quads_recent
            WHEN old.added_in <> (SELECT max(id) FROM changes) BEGIN
            INSERT INTO retracted_facts(p, s, o, g, added_in, retracted_in)
            VALUES (old.p, old.s, old.o, old.g, old.added_in, (SELECT max(id) FROM changes)); END;
        """

    /// Schema 9: the table `quads` becomes the main part (its index on sources and its history
    /// trigger follow it), and the recent part and the view of both are added.
    func splitQuadsInTwo() throws {
        try transaction {
            try connection.execute("""
                ALTER TABLE quads RENAME TO quads_main;
                \(Store.recentQuadsTable)
                CREATE VIEW quads AS SELECT s, p, o, g, added_in FROM quads_main UNION ALL SELECT s, p, o, g, added_in FROM quads_recent;
                CREATE TABLE quads_parts(main_rows INTEGER NOT NULL);
                INSERT INTO quads_parts(main_rows) SELECT count(*) FROM quads_main;
                PRAGMA user_version = 9;
                """)
        }
    }

    /// The main part's row count, read once per write transaction.
    func mainQuadRows() throws -> Int {
        if let rows = mainQuadRowsNow { return rows }
        let rows = Int(try connection.scalar("SELECT main_rows FROM quads_parts") ?? 0)
        mainQuadRowsNow = rows
        return rows
    }

    /// The part a batch of `count` new rows goes to: the main part when it is empty or the
    /// batch is large beside it (the recent rows are folded into it first), else the recent part.
    func quadPart(forBatchOf count: Int) throws -> QuadPart {
        let main = try mainQuadRows()
        guard main == 0 || count * Store.recentBatchShare >= main else { return .recent }
        try foldRecentQuads()
        return .main
    }

    /// Records rows added to a part: the main part's count, or that the recent part may need
    /// folding before the transaction commits.
    func quadRowsAdded(_ count: Int, to part: QuadPart) throws {
        guard count > 0 else { return }
        switch part {
        case .main:
            let rows = try mainQuadRows() + count
            try connection.execute("UPDATE quads_parts SET main_rows = \(rows)")
            mainQuadRowsNow = rows
        case .recent:
            recentQuadsGrew = true
        }
    }

    /// Before a write transaction commits: folds the recent part when it has grown large.
    func foldRecentQuadsIfLarge() throws {
        guard recentQuadsGrew else { return }
        recentQuadsGrew = false
        let recent = Int(try connection.scalar("SELECT count(*) FROM quads_recent") ?? 0)
        if recent > max(minimumFoldRows, try mainQuadRows() / Store.foldShare) { try foldRecentQuads() }
    }

    /// Moves every row of the recent part into the main part, in key order, and counts the main
    /// part again. The rows keep when they were added; no history is recorded (they are moved,
    /// not retracted): the recent part is dropped and made again, which also costs far less
    /// than deleting its rows one by one.
    func foldRecentQuads() throws {
        guard try connection.scalar("SELECT EXISTS (SELECT 1 FROM quads_recent)") == 1 else { return }
        // All of it or none (a savepoint inside the caller's transaction).
        try transaction {
            try connection.execute("""
                INSERT INTO quads_main(p, s, o, g, added_in) SELECT p, s, o, g, added_in FROM quads_recent ORDER BY p, s, o, g;
                DROP TABLE quads_recent;
                \(Store.recentQuadsTable)
                UPDATE quads_parts SET main_rows = (SELECT count(*) FROM quads_main);
                """)
        }
        mainQuadRowsNow = nil
    }

    /// The statement that inserts `rows` quads (p, s, o, g, added_in as parameters, row after
    /// row) into `part`, skipping rows already there; into the recent part, also rows the main
    /// part holds. With `returning`, it returns the (p, s, o, g) of each row it inserted.
    static func quadInsertSQL(into part: QuadPart, rows: Int, returning: Bool = false) -> String {
        let values = Array(repeating: "(?, ?, ?, ?, ?)", count: rows).joined(separator: ", ")
        let returned = returning ? " RETURNING p, s, o, g" : ""
        switch part {
        case .main:
            return "INSERT OR IGNORE INTO quads_main(p, s, o, g, added_in) VALUES \(values)\(returned)"
        case .recent:
            return """
                INSERT OR IGNORE INTO quads_recent(p, s, o, g, added_in)
                SELECT column1, column2, column3, column4, column5 FROM (VALUES \(values)) AS v
                WHERE NOT EXISTS (SELECT 1 FROM quads_main AS m
                                WHERE m.p = v.column1 AND m.s = v.column2 AND m.o = v.column3 AND m.g = v.column4)\(returned)
                """
        }
    }
}
