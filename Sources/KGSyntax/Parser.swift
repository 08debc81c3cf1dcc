/// Reads kglog statements from tokens by recursive descent.
///
/// Each function implements one production of `Grammar/kglog.ebnf`, quoted above it. A syntax
/// error is recorded and the parser skips to the next `.` and goes on, so every error in a file
/// is reported in one pass.
public struct Parser {
    /// Where tokens come from, one at a time, so that a long text is never held as tokens.
    private var lexer: Lexer
    /// The next token, and the ones after it that `peek` has read.
    private var current: Token
    private var ahead: [Token] = []
    /// How many tokens have been taken: tells whether a statement made progress.
    private var taken = 0
    private var diagnostics: [Diagnostic] = []
    private var depth = 0
    /// The height of the expression tree the last expression parser returned: every walk over
    /// expressions recurses that deep, so it is capped like the nesting.
    private var lastHeight = 0
    /// Declared prefixes, by name without the colon; `prefix` statements add to them.
    private(set) var prefixes: [String: String]
    /// Whether a plain fact (`member-of(am, csto).`) is read straight from the bytes, without
    /// tokens: several times less work for the facts that make up most long texts.
    private let readsPlainFactsFromBytes: Bool

    /// Expressions nested deeper than this (parentheses, signs, or a chain of operators such as
    /// `1 + 1 + ... + 1`, which makes a tree as deep as it is long) are an error rather than a
    /// stack overflow in the walks over them.
    public static let maximumNesting = 500

    /// A thrown syntax error: recorded, then the parser resynchronizes.
    private struct Failure: Error {
        let diagnostic: Diagnostic
    }

    private init(text: String, prefixes: [String: String], plainFactsFromBytes: Bool) {
        self.lexer = Lexer(text)
        self.prefixes = prefixes
        readsPlainFactsFromBytes = plainFactsFromBytes
        current = lexer.next()
    }

    /// Parses a whole text: the statements read, and every lexical and syntax error found.
    /// `prefixes` are those declared before (a knowledge base keeps its own). With
    /// `plainFactsFromBytes` false every statement is read token by token: the same result,
    /// which tests and the fuzzer compare the quicker reading of plain facts against.
    public static func parse(_ text: String, prefixes: [String: String] = [:],
                             plainFactsFromBytes: Bool = true) -> (statements: [Statement], diagnostics: [Diagnostic]) {
        var statements: [Statement] = []
        let diagnostics = forEachStatement(in: text, prefixes: prefixes, plainFactsFromBytes: plainFactsFromBytes) { statement, _ in
            statements.append(statement)
        }
        return (statements, diagnostics)
    }

    /// Parses a text statement by statement, handing each to `body` as soon as it is read (a
    /// statement with an error is skipped); returns every lexical and syntax error. Memory
    /// stays flat however long the text, unless `body` keeps the statements.
    public static func forEachStatement(in text: String, prefixes: [String: String] = [:],
                                        _ body: (Statement) throws -> Void) rethrows -> [Diagnostic] {
        try forEachStatement(in: text, prefixes: prefixes) { statement, _ in try body(statement) }
    }

    /// As `forEachStatement`, telling `body` also whether an error came before the statement.
    public static func forEachStatement(in text: String, prefixes: [String: String] = [:], plainFactsFromBytes: Bool = true,
                                        _ body: (Statement, _ afterAnError: Bool) throws -> Void) rethrows -> [Diagnostic] {
        var parser = Parser(text: text, prefixes: prefixes, plainFactsFromBytes: plainFactsFromBytes)
        try parser.parseProgram(body)
        let all = parser.lexer.diagnostics + parser.diagnostics
        return all.enumerated().sorted { a, b in
            let (x, y) = (a.element.location, b.element.location)
            return (x.line, x.column, a.offset) < (y.line, y.column, b.offset)
        }.map(\.element)
    }

    // MARK: - Token helpers

    private mutating func peek(_ offset: Int = 1) -> Token {
        while ahead.count < offset && (ahead.last ?? current).kind != .endOfInput { ahead.append(lexer.next()) }
        return offset == 0 || ahead.isEmpty ? current : ahead[min(offset, ahead.count) - 1]
    }

