import KGFormats
import XCTest
import KGTestSupport
@testable import KGLog
import KGSyntax

/// The two-thread import every data format takes: batches, restarts of the term numbering,
/// stores that already hold terms, errors and cancellation in later batches.
final class FactImportTests: FolderTestCase {
    /// 400 quads over 30 nodes: repeated facts, literals of several kinds, three graphs.
    let quads: String = (0..<400).map { i in
        let object = [
            "<http://e/n\(i * 7 % 30)>", "\"label \(i % 13)\"", "\"\(i % 11)\"^^<http://www.w3.org/2001/XMLSchema#integer>",
            "\"name \(i % 5)\"@en", "_:b\(i % 4)",
        ][i % 5]
        let graph = ["", " <http://e/g1>", " <http://e/g2>"][i % 3]
        return "<http://e/n\(i % 30)> <http://e/p\(i % 4)> \(object)\(graph) .\n"
    }.joined()

    func export(_ kb: KnowledgeBase) throws -> [String] {
        var text = ""
        _ = try kb.export(.nq) { text += $0 }
        return text.split(separator: "\n").map(String.init).sorted()
    }

    func termCount(_ kb: KnowledgeBase) throws -> Int64 { try kb.store.nextTermID() - 1 }

    func testSmallBatchesAndNumberingRestartsGiveTheSameKnowledgeBase() throws {
        let file = try write("in.nq", quads)
        let reference = try TestStore.newKnowledgeBase()
        let facts = try reference.importFile(file, options: ImportOptions(format: .nq))
        XCTAssertEqual(facts, Set(quads.split(separator: "\n")).count)
        let seed = try write("seed.nt", "<http://e/n0> <http://e/p0> <http://e/n0> .\n<http://e/n1> <http://e/other> \"label 3\" .\n")
        for (factsPerBatch, numberedTerms) in [(7, 1_000_000), (7, 10), (1, 3), (1_000, 1)] {
            for seeded in [false, true] {
                let kb = try KnowledgeBase(path: directory.appendingPathComponent("kb-\(factsPerBatch)-\(numberedTerms)-\(seeded).kglog").path)
                if seeded { XCTAssertEqual(try kb.importFile(seed, options: ImportOptions(format: .nt)), 2) }
                var options = ImportOptions(format: .nq)
                options.batchLimits = .init(factsPerBatch: factsPerBatch, numberedTerms: numberedTerms)
                // The seed's first fact is in the file too: it is not new.
                XCTAssertEqual(try kb.importFile(file, options: options), seeded ? facts - 1 : facts)
                let expected = Set(try export(reference) + (seeded ? ["<http://e/n1> <http://e/other> \"label 3\" ."] : []))
                let exported = Set(try export(kb))
                XCTAssertEqual(exported.symmetricDifference(expected), [], "\(factsPerBatch) \(numberedTerms) \(seeded)")
                // Each term once in the dictionary, however often the numbering started again.
                XCTAssertEqual(try termCount(kb), try termCount(reference) + (seeded ? 1 : 0))
                XCTAssertEqual(try kb.store.integrityCheck(), "ok")
            }
        }
    }

