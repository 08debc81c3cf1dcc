import Foundation

/// A key press, decoded from the bytes a terminal sends.
public enum Key: Equatable, Sendable {
    case character(Character)
    case enter, backspace, delete, tab
    case left, right, up, down, home, end
    /// Ctrl and a letter (`"a"` for Ctrl-A), for the letters without a key of their own.
    case control(Character)
    case unknown
}

/// Turns terminal input bytes into keys: UTF-8 characters, control keys and escape sequences
/// (arrows, Home/End, Delete), including sequences split across reads.
public struct KeyDecoder: Sendable {
    private var bytes: [UInt8] = []

    public init() {}

    /// Feeds one byte; returns a key when the bytes so far complete one.
    public mutating func feed(_ byte: UInt8) -> Key? {
        bytes.append(byte)
        let first = bytes[0]
        if first == 0x1B {
            return escape()
        }
        if first < 0x80 {
            bytes = []
            switch first {
            case 0x0D, 0x0A: return .enter
            case 0x7F, 0x08: return .backspace
            case 0x09: return .tab
            case 0x01...0x1A: return .control(Character(Unicode.Scalar(first + 0x60)))
            case 0x20...0x7E: return .character(Character(Unicode.Scalar(first)))
            default: return .unknown
            }
        }
        // A UTF-8 sequence: its first byte says how long it is.
        let length = first >= 0xF0 ? 4 : first >= 0xE0 ? 3 : first >= 0xC0 ? 2 : 1
        guard bytes.count >= length else { return nil }
        defer { bytes = [] }
        guard let text = String(validating: bytes, as: UTF8.self), let character = text.first else { return .unknown }
        return .character(character)
    }

    private mutating func escape() -> Key? {
        guard bytes.count >= 2 else { return nil }
        guard bytes[1] == UInt8(ascii: "[") || bytes[1] == UInt8(ascii: "O") else {
            bytes = []
            return .unknown
        }
        guard bytes.count >= 3 else { return nil }
        let last = bytes[bytes.count - 1]
        // Parameters are digits and ';'; a letter or '~' ends the sequence.
        if (last >= 0x30 && last <= 0x39) || last == UInt8(ascii: ";") {
            if bytes.count > 8 { bytes = []; return .unknown }
            return nil
        }
        let body = String(decoding: bytes[2...], as: UTF8.self)
        bytes = []
        switch body {
        case "A": return .up
        case "B": return .down
        case "C": return .right
        case "D": return .left
        case "H", "1~", "7~": return .home
        case "F", "4~", "8~": return .end
        case "3~": return .delete
        default: return .unknown
        }
    }
}

/// The line being edited: text, cursor and history, changed by keys. No terminal involved,
/// so every key's effect can be tested.
public struct LineEditor: Sendable {
    public private(set) var text: [Character] = []
    public private(set) var cursor = 0
    public private(set) var history: [String]
    private var historyIndex: Int
    private var draft: [Character] = []
    /// Where the lines of the statement being typed begin in `history`, while it goes on.
    private var statementStart: Int?

    /// What the caller should do after a key.
    public enum Action: Equatable, Sendable {
        case none
        /// Enter: the line is done.
        case submit(String)
        /// Ctrl-D on an empty line.
        case endOfInput
        /// Ctrl-C: the line was cleared.
        case interrupt
        /// Tab: complete the word before the cursor.
        case complete
    }

    public init(history: [String] = []) {
        self.history = history
        historyIndex = history.count
    }

    public var line: String { String(text) }

    /// The word before the cursor (what Tab completes), and whether it starts the line.
    public var wordBeforeCursor: (word: String, atLineStart: Bool) {
        var start = cursor
        while start > 0, !" (,\t".contains(text[start - 1]) { start -= 1 }
        let atStart = text[0..<start].allSatisfy { $0 == " " }
        return (String(text[start..<cursor]), atStart)
    }

    /// The statement whose lines were submitted since the last call is complete: its lines
    /// become one history entry, line breaks kept (so a `% comment` stays a comment), so that
    /// a statement typed over several lines comes back whole. Returns that entry (nil when
    /// nothing was added).
    @discardableResult
    public mutating func endStatement() -> String? {
        defer { statementStart = nil }
        guard let start = statementStart, start < history.count else { return nil }
        let entry = history[start...].joined(separator: "\n")
        history.removeSubrange(start...)
        if history.last != entry { history.append(entry) }
        historyIndex = history.count
        return entry
    }

    public mutating func handle(_ key: Key) -> Action {
        switch key {
        case .character(let c):
            insert(String(c))
        case .enter:
            let submitted = line
            if statementStart == nil { statementStart = history.count }
            if !submitted.trimmingCharacters(in: .whitespaces).isEmpty, history.last != submitted { history.append(submitted) }
            historyIndex = history.count
            text = []
            cursor = 0
            return .submit(submitted)
        case .backspace:
            if cursor > 0 { text.remove(at: cursor - 1); cursor -= 1 }
        case .delete:
            if cursor < text.count { text.remove(at: cursor) }
        case .left:
            cursor = max(0, cursor - 1)
        case .right:
            cursor = min(text.count, cursor + 1)
        case .home, .control("a"):
            cursor = 0
        case .end, .control("e"):
            cursor = text.count
        case .control("k"):
            text.removeSubrange(cursor...)
        case .control("u"):
            text.removeSubrange(..<cursor)
            cursor = 0
        case .control("w"):
            var start = cursor
            while start > 0 && text[start - 1] == " " { start -= 1 }
            while start > 0 && text[start - 1] != " " { start -= 1 }
            text.removeSubrange(start..<cursor)
            cursor = start
        case .control("c"):
            text = []
            cursor = 0
            historyIndex = history.count
            return .interrupt
        case .control("d"):
            if text.isEmpty { return .endOfInput }
            if cursor < text.count { text.remove(at: cursor) }
        case .up:
            guard historyIndex > 0 else { break }
            if historyIndex == history.count { draft = text }
            historyIndex -= 1
            text = Array(history[historyIndex])
            cursor = text.count
        case .down:
            guard historyIndex < history.count else { break }
            historyIndex += 1
            text = historyIndex == history.count ? draft : Array(history[historyIndex])
            cursor = text.count
        case .tab:
            return .complete
        default:
            break
        }
        return .none
    }

    /// Inserts text at the cursor (typing, or a completion).
    public mutating func insert(_ string: String) {
        text.insert(contentsOf: Array(string), at: cursor)
        cursor += string.count
    }

    /// The escape codes that redraw the line after `prompt`, with the cursor in place. A line
    /// break of a recalled statement shows as `⏎` (the statement is still sent with it).
    public func render(prompt: String) -> String {
        let after = displayWidth(LineEditor.shown(text[cursor...]))
        return "\r" + prompt + LineEditor.shown(text[...]) + "\u{1B}[K" + (after > 0 ? "\u{1B}[\(after)D" : "")
    }

    static func shown(_ characters: ArraySlice<Character>) -> String {
        String(characters.map { $0 == "\n" ? "⏎" : $0 })
    }
}

