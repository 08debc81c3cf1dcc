import Foundation
import KGEngine
import KGFormats
import KGLog
import KGStore
import KGSyntax

/// The interactive session's logic, independent of any terminal: feed it lines, get text back.
///
/// Statements may span lines: input is gathered until it ends with a statement's final `.`
/// (or a source block's `}`), then executed as one transaction. Lines starting with `.` when
/// nothing is gathered are dot-commands. Every error is reported and changes nothing; the
/// session goes on.
public final class Shell {
    /// What one line produced: text for standard output and for standard error.
    public struct Output: Equatable, Sendable {
        public var out = ""
        public var err = ""
        /// The session asked to end (`.quit`).
        public var quit = false
    }

    public private(set) var knowledgeBase: KnowledgeBase
    public private(set) var pending: [String] = []
    public var renderer = AnswerRenderer(format: .table)
    public var timer = false
    /// Page output taller than the screen (`.pager on|off`); only a session on a terminal
    /// has a screen to page on.
    public var pages = true
    /// Print answers as `kglog run` does: the query before a table, a blank line between
    /// answers. On for piped input, so a script gives the same text as `kglog run`.
    public var printsLikeRun = false
    private var printedAnswer = false
    /// Where answers go when `.output FILE` is set.
    private var outputFile: OutputFile?
    /// Returns the current time, for `.timer` (replaceable in tests).
    public var clock: () -> Double = { Date().timeIntervalSinceReferenceDate }

    /// Where lines come from: a name for errors and the number of the last line read. The
    /// session's input is at the bottom; each `.read` script in progress stacks on it.
    private struct LineSource {
        var name: String
        var line = 0
    }
    private var lineSources = [LineSource(name: "<input>")]
    /// The line (in its source) where the statement being gathered started.
    private var pendingFirstLine = 1
    /// Errors name the line in the whole input (piped input), not in the statement typed; lines
    /// of a `.read` script are always numbered in the script.
    public var numbersLinesInInput = false
    /// How deep `.read` scripts may nest.
    public static let maximumReadDepth = 16

    public static let prompt = "kglog> "
    public static let continuationPrompt = "   ...> "

    public init(knowledgeBase: KnowledgeBase) {
        self.knowledgeBase = knowledgeBase
    }

    /// The prompt for the next line: the continuation prompt inside a statement.
    /// The prompt; while the knowledge base is shown as recorded at a moment, it names the moment.
    public var prompt: String {
        guard pending.isEmpty else { return Shell.continuationPrompt }
        guard let moment = knowledgeBase.recordedMoment else { return Shell.prompt }
        return "kglog@\(moment)> "
    }

    /// Processes one line of input.
    public func handle(_ line: String) -> Output {
        var output = Output()
        lineSources[lineSources.count - 1].line += 1
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if pending.isEmpty {
            if trimmed.isEmpty { return output }
            if trimmed.hasPrefix(".") {
                command(trimmed, &output)
                return output
            }
        } else if Shell.isCommand(trimmed) {
            // At a continuation prompt too: the statement waits, still unfinished.
            command(trimmed, &output)
            return output
        }
        if pending.isEmpty { pendingFirstLine = lineSources[lineSources.count - 1].line }
        pending.append(line)
        let text = pending.joined(separator: "\n")
        guard Shell.isComplete(text) else { return output }
        pending = []
        let numbered = numbersLinesInInput || lineSources.count > 1
        run(text, fileName: lineSources[lineSources.count - 1].name, firstLine: numbered ? pendingFirstLine : 1, &output)
        return output
    }

    /// Whether a line typed at a continuation prompt is a dot-command: `.` then a letter (a line
    /// of `.` alone, or `. p(b).`, ends the statement instead).
    static func isCommand(_ trimmed: String) -> Bool {
        trimmed.hasPrefix(".") && trimmed.dropFirst().first.map { $0.isLetter } == true
    }

    /// Clears a statement being gathered (Ctrl-C at a continuation prompt).
    public func cancelPending() {
        pending = []
    }

