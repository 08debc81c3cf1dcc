import Foundation
import KGFormats
import KGStore
import KGSyntax

// MARK: - Importing a data file on two threads

/// What the reading thread hands to the writing one: the terms first seen in a stretch of the
/// file and that stretch's facts as term numbers.
struct FactBatch: Sendable {
    /// Term numbers restart from 0 when the numbering is cleared to keep memory flat; each
    /// restart is a new epoch.
    var epoch: Int
    /// The new terms in the order first seen: term `i` has number `firstNumber + i`.
    var firstNumber: Int
    var terms = TermList()
    /// Binary facts, four numbers each: subject, predicate, object, source (-1 for none).
    var facts: [Int] = []
    /// Facts of other arities, each as its arity, predicate, arguments and source (-1 for none).
    var otherFacts: [Int] = []
    var otherFactCount = 0
    /// Predicates used with an arity for the first time in this epoch: each is checked against
    /// the catalog (the line's text, when the reader had it, for the error's caret).
    var predicates: [(number: Int, arity: Int, value: Value, line: Int, text: String)] = []
    /// In the last batch: the prefixes the file declared (Turtle and TriG).
    var prefixes: [String: String] = [:]
}

/// Runs a format's reader on its own thread: numbers the terms of the facts it reads, and sends
/// a batch every `Limits.factsPerBatch` facts (the first after a tenth of that, so that the
/// writing thread starts early).
struct FactFileReader: Sendable {
    let reader: any FactReader
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

    /// Reads the whole file, handing each batch to `send` (a `BatchChannel`'s producer). An
    /// error (a `FormatDiagnostic` for a bad line) ends the reading.
    func run(sending send: @escaping (FactBatch) throws -> Void) throws {
        var reading = reader
        var state = State(send: send, defaultSource: defaultSource, limits: limits)
        try reading.read(into: &state)
        var last = state.takeBatch()
        last.prefixes = reading.prefixes
        try send(last)
    }

    /// The numbering and the batch being filled: the reader's sink.
    private struct State: FactSink {
        let send: (FactBatch) throws -> Void
        var numbering = TermNumbering()
        var batch = FactBatch(epoch: 0, firstNumber: 0)
        /// The predicates (with arity) this epoch's batches have announced.
        var predicates = Set<PredicateUse>()
        let defaultSource: Value?
        var defaultSourceNumber = -1
        let limits: Limits

        struct PredicateUse: Hashable {
            var number: Int
            var arity: Int
        }

        init(send: @escaping (FactBatch) throws -> Void, defaultSource: Value?, limits: Limits) {
            self.send = send
            self.defaultSource = defaultSource
            self.limits = limits
            numberDefaultSource()
        }

        mutating func numberDefaultSource() {
            guard let defaultSource else { return }
            defaultSourceNumber = number(defaultSource)
        }

        mutating func number(_ term: RawTerm) -> Int {
            let kind = UInt8(term.kind.rawValue)
            let (number, isNew) = numbering.number(kind: kind, text: term.text)
            if isNew { batch.terms.append(kind: kind, text: term.text) }
            return number
        }

        mutating func number(_ value: Value) -> Int {
            var text = TermCode.dictionaryKey(of: value).text
            return text.withUTF8 { number(RawTerm(kind: value.kind, text: $0)) }
        }

        /// Announces a predicate the first time it is used with an arity in this epoch.
        mutating func use(_ predicate: Int, arity: Int, _ value: @autoclosure () -> Value, line: FactLine) {
            guard predicates.insert(PredicateUse(number: predicate, arity: arity)).inserted else { return }
            batch.predicates.append((predicate, arity, value(), line.number, line.text.map { String(decoding: $0, as: UTF8.self) } ?? ""))
        }

        /// The subject and predicate of the triple before: Turtle repeats them (`;` and `,`).
        private var recent: (subject: Value, subjectNumber: Int, predicate: Value, predicateNumber: Int)?

        mutating func add(_ quad: Quad, line: FactLine) throws {
            let subject = recent.flatMap { $0.subject == quad.subject ? $0.subjectNumber : nil } ?? number(quad.subject)
            let predicate = recent.flatMap { $0.predicate == quad.predicate ? $0.predicateNumber : nil } ?? number(quad.predicate)
            recent = (quad.subject, subject, quad.predicate, predicate)
            use(predicate, arity: 2, quad.predicate, line: line)
            batch.facts.append(subject)
            batch.facts.append(predicate)
            batch.facts.append(number(quad.object))
            batch.facts.append(quad.graph.map { number($0) } ?? defaultSourceNumber)
            try sendIfFull()
        }

        mutating func add(_ statement: RawStatement, line: FactLine) throws {
            let subject = number(statement.subject)
            let predicate = number(statement.predicate)
            let object = number(statement.object)
            let source = statement.graph.map { number($0) } ?? defaultSourceNumber
            use(predicate, arity: 2, statement.predicate.value, line: line)
            batch.facts.append(subject)
            batch.facts.append(predicate)
            batch.facts.append(object)
            batch.facts.append(source)
            try sendIfFull()
        }

