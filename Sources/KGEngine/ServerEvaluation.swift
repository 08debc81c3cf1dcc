import KGSyntax

/// Where a query is evaluated: in this process (`client`), in the store's database as SQL
/// (`server`), or chosen by the size of the stored relations the query reads (`auto`).
public enum EvaluationSite: String, CaseIterable, Sendable {
    case auto, client, server
}

/// A store whose database can evaluate a program itself (PostgreSQL): it says where a
/// predicate's facts are in SQL, estimates their number, and runs statements in a transaction
/// that is always undone, so that evaluating never writes to the knowledge base.
public protocol SQLEvaluatingStore: StoredFacts {
    /// The stored facts of a predicate as a FROM item with columns `c0`...`cN` (each fact once
    /// unless `subjectBound`, when reading by subject matters more than duplicates), and `g`,
    /// the source, with `withSources` (facts without a source left out).
    func sqlFacts(predicate: Int64, arity: Int, withSources: Bool, subjectBound: Bool) -> String

    /// The database's estimate of a predicate's stored rows, from its statistics (cheap).
    func estimatedRows(predicate: Int64, arity: Int) throws -> Int

    /// Runs `body` in a transaction (a savepoint inside one) that is rolled back at the end,
    /// whatever happens. A statement the database refuses with SQLSTATE `KGL01` throws
    /// `ComputedOnClient`.
    func withDiscardedTransaction<T>(_ body: (SQLSession) throws -> T) throws -> T
}

/// Statements of one evaluation in the database.
public protocol SQLSession {
    /// Runs a statement; returns the number of rows it inserted.
    func run(_ sql: String) throws -> Int
    /// The rows of a query of `width` integer columns, packed row after row.
    func integers(_ sql: String, width: Int) throws -> [Int64]
}

/// A value the server does not compute (a decimal, a number beyond the inline range): the
/// client does, or reports the exact error.
public struct ComputedOnClient: DiagnosticMessage, Equatable, CustomStringConvertible {
    /// The SQLSTATE the evaluation's SQL functions raise for such a value.
    public static let sqlState = "KGL01"
    /// What the server did not compute, as the database said it.
    public let reason: String
    public init(reason: String) { self.reason = reason }
    public var message: String { reason + " (evaluate it with --evaluate client)" }
    public var description: String { message }
}

extension Evaluator {
    /// The default of `serverThreshold`: below this many stored rows to read (the database's
    /// estimate), bringing them over costs less than the round trips of evaluating there.
    public static let defaultServerThreshold = 100_000

    /// What the database sends back: the answer rows, or only their number.
    enum ServerAnswer {
        case rows(Relation)
        case count(Int)
    }

    /// The query's answers (with `counting`, their number) when it is evaluated in the
    /// database; nil when it is evaluated here (the trace says why).
    func answerFromServer(_ prepared: PreparedQuery, counting: Bool) throws -> ServerAnswer? {
        guard site != .client else { return nil }
        guard let database = store as? SQLEvaluatingStore else {
            if site == .server {
                throw Diagnostic(NotCompiledToSQL(reason: "the knowledge base is not on a database server (--evaluate server needs PostgreSQL)"), at: prepared.query.location)
            }
            return nil
        }
        let program: ServerProgram
        do {
            program = try ServerProgram(prepared, evaluator: self, database: database)
        } catch let error as NotCompiledToSQL {
            if site == .server { throw Diagnostic(error, at: prepared.query.location) }
            trace.append("evaluation: on the client (auto: \(error.reason))")
            return nil
        }
        if site == .auto {
            let rows = try program.estimatedStoredRows()
            guard rows >= serverThreshold else {
                trace.append("evaluation: on the client (auto: about \(rows) stored rows to read, fewer than \(serverThreshold))")
                return nil
            }
            trace.append("evaluation: on the server (auto: about \(rows) stored rows to read)")
        } else {
            trace.append("evaluation: on the server (--evaluate server)")
        }
        do {
            return try program.run(counting: counting)
        } catch let error as ComputedOnClient {
            guard site == .auto else { throw Diagnostic(error, at: prepared.query.location) }
            trace.append("evaluation: back on the client (\(error.reason))")
            return nil
        }
    }
}

