import KGSyntax

/// Why a rule or query cannot be evaluated in the database (`--evaluate server` reports it;
/// `auto` evaluates on the client instead).
public struct NotCompiledToSQL: DiagnosticMessage, Equatable, CustomStringConvertible {
    public let reason: String
    public var message: String { "cannot evaluate on the server: \(reason)" }
    public var description: String { message }
}

/// Where a predicate's rows are read from in the SQL of an evaluation.
struct SQLRelations {
    /// The temporary table (columns `c0`...`cN`) of each predicate the evaluation derives.
    var workTables: [Value: String] = [:]
    /// Arities of every predicate the program uses.
    var arity: (Value) -> Int
    /// The stored facts of a predicate as a FROM item with columns `c0`...`cN` (and `g`, the
    /// source, when asked with sources); nil when nothing is stored for it.
    var stored: (_ predicate: Value, _ withSources: Bool, _ subjectBound: Bool) throws -> String?

    /// A relation with no rows and the columns of `predicate`'s.
    func empty(_ predicate: Value, withSources: Bool) -> String {
        let columns = (0..<arity(predicate)).map { "NULL::bigint AS c\($0)" } + (withSources ? ["NULL::bigint AS g"] : [])
        return "(SELECT \(columns.isEmpty ? "0 AS c0" : columns.joined(separator: ", ")) WHERE false)"
    }
}

/// Compiles rules (and queries, as rules with a hidden head) to PostgreSQL over term ids: each
/// rule one SELECT (joins in FROM and WHERE, `NOT EXISTS` for negation, `GROUP BY` for
/// aggregates), the rules of one predicate one `INSERT ... SELECT` of their distinct rows that
/// its table lacks. Only ids reach the text: integers this code writes itself, never a user's
/// string.
///
/// The emitted statements keep to what Citus runs on distributed tables: no recursive CTE, no
/// CTE inside `INSERT ... SELECT`; joins are on ids alone, and the helper functions that read
/// the dictionary appear only in the filters of comparisons and text tests (on Citus the
/// dictionary is a reference table every worker holds).
struct SQLCompiler {
    let relations: SQLRelations

    /// A rule's head rows as a SELECT with columns `c0`...`cN`. With `delta`, the body atom at
    /// that index reads that table (the previous round's new rows) instead of its whole relation.
    func select(_ rule: CompiledRule, delta: (atom: Int, table: String)? = nil) throws -> String {
        guard rule.aggregates.isEmpty else { return try aggregateSelect(rule) }
        let body = try Body(rule, relations: relations, delta: delta)
        let head = rule.head.isEmpty ? ["0 AS c0"] : try rule.head.enumerated().map { "\(try body.expression($0.element)) AS c\($0.offset)" }
        return "SELECT " + head.joined(separator: ", ") + body.fromAndWhere
    }

    /// The columns of a derived predicate's tables: `c0`...`cN`, and `c0` (always 0) for a
    /// predicate without arguments, since a table needs a column.
    static func columns(arity: Int) -> [String] {
        (0..<max(arity, 1)).map { "c\($0)" }
    }

    /// The statement putting into `target` the distinct rows of `selects` (of `arity` columns)
    /// that `table` does not hold yet. Rows are checked against the table first and made
    /// distinct after, so that only new rows are hashed twice.
    static func insert(_ selects: [String], into target: String, notIn table: String, arity: Int) -> String {
        let columns = SQLCompiler.columns(arity: arity)
        let known = columns.map { "x.\($0) = u.\($0)" }.joined(separator: " AND ")
        return "INSERT INTO \(target) (\(columns.joined(separator: ", "))) SELECT DISTINCT \(columns.map { "u.\($0)" }.joined(separator: ", "))"
            + " FROM (\(selects.joined(separator: " UNION ALL "))) AS u WHERE NOT EXISTS (SELECT 1 FROM \(table) AS x WHERE \(known))"
    }