    /// Whether gathered text ends a statement: its last token is `.` (or a source block's `}`)
    /// outside any open source block.
    static func isComplete(_ text: String) -> Bool {
        let tokens = Lexer.tokenize(text).tokens.dropLast()
        guard let last = tokens.last else { return false }
        var depth = 0
        for token in tokens {
            if token.kind == .leftBrace { depth += 1 }
            if token.kind == .rightBrace { depth -= 1 }
        }
        return depth <= 0 && (last.kind == .period || last.kind == .rightBrace)
    }

    // MARK: - Statements

    /// Executes `text` as one transaction and renders what it shows; errors name lines from
    /// `firstLine` on (the text's first line is that line of `fileName`).
    private func run(_ text: String, fileName: String, firstLine: Int = 1, _ output: inout Output) {
        // With the timer on, each statement's time is the time since the previous one ended.
        var results: [(result: StatementResult, seconds: Double)] = []   // (not one per stored fact unless timed)
        var last = clock()
        do {
            try knowledgeBase.execute(text, fileName: fileName) { result in
                let now = clock()
                defer { last = now }
                if case .asserted = result, !timer { return }
                results.append((result, now - last))
            }
        } catch var report as DiagnosticReport {
            if firstLine > 1 { report = report.movedDown(by: firstLine - 1) }
            output.err += report.rendered()
            return
        } catch {
            output.err += Shell.describe(error)
            return
        }
        for (result, seconds) in results {
            switch result {
            case .answer(let query, let answer):
                var text = ""
                if printsLikeRun {
                    if printedAnswer && renderer.format != .json { text += "\n" }
                    if renderer.format == .table { text += query.text + "\n" }
                }
                printedAnswer = true
                emit(text + renderer.render(answer, query: query), &output)
                if renderer.format != .json { output.err += answer.notes.map { "note: \($0)\n" }.joined() }
            case .retracted(let count):
                output.out += "retracted \(count) fact\(count == 1 ? "" : "s")\n"
            case .rulesRetracted(let count):
                output.out += count == 0 ? "no such rule\n" : "retracted \(count) rule\(count == 1 ? "" : "s")\n"
            case .ruleAlreadyStored(let rule, _):
                output.out += "the rule is stored already, nothing added: \(rule)\n"
            case .declarationsRetracted(let count):
                output.out += count == 0 ? "no such declaration\n" : "retracted \(count) declaration\(count == 1 ? "" : "s")\n"
            case .asserted, .ruleAdded, .prefixDeclared, .declared:
                break
            }
            if timer { output.out += String(format: "time: %.3f s\n", seconds) }
        }
    }

    private func emit(_ text: String, _ output: inout Output) {
        if let outputFile {
            do {
                try outputFile.write(text)
                try outputFile.flush()
            } catch {
                output.err += "error: \(error.message); answers go to the screen again\n"
                outputFile.discard()
                self.outputFile = nil
                output.out += text
            }
        } else {
            output.out += text
        }
    }

    /// `removed 3 unused terms; 1.2 MB -> 0.8 MB`
    public static func compactionReport(_ result: (removedTerms: Int, bytesBefore: Int64, bytesAfter: Int64)) -> String {
        let megabytes = { (bytes: Int64) in String(format: "%.1f MB", Double(bytes) / 1_000_000) }
        return "removed \(result.removedTerms) unused term\(result.removedTerms == 1 ? "" : "s"); "
            + "\(megabytes(result.bytesBefore)) -> \(megabytes(result.bytesAfter))\n"
    }

    /// An error as the user reads it: a diagnostic with its source line and caret, or one line.
    public static func describe(_ error: Error) -> String {
        switch error {
        case let report as DiagnosticReport: return report.rendered()
        case let message as DiagnosticMessage: return "error: \(message.message)\n"
        case is Cancelled: return "cancelled: nothing was changed\n"
        default: return "error: \(error)\n"
        }
    }

    /// Thrown by the checkpoint when Ctrl-C cancels an evaluation.
    public struct Cancelled: Error {
        public init() {}
    }

    // MARK: - Dot-commands

