import XCTest
import KGTestSupport
import KGFormats
import KGSyntax

/// Every test of the W3C RDF 1.1 N-Triples and N-Quads syntax suites, read from the shared
/// test data at run time (`../shared/testdata/w3c-rdf11`; missing, the test fails in CI):
/// positive tests must parse, negative tests must be rejected with a line and column. And every
/// test of the Turtle and TriG suites: syntax tests so, evaluation tests compared with their
/// N-Triples (N-Quads) result as graphs, blank nodes up to renaming.
final class W3CSuiteTests: XCTestCase {
    static let suites: URL = {
        let path = ProcessInfo.processInfo.environment["KGLOG_W3C_SUITES"]
            ?? TestEnvironment.sharedFolder.appendingPathComponent("testdata/w3c-rdf11").path
        return URL(fileURLWithPath: path).standardized
    }()

    /// Parses a file; nil when it parses, else the first error.
    func parse(_ url: URL, format: NTriplesParser.Format) throws -> FormatDiagnostic? {
        let reader = try LineReader(path: url.path)
        let parser = NTriplesParser(format: format)
        do {
            try reader.forEachLine { line, number in
                _ = try parser.parse(line, lineNumber: number)
            }
            return nil
        } catch let error as FormatDiagnostic {
            return error
        }
    }

    func run(folder: String, format: NTriplesParser.Format) throws -> (passed: Int, total: Int) {
        let index = W3CSuiteTests.suites.appendingPathComponent(folder).appendingPathComponent("tests.tsv")
        guard let text = try? String(contentsOf: index, encoding: .utf8) else {
            throw TestEnvironment.missing("the W3C suites are not at \(W3CSuiteTests.suites.path)")
        }
        var passed = 0, total = 0
        for row in text.split(separator: "\n").dropFirst() {
            let fields = row.split(separator: "\t").map(String.init)
            guard fields.count == 3 else { continue }
            total += 1
            let (name, type, file) = (fields[0], fields[1], fields[2])
            let error = try parse(W3CSuiteTests.suites.appendingPathComponent(folder).appendingPathComponent(file), format: format)
            if type.hasSuffix("PositiveSyntax") {
                XCTAssertNil(error, "\(name) must parse: \(error.map { "\($0.line):\($0.column): \($0.error.message)" } ?? "")")
                if error == nil { passed += 1 }
            } else {
                XCTAssertNotNil(error, "\(name) must be rejected")
                if let error {
                    XCTAssertGreaterThan(error.line, 0, name)
                    XCTAssertGreaterThan(error.column, 0, name)
                    passed += 1
                }
            }
        }
        return (passed, total)
    }

    // MARK: - Turtle and TriG

    /// Every quad of a Turtle or TriG file, or the first error.
    func parseTurtle(_ url: URL, format: TurtleParser.Format, base: String) throws -> Result<[Quad], FormatDiagnostic> {
        var quads: [Quad] = []
        var parser = TurtleParser(format: format, source: try ByteSource(path: url.path), base: base)
        do {
            try parser.parse { quad, _ in quads.append(quad) }
            return .success(quads)
        } catch let error as FormatDiagnostic {
            return .failure(error)
        }
    }

    /// The quads of an N-Triples or N-Quads file.
    func parseQuads(_ url: URL) throws -> [Quad] {
        var quads: [Quad] = []
        let parser = NTriplesParser(format: .nQuads)
        try LineReader(path: url.path).forEachLine { line, number in
            if let quad = try parser.parse(line, lineNumber: number) { quads.append(quad) }
        }
        return quads
    }