    /// The query's distinct answers, at most `limit` of them.
    func query(_ rule: CompiledRule, limit: Int?) throws -> String {
        let body = try Body(rule, relations: relations, delta: nil)
        let head = rule.head.isEmpty ? ["0 AS c0"] : try rule.head.enumerated().map { "\(try body.expression($0.element)) AS c\($0.offset)" }
        let distinct = body.readsDistinctRows && rule.head.map(\.slot) == body.boundVariables.map({ Slot.variable($0) }) ? "" : "DISTINCT "
        return "SELECT " + distinct + head.joined(separator: ", ") + body.fromAndWhere + (limit.map { " LIMIT \($0)" } ?? "")
    }

    /// An aggregate rule: the body's distinct solutions, grouped by the head's other arguments.
    private func aggregateSelect(_ rule: CompiledRule) throws -> String {
        let body = try Body(rule, relations: relations, delta: nil)
        let solved = body.boundVariables
        let inner = "SELECT " + (body.readsDistinctRows ? "" : "DISTINCT ") + (solved.isEmpty ? "1 AS one" : solved.map { "\(body.bindings[$0]!) AS v\($0)" }.joined(separator: ", ")) + body.fromAndWhere
        let outer = Body(bindings: Dictionary(uniqueKeysWithValues: solved.map { ($0, "s.v\($0)") }))
        if let (position, aggregate) = rule.aggregates.first(where: { $0.value.function == .argMax || $0.value.function == .argMin }) {
            guard rule.aggregates.count == 1 else {
                throw NotCompiledToSQL(reason: "'\(aggregate.function.rawValue)' with other aggregates in the same head is computed on the client")
            }
            return try bestValueSelect(rule, position: position, aggregate: aggregate, inner: inner, outer: outer)
        }
        var keys: [String] = []
        var head: [String] = []
        for position in rule.head.indices {
            if let aggregate = rule.aggregates[position] {
                head.append(try aggregateExpression(aggregate, outer) + " AS c\(position)")
            } else {
                let key = try outer.expression(rule.head[position])
                keys.append(key)
                head.append(key + " AS c\(position)")
            }
        }
        return "SELECT " + head.joined(separator: ", ") + " FROM (\(inner)) AS s"
            + (keys.isEmpty ? "" : " GROUP BY " + keys.joined(separator: ", ")) + " HAVING count(*) > 0"
    }

    /// `arg-max(V, K)` or `arg-min(V, K)`, the head's one aggregate: every value of `V` whose `K`
    /// is the best of its group (ties give several rows). Keys compare as integers or as dates;
    /// a group with keys of other kinds is left to the client.
    private func bestValueSelect(_ rule: CompiledRule, position: Int, aggregate: CompiledAggregate, inner: String, outer: Body) throws -> String {
        var keys: [String] = []
        var columns: [String] = []
        for index in rule.head.indices {
            if index == position {
                columns.append(try outer.expression(aggregate.argument) + " AS c\(index)")
            } else {
                let key = try outer.expression(rule.head[index])
                keys.append(key)
                columns.append(key + " AS c\(index)")
            }
        }
        let key = try outer.expression(aggregate.key!)
        let window = "OVER (" + (keys.isEmpty ? "" : "PARTITION BY " + keys.joined(separator: ", ")) + ")"
        let best = aggregate.function == .argMax ? "max" : "min"
        let comparable = "(bool_and((\(key) >> 60) = \(SQLFunctions.integerShift)) \(window) OR bool_and((\(key) >> 60) = \(SQLFunctions.dateShift)) \(window))"
        let ranked = "SELECT " + columns.joined(separator: ", ") + ", \(SQLFunctions.payload(key)) AS k, \(best)(\(SQLFunctions.payload(key))) \(window) AS best, "
            + "\(comparable) AS comparable FROM (\(inner)) AS s"
        let names = rule.head.indices.map { "c\($0)" }.joined(separator: ", ")
        return "SELECT DISTINCT \(names) FROM (\(ranked)) AS r WHERE CASE WHEN r.comparable THEN r.k = r.best "
            + "ELSE pg_temp.kglog_client_only('\(aggregate.function.rawValue) of keys other than integers or dates') = 0 END"
    }

