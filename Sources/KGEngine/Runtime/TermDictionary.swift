import KGSyntax

/// Maps values to term ids and back for one evaluation (the encoding is `TermCode`'s).
///
/// Numbers and dates are inline: their ids are computed, never looked up. Other values have the
/// store's id when it holds them; a value the store does not hold (a constant of a rule that no
/// fact mentions, a string made by `concat`) gets a temporary id in this dictionary's arena,
/// which lives only as long as the evaluation, so a query never writes to the file. Without a
/// store (tests of the planner on programs alone) every such value is temporary.
final class TermDictionary {
    private let store: StoredFacts?
    /// Dictionary and temporary ids seen so far, both ways.
    private var values: [Int64: Value] = [:]
    private var ids: [Value: Int64] = [:]
    private var temporaryCount = 0

    init(store: StoredFacts?) {
        self.store = store
    }

    /// The id of a value: inline, the store's, or a temporary one.
    func id(for value: Value) throws -> Int64 {
        if let inline = TermCode.inlineID(value) { return inline }
        if let id = ids[value] { return id }
        let id: Int64
        if let stored = try store?.termID(for: value) {
            id = stored
        } else {
            id = TermCode.temporary(temporaryCount)
            temporaryCount += 1
        }
        ids[value] = id
        values[id] = value
        return id
    }

    /// The id of a value that facts in the store may hold, or nil (nothing stored can then
    /// match it).
    func storedID(for value: Value) throws -> Int64? {
        let id = try id(for: value)
        return TermCode.isStorable(id) ? id : nil
    }

    /// The lexical texts of the values given temporary ids so far, by id.
    func temporaryTexts() -> [(id: Int64, text: String)] {
        values.filter { TermCode.isTemporary($0.key) }.map { ($0.key, $0.value.lexical) }.sorted { $0.id > $1.id }
    }

    /// The values of many distinct ids: the dictionary ones not known yet read in one pass over
    /// the store (in id order), the others made or looked up here.
    func values(of wanted: [Int64]) throws -> [Value] {
        var keyed: [KeyedSort.Keyed] = []
        for (index, id) in wanted.enumerated() where TermCode.isDictionary(id) && values[id] == nil {
            keyed.append((KeyedSort.key(id), index))
        }
        KeyedSort.sort(&keyed)
        let missing = keyed.map { (id: wanted[$0.index], index: $0.index) }
        var read: [Value] = []
        read.reserveCapacity(missing.count)
        // Where each wanted id's value is in `read`, -1 when it was not read.
        var readAt = [Int32](repeating: -1, count: wanted.count)
        var next = 0
        // Terms come back in id order; an id with none is passed over (and reported below).
        try store?.forEachTerm(ids: missing.map(\.id)) { id, kind, lexical in
            while missing[next].id < id { next += 1 }
            guard let value = TermCode.value(kind: kind, text: lexical) else { throw EngineError.missingTerm(id: id) }
            readAt[missing[next].index] = Int32(read.count)
            read.append(value)
            next += 1
        }
        var result: [Value] = []
        result.reserveCapacity(wanted.count)
        for (index, id) in wanted.enumerated() {
            result.append(readAt[index] >= 0 ? read[Int(readAt[index])] : try value(of: id))
        }
        return result
    }

    /// The value of an id.
    func value(of id: Int64) throws -> Value {
        if let inline = TermCode.inlineValue(id) { return inline }
        if let value = values[id] { return value }
        guard let store, TermCode.isDictionary(id) else { throw EngineError.missingTerm(id: id) }
        let value = try store.value(of: id)
        values[id] = value
        ids[value] = id
        return value
    }
}
