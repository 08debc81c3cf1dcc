import Foundation
import KGEngine
import KGPostgres
import KGStore
import KGSyntax

extension StoreError: DiagnosticMessage {}
extension PostgresError: DiagnosticMessage {
    public var message: String { description }
}
extension PostgresStoreError: DiagnosticMessage {
    public var message: String { description }
}

/// Thrown inside `discardingChanges` to undo its transaction.
private struct DiscardedChanges: Error {}

/// A knowledge base: the library users embed. Opens a file (or memory), executes kglog text,
/// answers queries.
///
/// Every call to `execute` is one transaction: when any statement of the text has an error,
/// nothing of it is applied and the error comes back as a `DiagnosticReport`.
public final class KnowledgeBase {
    public let store: any KnowledgeStore
    /// Rules in the order they were added, as parsed from their stored text.
    public private(set) var rules: [Clause] = []
    public private(set) var catalog = PredicateCatalog()
    /// Declared prefixes (`prefix ex: <...>.`), by name without the colon; kept in the file.
    public internal(set) var prefixes: [String: String] = [:]
    /// The predicates declared functional (`functional held-in/2.`), in the order declared.
    public private(set) var functionalPredicates: [FunctionalDeclaration] = []
    /// Called regularly while a query is evaluated; throw from it to cancel.
    public var checkpoint: (() throws -> Void)?
    /// The most facts one query may derive before it stops with an error.
    public var maximumDerivedFacts = Evaluator.defaultMaximumDerivedFacts
    /// The most memory (resident bytes) the process may hold while a query is evaluated.
    public var maximumMemory = Evaluator.defaultMaximumMemory
    /// Where queries are evaluated: `auto` (the default) evaluates in the database server when
    /// the stored relations a query reads are large; a SQLite file is always read by the client.
    public var evaluationSite = EvaluationSite.auto
    /// With `auto`, the fewest stored rows (the database's estimate) a query must read to be
    /// evaluated in the database; 0 evaluates there every query that can be.
    public var serverThreshold = Evaluator.defaultServerThreshold
    /// The source of facts stated without one, while a `.kgl` file is imported with a source.
    var defaultSource: Value?
    /// The predicates some of whose stored facts have periods, read at the start of each text.
    var periodPredicates = Set<Int64>()
    /// Set while queries are answered as the knowledge base stood at a moment (`showAsRecorded`).
    var recordedView: RecordedView?

    /// Opens the knowledge base at `path`, or a new in-memory one when `path` is nil. With
    /// `readOnly` the file is only read (it must exist): changes are refused, and an older
    /// schema is read as it is, not upgraded.
    public init(path: String? = nil, readOnly: Bool = false) throws {
        store = try openStore(path ?? ":memory:", readOnly: readOnly && path != nil)
        try loadState()
    }

    /// Runs `body` in one transaction that is undone at the end: what it executes is seen by
    /// its own queries and never kept (`kglog query --load` on a file).
    public func discardingChanges<T>(_ body: () throws -> T) throws -> T {
        let savedRules = rules, savedCatalog = catalog, savedPrefixes = prefixes, savedFunctional = functionalPredicates
        defer {
            rules = savedRules
            catalog = savedCatalog
            prefixes = savedPrefixes
            functionalPredicates = savedFunctional
        }
        var value: T?
        do {
            try store.transaction { () throws -> Void in
                value = try body()
                throw DiscardedChanges()
            }
        } catch is DiscardedChanges {}
        guard let value else { throw DiscardedChanges() }
        return value
    }

    /// Reads rules, arities, prefixes and declarations again from the store: after another
    /// connection (a server's writer, another process) changed them.
    public func reload() throws {
        try loadState()
    }

    /// Reads rules and predicate arities back from the store.
    private func loadState() throws {
        var arities: [Value: Int] = [:]
        for (id, arity) in try store.predicateArities() {
            arities[try store.value(of: id)] = arity
        }
        catalog = PredicateCatalog(arities: arities)
        prefixes = try store.prefixes()
        rules = []
        for (_, text) in try store.rules() {
            let (statements, diagnostics) = Parser.parse(text, prefixes: prefixes)
            guard diagnostics.isEmpty, statements.count == 1, case .clause(let clause) = statements[0] else {
                throw DiagnosticReport(fileName: store.path, sourceText: text, diagnostics: diagnostics)
            }
            rules.append(clause)
        }
        functionalPredicates = []
        for text in try store.declarations() {
            let (statements, diagnostics) = Parser.parse(text, prefixes: [:])
            guard diagnostics.isEmpty, statements.count == 1, case .functional(let declaration) = statements[0] else {
                throw DiagnosticReport(fileName: store.path, sourceText: text, diagnostics: diagnostics)
            }
            functionalPredicates.append(declaration)
        }
    }

    // MARK: - What the knowledge base holds

    /// A predicate with its arity, its number of stored facts, and whether rules derive it.
    public struct PredicateSummary: Sendable, Equatable {
        public var predicate: Value
        public var arity: Int
        public var storedFacts: Int
        public var isDerived: Bool
        /// Declared functional (`functional held-in/2.`).
        public var isFunctional: Bool
    }

    /// Every known predicate, sorted by name.
    public func predicates() throws -> [PredicateSummary] {
        let derived = Set(rules.map(\.head.predicate))
        return try sortedArities.map { predicate, arity in
            let count = try store.termID(for: predicate).map { try store.distinctFactCount(predicate: $0, arity: arity) } ?? 0
            let isFunctional = functionalPredicates.contains { $0.predicate == predicate && $0.arity == arity }
            return PredicateSummary(predicate: predicate, arity: arity, storedFacts: count, isDerived: derived.contains(predicate),
                                    isFunctional: isFunctional)
        }
    }

