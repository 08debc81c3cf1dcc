import KGEngine
import KGFormats

/// Renders a derivation tree as indented text or as JSON.
public enum WhyRenderer {
    // MARK: - Text

    /// The tree drawn with branches: each rule applied with its bindings, down to stored facts
    /// and their sources. A fact stored from more than `sourceLimit` sources shows how many and
    /// the span of their dates, then the first of them (nil: every source).
    public static func text(_ node: WhyNode, sourceLimit: Int? = 3) -> String {
        guard node.holds else { return whyNot(node) }
        var lines = [node.fact + periodsText(node) + (node.explainedAbove ? " (explained above)" : "")]
        appendChildren(of: node, prefix: "", sourceLimit: sourceLimit, to: &lines)
        return lines.joined(separator: "\n") + "\n"
    }

    /// A fact that does not hold: it is not stored, and for each rule that could derive it, the
    /// first premise that fails with the values tried.
    private static func whyNot(_ node: WhyNode) -> String {
        var lines = ["\(node.fact) does not hold"]
        var children: [Child] = [.line("no such fact is stored")]
        for reason in node.whyNot {
            var details: [Child] = []
            if !reason.bindings.isEmpty {
                details.append(.line("with " + reason.bindings.map { "\($0.variable) = \($0.value)" }.joined(separator: ", ")))
            }
            details.append(.line("\(reason.failing): \(reason.reason)"))
            children.append(.group("not by " + reason.rule, details))
        }
        append(children, prefix: "", sourceLimit: nil, to: &lines)
        return lines.joined(separator: "\n") + "\n"
    }

    private indirect enum Child {
        case line(String)
        case group(String, [Child])
        case derivation(WhyDerivation)
        case fact(WhyNode)
    }

    private static func children(of node: WhyNode, sourceLimit: Int?) -> [Child] {
        guard !node.explainedAbove else { return [] }
        var children: [Child]
        if let limit = sourceLimit, node.sources.count > limit {
            let dates = node.sources.flatMap(\.publishedOn).sorted()
            let span = dates.isEmpty ? "" : dates.first == dates.last ? " (published \(dates[0]))" : " (published \(dates.first!) … \(dates.last!))"
            var shown: [Child] = node.sources.prefix(limit).map { .line(describe($0)) }
            shown.append(.line("… and \(node.sources.count - limit) more (--all shows every source)"))
            children = [.group("stored, from \(node.sources.count) sources\(span), the first\(limit == 1 ? "" : " \(limit)"):", shown)]
        } else {
            children = node.sources.map { .line("stored, from " + describe($0)) }
        }
        if node.storedWithoutSource {
            children.append(.line("stored, without a source" + node.periodsWithoutSource.map { ", " + $0.text }.joined()))
        }
        children += node.derivations.map { .derivation($0) }
        if node.moreDerivations > 0 {
            children.append(.line("… and \(node.moreDerivations) more derivation\(node.moreDerivations == 1 ? "" : "s")"))
        }
        return children
    }

    private static func appendChildren(of node: WhyNode, prefix: String, sourceLimit: Int?, to lines: inout [String]) {
        append(children(of: node, sourceLimit: sourceLimit), prefix: prefix, sourceLimit: sourceLimit, to: &lines)
    }

    private static func append(_ children: [Child], prefix: String, sourceLimit: Int?, to lines: inout [String]) {
        for (i, child) in children.enumerated() {
            let last = i == children.count - 1
            let branch = prefix + (last ? "└─ " : "├─ ")
            let inner = prefix + (last ? "   " : "│  ")
            switch child {
            case .line(let text):
                lines.append(branch + text)
            case .group(let text, let members):
                lines.append(branch + text)
                append(members, prefix: inner, sourceLimit: sourceLimit, to: &lines)
            case .fact(let node):
                guard node.holds else {
                    lines.append(branch + node.fact + ": does not hold")
                    continue
                }
                lines.append(branch + node.fact + periodsText(node) + (node.explainedAbove ? " (explained above)" : ""))
                appendChildren(of: node, prefix: inner, sourceLimit: sourceLimit, to: &lines)
            case .derivation(let derivation):
                lines.append(branch + "by " + derivation.rule)
                var details: [Child] = []
                if !derivation.bindings.isEmpty {
                    lines.append(inner + "with " + derivation.bindings.map { "\($0.variable) = \($0.value)" }.joined(separator: ", "))
                }
                if let aggregate = derivation.aggregate { lines.append(inner + aggregate) }
                if let period = derivation.period { lines.append(inner + (period.text.isEmpty ? "at all times" : period.text)) }
                for premise in derivation.premises {
                    switch premise {
                    case .fact(let node): details.append(.fact(node))
                    case .negation(let atom): details.append(.line("not \(atom): holds, no fact matches"))
                    case .periodsTakenAway(let atom): details.append(.line("not \(atom): the periods in which it holds are taken away"))
                    case .condition(let text): details.append(.line("\(text): holds"))
                    }
                }
                if derivation.moreSolutions > 0 {
                    details.append(.line("… and the premises of \(derivation.moreSolutions) more solution\(derivation.moreSolutions == 1 ? "" : "s")"))
                }
                append(details, prefix: inner, sourceLimit: sourceLimit, to: &lines)
            }
        }
    }