    /// The kind of the token `offset` ahead, without copying the token.
    private mutating func peekKind(_ offset: Int = 1) -> Token.Kind {
        while ahead.count < offset && (ahead.last ?? current).kind != .endOfInput { ahead.append(lexer.next()) }
        return offset == 0 || ahead.isEmpty ? current.kind : ahead[min(offset, ahead.count) - 1].kind
    }

    private mutating func take() -> Token {
        guard current.kind != .endOfInput else { return current }
        let token = current
        skip()
        return token
    }

    /// Moves past the current token (`take` without keeping it).
    private mutating func skip() {
        guard current.kind != .endOfInput else { return }
        taken += 1
        current = ahead.isEmpty ? lexer.next() : ahead.removeFirst()
    }

    private func fail(_ error: SyntaxError, at location: SourceLocation) -> Failure {
        Failure(diagnostic: Diagnostic(error, at: location))
    }

    private func expected(_ what: String) -> Failure {
        fail(.expected(what, found: current.quoted), at: current.location)
    }

    @discardableResult
    private mutating func expect(_ kind: Token.Kind, _ what: String? = nil) throws(Failure) -> Token {
        guard current.kind == kind else { throw expected(what ?? "'\(kind.rawValue)'") }
        return take()
    }

    private mutating func isKeyword(_ word: String) -> Bool {
        current.kind == .name && current.text == word && [.name, .iri, .prefixedName].contains(peekKind())
    }

    private func text(from start: Token, through end: Token) -> String {
        String(decoding: lexer.bytes[start.range.lowerBound..<end.range.upperBound], as: UTF8.self)
    }

    /// Skips past the next `.` (or to a `}` or the end) after an error.
    private mutating func synchronize() {
        while current.kind != .endOfInput {
            let token = take()
            if token.kind == .period { return }
            if current.kind == .rightBrace { return }
        }
    }

    // MARK: - Statements

    // [1] program ::= { statement } END ;
    private mutating func parseProgram(_ body: (Statement, Bool) throws -> Void) rethrows {
        while current.kind != .endOfInput {
            let before = taken
            let start = current.location
            var parsed: [Statement] = []
            do {
                parsed = try parseStatement()
            } catch {
                // A lexical error earlier in the same statement already explains this one.
                let explained = lexer.diagnostics.contains { diagnostic in
                    let location = diagnostic.location
                    return (location.line, location.column) >= (start.line, start.column)
                        && (location.line, location.column) <= (error.diagnostic.location.line, error.diagnostic.location.column)
                }
                if !explained { diagnostics.append(error.diagnostic) }
                synchronize()
                if current.kind == .rightBrace && before == taken { skip() }
            }
            for statement in parsed { try body(statement, !diagnostics.isEmpty || !lexer.diagnostics.isEmpty) }
            if taken == before { skip() }
        }
    }

    // [2] statement ::= query | prefix-declaration | functional-declaration | functional-retraction
    //                 | source-retraction | rule-retraction | retraction | source-block | clause ;
    private mutating func parseStatement() throws(Failure) -> [Statement] {
        if current.kind == .query { return [.query(try parseQuery())] }
        if current.kind == .name && current.text == "prefix" && peekKind() == .prefixedName { return [.prefix(try parsePrefix())] }
        if isKeyword("functional") { return [.functional(try parseFunctional(first: take()))] }
        if isKeyword("retract") {
            if peekKind() == .name && peek().text == "source" && peekKind(2) != .leftParen && peekKind(2) != .period {
                return [.sourceRetraction(try parseSourceRetraction())]
            }
            if peekKind() == .name && peek().text == "functional" && [.name, .iri, .prefixedName].contains(peekKind(2)) {
                let first = take()
                skip()
                return [.functionalRetraction(try parseFunctional(first: first))]
            }
            return [try parseRetraction()]
        }
        if current.kind == .at { return try parseSourceBlock() }
        if current.kind == .rightBrace { throw expected("a statement") }
        return [.clause(try parseClause())]
    }

