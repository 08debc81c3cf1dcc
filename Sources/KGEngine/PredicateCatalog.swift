import KGSyntax

/// The one arity of every known predicate: those with stored facts and those with rules.
public struct PredicateCatalog: Sendable {
    public private(set) var arities: [Value: Int] = [:]

    public init(arities: [Value: Int] = [:]) {
        self.arities = arities
    }

    /// An arity error when `atom` uses its predicate with another number of arguments.
    public func arityError(_ atom: Atom) -> Diagnostic? {
        guard let declared = arities[atom.predicate], declared != atom.arity else { return nil }
        return Diagnostic(EngineError.arityMismatch(predicate: atom.predicate.sourceText, used: atom.arity, declared: declared),
                          at: atom.location)
    }

    /// An error when no fact or rule defines the predicate of `atom`.
    public func unknownError(_ atom: Atom) -> Diagnostic? {
        arities[atom.predicate] == nil ? Diagnostic(EngineError.unknownPredicate(atom.signature), at: atom.location) : nil
    }

    public mutating func record(_ atom: Atom) {
        if arities[atom.predicate] == nil { arities[atom.predicate] = atom.arity }
    }

    public func arity(of predicate: Value) -> Int? { arities[predicate] }

    /// Records the arity of a predicate a rewrite introduced.
    public mutating func declare(_ predicate: Value, arity: Int) {
        arities[predicate] = arity
    }
}