/// A prepared query compiled to SQL: a work table per derived predicate, each stratum's rules
/// run semi-naively (a first round over everything, then rounds in which recursive rules read
/// only the previous round's rows), then the query's distinct answers.
struct ServerProgram {
    private struct CompiledStratum {
        let rules: [(rule: CompiledRule, table: String)]
        /// Each recursive rule once for each body atom of the stratum's predicates.
        let deltaRules: [(rule: CompiledRule, table: String, atom: Int)]
    }

    private let evaluator: Evaluator
    private let database: SQLEvaluatingStore
    private let compiler: SQLCompiler
    private let strata: [CompiledStratum]
    private let query: CompiledRule
    private let limit: Int?
    /// Work tables: name, arity, whether a recursive stratum reads them by round, and the
    /// stored facts they start with.
    private let tables: [(name: String, arity: Int, byRound: Bool, seed: String?)]
    private let storedPredicates: [(id: Int64, arity: Int)]

    init(_ prepared: Evaluator.PreparedQuery, evaluator: Evaluator, database: SQLEvaluatingStore) throws {
        self.evaluator = evaluator
        self.database = database
        var relations = SQLRelations(arity: { [catalog = evaluator.catalog] in catalog.arity(of: $0) ?? 0 }, stored: { _, _, _ in nil })
        var tables: [(name: String, arity: Int, byRound: Bool, seed: String?)] = []
        let recursive = Set(prepared.strata.filter(\.isRecursive).flatMap(\.predicates))
        for clause in prepared.clauses where relations.workTables[clause.head.predicate] == nil {
            let name = "kglog_w\(tables.count)"
            relations.workTables[clause.head.predicate] = name
            tables.append((name, relations.arity(clause.head.predicate), recursive.contains(clause.head.predicate), nil))
        }
        var storedPredicates: [Int64: Int] = [:]
        let arityOf = relations.arity
        relations.stored = { predicate, withSources, subjectBound in
            let stored = evaluator.introduced[predicate]?.storedPredicate ?? predicate
            guard let id = try evaluator.dictionary.storedID(for: stored) else { return nil }
            let arity = arityOf(predicate)
            storedPredicates[id] = arity
            return database.sqlFacts(predicate: id, arity: arity, withSources: withSources, subjectBound: subjectBound)
        }
        // A derived predicate with stored facts starts with them (round 0), as on the client.
        for (predicate, name) in relations.workTables {
            guard let seed = try relations.stored(predicate, false, false), let index = tables.firstIndex(where: { $0.name == name }) else { continue }
            let columns = (0..<max(tables[index].arity, 1)).map { "c\($0)" }.joined(separator: ", ")
            tables[index].seed = "INSERT INTO \(name) (\(columns), r) SELECT \(columns), 0 FROM \(seed) AS t ON CONFLICT DO NOTHING"
        }
        let compiler = SQLCompiler(relations: relations)
        self.strata = try prepared.strata.map { stratum in
            let rules = try stratum.rules.map { index in
                let rule = try RuleCompiler.compile(prepared.clauses[index], dictionary: evaluator.dictionary)
                return (rule, relations.workTables[rule.headPredicate]!)
            }
            var deltaRules: [(rule: CompiledRule, table: String, atom: Int)] = []
            if stratum.isRecursive {
                for (rule, table) in rules {
                    for (i, literal) in rule.body.enumerated() {
                        guard case .positive(let atom) = literal, atom.source == nil, stratum.predicates.contains(atom.predicate) else { continue }
                        deltaRules.append((rule, table, i))
                    }
                }
            }
            // Compile once here, so that what cannot be compiled is known before anything runs.
            for (rule, table) in rules { _ = try compiler.insert(rule, into: table, round: 1) }
            for (rule, table, atom) in deltaRules { _ = try compiler.insert(rule, into: table, round: 2, delta: atom) }
            return CompiledStratum(rules: rules, deltaRules: deltaRules)
        }
        query = try RuleCompiler.compile(prepared.query, dictionary: evaluator.dictionary)
        let options = prepared.query.options
        limit = options.orderBy.isEmpty ? options.limit.map { (options.offset ?? 0) + $0 } : nil
        _ = try compiler.query(query, limit: limit)
        self.compiler = compiler
        self.tables = tables
        self.storedPredicates = storedPredicates.map { ($0.key, $0.value) }.sorted { $0.id < $1.id }
    }

