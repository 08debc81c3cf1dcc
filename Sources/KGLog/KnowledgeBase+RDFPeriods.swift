import KGEngine
import KGFormats
import KGSyntax

// MARK: - Periods read from N-Triples, N-Quads, Turtle and TriG

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