    private func aggregateExpression(_ aggregate: CompiledAggregate, _ body: Body) throws -> String {
        let argument = try body.expression(aggregate.argument)
        let payload = SQLFunctions.payload(argument)
        let isInteger = "bool_and((\(argument) >> 60) = \(SQLFunctions.integerShift))"
        let isDate = "bool_and((\(argument) >> 60) = \(SQLFunctions.dateShift))"
        let otherwise = "ELSE pg_temp.kglog_client_only('\(aggregate.function.rawValue) of values other than integers') END"
        switch aggregate.function {
        case .count: return SQLFunctions.countID("count(*)")
        case .countDistinct: return SQLFunctions.countID("count(DISTINCT \(argument))")
        case .sum: return "CASE WHEN \(isInteger) THEN pg_temp.kglog_integer_id(sum(\(payload))) \(otherwise)"
        case .min, .max:
            let function = aggregate.function.rawValue
            return "CASE WHEN \(isInteger) THEN pg_temp.kglog_integer_id(\(function)(\(payload))) "
                + "WHEN \(isDate) THEN pg_temp.kglog_date_id(\(function)(\(payload))) \(otherwise)"
        case .avg: throw NotCompiledToSQL(reason: "'avg' is computed on the client")
        case .argMax, .argMin: preconditionFailure("arg-max and arg-min are compiled by bestValueSelect")
        }
    }
}

/// A rule body as FROM and WHERE: each positive atom a FROM item, each variable bound to the
/// first column that holds it (or to the expression an `=` gives it), the rest conditions.
private struct Body {
    var bindings: [Int: String]
    private var from: [String] = []
    private var conditions: [String] = []

    init(bindings: [Int: String]) {
        self.bindings = bindings
    }

    init(_ rule: CompiledRule, relations: SQLRelations, delta: (atom: Int, table: String)?) throws {
        bindings = [:]
        // The variables that occur in more than one literal: what joins use.
        var seen = Set<Int>(), joined = Set<Int>()
        for literal in rule.body {
            for v in literal.neededVariables where !seen.insert(v).inserted { joined.insert(v) }
        }
        for (index, literal) in rule.body.enumerated() {
            guard case .positive(let atom) = literal else { continue }
            let alias = "t\(index)"
            let relation = delta?.atom == index ? delta!.table : try Body.relation(atom, relations, joined: joined)
            from.append("\(relation) AS \(alias)")
            for (column, slot) in zip(atom.arguments.indices, atom.arguments) { constrain("\(alias).c\(column)", slot) }
            if let source = atom.source { constrain("\(alias).g", source) }
        }
        if rule.body.count == 1, case .positive(let atom) = rule.body[0], atom.source == nil, delta == nil,
           relations.workTables[atom.predicate] != nil, atom.arguments == atom.arguments.indices.map({ Slot.variable($0) }) {
            readsDistinctRows = true
        }
        // Comparisons: an `=` with one side an unbound variable binds it; the rest are tests,
        // placed once their variables are bound (safety has made sure they all will be).
        var pending = rule.body.filter { if case .comparison = $0 { return true } else { return false } }
        while !pending.isEmpty {
            let before = pending.count
            pending = try pending.filter { literal in
                guard case .comparison(let left, let op, let right, _) = literal else { return false }
                if op == .equal, case .variable(let v) = left, bindings[v] == nil, let value = try expressionIfBound(right) {
                    bindings[v] = value
                } else if op == .equal, case .variable(let v) = right, bindings[v] == nil, let value = try expressionIfBound(left) {
                    bindings[v] = value
                } else if let a = try expressionIfBound(left), let b = try expressionIfBound(right) {
                    conditions.append(Body.comparison(a, op, b))
                } else {
                    return true
                }
                return false
            }
            guard pending.count < before else { throw NotCompiledToSQL(reason: "a comparison's variables are never bound in '\(rule.text)'") }
        }
        for literal in rule.body {
            switch literal {
            case .negated(let atom):
                conditions.append("NOT EXISTS (SELECT 1 FROM " + (try negated(atom, relations)) + ")")
            case .builtin(let builtin, let arguments, let negated, _):
                let test = try Body.test(builtin, try arguments.map { try expression($0) })
                conditions.append(negated ? "NOT \(test)" : test)
            case .positive, .comparison:
                break
            }
        }
    }

