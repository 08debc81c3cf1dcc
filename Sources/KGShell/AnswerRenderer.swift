import KGEngine
import KGFormats
import KGSyntax

/// Renders query answers as text in one of the output formats.
///
/// Each distinct term of an answer is formatted once (escaped, quoted, padded); rows are then
/// written by copying those bytes, a megabyte at a time, so an answer of millions of rows costs
/// a copy per cell and is never held whole as text unless asked for (`render(_:query:)`).
public struct AnswerRenderer: Sendable {
    public var format: OutputFormat
    /// Print the header line (column names) in table, tsv and csv.
    public var headers: Bool
    /// The widest a table cell may be before it is cut with an ellipsis.
    public var maximumCellWidth: Int

    public init(format: OutputFormat, headers: Bool = true, maximumCellWidth: Int = 60) {
        self.format = format
        self.headers = headers
        self.maximumCellWidth = maximumCellWidth
    }

    /// The text of one answer, ending with a newline.
    public func render(_ answer: QueryAnswer, query: Query? = nil) -> String {
        var out = ""
        render(answer, query: query) { out += $0 }
        return out
    }

    /// Writes the text of one answer to `write`, a piece (about a megabyte) at a time.
    public func render(_ answer: QueryAnswer, query: Query? = nil, to write: (String) -> Void) {
        withoutActuallyEscaping(write) { write in
            var out = ChunkedText(write: write)
            switch format {
            case .table: table(answer, &out)
            case .tsv: separated(answer, separator: "\t", field: { TSVEscaping.escape($0.lexical) }, &out)
            case .csv: separated(answer, separator: ",", field: { CSVEscaping.quote($0.lexical) }, &out)
            case .json: json(answer, query: query, &out)
            }
            out.flush()
        }
    }

    // MARK: - Table

    private func table(_ answer: QueryAnswer, _ out: inout ChunkedText) {
        if answer.columns.isEmpty { return out.append(answer.holds ? "true\n" : "false\n") }
        let width = answer.columns.count
        let texts = answer.terms.map { truncated($0.sourceText, to: maximumCellWidth) }
        let textWidths = texts.map(displayWidth)
        var widths = answer.columns.map { headers ? displayWidth($0) : 1 }
        for (i, cell) in answer.cells.enumerated() { widths[i % width] = max(widths[i % width], textWidths[Int(cell)]) }
        let rule = "+" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "+") + "+\n"
        func padded(_ text: String, _ textWidth: Int, _ column: Int) -> String {
            " " + text + String(repeating: " ", count: max(0, widths[column] - textWidth)) + " "
        }
        out.append(rule)
        if headers {
            out.append("|" + answer.columns.enumerated().map { padded($1, displayWidth($1), $0) }.joined(separator: "|") + "|\n" + rule)
        }
        // Each term padded to each column's width, once.
        let cells = PackedTexts((0..<width).flatMap { column in texts.indices.map { padded(texts[$0], textWidths[$0], column) } })
        out.rows(answer, cells: cells, termsPerColumn: texts.count, before: "|", separator: "|", after: "|\n")
        if answer.rowCount > 0 { out.append(rule) }
        out.append("\(answer.rowCount) row\(answer.rowCount == 1 ? "" : "s")\n")
    }

    // MARK: - TSV and CSV

    private func separated(_ answer: QueryAnswer, separator: String, field: (Value) -> String, _ out: inout ChunkedText) {
        if answer.columns.isEmpty { return out.append(answer.holds ? "true\n" : "false\n") }
        if headers {
            let escape = format == .csv ? CSVEscaping.quote : TSVEscaping.escape
            out.append(answer.columns.map(escape).joined(separator: separator) + "\n")
        }
        out.rows(answer, cells: PackedTexts(answer.terms.map(field)), termsPerColumn: 0, before: "", separator: separator, after: "\n")
    }

    // MARK: - JSON

    private func json(_ answer: QueryAnswer, query: Query?, _ out: inout ChunkedText) {
        out.append("{")
        if let query { out.append("\"query\":\(JSONText.string(query.text)),") }
        if !answer.notes.isEmpty { out.append("\"notes\":[" + answer.notes.map(JSONText.string).joined(separator: ",") + "],") }
        if answer.columns.isEmpty { return out.append("\"holds\":\(answer.holds)}\n") }
        out.append("\"columns\":[" + answer.columns.map(JSONText.string).joined(separator: ",") + "],\"rows\":[")
        out.rows(answer, cells: PackedTexts(answer.terms.map(JSONText.value)), termsPerColumn: 0, before: "[", separator: ",", after: "],")
        if answer.rowCount > 0 { out.dropLast() }
        out.append("]}\n")
    }
}

/// Text written in pieces of about a megabyte, as bytes.
struct ChunkedText {
    let write: (String) -> Void
    private var buffer: [UInt8] = []
    private static let pieceBytes = 1 << 20

    init(write: @escaping (String) -> Void) {
        self.write = write
        buffer.reserveCapacity(ChunkedText.pieceBytes + 4096)
    }

    mutating func append(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= ChunkedText.pieceBytes { flush() }
    }

    /// Removes the last byte written (a separator after the last row).
    mutating func dropLast() {
        if !buffer.isEmpty { buffer.removeLast() }
    }

    mutating func flush() {
        guard !buffer.isEmpty else { return }
        write(String(decoding: buffer, as: UTF8.self))
        buffer.removeAll(keepingCapacity: true)
    }

    /// Every row of `answer`: `before`, each cell's text joined by `separator`, `after`. With
    /// `termsPerColumn` > 0 the texts are per column (cell `t` of column `c` is text
    /// `c * termsPerColumn + t`), else one per term.
    mutating func rows(_ answer: QueryAnswer, cells texts: PackedTexts, termsPerColumn: Int, before: String, separator: String, after: String) {
        let layout = RowLayout(answer: answer, texts: texts, termsPerColumn: termsPerColumn,
                               before: Array(before.utf8), separator: Array(separator.utf8), after: Array(after.utf8))
        var next = 0
        while next < answer.rowCount {
            next = layout.render(from: next, into: &buffer, until: ChunkedText.pieceBytes)
            if buffer.count >= ChunkedText.pieceBytes { flush() }
        }
    }
}

/// What rendering a row needs: the texts of the terms, and what goes around them.
private struct RowLayout {
    let answer: QueryAnswer
    let texts: PackedTexts
    let termsPerColumn: Int
    let before, separator, after: [UInt8]

    /// Appends rows from `start` on to `buffer` until it holds `limit` bytes or the rows end,
    /// reading everything through pointers taken once (no reference counting per cell); returns
    /// the next row.
    func render(from start: Int, into buffer: inout [UInt8], until limit: Int) -> Int {
        let width = answer.columns.count
        var row = start
        texts.bytes.withUnsafeBufferPointer { bytes in
            texts.starts.withUnsafeBufferPointer { starts in
                answer.cells.withUnsafeBufferPointer { cells in
                    before.withUnsafeBufferPointer { before in
                        separator.withUnsafeBufferPointer { separator in
                            after.withUnsafeBufferPointer { after in
                                while row < answer.rowCount && buffer.count < limit {
                                    buffer.append(contentsOf: before)
                                    for column in 0..<width {
                                        if column > 0 { buffer.append(contentsOf: separator) }
                                        let text = Int(cells[row * width + column]) + column * termsPerColumn
                                        buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[starts[text]..<starts[text + 1]]))
                                    }
                                    buffer.append(contentsOf: after)
                                    row += 1
                                }
                            }
                        }
                    }
                }
            }
        }
        return row
    }
}
