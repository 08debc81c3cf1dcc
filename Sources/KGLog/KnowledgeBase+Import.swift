import Foundation
import KGEngine
import KGFormats
import KGStore
import KGSyntax

// MARK: - Import and export

/// The file formats kglog reads and writes.
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
    public enum SourceColumn: Sendable, Equatable {
        case named(String)
        case number(Int)

        /// `2` is a number; anything else names a header.
        public init(_ text: String) {
            if let n = Int(text) { self = .number(n) } else { self = .named(text) }
        }
    }
    /// How N-Triples and N-Quads are cut into batches (small ones in tests).
    var tripleLimits = TripleFileReader.Limits()

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
        } catch let failure as ImportFailure {
            restoreCatalog(savedCatalog)
            throw DiagnosticReport(fileName: path, sourceText: "", diagnostics: [failure.diagnostic],
                                   sourceLines: [failure.diagnostic.location.line: failure.line])
        } catch {
            restoreCatalog(savedCatalog)
            throw error
        }
    }

    /// Reads a data file's facts into the store; the caller holds the transaction.
    private func importFacts(_ path: String, options: ImportOptions) throws -> Int {
        switch options.format {
        case .nt, .nq:
            let added = try importTriples(path, syntax: .lines(options.format == .nq ? .nQuads : .nTriples), source: options.source,
                                          limits: options.tripleLimits).added
            // The rows that stated periods are periods now, not facts.
            return added - (try foldPeriods().removedRows)
        case .csv, .tsv:
            guard let predicate = options.predicate else { throw ImportError.needsPredicate(path) }
            var loader = FactLoader(knowledgeBase: self, source: options.source)
            try importRecords(try LineReader(path: path), options: options, predicate: predicate, loader: &loader)
            try loader.flush()
            return loader.added
        case .ttl, .trig:
            return try importTurtle(path, options: options)
        case .jsonl:
            var loader = FactLoader(knowledgeBase: self, source: options.source)
            try LineReader(path: path).forEachLine { line, number in
                let parsed: JSONFacts.Fact?
                do throws(FormatDiagnostic) {
                    parsed = try JSONFacts.parse(line, lineNumber: number)
                } catch {
                    throw ImportFailure(diagnostic: error.diagnostic, line: String(decoding: line, as: UTF8.self))
                }
                guard let fact = parsed else { return }
                try loader.add(fact.predicate, fact.arguments, source: fact.source, line: number,
                               text: String(decoding: line, as: UTF8.self))
            }
            try loader.flush()
            return loader.added
        case .kgl:
            return 0
        }
    }

    /// Turtle or TriG, streamed on two threads as N-Triples are: each triple a fact (of its
    /// graph's source in TriG, else of `--source`). The file's prefixes become the knowledge
    /// base's, but for a name it has already: that keeps its own IRI (the file's IRIs are read
    /// in full either way).
    private func importTurtle(_ path: String, options: ImportOptions) throws -> Int {
        let syntax = TripleFileReader.Syntax.turtle(options.format == .trig ? .trig : .turtle,
                                                    base: options.base ?? URL(fileURLWithPath: path).absoluteString)
        let (added, declared) = try importTriples(path, syntax: syntax, source: options.source, limits: options.tripleLimits)
        // Only names kglog can write too (not `:` alone, nor `Ex.1:`), so that the backup reads back.
        for (name, iri) in declared.sorted(by: { $0.key < $1.key }) where prefixes[name] == nil {
            let declaration = "prefix \(name): \(Value.iri(iri).sourceText)."
            guard Parser.parse(declaration, prefixes: [:]).diagnostics.isEmpty else { continue }
            try store.setPrefix(name, iri: iri)
            prefixes[name] = iri
        }
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

    private func importRecords(_ reader: LineReader, options: ImportOptions, predicate: Value, loader: inout FactLoader) throws {
        var importer = RecordImporter(options: options, predicate: predicate)
        try reader.forEachLine { line, number in
            try importer.feed(line, number, into: &loader)
        }
        try importer.finish(into: &loader)
    }

    /// Writes the knowledge base's binary facts as N-Triples (each fact once) or N-Quads (one
    /// line per source, the source as graph name), or one predicate's facts as CSV. Facts of
    /// other arities have no RDF form: they are counted and left out.
    /// With `sourceColumn`, CSV and TSV rows end with the fact's source (empty for none), one row
    /// per source, as `--source-column` reads them back.
    public func export(_ format: DataFormat, predicate: Value? = nil, sourceColumn: Bool = false,
                       to write: (String) -> Void) throws -> (written: Int, skipped: Int) {
        var written = 0, skipped = 0, periodLabel = 0
        if format == .nt || format == .nq { periodPredicates = try store.predicatesWithPeriods() }
        let value = TermDecoder(store: store).value
        let terms = TermDecoder(store: store, making: NTriplesTerm.init)
        switch format {
        case .kgl:
            try exportText(to: write)
        case .jsonl:
            for summary in sortedArities {
                guard let id = try store.termID(for: summary.predicate) else { continue }
                try store.forEachFactRow(predicate: id, arity: summary.arity) { arguments, source in
                    write(JSONText.fact(predicate: summary.predicate, arguments: try arguments.map(value),
                                        source: source == TermCode.noTerm ? nil : try value(source)))
                    written += 1
                }
            }
        case .nt, .nq:
            for summary in sortedArities {
                guard let id = try store.termID(for: summary.predicate) else { continue }
                guard summary.arity == 2 else {
                    skipped += try store.distinctFactCount(predicate: id, arity: summary.arity)
                    continue
                }
                var previous: [Int64]?
                let predicateText = NTriplesWriter.term(summary.predicate)
                // Facts with periods: their periods follow them, reified (`RDFPeriods`); in
                // N-Triples, every source's periods of the fact, each once.
                let hasPeriods = periodPredicates.contains(id)
                // A fact that holds at all times from one source holds at all times: no periods.
                var pendingPeriods: [(from: Int64, until: Int64)] = []
                var pendingFact: (subject: String, object: String)?
                func collect(_ periods: [(from: Int64, until: Int64)]) {
                    if periods.isEmpty || periods.contains(where: { $0.from == Period.openStartID && $0.until == Period.openEndID }) {
                        pendingFact = nil
                    }
                    for period in periods where !pendingPeriods.contains(where: { $0 == period }) { pendingPeriods.append(period) }
                }
                func writePendingPeriods() {
                    if let fact = pendingFact {
                        write(RDFPeriods.lines(subject: fact.subject, predicate: predicateText, object: fact.object, graph: nil,
                                               periods: pendingPeriods, label: &periodLabel))
                    }
                    (pendingFact, pendingPeriods) = (nil, [])
                }
                try store.forEachFactRow(predicate: id, arity: 2) { arguments, source in
                    let periods = hasPeriods ? try store.periods(ofFact: id, arguments: arguments, source: source) : []
                    if format == .nt && previous == arguments {
                        collect(periods)
                        return
                    }
                    if format == .nt { writePendingPeriods() }
                    previous = arguments
                    let subject = try terms.value(arguments[0])
                    guard subject.canBeSubject else { skipped += 1; return }
                    let object = try terms.value(arguments[1]).text
                    var line = subject.text + " " + predicateText + " " + object
                    var graph: String?
                    if format == .nq && source != TermCode.noTerm {
                        let term = try terms.value(source)
                        guard term.canBeSubject else { skipped += 1; return }
                        graph = term.text
                        line += " " + term.text
                    }
                    write(line + " .\n")
                    written += 1
                    if format == .nq {
                        write(RDFPeriods.lines(subject: subject.text, predicate: predicateText, object: object, graph: graph,
                                               periods: periods, label: &periodLabel))
                    } else {
                        pendingFact = (subject.text, object)
                        collect(periods)
                    }
                }
                if format == .nt { writePendingPeriods() }
            }
        case .ttl, .trig:
            (written, skipped) = try exportTurtle(trig: format == .trig, to: write)
        case .csv, .tsv:
            guard let predicate, let arity = catalog.arity(of: predicate) else { throw ImportError.needsPredicate("the export") }
            guard let id = try store.termID(for: predicate) else { return (0, 0) }
            var previous: [Int64]?
            try store.forEachFactRow(predicate: id, arity: arity) { arguments, source in
                if !sourceColumn {
                    guard previous != arguments else { return }
                    previous = arguments
                }
                var fields = try arguments.map { try value($0).lexical }
                if sourceColumn { fields.append(source == TermCode.noTerm ? "" : try value(source).lexical) }
                write((format == .csv ? fields.map(CSVEscaping.quote) : fields.map(TSVEscaping.escape)).joined(separator: format == .csv ? "," : "\t") + "\n")
                written += 1
            }
        }
        return (written, skipped)
    }
}

