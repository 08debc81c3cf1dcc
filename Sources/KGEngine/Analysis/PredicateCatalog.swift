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

    /// An error when no fact or rule defines the predicate of `atom`, naming the known
    /// predicates (and built-ins) nearest to it.
    public func unknownError(_ atom: Atom) -> Diagnostic? {
        guard arities[atom.predicate] == nil else { return nil }
        var signatures: [String: String] = [:]
        for (predicate, arity) in arities where predicate.kind == .name { signatures[predicate.sourceText] = "\(predicate.sourceText)/\(arity)" }
        for builtin in PredicateCatalog.builtinNames where signatures[builtin] == nil { signatures[builtin] = builtin }
        let nearest = Suggestion.nearest(to: atom.predicate.sourceText, among: signatures.keys).compactMap { signatures[$0] }
        return Diagnostic(EngineError.unknownPredicate(atom.signature, suggestions: nearest), at: atom.location)
    }

    /// The predicates every knowledge base has: tests on text, `conflict`, `text-match`.
    static let builtinNames = BuiltinPredicate.allCases.map(\.rawValue) + [ConflictRules.predicate.sourceText, TextMatch.predicate.sourceText]

    public mutating func record(_ atom: Atom) {
        if arities[atom.predicate] == nil { arities[atom.predicate] = atom.arity }
    }

    public func arity(of predicate: Value) -> Int? { arities[predicate] }

    /// Records the arity of a predicate a rewrite introduced.
    public mutating func declare(_ predicate: Value, arity: Int) {
        arities[predicate] = arity
    }
}
