import Foundation
import XCTest

/// Where the tests find the package, the shared test data and the tools they drive, and how a
/// missing part is reported: a failure in CI (where `.ci/run` installs every part), a skip
/// elsewhere.
public enum TestEnvironment {
    /// True when the tests run in CI (the `CI` variable is set), where nothing may be skipped.
    public static var isCI: Bool {
        guard let value = ProcessInfo.processInfo.environment["CI"] else { return false }
        return !value.isEmpty && value != "0" && value != "false"
    }

    /// The package's root folder.
    public static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared` beside the package: the W3C suites and the benchmark generator.
    public static var sharedFolder: URL {
        packageRoot.appendingPathComponent("../shared").standardized
    }

    /// The built `kglog` executable: the test bundle sits in the build folder beside it.
    public static let kglog: URL = {
        let bundle = URL(fileURLWithPath: CommandLine.arguments.first { $0.contains(".xctest") } ?? CommandLine.arguments[0])
        var folder = bundle.deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: folder.appendingPathComponent("kglog").path), folder.path != "/" {
            folder = folder.deletingLastPathComponent()
        }
        return folder.appendingPathComponent("kglog")
    }()

    /// Reports a part of the test set-up that is missing: an error in CI, a skip elsewhere.
    public static func missing(_ what: String) -> Error {
        if isCI { return MissingPart(description: "\(what): in CI every part of the tests must be there (.ci/run installs it)") }
        return XCTSkip("\(what) (CI installs it and fails without it)")
    }

    /// The full path of a program on the `PATH`, or the `missing` error.
    public static func tool(_ name: String) throws -> String {
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":")
        for folder in folders + ["/usr/sbin", "/sbin"] {
            let candidate = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw missing("the program '\(name)' is not installed")
    }

    /// The connection URI of the PostgreSQL server the tests may use (`KGLOG_TEST_POSTGRES`,
    /// which `scripts/test.sh` sets after starting a private server), or the `missing` error.
    public static func postgres() throws -> String {
        guard let uri = ProcessInfo.processInfo.environment["KGLOG_TEST_POSTGRES"], !uri.isEmpty else {
            throw missing("no PostgreSQL server for the tests (KGLOG_TEST_POSTGRES; scripts/test.sh starts one)")
        }
        return uri
    }

    struct MissingPart: Error, CustomStringConvertible {
        let description: String
    }
}

extension TestEnvironment {
    /// SQL that turns a SQLite knowledge base back into the layout of schema 8 and older, whose
    /// binary facts were one table `quads` (schema 9 splits it in two parts behind a view):
    /// tests write a file with today's kglog and then make it look as an older one wrote it.
    public static let oneQuadsTableSQL = """
        INSERT INTO quads_main SELECT * FROM quads_recent;
        DROP VIEW quads;
        DROP TABLE quads_recent;
        DROP TABLE quads_parts;
        ALTER TABLE quads_main RENAME TO quads;
        """
}
