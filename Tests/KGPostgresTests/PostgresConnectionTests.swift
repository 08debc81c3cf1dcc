import XCTest
import KGPostgres
import KGTestSupport

/// Against the private server `scripts/test.sh` starts (`KGLOG_TEST_POSTGRES`): in CI a missing
/// server fails these tests, elsewhere it skips them.
final class PostgresConnectionTests: XCTestCase {
    private var connection: PostgresConnection!
    private let schema = "kglog_test_\(UInt32.random(in: 0...UInt32.max))"

    override func setUpWithError() throws {
        connection = try PostgresConnection(try TestEnvironment.postgres())
        try connection.execute("CREATE SCHEMA \(schema)")
        try connection.execute("SET search_path TO \(schema)")
    }

    override func tearDownWithError() throws {
        try connection?.execute("DROP SCHEMA \(schema) CASCADE")
        connection?.close()
    }

    func testParametersAreBoundNeverSpliced() throws {
        try connection.execute("CREATE TABLE terms(id bigint PRIMARY KEY, lexical text NOT NULL)")
        let texts = ["Robert'); DROP TABLE terms; --", "ОДКБ", "a\\b\"c", "", "line\nbreak"]
        for (id, text) in texts.enumerated() {
            XCTAssertEqual(try connection.execute("INSERT INTO terms VALUES ($1, $2)", [.integer(Int64(id) - (1 << 62)), .text(text)]).changed, 1)
        }
        let result = try connection.execute("SELECT id, lexical FROM terms WHERE id < $1 ORDER BY id", [.integer(100)])
        XCTAssertEqual(result.columns, ["id", "lexical"])
        XCTAssertEqual(result.rows, texts.enumerated().map { [String(Int64($0.offset) - (1 << 62)), $0.element] })
        XCTAssertEqual(try connection.execute("SELECT $1::text IS NULL", [nil]).rows, [["t"]])
    }

    func testIntegerRowsArePackedRowAfterRowWithNullAsZero() throws {
        XCTAssertEqual(try connection.integers("SELECT * FROM (VALUES (1::bigint, -9223372036854775807 - 1), (NULL, 9223372036854775807), (-5, 0)) AS v"),
                       [1, Int64.min, 0, Int64.max, -5, 0])
        XCTAssertEqual(try connection.integers("SELECT 1 WHERE false"), [])
        XCTAssertThrowsError(try connection.integers("SELECT * FROM no_such_table")) { error in
            XCTAssertEqual((error as? PostgresError).map { if case .server(let state, _, _) = $0 { return state } else { return "" } }, "42P01")
        }
    }

    func testServerErrorsCarryTheirStateMessageAndPosition() throws {
        try connection.execute("CREATE TABLE t(id bigint PRIMARY KEY)")
        try connection.execute("INSERT INTO t VALUES (1)")
        XCTAssertThrowsError(try connection.execute("INSERT INTO t VALUES ($1)", [.integer(1)])) { error in
            guard case .server(let state, let message, nil)? = error as? PostgresError else { return XCTFail("\(error)") }
            XCTAssertEqual(state, "23505")
            XCTAssertEqual(message, "duplicate key value violates unique constraint \"t_pkey\"")
        }
        XCTAssertThrowsError(try connection.execute("SELECT FROM WHERE")) { error in
            XCTAssertEqual(error as? PostgresError, .server(sqlState: "42601", message: "syntax error at or near \"WHERE\"", position: 13))
            XCTAssertEqual("\(error)", "syntax error at or near \"WHERE\" (SQLSTATE 42601)")
        }
        // The connection goes on after an error.
        XCTAssertEqual(try connection.execute("SELECT count(*) FROM t").rows, [["1"]])
    }

    func testATransactionThatThrowsLeavesNothingAndSavepointsNest() throws {
        struct Undo: Error {}
        try connection.execute("CREATE TABLE t(id bigint PRIMARY KEY)")
        XCTAssertThrowsError(try connection.transaction {
            try connection.execute("INSERT INTO t VALUES (1)")
            throw Undo()
        })
        try connection.transaction {
            try connection.execute("INSERT INTO t VALUES (2)")
            // The inner part fails and is undone; the outer goes on and commits.
            XCTAssertThrowsError(try connection.transaction {
                try connection.execute("INSERT INTO t VALUES (3)")
                try connection.execute("INSERT INTO t VALUES (2)")
            })
            try connection.execute("INSERT INTO t VALUES (4)")
        }
        XCTAssertEqual(try connection.execute("SELECT id FROM t ORDER BY id").rows, [["2"], ["4"]])
    }

    func testAServerThatIsNotThereIsAClearErrorThatHidesThePassword() throws {
        XCTAssertThrowsError(try PostgresConnection("postgresql://kglog:secret@127.0.0.1:1/nowhere?connect_timeout=2")) { error in
            guard case .cannotConnect(let target, let reason)? = error as? PostgresError else { return XCTFail("\(error)") }
            XCTAssertEqual(target, "postgresql://kglog:***@127.0.0.1:1/nowhere?connect_timeout=2")
            XCTAssertTrue(reason.contains("127.0.0.1") && reason.contains("port 1"), reason)
            XCTAssertFalse("\(error)".contains("secret"))
        }
        XCTAssertThrowsError(try PostgresConnection("host=127.0.0.1 port=1 password='a b' connect_timeout=2")) { error in
            XCTAssertTrue("\(error)".hasPrefix("cannot connect to 'host=127.0.0.1 port=1 password=*** connect_timeout=2': "), "\(error)")
        }
        XCTAssertThrowsError(try PostgresConnection("postgresql://[bad")) { error in
            XCTAssertTrue("\(error)".hasPrefix("cannot connect to 'postgresql://[bad': "), "\(error)")
        }
    }
}
