import KGEngine
import KGSyntax

// MARK: - Record time: the knowledge base as it stood, and the history of its changes

/// The knowledge base as recorded at one moment: the change that was the last at that moment,
/// and the rules and declarations as they stood.
struct RecordedView {
    var moment: DateTime
    var change: Int64
    var rules: [Clause]
    var functional: [FunctionalDeclaration]
}

/// Errors about the history of a knowledge base.
public enum HistoryError: DiagnosticMessage, Equatable {
    case beforeHistory(moment: String, begins: String)
    case pastIsReadOnly(moment: String)
    case notAFact(String)

    public var message: String {
        switch self {
        case .beforeHistory(let moment, let begins):
            return "the knowledge base's history begins at \(begins): it cannot say how it stood at \(moment)"
        case .pastIsReadOnly(let moment):
            return "the knowledge base is shown as recorded at \(moment): changes are refused (return to the present first)"
        case .notAFact(let found):
            return "expected a fact such as 'member-of(armenia, csto)' (constants only, optionally '@ SOURCE'), but found \(found)"
        }
    }
}

/// One entry of a history: a fact (or one of its periods), rule or declaration added or retracted
/// by a change.
public struct HistoryEvent: Sendable, Equatable {
    public enum Action: String, Sendable { case added, retracted }
    public var change: Int64
    /// When the change was recorded; nil when that part of the history was forgotten (`compact
    /// --forget-before`): the row is older than the history's first change.
    public var at: DateTime?
    public var by: String
    public var what: String
    public var action: Action
    /// The statement, as kglog text: `member-of(uzbekistan, csto) from 2006-08-16 until 2012-12-19 @ tass.`,
    /// a rule, or a declaration.
    public var statement: String
}

extension KnowledgeBase {
    /// The moment queries are answered as of (`showAsRecorded`), nil for the present.
    public var recordedMoment: DateTime? { recordedView?.moment }

    /// The stored rules queries use now: those of the moment shown, or the present's.
    public var rulesShown: [Clause] { recordedView?.rules ?? rules }

    /// Answers every later query as the knowledge base stood at `moment` (its facts, periods,
    /// rules and declarations), and refuses changes, until called with nil. An error when the
    /// history begins after `moment`.
    public func showAsRecorded(at moment: DateTime?) throws {
        guard let moment else { recordedView = nil; return }
        guard let change = try store.change(atOrBefore: moment.millisecondsSinceEpoch) else {
            let begins = try store.firstChange().map { DateTime(millisecondsSinceEpoch: $0.at).description } ?? "a later moment"
            throw HistoryError.beforeHistory(moment: moment.description, begins: begins)
        }
        var pastRules: [Clause] = []
        for text in try store.texts("rule", asOf: change) {
            let (statements, diagnostics) = Parser.parse(text, prefixes: prefixes)
            guard diagnostics.isEmpty, statements.count == 1, case .clause(let clause) = statements[0] else { continue }
            pastRules.append(clause)
        }
        var functional: [FunctionalDeclaration] = []
        for text in try store.texts("declaration", asOf: change) {
            let (statements, _) = Parser.parse(text, prefixes: [:])
            if statements.count == 1, case .functional(let declaration) = statements[0] { functional.append(declaration) }
        }
        recordedView = RecordedView(moment: moment, change: change, rules: pastRules, functional: functional)
    }

    /// Throws when the knowledge base is shown as it stood in the past.
    func refuseChangesToThePast() throws {
        if let view = recordedView { throw HistoryError.pastIsReadOnly(moment: view.moment.description) }
    }

    // MARK: History

    /// The changes the history remembers, oldest first.
    public func changes() throws -> [ChangeRecord] {
        try store.changes(after: -1)
    }

