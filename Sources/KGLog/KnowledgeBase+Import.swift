import Foundation
import KGEngine
import KGFormats
import KGStore
import KGSyntax

// MARK: - Import and export

/// How an import reads its file.
public struct ImportOptions: Sendable {
    public var format: DataFormat
    /// For CSV and TSV: the predicate each row is a fact of.
    public var predicate: Value?
    /// For CSV and TSV: whether the first row is a header; nil detects it (a first row of text
    /// over columns that hold numbers or dates below it).
    public var header: Bool?
    /// For CSV and TSV: keep every field as a string.
    public var asText: Bool
    /// The source of every fact imported (N-Quads facts in a named graph keep the graph; a CSV
    /// row with a source column keeps the source in it).
    public var source: Value?
    /// For CSV and TSV: the column that holds each row's source instead of an argument.
    public var sourceColumn: SourceColumn?
    /// What the import's change says in the history (default: `import PATH`).
    public var changeDescription: String?
    /// For Turtle and TriG: the IRI relative IRIs resolve against until the file sets its own
    /// (default: the file's `file:` URL).
    public var base: String?

    /// A column named by its header, or numbered from 1.
    public typealias SourceColumn = ReadOptions.SourceColumn

    /// How the reading thread cuts the file into batches (small ones in tests).
    var batchLimits = FactFileReader.Limits()

    /// What the format's reader needs.
    var readOptions: ReadOptions {
        ReadOptions(predicate: predicate, header: header, asText: asText, sourceColumn: sourceColumn, base: base)
    }

    /// The options given that mean nothing for the format (`--predicate` for N-Triples): an
    /// import refuses them rather than ignore them.
    var optionsThatDoNotApply: [String] {
        let base = self.base != nil && format != .ttl && format != .trig ? ["--base"] : []
        guard format != .csv && format != .tsv else { return base }
        return (predicate != nil ? ["--predicate"] : []) + (header != nil ? ["--header"] : []) + (asText ? ["--as-text"] : [])
            + (sourceColumn != nil ? ["--source-column"] : []) + base
    }

    public init(format: DataFormat, predicate: Value? = nil, header: Bool? = nil, asText: Bool = false, source: Value? = nil,
                sourceColumn: SourceColumn? = nil) {
        self.format = format
        self.predicate = predicate
        self.header = header
        self.asText = asText
        self.source = source
        self.sourceColumn = sourceColumn
    }
}

extension KnowledgeBase {
    /// Imports a file in one transaction: a bad line anywhere imports nothing, and the error
    /// names the file, line and column. Reads the file in chunks, so memory stays flat.
    /// Returns the number of facts added (a fact already there from the same source is not).
    @discardableResult
    public func importFile(_ path: String, options: ImportOptions) throws -> Int {
        if let option = options.optionsThatDoNotApply.first {
            throw ImportError.optionDoesNotApply(option: option, format: options.format.rawValue)
        }
        try refuseChangesToThePast()
        if options.format == .kgl {
            let text = try TextFile.read(path)
            var added = 0
            defaultSource = options.source
            defer { defaultSource = nil }
            try execute(text, fileName: path, changeDescription: options.changeDescription) { if $0 == .asserted(isNew: true) { added += 1 } }
            return added
        }
        let savedCatalog = catalog
        store.changeDescription = options.changeDescription ?? "import \(path)"
        do {
            return try store.withDirectWrites { try store.transaction { try store.bulkLoad {
                let added = try importFacts(path, options: options)
                try store.refreshFactCaches()
                return added
            } } }
        } catch {
            restoreCatalog(savedCatalog)
            let failure: ImportFailure
            switch error {
            case let error as FormatDiagnostic: failure = ImportFailure(diagnostic: error.diagnostic, line: error.lineText ?? "")
            case let error as ImportFailure: failure = error
            default: throw error
            }
            let line = failure.line.isEmpty ? KnowledgeBase.line(failure.diagnostic.location.line, of: path) : failure.line
            throw DiagnosticReport(fileName: path, sourceText: "", diagnostics: [failure.diagnostic],
                                   sourceLines: [failure.diagnostic.location.line: line])
        }
    }

    /// Reads a data file's facts into the store through its format's reader; the caller holds
    /// the transaction. The prefixes a Turtle or TriG file declares become the knowledge
    /// base's, but for a name it has already: that keeps its own IRI (the file's IRIs are read
    /// in full either way). Reified periods in an RDF file become periods (`foldPeriods`).
    private func importFacts(_ path: String, options: ImportOptions) throws -> Int {
        var readOptions = options.readOptions
        if options.format == .ttl || options.format == .trig {
            readOptions.base = options.base ?? URL(fileURLWithPath: path).absoluteString
        }
        guard let reader = try options.format.reader(path: path, options: readOptions) else {
            throw ImportError.needsPredicate(path)
        }
        let (added, declared) = try importFacts(from: reader, source: options.source, limits: options.batchLimits)
        // Only names kglog can write too (not `:` alone, nor `Ex.1:`), so that the backup reads back.
        for (name, iri) in declared.sorted(by: { $0.key < $1.key }) where prefixes[name] == nil {
            let declaration = "prefix \(name): \(Value.iri(iri).sourceText)."
            guard Parser.parse(declaration, prefixes: [:]).diagnostics.isEmpty else { continue }
            try store.setPrefix(name, iri: iri)
            prefixes[name] = iri
        }
        guard options.format.isRDF else { return added }
        // The rows that stated periods are periods now, not facts.
        return added - (try foldPeriods().removedRows)
    }

