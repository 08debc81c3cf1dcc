import KGEngine
import KGFormats
import KGSyntax

// MARK: - Periods in N-Triples and N-Quads

/// How N-Triples and N-Quads carry the periods of facts: as RDF reification. After a fact's
/// own line, each of its periods is a blank node that names the statement and the period, in
/// the same graph (the source):
///
///     <kglog:uzbekistan> <kglog:member-of> <kglog:csto> <kglog:tass> .
///     _:period1 <http://www.w3.org/1999/02/22-rdf-syntax-ns#subject> <kglog:uzbekistan> <kglog:tass> .
///     _:period1 <http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate> <kglog:member-of> <kglog:tass> .
///     _:period1 <http://www.w3.org/1999/02/22-rdf-syntax-ns#object> <kglog:csto> <kglog:tass> .
///     _:period1 <kglog:valid-from> "2006-08-16"^^<http://www.w3.org/2001/XMLSchema#date> <kglog:tass> .
///     _:period1 <kglog:valid-until> "2012-12-19"^^<http://www.w3.org/2001/XMLSchema#date> <kglog:tass> .
///
/// An open end is left out. Any RDF tool reads the fact as it is and the period as data about
/// it; an import into kglog turns each such node back into a period of the fact (`foldPeriods`).
enum RDFPeriods {
    static let rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    static let subject = Value.iri(rdf + "subject")
    static let predicate = Value.iri(rdf + "predicate")
    static let object = Value.iri(rdf + "object")
    static let validFrom = Value.name("valid-from")
    static let validUntil = Value.name("valid-until")

    /// The lines that state the periods of one fact (`subject`, `predicate`, `object` already
    /// written as N-Triples terms), in `graph` if any; `label` numbers the blank nodes.
    static func lines(subject: String, predicate: String, object: String, graph: String?,
                      periods: [(from: Int64, until: Int64)], label: inout Int) -> String {
        var out = ""
        let tail = (graph.map { " " + $0 } ?? "") + " .\n"
        for period in periods where period.from != Period.openStartID || period.until != Period.openEndID {
            label += 1
            let node = "_:period\(label) "
            out += node + NTriplesWriter.term(RDFPeriods.subject) + " " + subject + tail
            out += node + NTriplesWriter.term(RDFPeriods.predicate) + " " + predicate + tail
            out += node + NTriplesWriter.term(RDFPeriods.object) + " " + object + tail
            for (end, open, property) in [(period.from, Period.openStartID, validFrom), (period.until, Period.openEndID, validUntil)] where end != open {
                if let day = TermCode.inlineValue(end) { out += node + NTriplesWriter.term(property) + " " + NTriplesWriter.term(day) + tail }
            }
        }
        return out
    }
}

extension KnowledgeBase {
    /// Turns the reified periods an N-Triples or N-Quads import brought (see `RDFPeriods`) into
    /// periods of the facts they name, and removes the reification. A node counts only when it
    /// names a subject, a binary predicate and an object whose fact is stored in the same graph,
    /// with a start or an end that is a date, each once; any other is left as the facts it is.
    /// Returns how many periods were added and how many rows of reification went. Runs in the
    /// import's transaction.
    func foldPeriods() throws -> (periods: Int, removedRows: Int) {
        guard let subjectID = try store.termID(for: RDFPeriods.subject), let predicateID = try store.termID(for: RDFPeriods.predicate),
              let objectID = try store.termID(for: RDFPeriods.object) else { return (0, 0) }
        let fromID = try store.termID(for: RDFPeriods.validFrom), untilID = try store.termID(for: RDFPeriods.validUntil)
        guard fromID != nil || untilID != nil else { return (0, 0) }
        struct Node: Hashable { var id: Int64; var graph: Int64 }
        // For each blank node and graph, the values of each property (more than one: not a period).
        var properties: [Node: [Int64: [Int64]]] = [:]
        for property in [subjectID, predicateID, objectID, fromID, untilID].compactMap({ $0 }) {
            guard catalog.arity(of: try store.value(of: property)) == 2 else { continue }
            try store.forEachFactRow(predicate: property, arity: 2) { arguments, graph in
                guard TermCode.isDictionary(arguments[0]), case .blank = try store.value(of: arguments[0]) else { return }
                properties[Node(id: arguments[0], graph: graph), default: [:]][property, default: []].append(arguments[1])
            }
        }
        var added = 0, removed = 0
        for (node, values) in properties {
            func one(_ property: Int64?) -> Int64? {
                guard let property, let found = values[property], found.count == 1 else { return nil }
                return found[0]
            }
            guard let s = one(subjectID), let p = one(predicateID), let o = one(objectID),
                  values.keys.allSatisfy({ [subjectID, predicateID, objectID, fromID, untilID].contains($0) }) else { continue }
            let from = one(fromID), until = one(untilID)
            guard from != nil || until != nil,
                  values[fromID ?? -1].map({ $0.count == 1 }) ?? true, values[untilID ?? -1].map({ $0.count == 1 }) ?? true,
                  from.map({ TermCode.day($0) != nil }) ?? true, until.map({ TermCode.day($0) != nil }) ?? true else { continue }
            let start = from ?? Period.openStartID, end = until ?? Period.openEndID
            // Date ids keep the order of days only among days of one sign: compare the days.
            guard let first = TermCode.day(start), let last = TermCode.day(end), last > first, catalog.arity(of: try store.value(of: p)) == 2,
                  try store.sources(ofFact: p, arguments: [s, o]).contains(node.graph) else { continue }
            if try store.addPeriod(predicate: p, arguments: [s, o], source: node.graph, from: start, until: end) { added += 1 }
            for (property, value) in values { removed += try store.deleteFact(predicate: property, arguments: [node.id, value[0]], source: node.graph) }
        }
        return (added, removed)
    }
}
