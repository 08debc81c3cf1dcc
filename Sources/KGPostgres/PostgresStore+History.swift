import Foundation
import KGSyntax

// MARK: - Record time: what the knowledge base said, and when

/// Every change is recorded, as in the SQLite file (see `KGStore`'s `Store+History.swift`):
/// `changes(id, at, by, what)`, `added_in` on every row of the fact, period, rule and declaration
/// tables, and `retracted_facts`, `retracted_texts` for the rows that went.
///
/// Here the change a transaction records is kept in the setting `kglog.change`, local to the
/// transaction (a rolled-back savepoint takes it back): `added_in`'s default reads it, so every
/// insert, COPY included, records it without naming it, and a trigger copies each removed row
/// into the history with it. Several writers at once each record their own change. A change's
/// moment is when it began writing.
extension PostgresStore {
    /// The default of `added_in`: the transaction's change, 0 outside one.
    static let currentChangeSQL = "coalesce(nullif(current_setting('kglog.change', true), '')::bigint, 0)"

    static let recordedTables = ["quads", "tuples", "fact_periods", "tuple_periods", "rules", "declarations"]

    static let historyStatements: [String] = recordedTables.map {
        "ALTER TABLE \($0) ADD COLUMN IF NOT EXISTS added_in bigint NOT NULL DEFAULT \(currentChangeSQL)"
    } + [
        "CREATE TABLE IF NOT EXISTS changes(id bigserial PRIMARY KEY, at bigint NOT NULL, by text NOT NULL, what text NOT NULL)",
        """
        CREATE TABLE IF NOT EXISTS retracted_facts(p bigint NOT NULL, s bigint, o bigint, args bytea, g bigint NOT NULL,
            valid_from bigint, valid_until bigint, added_in bigint NOT NULL, retracted_in bigint NOT NULL)
        """,
        "CREATE INDEX IF NOT EXISTS retracted_facts_p ON retracted_facts(p, retracted_in)",
        "CREATE INDEX IF NOT EXISTS retracted_facts_change ON retracted_facts(retracted_in)",
        """
        CREATE TABLE IF NOT EXISTS retracted_texts(kind text NOT NULL, id bigint NOT NULL, text text NOT NULL,
            added_in bigint NOT NULL, retracted_in bigint NOT NULL)
        """,
        // One function keeps every removed row, by the table it left.
        """
        CREATE OR REPLACE FUNCTION kglog_keep_retracted() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $f$
        DECLARE
          change bigint := \(currentChangeSQL);
        BEGIN
          -- A row added and removed by the same change never was: nothing to keep.
          IF OLD.added_in = change THEN
            RETURN NULL;
          END IF;
          IF TG_TABLE_NAME = 'quads' THEN
            INSERT INTO retracted_facts(p, s, o, g, added_in, retracted_in) VALUES (OLD.p, OLD.s, OLD.o, OLD.g, OLD.added_in, change);
          ELSIF TG_TABLE_NAME = 'tuples' THEN
            INSERT INTO retracted_facts(p, args, g, added_in, retracted_in) VALUES (OLD.p, OLD.args, OLD.g, OLD.added_in, change);
          ELSIF TG_TABLE_NAME = 'fact_periods' THEN
            INSERT INTO retracted_facts(p, s, o, g, valid_from, valid_until, added_in, retracted_in)
            VALUES (OLD.p, OLD.s, OLD.o, OLD.g, OLD.valid_from, OLD.valid_until, OLD.added_in, change);
          ELSIF TG_TABLE_NAME = 'tuple_periods' THEN
            INSERT INTO retracted_facts(p, args, g, valid_from, valid_until, added_in, retracted_in)
            VALUES (OLD.p, OLD.args, OLD.g, OLD.valid_from, OLD.valid_until, OLD.added_in, change);
          ELSIF TG_TABLE_NAME = 'rules' THEN
            INSERT INTO retracted_texts(kind, id, text, added_in, retracted_in) VALUES ('rule', OLD.id, OLD.text, OLD.added_in, change);
          ELSE
            INSERT INTO retracted_texts(kind, id, text, added_in, retracted_in) VALUES ('declaration', OLD.id, OLD.text, OLD.added_in, change);
          END IF;
          RETURN NULL;
        END $f$
        """,
    ] + recordedTables.flatMap { table in [
        "DROP TRIGGER IF EXISTS \(table)_history ON \(table)",
        "CREATE TRIGGER \(table)_history AFTER DELETE ON \(table) FOR EACH ROW EXECUTE FUNCTION kglog_keep_retracted()",
    ] }

