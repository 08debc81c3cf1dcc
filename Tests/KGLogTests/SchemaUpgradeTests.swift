import Foundation
import XCTest
import KGTestSupport
import KGLog
import KGStore
import KGSyntax

/// A file written by kglog with schema 3 (every number in the term dictionary), kept in
/// `Tests/Fixtures/schema3.kglog` (made from `schema3.kgl`; that build's backup of it is
/// `schema3-export.kgl`), read as it is and then upgraded.
final class SchemaUpgradeTests: FolderTestCase {
    private func fixture() throws -> String {
        let copy = directory.appendingPathComponent("schema3.kglog").path
        try FileManager.default.copyItem(atPath: TestEnvironment.packageRoot.appendingPathComponent("Tests/Fixtures/schema3.kglog").path,
                                         toPath: copy)
        return copy
    }

    /// The answers the schema 3 build gave for the fixture, query by query.
    private let expected: [(query: String, rows: [String])] = [
        ("size(X, N)", ["armenia, 29743", "big, 576460752303423488", "huge, 9223372036854775807",
                        "negative, -576460752303423488", "russia, 17098246"]),
        ("share(X, N)", ["armenia, 0.125", "russia, 1.5", "tiny, 0.000000000000000000001", "wide, 12345678901234567.25"]),
        ("budget(O, Y, B)", ["cis, 2021, 123456789012345678901.5", "csto, 2020, 1.5", "csto, 2021, 2.25"]),
        ("total(O, S)", ["cis, 123456789012345678901.5", "csto, 3.75"]),
        ("after(X, D)", ["armenia, 1992-05-15"]),
        ("point(X, Y, Z) @ S", ["1, 2, 3, 2024-01-01"]),
        ("member-of(X, O) @ S", ["armenia, csto, tass-2012", "belarus, csto, 2024-05-17", "kazakhstan, csto, 7"]),
        ("reported(D, N) @ S", ["2024-05-17, 42, 2024-05-17"]),
        // Constants meet the moved ids: inline ones, and those still in the dictionary.
        // The upgrade indexes the words of every string and name there was.
        ("text-match(T, \"tass*\")", ["tass-2012"]),
        ("text-match(T, \"csto\"), member-of(X, T)", ["csto, armenia", "csto, belarus", "csto, kazakhstan"]),
        ("size(X, 17098246)", ["russia"]),
        ("size(X, 9223372036854775807)", ["huge"]),
        ("share(X, 1.50)", ["russia"]),
        ("budget(O, 2021, B)", ["cis, 123456789012345678901.5", "csto, 2.25"]),
        ("member-of(X, csto) @ 2024-05-17", ["belarus"]),
        ("member-of(X, csto) @ 7", ["kazakhstan"]),
        ("joined(X, 1992-05-15)", ["armenia"]),
        ("size(X, N), N > 20000, N < 20000000", ["armenia, 29743", "russia, 17098246"]),
    ]

    private func check(_ kb: KnowledgeBase, file: StaticString = #filePath, line: UInt = #line) throws {
        for (query, rows) in expected {
            let answer = try kb.query(query).rows.map { $0.map(\.sourceText).joined(separator: ", ") }
            XCTAssertEqual(answer, rows, query, file: file, line: line)
        }
    }

    func testAnOlderFileIsReadAsItIsAndUpgradedWhenOpenedForWriting() throws {
        let file = try fixture()
        let before = try Data(contentsOf: URL(fileURLWithPath: file))
        let exported = try String(contentsOfFile: TestEnvironment.packageRoot.appendingPathComponent("Tests/Fixtures/schema3-export.kgl").path, encoding: .utf8)
        // Read-only: right answers from a copy in memory; the file is not touched.
        let reader = try KnowledgeBase(path: file, readOnly: true)
        try check(reader)
        XCTAssertThrowsError(try reader.execute("extra(1).")) { error in
            XCTAssertTrue("\(error)".contains("is read-only"), "\(error)")
        }
        reader.store.close()
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: file)), before)

        // For writing: upgraded in place, once; the same answers, and numbers leave the dictionary.
        let kb = try KnowledgeBase(path: file)
        try check(kb)
        XCTAssertEqual(try kb.store.integrityCheck(), "ok")
        // What was there has a history from the upgrade on: change 0.
        XCTAssertEqual(try kb.changes().map(\.what), ["everything stored before the file kept history"])
        XCTAssertEqual(Set(try kb.history(since: DateTime(millisecondsSinceEpoch: DateTime.range.lowerBound)).map(\.change)), [0])
        let store = try Store(path: file, readOnly: true)
        var kinds: [Int] = []
        try store.forEachTerm(ids: Array(1...200)) { _, kind, _ in kinds.append(kind) }
        XCTAssertEqual(kinds.filter { $0 == Value.Kind.integer.rawValue }.count, 2, "the two integers too large to be inline")
        XCTAssertEqual(kinds.filter { $0 == Value.Kind.decimal.rawValue }.count, 2, "the two decimals too long to be inline")
        XCTAssertFalse(kinds.contains(Value.Kind.date.rawValue))
        store.close()
        // New facts with the same numbers meet the old ones.
        try kb.execute("size(georgia, 29743). point(1, 2, 3) @ 2024-01-01.")
        XCTAssertEqual(try kb.query("size(X, 29743)").rows.map { $0.map(\.sourceText) }, [["armenia"], ["georgia"]])
        XCTAssertEqual(try kb.query("point(X, Y, Z) @ S").rows.count, 1)
        // The backup holds what the schema 3 build's backup held (the order of facts may differ).
        var backup = ""
        try kb.exportText { backup += $0 }
        let statements = { (text: String) in Set(text.split(separator: "\n").filter { !$0.hasPrefix("%") }) }
        XCTAssertEqual(statements(backup).subtracting(["size(georgia, 29743)."]), statements(exported))
    }
}
