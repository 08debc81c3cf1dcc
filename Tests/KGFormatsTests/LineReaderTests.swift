import XCTest
import KGFormats
import KGTestSupport

/// Reading files a chunk at a time, and the errors of files that cannot be read.
final class LineReaderTests: FolderTestCase {
    func testAFileThatCannotBeReadIsAnErrorThatLeaksNoDescriptor() throws {
        let folder: String = directory.path
        let open = { try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count }
        let before = try open()
        for _ in 0..<500 {
            XCTAssertThrowsError(try LineReader(path: folder)) { XCTAssertEqual(($0 as? FileError)?.message, "cannot read '\(folder)': it is a directory") }
            XCTAssertThrowsError(try LineReader(path: folder + "/none.nt")) { XCTAssertEqual(($0 as? FileError)?.reason, "no such file") }
        }
        XCTAssertEqual(try open(), before)
    }
}