    func testTurtleAndTriGTakeTheSameTwoThreadPathThroughBatchesAndRestarts() throws {
        // The quads as TriG: each graph a block, each subject's facts after `;` and `,`.
        var graphs: [String: [String: [String: [String]]]] = [:]
        var order: [String] = []
        // Blank nodes aside: their labels are the document's own, renamed on reading.
        let named = quads.split(separator: "\n").filter { !$0.contains("_:") }
        for line in Set(named).sorted() {
            var parts = line.dropLast(2).split(separator: " ", maxSplits: 2).map(String.init)
            var graph = ""
            if parts[2].hasSuffix(">"), let space = parts[2].lastIndex(of: " "), parts[2].last == ">", parts[2][parts[2].index(after: space)...].hasPrefix("<http://e/g") {
                graph = String(parts[2][parts[2].index(after: space)...])
                parts[2] = String(parts[2][..<space])
            }
            if graphs[graph] == nil { order.append(graph) }
            graphs[graph, default: [:]][parts[0], default: [:]][parts[1], default: []].append(parts[2])
        }
        let trig = "@prefix e: <http://e/> .\n" + order.map { graph in
            let body = graphs[graph]!.sorted { $0.key < $1.key }.map { subject, predicates in
                subject + " " + predicates.sorted { $0.key < $1.key }.map { $0.key + " " + $0.value.joined(separator: ", ") }.joined(separator: " ;\n    ") + " ."
            }.joined(separator: "\n")
            return (graph.isEmpty ? "{" : graph + " {") + "\n" + body + "\n}\n"
        }.joined()
        let file = try write("in.trig", trig)
        let reference = try TestStore.newKnowledgeBase()
        let facts = try reference.importFile(try write("in.nq", named.joined(separator: "\n") + "\n"), options: ImportOptions(format: .nq))
        for (factsPerBatch, numberedTerms) in [(1_000, 1_000_000), (7, 10), (1, 3)] {
            let kb = try TestStore.newKnowledgeBase()
            var options = ImportOptions(format: .trig)
            options.batchLimits = .init(factsPerBatch: factsPerBatch, numberedTerms: numberedTerms)
            XCTAssertEqual(try kb.importFile(file, options: options), facts, "\(factsPerBatch) \(numberedTerms)")
            XCTAssertEqual(Set(try export(kb)), Set(try export(reference)), "\(factsPerBatch) \(numberedTerms)")
            // (A PostgreSQL sequence leaves gaps, so ids do not count terms there.)
            if !TestStore.isPostgres { XCTAssertEqual(try termCount(kb), try termCount(reference), "each term once") }
            XCTAssertEqual(kb.prefixes["e"], "http://e/")
        }
    }

    func testTheDefaultSourceSurvivesNumberingRestarts() throws {
        let file = try write("in.nt", (0..<50).map { "<http://e/n\($0)> <http://e/p> <http://e/n\($0 + 1)> .\n" }.joined())
        let kb = try TestStore.newKnowledgeBase()
        var options = ImportOptions(format: .nt, source: .name("report"))
        options.batchLimits = .init(factsPerBatch: 3, numberedTerms: 5)
        XCTAssertEqual(try kb.importFile(file, options: options), 50)
        XCTAssertEqual(try kb.count("?- <http://e/p>(X, Y) @ report."), 50)
        XCTAssertEqual(try kb.sources().map(\.source), [.name("report")])
    }

    func testAnArityConflictInALaterBatchImportsNothing() throws {
        let kb = try TestStore.newKnowledgeBase()
        try kb.execute("<http://e/p>(x).")
        let lines = (0..<20).map { "<http://e/n\($0)> <http://e/q> <http://e/n\($0 + 1)> ." } + ["<http://e/a>  <http://e/p> <http://e/b> ."]
        let file = try write("in.nt", lines.joined(separator: "\n") + "\n")
        var options = ImportOptions(format: .nt)
        options.batchLimits = .init(factsPerBatch: 4)
        XCTAssertThrowsError(try kb.importFile(file, options: options)) { error in
            XCTAssertEqual((error as? DiagnosticReport)?.rendered(), """
                \(file):21:1: error: predicate '<http://e/p>' is used with 2 arguments here but has 1 elsewhere
                <http://e/a>  <http://e/p> <http://e/b> .
                ^

                """)
        }
        XCTAssertEqual(try kb.predicates().map(\.predicate), [.iri("http://e/p")])
        XCTAssertEqual(try kb.count("?- <http://e/p>(X)."), 1)
    }

