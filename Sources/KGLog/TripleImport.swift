import Foundation
import KGFormats
import KGStore
import KGSyntax

// MARK: - Importing N-Triples, N-Quads, Turtle and TriG on two threads

/// What the reading thread hands to the writing one: the terms first seen in a stretch of the
/// file and that stretch's facts as term numbers.
struct TripleBatch: Sendable {
    /// Term numbers restart from 0 when the numbering is cleared to keep memory flat; each
    /// restart is a new epoch.
    var epoch: Int
    /// The new terms in the order first seen: term `i` has number `firstNumber + i`.
    var firstNumber: Int
    var terms = TermList()
    /// Four numbers a fact: subject, predicate, object, source (-1 for none).
    var facts: [Int] = []
    /// Predicates used for the first time in this epoch: each is checked against the catalog.
    var predicates: [(number: Int, value: Value, line: Int, text: String)] = []
    /// In the last batch of a Turtle or TriG file: the prefixes it declared.
    var prefixes: [String: String] = [:]
}

/// Reads an RDF file into batches (on its own thread): parses it, numbers its terms, and sends
/// a batch every `Limits.factsPerBatch` facts.
struct TripleFileReader: Sendable {
    /// How the file is written: a statement a line, or Turtle's (or TriG's) grammar, whose
    /// relative IRIs resolve against `base`.
    enum Syntax: Sendable {
        case lines(NTriplesParser.Format)
        case turtle(TurtleParser.Format, base: String)
    }

    let path: String
    let syntax: Syntax
    /// The source of facts that name none.
    let defaultSource: Value?
    let limits: Limits

    struct Limits: Sendable {
        var factsPerBatch = 100_000
        /// Beyond this many distinct terms, or bytes of their text, the numbering starts again
        /// (a new epoch), so that memory stays flat however large the file.
        var numberedTerms = 1_000_000
        var numberedTextBytes = 64 << 20
    }

    /// Reads the whole file into `channel`, then finishes it. A line that does not parse is
    /// sent as an `ImportFailure` and ends the reading.
    func run(into channel: BatchChannel<TripleBatch>) {
        defer { channel.finish() }
        do {
            var state = State(defaultSource: defaultSource, limits: limits)
            guard case .lines(let format) = syntax else {
                try readTurtle(into: channel, state)
                return
            }
            let reader = try LineReader(path: path)
            let parser = NTriplesParser(format: format)
            try reader.forEachLine { line, lineNumber in
                let statement: RawStatement
                do throws(FormatDiagnostic) {
                    guard let parsed = try parser.parseRaw(line, lineNumber: lineNumber) else { return }
                    statement = parsed
                } catch {
                    throw ImportFailure(diagnostic: error.diagnostic, line: String(decoding: line, as: UTF8.self))
                }
                state.add(statement, line: line, lineNumber: lineNumber)
                if state.batchIsFull {
                    guard channel.send(.success(state.takeBatch())) else { throw Abandoned() }
                }
            }
            _ = channel.send(.success(state.takeBatch()))
        } catch is Abandoned {
        } catch {
            _ = channel.send(.failure(error))
        }
    }

    /// Turtle or TriG: each triple as the parser gives it, its terms numbered by their kind and
    /// stored text; the last batch carries the file's prefixes.
    private func readTurtle(into channel: BatchChannel<TripleBatch>, _ state: State) throws {
        guard case .turtle(let format, let base) = syntax else { return }
        var parser = TurtleParser(format: format, source: try ByteSource(path: path), base: base)
        // The parser's closure holds the state.
        var reading = state
        do {
            try parser.parse { quad, line in
                reading.add(quad, lineNumber: line)
                if reading.batchIsFull {
                    guard channel.send(.success(reading.takeBatch())) else { throw Abandoned() }
                }
            }
        } catch let error as FormatDiagnostic {
            throw ImportFailure(diagnostic: error.diagnostic, line: KnowledgeBase.line(error.line, of: path))
        }
        var last = reading.takeBatch()
        last.prefixes = parser.prefixes
        _ = channel.send(.success(last))
    }

    private struct Abandoned: Error {}

    /// The numbering and the batch being filled.
    private struct State {
        var numbering = TermNumbering()
        var batch = TripleBatch(epoch: 0, firstNumber: 0)
        var predicates = Set<Int>()
        let defaultSource: Value?
        var defaultSourceNumber = -1
        let limits: Limits

        init(defaultSource: Value?, limits: Limits) {
            self.defaultSource = defaultSource
            self.limits = limits
            numberDefaultSource()
        }

        mutating func numberDefaultSource() {
            guard let defaultSource else { return }
            var text = Array(TermCode.dictionaryKey(of: defaultSource).text.utf8)
            defaultSourceNumber = text.withUnsafeMutableBufferPointer {
                number(RawTerm(kind: defaultSource.kind, text: UnsafeBufferPointer($0)))
            }
        }

        mutating func number(_ term: RawTerm) -> Int {
            let kind = UInt8(term.kind.rawValue)
            let (number, isNew) = numbering.number(kind: kind, text: term.text)
            if isNew { batch.terms.append(kind: kind, text: term.text) }
            return number
        }

        mutating func number(_ value: Value) -> Int {
            var text = value.storageText
            return text.withUTF8 { number(RawTerm(kind: value.kind, text: $0)) }
        }

