import Foundation
import Hummingbird
import KGFormats
import KGLog
import KGShell
import KGSyntax
import Logging

/// `kglog serve`: the HTTP API and the explorer page over one knowledge base.
///
/// Reads (`POST /api/query`, `GET /api/why`, `/api/entity`, `/api/predicates`, `/api/sources`,
/// `/api/rules`, `/api/export`) run in parallel on the pool's readers; writes
/// (`POST /api/statements`, `/api/import`) one at a time on its writer, each one transaction.
/// Every answer is JSON (the explorer and the OpenAPI description aside); an error is
/// `{"error": {"message", "line", "column"}}` with its status (`ServerError.status`).
public final class Server: Sendable {
    public struct Options: Sendable {
        /// The knowledge base: a file, a `postgresql://` URI, or nil for a new one in memory.
        public var database: String?
        /// `.kgl` files run first, as `kglog run` would, before the server starts.
        public var load: [String] = []
        public var host = "127.0.0.1"
        public var port = 8080
        /// Writes need it (`Authorization: Bearer TOKEN`); on a host other than loopback,
        /// reads too.
        public var token: String
        public var readOnly = false
        /// How long a request may evaluate before it stops with 503.
        public var queryTimeout: Duration = .seconds(30)
        /// The most facts one query may derive, and the most memory it may hold.
        public var maximumDerivedFacts: Int?
        public var maximumMemory: Int?
        /// Parallel readers of a file or database (none for a knowledge base in memory).
        public var readers = max(2, ProcessInfo.processInfo.activeProcessorCount)

        public init(token: String) {
            self.token = token
        }

        /// Whether reads need the token too: by default, on a host other than loopback.
        public var tokenForReads: Bool?

        var readsNeedToken: Bool { tokenForReads ?? !["127.0.0.1", "::1", "localhost"].contains(host) }
    }

    /// The largest body of a query or statements, and of an upload.
    public static let maximumRequestBytes = 16 << 20
    public static let maximumUploadBytes = 1 << 30

    let options: Options
    let pool: KnowledgeBasePool

    /// Opens the knowledge base (and its readers), runs the files to load: every error here
    /// is the user's to read before anything listens.
    public init(options: Options) throws {
        self.options = options
        let writer = try KnowledgeBase(path: options.database, readOnly: options.readOnly)
        Server.configure(writer, options)
        for file in options.load {
            try writer.execute(try TextFile.read(file), fileName: file)
        }
        var readers: [KnowledgeBase] = []
        if let database = options.database {
            for _ in 0..<options.readers {
                let reader = try KnowledgeBase(path: database, readOnly: true)
                Server.configure(reader, options)
                readers.append(reader)
            }
        }
        pool = KnowledgeBasePool(writer: writer, readers: readers)
    }

    private static func configure(_ knowledgeBase: KnowledgeBase, _ options: Options) {
        if let facts = options.maximumDerivedFacts { knowledgeBase.maximumDerivedFacts = facts }
        if let memory = options.maximumMemory { knowledgeBase.maximumMemory = memory }
    }

