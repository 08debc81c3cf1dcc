import Foundation
import KGLog
#if canImport(Glibc)
import Glibc
#endif

/// Runs a `Shell` on the process's standard input: with a line editor, prompts and history on
/// a terminal; plain lines, no prompts and no escape codes from a pipe or a file.
public final class InteractiveSession {
    private let shell: Shell
    private let historyPath: String?
    /// The program that shows output taller than the screen; nil when paging is turned off.
    private let pager: Pager?
    private var historyWarningShown = false

    public init(shell: Shell, historyPath: String? = InteractiveSession.defaultHistoryPath, pager: Pager? = Pager.fromEnvironment()) {
        self.shell = shell
        self.historyPath = historyPath
        self.pager = pager
        Interrupts.install()
        shell.checkpoint = Interrupts.check
    }

    /// `~/.kglog_history`.
    public static var defaultHistoryPath: String? {
        ProcessInfo.processInfo.environment["HOME"].map { $0 + "/.kglog_history" }
    }

    /// Runs until `.quit`, Ctrl-D or the end of input.
    public func run(notice: String?) {
        if let terminal = Terminal() {
            if let notice { terminal.write(notice + "\n") }
            runInteractive(terminal)
        } else {
            runPiped()
        }
    }

    // MARK: - Pipes and files

    private func runPiped() {
        while let line = readLine(strippingNewline: true) {
            let output = shell.handle(line)
            write(output)
            if output.quit { return }
        }
        if !shell.pending.isEmpty {
            Console.error("error: the input ends inside a statement: expected '.'\n")
            shell.cancelPending()
        }
    }

    private func write(_ output: Shell.Output) {
        if !output.out.isEmpty { Console.out(output.out) }
        if !output.err.isEmpty { Console.error(output.err) }
    }

    /// As `write`, but output taller than the screen goes through the pager (errors first, so
    /// the pager does not hide them). A pager that cannot start leaves the text on the screen.
    private func write(_ output: Shell.Output, pagingOn terminal: Terminal) {
        guard shell.pages, let pager, let size = terminal.screenSize,
              Pager.needsPaging(output.out, rows: size.rows, columns: size.columns) else {
            return write(output)
        }
        if !output.err.isEmpty { Console.error(output.err) }
        if pager.show(output.out) == nil { Console.out(output.out) }
        // Ctrl-C in the pager reached this process too; it cancels nothing now.
        Interrupts.reset()
    }

    // MARK: - A terminal

    private func runInteractive(_ terminal: Terminal) {
        var editor = LineEditor(history: loadHistory())
        var decoder = KeyDecoder()
        var lastTabWord: String?
        terminal.enableRaw()
        terminal.write(editor.render(prompt: shell.prompt))
        defer { terminal.restore() }
        while let byte = terminal.readByte() {
            guard let key = decoder.feed(byte) else { continue }
            let action = editor.handle(key)
            if key != .tab { lastTabWord = nil }
            switch action {
            case .none:
                terminal.write(editor.render(prompt: shell.prompt))
            case .complete:
                let (word, atStart) = editor.wordBeforeCursor
                let typed = String(editor.text[..<editor.cursor])
                let candidates = shell.completions(for: word, atLineStart: atStart && shell.pending.isEmpty, line: typed)
                let common = InteractiveSession.commonPrefix(candidates)
                if common.count > word.count {
                    // A unique predicate gets its '(', a command its space; a path is left as it is.
                    var suffix = ""
                    let isPredicate = !Shell.isArgumentPosition(String(typed.dropLast(word.count)))
                    if candidates.count == 1 && isPredicate && !common.hasSuffix("/") && !editor.line.hasPrefix(".") { suffix = "(" }
                    if candidates.count == 1 && word.hasPrefix(".") && atStart { suffix = " " }
                    editor.insert(String(common.dropFirst(word.count)) + suffix)
                } else if candidates.count > 1 && lastTabWord == word {
                    terminal.write("\n" + candidates.joined(separator: "  ") + "\n")
                }
                lastTabWord = word
                terminal.write(editor.render(prompt: shell.prompt))
            case .interrupt:
                shell.cancelPending()
                if let entry = editor.endStatement() { appendHistory(entry) }
                terminal.write("^C\n" + editor.render(prompt: shell.prompt))
            case .endOfInput:
                terminal.write("\n")
                return
            case .submit(let line):
                terminal.write("\n")
                // Cleared before Ctrl-C becomes a signal again, so no key pressed from here on is lost.
                Interrupts.reset()
                terminal.restore()
                let output = shell.handle(line)
                // A statement typed over several lines is remembered as one entry.
                if shell.pending.isEmpty, let entry = editor.endStatement() { appendHistory(entry) }
                write(output, pagingOn: terminal)
                if output.quit { return }
                terminal.enableRaw()
                terminal.write(editor.render(prompt: shell.prompt))
            }
        }
    }

    static func commonPrefix(_ words: [String]) -> String {
        guard var prefix = words.first else { return "" }
        for word in words.dropFirst() {
            while !word.hasPrefix(prefix) { prefix.removeLast() }
        }
        return prefix
    }

    // MARK: - History

    /// In the history file each entry is one line; the line breaks of a statement typed over
    /// several lines are kept as U+001E (record separator), which typing cannot produce.
    static let lineBreakInHistory: Character = "\u{1E}"

    private func loadHistory() -> [String] {
        guard let historyPath, let text = try? String(contentsOfFile: historyPath, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map { String($0.map { $0 == InteractiveSession.lineBreakInHistory ? "\n" : $0 }) }.suffix(1000)
    }

    private func appendHistory(_ entry: String) {
        guard let historyPath, !entry.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return }
        let line = String(entry.map { $0 == "\n" ? InteractiveSession.lineBreakInHistory : $0 })
        let data = Data((line + "\n").utf8)
        if !FileManager.default.fileExists(atPath: historyPath) {
            _ = FileManager.default.createFile(atPath: historyPath, contents: nil)
        }
        guard let handle = FileHandle(forWritingAtPath: historyPath) else {
            if !historyWarningShown {
                Console.error("warning: cannot write the history file '\(historyPath)'\n")
                historyWarningShown = true
            }
            return
        }
        handle.seekToEndOfFile()
        handle.write(data)
        handle.closeFile()
    }
}

/// Ctrl-C (SIGINT) while a query runs: the handler only sets a flag, and the evaluation's
/// checkpoint turns it into `Shell.Cancelled`, so the transaction rolls back cleanly.
public enum Interrupts {
    nonisolated(unsafe) private static var interrupted: sig_atomic_t = 0

    public static func install() {
        signal(SIGINT) { _ in Interrupts.interrupted = 1 }
    }

    public static func reset() {
        interrupted = 0
    }

    /// Throws `Shell.Cancelled` once after a SIGINT.
    public static func check() throws {
        if interrupted != 0 {
            interrupted = 0
            throw Shell.Cancelled()
        }
    }
}
