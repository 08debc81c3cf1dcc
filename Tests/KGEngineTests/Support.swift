import XCTest
import KGTestSupport
import KGEngine
import KGLog
import KGSyntax

extension XCTestCase {
    /// The answer rows of `query` after loading `program`, each row as `a, b` (or `true`/`false`).
    func answers(_ program: String, _ query: String, file: StaticString = #filePath, line: UInt = #line) -> [String] {
        do {
            let kb = try TestStore.newKnowledgeBase()
            try kb.execute(program)
            let answer = try kb.query(query)
            if answer.columns.isEmpty { return [answer.holds ? "true" : "false"] }
            return answer.rows.map { $0.map(\.sourceText).joined(separator: ", ") }
        } catch let report as DiagnosticReport {
            XCTFail(report.rendered(), file: file, line: line)
        } catch {
            XCTFail("\(error)", file: file, line: line)
        }
        return []
    }

    /// The rendered report of executing `text` (as `t.kgl`) after `setup` on a new knowledge base.
    func error(_ text: String, setup: String = "", file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            let kb = try TestStore.newKnowledgeBase()
            try kb.execute(setup)
            try kb.execute(text, fileName: "t.kgl")
            XCTFail("no error", file: file, line: line)
        } catch let report as DiagnosticReport {
            return report.rendered()
        } catch {
            XCTFail("\(error)", file: file, line: line)
        }
        return ""
    }
}