    /// Whether two sets of quads are the same graph up to the names of blank nodes.
    static func isomorphic(_ a: [Quad], _ b: [Quad]) -> Bool {
        let (x, y) = (Set(a.map(QuadKey.init)), Set(b.map(QuadKey.init)))
        guard x.count == y.count else { return false }
        func isBlank(_ v: Value) -> Bool { if case .blank = v { return true } else { return false } }
        func blanks(_ set: Set<QuadKey>) -> [Value] { Array(Set(set.flatMap { $0.terms.filter(isBlank) })) }
        let (left, right) = (blanks(x), blanks(y))
        guard left.count == right.count else { return false }
        // A blank node's signature: the quads it is in, other blank nodes blotted out.
        func signature(_ node: Value, _ set: Set<QuadKey>) -> [String] {
            set.filter { $0.terms.contains(node) }.map { quad in
                quad.terms.map { $0 == node ? "*" : isBlank($0) ? "_" : $0.sourceText }.joined(separator: " ")
            }.sorted()
        }
        let rightSignatures = Dictionary(grouping: right) { signature($0, y) }
        var mapping: [Value: Value] = [:]
        var used = Set<Value>()
        let ordered = left.sorted { signature($0, x).count > signature($1, x).count }
        func consistent() -> Bool {
            // Every quad whose blank nodes are all mapped is in the other set.
            x.allSatisfy { quad in
                guard quad.terms.allSatisfy({ !isBlank($0) || mapping[$0] != nil }) else { return true }
                return y.contains(QuadKey(quad.terms.map { mapping[$0] ?? $0 }))
            }
        }
        func search(_ index: Int) -> Bool {
            guard index < ordered.count else { return consistent() }
            let node = ordered[index]
            for candidate in rightSignatures[signature(node, x)] ?? [] where !used.contains(candidate) {
                mapping[node] = candidate
                used.insert(candidate)
                if consistent() && search(index + 1) { return true }
                mapping[node] = nil
                used.remove(candidate)
            }
            return false
        }
        return search(0)
    }

    struct QuadKey: Hashable {
        var terms: [Value]
        init(_ quad: Quad) { terms = [quad.subject, quad.predicate, quad.object] + (quad.graph.map { [$0] } ?? []) }
        init(_ terms: [Value]) { self.terms = terms }
    }

    func runTurtle(folder: String, format: TurtleParser.Format) throws -> (passed: Int, total: Int) {
        let directory = W3CSuiteTests.suites.appendingPathComponent(folder)
        guard let text = try? String(contentsOf: directory.appendingPathComponent("tests.tsv"), encoding: .utf8) else {
            throw TestEnvironment.missing("the W3C suites are not at \(W3CSuiteTests.suites.path)")
        }
        var passed = 0, total = 0
        for row in text.split(separator: "\n").dropFirst() {
            let fields = row.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 3 else { continue }
            total += 1
            let (name, type, action) = (fields[0], fields[1], fields[2])
            let base = "https://w3c.github.io/rdf-tests/rdf/rdf11/\(folder)/" + action
            let result = try parseTurtle(directory.appendingPathComponent(action), format: format, base: base)
            switch (type.hasSuffix("NegativeSyntax") || type.hasSuffix("NegativeEval"), result) {
            case (true, .success):
                XCTFail("\(name) must be rejected")
            case (true, .failure(let error)):
                XCTAssertGreaterThan(error.line, 0, name)
                XCTAssertGreaterThan(error.column, 0, name)
                passed += 1
            case (false, .failure(let error)):
                XCTFail("\(name) must parse: \(error.line):\(error.column): \(error.error.message)")
            case (false, .success(let quads)):
                guard type.hasSuffix("Eval") else { passed += 1; continue }
                let expected = try parseQuads(directory.appendingPathComponent(fields[3]))
                if W3CSuiteTests.isomorphic(quads, expected) {
                    passed += 1
                } else {
                    XCTFail("\(name): the quads differ from \(fields[3]):\n" + quads.map { NTriplesWriter.line($0) }.joined())
                }
            }
        }
        return (passed, total)
    }

    func testEveryTestOfTheTurtleAndTriGSuites() throws {
        let turtle = try runTurtle(folder: "rdf-turtle", format: .turtle)
        XCTAssertEqual(turtle.total, 313)
        XCTAssertEqual(turtle.passed, 313)
        let trig = try runTurtle(folder: "rdf-trig", format: .trig)
        XCTAssertEqual(trig.total, 356)
        XCTAssertEqual(trig.passed, 356)
    }

    func testEveryTestOfBothSuites() throws {
        let triples = try run(folder: "rdf-n-triples", format: .nTriples)
        let quads = try run(folder: "rdf-n-quads", format: .nQuads)
        XCTAssertEqual(triples.total + quads.total, 157)
        XCTAssertEqual(triples.passed + quads.passed, 157)
    }

