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
    /// The stored facts of a predicate as a FROM item with columns `c0`...`cN`, and `g`, the
    /// source, with `withSources` (facts without a source left out). Each fact comes once unless
    /// `subjectBound`: for facts found by subject, reading in subject order matters more than a
    /// fact repeated for each of its sources (the SQL makes its rows distinct anyway).
    func sqlFacts(predicate: Int64, arity: Int, withSources: Bool, subjectBound: Bool) -> String

    /// The database's estimate of a predicate's stored rows, from its statistics (cheap).
    func estimatedRows(predicate: Int64, arity: Int) throws -> Int

    /// Runs `body` in a transaction (a savepoint inside one) that is rolled back at the end,
    /// whatever happens. A statement the database refuses with SQLSTATE `KGL01` throws
    /// `ComputedOnClient`.
    func withDiscardedTransaction<T>(_ body: (SQLSession) throws -> T) throws -> T
}

/// A value bound to a statement's `$1`, `$2`...: sent beside the text, never spliced into it.
public enum SQLParameter: Sendable, Equatable {
    case integer(Int64)
    case text(String)
}

/// Statements of one evaluation in the database.
public protocol SQLSession {
    /// Runs a statement with its parameters; returns the number of rows it inserted. While it
    /// runs, `checkpoint` is called regularly: when it throws, the statement is cancelled and
    /// its error thrown.
    func run(_ sql: String, _ parameters: [SQLParameter], checkpoint: (() throws -> Void)?) throws -> Int
    /// The rows of a query of integer columns, packed row after row; `checkpoint` as for `run`.
    func integers(_ sql: String, checkpoint: (() throws -> Void)?) throws -> [Int64]
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
    /// The default of `serverThreshold`. Below this many stored rows to read (the database's
    /// estimate), bringing them over (about a million rows a second) and evaluating here costs
    /// less: the engine is several times faster than rounds of SQL on the same work
    /// (bench/README.md). Above it, the rows' transfer and the client's memory dominate.
    public static let defaultServerThreshold = 5_000_000

    /// What the database sends back: the answer rows, or only their number.
    enum ServerAnswer {
        case rows(Relation)
        case count(Int)
    }

    /// The query compiled to SQL when it is to be evaluated in the database; nil when it is
    /// evaluated here (the trace says why).
    func serverProgram(for prepared: PreparedQuery) throws -> ServerProgram? {
        guard site != .client else { return nil }
        if let reason = evaluatedHereBecause {
            if site == .server { throw Diagnostic(NotCompiledToSQL(reason: reason), at: prepared.query.location) }
            trace.append("evaluation: on the client (auto: \(reason))")
            return nil
        }
        guard let database = store as? SQLEvaluatingStore else {
            if site == .server {
                throw Diagnostic(NotCompiledToSQL(reason: "the knowledge base is not on a database server (--evaluate server needs PostgreSQL)"), at: prepared.query.location)
            }
            return nil
        }
        let program: ServerProgram
        do {
            guard !usesPeriods else { throw NotCompiledToSQL(reason: "periods (valid time) are evaluated on the client") }
            let read = prepared.query.body + prepared.clauses.flatMap(\.body)
            guard !read.contains(where: { $0.atom.flatMap { introduced[$0.predicate] }?.isTextMatch == true }) else {
                throw NotCompiledToSQL(reason: "text-match reads the text index on the client")
            }
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
        return program
    }

    /// Runs `program`: the query's answers, or with `counting` their number; nil when a value
    /// only the client computes sends an `auto` evaluation back here.
    func answer(of program: ServerProgram, _ prepared: PreparedQuery, counting: Bool) throws -> ServerAnswer? {
        do {
            return try program.run(counting: counting)
        } catch let error as ComputedOnClient {
            guard site == .auto else { throw Diagnostic(error, at: prepared.query.location) }
            trace.append("evaluation: back on the client (\(error.reason))")
            return nil
        }
    }
}

/// A prepared query compiled to SQL: a table per derived predicate, each stratum's rules run
/// semi-naively (a first round over everything, then rounds in which recursive rules read only
/// the previous round's new rows, kept in a delta table of their own), then the query's
/// distinct answers.
struct ServerProgram {
    /// A derived predicate's tables: all its rows (keyed by them), and for a recursive one two
    /// delta tables that rounds take turns writing (round k writes `deltas[k % 2]`).
    private struct Tables {
        let full: String
        let deltas: [String]
        let arity: Int
        /// Its stored facts, copied in first.
        var seed: String?
    }

    /// The rules of one predicate of a stratum, as SELECTs.
    private struct Rules {
        let table: Int
        let texts: [String]
        /// The first round's SELECTs, over whole relations.
        let first: [String]
        /// A later round's SELECTs, by the parity of the round they read: each recursive rule
        /// once for each body atom of the stratum's predicates, that atom reading its delta.
        let later: [[String]]
    }