    // [3] clause ::= atom [ period ] [ "@" constant ] [ ":-" body ] "." ;
    private mutating func parseClause() throws(Failure) -> Clause {
        if let fact = plainFact() { return fact }
        let first = current
        let head = try parseAtom(expected: "a fact, a rule or a query")
        let validity = try parsePeriod()
        var source: Expression?
        if current.kind == .at {
            skip()
            source = try parseConstant(what: "a source constant after '@'")
        }
        var body: [Literal] = []
        if current.kind == .implies {
            let implies = take()
            if let validity { throw fail(.periodOnRule, at: validity.location) }
            if source != nil { throw fail(.sourceOnRule, at: implies.location) }
            body = try parseBody()
        }
        let period = try expect(.period, "'.' at the end of the statement")
        return Clause(head: head, source: source, body: body, location: first.location,
                      text: text(from: first, through: period), period: validity)
    }

    /// A plain fact, `name(name, ..., name).` on one line, read from the bytes after its
    /// predicate's name (`Lexer.plainFactArguments`); nil for any other text, which
    /// `parseClause` then reads token by token. Gives what reading the tokens would.
    private mutating func plainFact() -> Clause? {
        guard readsPlainFactsFromBytes, current.kind == .name, ahead.isEmpty, let predicate = current.value,
              let (names, end) = lexer.plainFactArguments() else { return nil }
        let first = current
        let arguments = names.map { Expression(.constant(.name($0.text)), at: $0.location) }
        lastHeight = 2
        taken += 2 * names.count + 3
        current = lexer.next()
        let text = String(decoding: lexer.bytes[first.range.lowerBound..<end], as: UTF8.self)
        return Clause(head: Atom(predicate: predicate, arguments: arguments, at: first.location), source: nil, body: [],
                      location: first.location, text: text)
    }

    // [4] query ::= "?-" body [ query-options ] "." ;
    private mutating func parseQuery() throws(Failure) -> Query {
        let first = take()
        let body = try parseBody()
        let options = try parseQueryOptions()
        let period = try expect(.period, "'.' at the end of the query")
        return Query(body: body, options: options, location: first.location, text: text(from: first, through: period))
    }

    // [4a] query-options ::= [ "order" "by" sort-key { "," sort-key } ] [ "limit" INTEGER ] [ "offset" INTEGER ] ;
    // [4b] sort-key ::= VARIABLE [ "asc" | "desc" ] ;
    private mutating func parseQueryOptions() throws(Failure) -> QueryOptions {
        var options = QueryOptions()
        if current.kind == .name && current.text == "order" {
            skip()
            guard current.kind == .name && current.text == "by" else { throw expected("'by' after 'order'") }
            skip()
            repeat {
                if current.kind == .comma { skip() }
                guard current.kind == .variable, current.text != "_" else { throw expected("a variable to order by") }
                let variable = take()
                var descending = false
                if current.kind == .name && (current.text == "desc" || current.text == "asc") {
                    descending = take().text == "desc"
                }
                options.orderBy.append(.init(variable: variable.text, descending: descending, location: variable.location))
            } while current.kind == .comma
        }
        if current.kind == .name && current.text == "limit" {
            skip()
            options.limit = try parseCount(after: "limit")
        }
        if current.kind == .name && current.text == "offset" {
            skip()
            options.offset = try parseCount(after: "offset")
        }
        return options
    }

    private mutating func parseCount(after keyword: String) throws(Failure) -> Int {
        guard current.kind == .integer, case .integer(let n)? = current.value, n >= 0, let count = Int(exactly: n) else {
            throw expected("a number of answers after '\(keyword)'")
        }
        skip()
        return count
    }