    /// Listens until SIGINT or SIGTERM; `onListening` gets the address (with the port the
    /// system chose, for port 0) once requests are taken.
    public func run(onListening: @escaping @Sendable (String) -> Void) async throws {
        var logger = Logger(label: "kglog.serve")
        // What goes wrong is thrown or answered; the server's own log would only repeat it.
        logger.logLevel = .critical
        let app = Application(
            router: router(),
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: "kglog"),
            onServerRunning: { [options] channel in
                let port = channel.localAddress?.port ?? options.port
                onListening("http://\(options.host.contains(":") ? "[\(options.host)]" : options.host):\(port)")
            },
            logger: logger
        )
        try await app.runService()
    }

    // MARK: - Routes

    func router() -> Router<ServerContext> {
        let router = Router(context: ServerContext.self)
        router.get("/") { _, _ in Server.asset(ExplorerAssets.page, type: "text/html; charset=utf-8") }
        router.get("/explorer.css") { _, _ in Server.asset(ExplorerAssets.style, type: "text/css; charset=utf-8") }
        router.get("/explorer.js") { _, _ in Server.asset(ExplorerAssets.script, type: "text/javascript; charset=utf-8") }
        router.get("/openapi.yaml") { _, _ in Server.asset(OpenAPIDescription.yaml, type: "application/yaml; charset=utf-8") }

        router.post("/api/query") { [self] request, _ in
            try await evaluate(request, writes: false) { body, stop in
                let text = Query.text(try await Server.text(of: body))
                return try await self.pool.read(stop: stop) { knowledgeBase in
                    // Queries only: a change in a query's body would slip past the token. (Text
                    // that does not parse is refused by `execute` with the same errors.)
                    let (statements, diagnostics) = Parser.parse(text, prefixes: knowledgeBase.prefixes)
                    if diagnostics.isEmpty, let change = statements.first(where: { if case .query = $0 { return false } else { return true } }) {
                        throw DiagnosticReport(fileName: "<query>", sourceText: text,
                                               diagnostics: [Diagnostic(ServerError.notAQuery, at: change.location)])
                    }
                    return try APIJSON.answers(of: knowledgeBase.execute(text, fileName: "<query>"))
                }
            }
        }
        router.post("/api/statements") { [self] request, context in
            try await evaluate(request, writes: true) { body, stop in
                let text = try await Server.text(of: body)
                let author = Server.author(context)
                return try await self.pool.write(stop: stop) { knowledgeBase in
                    try Server.writing(as: author, knowledgeBase) {
                        try APIJSON.statements(knowledgeBase.execute(text, fileName: "<statements>"))
                    }
                }
            }
        }
        router.get("/api/why") { [self] request, _ in
            try await evaluate(request, writes: false) { _, stop in
                let fact = try Server.parameter("fact", of: request)
                let limit = try Server.parameter("limit", of: request, default: 3)
                return try await self.pool.read(stop: stop) { knowledgeBase in
                    WhyRenderer.json(try knowledgeBase.why(fact, limit: limit))
                }
            }
        }
        router.get("/api/entity") { [self] request, _ in
            try await evaluate(request, writes: false) { _, stop in
                let text = try Server.parameter("term", of: request)
                let limit = try Server.parameter("limit", of: request, default: 1000)
                return try await self.pool.read(stop: stop) { knowledgeBase in
                    guard let term = Value.constant(text, prefixes: knowledgeBase.prefixes) else { throw ServerError.notATerm(text) }
                    return APIJSON.entity(term, try knowledgeBase.facts(about: term, limit: limit))
                }
            }
        }
        router.get("/api/predicates") { [self] request, _ in
            try await respond(to: request, writes: false) {
                try await self.pool.read(stop: self.stop()) { APIJSON.predicates(try $0.predicates()) }
            }
        }
        router.get("/api/sources") { [self] request, _ in
            try await respond(to: request, writes: false) {
                try await self.pool.read(stop: self.stop()) { APIJSON.sources(try $0.sourceSummaries()) }
            }
        }
        router.get("/api/rules") { [self] request, _ in
            try await respond(to: request, writes: false) {
                try await self.pool.read(stop: self.stop()) { APIJSON.rules($0.rulesShown) }
            }
        }
        router.post("/api/import") { [self] request, context in
            try await respond(to: request, writes: true) { try await self.importUpload(request, author: Server.author(context)) }
        }
        router.get("/api/export") { [self] request, _ in
            do {
                try authorize(request, writes: false)
                return try await exportDownload(request)
            } catch {
                return Server.errorResponse(error)
            }
        }
        return router
    }

    private func stop() -> Stop { Stop(after: options.queryTimeout) }

    /// Checks the token a request needs: writes always (refused outright on a read-only
    /// server), reads only off loopback.
    private func authorize(_ request: Request, writes: Bool) throws {
        if writes && options.readOnly { throw ServerError.readOnly }
        guard writes || options.readsNeedToken else { return }
        guard let header = request.headers[.authorization], header == "Bearer \(options.token)" else {
            throw ServerError.unauthorized(writes: writes)
        }
    }

    /// Checks the token, then answers with what `body` computes from the request's body (as
    /// JSON), or with the error's JSON. A client that goes away stops it (`Stop`): a query stops
    /// at its next checkpoint, a write is rolled back.
    private func evaluate(_ request: Request, writes: Bool, _ body: @escaping @Sendable (RequestBody, Stop) async throws -> String) async throws -> Response {
        // Watching for the client to leave reads the connection past this request, so the
        // connection ends with the answer: it says so.
        var response: Response
        do {
            try authorize(request, writes: writes)
            let stop = stop()
            response = Server.json(try await request.body.consumeWithInboundCloseHandler({ requestBody in
                try await body(requestBody, stop)
            }, onInboundClosed: { stop.cancel() }))
        } catch {
            response = Server.errorResponse(error)
        }
        response.headers[.connection] = "close"
        return response
    }

    /// Checks the token, then answers with `body`'s JSON, or the error's.
    private func respond(to request: Request, writes: Bool, _ body: () async throws -> String) async throws -> Response {
        do {
            try authorize(request, writes: writes)
            return Server.json(try await body())
        } catch {
            return Server.errorResponse(error)
        }
    }

    // MARK: - Imports and exports

    /// Streams the upload into a file of its own (bounded), then imports it in one transaction.
    private func importUpload(_ request: Request, author: String) async throws -> String {
        guard let formatName = request.uri.queryParameters.get("format"), let format = DataFormat(rawValue: formatName) else {
            throw ServerError.badParameter("format", "one of \(DataFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let predicate = request.uri.queryParameters.get("predicate").flatMap { $0.isEmpty ? nil : $0 }
        let source = request.uri.queryParameters.get("source").flatMap { $0.isEmpty ? nil : $0 }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("kglog-upload-\(UUID().uuidString).\(format.rawValue)")
        FileManager.default.createFile(atPath: file.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: file) }
        let handle = try FileHandle(forWritingTo: file)
        var received = 0
        do {
            for try await buffer in request.body {
                received += buffer.readableBytes
                if received > Server.maximumUploadBytes { throw ServerError.tooLarge(limit: Server.maximumUploadBytes) }
                try handle.write(contentsOf: Data(buffer: buffer))
            }
            try handle.close()
        } catch {
            try? handle.close()
            throw error
        }
        return try await pool.write(stop: Stop(after: nil)) { knowledgeBase in
            var options = ImportOptions(format: format)
            options.changeDescription = "import of an upload (\(format.rawValue)) to the server"
            if let predicate {
                guard let value = Value.constant(predicate, prefixes: knowledgeBase.prefixes) else { throw ServerError.notATerm(predicate) }
                options.predicate = value
            }
            if let source {
                guard let value = Value.constant(source, prefixes: knowledgeBase.prefixes) else { throw ServerError.notATerm(source) }
                options.source = value
            }
            let added: Int
            do {
                added = try Server.writing(as: author, knowledgeBase) { try knowledgeBase.importFile(file.path, options: options) }
            } catch let report as DiagnosticReport {
                // The upload's name, not the file it was kept in.
                throw DiagnosticReport(fileName: "upload", sourceText: report.sourceText, diagnostics: report.diagnostics, sourceLines: report.sourceLines)
            }
            return "{\"added\":\(added)}"
        }
    }

    /// Writes the export into a file of its own, then streams it.
    private func exportDownload(_ request: Request) async throws -> Response {
        guard let formatName = request.uri.queryParameters.get("format"), let format = DataFormat(rawValue: formatName) else {
            throw ServerError.badParameter("format", "one of \(DataFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let predicate = request.uri.queryParameters.get("predicate").flatMap { $0.isEmpty ? nil : $0 }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("kglog-export-\(UUID().uuidString)")
        try await pool.read(stop: stop()) { knowledgeBase in
            let value = try predicate.map { text -> Value in
                guard let value = Value.constant(text, prefixes: knowledgeBase.prefixes) else { throw ServerError.notATerm(text) }
                return value
            }
            let output = try OutputFile(path: file.path)
            do {
                var failure: Error?
                _ = try knowledgeBase.export(format, predicate: value) { text in
                    do { try output.write(text) } catch { failure = failure ?? error }
                }
                if let failure { throw failure }
                try output.finish()
            } catch {
                output.discard()
                throw error
            }
        }
        return Response(status: .ok, headers: [.contentType: format.mediaType], body: ResponseBody(asyncSequence: FileChunks(file: file)))
    }

    // MARK: - Requests and responses

    /// The client a write comes from, as the history will name it.
    static func author(_ context: ServerContext) -> String {
        context.clientAddress.map { "client \($0)" } ?? "a client"
    }

    /// Runs `body` with the knowledge base's changes recorded as by the user the server runs as,
    /// through the server, for `client`: `root via kglog serve for client 127.0.0.1`.
    static func writing<T>(as client: String, _ knowledgeBase: KnowledgeBase, _ body: () throws -> T) rethrows -> T {
        let user = knowledgeBase.store.changeAuthor
        knowledgeBase.store.changeAuthor = "\(user) via kglog serve for \(client)"
        defer { knowledgeBase.store.changeAuthor = user }
        return try body()
    }

    /// A request's body as text, at most `maximumRequestBytes`.
    static func text(of body: RequestBody) async throws -> String {
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: maximumRequestBytes)
        } catch {
            throw ServerError.tooLarge(limit: maximumRequestBytes)
        }
        guard let text = String(validating: buffer.readableBytesView, as: UTF8.self) else { throw ServerError.notUTF8 }
        return text
    }

    static func parameter(_ name: String, of request: Request) throws -> String {
        guard let value = request.uri.queryParameters.get(name), !value.isEmpty else { throw ServerError.missingParameter(name) }
        return value
    }

    static func parameter(_ name: String, of request: Request, default value: Int) throws -> Int {
        guard let text = request.uri.queryParameters.get(name) else { return value }
        guard let number = Int(text), number > 0 else { throw ServerError.badParameter(name, "a whole number above 0") }
        return number
    }

    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: text.hasSuffix("\n") ? text : text + "\n")))
    }

    static func asset(_ text: String, type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-cache"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// An error as JSON, with the status that says what kind it is.
    static func errorResponse(_ error: Error) -> Response {
        let status = ServerError.status(of: error)
        var (message, line, column) = ServerError.describe(error)
        if status == .internalServerError { message = "internal error: " + message }
        var response = json("{\"error\":{\"message\":\(JSONText.string(message)),\"line\":\(line.map(String.init) ?? "null"),\"column\":\(column.map(String.init) ?? "null")}}",
                            status: status)
        if status == .serviceUnavailable { response.headers[.retryAfter] = "1" }
        if status == .unauthorized { response.headers[.wwwAuthenticate] = "Bearer" }
        return response
    }
}

/// A file read a megabyte at a time as the response is sent (so memory stays flat however large
/// it is), then removed.
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let file: URL

    final class AsyncIterator: AsyncIteratorProtocol {
        private let file: URL
        private let handle: FileHandle?

        init(file: URL) {
            self.file = file
            handle = FileHandle(forReadingAtPath: file.path)
        }

        func next() async throws -> ByteBuffer? {
            guard let handle, let data = try handle.read(upToCount: 1 << 20), !data.isEmpty else { return nil }
            return ByteBuffer(bytes: data)
        }

        deinit {
            try? handle?.close()
            try? FileManager.default.removeItem(at: file)
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(file: file) }
}

/// The context of a request: Hummingbird's, and the address of the client, which a change
/// records as its author.
struct ServerContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// The client's IP address, when known.
    let clientAddress: String?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        clientAddress = source.channel.remoteAddress?.ipAddress
    }
}