    /// The dot-commands with their one-line help, in `.help` order.
    public static let commands: [(name: String, arguments: String, help: String)] = [
        (".help", "[COMMAND]", "show this list, or the help of one command"),
        (".open", "FILE|URI", "close this knowledge base and open (or create) FILE, or the PostgreSQL database of a postgresql:// URI"),
        (".load", "FILE", "run the statements of a .kgl file, as one transaction"),
        (".import", "FILE [PREDICATE] [--source S] [--source-column C]", "import facts from a file named " + DataFormat.usualExtensions + " (CSV and TSV rows as facts of PREDICATE), from source S or the column C (header or number)"),
        (".export", "FILE [PREDICATE]", "write the knowledge base to a file named " + DataFormat.usualExtensions + " (.kgl is the backup; CSV and TSV hold one PREDICATE)"),
        (".predicates", "", "list predicates: arity, stored facts, stored or derived"),
        (".compact", "", "remove the terms no fact uses any more and give the file's free space back"),
        (".rules", "[PREDICATE]", "list the rules, or those defining PREDICATE"),
        (".local", "RULE", "add a rule for this session only: queries and .why use it, the file never holds it"),
        (".sources", "[PATTERN] [--from DATE] [--until DATE]", "list sources (those whose name contains PATTERN, published in the span), earliest first: when, by whom, who reported, how many facts"),
        (".conflicts", "[PREDICATE]", "list where sources disagree: subjects with more than one value of a functional predicate (functional held-in/2.), each value with its sources"),
        (".as-recorded", "[MOMENT|now]", "answer queries as the knowledge base stood at MOMENT (2026-11-24T18:00:00Z), changes refused; 'now' returns to the present; without an argument, show which"),
        (".history", "FACT | --since MOMENT", "list the changes to a fact (its periods and sources too), or every change since MOMENT: when, by whom, what"),
        (".why", "FACT [--all]", "show why a fact holds, down to stored facts and their sources (--all: every source, not the first three)"),
        (".explain", "QUERY", "show how a query is evaluated: rewrite, strata, join orders, SQL"),
        (".evaluate", "[auto|client|server]", "where queries on a PostgreSQL knowledge base are evaluated: in the database as SQL, in kglog, or chosen by size (auto, the default); without an argument, show it"),
        (".timer", "on|off", "show the time each statement takes"),
        (".pager", "on|off", "show output taller than the screen through $KGLOG_PAGER, $PAGER or less -FRX (on by default)"),
        (".mode", "table|tsv|csv|json", "set how answers are printed"),
        (".headers", "on|off", "show or hide column names"),
        (".output", "FILE|stdout", "send answers to FILE, or back to the screen"),
        (".read", "FILE", "run a script of statements and dot-commands"),
        (".quit", "", "leave (Ctrl-D also leaves)"),
    ]

