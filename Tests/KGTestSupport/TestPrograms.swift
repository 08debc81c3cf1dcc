/// Programs several test targets run.
public enum TestPrograms {
    /// A chain of `length` links `predicate(n0, n1). predicate(n1, n2). ...` and the two rules
    /// of `reach` over it (recursive atom first or last): its whole closure is
    /// length * (length + 1) / 2 facts, far more than what one start needs.
    public static func chain(_ length: Int, predicate: String = "link", recursiveAtomFirst: Bool = true) -> String {
        (0..<length).map { "\(predicate)(n\($0), n\($0 + 1)).\n" }.joined()
            + "reach(X, Y) :- \(predicate)(X, Y).\n"
            + (recursiveAtomFirst ? "reach(X, Y) :- reach(X, Z), \(predicate)(Z, Y).\n" : "reach(X, Y) :- reach(Z, Y), \(predicate)(X, Z).\n")
    }

    /// Facts with sources (one fact from two), the sources' reporters, a rule, recursion and
    /// negation: what provenance and why-trees are tested on.
    public static let provenance = """
        reported-by(arminfo, zainetdinov). published-by(arminfo, arminfo-agency). published-on(arminfo, 2012-04-27).
        published-by(tass, tass-agency).
        member-of(armenia, csto) @ arminfo. member-of(russia, csto) @ arminfo. member-of(russia, csto) @ tass.
        member-of(belarus, csto). member-of(moldova, cis) @ tass. country(georgia). country(moldova).
        ally(X, Y) :- member-of(X, O), member-of(Y, O), X != Y.
        link(a, b) @ s1. link(b, c) @ s2. link(c, a) @ s1.
        reach(X, Y) :- link(X, Y).
        reach(X, Y) :- reach(X, Z), link(Z, Y).
        outsider(X) :- country(X), not member-of(X, csto).
        """
}
