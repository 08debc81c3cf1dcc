import ArgumentParser
import Foundation
import KGEngine
import KGFormats
import KGLog
import KGStore
import KGPostgres
import KGServer
import KGShell
import KGSyntax

/// The `kglog` command: parses arguments, then hands over to KGLog and KGShell.
struct Kglog: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kglog",
        abstract: "An embedded knowledge-graph store with a Datalog query language.",
        version: Kglog.version,
        subcommands: [Shell.self, Run.self, QueryCommand.self, Why.self, SourcesCommand.self, ConflictsCommand.self, HistoryCommand.self,
                      Import.self, Export.self, Compact.self, Serve.self],
        defaultSubcommand: Shell.self
    )

    /// What `kglog --version` prints: the release, and the schema versions of the files and
    /// PostgreSQL databases it reads and writes (an older one is upgraded when opened to write).
    static let version = "kglog 0.7.0 (SQLite file schema \(Store.schemaVersion), PostgreSQL schema \(PostgresStore.schemaVersion))"
}

extension OutputFormat: ExpressibleByArgument {}
extension EvaluationSite: ExpressibleByArgument {}

/// `--max-memory 512M`: a size in bytes, or with a unit (K, M, G, also KiB, MB...).
struct MemorySize: ExpressibleByArgument {
    let bytes: Int

    init?(argument: String) {
        guard let bytes = ResidentMemory.parse(argument) else { return nil }
        self.bytes = bytes
    }
}

/// `--db FILE`, shared by the commands that open a knowledge base file.
struct DatabaseOption: ParsableArguments {
    @Option(name: .long, help: "The knowledge base: a SQLite file, or a PostgreSQL URI (postgresql://USER@HOST:PORT/DB) (default: a new in-memory one).")
    var db: String?
}

/// `--load FILE...`, shared by the commands that run .kgl files before their own work.
struct LoadOption: ParsableArguments {
    @Option(name: .long, help: "A .kgl file to run first (may be repeated).")
    var load: [String] = []
}

/// `--max-facts` and `--max-memory`, shared by the commands that evaluate.
/// `--as-recorded MOMENT`: answer as the knowledge base stood at a moment (record time).
struct RecordTimeOption: ParsableArguments {
    @Option(name: .customLong("as-recorded"), help: "Answer as the knowledge base stood at this moment, in UTC, such as 2026-11-24T18:00:00Z (a date stands for its first moment): its facts, periods, rules and declarations as then recorded.")
    var asRecorded: String?

    /// Checks that it is not combined with `--load` (whose statements would change the past).
    func validate(loading: LoadOption) throws {
        if asRecorded != nil && !loading.load.isEmpty {
            throw ValidationError("--as-recorded shows the knowledge base as it stood; it cannot be combined with --load, which changes it")
        }
    }

    /// Shows the session's knowledge base as recorded at the moment given, if any.
    func apply(to session: Session) throws {
        guard let asRecorded else { return }
        do {
            try session.knowledgeBase.showAsRecorded(at: try KGShell.Shell.moment(asRecorded, option: "--as-recorded"))
        } catch {
            throw Session.fail(error)
        }
    }
}

struct LimitOptions: ParsableArguments {
    @Option(name: .long, help: "The most facts one query may derive before it stops with an error (default: 20000000).")
    var maxFacts: Int?

    @Option(name: .long, help: "The most memory kglog may hold while a query is evaluated, such as 512M or 8G (default: 4G, or half the machine's memory if less).")
    var maxMemory: MemorySize?

    @Option(name: .long, help: "Where a query on a PostgreSQL knowledge base is evaluated: server (as SQL in the database), client (in kglog), or auto (server when the stored relations it reads are large; the default). --explain says which and shows the SQL.")
    var evaluate: EvaluationSite?
}

/// Options shared by the commands that print answers.
struct OutputOptions: ParsableArguments {
    @Option(name: .long, help: "Output format: table, tsv, csv or json (default: table on a terminal, tsv otherwise).")
    var format: OutputFormat?

    @OptionGroup var limits: LimitOptions

    var renderer: AnswerRenderer {
        AnswerRenderer(format: format ?? (isatty(STDOUT_FILENO) != 0 ? .table : .tsv))
    }
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Execute the statements of kglog files in order and print each query's answer.",
        discussion: "Each file is one transaction: a file with an error applies nothing."
    )

    @OptionGroup var database: DatabaseOption

    @OptionGroup var output: OutputOptions

    @Argument(help: "The .kgl files to run.")
    var files: [String]

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one file to run") }
    }

    func run() throws {
        let session = try Session(path: database.db, limits: output.limits)
        let sources = try files.map { try Session.read($0) }
        try session.checkSyntax(sources)
        var printer = AnswerPrinter(renderer: output.renderer)
        for source in sources {
            printer.print(try session.execute(source), from: source.name)
        }
    }
}

struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Answer one query, after loading any files given with --load."
    )

    @OptionGroup var database: DatabaseOption

    @OptionGroup var loading: LoadOption

    @Flag(name: .long, help: "Print only the number of answers.")
    var count = false

    @Flag(name: .long, help: "Print how the query is evaluated: rewrite, strata, join orders, SQL, rounds.")
    var explain = false

    @Flag(name: .long, help: "Print on standard error the time spent answering (reading stored facts and evaluating) and then writing the answer.")
    var timer = false

    @OptionGroup var output: OutputOptions

    @OptionGroup var recordTime: RecordTimeOption

    @Argument(help: "The query, such as '?- member-of(X, csto).'")
    var query: String

    func validate() throws { try recordTime.validate(loading: loading) }

    func run() throws {
        let session = try Session(path: database.db, limits: output.limits, readOnly: loading.load.isEmpty)
        try recordTime.apply(to: session)
        try session.withLoaded(loading.load) {
            let source = Session.Source(name: "<query>", text: Query.text(query))
            try session.checkSyntax([source])
            let started = ContinuousClock.now
            let write: () -> Void
            if explain {
                let lines = try session.explain(source)
                write = { Console.out(lines.joined(separator: "\n") + "\n") }
            } else if count {
                let count = try session.count(source)
                write = { Console.out("\(count)\n") }
            } else {
                let results = try session.execute(source)
                var printer = AnswerPrinter(renderer: output.renderer)
                write = { printer.print(results, from: source.name) }
            }
            let answered = ContinuousClock.now
            write()
            if timer {
                Session.printError(String(format: "time: %.4f s answering (reading stored facts and evaluating), %.4f s writing the answer\n",
                                          QueryCommand.seconds(answered - started), QueryCommand.seconds(ContinuousClock.now - answered)))
            }
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

struct Why: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "why",
        abstract: "Explain why a fact holds: each rule applied, down to stored facts and their sources.",
        discussion: "Example: kglog why --load samples/csto.kgl 'ally(armenia, russia)'"
    )

    enum Format: String, ExpressibleByArgument { case text, json }

    @OptionGroup var database: DatabaseOption

    @OptionGroup var loading: LoadOption

    @Option(name: .long, help: "Output format: text or json.")
    var format: Format = .text

    @Option(name: .long, help: "How many derivations, and sources of a stored fact, to show for each fact.")
    var limit = 3

    @Flag(name: .long, help: "Show every source of a stored fact (with --limit, derivations stay capped).")
    var all = false

    @OptionGroup var limits: LimitOptions

    @OptionGroup var recordTime: RecordTimeOption

    @Argument(help: "The fact, such as 'ally(armenia, russia)'.")
    var fact: String

    func validate() throws { try recordTime.validate(loading: loading) }

    func run() throws {
        let session = try Session(path: database.db, limits: limits, readOnly: loading.load.isEmpty)
        try recordTime.apply(to: session)
        let node = try session.withLoaded(loading.load) { try session.why(fact, limit: limit) }
        Console.out(format == .json ? WhyRenderer.json(node) : WhyRenderer.text(node, sourceLimit: all ? nil : limit))
    }
}

/// `kglog [DB]`: the interactive session.
struct SourcesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sources",
        abstract: "List the sources: when and by whom each was published, who reported it, how many facts it asserted.",
        discussion: "Earliest publication first, undated sources after. Example: kglog sources --db kb.kglog --from 2026-01-01 tass"
    )

    @OptionGroup var database: DatabaseOption

    @Option(name: .long, help: "Only sources published on or after this day (YYYY-MM-DD).")
    var from: String?

    @Option(name: .long, help: "Only sources published on or before this day (YYYY-MM-DD).")
    var until: String?

    @OptionGroup var output: OutputOptions

    @Argument(help: "Only sources whose name contains this text (ignoring case).")
    var pattern: String?

    func validate() throws {
        for (name, text) in [("--from", from), ("--until", until)] {
            if let text, CalendarDate(iso: Substring(text)) == nil { throw ValidationError("\(name) takes a date such as 2026-01-31, not '\(text)'") }
        }
    }

    func run() throws {
        let session = try Session(path: database.db, readOnly: true)
        let summaries: [KnowledgeBase.SourceSummary]
        do {
            summaries = try session.knowledgeBase.sourceSummaries(matching: pattern, from: from.flatMap { CalendarDate(iso: Substring($0)) },
                                                                   until: until.flatMap { CalendarDate(iso: Substring($0)) })
        } catch {
            throw Session.fail(error)
        }
        Console.out(KGShell.Shell.renderSources(summaries, with: output.renderer))
    }
}