    /// Whether the body is one atom of a derived predicate with a distinct variable in each
    /// column: its solutions are the rows of that predicate's table, distinct already.
    private(set) var readsDistinctRows = false

    /// The variables bound by the body, in number order.
    var boundVariables: [Int] { bindings.keys.sorted() }

    var fromAndWhere: String {
        (from.isEmpty ? "" : " FROM " + from.joined(separator: ", "))
            + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
    }

    private mutating func constrain(_ column: String, _ slot: Slot) {
        switch slot {
        case .variable(let v):
            if let bound = bindings[v] { conditions.append("\(column) = \(bound)") } else { bindings[v] = column }
        case .constant(let id): conditions.append("\(column) = \(Body.literal(id))")
        case .anonymous: break
        }
    }

    /// `relation AS n WHERE ...` for `NOT EXISTS`: the atom's columns matched against what is
    /// bound; a variable only the negated atom has matches itself where it repeats.
    private func negated(_ atom: CompiledAtom, _ relations: SQLRelations) throws -> String {
        var local = self
        local.conditions = []
        local.from = []
        // Its variables are bound by the rest of the body: the facts are looked up by them.
        let relation = try Body.relation(atom, relations, joined: atom.variables)
        for (column, slot) in zip(atom.arguments.indices, atom.arguments) { local.constrain("n.c\(column)", slot) }
        if let source = atom.source { local.constrain("n.g", source) }
        return "\(relation) AS n" + (local.conditions.isEmpty ? "" : " WHERE " + local.conditions.joined(separator: " AND "))
    }

    private static func relation(_ atom: CompiledAtom, _ relations: SQLRelations, joined: Set<Int>? = nil) throws -> String {
        if atom.source == nil, let table = relations.workTables[atom.predicate] { return table }
        // Found by subject: a constant subject, or one joined with another literal, unless the
        // object is a constant (then by object).
        var subjectBound = false
        switch (atom.arguments.first, atom.arguments.dropFirst().first) {
        case (_, .constant?): subjectBound = false
        case (.constant?, _): subjectBound = true
        case (.variable(let v)?, _): subjectBound = (joined ?? []).contains(v)
        default: break
        }
        return try relations.stored(atom.predicate, atom.source != nil, subjectBound) ?? relations.empty(atom.predicate, withSources: atom.source != nil)
    }

    static func literal(_ id: Int64) -> String { id < 0 ? "(\(id))" : "\(id)" }

    /// The SQL of an expression; nil while one of its variables is unbound.
    private func expressionIfBound(_ computation: Computation) throws -> String? {
        guard computation.variables.allSatisfy({ bindings[$0] != nil }) else { return nil }
        return try expression(computation)
    }