    private func command(_ line: String, _ output: inout Output) {
        let parts = line.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        let name = String(parts[0])
        let argument = parts.count > 1 ? String(parts[1]).trimmingCharacters(in: .whitespaces) : ""
        func needs(_ what: String) -> Bool {
            if argument.isEmpty {
                output.err += "error: \(name) needs \(what)\n"
                return false
            }
            return true
        }
        switch name {
        case ".help":
            help(argument, &output)
        case ".quit", ".exit":
            output.quit = true
        case ".open":
            guard needs("a file") else { return }
            do {
                let opened = try KnowledgeBase(path: argument)
                // The session's settings carry over: limits and where queries are evaluated.
                opened.checkpoint = checkpoint
                opened.maximumDerivedFacts = knowledgeBase.maximumDerivedFacts
                opened.maximumMemory = knowledgeBase.maximumMemory
                opened.evaluationSite = knowledgeBase.evaluationSite
                opened.serverThreshold = knowledgeBase.serverThreshold
                knowledgeBase = opened
            } catch {
                output.err += Shell.describe(error)
            }
        case ".load":
            guard needs("a file"), let text = read(argument, &output) else { return }
            run(text, fileName: argument, &output)
        case ".import":
            guard needs("a file") else { return }
            let words = argument.split(separator: " ").map(String.init)
            guard let format = DataFormat(path: words[0]) else {
                output.err += "error: cannot tell the format of '\(words[0])' from its name (\(DataFormat.usualExtensions))\n"
                return
            }
            do {
                // FILE [PREDICATE] [--source S] [--source-column C], the options in any order.
                var options = ImportOptions(format: format)
                var rest = words.dropFirst()
                while let word = rest.popFirst() {
                    switch word {
                    case "--source", "--source-column":
                        guard let value = rest.popFirst() else {
                            output.err += "error: \(word) needs a value\n"
                            return
                        }
                        if word == "--source" {
                            options.source = try constant(value, what: ".import's --source")
                        } else {
                            options.sourceColumn = ImportOptions.SourceColumn(value)
                        }
                    default:
                        guard options.predicate == nil, !word.hasPrefix("--") else {
                            output.err += "error: .import takes FILE [PREDICATE] [--source S] [--source-column C], not '\(word)'\n"
                            return
                        }
                        options.predicate = try constant(word, what: ".import's predicate")
                    }
                }
                let added = try knowledgeBase.importFile(words[0], options: options)
                output.out += "imported \(added) fact\(added == 1 ? "" : "s")\n"
            } catch {
                output.err += Shell.describe(error)
            }
        case ".read":
            guard needs("a file") else { return }
            if lineSources.dropFirst().contains(where: { $0.name == argument }) {
                output.err += "error: '\(argument)' is already being read: a script cannot .read itself, directly or through another\n"
                return
            }
            if lineSources.count > Shell.maximumReadDepth {
                output.err += "error: .read scripts nest more than \(Shell.maximumReadDepth) deep\n"
                return
            }
            guard let text = read(argument, &output) else { return }
            // The statement being gathered around the .read, if any, waits for the script to end.
            let outerPending = pending, outerFirstLine = pendingFirstLine
            pending = []
            lineSources.append(LineSource(name: argument))
            defer {
                lineSources.removeLast()
                pending = outerPending
                pendingFirstLine = outerFirstLine
            }
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            if lines.last == "" { lines.removeLast() }
            for line in lines {
                let result = handle(String(line))
                output.out += result.out
                output.err += result.err
                if result.quit { output.quit = true; return }
            }
            if !pending.isEmpty {
                output.err += "error: \(argument) ends inside a statement: expected '.'\n"
            }
        case ".export":
            guard needs("a file") else { return }
            let words = argument.split(separator: " ").map(String.init)
            let format = DataFormat(path: words[0]) ?? .kgl
            do {
                let file = try OutputFile(path: words[0])
                var writeError: FileError?
                let (written, skipped) = try knowledgeBase.export(format, predicate: words.count > 1 ? .name(words[1]) : nil) { piece in
                    guard writeError == nil else { return }
                    do throws(FileError) { try file.write(piece) } catch { writeError = error }
                }
                if let writeError { throw writeError }
                try file.finish()
                output.out += "wrote \(words[0])" + (format == .kgl ? "" : ": \(written) facts") + (skipped > 0 ? ", \(skipped) left out (not binary)" : "") + "\n"
            } catch let error as FileError {
                output.err += "error: \(error.message)\n"
            } catch {
                output.err += "error: cannot export to '\(words[0])': \(Shell.describe(error))"
            }
        case ".predicates":
            predicates(&output)
        case ".compact":
            do {
                output.out += Shell.compactionReport(try knowledgeBase.compact())
            } catch {
                output.err += Shell.describe(error)
            }
        case ".rules":
            let rules = knowledgeBase.rulesShown.filter { argument.isEmpty || $0.head.predicate.sourceText == argument }
            let local = knowledgeBase.sessionRules.filter { argument.isEmpty || $0.head.predicate.sourceText == argument }
            output.out += rules.isEmpty && local.isEmpty ? "no rules\n"
                : rules.map { $0.text + "\n" }.joined() + local.map { $0.text + "   % this session only\n" }.joined()
        case ".local":
            guard needs("a rule, such as .local near(X, Y) :- border(X, Y).") else { return }
            do {
                if case .ruleAlreadyStored(let rule, _) = try knowledgeBase.addSessionRule(argument) {
                    output.out += "the rule is there already, nothing added: \(rule)\n"
                }
            } catch {
                output.err += Shell.describe(error)
            }
        case ".sources":
            sources(argument, &output)
        case ".conflicts":
            do {
                let predicate = argument.isEmpty ? nil : try constant(argument, what: ".conflicts' predicate")
                var table = renderer
                table.headers = true
                output.out += Shell.renderConflicts(try knowledgeBase.conflicts(of: predicate), with: table)
            } catch {
                output.err += Shell.describe(error)
            }
        case ".as-recorded":
            asRecorded(argument, &output)
        case ".history":
            guard needs("a fact, such as .history member-of(armenia, csto), or --since MOMENT") else { return }
            do {
                var table = renderer
                table.headers = true
                if argument.hasPrefix("--since") {
                    let moment = try Shell.moment(String(argument.dropFirst("--since".count)).trimmingCharacters(in: .whitespaces), option: "--since")
                    output.out += Shell.renderHistory(try knowledgeBase.history(since: moment), with: table)
                } else {
                    output.out += Shell.renderHistory(try knowledgeBase.history(of: argument), with: table)
                }
            } catch {
                output.err += Shell.describe(error)
            }
        case ".why":
            guard needs("a fact, such as .why ally(armenia, russia)") else { return }
            // `--all` after the fact lists every source of a stored fact, not the first three.
            let all = argument.hasSuffix(" --all")
            let fact = all ? String(argument.dropLast(" --all".count)) : argument
            do {
                output.out += WhyRenderer.text(try knowledgeBase.why(fact), sourceLimit: all ? nil : 3)
            } catch {
                output.err += Shell.describe(error)
            }
        case ".explain":
            guard needs("a query") else { return }
            do {
                output.out += try knowledgeBase.explain(Query.text(argument)).joined(separator: "\n") + "\n"
            } catch {
                output.err += Shell.describe(error)
            }
        case ".evaluate":
            if argument.isEmpty {
                output.out += knowledgeBase.evaluationSite.rawValue + "\n"
            } else if let site = EvaluationSite(rawValue: argument) {
                knowledgeBase.evaluationSite = site
            } else {
                output.err += "error: .evaluate takes auto, client or server\n"
            }
        case ".timer":
            guard let on = onOff(argument, name, &output) else { return }
            timer = on
        case ".pager":
            guard let on = onOff(argument, name, &output) else { return }
            pages = on
        case ".headers":
            guard let on = onOff(argument, name, &output) else { return }
            renderer.headers = on
        case ".mode":
            guard let format = OutputFormat(rawValue: argument) else {
                output.err += "error: .mode takes table, tsv, csv or json\n"
                return
            }
            renderer.format = format
        case ".output":
            guard needs("a file or stdout") else { return }
            if argument == "stdout" {
                try? outputFile?.finish()
                outputFile = nil
                return
            }
            do {
                try outputFile?.finish()
                outputFile = try OutputFile(path: argument, inPlace: true)
            } catch {
                output.err += "error: \(error.message)\n"
            }
        default:
            output.err += "error: unknown command '\(name)': try .help\n"
        }
    }

