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
public enum RDFPeriods {
    public static let rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    public static let subject = Value.iri(rdf + "subject")
    public static let predicate = Value.iri(rdf + "predicate")
    public static let object = Value.iri(rdf + "object")
    public static let validFrom = Value.name("valid-from")
    public static let validUntil = Value.name("valid-until")

    /// The lines that state the periods of one fact (`subject`, `predicate`, `object` already
    /// written as N-Triples terms), in `graph` if any; `label` numbers the blank nodes.
    public static func lines(subject: String, predicate: String, object: String, graph: String?,
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
