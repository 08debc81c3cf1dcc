/// A message that can be shown to a user; every error enum of the project conforms.
public protocol DiagnosticMessage: Error, Sendable {
    /// The user-facing text: lowercase, no trailing period, tokens quoted 'x'.
    var message: String { get }
}

/// An error found in a piece of source text, with where it is.
public struct Diagnostic: Error, Sendable, CustomStringConvertible {
    public var location: SourceLocation
    public var error: any DiagnosticMessage

    public init(_ error: any DiagnosticMessage, at location: SourceLocation) {
        self.error = error
        self.location = location
    }

    public var message: String { error.message }
    public var description: String { "\(location): error: \(message)" }
}

/// One or more diagnostics about one source text, ready to render.
public struct DiagnosticReport: Error, Sendable {
    public var fileName: String
    public var sourceText: String
    public var diagnostics: [Diagnostic]
    /// Source lines by number, for files too big to keep whole (imports); used before `sourceText`.
    public var sourceLines: [Int: String]

    public init(fileName: String, sourceText: String, diagnostics: [Diagnostic], sourceLines: [Int: String] = [:]) {
        self.fileName = fileName
        self.sourceText = sourceText
        self.diagnostics = diagnostics
        self.sourceLines = sourceLines
    }

    /// The report of a text that starts at line `offset + 1` of its file: every line number moved
    /// down by `offset`, the source lines it shows kept.
    public func movedDown(by offset: Int) -> DiagnosticReport {
        let lines = sourceText.split(separator: "\n", omittingEmptySubsequences: false)
        var moved = sourceLines.reduce(into: [Int: String]()) { $0[$1.key + offset] = $1.value }
        let diagnostics = diagnostics.map { diagnostic -> Diagnostic in
            var diagnostic = diagnostic
            let line = diagnostic.location.line
            if moved[line + offset] == nil, line >= 1, line <= lines.count { moved[line + offset] = String(lines[line - 1]) }
            diagnostic.location.line += offset
            return diagnostic
        }
        return DiagnosticReport(fileName: fileName, sourceText: "", diagnostics: diagnostics, sourceLines: moved)
    }

    /// `FILE:LINE:COLUMN: error: MESSAGE`, the source line, a caret under the column.
    public func rendered() -> String {
        let lines = sourceText.split(separator: "\n", omittingEmptySubsequences: false)
        var out = ""
        for diagnostic in diagnostics {
            let location = diagnostic.location
            out += "\(fileName):\(location.line):\(location.column): error: \(diagnostic.message)\n"
            var line: String
            if let known = sourceLines[location.line] {
                line = known
            } else {
                guard location.line >= 1, location.line <= lines.count else { continue }
                line = String(lines[location.line - 1])
            }
            if line.hasSuffix("\r") { line.removeLast() }
            out += line + "\n"
            let prefix = line.unicodeScalars.prefix(max(0, location.column - 1))
            // Keep tabs so the caret lines up under tabbed source.
            let padding = String(String.UnicodeScalarView(prefix.map { $0 == "\t" ? "\t" : " " }))
            out += padding + "^\n"
        }
        return out
    }
}
