import KGSyntax

/// Writes readable Turtle and TriG: the prefixes first, then each subject once with its
/// predicates after `;` and each predicate's objects after `,`. IRIs under a declared prefix
/// are written with it when what follows is a valid local name; kglog names under the prefix
/// of the `kglog:` scheme (`:armenia` when the empty prefix is free).
public struct TurtleWriter {
    /// The prefixes written and used, by name.
    public let prefixes: [String: String]
    /// The namespaces longest first, so that the most specific prefix is chosen.
    private let namespaces: [(name: String, iri: String)]

    public init(prefixes: [String: String]) {
        var all = prefixes
        if all[""] == nil && !all.values.contains("kglog:") { all[""] = "kglog:" }
        self.prefixes = all
        namespaces = all.map { ($0.key, $0.value) }.sorted { $0.iri.count != $1.iri.count ? $0.iri.count > $1.iri.count : $0.name < $1.name }
    }

    /// `@prefix name: <iri> .` for each prefix, in order of name.
    public var header: String {
        prefixes.sorted { $0.key < $1.key }.map { "@prefix \($0.key): " + NTriplesWriter.term(.iri($0.value)) + " .\n" }.joined() + "\n"
    }

    /// A term as Turtle writes it.
    public func term(_ value: Value) -> String {
        let iri: String
        switch value {
        case .iri(let text): iri = text
        case .name(let name): iri = "kglog:" + name
        default: return NTriplesWriter.term(value)
        }
        for (name, namespace) in namespaces where iri.hasPrefix(namespace) {
            let local = String(iri.dropFirst(namespace.count))
            if TurtleWriter.isLocalName(local) { return name + ":" + local }
        }
        return NTriplesWriter.term(value)
    }

    /// Whether a text can stand after `prefix:` as it is (no escapes needed).
    static func isLocalName(_ text: String) -> Bool {
        let scalars = Array(text.unicodeScalars)
        guard let first = scalars.first else { return true }
        guard TurtleParser.isNameStart(first) || first == "_" || first == ":" || ("0"..."9").contains(first) else { return false }
        guard scalars.last != "." else { return false }
        return scalars.dropFirst().allSatisfy { TurtleParser.isNameChar($0) || $0 == ":" || $0 == "." }
    }

    /// The statements of one subject's facts, its terms already written: `(predicate,
    /// objects)` in order, `s p o1, o2 ;\n    q o3 .`
    public func subject(_ subject: String, _ predicates: [(predicate: String, objects: [String])], indent: String = "") -> String {
        var out = indent + subject
        for (index, entry) in predicates.enumerated() {
            out += (index == 0 ? " " : " ;\n" + indent + "    ") + entry.predicate + " " + entry.objects.joined(separator: ", ")
        }
        return out + " .\n"
    }
}
