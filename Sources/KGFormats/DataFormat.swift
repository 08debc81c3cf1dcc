import Foundation

/// The formats kglog imports and exports: the one table that the command line's help, the
/// REPL's `.help` and completion, the importer, the exporter and the server read.
public enum DataFormat: String, CaseIterable, Sendable {
    case kgl, nt, nq, ttl, trig, jsonl, csv, tsv

    /// What a person calls it.
    public var title: String {
        switch self {
        case .kgl: return "kglog source"
        case .nt: return "N-Triples"
        case .nq: return "N-Quads"
        case .ttl: return "Turtle"
        case .trig: return "TriG"
        case .jsonl: return "JSON Lines"
        case .csv: return "CSV"
        case .tsv: return "TSV"
        }
    }

    /// The file name extensions that name it, the usual one first.
    public var extensions: [String] {
        switch self {
        case .kgl: return ["kgl"]
        case .nt: return ["nt", "ntriples"]
        case .nq: return ["nq", "nquads"]
        case .ttl: return ["ttl", "turtle"]
        case .trig: return ["trig"]
        case .jsonl: return ["jsonl", "ndjson"]
        case .csv: return ["csv"]
        case .tsv: return ["tsv", "tab"]
        }
    }

    /// The media type of a file in it (an export over HTTP).
    public var mediaType: String {
        switch self {
        case .kgl: return "text/plain; charset=utf-8"
        case .nt: return "application/n-triples"
        case .nq: return "application/n-quads"
        case .ttl: return "text/turtle; charset=utf-8"
        case .trig: return "application/trig; charset=utf-8"
        case .jsonl: return "application/jsonl"
        case .csv: return "text/csv; charset=utf-8"
        case .tsv: return "text/tab-separated-values; charset=utf-8"
        }
    }

    /// What an import reads from it and an export writes to it.
    public var holds: String {
        switch self {
        case .kgl: return "facts, rules and declarations (the backup)"
        case .nt, .ttl: return "binary facts"
        case .nq, .trig: return "binary facts with their sources (graphs)"
        case .jsonl: return "facts of any arity with their sources"
        case .csv, .tsv: return "the facts of one predicate, a row each"
        }
    }

    /// Whether it is RDF: binary facts, reified periods (`RDFPeriods`), graphs as sources.
    public var isRDF: Bool { self == .nt || self == .nq || self == .ttl || self == .trig }

    /// Whether a row of it is a fact of a predicate the user names (`--predicate`).
    public var needsPredicate: Bool { self == .csv || self == .tsv }

    /// The format a file name's extension names, if any.
    public init?(path: String) {
        let ext = (path as NSString).pathExtension.lowercased()
        guard let format = DataFormat.allCases.first(where: { $0.extensions.contains(ext) }) else { return nil }
        self = format
    }

    /// `kgl, nt, nq, ttl, trig, jsonl, csv or tsv`.
    public static var names: String { list(allCases.map(\.rawValue)) }

    /// `.kgl, .nt, .nq, .ttl, .trig, .jsonl, .csv or .tsv`.
    public static var usualExtensions: String { list(allCases.map { "." + $0.extensions[0] }) }

    /// `kglog source (.kgl), N-Triples (.nt), ...`.
    public static var titles: String { list(allCases.map { "\($0.title) (.\($0.extensions[0]))" }) }

    private static func list(_ items: [String]) -> String {
        items.dropLast().joined(separator: ", ") + " or " + items.last!
    }
}