    /// Schema 3 records every change; change 0 stands for what was there before.
    func addHistory(what: String) throws {
        for statement in PostgresStore.historyStatements { try connection.execute(statement) }
        try connection.execute("INSERT INTO changes(id, at, by, what) VALUES (0, $1, $2, $3) ON CONFLICT DO NOTHING",
                               [.integer(ChangeStamp.now()), .text(ChangeStamp.userName), .text(what)])
    }



    /// The change the open transaction records, made (and put in `kglog.change`) at its first write.
    @discardableResult
    func changeID() throws -> Int64 {
        if let current = currentChange, current.serial == connection.transactionSerial {
            if current.rollbacks == connection.rollbacks { return current.id }
            // A savepoint was rolled back: the setting says whether the change outlived it.
            if let kept = try connection.execute("SELECT nullif(current_setting('kglog.change', true), '')::bigint").rows.first?.first ?? nil,
               let id = Int64(kept) {
                currentChange = (id, connection.transactionSerial, connection.rollbacks)
                return id
            }
        }
        let id = try integer("""
            INSERT INTO changes(at, by, what) SELECT greatest($1, (SELECT coalesce(max(at), 0) + 1 FROM changes)), $2, $3 RETURNING id
            """, [.integer(ChangeStamp.now()), .text(changeAuthor), .text(changeDescription)])
        // Local to the transaction; outside one (each write its own change), for the session.
        try connection.execute("SELECT set_config('kglog.change', $1, $2)", [.text(String(id)), .text(connection.isInTransaction ? "true" : "false")])
        if connection.isInTransaction { currentChange = (id, connection.transactionSerial, connection.rollbacks) }
        return id
    }

    // MARK: Reading the past

    public func change(atOrBefore moment: Int64) throws -> Int64? {
        guard let value = try connection.execute("SELECT max(id) FROM changes WHERE at <= $1", [.integer(moment)]).rows.first?.first ?? nil else { return nil }
        return Int64(value)
    }

    public func firstChange() throws -> ChangeRecord? {
        try changeRecords("SELECT id, at, by, what FROM changes WHERE id = (SELECT min(id) FROM changes)", []).first
    }

    public func changes(after: Int64) throws -> [ChangeRecord] {
        try changeRecords("SELECT id, at, by, what FROM changes WHERE id > $1 ORDER BY id", [.integer(after)])
    }

    private func changeRecords(_ sql: String, _ parameters: [PostgresValue?]) throws -> [ChangeRecord] {
        try connection.execute(sql, parameters).rows.map { row in
            ChangeRecord(id: Int64(row[0] ?? "") ?? 0, at: Int64(row[1] ?? "") ?? 0, by: row[2] ?? "", what: row[3] ?? "")
        }
    }

    public func factRows(predicate: Int64, arity: Int, asOf change: Int64) throws -> [Int64] {
        let sql = arity == 2
            ? """
              SELECT s, o, g FROM quads WHERE p = $1 AND added_in <= $2
              UNION ALL SELECT s, o, g FROM retracted_facts
                  WHERE p = $1 AND s IS NOT NULL AND valid_from IS NULL AND added_in <= $2 AND retracted_in > $2
              ORDER BY 1, 2, 3
              """
            : """
              SELECT args, g FROM tuples WHERE p = $1 AND added_in <= $2
              UNION ALL SELECT args, g FROM retracted_facts
                  WHERE p = $1 AND args IS NOT NULL AND valid_from IS NULL AND added_in <= $2 AND retracted_in > $2
              ORDER BY 1, 2
              """
        return try packedRows(sql, predicate: predicate, change: change, arity: arity)
    }

