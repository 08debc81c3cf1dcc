import KGEngine
import KGFormats
import KGLog
import KGShell
import KGSyntax

/// The JSON the API answers with. Values are typed as everywhere in kglog
/// (`{"value": "armenia", "kind": "name"}`, `JSONText.value`).
enum APIJSON {
    /// The answers of executed queries, exactly as `kglog query --format json` writes them:
    /// one object a query, the objects one after the other.
    static func answers(of results: [StatementResult]) -> String {
        let renderer = AnswerRenderer(format: .json)
        return results.compactMap { result -> String? in
            guard case .answer(let query, let answer) = result else { return nil }
            return renderer.render(answer, query: query)
        }.joined()
    }

    /// What statements did: facts added and rows removed, rules added and removed, and the
    /// answers of the queries among them.
    static func statements(_ results: [StatementResult]) -> String {
        var added = 0, known = 0, removed = 0, rulesAdded = 0, rulesRemoved = 0, declarations = 0
        var answers: [String] = []
        let renderer = AnswerRenderer(format: .json)
        for result in results {
            switch result {
            case .asserted(let isNew): if isNew { added += 1 } else { known += 1 }
            case .retracted(let count): removed += count
            case .ruleAdded: rulesAdded += 1
            case .ruleAlreadyStored: break
            case .rulesRetracted(let count): rulesRemoved += count
            case .prefixDeclared: break
            case .declared(let isNew): if isNew { declarations += 1 }
            case .declarationsRetracted(let count): declarations -= count
            case .answer(let query, let answer):
                var text = renderer.render(answer, query: query)
                if text.hasSuffix("\n") { text.removeLast() }
                answers.append(text)
            }
        }
        return "{\"factsAdded\":\(added),\"factsKnown\":\(known),\"factRowsRemoved\":\(removed),\"rulesAdded\":\(rulesAdded),"
            + "\"rulesRemoved\":\(rulesRemoved),\"declarationsChanged\":\(declarations),\"answers\":[\(answers.joined(separator: ","))]}"
    }

    static func entity(_ term: Value, _ facts: (outgoing: [KnowledgeBase.EntityFact], incoming: [KnowledgeBase.EntityFact], other: [KnowledgeBase.EntityFact])) -> String {
        func list(_ facts: [KnowledgeBase.EntityFact]) -> String {
            "[" + facts.map { fact in
                "{\"predicate\":\(JSONText.value(fact.predicate)),\"arguments\":[\(fact.arguments.map(JSONText.value).joined(separator: ","))],"
                    + "\"sources\":[\(fact.sources.map(JSONText.value).joined(separator: ","))],\"storedWithoutSource\":\(fact.storedWithoutSource)}"
            }.joined(separator: ",") + "]"
        }
        return "{\"term\":\(JSONText.value(term)),\"outgoing\":\(list(facts.outgoing)),\"incoming\":\(list(facts.incoming)),\"other\":\(list(facts.other))}"
    }

    static func predicates(_ summaries: [KnowledgeBase.PredicateSummary]) -> String {
        "{\"predicates\":[" + summaries.map { summary in
            "{\"predicate\":\(JSONText.value(summary.predicate)),\"arity\":\(summary.arity),\"storedFacts\":\(summary.storedFacts),"
                + "\"derived\":\(summary.isDerived),\"functional\":\(summary.isFunctional)}"
        }.joined(separator: ",") + "]}"
    }

    static func sources(_ summaries: [KnowledgeBase.SourceSummary]) -> String {
        func list(_ values: [Value]) -> String { "[" + values.map(JSONText.value).joined(separator: ",") + "]" }
        return "{\"sources\":[" + summaries.map { summary in
            "{\"source\":\(JSONText.value(summary.source)),\"facts\":\(summary.facts),\"publishedOn\":\(list(summary.publishedOn)),"
                + "\"publishedBy\":\(list(summary.publishedBy)),\"reportedBy\":\(list(summary.reportedBy))}"
        }.joined(separator: ",") + "]}"
    }

    static func rules(_ rules: [Clause]) -> String {
        "{\"rules\":[" + rules.map { rule in
            "{\"predicate\":\(JSONText.value(rule.head.predicate)),\"text\":\(JSONText.string(rule.formatted))}"
        }.joined(separator: ",") + "]}"
    }
}
