import XCTest
@testable import KGSyntax

final class LexerTests: XCTestCase {
    /// Tokens as `kind:text` pairs, without the end-of-input token.
    private func lex(_ text: String) -> [String] {
        let (tokens, diagnostics) = Lexer.tokenize(text)
        XCTAssertEqual(diagnostics.map(\.description), [], "unexpected lexical errors")
        return tokens.dropLast().map { "\($0.kind.rawValue):\($0.text)" }
    }

    private func errors(_ text: String) -> [String] {
        Lexer.tokenize(text).diagnostics.map(\.description)
    }

    func testFactWithHyphenatedNamesAndSource() {
        XCTAssertEqual(lex("held-in(csto-council-2012-05, astana) @ arminfo-2012-04-27."), [
            "name:held-in", "(:(", "name:csto-council-2012-05", ",:,", "name:astana", "):)",
            "@:@", "name:arminfo-2012-04-27", ".:.",
        ])
    }

    func testRuleWithNegationComparisonAndArithmetic() {
        XCTAssertEqual(lex("n(Y2) :- y(Y), not z(_), Y2 = Y + 1, Y != 0, Y <= 9, Y >= 1, Y < 5, Y > 2."), [
            "name:n", "(:(", "variable:Y2", "):)", ":-::-", "name:y", "(:(", "variable:Y", "):)", ",:,",
            "name:not", "name:z", "(:(", "variable:_", "):)", ",:,",
            "variable:Y2", "=:=", "variable:Y", "+:+", "integer:1", ",:,",
            "variable:Y", "!=:!=", "integer:0", ",:,", "variable:Y", "<=:<=", "integer:9", ",:,",
            "variable:Y", ">=:>=", "integer:1", ",:,", "variable:Y", "<:<", "integer:5", ",:,",
            "variable:Y", ">:>", "integer:2", ".:.",
        ])
    }