    /// Line `number` of a file (for an error's caret), empty when it cannot be read.
    static func line(_ number: Int, of path: String) -> String {
        var found = ""
        try? LineReader(path: path).forEachLine { line, index in
            if index == number { found = String(decoding: line, as: UTF8.self) }
        }
        return found
    }

    /// Writes facts out through the format's writer: RDF formats the binary facts (facts of
    /// other arities have no RDF form: they are counted and left out), JSON Lines all, CSV and
    /// TSV one predicate's (with `sourceColumn`, a row per source ending with it, as
    /// `--source-column` reads them back), `kgl` all of them in the whole knowledge base as the
    /// program it is (its prefixes and declarations before them, its rules after). Each fact
    /// comes with its periods, in the order the writer asks for.
    public func export(_ format: DataFormat, predicate: Value? = nil, sourceColumn: Bool = false,
                       to write: (String) -> Void) throws -> (written: Int, skipped: Int) {
        var writer = format.writer(prefixes: prefixes, sourceColumn: sourceColumn)
        if format == .kgl {
            write("% kglog knowledge base export\n")
            for (name, iri) in prefixes.sorted(by: { $0.key < $1.key }) { write("prefix \(name): <\(iri)>.\n") }
            for declaration in functionalPredicates { write(declaration.canonicalText + "\n") }
        }
        var predicates = sortedArities.map { (predicate: $0.predicate, arity: $0.arity) }
        if format.needsPredicate {
            guard let predicate, let arity = catalog.arity(of: predicate) else { throw ImportError.needsPredicate("the export") }
            predicates = [(predicate, arity)]
        }
        var skipped = 0
        for summary in predicates where !writer.takes(arity: summary.arity) {
            guard let id = try store.termID(for: summary.predicate) else { continue }
            skipped += try store.distinctFactCount(predicate: id, arity: summary.arity)
        }
        let values = TermDecoder(store: store).value
        let withPeriods = try store.predicatesWithPeriods()
        writer.begin(to: write)
        switch writer.order {
        case .byPredicate:
            for summary in predicates where writer.takes(arity: summary.arity) {
                guard let id = try store.termID(for: summary.predicate) else { continue }
                // Read in one statement, not one a fact.
                let periodsByFact = withPeriods.contains(id) ? try periods(of: id, arity: summary.arity) : [:]
                try store.forEachFactRow(predicate: id, arity: summary.arity) { arguments, source in
                    let periods = periodsByFact.isEmpty ? [] : periodsByFact[arguments + [source]] ?? []
                    try writer.write(ExportedFact(predicate: id, arguments: arguments, source: source == TermCode.noTerm ? nil : source,
                                                  periods: periods), values: values, to: write)
                }
            }
        case .bySourceAndSubject, .bySubject:
            let bySource = writer.order == .bySourceAndSubject
            try store.forEachBinaryFact(bySource: bySource) { source, s, p, o in
                var periods: [(from: Int64, until: Int64)] = []
                if withPeriods.contains(p) {
                    periods = try (bySource ? [source] : store.sources(ofFact: p, arguments: [s, o])).flatMap {
                        try store.periods(ofFact: p, arguments: [s, o], source: $0)
                    }
                }
                try writer.write(ExportedFact(predicate: p, arguments: [s, o], source: bySource && source != TermCode.noTerm ? source : nil,
                                              periods: periods), values: values, to: write)
            }
        }
        writer.finish(to: write)
        if format == .kgl {
            for rule in rules { write(rule.text + "\n") }
        }
        return (writer.written, skipped + writer.skipped)
    }
}

extension KnowledgeBase {
    /// A predicate's periods by fact and source (its arguments, then its source), each fact's in
    /// the order of the periods tables' key, as a lookup of one fact gives them.
    private func periods(of predicate: Int64, arity: Int) throws -> [[Int64]: [(from: Int64, until: Int64)]] {
        var result: [[Int64]: [(from: Int64, until: Int64)]] = [:]
        for row in try store.periodRows(predicate: predicate, arity: arity) {
            result[row.arguments + [row.source], default: []].append((row.from, row.until))
        }
        return result.mapValues { $0.sorted { ($0.from, $0.until) < ($1.from, $1.until) } }
    }
}

/// Errors of an import that are not about one line.
public enum ImportError: DiagnosticMessage, Equatable {
    case needsPredicate(String)
    case optionDoesNotApply(option: String, format: String)

    public var message: String {
        switch self {
        case .needsPredicate(let what): return "\(what) needs a predicate for its rows (--predicate)"
        case .optionDoesNotApply(let option, let format):
            if option == "--base" { return "--base is for Turtle and TriG files, not \(format)" }
            return "\(option) is for CSV and TSV rows; a \(format) file names its own predicates"
        }
    }
}

/// A line that failed, carried out of the transaction so the report can show it.
struct ImportFailure: Error {
    let diagnostic: Diagnostic
    let line: String
}
