import KGFormats
import KGSyntax

/// libFuzzer entry: any bytes as a Turtle document and as a TriG one, every triple read written
/// back with the document's prefixes; and the bytes as a full-text search (`text-match`), the
/// search it parses to written in both stores' query syntaxes.

func fuzzTurtle(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    for format in [TurtleParser.Format.turtle, .trig] {
        var parser = TurtleParser(format: format, source: ByteSource(bytes: bytes), base: "http://example.org/base/")
        var quads: [Quad] = []
        do {
            try parser.parse { quad, _ in quads.append(quad) }
        } catch {
            continue
        }
        let writer = TurtleWriter(prefixes: parser.prefixes)
        _ = writer.header
        for quad in quads {
            _ = writer.subject(writer.term(quad.subject), [(writer.term(quad.predicate), [writer.term(quad.object)])])
        }
    }
    let text = String(decoding: bytes, as: UTF8.self)
    if let search = try? TextSearch(parsing: text) {
        _ = search.fts5
        _ = search.tsquery
        _ = search.matches(TextWords.words(in: text))
    }
    return 0
}