    /// Called while queries are evaluated; the terminal driver sets it to honour Ctrl-C.
    public var checkpoint: (() throws -> Void)? {
        didSet { knowledgeBase.checkpoint = checkpoint }
    }

    private func help(_ argument: String, _ output: inout Output) {
        let wanted = argument.isEmpty ? nil : (argument.hasPrefix(".") ? argument : "." + argument)
        let listed = Shell.commands.filter { wanted == nil || $0.name == wanted }
        if listed.isEmpty {
            output.err += "error: unknown command '\(argument)': try .help\n"
            return
        }
        let width = listed.map { ($0.name + " " + $0.arguments).count }.max() ?? 0
        for command in listed {
            let usage = command.arguments.isEmpty ? command.name : command.name + " " + command.arguments
            output.out += usage + String(repeating: " ", count: width - usage.count + 2) + command.help + "\n"
        }
        if wanted == ".import" || wanted == ".export" {
            output.out += "Formats, by the file's name:\n"
            for format in DataFormat.allCases {
                output.out += "  " + format.extensions.map { "." + $0 }.joined(separator: " ").padding(toLength: 16, withPad: " ", startingAt: 0)
                    + format.title + ": " + format.holds + "\n"
            }
        }
        if wanted == nil {
            output.out += "Statements (facts, rules, ?- queries, retract) end with '.' and may span lines.\n"
            output.out += "Limits: a query may derive \(knowledgeBase.maximumDerivedFacts) facts and hold \(ResidentMemory.describe(knowledgeBase.maximumMemory)) of memory"
                + " (start kglog with --max-facts N, --max-memory SIZE to change them).\n"
        }
    }