    /// Every known predicate with its arity, sorted by name (no counting: exports need no counts).
    var sortedArities: [(predicate: Value, arity: Int)] {
        catalog.arities.map { ($0.key, $0.value) }.sorted { Value.sortOrder($0.predicate, $1.predicate) }
    }

    /// Every source with the number of facts it asserted, most first.
    public func sources() throws -> [(source: Value, facts: Int)] {
        try store.sourceCounts().map { id, count in (try store.value(of: id), count) }
    }

    /// Names the knowledge base holds (constants and sources) that start with `prefix`, in order,
    /// at most `limit`: what Tab completes in an argument.
    public func names(startingWith prefix: String, limit: Int = 200) throws -> [String] {
        try store.termTexts(kind: Value.Kind.name.rawValue, startingWith: prefix, limit: limit)
    }

    /// One source: how many facts it asserted, and what the knowledge base says of it.
    public struct SourceSummary: Sendable, Equatable {
        public var source: Value
        public var facts: Int
        public var publishedOn: [Value]
        public var publishedBy: [Value]
        public var reportedBy: [Value]
    }

    /// The sources whose text contains `pattern` (ignoring case) and, when `from` or `until`
    /// is given, published in that span (both ends included; an undated source is then left
    /// out), with their `published-on`, `published-by` and `reported-by` facts; earliest
    /// publication first, undated sources after, each group by name.
    public func sourceSummaries(matching pattern: String? = nil, from: CalendarDate? = nil, until: CalendarDate? = nil) throws -> [SourceSummary] {
        var described: [(source: Value, description: SourceDescription, facts: Int)] = []
        for (id, count) in try store.sourceCounts() {
            let source = try store.value(of: id)
            if let pattern, !pattern.isEmpty, source.sourceText.range(of: pattern, options: .caseInsensitive) == nil { continue }
            let description = try SourceDescription(of: id, in: store, catalog: catalog)
            if from != nil || until != nil {
                let dates = description.publishedOn.compactMap { value -> CalendarDate? in if case .date(let d) = value { return d } else { return nil } }
                guard dates.contains(where: { date in (from.map { date >= $0 } ?? true) && (until.map { date <= $0 } ?? true) }) else { continue }
            }
            described.append((source, description, count))
        }
        return described.sorted { SourceDescription.precedes(($0.source, $0.description), ($1.source, $1.description)) }.map {
            SourceSummary(source: $0.source, facts: $0.facts, publishedOn: $0.description.publishedOn,
                          publishedBy: $0.description.publishedBy, reportedBy: $0.description.reportedBy)
        }
    }

    /// The whole knowledge base as kglog source: its prefixes, every fact with its source, then
    /// every rule.
    /// Running the text on a new knowledge base gives an equal one (it is the backup format).
    public func exportText() throws -> String {
        var out = ""
        try exportText { out += $0 }
        return out
    }

    /// The knowledge base as kglog source, handed to `write` a piece at a time.
    public func exportText(to write: (String) -> Void) throws {
        _ = try export(.kgl, to: write)
    }

    // MARK: - Upkeep

    /// Removes the terms nothing uses any more (after retractions) and gives the file's free
    /// space back; returns how many terms went and the file's size before and after, in bytes.
    public func compact() throws -> (removedTerms: Int, bytesBefore: Int64, bytesAfter: Int64) {
        try store.compact()
    }

    // MARK: - Executing text

    /// Executes every statement of `text` in order, in one transaction.
    /// - Throws: `DiagnosticReport` with every error found; nothing is applied then.
    @discardableResult
    public func execute(_ text: String, fileName: String = "<input>") throws -> [StatementResult] {
        var results: [StatementResult] = []
        try execute(text, fileName: fileName) { results.append($0) }
        return results
    }

    /// Texts longer than this are applied as a bulk load (a new file written directly, a
    /// larger page cache, the source indexes built once at the end).
    static let bulkTextBytes = 1 << 20

    /// Executes every statement of `text` in order, in one transaction, handing each statement's
    /// result to `result` as it is applied. The text is read once, statement by statement, so
    /// memory stays flat however long it is. Every syntax and static error of the whole text is
    /// reported (after the first, the rest is only read), and they take precedence over an error
    /// met while applying a statement. On any error everything is undone: hold what `result`
    /// receives until this returns.
    /// - Throws: `DiagnosticReport` with every error found; nothing is applied then.
    public func execute(_ text: String, fileName: String = "<input>", result: (StatementResult) throws -> Void) throws {
        try execute(text, fileName: fileName, changeDescription: nil, result: result)
    }

    /// `execute`, its change described as `changeDescription` in the history (default: the
    /// file's name, or the statements).
    func execute(_ text: String, fileName: String, changeDescription: String?, result: (StatementResult) throws -> Void) throws {
        guard store.hasConcurrentWriters else { return try executeOnce(text, fileName: fileName, changeDescription: changeDescription, result: result) }
        // Another writer may make the transaction fail (a deadlock): it is run again, its
        // results held until it ends, so that the caller sees each once. Any other error comes
        // after the results applied before it, as without other writers.
        var attempt = 1
        while true {
            var held: [StatementResult] = []
            do {
                try executeOnce(text, fileName: fileName, changeDescription: changeDescription) { held.append($0) }
            } catch let error as PostgresError where error.isConflictWithAnotherWriter && attempt < KnowledgeBase.attemptsAfterConflicts {
                attempt += 1
                continue
            } catch {
                for item in held { try result(item) }
                throw error
            }
            for item in held { try result(item) }
            return
        }
    }

