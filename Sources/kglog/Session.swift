import ArgumentParser
import Foundation
import KGEngine
import KGFormats
import KGLog
import KGShell
import KGStore
import KGSyntax

/// A knowledge base opened for one command, reporting errors the way the CLI does:
/// diagnostics to standard error, then exit status 1.
struct Session {
    struct Source {
        let name: String
        let text: String
    }

    let knowledgeBase: KnowledgeBase

    /// Opens `path` (nil: a new in-memory knowledge base), with the evaluation `limits` given
    /// (nil: the defaults). With `readOnly` the file is only read: it must exist, and it is left
    /// exactly as it was (no schema upgrade, no journal change).
    init(path: String?, limits: LimitOptions? = nil, readOnly: Bool = false) throws {
        do {
            knowledgeBase = try KnowledgeBase(path: path, readOnly: readOnly)
        } catch {
            throw Session.fail(error)
        }
        // Ctrl-C (SIGINT) cancels a running evaluation; nothing of its file is applied.
        Interrupts.install()
        knowledgeBase.checkpoint = Interrupts.check
        if let facts = limits?.maxFacts { knowledgeBase.maximumDerivedFacts = facts }
        if let memory = limits?.maxMemory { knowledgeBase.maximumMemory = memory.bytes }
        if let site = limits?.evaluate { knowledgeBase.evaluationSite = site }
    }

    /// A constant given on the command line (`member-of`, `<http://x>`, `ex:p`, `"text"`).
    func constant(_ text: String, what: String) throws -> Value {
        guard let value = Value.constant(text, prefixes: knowledgeBase.prefixes) else {
            throw Session.fail(message: "\(what) takes a constant such as member-of, <http://example.org/p> or ex:p (with its prefix declared), not '\(text)'")
        }
        return value
    }

    static func read(_ path: String) throws -> Source {
        do {
            return Source(name: path, text: try TextFile.read(path))
        } catch {
            throw fail(message: error.message)
        }
    }

    /// Reports every syntax error of every file before anything runs. (One file needs no
    /// reading ahead: running it reports every syntax error in it and applies nothing then.)
    func checkSyntax(_ sources: [Source]) throws {
        guard sources.count > 1 else { return }
        var failed = false
        var prefixes = knowledgeBase.prefixes
        for source in sources {
            let diagnostics = Parser.forEachStatement(in: source.text, prefixes: prefixes) { statement in
                if case .prefix(let declaration) = statement { prefixes[declaration.name] = declaration.iri }
            }
            if !diagnostics.isEmpty {
                Session.printError(DiagnosticReport(fileName: source.name, sourceText: source.text, diagnostics: diagnostics).rendered())
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }

    /// Runs `body` on the knowledge base as it is when `paths` is empty (then it only reads);
    /// else after running the `--load` files, in a transaction undone at the end, so that a
    /// query never writes to the file.
    func withLoaded<T>(_ paths: [String], _ body: () throws -> T) throws -> T {
        if paths.isEmpty { return try body() }
        do {
            return try knowledgeBase.discardingChanges {
                try load(paths)
                return try body()
            }
        } catch let error as ExitCode {
            throw error
        } catch {
            throw Session.fail(error)
        }
    }

    /// Runs `--load` files: every syntax error of all of them first, then each in order.
    func load(_ paths: [String]) throws {
        let sources = try paths.map { try Session.read($0) }
        try checkSyntax(sources)
        for source in sources { _ = try execute(source) }
    }

    /// Runs one file; returns what there is to show (answers, retractions), not one result per
    /// stored fact, so that a large fact file runs in flat memory.
    func execute(_ source: Source) throws -> [StatementResult] {
        do {
            var shown: [StatementResult] = []
            try knowledgeBase.execute(source.text, fileName: source.name) { result in
                if case .asserted = result { return }
                shown.append(result)
            }
            return shown
        } catch {
            throw Session.fail(error)
        }
    }

    func count(_ source: Source) throws -> Int {
        do {
            return try knowledgeBase.count(source.text, fileName: source.name)
        } catch {
            throw Session.fail(error)
        }
    }

    func why(_ fact: String, limit: Int) throws -> WhyNode {
        do {
            return try knowledgeBase.why(fact, limit: limit)
        } catch {
            throw Session.fail(error)
        }
    }

    func explain(_ source: Source) throws -> [String] {
        do {
            return try knowledgeBase.explain(source.text, fileName: source.name)
        } catch {
            throw Session.fail(error)
        }
    }

    /// Prints an error and returns the exit code to throw.
    static func fail(_ error: Error) -> ExitCode {
        let text = KGShell.Shell.describe(error)
        // A diagnostic names its file already; a one-line error is prefixed with the tool's name.
        printError(error is DiagnosticReport ? text : "kglog: " + text)
        return ExitCode(error is KGShell.Shell.Cancelled ? 130 : 1)
    }

    static func fail(message: String) -> ExitCode {
        printError("kglog: error: \(message)\n")
        return ExitCode(1)
    }

    static func printError(_ text: String) {
        Console.error(text)
    }
}

/// Prints the answers of executed statements, a blank line between two answers.
struct AnswerPrinter {
    let renderer: AnswerRenderer
    private var printedAny = false

    init(renderer: AnswerRenderer) {
        self.renderer = renderer
    }

    /// Writes the answers of `results` to standard output, each as it is rendered; notes (a
    /// rule stored already) go to standard error, so that the output stays answers only.
    mutating func print(_ results: [StatementResult], from name: String) {
        for result in results {
            switch result {
            case .answer(let query, let answer):
                if printedAny && renderer.format != .json { Console.out("\n") }
                if renderer.format == .table { Console.out(query.text + "\n") }
                renderer.render(answer, query: query, to: Console.out)
                printedAny = true
                if renderer.format != .json {
                    for note in answer.notes { Console.error("\(name):\(query.location.line):\(query.location.column): note: \(note)\n") }
                }
            case .ruleAlreadyStored(let rule, let location):
                Console.error("\(name):\(location.line):\(location.column): note: the rule is stored already, nothing added: \(rule)\n")
            default:
                break
            }
        }
    }
}