    private func onOff(_ argument: String, _ name: String, _ output: inout Output) -> Bool? {
        switch argument {
        case "on": return true
        case "off": return false
        default:
            output.err += "error: \(name) takes on or off\n"
            return nil
        }
    }

    /// A constant typed after a dot-command (`member-of`, `<http://x>`, `ex:p`, `"text"`).
    private func constant(_ text: String, what: String) throws -> Value {
        guard let value = Value.constant(text, prefixes: knowledgeBase.prefixes) else {
            throw ShellError.notAConstant(what: what, text: text)
        }
        return value
    }

    private func read(_ path: String, _ output: inout Output) -> String? {
        do {
            return try TextFile.read(path)
        } catch {
            output.err += "error: \(error.message)\n"
            return nil
        }
    }

    private func predicates(_ output: inout Output) {
        do {
            let rows = try knowledgeBase.predicates().map { summary -> [Value] in
                let kind = (summary.isDerived ? (summary.storedFacts > 0 ? "both" : "derived") : "stored")
                    + (summary.isFunctional ? ", functional" : "")
                return [.name(summary.predicate.sourceText), .integer(Int64(summary.arity)), .integer(Int64(summary.storedFacts)), .name(kind)]
            }
            output.out += AnswerRenderer(format: .table).render(QueryAnswer(columns: ["predicate", "arity", "facts", "kind"], rows: rows))
        } catch {
            output.err += Shell.describe(error)
        }
    }

    /// `.sources [PATTERN] [--from DATE] [--until DATE]`: each source with when and by whom it
    /// was published, who reported it and how many facts it asserted, earliest first.
    /// `.as-recorded`: show the moment, set it, or return to the present.
    private func asRecorded(_ argument: String, _ output: inout Output) {
        if argument.isEmpty {
            output.out += knowledgeBase.recordedMoment.map { "as recorded at \($0)\n" } ?? "now\n"
            return
        }
        do {
            try knowledgeBase.showAsRecorded(at: argument == "now" ? nil : try Shell.moment(argument, option: ".as-recorded"))
        } catch {
            output.err += Shell.describe(error)
        }
    }

    /// A moment given to `--as-recorded`, `--since` or `--forget-before`: a UTC datetime such as
    /// 2026-11-24T18:00:00Z, or a date, which stands for its first moment (midnight UTC).
    public static func moment(_ text: String, option: String) throws -> DateTime {
        if let moment = DateTime(iso: Substring(text)) { return moment }
        if let date = CalendarDate(iso: Substring(text)) { return DateTime(startOf: date) }
        throw ShellError.notAMoment(option: option, text: text)
    }

    /// A history as a table (recorded, change, by, what, action, statement) or JSON.
    public static func renderHistory(_ events: [HistoryEvent], with renderer: AnswerRenderer) -> String {
        guard renderer.format == .json else {
            if events.isEmpty && renderer.format == .table { return "no changes\n" }
            let rows: [[Value]] = events.map { event in
                [event.at.map { .datetime($0) } ?? .name("(forgotten)"), .integer(event.change), .name(event.by), .name(event.what),
                 .name(event.action.rawValue), .name(event.statement)]
            }
            return renderer.render(QueryAnswer(columns: ["recorded", "change", "by", "what", "action", "statement"], rows: rows))
        }
        return "{\"history\":[" + events.map { event in
            "{\"change\":\(event.change),\"recorded\":" + (event.at.map { JSONText.string($0.description) } ?? "null")
                + ",\"by\":\(JSONText.string(event.by)),\"what\":\(JSONText.string(event.what)),\"action\":\"\(event.action.rawValue)\""
                + ",\"statement\":\(JSONText.string(event.statement))}"
        }.joined(separator: ",") + "]}\n"
    }

