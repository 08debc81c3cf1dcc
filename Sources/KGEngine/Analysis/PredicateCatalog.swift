import KGSyntax

/// The one arity of every known predicate: those with stored facts and those with rules.
public struct PredicateCatalog: Sendable {
    public private(set) var arities: [Value: Int] = [:]

    public init(arities: [Value: Int] = [:]) {
        self.arities = arities
    }

    /// An arity error when `atom` uses its predicate with another number of arguments.
    public func arityError(_ atom: Atom) -> Diagnostic? {
        arityError(atom.predicate, arity: atom.arity, at: atom.location)
    }

    /// An error when `predicate` is known with an arity other than `arity`.
    public func arityError(_ predicate: Value, arity: Int, at location: SourceLocation) -> Diagnostic? {
        guard let declared = arities[predicate], declared != arity else { return nil }
        return Diagnostic(EngineError.arityMismatch(predicate: predicate.sourceText, used: arity, declared: declared), at: location)
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
