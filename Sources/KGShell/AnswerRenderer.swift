import Foundation
import KGEngine
import KGFormats
import KGSyntax

/// Renders query answers as text in one of the output formats.
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
        switch format {
        case .table: return table(answer)
        case .tsv: return separated(answer, separator: "\t", field: tsvField)
        case .csv: return separated(answer, separator: ",", field: csvField)
        case .json: return json(answer, query: query)
        }
    }

    // MARK: - Table

    private func table(_ answer: QueryAnswer) -> String {
        if answer.columns.isEmpty { return answer.holds ? "true\n" : "false\n" }
        let cells = answer.rows.map { $0.map { truncated($0.sourceText, to: maximumCellWidth) } }
        var widths = answer.columns.map { headers ? displayWidth($0) : 1 }
        for row in cells {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], displayWidth(cell)) }
        }
        let rule = "+" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "+") + "+\n"
        func line(_ values: [String]) -> String {
            "|" + zip(values, widths).map { value, width in
                " " + value + String(repeating: " ", count: width - displayWidth(value)) + " "
            }.joined(separator: "|") + "|\n"
        }
        var out = rule
        if headers { out += line(answer.columns) + rule }
        for row in cells { out += line(row) }
        if !cells.isEmpty { out += rule }
        out += "\(answer.rows.count) row\(answer.rows.count == 1 ? "" : "s")\n"
        return out
    }

    // MARK: - TSV and CSV

    private func separated(_ answer: QueryAnswer, separator: String, field: (String) -> String) -> String {
        if answer.columns.isEmpty { return answer.holds ? "true\n" : "false\n" }
        var out = headers ? answer.columns.map(field).joined(separator: separator) + "\n" : ""
        for row in answer.rows {
            out += row.map { field($0.lexical) }.joined(separator: separator) + "\n"
        }
        return out
    }

    /// Plain lexical text; a backslash, tab, newline or carriage return is escaped so rows stay rows.
    private func tsvField(_ text: String) -> String {
        TSVEscaping.escape(text)
    }

    /// RFC 4180: quoted when it holds a comma, a quote or a line break; quotes doubled.
    private func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    // MARK: - JSON

    private func json(_ answer: QueryAnswer, query: Query?) -> String {
        var out = "{"
        if let query { out += "\"query\":\(JSONText.string(query.text))," }
        if answer.columns.isEmpty {
            return out + "\"holds\":\(answer.holds)}\n"
        }
        out += "\"columns\":[" + answer.columns.map(JSONText.string).joined(separator: ",") + "],"
        out += "\"rows\":[" + answer.rows.map { row in
            "[" + row.map(JSONText.value).joined(separator: ",") + "]"
        }.joined(separator: ",") + "]}\n"
        return out
    }
}
