extension Value {
    /// The constant `text` stands for when it is one term typed on its own, as on a command
    /// line or after a dot-command: `member-of`, `"text"`, `2012-05-03`, `<http://x>`, or
    /// `ex:p` with `ex:` in `prefixes`. Nil for anything else (a variable, two tokens, a typo).
    public static func constant(_ text: String, prefixes: [String: String] = [:]) -> Value? {
        let (tokens, diagnostics) = Lexer.tokenize(text)
        guard diagnostics.isEmpty, tokens.count == 2 else { return nil }
        let token = tokens[0]
        if token.kind == .prefixedName, let colon = token.text.firstIndex(of: ":") {
            guard let base = prefixes[String(token.text[..<colon])] else { return nil }
            return .iri(base + token.text[token.text.index(after: colon)...])
        }
        guard token.kind != .variable else { return nil }
        return token.value
    }
}