    /// The SQL of an expression whose variables are bound. Addition and subtraction of two
    /// inline integers are written out; other arithmetic calls `kglog_arithmetic`.
    func expression(_ computation: Computation) throws -> String {
        switch computation {
        case .constant(_, let id): return Body.literal(id)
        case .variable(let v):
            guard let bound = bindings[v] else { throw NotCompiledToSQL(reason: "a variable is not bound") }
            return bound
        case .unary(let op, let operand, _):
            guard op == .subtract else { throw NotCompiledToSQL(reason: "unary '\(op.rawValue)'") }
            return "pg_temp.kglog_arithmetic('-', \(SQLFunctions.integerBase), \(try expression(operand)))"
        case .binary(let op, let a, let b, _):
            let (x, y) = (try expression(a), try expression(b))
            if (op == .add || op == .subtract), a.slot != nil, b.slot != nil {
                let result = "(\(SQLFunctions.payload(x)) \(op.rawValue) \(SQLFunctions.payload(y)))"
                let integers = "(\(x) >> 60) = \(SQLFunctions.integerShift) AND (\(y) >> 60) = \(SQLFunctions.integerShift)"
                return "(CASE WHEN \(integers) AND \(result) BETWEEN \(SQLFunctions.inlineMinimum) AND \(SQLFunctions.inlineMaximum) "
                    + "THEN \(SQLFunctions.integerBase) | (\(result) & \(SQLFunctions.payloadMask)) "
                    + "ELSE pg_temp.kglog_arithmetic('\(op.rawValue)', \(x), \(y)) END)"
            }
            return "pg_temp.kglog_arithmetic('\(op.rawValue)', \(x), \(y))"
        case .call(let function, let arguments, _):
            let values = try arguments.map { try expression($0) }
            switch function {
            case .year, .month, .day: return "pg_temp.kglog_date_part('\(function.rawValue)', \(values[0]))"
            case .daysBetween:
                let dates = "(\(values[0]) >> 60) = \(SQLFunctions.dateShift) AND (\(values[1]) >> 60) = \(SQLFunctions.dateShift)"
                return "(CASE WHEN \(dates) THEN pg_temp.kglog_arithmetic('-', \(values[1]), \(values[0])) "
                    + "ELSE pg_temp.kglog_client_only('days-between of values other than dates') END)"
            case .date: return "pg_temp.kglog_make_date(\(values.joined(separator: ", ")))"
            default: throw NotCompiledToSQL(reason: "the function '\(function.rawValue)' is computed on the client")
            }
        }
    }

    /// A built-in test on the text of two values.
    static func test(_ builtin: BuiltinPredicate, _ arguments: [String]) throws -> String {
        let (text, part) = ("pg_temp.kglog_text(\(arguments[0]))", "pg_temp.kglog_text(\(arguments[1]))")
        switch builtin {
        case .contains: return "(strpos(\(text), \(part)) > 0)"
        case .startsWith: return "starts_with(\(text), \(part))"
        case .endsWith: return "(right(\(text), length(\(part))) = \(part))"
        case .matches: throw NotCompiledToSQL(reason: "the built-in 'matches' is computed on the client (its regular expressions are not PostgreSQL's)")
        }
    }

    /// `a op b` as the client decides it: equal ids are equal values, and only an inline decimal
    /// can equal a value with another id; integers and dates of one kind order by payload.
    static func comparison(_ a: String, _ op: ComparisonOperator, _ b: String) -> String {
        let decimal = "(((\(a) >> 60) & 7) = 2 OR ((\(b) >> 60) & 7) = 2)"
        let equal = "(\(a) = \(b) OR (\(decimal) AND coalesce(pg_temp.kglog_compare(\(a), \(b)) = 0, false)))"
        switch op {
        case .equal: return equal
        case .notEqual: return "NOT \(equal)"
        default:
            let sameInlineKind = "(\(a) >> 60) IN (\(SQLFunctions.integerShift), \(SQLFunctions.dateShift)) AND (\(a) >> 60) = (\(b) >> 60)"
            return "coalesce(CASE WHEN \(sameInlineKind) THEN \(SQLFunctions.payload(a)) \(op.rawValue) \(SQLFunctions.payload(b)) "
                + "ELSE pg_temp.kglog_compare(\(a), \(b)) \(op.rawValue) 0 END, false)"
        }
    }
}