    private func sources(_ argument: String, _ output: inout Output) {
        var words = argument.split(separator: " ").map(String.init)[...]
        var pattern: String?
        var from: CalendarDate?, until: CalendarDate?
        while let word = words.popFirst() {
            if word == "--from" || word == "--until" {
                guard let text = words.popFirst(), let date = CalendarDate(iso: Substring(text)) else {
                    output.err += "error: \(word) takes a date such as 2026-01-31\n"
                    return
                }
                if word == "--from" { from = date } else { until = date }
            } else if pattern == nil {
                pattern = word
            } else {
                output.err += "error: .sources takes [PATTERN] [--from DATE] [--until DATE], not '\(word)'\n"
                return
            }
        }
        do {
            var table = renderer
            table.headers = true
            output.out += Shell.renderSources(try knowledgeBase.sourceSummaries(matching: pattern, from: from, until: until), with: table)
        } catch {
            output.err += Shell.describe(error)
        }
    }

    /// Sources as text in `renderer`'s format: a table (or TSV, CSV) of source, published on,
    /// published by, reported by and facts; in JSON, one object a source with arrays of values.
    public static func renderSources(_ summaries: [KnowledgeBase.SourceSummary], with renderer: AnswerRenderer) -> String {
        guard renderer.format == .json else { return renderer.render(sourcesAnswer(summaries)) }
        func list(_ values: [Value]) -> String { "[" + values.map(JSONText.value).joined(separator: ",") + "]" }
        return "{\"sources\":[" + summaries.map { summary in
            "{\"source\":\(JSONText.value(summary.source)),\"publishedOn\":\(list(summary.publishedOn)),"
                + "\"publishedBy\":\(list(summary.publishedBy)),\"reportedBy\":\(list(summary.reportedBy)),\"facts\":\(summary.facts)}"
        }.joined(separator: ",") + "]}\n"
    }

    /// Sources as an answer to print: source, published on, published by, reported by, facts.
    public static func sourcesAnswer(_ summaries: [KnowledgeBase.SourceSummary]) -> QueryAnswer {
        // Lists shown as they read (a name is printed as it is, a string would be quoted).
        func list(_ values: [Value]) -> Value { .name(values.map(\.sourceText).joined(separator: ", ")) }
        let rows: [[Value]] = summaries.map { [$0.source, list($0.publishedOn), list($0.publishedBy), list($0.reportedBy), .integer(Int64($0.facts))] }
        return QueryAnswer(columns: ["source", "published on", "published by", "reported by", "facts"], rows: rows)
    }

    /// Conflicts as text in `renderer`'s format: a table (or TSV, CSV) of predicate, subject,
    /// value, source, published on, reported by, a row for each source of each value (a value
    /// without a source has one row with none); in JSON, one object a conflict.
    public static func renderConflicts(_ conflicts: [KnowledgeBase.Conflict], with renderer: AnswerRenderer) -> String {
        func list(_ values: [Value]) -> Value { .name(values.map(\.sourceText).joined(separator: ", ")) }
        guard renderer.format == .json else {
            var rows: [[Value]] = []
            for conflict in conflicts {
                for value in conflict.values {
                    let head: [Value] = [.name(conflict.signature), list(conflict.subject), value.value]
                    if value.sources.isEmpty { rows.append(head + [.name(""), .name(""), .name("")]) }
                    for source in value.sources { rows.append(head + [source.source, list(source.publishedOn), list(source.reportedBy)]) }
                }
            }
            if rows.isEmpty && renderer.format == .table { return "no conflicts\n" }
            // Rows stay in the order built (conflict, value, earliest source first).
            return renderer.render(QueryAnswer(columns: ["predicate", "subject", "value", "source", "published on", "reported by"], rows: rows))
        }
        func array(_ values: [Value]) -> String { "[" + values.map(JSONText.value).joined(separator: ",") + "]" }
        return "{\"conflicts\":[" + conflicts.map { conflict in
            "{\"predicate\":\(JSONText.value(conflict.predicate)),\"arity\":\(conflict.subject.count + 1),\"subject\":\(array(conflict.subject)),\"values\":["
                + conflict.values.map { value in
                    "{\"value\":\(JSONText.value(value.value)),\"sources\":[" + value.sources.map { source in
                        "{\"source\":\(JSONText.value(source.source)),\"publishedOn\":\(array(source.publishedOn)),"
                            + "\"publishedBy\":\(array(source.publishedBy)),\"reportedBy\":\(array(source.reportedBy))}"
                    }.joined(separator: ",") + "]}"
                }.joined(separator: ",") + "]}"
        }.joined(separator: ",") + "]}\n"
    }