    func testErrorPositions() throws {
        let cases: [(String, String)] = [
            ("<http://example/ space> <http://example/p> <http://example/o> .", "1:17: character 'U+0020' is not allowed in an IRI"),
            ("<s> <http://example/p> <http://example/o> .", "1:1: IRI '<s>' is relative: N-Triples and N-Quads need absolute IRIs"),
            ("<http://example/s> <http://example/p> \"a\\zb\" .", "1:41: invalid escape '\\z'"),
            ("<http://example/s> <http://example/p> \"abc .", "1:39: unterminated string: expected '\"'"),
            ("<http://example/s> <http://example/p> 1 .", "1:39: expected an IRI, a blank node or a literal but found '1'"),
            ("<http://example/s> <http://example/p> <http://example/o> <http://example/g> .", "1:58: expected '.' but found '<http://example/g>'"),
            ("@prefix : <http://example/> .", "1:1: '@prefix' is Turtle, not N-Triples or N-Quads"),
            ("_:abc:def <http://example/p> <http://example/o> .", "1:1: invalid blank node label"),
            ("<http://example/s> <http://example/p> \"x\"@1 .", "1:42: invalid language tag"),
            ("<http://example/s> <http://example/p> \"ОДКБ\" . x", "1:48: expected the end of the line after '.' but found 'x'"),
        ]
        for (line, expected) in cases {
            var bytes = Array(line.utf8)
            let error = bytes.withUnsafeMutableBufferPointer { buffer -> FormatDiagnostic? in
                do {
                    _ = try NTriplesParser(format: .nTriples).parse(UnsafeBufferPointer(buffer), lineNumber: 1)
                    return nil
                } catch let error as FormatDiagnostic {
                    return error
                } catch {
                    return nil
                }
            }
            XCTAssertEqual(error.map { "\($0.line):\($0.column): \($0.error.message)" }, expected, line)
        }
    }