    public func periodRows(predicate: Int64, arity: Int, asOf change: Int64) throws -> [Int64] {
        let sql = arity == 2
            ? """
              SELECT s, o, g, valid_from, valid_until FROM fact_periods WHERE p = $1 AND added_in <= $2
              UNION ALL SELECT s, o, g, valid_from, valid_until FROM retracted_facts
                  WHERE p = $1 AND s IS NOT NULL AND valid_from IS NOT NULL AND added_in <= $2 AND retracted_in > $2
              """
            : """
              SELECT args, g, valid_from, valid_until FROM tuple_periods WHERE p = $1 AND added_in <= $2
              UNION ALL SELECT args, g, valid_from, valid_until FROM retracted_facts
                  WHERE p = $1 AND args IS NOT NULL AND valid_from IS NOT NULL AND added_in <= $2 AND retracted_in > $2
              """
        return try packedRows(sql, predicate: predicate, change: change, arity: arity)
    }

    /// The rows of `sql`, packed: binary facts' subject and object are integers already;
    /// other facts' packed arguments are unpacked in their place.
    private func packedRows(_ sql: String, predicate: Int64, change: Int64, arity: Int) throws -> [Int64] {
        let parameters: [PostgresValue?] = [.integer(predicate), .integer(change)]
        if arity == 2 { return try connection.integers(sql, parameters) }
        var result: [Int64] = []
        for row in try connection.execute(sql, parameters).rows {
            result += try PostgresStore.unpacked(row[0] ?? "", arity: arity)
            for text in row.dropFirst() {
                guard let text, let n = Int64(text) else { throw PostgresStoreError.damagedArguments(arity: arity, text: "\(row)") }
                result.append(n)
            }
        }
        return result
    }

    public func texts(_ kind: String, asOf change: Int64) throws -> [String] {
        let live = kind == "rule" ? "rules" : "declarations"
        return try connection.execute("""
            SELECT text FROM (SELECT id, text FROM \(live) WHERE added_in <= $1
                              UNION ALL SELECT id, text FROM retracted_texts WHERE kind = $2 AND added_in <= $1 AND retracted_in > $1) AS t
            ORDER BY id
            """, [.integer(change), .text(kind)]).rows.compactMap { $0.first ?? nil }
    }

    // MARK: The history of facts

