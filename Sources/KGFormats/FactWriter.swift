import KGSyntax

// MARK: - Every data format as a writer of facts

/// The order in which an export hands a writer its facts.
public enum FactOrder: Sendable, Equatable {
    /// Predicate after predicate (by name), a fact's rows one after another: one row per
    /// source that states it (`source` nil for a fact stated without one).
    case byPredicate
    /// Binary facts only, by source and then by subject: each fact once per source.
    case bySourceAndSubject
    /// Binary facts only, by subject: each fact once (`source` nil), with the periods of all
    /// the sources that give it any.
    case bySubject
}

/// One fact as an export hands it to a writer: its terms as ids, which the writer turns into
/// values through `TermValues` only when it has not written them before (the same names recur
/// fact after fact).
public struct ExportedFact {
    public var predicate: Int64
    public var arguments: [Int64]
    /// The source of this row (see `FactOrder`); nil: none.
    public var source: Int64?
    /// The periods of the fact from that source as date ids (`Period`); empty: at all times.
    public var periods: [(from: Int64, until: Int64)]

    public init(predicate: Int64, arguments: [Int64], source: Int64?, periods: [(from: Int64, until: Int64)] = []) {
        self.predicate = predicate
        self.arguments = arguments
        self.source = source
        self.periods = periods
    }
}

/// The value of a term id: the store's dictionary as an export reads it.
public typealias TermValues = (Int64) throws -> Value

/// A data format's writer: takes facts in the order it asks for and writes text to `out`.
/// Facts it cannot write (a number as a subject in RDF) are counted as left out.
public protocol FactWriter {
    var order: FactOrder { get }
    /// Whether it writes facts of `arity` at all; the export counts the others as left out.
    func takes(arity: Int) -> Bool
    mutating func begin(to out: (String) -> Void)
    mutating func write(_ fact: ExportedFact, values: TermValues, to out: (String) -> Void) throws
    mutating func finish(to out: (String) -> Void)
    /// Facts (or rows, where a format writes one per source) written and left out so far.
    var written: Int { get }
    var skipped: Int { get }
}

/// What a writer made of each term, by id, and whether the term can be a subject or a graph
/// name: a name written a thousand times is decoded and escaped once. Forgets all at a
/// million terms, to keep memory flat.
struct TermTexts {
    private var texts: [Int64: (text: String, isResource: Bool)] = [:]

    mutating func text(_ id: Int64, _ values: TermValues, _ make: (Value) -> String) throws -> (text: String, isResource: Bool) {
        if let known = texts[id] { return known }
        let value = try values(id)
        let made = (make(value), NTriplesWriter.canBeSubject(value))
        if texts.count >= 1 << 20 { texts.removeAll(keepingCapacity: true) }
        texts[id] = made
        return made
    }
}

extension FactWriter {
    public mutating func begin(to out: (String) -> Void) {}
    public mutating func finish(to out: (String) -> Void) {}
}

extension DataFormat {
    /// The writer of this format. `prefixes` are the knowledge base's (Turtle and TriG write
    /// them); `sourceColumn` ends each CSV or TSV row with its source. A `kgl` backup is a
    /// program: its writer writes the facts, the knowledge base its prefixes, declarations and
    /// rules around them.
    public func writer(prefixes: [String: String], sourceColumn: Bool = false) -> any FactWriter {
        switch self {
        case .kgl: return KGLFactWriter()
        case .nt: return NTriplesFactWriter(format: .nTriples)
        case .nq: return NTriplesFactWriter(format: .nQuads)
        case .ttl: return TurtleFactWriter(prefixes: prefixes, trig: false)
        case .trig: return TurtleFactWriter(prefixes: prefixes, trig: true)
        case .jsonl: return JSONLinesFactWriter()
        case .csv: return RecordFactWriter(dialect: .csv, sourceColumn: sourceColumn)
        case .tsv: return RecordFactWriter(dialect: .tsv, sourceColumn: sourceColumn)
        }
    }
}

/// kglog facts: a statement per fact and source (`member-of(armenia, csto) @ tass.`), one per
/// period where it has periods (`from` and `until`, an open end left out), as a text run reads
/// them back.
public struct KGLFactWriter: FactWriter {
    public private(set) var written = 0
    public let skipped = 0
    public var order: FactOrder { .byPredicate }
    public func takes(arity: Int) -> Bool { true }

    private var texts = TermTexts()

    public init() {}