    /// How many times a text is run when other writers keep making it fail.
    static let attemptsAfterConflicts = 5

    private func executeOnce(_ text: String, fileName: String, changeDescription: String?, result: (StatementResult) throws -> Void) throws {
        func report(_ diagnostics: [Diagnostic]) -> DiagnosticReport {
            DiagnosticReport(fileName: fileName, sourceText: text, diagnostics: diagnostics)
        }
        let savedRules = rules
        let savedCatalog = catalog
        let savedPrefixes = prefixes
        let savedFunctional = functionalPredicates
        let isBulk = text.utf8.count > KnowledgeBase.bulkTextBytes
        store.changeDescription = changeDescription ?? KnowledgeBase.changeDescription(of: text, fileName: fileName)
        do {
            try store.withDirectWrites(when: isBulk) {
                try store.transaction {
                    try store.bulkLoad(when: isBulk) {
                        var terms = TermCache(store: store)
                        periodPredicates = try store.predicatesWithPeriods()
                        var staticErrors: [Diagnostic] = []
                        var failure: Error?
                        // In a bulk text, binary facts wait to be written together (sorted);
                        // their results wait with them, so results still come in order.
                        var waiting: [QuadRow] = []
                        func writeWaiting() throws {
                            for (row, isNew) in zip(waiting, try store.addQuadsTellingWhichAreNew(waiting)) {
                                // Restated without a period, a fact known with periods now holds at all times.
                                var periodChanged = false
                                if !isNew && periodPredicates.contains(row.p) {
                                    periodChanged = try recordPeriod(nil, of: (row.p, [row.s, row.o], row.g), isNew: false)
                                }
                                try result(.asserted(isNew: isNew || periodChanged))
                            }
                            waiting.removeAll(keepingCapacity: true)
                        }
                        let syntaxErrors = try KnowledgeBase.forEachStatement(in: text, prefixes: savedPrefixes, onASecondThread: isBulk,
                                                                              checking: { [checkpoint] in try checkpoint?() }) { statement, afterAnError in
                            staticErrors += KnowledgeBase.staticErrors(statement)
                            guard failure == nil, !afterAnError, staticErrors.isEmpty else { return }
                            do {
                                if isBulk, case .clause(let clause) = statement, clause.isFact, clause.head.arity == 2, clause.period == nil {
                                    waiting.append(try storedQuad(of: clause, terms: &terms))
                                    if waiting.count >= KnowledgeBase.quadsPerWrite { try writeWaiting() }
                                    return
                                }
                                if !waiting.isEmpty { try writeWaiting() }
                                // Any other statement may change what a predicate is.
                                terms.lastPredicate = nil
                                try result(try apply(statement, terms: &terms))
                            } catch {
                                failure = error
                            }
                        }
                        if !syntaxErrors.isEmpty { throw report(syntaxErrors) }
                        if !staticErrors.isEmpty { throw report(staticErrors) }
                        if let failure { throw failure }
                        try writeWaiting()
                        if isBulk { try store.refreshFactCaches() }
                    }
                }
            }
        } catch {
            rules = savedRules
            catalog = savedCatalog
            prefixes = savedPrefixes
            functionalPredicates = savedFunctional
            if let diagnostic = error as? Diagnostic { throw report([diagnostic]) }
            throw error
        }
    }

    /// Parses a text and hands each statement to `body` on this thread, in order, with whether
    /// an error came before it; returns every syntax error. A bulk text is parsed on a second
    /// thread while this one applies what is parsed (a few thousand statements at a time).
    private static func forEachStatement(in text: String, prefixes: [String: String], onASecondThread: Bool,
                                         checking check: () throws -> Void,
                                         _ body: (Statement, _ afterAnError: Bool) throws -> Void) throws -> [Diagnostic] {
        guard onASecondThread else { return try Parser.forEachStatement(in: text, prefixes: prefixes, body) }
        struct Parsed: Sendable {
            var statements: [(statement: Statement, afterAnError: Bool)] = []
            /// In the last batch: the text's syntax errors.
            var syntaxErrors: [Diagnostic]?
        }
        let channel = BatchChannel<Parsed>.filled(capacity: 4) { send in
            var batch = Parsed()
            let errors = try Parser.forEachStatement(in: text, prefixes: prefixes) { statement, afterAnError in
                batch.statements.append((statement, afterAnError))
                guard batch.statements.count >= 4096 else { return }
                try send(batch)
                batch.statements.removeAll(keepingCapacity: true)
            }
            batch.syntaxErrors = errors
            try send(batch)
        }
        // When this thread stops early, the parser stops at its next batch.
        defer { channel.abandon() }
        var syntaxErrors: [Diagnostic] = []
        while let delivery = try channel.receive(checking: check) {
            try check()
            let parsed = try delivery.get()
            for (statement, afterAnError) in parsed.statements { try body(statement, afterAnError) }
            if let errors = parsed.syntaxErrors { syntaxErrors = errors }
        }
        return syntaxErrors
    }

    /// What a text's change says in the history: the file's name, or for statements typed or
    /// given on the command line, their text (cut at 200 characters).
    static func changeDescription(of text: String, fileName: String) -> String {
        guard fileName.hasPrefix("<") else { return fileName }
        let statements = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        return statements.count > 200 ? String(statements.prefix(199)) + "…" : statements
    }

