import KGSyntax

/// CSV or TSV: every record one fact of the predicate named for the file, all with the same
/// number of fields, the fields made values by `CSVReader.value`. The first record waits for
/// the second to decide whether it is a header (text over columns that hold numbers or dates
/// below it), unless `options.header` says. A source column, when asked for, holds each row's
/// source instead of an argument (an empty field: the import's source).
public struct RecordFactReader: FactReader {
    public let path: String
    public let dialect: CSVReader.Dialect
    public let predicate: Value
    public let options: ReadOptions

    public init(path: String, dialect: CSVReader.Dialect, predicate: Value, options: ReadOptions) {
        self.path = path
        self.dialect = dialect
        self.predicate = predicate
        self.options = options
    }

    public func read<Sink: FactSink>(into sink: inout Sink) throws {
        var records = Records(reader: self)
        try LineReader(path: path).forEachLine { line, number in
            try records.feed(line, number, into: &sink)
        }
        try records.finish(into: &sink)
    }

    /// The reading's state: the CSV reader, the first record until the header is decided, the
    /// lines of the record being read (for error reports).
    private struct Records {
        let reader: RecordFactReader
        private var csv: CSVReader
        private var arity: Int?
        private var first: (record: [CSVReader.Field], text: String)?
        private var decided = false
        private var sourceIndex: Int?
        private var lines: [Int: String] = [:]

        init(reader: RecordFactReader) {
            self.reader = reader
            csv = CSVReader(dialect: reader.dialect)
        }

        mutating func feed<Sink: FactSink>(_ line: UnsafeBufferPointer<UInt8>, _ number: Int, into sink: inout Sink) throws {
            let text = String(decoding: line, as: UTF8.self)
            lines[number] = text
            let parsed: [CSVReader.Field]?
            do throws(FormatDiagnostic) {
                parsed = try csv.feed(line, lineNumber: number)
            } catch {
                var error = error
                error.lineText = lines[error.line] ?? text
                throw error
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
                    var header = reader.options.header
                    if header == nil, case .named(let name)? = reader.options.sourceColumn, record.contains(where: { $0.text == name }) {
                        header = true
                    }
                    if let header {
                        try decide(header: header ? record : nil, recordText)
                        if !header { try add(record, recordText, into: &sink) }
                    }
                    return
                }
                let isHeader = zip(header, record).contains { h, r in
                    let (top, below) = (CSVReader.value(of: h.text, asText: false), CSVReader.value(of: r.text, asText: false))
                    return !top.isNumber && top.kind != .date && (below.isNumber || below.kind == .date)
                }
                try decide(header: isHeader ? header : nil, headerText)
                if !isHeader { try add(header, headerText, into: &sink) }
                try add(record, recordText, into: &sink)
                return
            }
            try add(record, recordText, into: &sink)
        }

        mutating func finish<Sink: FactSink>(into sink: inout Sink) throws {
            do throws(FormatDiagnostic) {
                try csv.finish()
            } catch {
                var error = error
                error.lineText = lines[error.line] ?? ""
                throw error
            }
            // A file of one record: it is data unless said to be a header.
            if !decided, let (record, text) = first {
                try decide(header: nil, text)
                try add(record, text, into: &sink)
            }
        }

        /// The header is known (nil: there is none): finds the source column, if one is asked for.
        private mutating func decide(header: [CSVReader.Field]?, _ text: String) throws {
            decided = true
            guard let column = reader.options.sourceColumn, let arity else { return }
            let line = first?.record.first?.line ?? 1
            func fail(_ error: FormatError) -> FormatDiagnostic {
                FormatDiagnostic(error: error, line: line, column: 1, lineText: text)
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

        private func add<Sink: FactSink>(_ record: [CSVReader.Field], _ text: String, into sink: inout Sink) throws {
            if let arity, record.count != arity {
                let column = record.count > arity ? record[arity].column : (record.last.map { $0.column + $0.text.count } ?? 1)
                throw FormatDiagnostic(error: .fieldCount(expected: arity, found: record.count), line: record[0].line, column: column, lineText: text)
            }
            var values = record.map { CSVReader.value(of: $0.text, asText: reader.options.asText) }
            var source: Value?
            if let sourceIndex {
                source = record[sourceIndex].text.isEmpty ? nil : values[sourceIndex]
                values.remove(at: sourceIndex)
            }
            let bytes = Array(text.utf8)
            try bytes.withUnsafeBufferPointer {
                try sink.add(predicate: reader.predicate, arguments: values, source: source, line: FactLine(number: record[0].line, text: $0))
            }
        }
    }
}