    public mutating func write(_ fact: ExportedFact, values: TermValues, to out: (String) -> Void) throws {
        var atom = try texts.text(fact.predicate, values, \.sourceText).text
        if !fact.arguments.isEmpty {
            atom += "(" + (try fact.arguments.map { try texts.text($0, values, \.sourceText).text }).joined(separator: ", ") + ")"
        }
        let source = try fact.source.map { " @ " + (try texts.text($0, values, \.sourceText).text) } ?? ""
        written += 1
        guard !fact.periods.isEmpty else { return out(atom + source + ".\n") }
        let day = { (id: Int64) in TermCode.day(id) ?? 0 }
        for period in fact.periods.sorted(by: { (day($0.from), day($0.until)) < (day($1.from), day($1.until)) }) {
            // Dates are inline: their ids are their values.
            let start = period.from == Period.openStartID ? "" : " from " + (try TermCode.inlineValue(period.from) ?? values(period.from)).sourceText
            let end = period.until == Period.openEndID ? "" : " until " + (try TermCode.inlineValue(period.until) ?? values(period.until)).sourceText
            out(atom + start + end + source + ".\n")
        }
    }
}

/// N-Triples (each fact once, its periods from every source after it) or N-Quads (a line per
/// source, the source as the graph, that source's periods after it); periods as `RDFPeriods`.
public struct NTriplesFactWriter: FactWriter {
    public let format: NTriplesParser.Format
    public private(set) var written = 0
    public private(set) var skipped = 0
    public var order: FactOrder { .byPredicate }
    public func takes(arity: Int) -> Bool { arity == 2 }

    private var predicate: Int64?
    private var predicateText = ""
    private var previous: [Int64]?
    /// N-Triples: the fact last written, waiting for its other sources' periods.
    private var pendingFact: (subject: String, object: String)?
    private var pendingPeriods: [(from: Int64, until: Int64)] = []
    private var periodLabel = 0
    private var texts = TermTexts()

    public init(format: NTriplesParser.Format) {
        self.format = format
    }

    public mutating func write(_ fact: ExportedFact, values: TermValues, to out: (String) -> Void) throws {
        if predicate != fact.predicate {
            writePendingPeriods(to: out)
            predicate = fact.predicate
            predicateText = NTriplesWriter.term(try values(fact.predicate))
            previous = nil
        }
        if format == .nTriples && previous == fact.arguments {
            collect(fact.periods)
            return
        }
        writePendingPeriods(to: out)
        previous = fact.arguments
        let subject = try texts.text(fact.arguments[0], values, NTriplesWriter.term)
        guard subject.isResource else { skipped += 1; return }
        let object = try texts.text(fact.arguments[1], values, NTriplesWriter.term).text
        var line = subject.text + " " + predicateText + " " + object
        var graph: String?
        if format == .nQuads, let source = fact.source {
            let name = try texts.text(source, values, NTriplesWriter.term)
            guard name.isResource else { skipped += 1; return }
            graph = name.text
            line += " " + name.text
        }
        line += " .\n"
        out(line)
        written += 1
        if format == .nQuads {
            if !fact.periods.isEmpty {
                out(RDFPeriods.lines(subject: subject.text, predicate: predicateText, object: object, graph: graph,
                                     periods: fact.periods, label: &periodLabel))
            }
        } else {
            pendingFact = (subject.text, object)
            collect(fact.periods)
        }
    }

    public mutating func finish(to out: (String) -> Void) {
        writePendingPeriods(to: out)
    }

    /// A fact that holds at all times from one source holds at all times: it has no periods.
    private mutating func collect(_ periods: [(from: Int64, until: Int64)]) {
        if periods.isEmpty || periods.contains(where: { $0.from == Period.openStartID && $0.until == Period.openEndID }) {
            pendingFact = nil
            return
        }
        for period in periods where !pendingPeriods.contains(where: { $0 == period }) { pendingPeriods.append(period) }
    }

    private mutating func writePendingPeriods(to out: (String) -> Void) {
        if let fact = pendingFact, !pendingPeriods.isEmpty {
            out(RDFPeriods.lines(subject: fact.subject, predicate: predicateText, object: fact.object, graph: nil,
                                 periods: pendingPeriods, label: &periodLabel))
        }
        (pendingFact, pendingPeriods) = (nil, [])
    }
}

/// Readable Turtle (each fact once) or TriG (each source's facts in its graph, facts without
/// one in the default graph): the prefixes, then each subject once, `;` between its predicates
/// and `,` between objects; a fact's periods follow its subject as `RDFPeriods` reification.
/// Holds one subject's facts at a time.
public struct TurtleFactWriter: FactWriter {
    public let trig: Bool
    public private(set) var written = 0
    public private(set) var skipped = 0
    public var order: FactOrder { trig ? .bySourceAndSubject : .bySubject }
    public func takes(arity: Int) -> Bool { arity == 2 }