/// Errors of an import that are not about one line.
public enum ImportError: DiagnosticMessage, Equatable {
    case needsPredicate(String)
    case optionDoesNotApply(option: String, format: String)
    case noSuchSourceColumn(String, columns: Int)
    case sourceColumnNeedsHeader(String)
    case onlyTheSourceColumn

    public var message: String {
        switch self {
        case .needsPredicate(let what): return "\(what) needs a predicate for its rows (--predicate)"
        case .optionDoesNotApply(let option, let format):
            if option == "--base" { return "--base is for Turtle and TriG files, not \(format)" }
            return "\(option) is for CSV and TSV rows; a \(format) file names its own predicates"
        case .noSuchSourceColumn(let column, let columns):
            return "the source column \(column) is not one of the \(columns) columns"
        case .sourceColumnNeedsHeader(let name):
            return "the source column '\(name)' is named, but the file has no header row: give its number (--source-column 1 for the first)"
        case .onlyTheSourceColumn:
            return "a row of only the source column makes no fact: the predicate needs at least one other column"
        }
    }
}

/// A line that failed, carried out of the transaction so the report can show it.
struct ImportFailure: Error {
    let diagnostic: Diagnostic
    let line: String
}

/// Adds the facts of CSV or TSV records inside the import's transaction, with a cache of term ids.
struct FactLoader {
    let knowledgeBase: KnowledgeBase
    let source: Value?
    private var terms: TermCache
    private var arities: [Value: Int] = [:]
    /// Binary facts wait here to be written in bulk (sorted, to all three quad tables).
    private var quads: [QuadRow] = []
    private(set) var added = 0

