import XCTest
import KGSyntax

/// How texts become words and searches are read, and what each store is asked.
final class TextSearchParsingTests: XCTestCase {
    func testWordsAreFoldedRunsOfLettersDigitsAndMarks() {
        XCTAssertEqual(TextWords.words(in: "member-of: CSTO, 2012!"), ["member", "of", "csto", "2012"])
        XCTAssertEqual(TextWords.words(in: "Организация (ОДКБ)"), ["организация", "одкб"])
        XCTAssertEqual(TextWords.words(in: "Défense  Ｃafé"), ["defense", "cafe"])
        XCTAssertEqual(TextWords.words(in: " -- "), [])
    }

    func testSearchesParseWithAndTighterThanOr() throws {
        XCTAssertEqual(try TextSearch(parsing: "defence ministers"), .and(.phrase(["defence"], prefix: false), .phrase(["ministers"], prefix: false)))
        XCTAssertEqual(try TextSearch(parsing: "a OR b c"), .or(.phrase(["a"], prefix: false), .and(.phrase(["b"], prefix: false), .phrase(["c"], prefix: false))))
        XCTAssertEqual(try TextSearch(parsing: "(a OR b) NOT c"), .not(.or(.phrase(["a"], prefix: false), .phrase(["b"], prefix: false)), .phrase(["c"], prefix: false)))
        XCTAssertEqual(try TextSearch(parsing: "\"Ministers of\"* member-of"),
                       .and(.phrase(["ministers", "of"], prefix: true), .phrase(["member", "of"], prefix: false)))
        // Lower-case operators are words.
        XCTAssertEqual(try TextSearch(parsing: "war and peace").phrases.count, 3)
    }

    func testEachStoreIsAskedTheSameSearchWithNothingLeftUnquoted() throws {
        let search = try TextSearch(parsing: "defen* OR \"foreign affairs\" NOT \"x\"")
        XCTAssertEqual(search.fts5, "(\"defen\" * OR (\"foreign affairs\" NOT \"x\"))")
        XCTAssertEqual(search.tsquery, "(('defen':*) | (('foreign' <-> 'affairs') & !('x')))")
        // Quotes, colons and backslashes in a search never reach either syntax: they separate
        // words (a bare run of them is a phrase).
        let hostile = try TextSearch(parsing: "a':*\\b ' OR 1=1 --")
        XCTAssertEqual(hostile.tsquery, "(('a' <-> 'b') | ('1' <-> '1'))")
        XCTAssertEqual(hostile.fts5, "(\"a b\" OR \"1 1\")")
    }

    func testProblemsSayWhere() {
        let cases: [(String, String, Int)] = [
            ("", "nothing to look for: give one or more words", 0),
            ("a AND", "a word, phrase or '(' is missing at the end", 5),
            ("a \"b", "a quote that is not closed", 2),
            ("\"--\"", "a phrase with no words in it", 0),
            ("a )", "')' without its '('", 2),
            ("OR a", "'OR' needs a word, phrase or '(' before it", 0),
        ]
        for (text, message, offset) in cases {
            XCTAssertThrowsError(try TextSearch(parsing: text), text) { error in
                let problem = error as? TextSearch.Problem
                XCTAssertEqual(problem?.message, message, text)
                XCTAssertEqual(problem?.offset, offset, text)
            }
        }
    }

    func testScoresFollowFTS5() throws {
        let search = try TextSearch(parsing: "ministers")
        // Three texts, of 4, 6 and 7 words; the search's word in two of them.
        let score = search.bm25(words: ["ministers", "of", "foreign", "affairs"], documents: 3, averageLength: 17.0 / 3, containing: [2])
        let idf = log((3 - 2 + 0.5) / (2 + 0.5))
        XCTAssertEqual(idf < 0 ? 1e-6 * 2.2 / (1 + 1.2 * (0.25 + 0.75 * 4 / (17.0 / 3))) : 0, score, accuracy: 1e-12)
        XCTAssertEqual(TextSearch.scoreValue(1.23456), .decimal(Decimal(string: "1.2346")!))
    }
}