    func testACancelledImportStopsBetweenBatchesAndAppliesNothing() throws {
        let file = try write("in.nt", (0..<100).map { "<http://e/n\($0)> <http://e/p> <http://e/n\($0 + 1)> .\n" }.joined())
        let kb = try KnowledgeBase(path: directory.appendingPathComponent("kb.kglog").path)
        struct Stop: Error {}
        var checks = 0
        kb.checkpoint = {
            checks += 1
            if checks == 3 { throw Stop() }
        }
        var options = ImportOptions(format: .nt)
        options.batchLimits = .init(factsPerBatch: 10)
        XCTAssertThrowsError(try kb.importFile(file, options: options)) { XCTAssertTrue($0 is Stop, "\($0)") }
        XCTAssertEqual(checks, 3)
        XCTAssertEqual(try kb.predicates(), [])
        kb.checkpoint = nil
        // The file is as it was: the same import now succeeds.
        XCTAssertEqual(try kb.importFile(file, options: options), 100)
    }

    /// JSON Lines (facts of several arities, with and without sources) and CSV (a source
    /// column) through batches of one fact and numberings of three terms: the same facts.
    func testJSONLinesAndCSVTakeTheSamePathThroughBatchesAndRestarts() throws {
        let jsonl = (0..<60).map { i -> String in
            let arguments = (0..<(i % 4)).map { #"{"value":"n\#((i + $0) % 9)","kind":"name"}"# } + (i % 5 == 0 ? [#"{"value":"2012-05-0\#(i % 9 + 1)","kind":"date"}"#] : [])
            let source = i % 3 == 0 ? #","source":{"value":"s\#(i % 2)","kind":"name"}"# : ""
            return #"{"predicate":{"value":"p\#(arguments.count)","kind":"name"},"arguments":[\#(arguments.joined(separator: ","))]\#(source)}"#
        }.joined(separator: "\n") + "\n"
        let csv = "who,org,source\n" + (0..<40).map { "n\($0 % 7),o\($0 % 3),\($0 % 4 == 0 ? "" : "r\($0 % 2)")" }.joined(separator: "\n") + "\n"
        let files = [(try write("in.jsonl", jsonl), ImportOptions(format: .jsonl)),
                     (try write("in.csv", csv), ImportOptions(format: .csv, predicate: .name("in"), sourceColumn: .named("source")))]
        func facts(_ kb: KnowledgeBase) throws -> [String] {
            var text = ""
            _ = try kb.export(.jsonl) { text += $0 }
            return text.split(separator: "\n").map(String.init).sorted()
        }
        let reference = try TestStore.newKnowledgeBase()
        let added = try files.map { try reference.importFile($0.0, options: $0.1) }
        XCTAssertEqual(added, [38, 40])
        XCTAssertEqual(try reference.count("?- p3(A, B, C)."), 11)
        XCTAssertEqual(try reference.count("?- in(W, O) @ r1."), 20)
        for (factsPerBatch, numberedTerms) in [(1, 3), (7, 10), (1_000, 1)] {
            let kb = try TestStore.newKnowledgeBase()
            for (file, fileOptions) in files {
                var options = fileOptions
                options.batchLimits = .init(factsPerBatch: factsPerBatch, numberedTerms: numberedTerms)
                _ = try kb.importFile(file, options: options)
            }
            XCTAssertEqual(try facts(kb), try facts(reference), "\(factsPerBatch) \(numberedTerms)")
            if !TestStore.isPostgres { XCTAssertEqual(try termCount(kb), try termCount(reference), "each term once") }
        }
    }

    func testAnArityConflictInJSONLinesInALaterBatchShowsItsLineAndImportsNothing() throws {
        let kb = try TestStore.newKnowledgeBase()
        let lines = (0..<9).map { #"{"predicate":"p","arguments":["a\#($0)","b"]}"# } + [#"{"predicate":"p","arguments":["c"]}"#]
        let file = try write("in.jsonl", lines.joined(separator: "\n") + "\n")
        var options = ImportOptions(format: .jsonl)
        options.batchLimits = .init(factsPerBatch: 2)
        XCTAssertThrowsError(try kb.importFile(file, options: options)) { error in
            XCTAssertEqual((error as? DiagnosticReport)?.rendered(), """
                \(file):10:1: error: predicate '"p"' is used with 1 argument here but has 2 elsewhere
                {"predicate":"p","arguments":["c"]}
                ^

                """)
        }
        XCTAssertEqual(try kb.predicates(), [])
    }
}