    /// Answers one query given as text (`?-` and the final `.` may be left out).
    public func query(_ text: String) throws -> QueryAnswer {
        let source = Query.text(text)
        let results = try execute(source, fileName: "<query>")
        guard results.count == 1, case .answer(_, let answer) = results[0] else {
            throw DiagnosticReport(fileName: "<query>", sourceText: source, diagnostics: [])
        }
        return answer
    }

    /// The number of answers of a query given as source text, without decoding them.
    public func count(_ text: String, fileName: String = "<query>") throws -> Int {
        try withQuery(text, fileName: fileName) { try $0.count($1) }
    }

    /// How a query given as source text is evaluated: the rewritten program, strata, join
    /// orders, the SQL that loads stored facts, and the number of rounds and answers.
    public func explain(_ text: String, fileName: String = "<query>") throws -> [String] {
        try withQuery(text, fileName: fileName) { try $0.explain($1) }
    }

    /// Why a fact holds: its derivation tree down to stored facts and their sources.
    /// The text is one ground atom, such as `ally(armenia, russia)` (a final `.` may be left out).
    public func why(_ text: String, fileName: String = "<fact>", limit: Int = 3) throws -> WhyNode {
        return try withQuery(Query.text(text), fileName: fileName) { evaluator, query in
            guard query.body.count == 1, case .positive(let atom, nil) = query.body[0], BuiltinPredicate(atom.predicate) == nil else {
                throw Diagnostic(SyntaxError.expected("one fact such as 'ally(armenia, russia)'", found: "'\(text)'"), at: query.location)
            }
            if let variable = atom.arguments.first(where: { if case .constant = $0.kind { return false } else { return true } }) {
                throw Diagnostic(EngineError.whyNeedsGroundFact(variable.sourceText), at: variable.location)
            }
            var node = try evaluator.why(atom, limit: limit)
            if !node.holds {
                let values = atom.arguments.compactMap { argument -> Value? in if case .constant(let v) = argument.kind { return v } else { return nil } }
                node.whyNot = try whyNot(atom.predicate, values, at: atom.location)
            }
            return node
        }
    }

    /// Why a fact does not hold: for each rule whose head can take it, the first body literal
    /// that fails, found by asking the body's first literals as queries (with the fact's values
    /// put in) until one has no answer.
    private func whyNot(_ predicate: Value, _ values: [Value], at location: SourceLocation) throws -> [WhyNot] {
        var result: [WhyNot] = []
        rules: for rule in rules where rule.head.predicate == predicate && rule.head.arity == values.count {
            // The head's variables take the fact's values; a constant must be the fact's.
            var binding: [String: Value] = [:]
            for (argument, value) in zip(rule.head.arguments, values) {
                switch argument.kind {
                case .constant(let c) where c == value: continue
                case .variable(let name) where binding[name] == nil || binding[name] == value: binding[name] = value
                case .variable(let name) where !name.hasPrefix("_"):
                    result.append(WhyNot(rule: rule.text, bindings: [], failing: rule.head.sourceText,
                                         reason: "its head would need \(name) to be both \(binding[name]!.sourceText) and \(value.sourceText)"))
                    continue rules
                case .variable: continue
                default:
                    result.append(WhyNot(rule: rule.text, bindings: [], failing: rule.head.sourceText,
                                         reason: "its head does not take \(KnowledgeBase.text(predicate, values))"))
                    continue rules
                }
            }
            let body = rule.body.map { $0.substituting(binding) }
            var example: [(variable: String, value: Value)] = []   // a solution of the literals before
            for end in 1...max(body.count, 1) where end <= body.count {
                let prefix = Query(body: Array(body[..<end]), location: location, text: "")
                guard SafetyCheck.check(prefix).isEmpty else { continue }   // not testable before later literals
                let answer = try evaluator().answer(prefix)
                if answer.holds {
                    example = Array(zip(answer.columns, answer.rows.first ?? []))
                    continue
                }
                let failing = body[end - 1]
                var reason: String
                switch failing {
                case .positive: reason = "no fact matches"
                case .negated: reason = "the negated atom holds"
                case .comparison: reason = "it is false"
                }
                // It fails for every solution of the literals before it; one is shown.
                let tried = example.filter { binding[$0.variable] == nil && !$0.variable.hasPrefix("_") }
                if !tried.isEmpty {
                    reason += " for any solution of the premises before it (such as "
                        + tried.map { "\($0.variable) = \($0.value.sourceText)" }.joined(separator: ", ") + ")"
                }
                let shown = rule.head.variables.reduce(into: [String]()) { names, name in if !names.contains(name) { names.append(name) } }
                    .compactMap { name in binding[name].map { WhyDerivation.Binding(variable: name, value: $0.sourceText) } }
                result.append(WhyNot(rule: rule.text, bindings: shown, failing: failing.substituting(binding).sourceText, reason: reason))
                continue rules
            }
        }
        return result
    }

    private static func text(_ predicate: Value, _ values: [Value]) -> String {
        values.isEmpty ? predicate.sourceText : "\(predicate.sourceText)(\(values.map(\.sourceText).joined(separator: ", ")))"
    }

