import KGSyntax

/// libFuzzer entry: any bytes, as text, through the lexer and the parser. Errors are expected;
/// crashes, hangs and sanitizer reports are bugs.

func fuzzParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let (statements, diagnostics) = Parser.parse(text)
    for statement in statements { _ = statement.dump }
    if !diagnostics.isEmpty {
        _ = DiagnosticReport(fileName: "fuzz", sourceText: text, diagnostics: diagnostics).rendered()
    }
    return 0
}