    init(knowledgeBase: KnowledgeBase, source: Value?) {
        self.knowledgeBase = knowledgeBase
        self.source = source
        terms = TermCache(store: knowledgeBase.store)
    }

    private mutating func id(_ value: Value) throws -> Int64 {
        try terms.id(value)
    }

    /// Adds one fact, from `source` when given, else from the import's source (if any).
    mutating func add(_ predicate: Value, _ arguments: [Value], source factSource: Value? = nil, line: Int, text: String) throws {
        if arities[predicate] != arguments.count {
            try knowledgeBase.declare(predicate, arity: arguments.count, line: line, text: text)
            arities[predicate] = arguments.count
        }
        let sourceID = try (factSource ?? source).map { try id($0) } ?? TermCode.noTerm
        let predicateID = try id(predicate)
        if arguments.count == 2 {
            quads.append(QuadRow(s: try id(arguments[0]), p: predicateID, o: try id(arguments[1]), g: sourceID))
            if quads.count >= KnowledgeBase.quadsPerWrite { try flush() }
            return
        }
        tuples.append(TupleRow(p: predicateID, arguments: try arguments.map { try id($0) }, g: sourceID))
        if tuples.count >= FactLoader.tuplesPerWrite { try flush() }
    }

    /// Facts of other arities wait here likewise, fewer at a time: each holds an array.
    private var tuples: [TupleRow] = []
    static let tuplesPerWrite = 1 << 18

    /// Writes the waiting facts; call once more at the end of the import.
    mutating func flush() throws {
        added += try knowledgeBase.store.addQuads(quads)
        added += try knowledgeBase.store.addTuples(tuples)
        quads.removeAll(keepingCapacity: true)
        tuples.removeAll(keepingCapacity: true)
    }
}