    /// The changes to one fact (`member-of(armenia, csto)`, optionally `@ SOURCE`), its periods
    /// included, oldest first.
    public func history(of factText: String, fileName: String = "<fact>") throws -> [HistoryEvent] {
        let (statements, diagnostics) = Parser.parse(factText.hasSuffix(".") ? factText : factText + ".", prefixes: prefixes)
        if !diagnostics.isEmpty { throw DiagnosticReport(fileName: fileName, sourceText: factText, diagnostics: diagnostics) }
        guard statements.count == 1, case .clause(let clause) = statements[0], clause.isFact, clause.period == nil else {
            throw DiagnosticReport(fileName: fileName, sourceText: factText,
                                   diagnostics: [Diagnostic(HistoryError.notAFact(factText), at: SourceLocation(line: 1, column: 1))])
        }
        var values: [Value] = []
        for expression in clause.head.arguments + (clause.source.map { [$0] } ?? []) {
            guard case .constant(let value) = expression.kind else {
                throw DiagnosticReport(fileName: fileName, sourceText: factText,
                                       diagnostics: [Diagnostic(HistoryError.notAFact(factText), at: expression.location)])
            }
            values.append(value)
        }
        guard let predicate = try store.termID(for: clause.head.predicate) else { return [] }
        var ids: [Int64] = []
        for value in values {
            guard let id = try store.termID(for: value) else { return [] }
            ids.append(id)
        }
        let arguments = Array(ids.prefix(clause.head.arity))
        let source = clause.source == nil ? nil : ids.last
        let rows = try store.history(predicate: predicate, arguments: arguments, after: nil).filter { source == nil || $0.source == source }
        return try events(rows, texts: [], after: nil)
    }

    /// Every change after `moment`: facts, periods, rules and declarations added or retracted,
    /// oldest first.
    public func history(since moment: DateTime) throws -> [HistoryEvent] {
        let after = try store.change(atOrBefore: moment.millisecondsSinceEpoch) ?? -1
        return try events(try store.history(predicate: nil, arguments: nil, after: after), texts: try store.textHistory(after: after), after: after)
    }

    /// The events of history rows, each with its change's moment, user and description, ordered
    /// by change, then additions before retractions, then by text.
    private func events(_ rows: [HistoryRow], texts: [TextHistoryRow], after: Int64?) throws -> [HistoryEvent] {
        var records: [Int64: ChangeRecord] = [:]
        for record in try store.changes(after: -1) { records[record.id] = record }
        let value = TermDecoder(store: store).value
        var events: [HistoryEvent] = []
        func add(_ change: Int64, _ action: HistoryEvent.Action, _ statement: String) {
            if let after, change <= after { return }
            let record = records[change]
            events.append(HistoryEvent(change: change, at: record.map { DateTime(millisecondsSinceEpoch: $0.at) }, by: record?.by ?? "",
                                       what: record?.what ?? "", action: action, statement: statement))
        }
        for row in rows {
            var text = try value(row.predicate).sourceText + "(" + row.arguments.map { try value($0).sourceText }.joined(separator: ", ") + ")"
            if let period = row.period {
                if period.from != Period.openStartID { text += " from " + (try value(period.from).sourceText) }
                if period.until != Period.openEndID { text += " until " + (try value(period.until).sourceText) }
                if period.from == Period.openStartID && period.until == Period.openEndID { text += " (at all times)" }
            }
            if row.source != TermCode.noTerm { text += " @ " + (try value(row.source).sourceText) }
            text += "."
            add(row.addedIn, .added, text)
            if let retracted = row.retractedIn { add(retracted, .retracted, text) }
        }
        for row in texts {
            add(row.addedIn, .added, row.text)
            if let retracted = row.retractedIn { add(retracted, .retracted, row.text) }
        }
        return events.sorted { a, b in
            if a.change != b.change { return a.change < b.change }
            if a.action != b.action { return a.action == .added }
            return a.statement < b.statement
        }
    }

    /// Forgets the history before `moment`: the changes before the last one at `moment`, and the
    /// rows retracted by then. The knowledge base as it stands at `moment` and later is kept.
    /// Returns how many changes and retracted rows went.
    public func forgetHistory(before moment: DateTime) throws -> (changes: Int, rows: Int) {
        try refuseChangesToThePast()
        guard let change = try store.change(atOrBefore: moment.millisecondsSinceEpoch) else { return (0, 0) }
        return try store.forgetHistory(before: change)
    }
}

/// The stored facts as they stood after one change: what the engine reads when a query is
/// answered as recorded at a moment. Each predicate's rows are read whole, once, the first time
/// a query needs them (the history keeps no index by moment), packed as the store gives them;
/// nothing is kept between queries.
final class RecordedFacts: StoredFacts {
    let store: any KnowledgeStore
    let change: Int64
    private var arities: [Int64: Int]?
    /// Each predicate's fact rows (arguments, source), ordered by arguments then source.
    private var rows: [Int64: [Int64]] = [:]
    /// Each predicate's period rows (arguments, source, start, end).
    private var periodRows: [Int64: [Int64]] = [:]