    // [5] retraction ::= "retract" atom [ period ] [ "@" ( constant | VARIABLE ) ] "." ;
    // [5c] rule-retraction ::= "retract" atom ":-" body "." ;
    private mutating func parseRetraction() throws(Failure) -> Statement {
        let first = take()
        let headStart = current
        let atom = try parseAtom(expected: "the fact or rule to retract")
        if current.kind == .implies {
            skip()
            let body = try parseBody()
            let period = try expect(.period, "'.' at the end of the statement")
            let rule = Clause(head: atom, source: nil, body: body, location: headStart.location,
                              text: text(from: headStart, through: period))
            return .ruleRetraction(RuleRetraction(rule: rule, location: first.location, text: text(from: first, through: period)))
        }
        let validity = try parsePeriod()
        let source = try parseSourceTerm()
        let period = try expect(.period, "'.' at the end of the statement")
        return .retraction(Retraction(atom: atom, source: source, location: first.location, text: text(from: first, through: period),
                                      period: validity))
    }

    // [5b] prefix-declaration ::= "prefix" PNAME-NS IRI "." ;
    private mutating func parsePrefix() throws(Failure) -> PrefixDeclaration {
        let first = take()
        let name = take()
        guard name.text.hasSuffix(":") else { throw fail(.expected("a prefix ending with ':', such as 'ex:'", found: name.quoted), at: name.location) }
        guard current.kind == .iri, case .iri(let iri)? = current.value else { throw expected("an IRI such as '<http://example.org/>'") }
        skip()
        let period = try expect(.period, "'.' at the end of the statement")
        let declaration = PrefixDeclaration(name: String(name.text.dropLast()), iri: iri, location: first.location,
                                            text: text(from: first, through: period))
        prefixes[declaration.name] = iri
        return declaration
    }

    /// The IRI a prefixed name stands for.
    private func resolve(_ token: Token) throws(Failure) -> Value {
        try resolve(token.text, at: token.location)
    }

    private func resolve(_ text: String, at location: SourceLocation) throws(Failure) -> Value {
        let colon = text.firstIndex(of: ":")!
        let name = String(text[..<colon])
        guard let base = prefixes[name] else { throw fail(.unknownPrefix(name + ":"), at: location) }
        return .iri(base + text[text.index(after: colon)...])
    }

    // [5d] functional-declaration ::= "functional" predicate "/" INTEGER "." ;
    // [5e] functional-retraction ::= "retract" "functional" predicate "/" INTEGER "." ;
    /// The rest of a declaration or its retraction, `first` being its first token.
    private mutating func parseFunctional(first: Token) throws(Failure) -> FunctionalDeclaration {
        let predicate: Value
        var arity: Int?
        var arityLocation = current.location
        let arityWanted = "'/' and the predicate's number of arguments, such as 'held-in/2'"
        if current.kind == .prefixedName {
            // A prefixed name's local part may hold '/': `ex:held-in/2` is one token.
            let token = take()
            if let slash = token.text.lastIndex(of: "/"), let n = Int(token.text[token.text.index(after: slash)...]) {
                predicate = try resolve(String(token.text[..<slash]), at: token.location)
                arity = n
            } else {
                predicate = try resolve(token)
            }
        } else {
            guard current.kind == .name || current.kind == .iri, let value = current.value else { throw expected("a predicate") }
            skip()
            predicate = value
        }
        if arity == nil {
            try expect(.slash, arityWanted)
            arityLocation = current.location
            guard current.kind == .integer, case .integer(let n)? = current.value, let count = Int(exactly: n) else { throw expected(arityWanted) }
            skip()
            arity = count
        }
        guard let arity, arity >= 1 else {
            throw fail(.expected("a number of arguments of 1 or more", found: "'\(arity ?? 0)'"), at: arityLocation)
        }
        let period = try expect(.period, "'.' at the end of the statement")
        return FunctionalDeclaration(predicate: predicate, arity: arity, location: first.location, text: text(from: first, through: period))
    }

    // [5a] source-retraction ::= "retract" "source" constant "." ;
    private mutating func parseSourceRetraction() throws(Failure) -> SourceRetraction {
        let first = take()
        skip()
        let source = try parseConstant(what: "the source to retract")
        let period = try expect(.period, "'.' at the end of the statement")
        return SourceRetraction(source: source, location: first.location, text: text(from: first, through: period))
    }