/// `kglog conflicts`: where sources disagree.
struct ConflictsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conflicts",
        abstract: "List where sources disagree: the subjects to which a functional predicate gives more than one value, each value with its sources, when they were published and who reported them.",
        discussion: "A predicate is functional once declared so: 'functional held-in/2.' (its last argument is a function of the others). Example: kglog conflicts --db kb.kglog held-in"
    )

    @OptionGroup var database: DatabaseOption

    @OptionGroup var loading: LoadOption

    @OptionGroup var output: OutputOptions

    @OptionGroup var recordTime: RecordTimeOption

    @Argument(help: "Only the conflicts of this predicate.")
    var predicate: String?

    func validate() throws { try recordTime.validate(loading: loading) }

    func run() throws {
        let session = try Session(path: database.db, limits: output.limits, readOnly: loading.load.isEmpty)
        try recordTime.apply(to: session)
        let predicateValue = try predicate.map { try session.constant($0, what: "the predicate") }
        try session.withLoaded(loading.load) {
            let conflicts: [KnowledgeBase.Conflict]
            do {
                conflicts = try session.knowledgeBase.conflicts(of: predicateValue)
            } catch {
                throw Session.fail(error)
            }
            Console.out(KGShell.Shell.renderConflicts(conflicts, with: output.renderer))
        }
    }
}

/// `kglog history`: the changes to a fact, or every change since a moment.
struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "List the recorded changes to a fact (its sources and periods too), or every change since a moment: when, by whom, by what file, import or statements.",
        discussion: "Examples: kglog history --db kb.kglog 'member-of(uzbekistan, csto)'; kglog history --db kb.kglog --since 2026-11-24T18:00:00Z"
    )

    @OptionGroup var database: DatabaseOption

    @Option(name: .long, help: "List every change (facts, periods, rules, declarations) after this moment, in UTC, such as 2026-11-24T18:00:00Z (a date stands for its first moment).")
    var since: String?

    @OptionGroup var output: OutputOptions

    @Argument(help: "The fact, such as 'member-of(uzbekistan, csto)' (with '@ SOURCE', only that source's rows).")
    var fact: String?

    func validate() throws {
        if (fact == nil) == (since == nil) { throw ValidationError("give either a fact or --since MOMENT") }
    }

    func run() throws {
        let session = try Session(path: database.db, readOnly: true)
        let events: [HistoryEvent]
        do {
            if let since {
                events = try session.knowledgeBase.history(since: try KGShell.Shell.moment(since, option: "--since"))
            } else {
                events = try session.knowledgeBase.history(of: fact ?? "", fileName: "<fact>")
            }
        } catch {
            throw Session.fail(error)
        }
        Console.out(KGShell.Shell.renderHistory(events, with: output.renderer))
    }
}

struct Shell: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shell",
        abstract: "Explore a knowledge base interactively (the default when no command is given).",
        discussion: "Type facts, rules, ?- queries and dot-commands; .help lists the commands. Piped input runs as a script."
    )

    @Argument(help: "The knowledge base: a SQLite file, or a PostgreSQL URI (postgresql://USER@HOST:PORT/DB) (default: a new in-memory one).")
    var db: String?

    @OptionGroup var loading: LoadOption

    @OptionGroup var output: OutputOptions

    func run() throws {
        let session = try Session(path: db, limits: output.limits)
        try session.load(loading.load)
        let shell = KGShell.Shell(knowledgeBase: session.knowledgeBase)
        let interactive = isatty(STDIN_FILENO) != 0
        shell.renderer = interactive ? AnswerRenderer(format: output.format ?? .table) : output.renderer
        shell.printsLikeRun = !interactive
        shell.numbersLinesInInput = !interactive
        let notice = db == nil
            ? "kglog: a new in-memory knowledge base (use .open FILE to keep your work); .help lists the commands"
            : "kglog: \(db!); .help lists the commands"
        InteractiveSession(shell: shell).run(notice: notice)
    }
}