    /// Dot-commands whose argument is a file path.
    static let fileCommands: Set<String> = [".open", ".load", ".import", ".export", ".output", ".read"]

    /// What a Tab press can complete `word` to: dot-commands at the start of a line, file paths
    /// after a command that takes a file, predicate names elsewhere.
    /// `line` is the text typed before the cursor (it ends with `word`): inside an atom's
    /// parentheses or after `@`, Tab completes names the knowledge base holds (constants and
    /// sources); elsewhere, predicate names.
    public func completions(for word: String, atLineStart: Bool, line: String = "") -> [String] {
        var candidates: [String] = []
        if let command = line.split(separator: " ").first, Shell.fileCommands.contains(String(command)), line.contains(" ") {
            let paths = Shell.paths(startingWith: word)
            // `.import` and `.export` take files of the formats kglog knows (and folders).
            guard command == ".import" || command == ".export" else { return paths }
            return paths.filter { $0.hasSuffix("/") || DataFormat(path: $0) != nil }
        }
        if atLineStart && word.hasPrefix(".") {
            candidates = Shell.commands.map(\.name)
        } else if Shell.isArgumentPosition(String(line.dropLast(word.count))) {
            return (try? knowledgeBase.names(startingWith: word)) ?? []
        } else {
            candidates = knowledgeBase.catalog.arities.keys.map(\.sourceText) + BuiltinPredicate.allCases.map(\.rawValue) + [TextMatch.predicate.sourceText]
                + [ConflictRules.predicate.sourceText]
        }
        return Array(Set(candidates.filter { $0.hasPrefix(word) })).sorted()
    }

    /// Whether text typed so far leaves the cursor where a constant goes: inside an atom's
    /// parentheses (outside strings), or right after `@`.
    public static func isArgumentPosition(_ before: String) -> Bool {
        if before.trimmingCharacters(in: .whitespaces).hasSuffix("@") { return true }
        var depth = 0
        var inString = false
        var escaped = false
        for character in before {
            if inString {
                if escaped { escaped = false } else if character == "\\" { escaped = true } else if character == "\"" { inString = false }
                continue
            }
            switch character {
            case "\"": inString = true
            case "(": depth += 1
            case ")": depth = max(0, depth - 1)
            case ".": depth = 0
            default: break
            }
        }
        return depth > 0
    }
}

/// Errors of dot-commands' arguments.
enum ShellError: DiagnosticMessage {
    case notAConstant(what: String, text: String)
    case notAMoment(option: String, text: String)

    var message: String {
        switch self {
        case .notAConstant(let what, let text):
            return "\(what) must be a constant such as member-of, <http://example.org/p> or ex:p (with its prefix declared), not '\(text)'"
        case .notAMoment(let option, let text):
            return "\(option) takes a moment in UTC such as 2026-11-24T18:00:00Z (or a date, for its first moment), not '\(text)'"
        }
    }
}

extension Shell {
    /// Files and folders (with a trailing `/`) whose path starts with `prefix`.
    static func paths(startingWith prefix: String) -> [String] {
        let folder = prefix.contains("/") ? String(prefix[...prefix.lastIndex(of: "/")!]) : ""
        let namePrefix = String(prefix.dropFirst(folder.count))
        let listed = (try? FileManager.default.contentsOfDirectory(atPath: folder.isEmpty ? "." : folder)) ?? []
        return listed.filter { $0.hasPrefix(namePrefix) && (namePrefix.hasPrefix(".") || !$0.hasPrefix(".")) }.map { name in
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: folder + name, isDirectory: &isDirectory)
            return folder + name + (isDirectory.boolValue ? "/" : "")
        }.sorted()
    }
}