/// Turns CSV or TSV lines into facts: every record one fact of the predicate, all with the same
/// number of fields. The first record waits for the second to decide whether it is a header.
struct RecordImporter {
    let options: ImportOptions
    let predicate: Value
    private var reader: CSVReader
    private var arity: Int?
    private var first: (record: [CSVReader.Field], text: String)?
    private var decided = false
    /// The column holding each row's source, once the header is decided.
    private var sourceIndex: Int?
    /// The text of the lines of the record being read, for error reports.
    private var lines: [Int: String] = [:]

    init(options: ImportOptions, predicate: Value) {
        self.options = options
        self.predicate = predicate
        self.reader = CSVReader(dialect: options.format == .tsv ? .tsv : .csv)
    }

    mutating func feed(_ line: UnsafeBufferPointer<UInt8>, _ number: Int, into loader: inout FactLoader) throws {
        let text = String(decoding: line, as: UTF8.self)
        lines[number] = text
        let parsed: [CSVReader.Field]?
        do {
            parsed = try reader.feed(line, lineNumber: number)
        } catch {
            throw ImportFailure(diagnostic: error.diagnostic, line: lines[error.line] ?? text)
        }
        guard let record = parsed else { return }
        let recordText = lines[record[0].line] ?? text
        lines = [:]
        if record.count == 1 && record[0].text.isEmpty { return }    // a blank line
        guard decided else {
            guard let (header, headerText) = first else {
                first = (record, recordText)
                arity = record.count
                // A source column named by a field of the first row makes that row the header.
                var header = options.header
                if header == nil, case .named(let name)? = options.sourceColumn, record.contains(where: { $0.text == name }) {
                    header = true
                }
                if let header {
                    try decide(header: header ? record : nil, recordText)
                    if !header { try add(record, recordText, into: &loader) }
                }
                return
            }
            // A header is text over columns that hold numbers or dates in the first data row.
            let isHeader = zip(header, record).contains { h, r in
                let (top, below) = (CSVReader.value(of: h.text, asText: false), CSVReader.value(of: r.text, asText: false))
                return !top.isNumber && top.kind != .date && (below.isNumber || below.kind == .date)
            }
            try decide(header: isHeader ? header : nil, headerText)
            if !isHeader { try add(header, headerText, into: &loader) }
            try add(record, recordText, into: &loader)
            return
        }
        try add(record, recordText, into: &loader)
    }

    mutating func finish(into loader: inout FactLoader) throws {
        do {
            try reader.finish()
        } catch {
            throw ImportFailure(diagnostic: error.diagnostic, line: lines[error.line] ?? "")
        }
        // A file of one record: it is data unless said to be a header.
        if !decided, let (record, text) = first {
            try decide(header: nil, text)
            try add(record, text, into: &loader)
        }
    }

    /// The header is known (nil: there is none): finds the source column, if one is asked for.
    private mutating func decide(header: [CSVReader.Field]?, _ text: String) throws {
        decided = true
        guard let column = options.sourceColumn, let arity else { return }
        let line = first?.record.first?.line ?? 1
        func fail(_ error: ImportError) -> ImportFailure {
            ImportFailure(diagnostic: Diagnostic(error, at: SourceLocation(line: line, column: 1)), line: text)
        }
        switch column {
        case .number(let n):
            guard (1...arity).contains(n) else { throw fail(.noSuchSourceColumn("\(n)", columns: arity)) }
            sourceIndex = n - 1
        case .named(let name):
            guard let header else { throw fail(.sourceColumnNeedsHeader(name)) }
            guard let index = header.firstIndex(where: { $0.text == name }) else { throw fail(.noSuchSourceColumn("'\(name)'", columns: arity)) }
            sourceIndex = index
        }
        if arity == 1 { throw fail(.onlyTheSourceColumn) }
    }

    private func add(_ record: [CSVReader.Field], _ text: String, into loader: inout FactLoader) throws {
        if let arity, record.count != arity {
            let column = record.count > arity ? record[arity].column : (record.last.map { $0.column + $0.text.count } ?? 1)
            throw ImportFailure(diagnostic: Diagnostic(FormatError.fieldCount(expected: arity, found: record.count),
                                                       at: SourceLocation(line: record[0].line, column: column)), line: text)
        }
        var values = record.map { CSVReader.value(of: $0.text, asText: options.asText) }
        // The row's source, when a column holds it (an empty field: the import's source, or none).
        var source: Value?
        if let sourceIndex {
            source = record[sourceIndex].text.isEmpty ? nil : values[sourceIndex]
            values.remove(at: sourceIndex)
        }
        try loader.add(predicate, values, source: source, line: record[0].line, text: text)
    }
}