    func testLiteralsOfEveryKind() {
        let (tokens, diagnostics) = Lexer.tokenize(#"?- p(42, 3.25, 2012-05-03, "ОДКБ \"q\" \\ \n \t \u00e9", <http://example.org/a#b>, _Skip)."#)
        XCTAssertEqual(diagnostics.count, 0)
        XCTAssertEqual(tokens.compactMap(\.value), [
            .name("p"), .integer(42), .decimal(Decimal(string: "3.25")!),
            .date(CalendarDate(year: 2012, month: 5, day: 3)!), .string("ОДКБ \"q\" \\ \n \t é"),
            .iri("http://example.org/a#b"),
        ])
        XCTAssertEqual(tokens.first?.kind, .query)
    }

    func testSurrogatePairEscapeAndLongEscape() {
        let (tokens, diagnostics) = Lexer.tokenize(#""\uD83D\uDE00 \U0001F600""#)
        XCTAssertEqual(diagnostics.count, 0)
        XCTAssertEqual(tokens.first?.value, .string("😀 😀"))
    }

    func testSubtractionNeedsSpacesButHyphenatedNamesDoNot() {
        XCTAssertEqual(lex("X = Y - 1"), ["variable:X", "=:=", "variable:Y", "-:-", "integer:1"])
        XCTAssertEqual(lex("a-b - c"), ["name:a-b", "-:-", "name:c"])
        XCTAssertEqual(lex("X-1"), ["variable:X", "-:-", "integer:1"])
        XCTAssertEqual(errors("X = 5-3."), ["1:5: error: '5-3' is not a date (YYYY-MM-DD); write a subtraction with spaces, as 'a - b'"])
    }

    func testPercentIsRemainderAfterOperandsAndACommentElsewhere() {
        XCTAssertEqual(lex("X = Y % 2. % a comment"), ["variable:X", "=:=", "variable:Y", "%:%", "integer:2", ".:."])
        XCTAssertEqual(lex("X = (Y + 1) % 2."), ["variable:X", "=:=", "(:(", "variable:Y", "+:+", "integer:1", "):)", "%:%", "integer:2", ".:."])
        XCTAssertEqual(lex("X = (Y + 1) % (N)."), ["variable:X", "=:=", "(:(", "variable:Y", "+:+", "integer:1", "):)", "%:%", "(:(", "variable:N", "):)", ".:."])
        XCTAssertEqual(lex("p(a). % Note: 5 rows\nq(b)."), ["name:p", "(:(", "name:a", "):)", ".:.", "name:q", "(:(", "name:b", "):)", ".:."])
        XCTAssertEqual(lex("p(X) :- q(X)  % the comment\n , r(X)."), [
            "name:p", "(:(", "variable:X", "):)", ":-::-", "name:q", "(:(", "variable:X", "):)",
            ",:,", "name:r", "(:(", "variable:X", "):)", ".:.",
        ])
    }

    func testLessThanIsNotAnIRI() {
        XCTAssertEqual(lex("X<Y, Y>Z"), ["variable:X", "<:<", "variable:Y", ",:,", "variable:Y", ">:>", "variable:Z"])
        XCTAssertEqual(lex("<http://x/e>(A, B)"), ["iri:<http://x/e>", "(:(", "variable:A", ",:,", "variable:B", "):)"])
    }

    func testSourceBlockTokens() {
        XCTAssertEqual(lex("@ s { p(a). }"), ["@:@", "name:s", "{:{", "name:p", "(:(", "name:a", "):)", ".:.", "}:}"])
    }

    func testColumnsCountCharactersNotBytes() {
        let (tokens, _) = Lexer.tokenize("p(\"ОДКБ\", x)")
        XCTAssertEqual(tokens.map(\.location.column), [1, 2, 3, 9, 11, 12, 13])
    }

    func testEveryLexicalErrorWithItsPosition() {
        XCTAssertEqual(errors("p(a) $ q.\n\"open\nr(\"\\q\").\n99999999999999999999 2013-02-29 \"\\u12\" <http://x"), [
            "1:6: error: unexpected character '$'",
            "2:1: error: unterminated string: a string must end with '\"' on the same line",
            "3:4: error: invalid escape '\\q' in string: use \\\" \\\\ \\n \\t \\r or \\uXXXX",
            "4:1: error: integer '99999999999999999999' does not fit in 64 bits",
            "4:22: error: invalid date '2013-02-29': no such day",
            "4:34: error: invalid unicode escape '\\u12'",
        ])
    }

    func testRDFTermsAndPrefixedNames() {
        let (tokens, diagnostics) = Lexer.tokenize(#"_:b1 "chat"@fr-CA "7"^^<http://www.w3.org/2001/XMLSchema#integer> "x"^^<http://e/t> ex:member-of ex: a:-b"#)
        XCTAssertEqual(diagnostics.count, 0)
        XCTAssertEqual(tokens.dropLast().map(\.kind), [.blankNode, .string, .string, .string, .prefixedName, .prefixedName, .name, .implies, .name])
        XCTAssertEqual(tokens.compactMap(\.value).prefix(4), [
            .blank("b1"), .langString("chat", language: "fr-ca"), .integer(7), .typed("x", datatype: "http://e/t"),
        ])
        XCTAssertEqual(tokens[4].text, "ex:member-of")
        // With a space, '@' names a source.
        XCTAssertEqual(Lexer.tokenize(#"p("x") @ s"#).tokens.map(\.kind), [.name, .leftParen, .string, .rightParen, .at, .name, .endOfInput])
        XCTAssertEqual(Lexer.tokenize(#""x"^^y"#).diagnostics.map(\.description), [
            "1:4: error: expected a datatype IRI such as '<http://www.w3.org/2001/XMLSchema#integer>' after '^^'",
        ])
    }

    func testLeapDayIsADate() {
        XCTAssertEqual(Lexer.tokenize("2012-02-29").tokens.first?.value, .date(CalendarDate(year: 2012, month: 2, day: 29)!))
        XCTAssertEqual(Lexer.tokenize("2000-02-29").tokens.first?.kind, .date)
        XCTAssertEqual(errors("1900-02-29"), ["1:1: error: invalid date '1900-02-29': no such day"])
    }
}
