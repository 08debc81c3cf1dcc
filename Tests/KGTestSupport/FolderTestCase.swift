import Foundation
import XCTest

/// A test case with a new folder for its files, removed after each test: the one
/// temporary-folder helper every test target shares.
open class FolderTestCase: XCTestCase {
    /// The test's own folder, new for each test.
    public var directory: URL!

    override open func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("kglog-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override open func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// The path of `name` in the test's folder.
    public func path(_ name: String) -> String {
        directory.appendingPathComponent(name).path
    }

    /// Writes `text` to a file of the folder and returns its path.
    @discardableResult
    public func write(_ name: String, _ text: String) throws -> String {
        let path = path(name)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
