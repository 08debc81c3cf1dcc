import KGSyntax

/// Why a fact holds: its stored sources and its derivations, down to stored facts.
public struct WhyNode: Sendable, Equatable {
    /// The fact as source text: `ally(armenia, russia)`.
    public var fact: String
    public var holds: Bool
    /// The sources the fact is stored with.
    public var sources: [WhySource]
    /// Whether the fact is also stored without a source.
    public var storedWithoutSource: Bool
    /// The periods the fact is stored with without a source (none: at all times).
    public var periodsWithoutSource: [WhyPeriod] = []
    /// The first derivations by rules (up to the limit asked for).
    public var derivations: [WhyDerivation]
    /// How many more derivations there are beyond those shown.
    public var moreDerivations: Int
    /// True when this fact was explained earlier in the same tree and is not expanded again.
    public var explainedAbove: Bool
    /// For a fact that does not hold: for each rule that could derive it, where it fails.
    public var whyNot: [WhyNot] = []
    /// The maximal periods in which a fact of a predicate with periods holds, when it does not
    /// hold at all times (explained with the periods of its premises).
    public var periods: [WhyPeriod] = []

    public var isStored: Bool { !sources.isEmpty || storedWithoutSource }
}

/// Why a rule does not derive a fact: its first body literal that no solution of the ones
/// before it satisfies.
public struct WhyNot: Sendable, Equatable {
    /// The rule as written.
    public var rule: String
    /// The values of the rule's variables: those the fact gives, and a solution of the literals
    /// before the failing one (when there are any).
    public var bindings: [WhyDerivation.Binding]
    /// The failing literal with the fact's values put in, and why it fails.
    public var failing: String
    public var reason: String

    public init(rule: String, bindings: [WhyDerivation.Binding], failing: String, reason: String) {
        (self.rule, self.bindings, self.failing, self.reason) = (rule, bindings, failing, reason)
    }
}

/// A source of a stored fact, with what the knowledge base says about it.
public struct WhySource: Sendable, Equatable {
    public var source: String
    public var reportedBy: [String]
    public var publishedBy: [String]
    public var publishedOn: [String]
    /// The periods the source states the fact for (none: at all times).
    public var periods: [WhyPeriod] = []
}

/// A period a stored fact holds in; an open end is nil.
public struct WhyPeriod: Sendable, Equatable {
    public var from: String?
    public var until: String?

    public init(from: String?, until: String?) {
        self.from = from
        self.until = until
    }

    /// `from 2006-08-16 until 2012-12-19`, an open end left out.
    public var text: String {
        [from.map { "from " + $0 }, until.map { "until " + $0 }].compactMap { $0 }.joined(separator: " ")
    }
}

/// One application of a rule.
public struct WhyDerivation: Sendable, Equatable {
    /// The rule as written.
    public var rule: String
    /// The variables' values, in order of first appearance.
    public var bindings: [Binding]
    /// For an aggregate rule: the aggregate and how many solutions it ranged over.
    public var aggregate: String?
    public var premises: [WhyPremise]
    /// For an aggregate rule: solutions beyond those whose premises are shown.
    public var moreSolutions: Int
    /// With periods: the period this derivation gives the fact (the intersection of its
    /// premises' periods), before any negated premise's periods are taken away.
    public var period: WhyPeriod? = nil

    public struct Binding: Sendable, Equatable {
        public var variable: String
        public var value: String

        public init(variable: String, value: String) {
            self.variable = variable
            self.value = value
        }
    }
}

/// What a derivation rests on.
public indirect enum WhyPremise: Sendable, Equatable {
    /// A fact, explained in turn.
    case fact(WhyNode)
    /// `not atom`, which holds because no fact matches it.
    case negation(String)
    /// `not atom` on a predicate with periods: the periods in which it holds are taken away.
    case periodsTakenAway(String)
    /// A comparison or built-in test that holds.
    case condition(String)
}
