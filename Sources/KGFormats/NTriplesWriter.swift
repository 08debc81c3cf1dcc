import KGSyntax

/// Writes values as N-Triples and N-Quads terms and lines.
///
/// kglog names, which RDF lacks, are written as IRIs in the `kglog:` scheme (`<kglog:armenia>`),
/// which the parser reads back as names; integers, decimals and dates become XML Schema typed
/// literals; strings plain literals.
public enum NTriplesWriter {
    /// One line: `<s> <p> <o> [<g>] .` and a newline.
    public static func line(_ quad: Quad) -> String {
        var out = term(quad.subject) + " " + term(quad.predicate) + " " + term(quad.object)
        if let graph = quad.graph { out += " " + term(graph) }
        return out + " .\n"
    }

    /// A value written as an N-Triples term.
    public static func term(_ value: Value) -> String {
        switch value {
        case .iri(let iri): return "<" + escapeIRI(iri) + ">"
        case .name(let name): return "<kglog:" + escapeIRI(name) + ">"
        case .blank(let label): return "_:" + label
        case .string(let s): return quote(s)
        case .langString(let s, let language): return quote(s) + "@" + language
        case .typed(let s, let datatype): return quote(s) + "^^<" + escapeIRI(datatype) + ">"
        case .integer, .decimal, .date, .datetime: return quote(value.lexical) + "^^<" + (value.datatype ?? "") + ">"
        }
    }

    /// Whether a value can stand as the subject or the graph of a statement.
    public static func canBeSubject(_ value: Value) -> Bool {
        switch value {
        case .iri, .name, .blank: return true
        default: return false
        }
    }

    /// A literal's quoted text: kglog's string escapes are all valid N-Triples escapes.
    static func quote(_ s: String) -> String {
        Value.quoted(s)
    }

    /// Whether an IRI must write this code point as `\uXXXX`: controls, space and `<>"{}|^`\`.
    private static func mustEscapeInIRI(_ value: UInt32) -> Bool {
        switch value {
        case 0...0x20, 0x3C, 0x3E, 0x22, 0x7B, 0x7D, 0x7C, 0x5E, 0x60, 0x5C: return true
        default: return false
        }
    }

    static func escapeIRI(_ iri: String) -> String {
        // Most IRIs need no escape: a byte scan says so without building a new string (the
        // characters to escape are ASCII, so no byte of a longer character is one of them).
        guard iri.utf8.contains(where: { mustEscapeInIRI(UInt32($0)) }) else { return iri }
        var out = ""
        for scalar in iri.unicodeScalars {
            if mustEscapeInIRI(scalar.value) {
                out += String(format: "\\u%04X", scalar.value)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
