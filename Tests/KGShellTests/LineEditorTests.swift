import XCTest
import KGLog
@testable import KGShell

final class LineEditorTests: XCTestCase {
    func keys(_ bytes: [UInt8]) -> [Key] {
        var decoder = KeyDecoder()
        return bytes.compactMap { decoder.feed($0) }
    }

    func testDecodingBytes() {
        XCTAssertEqual(keys(Array("aZ".utf8)), [.character("a"), .character("Z")])
        XCTAssertEqual(keys([0x1B, 0x5B, 0x41, 0x1B, 0x5B, 0x42, 0x1B, 0x5B, 0x43, 0x1B, 0x5B, 0x44]), [.up, .down, .right, .left])
        XCTAssertEqual(keys([0x1B, 0x5B, 0x48, 0x1B, 0x5B, 0x46, 0x1B, 0x4F, 0x48, 0x1B, 0x5B, 0x31, 0x7E, 0x1B, 0x5B, 0x34, 0x7E]), [.home, .end, .home, .home, .end])
        XCTAssertEqual(keys([0x1B, 0x5B, 0x33, 0x7E]), [.delete])
        XCTAssertEqual(keys([0x01, 0x05, 0x0B, 0x15, 0x17, 0x03, 0x04, 0x7F, 0x08, 0x09, 0x0D, 0x0A]), [
            .control("a"), .control("e"), .control("k"), .control("u"), .control("w"), .control("c"), .control("d"),
            .backspace, .backspace, .tab, .enter, .enter,
        ])
        // UTF-8 input, one character however many bytes it takes.
        XCTAssertEqual(keys(Array("ОДКБ😀".utf8)), [.character("О"), .character("Д"), .character("К"), .character("Б"), .character("😀")])
        XCTAssertEqual(keys([0x1B, 0x5B, 0x31, 0x3B, 0x35, 0x43]), [.unknown])
    }

    func type(_ editor: inout LineEditor, _ text: String) {
        for c in text { _ = editor.handle(.character(c)) }
    }

    func testEditingKeys() {
        var editor = LineEditor()
        type(&editor, "member-of(X)")
        XCTAssertEqual(editor.cursor, 12)
        _ = editor.handle(.left)
        _ = editor.handle(.left)
        _ = editor.handle(.backspace)
        XCTAssertEqual(editor.line, "member-ofX)")
        type(&editor, "(Y, ")
        XCTAssertEqual(editor.line, "member-of(Y, X)")
        _ = editor.handle(.home)
        _ = editor.handle(.delete)
        XCTAssertEqual(editor.line, "ember-of(Y, X)")
        _ = editor.handle(.control("e"))
        _ = editor.handle(.control("w"))
        XCTAssertEqual(editor.line, "ember-of(Y, ")
        _ = editor.handle(.control("a"))
        _ = editor.handle(.right)
        _ = editor.handle(.control("k"))
        XCTAssertEqual(editor.line, "e")
        type(&editor, "xyz")
        _ = editor.handle(.left)
        _ = editor.handle(.control("u"))
        XCTAssertEqual(editor.line, "z")
        XCTAssertEqual(editor.cursor, 0)
        XCTAssertEqual(editor.handle(.control("d")), .none)
        XCTAssertEqual(editor.line, "")
        XCTAssertEqual(editor.handle(.control("d")), .endOfInput)
    }

    func testAStatementTypedOverSeveralLinesIsOneHistoryEntry() {
        var editor = LineEditor(history: ["?- p(X)."])
        for line in ["ally(X, Y) :-", "   member-of(X, O),  % same organization", "member-of(Y, O)."] {
            type(&editor, line)
            _ = editor.handle(.enter)
        }
        // Its line breaks are kept: the comment stays a comment.
        let statement = "ally(X, Y) :-\n   member-of(X, O),  % same organization\nmember-of(Y, O)."
        XCTAssertEqual(editor.endStatement(), statement)
        XCTAssertEqual(editor.history, ["?- p(X).", statement])
        _ = editor.handle(.up)
        XCTAssertEqual(editor.line, statement)
        // Shown on one line, each break as ⏎, the cursor at the end.
        XCTAssertEqual(editor.render(prompt: "kglog> "),
                       "\rkglog> ally(X, Y) :-⏎   member-of(X, O),  % same organization⏎member-of(Y, O).\u{1B}[K")
        _ = editor.handle(.left)
        XCTAssertTrue(editor.render(prompt: "> ").hasSuffix("\u{1B}[K\u{1B}[1D"))
        // Sent again as it is, it is not added twice.
        XCTAssertEqual(editor.handle(.enter), .submit(statement))
        XCTAssertNil(editor.endStatement())
        XCTAssertEqual(editor.history, ["?- p(X).", statement])
        // A one-line statement stays as it is; nothing submitted, nothing to end.
        type(&editor, "q(a).")
        _ = editor.handle(.enter)
        XCTAssertEqual(editor.endStatement(), "q(a).")
        XCTAssertNil(editor.endStatement())
        XCTAssertEqual(editor.history.count, 3)
    }

    func testSubmitHistoryAndInterrupt() {
        var editor = LineEditor(history: ["?- p(X)."])
        type(&editor, "q(a).")
        XCTAssertEqual(editor.handle(.enter), .submit("q(a)."))
        XCTAssertEqual(editor.history, ["?- p(X).", "q(a)."])
        type(&editor, "draft")
        _ = editor.handle(.up)
        XCTAssertEqual(editor.line, "q(a).")
        _ = editor.handle(.up)
        XCTAssertEqual(editor.line, "?- p(X).")
        _ = editor.handle(.up)
        XCTAssertEqual(editor.line, "?- p(X).")
        _ = editor.handle(.down)
        _ = editor.handle(.down)
        XCTAssertEqual(editor.line, "draft")
        XCTAssertEqual(editor.handle(.control("c")), .interrupt)
        XCTAssertEqual(editor.line, "")
        XCTAssertEqual(editor.handle(.tab), .complete)
    }

    func testRenderingPutsTheCursorInPlaceWithWideCharacters() {
        var editor = LineEditor()
        type(&editor, "\"ОДКБ\" 漢字")
        _ = editor.handle(.left)
        XCTAssertEqual(editor.render(prompt: "kglog> "), "\rkglog> \"ОДКБ\" 漢字\u{1B}[K\u{1B}[2D")
        _ = editor.handle(.end)
        XCTAssertEqual(editor.render(prompt: "> "), "\r> \"ОДКБ\" 漢字\u{1B}[K")
    }

    func testWordBeforeCursor() {
        var editor = LineEditor()
        type(&editor, "?- member-of(X, cs")
        XCTAssertEqual(editor.wordBeforeCursor.word, "cs")
        XCTAssertFalse(editor.wordBeforeCursor.atLineStart)
        var start = LineEditor()
        type(&start, ".he")
        XCTAssertEqual(start.wordBeforeCursor.word, ".he")
        XCTAssertTrue(start.wordBeforeCursor.atLineStart)
    }
}