    /// The database's estimate of the stored rows the program reads.
    func estimatedStoredRows() throws -> Int {
        try storedPredicates.reduce(0) { $0 + (try database.estimatedRows(predicate: $1.id, arity: $1.arity)) }
    }

    /// Runs the program in a transaction that is undone; returns the answer rows, or with
    /// `counting` only their number.
    func run(counting: Bool) throws -> Evaluator.ServerAnswer {
        let evaluator = self.evaluator
        let checkpoint = evaluator.checkpoint
        let limit = evaluator.maximumDerivedFacts
        var derived = 0
        return try database.withDiscardedTransaction { session in
            for definition in SQLFunctions.definitions { _ = try session.run(definition) }
            for table in tables {
                let columns = (0..<max(table.arity, 1)).map { "c\($0)" }
                _ = try session.run("CREATE TEMP TABLE \(table.name) (" + columns.map { "\($0) bigint NOT NULL" }.joined(separator: ", ")
                                    + ", r integer NOT NULL, PRIMARY KEY (\(columns.joined(separator: ", "))))")
                if table.byRound { _ = try session.run("CREATE INDEX ON \(table.name) (r)") }
                if let seed = table.seed { _ = try session.run(seed) }
            }
            var sizes = [String: (rows: Int, analyzed: Int)]()
            /// Runs one rule's statement, counting what it adds against the limit.
            func add(_ rule: CompiledRule, into table: String, round: Int, delta: Int?) throws -> Int {
                try checkpoint?()
                let added = try session.run(try compiler.insert(rule, into: table, round: round, delta: delta))
                derived += added
                if derived > limit { throw EngineError.tooManyFacts(limit: limit, rule: rule.text) }
                sizes[table, default: (0, 0)].rows += added
                return added
            }
            /// Gives the database's planner the sizes of tables that have doubled since it last looked.
            func analyzeGrownTables() throws {
                for (table, size) in sizes where size.rows > 1_000 && size.rows > 2 * size.analyzed {
                    _ = try session.run("ANALYZE \(table)")
                    sizes[table]!.analyzed = size.rows
                }
            }
            for (number, stratum) in strata.enumerated() {
                let names = Set(stratum.rules.map(\.rule.headPredicate.sourceText)).sorted().joined(separator: ", ")
                evaluator.trace.append("stratum \(number + 1)\(stratum.deltaRules.isEmpty ? "" : " (recursive)"): \(names)")
                for (rule, table) in stratum.rules {
                    evaluator.trace.append("  rule: \(rule.text)")
                    evaluator.trace.append("    " + (try compiler.insert(rule, into: table, round: 1)))
                    _ = try add(rule, into: table, round: 1, delta: nil)
                }
                guard !stratum.deltaRules.isEmpty else { continue }
                for (rule, table, atom) in stratum.deltaRules {
                    evaluator.trace.append("  delta rule (round 2 shown): \(rule.text)")
                    evaluator.trace.append("    " + (try compiler.insert(rule, into: table, round: 2, delta: atom)))
                }
                var round = 1
                var added = 1
                while added > 0 {
                    try analyzeGrownTables()
                    round += 1
                    added = 0
                    for (rule, table, atom) in stratum.deltaRules {
                        added += try add(rule, into: table, round: round, delta: atom)
                    }
                }
                evaluator.trace.append("  \(round) rounds")
            }
            try analyzeGrownTables()
            var select = try compiler.query(query, limit: self.limit)
            if counting { select = "SELECT count(*) FROM (\(select)) AS answers" }
            evaluator.trace.append("query: \(query.text)")
            evaluator.trace.append("  " + select)
            if counting {
                let count = Int(try session.integers(select, width: 1).first ?? 0)
                evaluator.trace.append("  \(count) answers counted by the server")
                return .count(count)
            }
            let width = query.head.count
            let rows = try session.integers(select, width: max(width, 1))
            let answer = Relation(arity: width)
            if width == 0 {
                if !rows.isEmpty { answer.appendDistinct(rows: [0]) }
            } else {
                answer.appendDistinct(rows: rows)
            }
            evaluator.trace.append("  \(answer.count) answers from the server")
            return .rows(answer)
        }
    }
}