    /// The maximal periods of a fact with periods: `, from 2006-08-16 until 2012-12-19`.
    private static func periodsText(_ node: WhyNode) -> String {
        node.periods.map { ", " + $0.text }.joined()
    }

    private static func describe(_ source: WhySource) -> String {
        var about: [String] = []
        if !source.reportedBy.isEmpty { about.append("reported by " + source.reportedBy.joined(separator: ", ")) }
        var published = ""
        if !source.publishedBy.isEmpty { published = "published by " + source.publishedBy.joined(separator: ", ") }
        if !source.publishedOn.isEmpty { published += (published.isEmpty ? "published" : "") + " on " + source.publishedOn.joined(separator: ", ") }
        if !published.isEmpty { about.append(published) }
        return source.source + (about.isEmpty ? "" : " (\(about.joined(separator: "; ")))") + source.periods.map { ", " + $0.text }.joined()
    }

    // MARK: - JSON

    /// The same tree as one JSON object.
    public static func json(_ node: WhyNode) -> String {
        object(node) + "\n"
    }

    private static func object(_ node: WhyNode) -> String {
        var fields = ["\"fact\":\(JSONText.string(node.fact))", "\"holds\":\(node.holds)"]
        if node.explainedAbove {
            fields.append("\"explainedAbove\":true")
            return "{" + fields.joined(separator: ",") + "}"
        }
        if !node.holds {
            fields.append("\"whyNot\":[" + node.whyNot.map { reason in
                "{\"rule\":\(JSONText.string(reason.rule)),\"bindings\":{"
                    + reason.bindings.map { "\(JSONText.string($0.variable)):\(JSONText.string($0.value))" }.joined(separator: ",")
                    + "},\"fails\":\(JSONText.string(reason.failing)),\"reason\":\(JSONText.string(reason.reason))}"
            }.joined(separator: ",") + "]")
        }
        if node.holds {
            if !node.periods.isEmpty { fields.append("\"periods\":" + periods(node.periods)) }
            fields.append("\"sources\":[" + node.sources.map(object).joined(separator: ",") + "]")
            fields.append("\"storedWithoutSource\":\(node.storedWithoutSource)")
            if !node.periodsWithoutSource.isEmpty { fields.append("\"periodsWithoutSource\":" + periods(node.periodsWithoutSource)) }
            fields.append("\"derivations\":[" + node.derivations.map(object).joined(separator: ",") + "]")
            fields.append("\"moreDerivations\":\(node.moreDerivations)")
        }
        return "{" + fields.joined(separator: ",") + "}"
    }

    private static func object(_ source: WhySource) -> String {
        func list(_ values: [String]) -> String { "[" + values.map(JSONText.string).joined(separator: ",") + "]" }
        return "{\"source\":\(JSONText.string(source.source)),\"reportedBy\":\(list(source.reportedBy)),"
            + "\"publishedBy\":\(list(source.publishedBy)),\"publishedOn\":\(list(source.publishedOn))"
            + (source.periods.isEmpty ? "" : ",\"periods\":" + periods(source.periods)) + "}"
    }

    /// Periods as JSON: `[{"from": "2006-08-16", "until": "2012-12-19"}]`, an open end null.
    private static func periods(_ periods: [WhyPeriod]) -> String {
        "[" + periods.map { period in
            "{\"from\":\(period.from.map(JSONText.string) ?? "null"),\"until\":\(period.until.map(JSONText.string) ?? "null")}"
        }.joined(separator: ",") + "]"
    }

    private static func object(_ derivation: WhyDerivation) -> String {
        var fields = ["\"rule\":\(JSONText.string(derivation.rule))"]
        fields.append("\"bindings\":{" + derivation.bindings.map { "\(JSONText.string($0.variable)):\(JSONText.string($0.value))" }.joined(separator: ",") + "}")
        if let aggregate = derivation.aggregate {
            fields.append("\"aggregate\":\(JSONText.string(aggregate))")
            fields.append("\"moreSolutions\":\(derivation.moreSolutions)")
        }
        if let period = derivation.period { fields.append("\"period\":" + periods([period]).dropFirst().dropLast()) }
        fields.append("\"premises\":[" + derivation.premises.map { premise in
            switch premise {
            case .fact(let node): return object(node)
            case .negation(let atom): return "{\"not\":\(JSONText.string(atom)),\"holds\":true}"
            case .periodsTakenAway(let atom): return "{\"not\":\(JSONText.string(atom)),\"periodsTakenAway\":true}"
            case .condition(let text): return "{\"condition\":\(JSONText.string(text)),\"holds\":true}"
            }
        }.joined(separator: ",") + "]")
        return "{" + fields.joined(separator: ",") + "}"
    }
}