    init(store: any KnowledgeStore, change: Int64) {
        self.store = store
        self.change = change
    }

    private func factRows(_ predicate: Int64, _ arity: Int) throws -> [Int64] {
        if let known = rows[predicate] { return known }
        let read = try store.factRows(predicate: predicate, arity: arity, asOf: change)
        rows[predicate] = read
        return read
    }

    private func periods(_ predicate: Int64, _ arity: Int) throws -> [Int64] {
        if let known = periodRows[predicate] { return known }
        let read = try store.periodRows(predicate: predicate, arity: arity, asOf: change)
        periodRows[predicate] = read
        return read
    }

    func termID(for value: Value) throws -> Int64? { try store.termID(for: value) }
    func value(of id: Int64) throws -> Value { try store.value(of: id) }
    func forEachTerm(ids: [Int64], _ body: (Int64, Int, String) throws -> Void) throws { try store.forEachTerm(ids: ids, body) }
    /// The dictionary keeps every term the history holds, so today's index finds them all.
    func textMatches(_ search: TextSearch) throws -> [(term: Int64, score: Double)] { try store.textMatches(search) }

    func facts(predicate: Int64, arity: Int, withSources: Bool, bound: [Int: Int64]) throws -> [Int64] {
        let rows = try factRows(predicate, arity)
        let width = arity + 1
        var result: [Int64] = []
        var last = -1
        var row = 0
        while row < rows.count {
            defer { row += width }
            let source = rows[row + arity]
            if withSources && source == TermCode.noTerm { continue }
            guard bound.allSatisfy({ rows[row + $0.key] == $0.value }) else { continue }
            if withSources {
                result += rows[row..<(row + width)]
            } else if last < 0 || !rows[last..<(last + arity)].elementsEqual(rows[row..<(row + arity)]) {
                // Rows of one fact come together: each fact once.
                result += rows[row..<(row + arity)]
                last = row
            }
        }
        return result
    }

    func withCachedFacts(predicate: Int64, _ body: (UnsafeRawBufferPointer) throws -> Void) throws -> Bool { false }

    func factCount(predicate: Int64, arity: Int) throws -> Int { try factRows(predicate, arity).count / (arity + 1) }

    func sources(ofFact predicate: Int64, arguments: [Int64]) throws -> [Int64] {
        let rows = try factRows(predicate, arguments.count)
        let width = arguments.count + 1
        return stride(from: 0, to: rows.count, by: width)
            .filter { rows[$0..<($0 + arguments.count)].elementsEqual(arguments) }
            .map { rows[$0 + arguments.count] }
    }

    func predicatesWithPeriods() throws -> Set<Int64> {
        let arities = try self.arities ?? store.predicateArities()
        self.arities = arities
        return Set(try arities.filter { try !periods($0.key, $0.value).isEmpty }.map(\.key))
    }

    func factsWithPeriods(predicate: Int64, arity: Int, withSources: Bool, bound: [Int: Int64]) throws -> [Int64] {
        let facts = try factRows(predicate, arity), periods = try periods(predicate, arity)
        return joiningPeriods(
            factRows: stride(from: 0, to: facts.count, by: arity + 1).map { (Array(facts[$0..<($0 + arity)]), facts[$0 + arity]) },
            periodRows: stride(from: 0, to: periods.count, by: arity + 3).map {
                (Array(periods[$0..<($0 + arity)]), periods[$0 + arity], periods[$0 + arity + 1], periods[$0 + arity + 2])
            },
            arity: arity, withSources: withSources, bound: bound)
    }

    func periods(ofFact predicate: Int64, arguments: [Int64], source: Int64) throws -> [(from: Int64, until: Int64)] {
        let arity = arguments.count
        let rows = try periods(predicate, arity)
        return stride(from: 0, to: rows.count, by: arity + 3)
            .filter { rows[$0..<($0 + arity)].elementsEqual(arguments) && rows[$0 + arity] == source }
            .map { (rows[$0 + arity + 1], rows[$0 + arity + 2]) }
    }

    func describeRead(predicate: Int64, arity: Int, withSources: Bool, bound: [Int: Int64]) -> String {
        "the rows of predicate \(predicate) as they stood after change \(change), read whole"
            + (bound.isEmpty ? "" : " and filtered by " + bound.sorted { $0.key < $1.key }.map { "column \($0.key) = \($0.value)" }.joined(separator: ", "))
    }
}