    // [6] source-block ::= "@" constant "{" { clause } "}" ;
    private mutating func parseSourceBlock() throws(Failure) -> [Statement] {
        skip()
        let source = try parseConstant(what: "a source constant after '@'")
        try expect(.leftBrace, "'{' to open the source block")
        var statements: [Statement] = []
        while current.kind != .rightBrace {
            if current.kind == .endOfInput { throw expected("'}' to close the source block") }
            do throws(Failure) {
                var clause = try parseClause()
                // The clause was read whole: report a misplaced rule or source without skipping on.
                if !clause.isFact {
                    diagnostics.append(Diagnostic(SyntaxError.ruleInSourceBlock, at: clause.location))
                } else if let own = clause.source {
                    diagnostics.append(Diagnostic(SyntaxError.sourceInSourceBlock, at: own.location))
                } else {
                    clause.source = source
                    statements.append(.clause(clause))
                }
            } catch {
                diagnostics.append(error.diagnostic)
                synchronize()
            }
        }
        skip()
        return statements
    }

    // MARK: - Bodies

    // [7] body ::= literal { "," literal } ;
    private mutating func parseBody() throws(Failure) -> [Literal] {
        var literals = [try parseLiteral()]
        while current.kind == .comma {
            skip()
            literals.append(try parseLiteral())
        }
        return literals
    }

    // [8] literal ::= negation | comparison | positive ;
    // [9] negation ::= "not" atom [ "@" ( constant | VARIABLE ) ] ;
    // [10] positive ::= atom [ "@" ( constant | VARIABLE ) ] ;
    // [11] comparison ::= expression compare-op expression ;
    /// `[ "@" ( constant | VARIABLE ) ]`: the source a literal or a retraction names, if any.
    private mutating func parseSourceTerm() throws(Failure) -> Expression? {
        guard current.kind == .at else { return nil }
        skip()
        if current.kind == .variable {
            let v = take()
            return Expression(.variable(v.text), at: v.location)
        } else if current.kind == .prefixedName {
            let token = take()
            return Expression(.constant(try resolve(token)), at: token.location)
        } else if let constant = current.value, current.kind != .variable {
            let token = take()
            return Expression(.constant(constant), at: token.location)
        }
        throw fail(.sourceMustBeConstantOrVariable(found: current.quoted), at: current.location)
    }

    private mutating func parseLiteral() throws(Failure) -> Literal {
        if isKeyword("not") {
            let not = take()
            var atom = try parseAtom(expected: "an atom after 'not'")
            atom.time = try parseTimeCondition()
            return .negated(atom, source: try parseSourceTerm(), location: not.location)
        }
        let start = current
        let left = try parseExpression()
        if let op = comparisonOperator(current.kind) {
            skip()
            let right = try parseExpression()
            return .comparison(left, op, right, location: start.location)
        }
        guard var atom = atom(from: left) else {
            throw fail(.notAnAtom(start.quoted), at: start.location)
        }
        atom.time = try parseTimeCondition()
        let source = try parseSourceTerm()
        return .positive(atom, source: source)
    }

    // [10a] time-condition ::= "at" term | "from" term "until" term ;
    //       term ::= constant | VARIABLE ;
    /// When a body atom must hold, if the atom is followed by `at` or `from`.
    private mutating func parseTimeCondition() throws(Failure) -> TimeCondition? {
        guard current.kind == .name, current.text == "at" || current.text == "from" else { return nil }
        if take().text == "at" { return .at(try parseTerm(what: "a date or a variable after 'at'")) }
        let from = try parseTerm(what: "a date or a variable after 'from'")
        guard current.kind == .name, current.text == "until" else { throw expected("'until' and the end of the period") }
        skip()
        return .during(from: from, until: try parseTerm(what: "a date or a variable after 'until'"))
    }

    /// A constant or a variable.
    private mutating func parseTerm(what: String) throws(Failure) -> Expression {
        if current.kind == .variable {
            let v = take()
            return Expression(.variable(v.text), at: v.location)
        }
        return try parseConstant(what: what)
    }

