import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest
import KGLog
import KGServer
import KGSyntax
import KGTestSupport

/// A server of the tests' own on 127.0.0.1, on a port the system chose; stopped by `stop`.
final class TestServer: @unchecked Sendable {
    let address: String
    let token = "test-token"
    private let task: Task<Void, Error>

    init(database: String?, load: String? = nil, configure: (inout Server.Options) -> Void = { _ in }) throws {
        var options = Server.Options(token: token)
        options.database = database
        options.port = 0
        options.readers = 2
        if let load { options.load = [load] }
        configure(&options)
        let server = try Server(options: options)
        let listening = DispatchSemaphore(value: 0)
        let found = Box()
        task = Task { try await server.run { found.address = $0; listening.signal() } }
        guard listening.wait(timeout: .now() + 30) == .success, let address = found.address else { throw TestEnvironment.missing("the server did not start") }
        self.address = address
    }

    func stop() {
        task.cancel()
    }

    private final class Box: @unchecked Sendable { var address: String? }

    struct Reply {
        var status: Int
        var body: String
        var headers: [String: String]
    }

    /// Sends a request and waits for the whole reply.
    func send(_ method: String, _ path: String, body: Data? = nil, token: String? = nil, timeout: Double = 60) throws -> Reply {
        var request = URLRequest(url: URL(string: address + path)!)
        request.httpMethod = method
        request.httpBody = body
        request.timeoutInterval = timeout
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let done = DispatchSemaphore(value: 0)
        let result = ResultBox()
        URLSession.shared.dataTask(with: request) { data, response, error in
            result.value = (data, response as? HTTPURLResponse, error)
            done.signal()
        }.resume()
        guard done.wait(timeout: .now() + 90) == .success, let (data, response, error) = result.value else { throw TestEnvironment.missing("no reply") }
        if let error { throw error }
        guard let response else { throw TestEnvironment.missing("no HTTP reply") }
        var headers: [String: String] = [:]
        for (key, value) in response.allHeaderFields { headers[String(describing: key).lowercased()] = String(describing: value) }
        return Reply(status: response.statusCode, body: String(decoding: data ?? Data(), as: UTF8.self), headers: headers)
    }

    func send(_ method: String, _ path: String, text: String, token: String? = nil, timeout: Double = 60) throws -> Reply {
        try send(method, path, body: Data(text.utf8), token: token, timeout: timeout)
    }

    private final class ResultBox: @unchecked Sendable { var value: (Data?, HTTPURLResponse?, Error?)? }
}

final class ServerTests: FolderTestCase {
    var servers: [TestServer] = []

    override func tearDownWithError() throws {
        for server in servers { server.stop() }
        try super.tearDownWithError()
    }

    /// A server over a knowledge base holding the sample: a file, or with
    /// `KGLOG_TEST_STORE=postgresql` a schema on the tests' PostgreSQL server.
    func sampleServer(_ configure: (inout Server.Options) -> Void = { _ in }) throws -> (TestServer, String) {
        let database = try TestStore.reopenableLocation(in: directory)
        let kb = try KnowledgeBase(path: database)
        try kb.execute(try String(contentsOf: TestEnvironment.packageRoot.appendingPathComponent("samples/csto.kgl"), encoding: .utf8))
        kb.store.close()
        let server = try TestServer(database: database, configure: configure)
        servers.append(server)
        return (server, database)
    }

    func query(_ path: String) -> String {
        path.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=+")))!
    }