    /// Parses and checks one query, then hands it to `body` with an evaluator.
    private func withQuery<T>(_ text: String, fileName: String, _ body: (Evaluator, Query) throws -> T) throws -> T {
        let (statements, syntaxErrors) = Parser.parse(text, prefixes: prefixes)
        let report = { (d: [Diagnostic]) in DiagnosticReport(fileName: fileName, sourceText: text, diagnostics: d) }
        if !syntaxErrors.isEmpty { throw report(syntaxErrors) }
        guard statements.count == 1, case .query(let query) = statements[0] else {
            throw report([Diagnostic(SyntaxError.expected("one query", found: "\(statements.count) statements"), at: SourceLocation(line: 1, column: 1))])
        }
        let safety = KnowledgeBase.staticErrors(.query(query))
        if !safety.isEmpty { throw report(safety) }
        do {
            try checkPredicates(of: query)
            if let (rewritten, rule) = QueryAggregates.rewrite(query) { return try body(evaluator(adding: rule), rewritten) }
            return try body(evaluator(), query)
        } catch let error as EngineError {
            throw report([Diagnostic(error, at: query.location)])
        } catch let diagnostic as Diagnostic {
            throw report([diagnostic])
        }
    }

    /// Errors found without looking at the knowledge base: safety, ground facts.
    private static func staticErrors(_ statement: Statement) -> [Diagnostic] {
        switch statement {
        case .clause(let clause): return SafetyCheck.check(clause)
        case .query(let query):
            // Aggregates in a query are checked as the rule they become, and its errors speak of
            // the query: an unbound variable is one of the query's.
            if let (rewritten, rule) = QueryAggregates.rewrite(query) {
                return (SafetyCheck.check(rule) + SafetyCheck.check(rewritten)).map { diagnostic in
                    guard case .unsafeVariable(let name, _, _)? = diagnostic.error as? EngineError else { return diagnostic }
                    return Diagnostic(EngineError.unsafeVariable(name, place: .query, rule: ""), at: diagnostic.location)
                }
            }
            return SafetyCheck.check(query)
        case .retraction(let retraction):
            return retraction.atom.arguments.compactMap { argument in
                switch argument.kind {
                case .constant, .variable: return nil
                default: return Diagnostic(EngineError.retractArgument(argument.formatted), at: argument.location)
                }
            }
        case .functional(let declaration), .functionalRetraction(let declaration):
            guard KnowledgeBase.isBuiltin(declaration.predicate) else { return [] }
            return [Diagnostic(EngineError.reservedPredicate(declaration.predicate.sourceText), at: declaration.location)]
        case .ruleRetraction, .sourceRetraction, .prefix:
            return []
        }
    }

    // MARK: - Statements

    private func apply(_ statement: Statement, terms: inout TermCache) throws -> StatementResult {
        if case .query = statement {} else if let view = recordedView {
            throw Diagnostic(HistoryError.pastIsReadOnly(moment: view.moment.description), at: statement.location)
        }
        switch statement {
        case .prefix(let declaration):
            try store.setPrefix(declaration.name, iri: declaration.iri)
            prefixes[declaration.name] = declaration.iri
            return .prefixDeclared
        case .functional(let declaration):
            if let error = catalog.arityError(declaration.predicate, arity: declaration.arity, at: declaration.location) { throw error }
            if catalog.arity(of: declaration.predicate) == nil {
                catalog.declare(declaration.predicate, arity: declaration.arity)
                try store.recordPredicate(try store.intern(declaration.predicate), arity: declaration.arity)
            }
            guard try store.addDeclaration(declaration.canonicalText) else { return .declared(isNew: false) }
            functionalPredicates.append(declaration)
            // Its conflict rules may close a cycle through negation.
            _ = try Stratifier.stratify(allRules)
            return .declared(isNew: true)
        case .functionalRetraction(let declaration):
            guard try store.removeDeclaration(declaration.canonicalText) else { return .declarationsRetracted(count: 0) }
            functionalPredicates.removeAll { $0.canonicalText == declaration.canonicalText }
            return .declarationsRetracted(count: 1)
        case .clause(let clause) where clause.isFact:
            let fact = try storedForm(of: clause, terms: &terms)
            let isNew = try store.insertFact(predicate: fact.predicate, arguments: fact.arguments, source: fact.source)
            let periodAdded = try recordPeriod(clause.period, of: fact, isNew: isNew)
            return .asserted(isNew: isNew || periodAdded)

        case .clause(let rule):
            // Rules are a set, as facts are: the same rule twice would derive everything twice.
            let formatted = rule.formatted
            if rules.contains(where: { $0.formatted == formatted }) { return .ruleAlreadyStored(formatted, location: rule.location) }
            let atoms = rule.atoms.filter { !KnowledgeBase.isBuiltin($0.predicate) }
            for atom in atoms { try checkArity(atom) }
            try checkConflictArity(rule.atoms)
            rules.append(rule)
            _ = try Stratifier.stratify(allRules)
            for atom in atoms {
                try store.recordPredicate(try store.intern(atom.predicate), arity: atom.arity)
            }
            try store.addRule(text: rule.text)
            return .ruleAdded

        case .query(let query):
            try checkPredicates(of: query)
            do {
                var answer: QueryAnswer
                if let (rewritten, rule) = QueryAggregates.rewrite(query) {
                    answer = try evaluator(adding: rule).answer(rewritten)
                } else {
                    answer = try evaluator().answer(query)
                }
                if answer.rowCount == 0 { answer.notes = try namesAppearingNowhere(in: query) }
                return .answer(query, answer)
            } catch let error as EngineError {
                throw Diagnostic(error, at: query.location)
            }

        case .sourceRetraction(let retraction):
            guard let source = try store.termID(for: try KnowledgeBase.constant(retraction.source)) else { return .retracted(count: 0) }
            return .retracted(count: try store.deleteFacts(source: source))

        case .ruleRetraction(let retraction):
            return .rulesRetracted(count: try retractRules(like: retraction.rule))

        case .retraction(let retraction) where retraction.period != nil:
            try checkArity(retraction.atom)
            return .retracted(count: try retractPeriods(matching: retraction))

        case .retraction(let retraction) where !retraction.isGround:
            try checkArity(retraction.atom)
            return .retracted(count: try retractFacts(matching: retraction))

        case .retraction(let retraction):
            try checkArity(retraction.atom)
            guard let predicate = try store.termID(for: retraction.atom.predicate) else { return .retracted(count: 0) }
            var arguments: [Int64] = []
            for argument in retraction.atom.arguments {
                guard let id = try store.termID(for: try KnowledgeBase.constant(argument)) else { return .retracted(count: 0) }
                arguments.append(id)
            }
            var source: Int64?
            if let expression = retraction.source {
                guard let id = try store.termID(for: try KnowledgeBase.constant(expression)) else { return .retracted(count: 0) }
                source = id
            }
            return .retracted(count: try store.deleteFact(predicate: predicate, arguments: arguments, source: source))
        }
    }

