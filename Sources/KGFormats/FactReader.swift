import KGSyntax

// MARK: - Every data format as a reader of facts

/// Where a reader puts what it reads: an import numbers the facts' terms and writes them. A
/// fact comes in the form its reader has at hand, bytes or values, so that none is converted
/// twice.
public protocol FactSink {
    /// A binary fact whose terms are still bytes of the input (N-Triples, N-Quads); the bytes
    /// are valid only during the call. A statement without a graph is of the import's source.
    mutating func add(_ statement: RawStatement, line: FactLine) throws
    /// A binary fact of values (Turtle, TriG): the quad's graph is its source.
    mutating func add(_ quad: Quad, line: FactLine) throws
    /// A fact of any arity (JSON Lines, CSV, TSV); `source` nil: the import's source.
    mutating func add(predicate: Value, arguments: [Value], source: Value?, line: FactLine) throws
}

/// Where a fact was read: its line, and the line's text when the reader holds the line whole
/// (a Turtle statement may span lines, and its reader keeps none).
public struct FactLine {
    public var number: Int
    public var text: UnsafeBufferPointer<UInt8>?

    public init(number: Int, text: UnsafeBufferPointer<UInt8>? = nil) {
        self.number = number
        self.text = text
    }
}

/// A data file's reader: reads the input to its end, handing every fact to a sink in the order
/// read. Its own errors are `FormatDiagnostic`s with line and column; an error the sink throws
/// ends the reading and comes out as it is.
public protocol FactReader: Sendable {
    mutating func read<Sink: FactSink>(into sink: inout Sink) throws
    /// The prefixes the input declared (Turtle and TriG), known once it is read.
    var prefixes: [String: String] { get }
}

extension FactReader {
    public var prefixes: [String: String] { [:] }
}

/// What a reader needs to know beyond the file: the CSV and TSV options, and Turtle's base.
public struct ReadOptions: Sendable {
    /// For CSV and TSV: the predicate each row is a fact of.
    public var predicate: Value?
    /// For CSV and TSV: whether the first row is a header; nil decides from the rows.
    public var header: Bool?
    /// For CSV and TSV: keep every field as a string.
    public var asText = false
    /// For CSV and TSV: the column holding each row's source instead of an argument.
    public var sourceColumn: SourceColumn?
    /// For Turtle and TriG: what relative IRIs resolve against until the file sets its own.
    public var base: String?

    public init(predicate: Value? = nil, header: Bool? = nil, asText: Bool = false, sourceColumn: SourceColumn? = nil, base: String? = nil) {
        self.predicate = predicate
        self.header = header
        self.asText = asText
        self.sourceColumn = sourceColumn
        self.base = base
    }

    /// A column named by its header, or numbered from 1.
    public enum SourceColumn: Sendable, Equatable {
        case named(String)
        case number(Int)

        /// `2` is a number; anything else names a header.
        public init(_ text: String) {
            if let n = Int(text) { self = .number(n) } else { self = .named(text) }
        }
    }
}

extension DataFormat {
    /// The reader of a file in this format; nil for `kgl`, which is a program (rules,
    /// declarations and retractions as well as facts) that the knowledge base runs.
    /// CSV and TSV need `options.predicate`.
    public func reader(path: String, options: ReadOptions) throws -> (any FactReader)? {
        switch self {
        case .kgl: return nil
        case .nt: return LineFactReader(path: path, format: .nTriples)
        case .nq: return LineFactReader(path: path, format: .nQuads)
        case .ttl, .trig: return TurtleFactReader(path: path, format: self == .trig ? .trig : .turtle, base: options.base)
        case .jsonl: return JSONLinesFactReader(path: path)
        case .csv, .tsv:
            guard let predicate = options.predicate else { return nil }
            return RecordFactReader(path: path, dialect: self == .tsv ? .tsv : .csv, predicate: predicate, options: options)
        }
    }
}

/// N-Triples or N-Quads: a statement a line, its terms handed over as bytes.
public struct LineFactReader: FactReader {
    public let path: String
    public let format: NTriplesParser.Format

    public func read<Sink: FactSink>(into sink: inout Sink) throws {
        let parser = NTriplesParser(format: format)
        try LineReader(path: path).forEachLine { line, number in
            let statement: RawStatement
            do throws(FormatDiagnostic) {
                guard let parsed = try parser.parseRaw(line, lineNumber: number) else { return }
                statement = parsed
            } catch {
                throw error.withLine(line)
            }
            try sink.add(statement, line: FactLine(number: number, text: line))
        }
    }
}

/// Turtle or TriG, a megabyte of the file at a time.
public struct TurtleFactReader: FactReader {
    public let path: String
    public let format: TurtleParser.Format
    public let base: String?
    public private(set) var prefixes: [String: String] = [:]

    public init(path: String, format: TurtleParser.Format, base: String?) {
        self.path = path
        self.format = format
        self.base = base
    }

    public mutating func read<Sink: FactSink>(into sink: inout Sink) throws {
        var parser = TurtleParser(format: format, source: try ByteSource(path: path), base: base)
        // The parser calls back while `read` runs and drops the closure when it returns.
        try withUnsafeMutablePointer(to: &sink) { sink in
            try parser.parse { quad, line in try sink.pointee.add(quad, line: FactLine(number: line)) }
        }
        prefixes = parser.prefixes
    }
}

/// JSON Lines: a fact of any arity a line, with its source if it names one.
public struct JSONLinesFactReader: FactReader {
    public let path: String

    public func read<Sink: FactSink>(into sink: inout Sink) throws {
        try LineReader(path: path).forEachLine { line, number in
            let parsed: JSONFacts.Fact?
            do throws(FormatDiagnostic) {
                parsed = try JSONFacts.parse(line, lineNumber: number)
            } catch {
                throw error.withLine(line)
            }
            guard let fact = parsed else { return }
            try sink.add(predicate: fact.predicate, arguments: fact.arguments, source: fact.source,
                         line: FactLine(number: number, text: line))
        }
    }
}

extension FormatDiagnostic {
    /// The error with the text of the line it is on, for the report's caret.
    func withLine(_ line: UnsafeBufferPointer<UInt8>) -> FormatDiagnostic {
        var copy = self
        copy.lineText = String(decoding: line, as: UTF8.self)
        return copy
    }
}