    func testQueriesAnswerExactlyAsTheCommandLineDoes() throws {
        let (server, database) = try sampleServer()
        for text in ["?- member-of(X, csto).", "ally(armenia, Y)", "?- member-of(armenia, cis).", "?- member-of(X, O), N = count(X) order by N desc."] {
            let reply = try server.send("POST", "/api/query", text: text)
            XCTAssertEqual(reply.status, 200, reply.body)
            XCTAssertEqual(reply.headers["content-type"], "application/json; charset=utf-8")
            let command = try Subprocess.kglog(["query", "--db", database, "--format", "json", text]).wait()
            XCTAssertEqual(reply.body, command.stdout, text)
        }
        // A name that appears in no fact, an unknown predicate: the nearest known ones.
        XCTAssertEqual(try server.send("POST", "/api/query", text: "member-of(armenai, O)").body,
                       #"{"query":"?- member-of(armenai, O).","notes":["'armenai' appears in no fact; did you mean 'armenia'?"],"columns":["O"],"rows":[]}"# + "\n")
        let unknown = try server.send("POST", "/api/query", text: "membr-of(X, O)")
        XCTAssertEqual(unknown.status, 400)
        XCTAssertEqual(unknown.body, #"{"error":{"message":"unknown predicate 'membr-of/2': no fact or rule defines it; did you mean 'member-of/2'?","line":1,"column":4}}"# + "\n")
    }

    func testWhyEntityPredicatesSourcesAndRules() throws {
        let (server, database) = try sampleServer()
        let why = try server.send("GET", "/api/why?fact=" + query("ally(armenia, russia)"))
        XCTAssertEqual(why.status, 200)
        XCTAssertEqual(why.body, try Subprocess.kglog(["why", "--db", database, "--format", "json", "ally(armenia, russia)"]).wait().stdout)
        let entity = try server.send("GET", "/api/entity?term=kazakhstan")
        XCTAssertEqual(entity.status, 200)
        XCTAssertTrue(entity.body.hasPrefix(#"{"term":{"value":"kazakhstan","kind":"name"},"outgoing":[{"predicate":{"value":"member-of","kind":"name"},"arguments":[{"value":"kazakhstan","kind":"name"},{"value":"cis","kind":"name"}],"sources":[{"value":"cis-reference-2012","kind":"name"}],"storedWithoutSource":false}"#), entity.body)
        let kb = try KnowledgeBase(path: database, readOnly: true)
        let facts = try kb.facts(about: .name("kazakhstan"))
        func texts(_ facts: [KnowledgeBase.EntityFact]) -> [String] {
            facts.map { $0.predicate.sourceText + "(" + $0.arguments.map(\.sourceText).joined(separator: ", ") + ") " + $0.sources.map(\.sourceText).joined(separator: " ") }
        }
        XCTAssertEqual(texts(facts.outgoing), [
            "member-of(kazakhstan, cis) cis-reference-2012", "member-of(kazakhstan, csto) arminfo-2012-04-27 kazinform-2012-05-29",
            "party-to(kazakhstan, collective-security-treaty) cst-reference-2013",
        ])
        XCTAssertEqual(texts(facts.incoming), [
            "held-in(kadex-2012, kazakhstan) arminfo-2012-04-27", "located-in(astana, kazakhstan) arminfo-2012-04-27",
            "president-of(nursultan-nazarbayev, kazakhstan) arminfo-2012-04-27 kazinform-2012-05-29",
        ])
        XCTAssertEqual(try kb.facts(about: .name("kazakhstan"), limit: 1).outgoing.count, 1)
        XCTAssertEqual(try server.send("GET", "/api/entity?term=nobody").body, #"{"term":{"value":"nobody","kind":"name"},"outgoing":[],"incoming":[],"other":[]}"# + "\n")
        let predicates = try server.send("GET", "/api/predicates").body
        XCTAssertTrue(predicates.contains(#"{"predicate":{"value":"ally","kind":"name"},"arity":2,"storedFacts":0,"derived":true,"functional":false}"#), predicates)
        let sources = try server.send("GET", "/api/sources").body
        XCTAssertTrue(sources.hasPrefix(#"{"sources":[{"source":{"value":"cis-reference-2012","kind":"name"},"facts":9,"publishedOn":[{"value":"2012-01-01","kind":"date"}]"#), sources)
        let rules = try server.send("GET", "/api/rules").body
        XCTAssertTrue(rules.contains(#"{"predicate":{"value":"ally","kind":"name"},"text":"ally(X, Y) :- member-of(X, O), member-of(Y, O), X != Y."}"#), rules)
        XCTAssertEqual(try server.send("GET", "/").headers["content-type"], "text/html; charset=utf-8")
        XCTAssertTrue(try server.send("GET", "/explorer.js").body.contains("function entityView"))
    }

    func testWritesNeedTheTokenAndReadersSeeThem() throws {
        let (server, _) = try sampleServer()
        for token in [nil, "wrong"] {
            let refused = try server.send("POST", "/api/statements", text: "member-of(georgia, csto).", token: token)
            XCTAssertEqual(refused.status, 401)
            XCTAssertEqual(refused.headers["www-authenticate"], "Bearer")
            XCTAssertEqual(refused.body, #"{"error":{"message":"a change needs the server's token: Authorization: Bearer TOKEN","line":null,"column":null}}"# + "\n")
        }
        XCTAssertEqual(try server.send("POST", "/api/query", text: "member-of(georgia, X)").body, #"{"query":"?- member-of(georgia, X).","columns":["X"],"rows":[]}"# + "\n")
        let written = try server.send("POST", "/api/statements", text: "member-of(georgia, csto) @ test. ally2(X, Y) :- ally(X, Y). ?- member-of(georgia, X).", token: server.token)
        XCTAssertEqual(written.status, 200, written.body)
        XCTAssertEqual(written.body, #"{"factsAdded":1,"factsKnown":0,"factRowsRemoved":0,"rulesAdded":1,"rulesRemoved":0,"declarationsChanged":0,"answers":[{"query":"?- member-of(georgia, X).","columns":["X"],"rows":[[{"value":"csto","kind":"name"}]]}]}"# + "\n")
        // Every reader sees the new fact and the new rule.
        for _ in 0..<4 {
            XCTAssertEqual(try server.send("POST", "/api/query", text: "ally2(georgia, armenia)").body, #"{"query":"?- ally2(georgia, armenia).","holds":true}"# + "\n")
        }
        let removed = try server.send("POST", "/api/statements", text: "retract member-of(georgia, csto).", token: server.token)
        XCTAssertTrue(removed.body.contains(#""factRowsRemoved":1"#), removed.body)
        // A query's text takes no changes, with or without the token.
        let sneaky = try server.send("POST", "/api/query", text: "?- ally(X, Y). member-of(georgia, csto).", token: server.token)
        XCTAssertEqual(sneaky.status, 400)
        XCTAssertEqual(sneaky.body, #"{"error":{"message":"/api/query takes queries only: facts, rules and retractions go to /api/statements","line":1,"column":16}}"# + "\n")
    }

    func testAReadOnlyServerAndOneBeyondLoopback() throws {
        let (readOnly, _) = try sampleServer { $0.readOnly = true }
        let refused = try readOnly.send("POST", "/api/statements", text: "p(a).", token: readOnly.token)
        XCTAssertEqual(refused.status, 403)
        XCTAssertEqual(refused.body, #"{"error":{"message":"the server is read-only (--read-only): it takes no changes","line":null,"column":null}}"# + "\n")
        XCTAssertEqual(try readOnly.send("POST", "/api/import?format=nt", text: "", token: readOnly.token).status, 403)
        XCTAssertEqual(try readOnly.send("POST", "/api/query", text: "member-of(armenia, csto)").status, 200)
        let guarded = try TestServer(database: nil) { $0.tokenForReads = true }
        servers.append(guarded)
        XCTAssertEqual(try guarded.send("POST", "/api/query", text: "p(X)").status, 401)
        XCTAssertEqual(try guarded.send("GET", "/api/sources").status, 401)
        XCTAssertEqual(try guarded.send("GET", "/api/sources", token: guarded.token).status, 200)
    }

    func testErrorsAreJSONWithTheirPositionAndStatus() throws {
        let (server, _) = try sampleServer { $0.maximumDerivedFacts = 100_000 }
        let syntax = try server.send("POST", "/api/statements", text: "p(a).\nq(b) :- p(X", token: server.token)
        XCTAssertEqual(syntax.status, 400)
        XCTAssertEqual(syntax.body, #"{"error":{"message":"expected ',' or ')' but found end of input","line":2,"column":12}}"# + "\n")
        XCTAssertEqual(try server.send("POST", "/api/query", text: "p(a)").status, 400, "nothing of the failed text was applied")
        XCTAssertEqual(try server.send("GET", "/api/why").body, #"{"error":{"message":"the request needs the parameter 'fact'","line":null,"column":null}}"# + "\n")
        XCTAssertEqual(try server.send("GET", "/api/why?fact=ally&limit=0").status, 400)
        XCTAssertEqual(try server.send("GET", "/api/entity?term=" + query("m(")).body,
                       #"{"error":{"message":"'m(' is not a constant such as member-of, \"text\", 42, <http://example.org/p> or ex:p (with its prefix declared)","line":null,"column":null}}"# + "\n")
        XCTAssertEqual(try server.send("GET", "/api/export?format=xml").status, 400)
        XCTAssertEqual(try server.send("GET", "/api/nothing").status, 404)
        // Past the body limit: 413.
        let large = try server.send("POST", "/api/query", body: Data(repeating: UInt8(ascii: " "), count: Server.maximumRequestBytes + 1))
        XCTAssertEqual(large.status, 413)
        // A query past the derived-facts limit, or past the time limit: 503, to try again later.
        _ = try server.send("POST", "/api/statements", text: "n(0). n(X) :- n(Y), X = Y + 1, X < 50000000.", token: server.token)
        let long = try server.send("POST", "/api/query", text: "n(X), X > 99999999")
        XCTAssertEqual(long.status, 503, long.body)
        XCTAssertEqual(long.headers["retry-after"], "1")
        XCTAssertTrue(long.body.hasPrefix(#"{"error":{"message":"evaluation stopped after deriving 100000 facts, the limit"#), long.body)
        let timed = try TestServer(database: nil) { $0.queryTimeout = .milliseconds(200) }
        servers.append(timed)
        _ = try timed.send("POST", "/api/statements", text: "n(0). n(X) :- n(Y), X = Y + 1, X < 50000000. q(1).", token: timed.token)
        let slow = try timed.send("POST", "/api/query", text: "n(X), X > 99999999")
        XCTAssertEqual(slow.status, 503, slow.body)
        XCTAssertEqual(slow.body, #"{"error":{"message":"the query ran past the server's time limit (--query-timeout); nothing was changed","line":null,"column":null}}"# + "\n")
        XCTAssertEqual(try timed.send("POST", "/api/query", text: "q(1)").body, #"{"query":"?- q(1).","holds":true}"# + "\n", "the server goes on")
    }

    /// A client that goes away stops its query: the next request does not wait for it (the time
    /// limit here is ten minutes, the wait for the next answer one).
    func testAClientThatLeavesStopsItsQuery() throws {
        let server = try TestServer(database: nil) { $0.queryTimeout = .seconds(600); $0.maximumDerivedFacts = 1_000_000_000 }
        servers.append(server)
        _ = try server.send("POST", "/api/statements", text: "n(0). n(X) :- n(Y), X = Y + 1, X < 500000000. q(1).", token: server.token)
        XCTAssertThrowsError(try server.send("POST", "/api/query", text: "n(X), X > 999999999", timeout: 1))
        XCTAssertEqual(try server.send("POST", "/api/query", text: "q(X)", timeout: 60).status, 200)
    }

    func testImportsAndExportsStream() throws {
        let (server, database) = try sampleServer()
        let triples = (0..<2000).map { "<http://e/n\($0)> <http://e/next> <http://e/n\($0 + 1)> <http://e/g> .\n" }.joined()
        let imported = try server.send("POST", "/api/import?format=nq", text: triples, token: server.token)
        XCTAssertEqual(imported.status, 200, imported.body)
        XCTAssertEqual(imported.body, #"{"added":2000}"# + "\n")
        XCTAssertEqual(try server.send("POST", "/api/query", text: "<http://e/next>(X, <http://e/n2000>)").body.contains("http://e/n1999"), true)
        // The history says where the change came from.
        let reader = try KnowledgeBase(path: database, readOnly: true)
        let last = try XCTUnwrap(try reader.changes().last)
        XCTAssertEqual(last.what, "import of an upload (nq) to the server")
        XCTAssertTrue(last.by.hasSuffix(" via kglog serve for client 127.0.0.1"), last.by)
        reader.store.close()
        let export = try server.send("GET", "/api/export?format=nq&predicate=" + query("<http://e/next>"))
        XCTAssertEqual(export.status, 200)
        XCTAssertEqual(export.headers["content-type"], "application/n-quads")
        XCTAssertEqual(Set(export.body.split(separator: "\n").filter { $0.contains("<http://e/next>") }), Set(triples.split(separator: "\n")))
        XCTAssertTrue(export.body.contains("<kglog:armenia> <kglog:member-of> <kglog:csto> <kglog:arminfo-2012-04-27> .\n"))
        let csvExport = try server.send("GET", "/api/export?format=csv&predicate=" + query("<http://e/next>"))
        XCTAssertEqual(csvExport.body.split(separator: "\n").count, 2000)
        // A bad line anywhere imports nothing, and says where.
        let bad = try server.send("POST", "/api/import?format=nt", text: "<http://e/a> <http://e/b> <http://e/c> .\n<http://e/a> <http://e/b> .\n", token: server.token)
        XCTAssertEqual(bad.status, 400)
        XCTAssertTrue(bad.body.contains(#""line":2,"column":"#), bad.body)
        XCTAssertEqual(try server.send("POST", "/api/query", text: "<http://e/b>(X, Y)").status, 400, "the predicate is still unknown")
        let csv = try server.send("POST", "/api/import?format=csv&predicate=joined&source=upload", text: "armenia,2002\n", token: server.token)
        XCTAssertEqual(csv.body, #"{"added":1}"# + "\n")
        XCTAssertTrue(try server.send("POST", "/api/query", text: "joined(X, Y) @ upload").body.contains("2002"))
    }

    /// The OpenAPI file names exactly the routes, each answering (none with 404).
    func testTheOpenAPIDescriptionMatchesTheRoutes() throws {
        let (server, _) = try sampleServer()
        let yaml = try server.send("GET", "/openapi.yaml")
        XCTAssertEqual(yaml.status, 200)
        var routes: [String] = []
        var path: String?
        var inPaths = false
        for line in yaml.body.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "paths:" { inPaths = true; continue }
            guard inPaths else { continue }
            if line.hasPrefix("  /") { path = String(line.dropFirst(2).dropLast()) }
            if let path, line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":") {
                routes.append(line.trimmingCharacters(in: .whitespaces).dropLast().uppercased() + " " + path)
            }
        }
        XCTAssertEqual(routes.sorted(), [
            "GET /", "GET /api/entity", "GET /api/export", "GET /api/predicates", "GET /api/rules", "GET /api/sources",
            "GET /api/why", "GET /openapi.yaml", "POST /api/import", "POST /api/query", "POST /api/statements",
        ])
        for route in routes {
            let parts = route.split(separator: " ")
            let reply = try server.send(String(parts[0]), String(parts[1]), text: "", token: server.token)
            XCTAssertNotEqual(reply.status, 404, route)
        }
    }
}