extension DataFormat: ExpressibleByArgument {}

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import facts from \(DataFormat.titles) files.",
        discussion: """
            Each file is one transaction: a bad line anywhere imports nothing from that file, and \
            the error names the file, line and column. N-Quads and TriG graph names become the facts' sources; a Turtle or TriG file's prefixes become the knowledge base's (a name it has keeps its own IRI). \
            CSV and TSV rows become facts of --predicate, one argument a column.
            """
    )

    @OptionGroup var database: DatabaseOption

    @Option(name: .long, help: ArgumentHelp("The format: \(DataFormat.names) (default: from the file name, \(DataFormat.usualExtensions))."))
    var format: DataFormat?

    @Option(name: .long, help: "For Turtle and TriG: the IRI relative IRIs resolve against, until the file sets its own @base (default: the file's file: URL).")
    var base: String?

    @Option(name: .long, help: "For CSV and TSV: the predicate each row is a fact of.")
    var predicate: String?

    @Flag(name: .long, inversion: .prefixedNo, help: "For CSV and TSV: the first row is (or is not) a header (default: detected).")
    var header: Bool?

    @Flag(name: .long, help: "For CSV and TSV: keep every field as a string (no numbers, dates or names).")
    var asText = false

    @Option(name: .long, help: "A source for every imported fact (a kglog constant, such as arminfo-2012-04-27).")
    var source: String?

    @Option(name: .long, help: "For CSV and TSV: the column (its header, or its number from 1) that holds each row's source; rows with it empty take --source.")
    var sourceColumn: String?

    @Argument(help: "The files to import.")
    var files: [String]

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one file to import") }
        for file in files where format == nil && DataFormat(path: file) == nil {
            throw ValidationError("cannot tell the format of '\(file)' from its name: give --format")
        }
    }

    func run() throws {
        let session = try Session(path: database.db)
        let predicateValue = try predicate.map { try session.constant($0, what: "--predicate") }
        let sourceValue = try source.map { try session.constant($0, what: "--source") }
        for file in files {
            var options = ImportOptions(format: format ?? DataFormat(path: file)!, predicate: predicateValue,
                                        header: header, asText: asText, source: sourceValue,
                                        sourceColumn: sourceColumn.map(ImportOptions.SourceColumn.init))
            options.base = base
            do {
                let added = try session.knowledgeBase.importFile(file, options: options)
                Session.printError("\(file): \(added) fact\(added == 1 ? "" : "s") imported\n")
            } catch {
                throw Session.fail(error)
            }
        }
    }
}

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export the knowledge base as \(DataFormat.titles); kglog source is the backup.",
        discussion: "N-Quads keep each fact's source as the graph name. kgl export is a file that 'kglog run' loads into an equal knowledge base."
    )

    @OptionGroup var database: DatabaseOption

    @Option(name: .long, help: ArgumentHelp("The format: \(DataFormat.names)."))
    var format: DataFormat

    @Option(name: .long, help: "For CSV and TSV: the predicate to export.")
    var predicate: String?

    @Flag(name: .long, help: "For CSV and TSV: end each row with the fact's source (one row per source), as import --source-column reads it.")
    var withSources = false

    @Option(name: .long, help: "The file to write (default: standard output).")
    var output: String?

    func validate() throws {
        if withSources && format != .csv && format != .tsv {
            throw ValidationError("--with-sources is for CSV and TSV; N-Quads, JSON Lines and kgl keep sources themselves")
        }
    }

    func run() throws {
        let session = try Session(path: database.db, readOnly: true)
        let predicateValue = try predicate.map { try session.constant($0, what: "--predicate") }
        // Written a megabyte at a time (OutputFile buffers), so memory stays flat.
        let file: OutputFile
        do throws(FileError) {
            file = try output.map { path throws(FileError) in try OutputFile(path: path) } ?? OutputFile.standardOutput()
        } catch {
            throw Session.fail(message: error.message)
        }
        let result: (written: Int, skipped: Int)
        do {
            var writeError: FileError?
            result = try session.knowledgeBase.export(format, predicate: predicateValue, sourceColumn: withSources) { piece in
                guard writeError == nil else { return }
                do throws(FileError) { try file.write(piece) } catch { writeError = error }
            }
            if let writeError { throw writeError }
            try file.finish()
        } catch let error as FileError {
            throw Session.fail(message: error.message)
        } catch {
            throw Session.fail(error)
        }
        if result.skipped > 0 {
            Session.printError("kglog: \(result.skipped) fact\(result.skipped == 1 ? "" : "s") not binary (or with a literal subject) left out of the \(format.rawValue) export\n")
        }
    }
}