    public func history(predicate: Int64?, arguments: [Int64]?, after: Int64?) throws -> [HistoryRow] {
        var parameters: [PostgresValue?] = [.integer(after ?? -1), predicate.map { .integer($0) }, nil, nil, nil]
        if let arguments {
            if arguments.count == 2 { parameters[2] = .integer(arguments[0]); parameters[3] = .integer(arguments[1]) } else {
                parameters[4] = .text(PostgresStore.packed(arguments))
            }
        }
        let one = " AND ($2::bigint IS NULL OR p = $2)"
        let binary = arguments == nil ? " AND $3::bigint IS NULL AND $4::bigint IS NULL AND $5::bytea IS NULL"
            : arguments!.count == 2 ? " AND s = $3 AND o = $4 AND $5::bytea IS NULL" : " AND false AND $3::bigint IS NULL AND $4::bigint IS NULL AND $5::bytea IS NULL"
        let other = arguments == nil ? " AND $3::bigint IS NULL AND $4::bigint IS NULL AND $5::bytea IS NULL"
            : arguments!.count == 2 ? " AND false AND $3::bigint IS NULL AND $4::bigint IS NULL AND $5::bytea IS NULL" : " AND args = $5::bytea AND $3::bigint IS NULL AND $4::bigint IS NULL"
        let live = "added_in > $1"
        let gone = "(added_in > $1 OR retracted_in > $1)"
        var result: [HistoryRow] = []
        func collect(_ sql: String, binaryColumns: Bool, periods: Bool) throws {
            for row in try connection.execute(sql, parameters).rows {
                func number(_ i: Int) -> Int64? { row[i].flatMap { Int64($0) } }
                let arguments = binaryColumns ? [number(1) ?? 0, number(2) ?? 0] : try PostgresStore.unpacked(row[1] ?? "", arity: max(0, (row[1]?.utf8.count ?? 2) - 2) / 16)
                result.append(HistoryRow(predicate: number(0) ?? 0, arguments: arguments, source: number(3) ?? 0,
                                         period: periods ? (number(4) ?? 0, number(5) ?? 0) : nil,
                                         addedIn: number(6) ?? 0, retractedIn: number(7)))
            }
        }
        try collect("SELECT p, s, o, g, 0, 0, added_in, NULL FROM quads WHERE \(live)\(one)\(binary)", binaryColumns: true, periods: false)
        try collect("SELECT p, args, 0, g, 0, 0, added_in, NULL FROM tuples WHERE \(live)\(one)\(other)", binaryColumns: false, periods: false)
        if try hasHistoryOfPeriods() {
            try collect("SELECT p, s, o, g, valid_from, valid_until, added_in, NULL FROM fact_periods WHERE \(live)\(one)\(binary)", binaryColumns: true, periods: true)
            try collect("SELECT p, args, 0, g, valid_from, valid_until, added_in, NULL FROM tuple_periods WHERE \(live)\(one)\(other)", binaryColumns: false, periods: true)
        }
        for (hasPeriod, condition) in [(false, "valid_from IS NULL"), (true, "valid_from IS NOT NULL")] {
            try collect("SELECT p, s, o, g, valid_from, valid_until, added_in, retracted_in FROM retracted_facts WHERE s IS NOT NULL AND \(condition) AND \(gone)\(one)\(binary)",
                        binaryColumns: true, periods: hasPeriod)
            try collect("SELECT p, args, 0, g, valid_from, valid_until, added_in, retracted_in FROM retracted_facts WHERE args IS NOT NULL AND \(condition) AND \(gone)\(one)\(other)",
                        binaryColumns: false, periods: hasPeriod)
        }
        return result
    }

    private func hasHistoryOfPeriods() throws -> Bool {
        try connection.execute("SELECT to_regclass('fact_periods') IS NOT NULL").rows == [["t"]]
    }

    public func textHistory(after: Int64?) throws -> [TextHistoryRow] {
        try connection.execute("""
            SELECT 'rule', text, added_in, NULL::bigint FROM rules WHERE added_in > $1
            UNION ALL SELECT 'declaration', text, added_in, NULL::bigint FROM declarations WHERE added_in > $1
            UNION ALL SELECT kind, text, added_in, retracted_in FROM retracted_texts WHERE added_in > $1 OR retracted_in > $1
            """, [.integer(after ?? -1)]).rows.map { row in
            TextHistoryRow(kind: row[0] ?? "", text: row[1] ?? "", addedIn: row[2].flatMap { Int64($0) } ?? 0, retractedIn: row[3].flatMap { Int64($0) })
        }
    }

    public func forgetHistory(before change: Int64) throws -> (changes: Int, rows: Int) {
        try transaction {
            let changes = try connection.execute("DELETE FROM changes WHERE id < $1", [.integer(change)]).changed
            let rows = try connection.execute("DELETE FROM retracted_facts WHERE retracted_in <= $1", [.integer(change)]).changed
                + connection.execute("DELETE FROM retracted_texts WHERE retracted_in <= $1", [.integer(change)]).changed
            return (changes, rows)
        }
    }
}