    // [3a] period ::= "from" DATE [ "until" DATE ] | "until" DATE ;
    /// The period of a fact (or of a retraction), if `from` or `until` follows the atom.
    private mutating func parsePeriod() throws(Failure) -> Period? {
        guard current.kind == .name, current.text == "from" || current.text == "until" else { return nil }
        let location = current.location
        func day(_ keyword: String) throws(Failure) -> Expression {
            let token = current
            let end = try parseConstant(what: "a date after '\(keyword)'")
            guard case .constant(.date) = end.kind else { throw fail(.periodEndNotADate(token.quoted), at: token.location) }
            return end
        }
        var from: Expression?
        if current.text == "from" {
            skip()
            from = try day("from")
        }
        var until: Expression?
        if current.kind == .name, current.text == "until" {
            skip()
            until = try day("until")
        }
        if let from, let until, case .constant(.date(let start)) = from.kind, case .constant(.date(let end)) = until.kind, end <= start {
            throw fail(.periodEndsBeforeItStarts(from: start.description, until: end.description), at: until.location)
        }
        return Period(from: from, until: until, location: location)
    }

    // [12] compare-op ::= "=" | "!=" | "<" | "<=" | ">" | ">=" ;
    private func comparisonOperator(_ kind: Token.Kind) -> ComparisonOperator? {
        switch kind {
        case .equal: return .equal
        case .notEqual: return .notEqual
        case .less: return .less
        case .lessEqual: return .lessEqual
        case .greater: return .greater
        case .greaterEqual: return .greaterEqual
        default: return nil
        }
    }

    /// A body expression that is an atom: a call `p(...)`, a bare name `p`, or an IRI predicate.
    private func atom(from expression: Expression) -> Atom? {
        switch expression.kind {
        case .call(let name, let args):
            // Names never start with '<': such a call is an IRI predicate (see parsePrimary).
            let predicate: Value = name.hasPrefix("<") ? .iri(String(name.dropFirst().dropLast())) : .name(name)
            return Atom(predicate: predicate, arguments: args, at: expression.location)
        case .constant(.name(let name)):
            return Atom(predicate: .name(name), arguments: [], at: expression.location)
        case .constant(.iri(let iri)):
            return Atom(predicate: .iri(iri), arguments: [], at: expression.location)
        default:
            return nil
        }
    }

    // MARK: - Atoms and expressions

    // [13] atom ::= predicate [ "(" [ expression { "," expression } ] ")" ] ;
    // [14] predicate ::= NAME | IRI ;
    private mutating func parseAtom(expected what: String) throws(Failure) -> Atom {
        if current.kind == .prefixedName {
            let token = take()
            let predicate = try resolve(token)
            var arguments: [Expression] = []
            if current.kind == .leftParen { arguments = try parseArguments() }
            return Atom(predicate: predicate, arguments: arguments, at: token.location)
        }
        guard current.kind == .name || current.kind == .iri, let predicate = current.value else {
            throw expected(what)
        }
        let token = take()
        var arguments: [Expression] = []
        if current.kind == .leftParen {
            arguments = try parseArguments()
        }
        return Atom(predicate: predicate, arguments: arguments, at: token.location)
    }

    /// `"(" [ expression { "," expression } ] ")"`, shared by productions 13 and 19.
    private mutating func parseArguments() throws(Failure) -> [Expression] {
        try expect(.leftParen)
        var arguments: [Expression] = []
        var height = 0
        if current.kind != .rightParen {
            arguments.append(try parseExpression())
            height = lastHeight
            while current.kind == .comma {
                skip()
                arguments.append(try parseExpression())
                height = max(height, lastHeight)
            }
        }
        try expect(.rightParen, "',' or ')'")
        // A call is one level above its deepest argument.
        lastHeight = height + 1
        return arguments
    }

    // [15] expression ::= product { ( "+" | "-" ) product } ;
    private mutating func parseExpression() throws(Failure) -> Expression {
        depth += 1
        defer { depth -= 1 }
        if depth > Parser.maximumNesting { throw fail(.nestedTooDeeply(limit: Parser.maximumNesting), at: current.location) }
        var left = try parseProduct()
        var height = lastHeight
        while current.kind == .plus || current.kind == .minus {
            let op = take()
            let right = try parseProduct()
            height = try grown(height, lastHeight, at: op)
            left = Expression(.binary(op.kind == .plus ? .add : .subtract, left, right), at: op.location)
        }
        lastHeight = height
        return left
    }

