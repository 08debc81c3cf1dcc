import KGStore
import KGSyntax

/// Maps values to term ids and back for one evaluation.
///
/// Ids of terms in the store are positive. A value the store does not hold (a constant of a
/// rule that no fact mentions, a number computed by arithmetic) gets a negative temporary id
/// that lives only as long as this dictionary, so a query never writes to the file. Without a
/// store (tests of the planner on programs alone) every value gets a temporary id.
final class TermDictionary {
    private let store: Store?
    private var values: [Int64: Value] = [:]
    private var ids: [Value: Int64] = [:]
    private var nextTemporary: Int64 = -1

    init(store: Store?) {
        self.store = store
    }

    /// The id of a value: the store's when it has one, a temporary one otherwise.
    func id(for value: Value) throws -> Int64 {
        if let id = ids[value] { return id }
        let id: Int64
        if let stored = try store?.termID(kind: value.kind.rawValue, lexical: value.storageText) {
            id = stored
        } else {
            id = nextTemporary
            nextTemporary -= 1
        }
        ids[value] = id
        values[id] = value
        return id
    }

    /// The id of a value already in the store, or nil (nothing stored can then match it).
    func storedID(for value: Value) throws -> Int64? {
        let id = try id(for: value)
        return id > 0 ? id : nil
    }

    /// The values of many distinct ids: the stored ones read in one pass over the store.
    func values(of wanted: [Int64]) throws -> [Value] {
        var result = [Value?](repeating: nil, count: wanted.count)
        var missing: [(id: Int64, index: Int)] = []
        for (index, id) in wanted.enumerated() {
            if let value = values[id] { result[index] = value } else if id > 0 { missing.append((id, index)) }
        }
        missing.sort { $0.id < $1.id }
        var next = 0
        // Terms come back in id order; an id with none is passed over (and reported below).
        try store?.forEachTerm(ids: missing.map(\.id)) { id, kind, lexical in
            while missing[next].id < id { next += 1 }
            guard let valueKind = Value.Kind(rawValue: kind), let value = Value(kind: valueKind, storageText: lexical) else {
                throw StoreError.danglingTerm(id: id)
            }
            result[missing[next].index] = value
            next += 1
        }
        return try wanted.indices.map { index in
            if let value = result[index] { return value }
            return try value(of: wanted[index])
        }
    }

    /// The value of an id.
    func value(of id: Int64) throws -> Value {
        if let value = values[id] { return value }
        guard let (kind, lexical) = try store?.term(id: id),
              let valueKind = Value.Kind(rawValue: kind),
              let value = Value(kind: valueKind, storageText: lexical) else {
            throw StoreError.danglingTerm(id: id)
        }
        values[id] = value
        ids[value] = id
        return value
    }
}

extension Store {
    /// The id of a value, adding it to the store's dictionary when new.
    func intern(_ value: Value) throws -> Int64 {
        try internTerm(kind: value.kind.rawValue, lexical: value.storageText)
    }
}