        mutating func add(predicate: Value, arguments: [Value], source: Value?, line: FactLine) throws {
            let predicateNumber = number(predicate)
            use(predicateNumber, arity: arguments.count, predicate, line: line)
            let sourceNumber = source.map { number($0) } ?? defaultSourceNumber
            if arguments.count == 2 {
                batch.facts.append(number(arguments[0]))
                batch.facts.append(predicateNumber)
                batch.facts.append(number(arguments[1]))
                batch.facts.append(sourceNumber)
            } else {
                batch.otherFacts.append(arguments.count)
                batch.otherFacts.append(predicateNumber)
                for argument in arguments { batch.otherFacts.append(number(argument)) }
                batch.otherFacts.append(sourceNumber)
                batch.otherFactCount += 1
            }
            try sendIfFull()
        }

        /// Whether a batch has gone: the first is smaller, for the writer waits for it.
        private var sentOne = false

        /// Sends the batch at `Limits.factsPerBatch` facts, or when the numbering is full.
        private mutating func sendIfFull() throws {
            let limit = sentOne ? limits.factsPerBatch : max(1, limits.factsPerBatch / 10)
            guard batch.facts.count / 4 + batch.otherFactCount >= limit || numberingIsFull else { return }
            try send(takeBatch())
            sentOne = true
        }

        var numberingIsFull: Bool {
            numbering.count > limits.numberedTerms || numbering.textBytes > limits.numberedTextBytes
        }

        /// The batch so far; a new batch starts (and, when the numbering is full, a new epoch).
        mutating func takeBatch() -> FactBatch {
            let full = batch
            if numberingIsFull {
                recent = nil
                numbering.removeAll()
                predicates.removeAll()
                batch = FactBatch(epoch: full.epoch + 1, firstNumber: 0)
                numberDefaultSource()
            } else {
                batch = FactBatch(epoch: full.epoch, firstNumber: numbering.count)
            }
            return full
        }
    }
}

extension KnowledgeBase {
    /// The facts waiting to be written to the quad tables before they are sorted and written:
    /// a million (32 MB), so that the usual file is written in one sorted pass.
    static let quadsPerWrite = 1 << 20
    /// Facts of other arities wait likewise, fewer at a time: each holds an array.
    static let tuplesPerWrite = 1 << 18

    /// Imports a data file: the format's reader reads and parses it on a second thread while
    /// this one writes terms and facts to the store. Call inside the import's transaction.
    /// Returns the facts added, and the prefixes the file declared (Turtle and TriG).
    func importFacts(from reader: any FactReader, source: Value?,
                     limits: FactFileReader.Limits = .init()) throws -> (added: Int, prefixes: [String: String]) {
        let fileReader = FactFileReader(reader: reader, defaultSource: source, limits: limits)
        // The reader never touches the store. When this thread stops early it abandons the
        // channel, and the reader ends at its next batch (or, blocked on a pipe, when the pipe
        // gives more or closes); it is not waited for.
        let channel = BatchChannel<FactBatch>.filled(capacity: 2) { send in try fileReader.run(sending: send) }
        defer { channel.abandon() }
        // In a store with no terms yet, the first epoch's terms are new by construction.
        let storeWasEmpty = try store.nextTermID() == 1
        var ids: [Int64] = []
        var rows: [QuadRow] = []
        var tuples: [TupleRow] = []
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
                try declare(predicate.value, arity: predicate.arity, id: ids[predicate.number], line: predicate.line, text: predicate.text)
            }
            batch.facts.withUnsafeBufferPointer { facts in
                for index in stride(from: 0, to: facts.count, by: 4) {
                    let source = facts[index + 3]
                    rows.append(QuadRow(s: ids[facts[index]], p: ids[facts[index + 1]], o: ids[facts[index + 2]],
                                        g: source < 0 ? TermCode.noTerm : ids[source]))
                }
            }
            var index = 0
            while index < batch.otherFacts.count {
                let arity = batch.otherFacts[index]
                let arguments = batch.otherFacts[(index + 2)..<(index + 2 + arity)].map { ids[$0] }
                let source = batch.otherFacts[index + 2 + arity]
                tuples.append(TupleRow(p: ids[batch.otherFacts[index + 1]], arguments: arguments, g: source < 0 ? TermCode.noTerm : ids[source]))
                index += arity + 3
            }
            if rows.count >= KnowledgeBase.quadsPerWrite {
                added += try store.addQuads(rows)
                rows.removeAll(keepingCapacity: true)
            }
            if tuples.count >= KnowledgeBase.tuplesPerWrite {
                added += try store.addTuples(tuples)
                tuples.removeAll(keepingCapacity: true)
            }
        }
        try check()
        added += try store.addQuads(rows)
        added += try store.addTuples(tuples)
        return (added, prefixes)
    }
}
