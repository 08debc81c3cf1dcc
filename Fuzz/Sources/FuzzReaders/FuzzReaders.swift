import KGFormats

/// libFuzzer entry: any bytes, line by line, through the N-Triples, N-Quads, JSON Lines, CSV and
/// TSV readers, and every quad and fact read written back.

func fuzzReaders(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    var csv = CSVReader(dialect: .csv)
    var tsv = CSVReader(dialect: .tsv)
    var number = 0
    for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
        number += 1
        do {
            let line = UnsafeBufferPointer(rebasing: line)
            for format in [NTriplesParser.Format.nTriples, .nQuads] {
                if let quad = try? NTriplesParser(format: format).parse(line, lineNumber: number) {
                    _ = NTriplesWriter.line(quad)
                }
            }
            if let fact = try? JSONFacts.parse(line, lineNumber: number) {
                _ = JSONText.fact(predicate: fact.predicate, arguments: fact.arguments, source: fact.source)
            }
            if let record = try? csv.feed(line, lineNumber: number) {
                for field in record { _ = CSVReader.value(of: field.text, asText: false) }
            }
            _ = try? tsv.feed(line, lineNumber: number)
        }
    }
    _ = try? csv.finish()
    return 0
}
