import KGSyntax

/// libFuzzer entry: any bytes, as text, through the lexer and the parser. Errors are expected;
/// crashes, hangs and sanitizer reports are bugs, and so is any difference between reading
/// plain facts from the bytes and reading every statement token by token.

func fuzzParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let (statements, diagnostics) = Parser.parse(text)
    for statement in statements { _ = statement.dump }
    if !diagnostics.isEmpty {
        _ = DiagnosticReport(fileName: "fuzz", sourceText: text, diagnostics: diagnostics).rendered()
    }
    let (slowStatements, slowDiagnostics) = Parser.parse(text, plainFactsFromBytes: false)
    precondition(statements == slowStatements, "plain facts read from the bytes differ from their tokens")
    precondition(diagnostics.map(\.description) == slowDiagnostics.map(\.description), "the errors differ")
    return 0
}