        /// The subject and predicate of the triple before: Turtle repeats them (`;` and `,`).
        private var recent: (subject: Value, subjectNumber: Int, predicate: Value, predicateNumber: Int)?

        /// A triple the Turtle parser read (TriG: with its graph).
        mutating func add(_ quad: Quad, lineNumber: Int) {
            let subject = recent.flatMap { $0.subject == quad.subject ? $0.subjectNumber : nil } ?? number(quad.subject)
            let predicate = recent.flatMap { $0.predicate == quad.predicate ? $0.predicateNumber : nil } ?? number(quad.predicate)
            recent = (quad.subject, subject, quad.predicate, predicate)
            if predicates.insert(predicate).inserted { batch.predicates.append((predicate, quad.predicate, lineNumber, "")) }
            batch.facts.append(subject)
            batch.facts.append(predicate)
            batch.facts.append(number(quad.object))
            batch.facts.append(quad.graph.map { number($0) } ?? defaultSourceNumber)
        }

        mutating func add(_ statement: RawStatement, line: UnsafeBufferPointer<UInt8>, lineNumber: Int) {
            let subject = number(statement.subject)
            let predicate = number(statement.predicate)
            let object = number(statement.object)
            let source = statement.graph.map { number($0) } ?? defaultSourceNumber
            if predicates.insert(predicate).inserted {
                batch.predicates.append((predicate, statement.predicate.value, lineNumber, String(decoding: line, as: UTF8.self)))
            }
            batch.facts.append(subject)
            batch.facts.append(predicate)
            batch.facts.append(object)
            batch.facts.append(source)
        }

        /// Whether the batch is to be sent: `Limits.factsPerBatch` facts, or the numbering full.
        var batchIsFull: Bool { batch.facts.count >= 4 * limits.factsPerBatch || numberingIsFull }

        var numberingIsFull: Bool {
            numbering.count > limits.numberedTerms || numbering.textBytes > limits.numberedTextBytes
        }

        /// The batch so far; a new batch starts (and, when the numbering is full, a new epoch).
        mutating func takeBatch() -> TripleBatch {
            let full = batch
            if numberingIsFull {
                recent = nil
                numbering.removeAll()
                predicates.removeAll()
                batch = TripleBatch(epoch: full.epoch + 1, firstNumber: 0)
                numberDefaultSource()
            } else {
                batch = TripleBatch(epoch: full.epoch, firstNumber: numbering.count)
            }
            return full
        }
    }
}

extension KnowledgeBase {
    /// The facts waiting to be written to the quad tables before they are sorted and written:
    /// a million (32 MB), so that the usual file is written in one sorted pass.
    static let quadsPerWrite = 1 << 20

    /// Imports N-Triples, N-Quads, Turtle or TriG: a second thread reads and parses the file
    /// while this one writes terms and facts to the store. Call inside the import's
    /// transaction. Returns the facts added, and the prefixes a Turtle or TriG file declared.
    func importTriples(_ path: String, syntax: TripleFileReader.Syntax, source: Value?,
                       limits: TripleFileReader.Limits = .init()) throws -> (added: Int, prefixes: [String: String]) {
        let channel = BatchChannel<TripleBatch>(capacity: 2)
        let reader = TripleFileReader(path: path, syntax: syntax, defaultSource: source, limits: limits)
        // The reader never touches the store. When this thread stops early it abandons the
        // channel, and the reader ends at its next batch (or, blocked on a pipe, when the pipe
        // gives more or closes); it is not waited for.
        Thread { reader.run(into: channel) }.start()
        defer { channel.abandon() }
        // In a store with no terms yet, the first epoch's terms are new by construction.
        let storeWasEmpty = try store.nextTermID() == 1
        var ids: [Int64] = []
        var rows: [QuadRow] = []
        var added = 0
        var prefixes: [String: String] = [:]
        let check: () throws -> Void = { [checkpoint] in try checkpoint?() }
        while let delivery = try channel.receive(checking: check) {
            try check()
            let batch = try delivery.get()
            prefixes.merge(batch.prefixes) { $1 }
            if batch.firstNumber == 0 { ids.removeAll(keepingCapacity: true) }
            // Sorted, the terms go into the store's index on terms at its end or in runs.
            let (sorted, originalIndex) = batch.terms.sortedByKindAndText()
            let sortedIDs = try store.addTerms(sorted, allNew: storeWasEmpty && batch.epoch == 0)
            ids.append(contentsOf: repeatElement(0, count: sorted.count))
            for (id, index) in zip(sortedIDs, originalIndex) { ids[batch.firstNumber + index] = id }
            // Their words too, while the reader reads on.
            try store.indexNewTerms()
            for predicate in batch.predicates {
                try declare(predicate.value, arity: 2, id: ids[predicate.number], line: predicate.line, text: predicate.text)
            }
            batch.facts.withUnsafeBufferPointer { facts in
                for index in stride(from: 0, to: facts.count, by: 4) {
                    let source = facts[index + 3]
                    rows.append(QuadRow(s: ids[facts[index]], p: ids[facts[index + 1]], o: ids[facts[index + 2]],
                                        g: source < 0 ? TermCode.noTerm : ids[source]))
                }
            }
            if rows.count >= KnowledgeBase.quadsPerWrite {
                added += try store.addQuads(rows)
                rows.removeAll(keepingCapacity: true)
            }
        }
        try check()
        return (added + (try store.addQuads(rows)), prefixes)
    }
}
