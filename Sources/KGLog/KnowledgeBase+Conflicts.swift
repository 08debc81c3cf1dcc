import KGEngine
import KGSyntax

/// Where sources disagree: the subjects to which a functional predicate gives more than one
/// value, each value with the sources that state it (or a derivation rests on).
extension KnowledgeBase {
    /// A source as a conflict shows it: what the knowledge base says of who published it, when,
    /// and who reported it.
    public struct ReportingSource: Sendable, Equatable {
        public var source: Value
        public var publishedOn: [Value]
        public var publishedBy: [Value]
        public var reportedBy: [Value]

        public init(source: Value, publishedOn: [Value], publishedBy: [Value], reportedBy: [Value]) {
            self.source = source
            self.publishedOn = publishedOn
            self.publishedBy = publishedBy
            self.reportedBy = reportedBy
        }
    }

    /// One of the values a conflict is between, with its sources, earliest publication first
    /// (none: the value is stated without a source, or derived from such facts only).
    public struct ConflictingValue: Sendable, Equatable {
        public var value: Value
        public var sources: [ReportingSource]
    }

    /// A subject with more than one value of a functional predicate.
    public struct Conflict: Sendable, Equatable {
        public var predicate: Value
        /// The arguments before the last (one for a binary predicate).
        public var subject: [Value]
        /// Two or more, in answer order.
        public var values: [ConflictingValue]

        /// `held-in/2`.
        public var signature: String { "\(predicate.sourceText)/\(subject.count + 1)" }
    }

    /// Every conflict of the functional predicates (only those of `predicate` when given), by
    /// predicate, then subject, in answer order.
    public func conflicts(of predicate: Value? = nil) throws -> [Conflict] {
        let declarations = (recordedView?.functional ?? functionalPredicates)
            .filter { predicate == nil || $0.predicate == predicate }
            .sorted { Value.sortOrder($0.predicate, $1.predicate) || ($0.predicate == $1.predicate && $0.arity < $1.arity) }
        var result: [Conflict] = []
        var described: [Value: ReportingSource] = [:]
        for declaration in declarations {
            guard let pairs = ConflictRules.pairs(for: declaration),
                  let sourced = ConflictRules.query(for: declaration, withSources: true) else { continue }
            let subjectColumns = declaration.arity - 1
            // Each subject's values (two with periods only when their periods meet); then each
            // value's sources.
            var values: [[Value]: Set<Value>] = [:]
            let answer = try evaluator(adding: pairs.rule).answer(pairs.query)
            for row in answer.rows { values[Array(row[..<subjectColumns]), default: []].insert(row[subjectColumns]) }
            var sources: [[Value]: [Value: Set<Value>]] = [:]
            let withSources = try evaluator().answer(sourced)
            let (valueColumn, sourceColumn) = (withSources.columns.firstIndex(of: "V")!, withSources.columns.firstIndex(of: "S")!)
            for row in withSources.rows {
                sources[Array(row[..<subjectColumns]), default: [:]][row[valueColumn], default: []].insert(row[sourceColumn])
            }
            let subjects = values.keys.sorted { a, b in
                zip(a, b).first { $0 != $1 }.map { Value.sortOrder($0.0, $0.1) } ?? false
            }
            for subject in subjects {
                let conflicting = try values[subject]!.sorted(by: Value.sortOrder).map { value in
                    let reporting = try (sources[subject]?[value] ?? []).map { source in
                        if let known = described[source] { return known }
                        let made = try describe(source)
                        described[source] = made
                        return made
                    }
                    return ConflictingValue(value: value, sources: reporting.sorted { a, b in
                        SourceDescription.precedes((a.source, a.description), (b.source, b.description))
                    })
                }
                result.append(Conflict(predicate: declaration.predicate, subject: subject, values: conflicting))
            }
        }
        return result
    }

    private func describe(_ source: Value) throws -> ReportingSource {
        guard let id = try store.termID(for: source) else {
            return ReportingSource(source: source, publishedOn: [], publishedBy: [], reportedBy: [])
        }
        let description = try SourceDescription(of: id, in: store, catalog: catalog)
        return ReportingSource(source: source, publishedOn: description.publishedOn, publishedBy: description.publishedBy,
                               reportedBy: description.reportedBy)
    }
}

extension KnowledgeBase.ReportingSource {
    fileprivate var description: SourceDescription {
        SourceDescription(reportedBy: reportedBy, publishedBy: publishedBy, publishedOn: publishedOn)
    }
}