/// A term of an N-Triples or N-Quads export: its text, and whether it can be a subject or a
/// graph name.
struct NTriplesTerm {
    let text: String
    let canBeSubject: Bool

    init(_ value: Value) {
        text = NTriplesWriter.term(value)
        canBeSubject = NTriplesWriter.canBeSubject(value)
    }}

extension KnowledgeBase {

    /// Readable Turtle (each fact once) or TriG (each source's facts in its graph, facts
    /// without one in the default graph): the prefixes, then each subject once, `;` between its
    /// predicates and `,` between objects. A fact's periods follow as reification
    /// (`RDFPeriods`). Holds the binary facts' ids in memory to group them.
    private func exportTurtle(trig: Bool, to write: (String) -> Void) throws -> (written: Int, skipped: Int) {
        var skipped = 0
        for summary in sortedArities where summary.arity != 2 {
            guard let id = try store.termID(for: summary.predicate) else { continue }
            skipped += try store.distinctFactCount(predicate: id, arity: summary.arity)
        }
        let writer = TurtleWriter(prefixes: prefixes)
        let value = TermDecoder(store: store).value
        let withPeriods = try store.predicatesWithPeriods()
        write(writer.header)
        var written = 0, label = 0
        // The facts stream in by graph and subject; one subject's are held until the next begins.
        var graph: (id: Int64, value: Value?, named: Bool, written: Bool)?
        var subject: Int64?
        var predicates: [(predicate: Value, objects: [Value])] = []
        var lastPredicate: Int64?
        var periods = ""
        func indent() -> String { trig && graph?.value != nil ? "    " : "" }
        func finishSubject() throws {
            guard let current = subject else { return }
            let count = predicates.reduce(0) { $0 + $1.objects.count }
            let subjectValue = try value(current)
            if NTriplesWriter.canBeSubject(subjectValue) {
                write(writer.subject(subjectValue, predicates, indent: indent()))
                if !periods.isEmpty { write(periods.split(separator: "\n").map { indent() + $0 + "\n" }.joined()) }
                written += count
            } else {
                skipped += count
            }
            (subject, predicates, lastPredicate, periods) = (nil, [], nil, "")
        }
        func finishGraph() {
            if let graph, graph.written, trig && graph.value != nil { write("}\n") }
            graph = nil
        }
        try store.forEachBinaryFact(bySource: trig) { source, s, p, o in
            if graph?.id != source {
                try finishSubject()
                finishGraph()
                let graphValue = source == TermCode.noTerm ? nil : try value(source)
                graph = (source, graphValue, graphValue.map(NTriplesWriter.canBeSubject) ?? true, false)
            }
            // A source that cannot name a graph (a number, a string) has its facts left out.
            if trig && graph?.named == false {
                skipped += 1
                return
            }
            if trig, let graphValue = graph?.value, graph?.written == false {
                write(writer.term(graphValue) + " {\n")
                graph?.written = true
            }
            if subject != s {
                try finishSubject()
                subject = s
            }
            let object = try value(o)
            if lastPredicate == p {
                predicates[predicates.count - 1].objects.append(object)
            } else {
                predicates.append((try value(p), [object]))
                lastPredicate = p
            }
            if withPeriods.contains(p) {
                let stated = try (trig ? [source] : store.sources(ofFact: p, arguments: [s, o])).flatMap {
                    try store.periods(ofFact: p, arguments: [s, o], source: $0)
                }
                periods += RDFPeriods.lines(subject: writer.term(try value(s)), predicate: writer.term(try value(p)),
                                            object: writer.term(object), graph: nil, periods: stated, label: &label)
            }
        }
        try finishSubject()
        finishGraph()
        return (written, skipped)
    }
}