struct Compact: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compact",
        abstract: "Remove the terms no fact uses any more and give the file's free space back.",
        discussion: "Retractions leave the terms they used in the dictionary; this removes them and rebuilds the file."
    )

    @OptionGroup var database: DatabaseOption

    @Option(name: .customLong("forget-before"), help: "First forget the history before this moment (UTC, such as 2026-01-01T00:00:00Z; a date stands for its first moment): the changes before it and the facts retracted by then. The knowledge base as it stood at that moment and since is kept.")
    var forgetBefore: String?

    func validate() throws {
        if database.db == nil { throw ValidationError("compact works on a knowledge base: give --db FILE or --db postgresql://...") }
    }

    func run() throws {
        let session = try Session(path: database.db)
        do {
            if let forgetBefore {
                let moment = try KGShell.Shell.moment(forgetBefore, option: "--forget-before")
                let forgotten = try session.knowledgeBase.forgetHistory(before: moment)
                Session.printError("forgot \(forgotten.changes) change\(forgotten.changes == 1 ? "" : "s") and \(forgotten.rows) retracted row\(forgotten.rows == 1 ? "" : "s") recorded before \(moment)\n")
            }
            Session.printError(KGShell.Shell.compactionReport(try session.knowledgeBase.compact()))
        } catch {
            throw Session.fail(error)
        }
    }
}

/// `kglog serve`: the HTTP API and the explorer.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the knowledge base over HTTP: a JSON API and the explorer page.",
        discussion: """
            Listens on 127.0.0.1:8080 unless told otherwise, and prints its address. Writes need \
            'Authorization: Bearer TOKEN'; without --token or --token-file a token is made and printed. On a host \
            other than loopback, reads need the token too. Ctrl-C or SIGTERM stops it: requests in flight finish first.
            """
    )

    @OptionGroup var database: DatabaseOption

    @OptionGroup var loading: LoadOption

    @Option(name: .long, help: "The address to listen on (default: 127.0.0.1, loopback only).")
    var host = "127.0.0.1"

    @Option(name: .long, help: "The port to listen on; 0 lets the system choose (default: 8080).")
    var port = 8080

    @Option(name: .long, help: "The token writes need (Authorization: Bearer TOKEN).")
    var token: String?

    @Option(name: .customLong("token-file"), help: "A file whose first line is the token.")
    var tokenFile: String?

    @Flag(name: .customLong("read-only"), help: "Take no changes: writes answer 403, and a file is opened to read only.")
    var readOnly = false

    @Option(name: .customLong("query-timeout"), help: "Seconds a request may evaluate before it stops with 503 (default: 30).")
    var queryTimeout: Double = 30

    @OptionGroup var limits: LimitOptions

    func validate() throws {
        if token != nil && tokenFile != nil { throw ValidationError("give --token or --token-file, not both") }
        if !(0...65535).contains(port) { throw ValidationError("--port takes 0 to 65535") }
        if queryTimeout <= 0 { throw ValidationError("--query-timeout takes a number of seconds above 0") }
        if readOnly && !loading.load.isEmpty { throw ValidationError("--read-only takes no --load: loading changes the knowledge base") }
    }

    func run() throws {
        var generated = false
        let secret: String
        if let token {
            secret = token
        } else if let tokenFile {
            guard let text = try? String(contentsOfFile: tokenFile, encoding: .utf8),
                  let line = text.split(separator: "\n").first.map({ $0.trimmingCharacters(in: .whitespaces) }), !line.isEmpty else {
                throw Session.fail(message: "cannot read a token from '\(tokenFile)'")
            }
            secret = line
        } else {
            secret = (0..<4).map { _ in String(UInt64.random(in: 0...UInt64.max), radix: 16) }.joined()
            generated = true
        }
        guard !secret.contains(where: \.isWhitespace) else { throw Session.fail(message: "the token cannot hold spaces") }
        var options = Server.Options(token: secret)
        options.database = database.db
        options.load = loading.load
        options.host = host
        options.port = port
        options.readOnly = readOnly
        options.queryTimeout = .milliseconds(Int64(queryTimeout * 1000))
        options.maximumDerivedFacts = limits.maxFacts
        options.maximumMemory = limits.maxMemory?.bytes
        let server: Server
        do {
            server = try Server(options: options)
        } catch {
            throw Session.fail(error)
        }
        let done = DispatchSemaphore(value: 0)
        let failure = FailureBox()
        let (made, what) = (generated, database.db ?? "a new knowledge base in memory")
        Task {
            do {
                try await server.run { address in
                    Console.out("kglog serving \(what) at \(address)\n" + (made ? "token for changes: \(secret)\n" : ""))
                }
            } catch {
                failure.error = error
            }
            done.signal()
        }
        done.wait()
        if let error = failure.error { throw Session.fail(message: "cannot serve on \(host):\(port): \(error)") }
    }
}

/// The error a server's task ended with, read once it has.
private final class FailureBox: @unchecked Sendable {
    var error: Error?
}