    /// Records the period of a fact just stored (`isNew`: its fact-source row is new); true
    /// when that changed what is stored. A fact-source stated both without a period and with
    /// periods holds at all times: its open period is recorded beside the others, so that
    /// retracting one of them leaves the rest as stated.
    private func recordPeriod(_ period: Period?, of fact: (predicate: Int64, arguments: [Int64], source: Int64), isNew: Bool) throws -> Bool {
        func add(_ from: Int64, _ until: Int64) throws -> Bool {
            try store.addPeriod(predicate: fact.predicate, arguments: fact.arguments, source: fact.source, from: from, until: until)
        }
        let open = (Period.openStartID, Period.openEndID)
        guard let period else {
            // Stated without a period: known with periods, it now holds at all times.
            guard !isNew, periodPredicates.contains(fact.predicate),
                  try !store.periods(ofFact: fact.predicate, arguments: fact.arguments, source: fact.source).isEmpty else { return false }
            return try add(open.0, open.1)
        }
        let ends = (try period.from.map { try store.intern(try KnowledgeBase.constant($0)) } ?? open.0,
                    try period.until.map { try store.intern(try KnowledgeBase.constant($0)) } ?? open.1)
        if !isNew, try store.periods(ofFact: fact.predicate, arguments: fact.arguments, source: fact.source).isEmpty {
            _ = try add(open.0, open.1)   // it held at all times, and still does
        }
        periodPredicates.insert(fact.predicate)
        return try add(ends.0, ends.1)
    }

    /// Removes one period of the stored facts that match a retraction with a period; a
    /// fact-source left with no period goes. Returns how many periods went.
    private func retractPeriods(matching retraction: Retraction) throws -> Int {
        guard let period = retraction.period, let predicate = try store.termID(for: retraction.atom.predicate) else { return 0 }
        let ends = (try period.from.map { try store.intern(try KnowledgeBase.constant($0)) } ?? Period.openStartID,
                    try period.until.map { try store.intern(try KnowledgeBase.constant($0)) } ?? Period.openEndID)
        var removed = 0
        for (arguments, source) in try matchingRows(predicate: predicate, retraction) {
            let periods = try store.periods(ofFact: predicate, arguments: arguments, source: source)
            guard periods.contains(where: { $0 == ends }) else { continue }
            removed += try store.deletePeriods(predicate: predicate, arguments: arguments, source: source, period: ends)
            if periods.count == 1 { _ = try store.deleteFact(predicate: predicate, arguments: arguments, source: source) }
        }
        return removed
    }

    /// A fact's term ids, its arity checked (and recorded when its predicate is new).
    private func storedForm(of clause: Clause, terms: inout TermCache) throws -> (predicate: Int64, arguments: [Int64], source: Int64) {
        let predicate = try storedPredicate(of: clause.head, terms: &terms)
        let arguments = try clause.head.arguments.map { try terms.id(try KnowledgeBase.constant($0)) }
        return (predicate, arguments, try storedSource(of: clause, terms: &terms))
    }

    /// A binary fact's row, as `storedForm` makes it. In a bulk text fact follows fact of the
    /// same predicate and source: those are checked and looked up once for the run.
    private func storedQuad(of clause: Clause, terms: inout TermCache) throws -> QuadRow {
        let predicate: Int64
        if let last = terms.lastPredicate, last.value == clause.head.predicate, last.arity == 2 {
            predicate = last.id
        } else {
            predicate = try storedPredicate(of: clause.head, terms: &terms)
            terms.lastPredicate = (clause.head.predicate, 2, predicate)
        }
        let arguments = clause.head.arguments
        return QuadRow(s: try terms.id(try KnowledgeBase.constant(arguments[0])), p: predicate,
                       o: try terms.id(try KnowledgeBase.constant(arguments[1])), g: try storedSource(of: clause, terms: &terms))
    }

    private func storedPredicate(of head: Atom, terms: inout TermCache) throws -> Int64 {
        let isNewPredicate = catalog.arity(of: head.predicate) == nil
        try checkArity(head)
        let predicate = try terms.id(head.predicate)
        if isNewPredicate { try store.recordPredicate(predicate, arity: head.arity) }
        return predicate
    }

    private func storedSource(of clause: Clause, terms: inout TermCache) throws -> Int64 {
        guard let value = try clause.source.map(KnowledgeBase.constant) ?? defaultSource else { return TermCode.noTerm }
        if let last = terms.lastSource, last.value == value { return last.id }
        let id = try terms.id(value)
        terms.lastSource = (value, id)
        return id
    }

