/// How a TSV field carries the characters that would end it: a backslash, tab, newline or
/// carriage return is written `\\`, `\t`, `\n`, `\r`, so a row stays one line. Answers and
/// exports escape; the TSV reader unescapes, so an export reads back as the same values. A
/// backslash before any other character is read as it stands (`C:\dir` stays `C:\dir`).
public enum TSVEscaping {
    /// The field as written in a TSV line.
    public static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x5C || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 8)
        for c in text.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\t": out += "\\t"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// The value a field of a TSV line stands for.
    public static func unescape(_ text: String) -> String {
        guard text.utf8.contains(0x5C) else { return text }
        var out = ""
        var scalars = text.unicodeScalars.makeIterator()
        while let c = scalars.next() {
            guard c == "\\" else { out.unicodeScalars.append(c); continue }
            guard let next = scalars.next() else { out += "\\"; break }
            switch next {
            case "\\": out += "\\"
            case "t": out += "\t"
            case "n": out += "\n"
            case "r": out += "\r"
            default: out.unicodeScalars.append(c); out.unicodeScalars.append(next)
            }
        }
        return out
    }
}

/// How a CSV field is written (RFC 4180): quoted when it holds a comma, a quote or a line
/// break, with its quotes doubled.
public enum CSVEscaping {
    public static func quote(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else { return text }
        var out = "\""
        for c in text.unicodeScalars {
            if c == "\"" { out += "\"\"" } else { out.unicodeScalars.append(c) }
        }
        return out + "\""
    }
}