    /// The Turtle reader takes plain names, strings, IRIs, language tags and integers from its
    /// buffer in one piece, and everything else character by character: both give the same
    /// terms, and an error after them still has its column in characters.
    func testTurtleTermsReadInOnePieceOrByCharacterAndTheColumnsAfterThem() throws {
        let text = #"""
            @prefix e: <http://é.example/> .
            e:ОДКБ e:p "Ñandú"@RU-x1, 12, -3, +4, 5.0, 6e1, e:a.b, <http://x/ü>, e:c\.d, e:e%41, "a\"b", true ;
              e:q 7.
            e:s e:q ?
            """#
        var parser = TurtleParser(format: .turtle, source: ByteSource(bytes: Array(text.utf8)))
        var objects: [Value] = []
        XCTAssertThrowsError(try parser.parse { quad, _ in
            XCTAssertEqual(quad.subject, .iri("http://é.example/ОДКБ"))
            objects.append(quad.object)
        }) { error in
            let diagnostic = error as? FormatDiagnostic
            XCTAssertEqual(diagnostic.map { "\($0.line):\($0.column): \($0.error.message)" }, "4:9: expected an object but found '?'")
        }
        XCTAssertEqual(objects, [
            .langString("Ñandú", language: "ru-x1"), .integer(12), .integer(-3),
            .typed("+4", datatype: Value.XSD.integer), Value.literal("5.0", datatype: Value.XSD.decimal),
            .typed("6e1", datatype: Value.XSD.double), .iri("http://é.example/a.b"), .iri("http://x/ü"),
            .iri("http://é.example/c.d"), .iri("http://é.example/e%41"), .string("a\"b"),
            .typed("true", datatype: Value.XSD.boolean), .integer(7),
        ])
    }

    func testTermsOfEveryKindAndTheirWrittenForm() throws {
        let line = #"_:b1 <http://example/p> "chat"@FR <http://example/g> ."#
        var bytes = Array(line.utf8)
        let quad = try bytes.withUnsafeMutableBufferPointer { try NTriplesParser(format: .nQuads).parse(UnsafeBufferPointer($0), lineNumber: 1) }
        XCTAssertEqual(quad, Quad(subject: .blank("b1"), predicate: .iri("http://example/p"), object: .langString("chat", language: "fr"), graph: .iri("http://example/g")))
        XCTAssertEqual(quad.map(NTriplesWriter.line), "_:b1 <http://example/p> \"chat\"@fr <http://example/g> .\n")
        let xsd = "http://www.w3.org/2001/XMLSchema#"
        for (text, value) in [
            (#""42"^^<\#(xsd)integer>"#, "integer 42"), (#""042"^^<\#(xsd)integer>"#, "typed 042"),
            (#""2.5"^^<\#(xsd)decimal>"#, "decimal 2.5"), (#""2.50"^^<\#(xsd)decimal>"#, "typed 2.50"),
            (#""2012-05-03"^^<\#(xsd)date>"#, "date 2012-05-03"), (#""x"^^<\#(xsd)string>"#, "string x"),
            (#""true"^^<\#(xsd)boolean>"#, "typed true"), ("<kglog:armenia>", "name armenia"),
        ] {
            var bytes = Array("<http://e/s> <http://e/p> \(text) .".utf8)
            let parsed = try bytes.withUnsafeMutableBufferPointer { try NTriplesParser(format: .nTriples).parse(UnsafeBufferPointer($0), lineNumber: 1) }
            XCTAssertEqual(parsed.map { "\($0.object.kind.label) \($0.object.lexical)" }, value, text)
            // Written back, the term is the same text (xsd:string as a plain literal).
            let written = parsed.map { NTriplesWriter.term($0.object) }
            XCTAssertEqual(written, text.hasSuffix("string>") ? "\"x\"" : text, text)
        }
    }

    /// Raw terms: the kind and storage text the store keeps, read without building values;
    /// `value` of each gives what `parse` gives.
    func testRawTermsAreTheStoredKindAndText() throws {
        let xsd = "http://www.w3.org/2001/XMLSchema#"
        let long = String(repeating: "x", count: 300)
        let parser = NTriplesParser(format: .nQuads)
        for (line, expected) in [
            (#"<http://e/s\u0041> <kglog:member-of> "a\"b"@EN-us <http://e/g> ."#,
             ["iri http://e/sA", "name member-of", #"lang-string en-us a"b"#, "iri http://e/g"]),
            // Escapes in every term and a long text: the scratch space grows while the line is read.
            (#"<http://e/\u00E9> <http://e/p> "\#(long)\n"@fr _:g1 ."#,
             ["iri http://e/é", "iri http://e/p", "lang-string fr \(long)\n", "blank g1"]),
            (#"_:b <http://e/p> "-12"^^<\#(xsd)integer> ."#, ["blank b", "iri http://e/p", "integer -12"]),
            (#"_:b <http://e/p> "0"^^<\#(xsd)integer> ."#, ["blank b", "iri http://e/p", "integer 0"]),
            (#"_:b <http://e/p> "-0"^^<\#(xsd)integer> ."#, ["blank b", "iri http://e/p", "typed \(xsd)integer -0"]),
            (#"_:b <http://e/p> "+7"^^<\#(xsd)integer> ."#, ["blank b", "iri http://e/p", "typed \(xsd)integer +7"]),
            (#"_:b <http://e/p> "99999999999999999999"^^<\#(xsd)integer> ."#,
             ["blank b", "iri http://e/p", "typed \(xsd)integer 99999999999999999999"]),
            (#"_:b <http://e/p> "2.5"^^<\#(xsd)decimal> ."#, ["blank b", "iri http://e/p", "decimal 2.5"]),
            (#"_:b <http://e/p> "a\tb"^^<\#(xsd)string> ."#, ["blank b", "iri http://e/p", "string a\tb"]),
            (#"_:b <http://e/p> ""@de ."#, ["blank b", "iri http://e/p", "lang-string de "]),
        ] {
            var bytes = Array(line.utf8)
            try bytes.withUnsafeMutableBufferPointer { buffer in
                let bytes = UnsafeBufferPointer(buffer)
                let raw = try XCTUnwrap(try parser.parseRaw(bytes, lineNumber: 1))
                let terms = [raw.subject, raw.predicate, raw.object] + (raw.graph.map { [$0] } ?? [])
                XCTAssertEqual(terms.map { "\($0.kind.label) \(String(decoding: $0.text, as: UTF8.self))" }, expected, line)
                let values = terms.map(\.value)
                let quad = try XCTUnwrap(try parser.parse(bytes, lineNumber: 1))
                XCTAssertEqual([quad.subject, quad.predicate, quad.object] + (quad.graph.map { [$0] } ?? []), values, line)
            }
        }
    }
}