    private struct CompiledStratum {
        let rules: [Rules]
        let isRecursive: Bool
        let names: String
    }

    private let evaluator: Evaluator
    private let database: SQLEvaluatingStore
    private let strata: [CompiledStratum]
    private let tables: [Tables]
    private let query: String
    private let queryText: String
    private let width: Int
    private let storedPredicates: [(id: Int64, arity: Int)]

    init(_ prepared: Evaluator.PreparedQuery, evaluator: Evaluator, database: SQLEvaluatingStore) throws {
        self.evaluator = evaluator
        self.database = database
        var relations = SQLRelations(arity: { [catalog = evaluator.catalog] in catalog.arity(of: $0) ?? 0 }, stored: { _, _, _ in nil })
        var tables: [Tables] = []
        var tableOf: [Value: Int] = [:]
        let recursive = Set(prepared.strata.filter(\.isRecursive).flatMap(\.predicates))
        for clause in prepared.clauses where tableOf[clause.head.predicate] == nil {
            let name = "kglog_w\(tables.count)"
            tableOf[clause.head.predicate] = tables.count
            relations.workTables[clause.head.predicate] = name
            let deltas = recursive.contains(clause.head.predicate) ? [name + "_d0", name + "_d1"] : []
            tables.append(Tables(full: name, deltas: deltas, arity: relations.arity(clause.head.predicate)))
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
        // A derived predicate with stored facts starts with them, as on the client.
        for (predicate, index) in tableOf {
            guard let seed = try relations.stored(predicate, false, false) else { continue }
            let columns = SQLCompiler.columns(arity: tables[index].arity).joined(separator: ", ")
            tables[index].seed = "INSERT INTO \(tables[index].full) (\(columns)) SELECT DISTINCT \(columns) FROM \(seed) AS t"
        }
        let compiler = SQLCompiler(relations: relations)
        strata = try prepared.strata.map { stratum in
            let compiled = try stratum.rules.map { try RuleCompiler.compile(prepared.clauses[$0], dictionary: evaluator.dictionary) }
            var order: [Value] = []
            for rule in compiled where !order.contains(rule.headPredicate) { order.append(rule.headPredicate) }
            let rules = try order.map { predicate in
                let own = compiled.filter { $0.headPredicate == predicate }
                var later: [[String]] = [[], []]
                if stratum.isRecursive {
                    for rule in own {
                        for (i, literal) in rule.body.enumerated() {
                            guard case .positive(let atom) = literal, atom.source == nil, stratum.predicates.contains(atom.predicate) else { continue }
                            for parity in 0..<2 {
                                later[parity].append(try compiler.select(rule, delta: (i, tables[tableOf[atom.predicate]!].deltas[parity])))
                            }
                        }
                    }
                }
                return Rules(table: tableOf[predicate]!, texts: own.map(\.text), first: try own.map { try compiler.select($0) }, later: later)
            }
            return CompiledStratum(rules: rules, isRecursive: stratum.isRecursive,
                                   names: order.map(\.sourceText).sorted().joined(separator: ", "))
        }
        let query = try RuleCompiler.compile(prepared.query, columns: prepared.columns, dictionary: evaluator.dictionary)
        let options = prepared.query.options
        self.query = try compiler.query(query, limit: options.orderBy.isEmpty ? options.limit.map { (options.offset ?? 0) + $0 } : nil)
        queryText = query.text
        width = query.head.count
        self.tables = tables
        self.storedPredicates = storedPredicates.map { ($0.key, $0.value) }.sorted { $0.id < $1.id }
    }

    /// The database's estimate of the stored rows the program reads.
    func estimatedStoredRows() throws -> Int {
        try storedPredicates.reduce(0) { $0 + (try database.estimatedRows(predicate: $1.id, arity: $1.arity)) }
    }

    /// Settings of the evaluation's transaction: memory for hashing a round's rows (without
    /// it, they spill to disk); hash joins rather than sorting both sides to merge them (a
    /// round's rows are checked against a whole table); no JIT compilation, which costs more
    /// than it saves on statements run once.
    static let settings = ["SET LOCAL work_mem = '256MB'", "SET LOCAL enable_mergejoin = off", "SET LOCAL jit = off"]

    /// Runs the program in a transaction that is undone; returns the answer rows, or with
    /// `counting` only their number.
    func run(counting: Bool) throws -> Evaluator.ServerAnswer {
        let evaluator = self.evaluator
        let checkpoint = evaluator.checkpoint
        let limit = evaluator.maximumDerivedFacts
        var derived = 0
        return try database.withDiscardedTransaction { session in
            let run = { (sql: String) throws -> Int in try session.run(sql, [], checkpoint: checkpoint) }
            for statement in ServerProgram.settings + SQLFunctions.definitions { _ = try run(statement) }
            // The texts of constants the dictionary lacks, for the built-in tests.
            _ = try run("CREATE TEMP TABLE kglog_texts (id bigint PRIMARY KEY, lexical text NOT NULL)")
            for (id, text) in evaluator.dictionary.temporaryTexts() {
                _ = try session.run("INSERT INTO kglog_texts (id, lexical) VALUES ($1, $2)", [.integer(id), .text(text)], checkpoint: checkpoint)
            }
            for table in tables {
                let columns = SQLCompiler.columns(arity: table.arity)
                let definition = columns.map { "\($0) bigint NOT NULL" }.joined(separator: ", ")
                _ = try run("CREATE TEMP TABLE \(table.full) (\(definition), PRIMARY KEY (\(columns.joined(separator: ", "))))")
                for delta in table.deltas { _ = try run("CREATE TEMP TABLE \(delta) (\(definition))") }
                if let seed = table.seed { _ = try run(seed) }
            }
            var sizes = [Int](repeating: 0, count: tables.count)
            var analyzed = [Int](repeating: 0, count: tables.count)
            var newRows = [Int](repeating: 0, count: tables.count)
            /// Gives the database's planner the sizes of tables that have doubled since it last
            /// looked, and of a round's new rows when there are many.
            func analyzeGrownTables(round: Int? = nil) throws {
                for i in tables.indices where sizes[i] > 1_000 && sizes[i] > 2 * analyzed[i] {
                    _ = try run("ANALYZE \(tables[i].full)")
                    analyzed[i] = sizes[i]
                }
                guard let round else { return }
                for i in tables.indices where !tables[i].deltas.isEmpty && newRows[i] > 1_000 {
                    _ = try run("ANALYZE \(tables[i].deltas[round % 2])")
                }
            }
            /// Runs a statement adding derived rows, counting them against the limit.
            func add(_ statement: String, rules: Rules) throws -> Int {
                try checkpoint?()
                let added = try run(statement)
                derived += added
                if derived > limit { throw EngineError.tooManyFacts(limit: limit, rule: rules.texts.count == 1 ? rules.texts[0] : nil) }
                return added
            }
            for (number, stratum) in strata.enumerated() {
                evaluator.trace.append("stratum \(number + 1)\(stratum.isRecursive ? " (recursive)" : ""): \(stratum.names)")
                for rules in stratum.rules {
                    let table = tables[rules.table]
                    let target = stratum.isRecursive ? table.deltas[1] : table.full
                    let statement = SQLCompiler.insert(rules.first, into: target, notIn: table.full, arity: table.arity)
                    evaluator.trace += rules.texts.map { "  rule: " + $0 }
                    evaluator.trace.append("    " + statement)
                    newRows[rules.table] = try add(statement, rules: rules)
                    sizes[rules.table] += newRows[rules.table]
                }
                guard stratum.isRecursive else { try analyzeGrownTables(); continue }
                for rules in stratum.rules where !rules.later[1].isEmpty {
                    let table = tables[rules.table]
                    evaluator.trace.append("  later rounds of \(rules.texts.count == 1 ? "the rule" : "its \(rules.texts.count) rules"), each recursive atom reading the last round's rows (round 2 shown):")
                    evaluator.trace.append("    " + SQLCompiler.insert(rules.later[1], into: table.deltas[0], notIn: table.full, arity: table.arity))
                }
                var round = 1
                var added = 1
                while added > 0 {
                    for rules in stratum.rules {
                        let table = tables[rules.table]
                        _ = try run("INSERT INTO \(table.full) SELECT * FROM \(table.deltas[round % 2])")
                    }
                    try analyzeGrownTables(round: round)
                    round += 1
                    added = 0
                    for rules in stratum.rules {
                        let table = tables[rules.table]
                        let target = table.deltas[round % 2]
                        _ = try run("TRUNCATE \(target)")
                        newRows[rules.table] = 0
                        let selects = rules.later[(round - 1) % 2]
                        guard !selects.isEmpty else { continue }
                        let new = try add(SQLCompiler.insert(selects, into: target, notIn: table.full, arity: table.arity), rules: rules)
                        newRows[rules.table] = new
                        sizes[rules.table] += new
                        added += new
                    }
                }
                evaluator.trace.append("  \(round) rounds")
            }
            evaluator.trace.append("query: \(queryText)")
            if counting {
                let select = "SELECT count(*) FROM (\(query)) AS answers"
                evaluator.trace.append("  " + select)
                let count = Int(try session.integers(select, checkpoint: checkpoint).first ?? 0)
                evaluator.trace.append("  \(count) answers counted by the server")
                return .count(count)
            }
            evaluator.trace.append("  " + query)
            let rows = try session.integers(query, checkpoint: checkpoint)
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