    /// The height of a binary expression over operands of heights `left` and `right`; an error
    /// past the nesting limit.
    private func grown(_ left: Int, _ right: Int, at op: Token) throws(Failure) -> Int {
        let height = max(left, right) + 1
        if height > Parser.maximumNesting { throw fail(.tooManyOperations(limit: Parser.maximumNesting), at: op.location) }
        return height
    }

    // [16] product ::= unary { ( "*" | "/" | "%" ) unary } ;
    private mutating func parseProduct() throws(Failure) -> Expression {
        var left = try parseUnary()
        var height = lastHeight
        while current.kind == .star || current.kind == .slash || current.kind == .percent {
            let op = take()
            let kind: ArithmeticOperator = op.kind == .star ? .multiply : (op.kind == .slash ? .divide : .remainder)
            let right = try parseUnary()
            height = try grown(height, lastHeight, at: op)
            left = Expression(.binary(kind, left, right), at: op.location)
        }
        lastHeight = height
        return left
    }

    // [17] unary ::= "-" unary | primary ;
    private mutating func parseUnary() throws(Failure) -> Expression {
        guard current.kind == .minus else { return try parsePrimary() }
        let minus = take()
        depth += 1
        defer { depth -= 1 }
        if depth > Parser.maximumNesting { throw fail(.nestedTooDeeply(limit: Parser.maximumNesting), at: minus.location) }
        let operand = try parseUnary()
        // A minus sign directly before a number is part of the literal: -5 is the integer -5.
        switch operand.kind {
        case .constant(.integer(let i)):
            return Expression(.constant(.integer(0 &- i)), at: minus.location)
        case .constant(.decimal(let d)):
            return Expression(.constant(.decimal(-d)), at: minus.location)
        default:
            lastHeight = try grown(lastHeight, 0, at: minus)
            return Expression(.unary(.subtract, operand), at: minus.location)
        }
    }

    // [18] primary ::= call | constant | VARIABLE | "(" expression ")" ;
    // [19] call ::= NAME "(" [ expression { "," expression } ] ")" ;
    // [20] constant ::= NAME | STRING | INTEGER | DECIMAL | DATE | IRI ;
    private mutating func parsePrimary() throws(Failure) -> Expression {
        let token = current
        lastHeight = 1
        switch token.kind {
        case .variable:
            skip()
            return Expression(.variable(token.text), at: token.location)
        case .name where peekKind() == .leftParen:
            skip()
            let arguments = try parseArguments()
            return Expression(.call(token.text, arguments), at: token.location)
        case .iri where peekKind() == .leftParen, .prefixedName where peekKind() == .leftParen:
            // An IRI predicate applied to arguments; only meaningful as an atom.
            skip()
            let iri = token.kind == .iri ? token.value?.lexical ?? "" : try resolve(token).lexical
            let arguments = try parseArguments()
            return Expression(.call("<\(iri)>", arguments), at: token.location)
        case .prefixedName:
            skip()
            return Expression(.constant(try resolve(token)), at: token.location)
        case .leftParen:
            skip()
            let inner = try parseExpression()
            try expect(.rightParen, "')'")
            return inner
        case .name, .string, .integer, .decimal, .date, .datetime, .iri, .blankNode:
            skip()
            return Expression(.constant(token.value ?? .name(token.text)), at: token.location)
        default:
            throw expected("a term")
        }
    }

    /// A constant where only a constant may stand (the source of a fact).
    private mutating func parseConstant(what: String) throws(Failure) -> Expression {
        switch current.kind {
        case .prefixedName:
            let token = take()
            return Expression(.constant(try resolve(token)), at: token.location)
        case .name, .string, .integer, .decimal, .date, .datetime, .iri, .blankNode:
            let token = take()
            return Expression(.constant(token.value ?? .name(token.text)), at: token.location)
        default:
            throw expected(what)
        }
    }
}