    private let terms: TurtleWriter
    private var texts = TermTexts()
    /// The graph being written (TriG: the source; nil for none), whether it can be named, and
    /// whether its `{` is out.
    private var graph: (source: Int64?, named: Bool, opened: Bool)?
    private var subject: (id: Int64, text: String, isResource: Bool)?
    private var predicates: [(predicate: String, objects: [String])] = []
    private var lastPredicate: Int64?
    private var periods = ""
    private var periodLabel = 0

    public init(prefixes: [String: String], trig: Bool) {
        terms = TurtleWriter(prefixes: prefixes)
        self.trig = trig
    }

    public mutating func begin(to out: (String) -> Void) {
        out(terms.header)
    }

    public mutating func write(_ fact: ExportedFact, values: TermValues, to out: (String) -> Void) throws {
        let source = trig ? fact.source : nil
        if graph == nil || graph!.source != source {
            finishSubject(to: out)
            finishGraph(to: out)
            let name = try source.map { try texts.text($0, values, terms.term) }
            graph = (source, name?.isResource ?? true, false)
            // A source that cannot name a graph (a number, a string) has its facts left out.
            if let name, name.isResource {
                out(name.text + " {\n")
                graph!.opened = true
            }
        }
        guard graph!.named else { skipped += 1; return }
        if subject?.id != fact.arguments[0] {
            finishSubject(to: out)
            let made = try texts.text(fact.arguments[0], values, terms.term)
            subject = (fact.arguments[0], made.text, made.isResource)
        }
        let object = try texts.text(fact.arguments[1], values, terms.term).text
        if lastPredicate == fact.predicate {
            predicates[predicates.count - 1].objects.append(object)
        } else {
            predicates.append((try texts.text(fact.predicate, values, terms.term).text, [object]))
            lastPredicate = fact.predicate
        }
        if !fact.periods.isEmpty {
            periods += RDFPeriods.lines(subject: subject!.text, predicate: predicates[predicates.count - 1].predicate, object: object,
                                        graph: nil, periods: fact.periods, label: &periodLabel)
        }
    }

    public mutating func finish(to out: (String) -> Void) {
        finishSubject(to: out)
        finishGraph(to: out)
    }

    private var indent: String { graph?.opened == true ? "    " : "" }

    private mutating func finishSubject(to out: (String) -> Void) {
        guard let current = subject else { return }
        let count = predicates.reduce(0) { $0 + $1.objects.count }
        if current.isResource {
            out(terms.subject(current.text, predicates, indent: indent))
            if !periods.isEmpty { out(periods.split(separator: "\n").map { indent + $0 + "\n" }.joined()) }
            written += count
        } else {
            skipped += count
        }
        (subject, predicates, lastPredicate, periods) = (nil, [], nil, "")
    }

    private mutating func finishGraph(to out: (String) -> Void) {
        if let graph, graph.opened { out("}\n") }
        graph = nil
    }
}

/// JSON Lines: a line per fact and source, `{"predicate":…,"arguments":[…],"source":…}`.
public struct JSONLinesFactWriter: FactWriter {
    public private(set) var written = 0
    public let skipped = 0
    public var order: FactOrder { .byPredicate }
    public func takes(arity: Int) -> Bool { true }

    public mutating func write(_ fact: ExportedFact, values: TermValues, to out: (String) -> Void) throws {
        out(JSONText.fact(predicate: try values(fact.predicate), arguments: try fact.arguments.map(values),
                          source: try fact.source.map(values)))
        written += 1
    }
}

/// CSV or TSV rows of one predicate's facts: each fact once, or with `sourceColumn` a row per
/// source ending with it (empty for none), as an import's `--source-column` reads it back.
public struct RecordFactWriter: FactWriter {
    public let dialect: CSVReader.Dialect
    public let sourceColumn: Bool
    public private(set) var written = 0
    public let skipped = 0
    public var order: FactOrder { .byPredicate }
    public func takes(arity: Int) -> Bool { true }
    private var previous: [Int64]?

    public init(dialect: CSVReader.Dialect, sourceColumn: Bool) {
        self.dialect = dialect
        self.sourceColumn = sourceColumn
    }

    public mutating func write(_ fact: ExportedFact, values: TermValues, to out: (String) -> Void) throws {
        if !sourceColumn {
            guard previous != fact.arguments else { return }
            previous = fact.arguments
        }
        var fields = try fact.arguments.map { try values($0).lexical }
        if sourceColumn { fields.append(try fact.source.map { try values($0).lexical } ?? "") }
        out((dialect == .csv ? fields.map(CSVEscaping.quote) : fields.map(TSVEscaping.escape)).joined(separator: dialect == .csv ? "," : "\t") + "\n")
        written += 1
    }
}
