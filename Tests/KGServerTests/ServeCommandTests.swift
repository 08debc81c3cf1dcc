import Foundation
import XCTest
import KGTestSupport

/// `kglog serve` as a user starts it: the address and the token it prints, a clean stop on
/// SIGTERM and SIGINT, and the errors of its options.
final class ServeCommandTests: FolderTestCase {
    func testItPrintsWhereItListensAndStopsCleanlyOnASignal() throws {
        let database = directory.appendingPathComponent("kb.kglog").path
        XCTAssertEqual(try Subprocess.kglog(["run", "--db", database, try write("m.kgl", "m(armenia, csto).\n")]).wait().status, 0)
        for signal in [SIGTERM, SIGINT] {
            let server = try Subprocess.kglog(["serve", "--db", database, "--port", "0"])
            try server.waitUntil("the address") { server.stdoutSoFar.contains("token for changes: ") }
            let lines = server.stdoutSoFar.split(separator: "\n")
            XCTAssertTrue(lines[0].hasPrefix("kglog serving \(database) at http://127.0.0.1:"), "\(lines)")
            // A token is made when none is given: 64 hex digits at most, different each time.
            let token = String(lines[1].dropFirst("token for changes: ".count))
            XCTAssertGreaterThanOrEqual(token.count, 16)
            XCTAssertTrue(token.allSatisfy(\.isHexDigit), token)
            let address = String(lines[0].split(separator: " ").last!)
            let reply = try Subprocess.run(try TestEnvironment.tool("python3"), ["-c", """
                import sys, urllib.request
                request = urllib.request.Request(sys.argv[1] + "/api/statements", data=b"m(russia, csto).", method="POST",
                                                 headers={"Authorization": "Bearer " + sys.argv[2]})
                print(urllib.request.urlopen(request).read().decode(), end="")
                print(urllib.request.urlopen(urllib.request.Request(sys.argv[1] + "/api/query", data=b"m(X, csto)", method="POST")).read().decode(), end="")
                """, address, token])
            XCTAssertEqual(reply.status, 0, reply.stderr)
            XCTAssertTrue(reply.stdout.hasSuffix(#"{"query":"?- m(X, csto).","columns":["X"],"rows":[[{"value":"armenia","kind":"name"}],[{"value":"russia","kind":"name"}]]}"# + "\n"), reply.stdout)
            server.send(signal)
            let ended = try server.wait(timeout: 30)
            XCTAssertEqual(ended.status, 0, "\(signal): \(ended.stderr)")
            XCTAssertEqual(ended.stderr, "")
        }
        // What was written is in the file.
        XCTAssertEqual(try Subprocess.kglog(["query", "--db", database, "--format", "tsv", "m(X, csto)"]).wait().stdout, "X\narmenia\nrussia\n")
    }

    func testTheTokenFromAFileAndTheOptionsErrors() throws {
        let tokenFile = try write("token", "from-a-file\n")
        let server = try Subprocess.kglog(["serve", "--port", "0", "--token-file", tokenFile])
        try server.waitUntil("the address") { server.stdoutSoFar.contains(" at http://") }
        XCTAssertFalse(server.stdoutSoFar.contains("token for changes"))
        XCTAssertTrue(server.stdoutSoFar.hasPrefix("kglog serving a new knowledge base in memory at http://127.0.0.1:"))
        server.send(SIGTERM)
        XCTAssertEqual(try server.wait(timeout: 30).status, 0)
        for (arguments, message) in [
            (["serve", "--token", "a", "--token-file", tokenFile], "give --token or --token-file, not both"),
            (["serve", "--port", "70000"], "--port takes 0 to 65535"),
            (["serve", "--query-timeout", "0"], "--query-timeout takes a number of seconds above 0"),
            (["serve", "--read-only", "--load", tokenFile], "--read-only takes no --load: loading changes the knowledge base"),
        ] {
            let result = try Subprocess.kglog(arguments).wait()
            XCTAssertEqual(result.status, 2, "\(arguments)")
            XCTAssertTrue(result.stderr.contains(message), result.stderr)
        }
        let missing = try Subprocess.kglog(["serve", "--token-file", directory.appendingPathComponent("none").path]).wait()
        XCTAssertEqual(missing.status, 1)
        XCTAssertEqual(missing.stderr, "kglog: error: cannot read a token from '\(directory.appendingPathComponent("none").path)'\n")
        let noFile = try Subprocess.kglog(["serve", "--read-only", "--db", directory.appendingPathComponent("none.kglog").path]).wait()
        XCTAssertEqual(noFile.status, 1)
        XCTAssertTrue(noFile.stderr.contains("no such file"), noFile.stderr)
        // A port in use is an error that says so.
        let first = try Subprocess.kglog(["serve", "--port", "0"])
        try first.waitUntil("the address") { first.stdoutSoFar.contains(" at http://") }
        let port = first.stdoutSoFar.split(separator: "\n")[0].split(separator: ":").last!
        let second = try Subprocess.kglog(["serve", "--port", String(port)]).wait(timeout: 30)
        XCTAssertEqual(second.status, 1)
        XCTAssertTrue(second.stderr.hasPrefix("kglog: error: cannot serve on 127.0.0.1:\(port): "), second.stderr)
        first.send(SIGTERM)
        _ = try first.wait(timeout: 30)
    }
}