    /// Removes the stored facts that match a retraction with variables; returns how many rows
    /// (fact-source pairs) went.
    private func retractFacts(matching retraction: Retraction) throws -> Int {
        guard let predicate = try store.termID(for: retraction.atom.predicate) else { return 0 }
        var removed = 0
        for (arguments, source) in try matchingRows(predicate: predicate, retraction) {
            removed += try store.deleteFact(predicate: predicate, arguments: arguments, source: source)
        }
        return removed
    }

    /// The stored rows (arguments, source) of `predicate` that a retraction's atom and source
    /// match (constants and variables; a variable twice must match the same term twice).
    private func matchingRows(predicate: Int64, _ retraction: Retraction) throws -> [(arguments: [Int64], source: Int64)] {
        let atom = retraction.atom
        // The pattern over a row's arguments followed by its source: a constant's id, or the
        // first column that the same variable appeared in, or nothing to check.
        enum Check { case id(Int64), sameAs(Int), any }
        var checks: [Check] = []
        var firstColumn: [String: Int] = [:]
        for (column, expression) in (atom.arguments + [retraction.source].compactMap { $0 }).enumerated() {
            switch expression.kind {
            case .constant(let value):
                guard let id = try store.termID(for: value) else { return [] }
                checks.append(.id(id))
            case .variable(let name) where name != "_":
                if let first = firstColumn[name] { checks.append(.sameAs(first)) } else { firstColumn[name] = column; checks.append(.any) }
            default:
                checks.append(.any)
            }
        }
        return try store.factRows(predicate: predicate, arity: atom.arity).filter { arguments, source in
            let row = arguments + [source]
            return checks.enumerated().allSatisfy { column, check in
                switch check {
                case .id(let id): return row[column] == id
                case .sameAs(let other): return row[column] == row[other]
                case .any: return true
                }
            }
        }
    }

    /// Removes every stored rule that reads like `rule` (spacing aside); returns how many.
    /// Rules for this session only (`.local` in the REPL): queries and explanations use them,
    /// the file never holds them.
    public private(set) var sessionRules: [Clause] = []

    /// Adds one rule for this session only; the same checks as a stored rule's. Returns
    /// `.ruleAdded`, or `.ruleAlreadyStored` when it is a stored or session rule already.
    /// - Throws: `DiagnosticReport` when the text is not one well-formed, safe rule.
    public func addSessionRule(_ text: String, fileName: String = "<input>") throws -> StatementResult {
        let report = { (d: [Diagnostic]) in DiagnosticReport(fileName: fileName, sourceText: text, diagnostics: d) }
        let (statements, syntaxErrors) = Parser.parse(text, prefixes: prefixes)
        if !syntaxErrors.isEmpty { throw report(syntaxErrors) }
        guard statements.count == 1, case .clause(let rule) = statements[0], !rule.isFact else {
            throw report([Diagnostic(SyntaxError.expected("one rule such as 'near(X, Y) :- border(X, Y).'", found: "'\(text)'"),
                                     at: SourceLocation(line: 1, column: 1))])
        }
        let safety = SafetyCheck.check(rule)
        if !safety.isEmpty { throw report(safety) }
        let formatted = rule.formatted
        if (rules + sessionRules).contains(where: { $0.formatted == formatted }) { return .ruleAlreadyStored(formatted, location: rule.location) }
        let savedCatalog = catalog
        do {
            for atom in rule.atoms where !KnowledgeBase.isBuiltin(atom.predicate) { try checkArity(atom) }
            try checkConflictArity(rule.atoms)
            _ = try Stratifier.stratify(allRules + [rule])
        } catch let diagnostic as Diagnostic {
            catalog = savedCatalog
            throw report([diagnostic])
        } catch let error as EngineError {
            catalog = savedCatalog
            throw report([Diagnostic(error, at: rule.location)])
        }
        sessionRules.append(rule)
        return .ruleAdded
    }

    private func retractRules(like rule: Clause) throws -> Int {
        let stored = try store.rules()
        precondition(stored.count == rules.count, "the rules in memory are those of the file, in order")
        let wanted = rule.formatted
        let matching = rules.indices.filter { rules[$0].formatted == wanted }
        for index in matching { try store.removeRule(id: stored[index].id) }
        for index in matching.reversed() { rules.remove(at: index) }
        return matching.count
    }

    /// The stored rules, this session's, and those defining `conflict` for the functional
    /// predicates: every rule queries use.
    private var allRules: [Clause] {
        if let view = recordedView { return view.rules + sessionRules + ConflictRules.rules(for: view.functional) }
        return rules + sessionRules + ConflictRules.rules(for: functionalPredicates)
    }

    /// Whether a predicate is built in: a test on text, `conflict` or `text-match`.
    static func isBuiltin(_ predicate: Value) -> Bool {
        BuiltinPredicate(predicate) != nil || predicate == ConflictRules.predicate || predicate == TextMatch.predicate
    }

