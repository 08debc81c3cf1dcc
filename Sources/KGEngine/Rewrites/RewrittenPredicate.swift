import KGSyntax

/// A predicate a rewrite adds, kept as what it stands for instead of a name to parse back.
/// `name` is how rules, plans and `--explain` write it (no name a user writes looks like it).
enum RewrittenPredicate: Hashable, Sendable {
    /// `reach[bf]`: the facts of `reach` asked for with the arguments marked `b` bound.
    case adorned(Value, adornment: String)
    /// `magic-reach[bf]`: the bound arguments asked for.
    case magic(Value, adornment: String)
    /// `reach[stored]`: the stored facts of `reach` alone, without what its rules derive.
    case stored(Value)
    /// `reach[sources]`: the facts of `reach` with one source each derivation rests on.
    case sources(Value)
    /// `member-of[periods]`: the facts of `member-of`, each with a period it holds in (two more
    /// columns); loaded with the stored facts' periods, and derived by rules carrying them.
    case periods(Value)
    /// `member-of[maximal]`: the facts of `member-of` with each maximal period they hold in.
    case maximal(Value)
    /// `member-of[maximal-by-source]`: the stored facts of `member-of`, each with a source and
    /// each maximal period that source says it holds in (the source before the period).
    case maximalBySource(Value)
    /// `text-match["defence ministers"]`: the terms a search matches, each with its score;
    /// loaded from the store's text index.
    case textMatch(TextSearch, text: String)

    var name: Value {
        switch self {
        case .adorned(let predicate, let adornment): return .name("\(predicate.sourceText)[\(adornment)]")
        case .magic(let predicate, let adornment): return .name("magic-\(predicate.sourceText)[\(adornment)]")
        case .stored(let predicate): return .name("\(predicate.sourceText)[stored]")
        case .sources(let predicate): return .name("\(predicate.sourceText)[sources]")
        case .periods(let predicate): return .name("\(predicate.sourceText)[periods]")
        case .maximal(let predicate): return .name("\(predicate.sourceText)[maximal]")
        case .maximalBySource(let predicate): return .name("\(predicate.sourceText)[maximal-by-source]")
        case .textMatch(_, let text): return .name("text-match[\(Value.string(text).sourceText)]")
        }
    }

    /// Whether the relation is a text search's, loaded from the store's text index.
    var isTextMatch: Bool {
        if case .textMatch = self { return true }
        return false
    }

    /// The predicate whose stored facts this one's relation is loaded with, if any.
    var storedPredicate: Value? {
        if case .stored(let predicate) = self { return predicate }
        return nil
    }
}
