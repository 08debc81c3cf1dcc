import Foundation
import KGLog
import KGPostgres

/// Where the knowledge-base tests keep their knowledge bases. The same tests run over every
/// store: by default each knowledge base is SQLite in memory; with `KGLOG_TEST_STORE=postgresql`
/// (scripts/test.sh runs the suites a second time so) each is a new schema on the PostgreSQL
/// server of the tests.
public enum TestStore {
    /// True when the tests run over PostgreSQL.
    public static var isPostgres: Bool {
        ProcessInfo.processInfo.environment["KGLOG_TEST_STORE"] == "postgresql"
    }

    /// True when queries over PostgreSQL are evaluated in the database whenever they can be
    /// (`KGLOG_TEST_EVALUATE=server`; scripts/test.sh runs the suites a third time so).
    public static var evaluatesOnServer: Bool {
        ProcessInfo.processInfo.environment["KGLOG_TEST_EVALUATE"] == "server"
    }

    /// A new, empty knowledge base on the store of the tests.
    public static func newKnowledgeBase() throws -> KnowledgeBase {
        let knowledgeBase = try KnowledgeBase(path: location())
        if evaluatesOnServer { knowledgeBase.serverThreshold = 0 }
        return knowledgeBase
    }

    /// The location to open a new, empty knowledge base at: nil for SQLite in memory, else a
    /// connection URI whose search path is a schema made for it.
    public static func location() throws -> String? {
        isPostgres ? try newPostgresDatabase() : nil
    }

    /// A location to open a new knowledge base at that a second `KnowledgeBase` opens again:
    /// a file in `directory` for SQLite, else a new schema on the tests' PostgreSQL server.
    public static func reopenableLocation(in directory: URL) throws -> String {
        isPostgres ? try newPostgresDatabase() : directory.appendingPathComponent("kb-\(UInt32.random(in: 0...UInt32.max)).kglog").path
    }

    /// A connection URI of a new, empty schema on the PostgreSQL server of the tests.
    public static func newPostgresDatabase() throws -> String {
        let server = try TestEnvironment.postgres()
        let schema = "kglog_kb_\(UInt64.random(in: 0...UInt64.max))"
        let admin = try PostgresConnection(server)
        defer { admin.close() }
        try admin.execute("CREATE SCHEMA \(schema)")
        return server + "?options=-csearch_path%3D\(schema)"
    }
}