    /// For a query without answers: a note for each name of its atoms that no fact or source
    /// holds (a typo, most often), with the known names nearest to it.
    func namesAppearingNowhere(in query: Query) throws -> [String] {
        var names: [String] = []
        for literal in query.body {
            guard let atom = literal.atom, !KnowledgeBase.isBuiltin(atom.predicate) else { continue }
            var source: KGSyntax.Expression?
            if case .positive(_, let s) = literal { source = s } else if case .negated(_, let s, _) = literal { source = s }
            for argument in atom.arguments + (source.map { [$0] } ?? []) {
                guard case .constant(.name(let name)) = argument.kind, !names.contains(name),
                      try store.termID(for: .name(name)) == nil else { continue }
                names.append(name)
            }
        }
        return try names.map { name in
            // Names that begin as it does, or with its second letter (a first letter left out
            // or typed twice), are the candidates: a typo is seldom at the very start.
            var candidates = Set<String>()
            for start in [name.prefix(1), name.dropFirst().prefix(1)] where !start.isEmpty {
                candidates.formUnion(try store.termTexts(kind: Value.Kind.name.rawValue, startingWith: String(start), limit: 100_000))
            }
            let nearest = Suggestion.nearest(to: name, among: candidates)
            return "'\(name)' appears in no fact" + Suggestion.phrase(nearest)
        }
    }

    /// Checks that a query's atoms name known predicates with their arities.
    private func checkPredicates(of query: Query) throws {
        let atoms = query.body.compactMap(\.atom)
        for atom in atoms where !KnowledgeBase.isBuiltin(atom.predicate) {
            if let error = catalog.unknownError(atom) ?? catalog.arityError(atom) { throw error }
        }
        try checkConflictArity(atoms)
    }

    /// Throws when an atom of `conflict` has other than its four arguments.
    private func checkConflictArity(_ atoms: [Atom]) throws {
        for atom in atoms where atom.predicate == ConflictRules.predicate && atom.arity != ConflictRules.arity {
            throw Diagnostic(EngineError.arityMismatch(predicate: atom.predicate.sourceText, used: atom.arity, declared: ConflictRules.arity),
                             at: atom.location)
        }
    }

    /// An evaluator over the current rules, with this knowledge base's checkpoint and limit.
    func evaluator(adding rule: Clause? = nil) -> Evaluator {
        var catalog = self.catalog
        if let rule { catalog.declare(rule.head.predicate, arity: rule.head.arity) }
        catalog.declare(ConflictRules.predicate, arity: ConflictRules.arity)
        let facts: any StoredFacts = recordedView.map { RecordedFacts(store: store, change: $0.change) } ?? store
        let evaluator = Evaluator(store: facts, catalog: catalog, rules: allRules + (rule.map { [$0] } ?? []))
        evaluator.checkpoint = checkpoint
        evaluator.maximumDerivedFacts = maximumDerivedFacts
        evaluator.maximumMemory = maximumMemory
        evaluator.site = evaluationSite
        evaluator.serverThreshold = serverThreshold
        if let view = recordedView { evaluator.evaluatedHereBecause = "the knowledge base as recorded at \(view.moment) is read from its history, by kglog" }
        return evaluator
    }

    /// Records the arity of an imported fact's predicate (in the catalog and the file), or throws
    /// when it disagrees with the predicate's arity.
    func declare(_ predicate: Value, arity: Int, id: Int64? = nil, line: Int, text: String = "") throws {
        if let error = catalog.arityError(predicate, arity: arity, at: SourceLocation(line: line, column: 1)) {
            throw ImportFailure(diagnostic: error, line: text)
        }
        guard catalog.arity(of: predicate) == nil else { return }
        catalog.declare(predicate, arity: arity)
        try store.recordPredicate(try id ?? store.intern(predicate), arity: arity)
    }

    func restoreCatalog(_ saved: PredicateCatalog) {
        catalog = saved
    }

    /// Checks an atom's arity against the catalog and records it when the predicate is new.
    private func checkArity(_ atom: Atom) throws {
        if let error = catalog.arityError(atom) { throw error }
        catalog.record(atom)
    }

    /// The value of a fact argument (the safety check has made sure it is a constant).
    private static func constant(_ expression: KGSyntax.Expression) throws -> Value {
        if case .constant(let value) = expression.kind { return value }
        throw Diagnostic(EngineError.factArgumentNotConstant, at: expression.location)
    }
}

/// Term ids to what an export writes of them (the value itself, or its text in a format), each
/// id read from the store and made once; a million at most are kept, so memory stays flat.
final class TermDecoder<Decoded> {
    private let store: any KnowledgeStore
    private let make: (Value) -> Decoded
    private var decoded: [Int64: Decoded] = [:]

    init(store: any KnowledgeStore, making make: @escaping (Value) -> Decoded) {
        self.store = store
        self.make = make
    }

    func value(_ id: Int64) throws -> Decoded {
        if let known = decoded[id] { return known }
        let value = make(try store.value(of: id))
        if decoded.count >= 1 << 20 { decoded.removeAll(keepingCapacity: true) }
        decoded[id] = value
        return value
    }
}

extension TermDecoder where Decoded == Value {
    convenience init(store: any KnowledgeStore) {
        self.init(store: store) { $0 }
    }
}

/// Term ids looked up or added while one text is applied, so that a fact file does not ask
/// SQLite for the same term again and again. Lives no longer than the text's transaction.
struct TermCache {
    let store: any KnowledgeStore
    private var ids: [Value: Int64] = [:]
    /// The predicate of the last fact written in bulk, its arity checked, and its id.
    var lastPredicate: (value: Value, arity: Int, id: Int64)?
    /// The last source looked up, and its id.
    var lastSource: (value: Value, id: Int64)?

    init(store: any KnowledgeStore) {
        self.store = store
    }

    mutating func id(_ value: Value) throws -> Int64 {
        if let id = ids[value] { return id }
        let id = try store.intern(value)
        if ids.count >= 1 << 20 { ids.removeAll(keepingCapacity: true) }   // memory stays flat
        ids[value] = id
        return id
    }
}
