/// "Did you mean": the known names nearest to one that is not known, by edit distance.
public enum Suggestion {
    /// The candidates nearest to `word` (at most `limit`, the nearest first, then in order of
    /// text), each within a distance that still reads as a typo: one edit for words of three or
    /// four characters, two up to eight, three beyond; none for shorter words, whose neighbours
    /// are mostly chance. Case is ignored for the distance.
    public static func nearest<S: Sequence>(to word: String, among candidates: S, limit: Int = 3) -> [String] where S.Element == String {
        let target = Array(word.lowercased().unicodeScalars)
        let allowed = target.count <= 2 ? 0 : target.count <= 4 ? 1 : target.count <= 8 ? 2 : 3
        guard allowed > 0 else { return [] }
        var found: [(distance: Int, text: String)] = []
        for candidate in candidates where candidate != word {
            let scalars = Array(candidate.lowercased().unicodeScalars)
            guard abs(scalars.count - target.count) <= allowed,
                  let distance = distance(target, scalars, atMost: allowed) else { continue }
            found.append((distance, candidate))
        }
        found.sort { ($0.distance, $0.text) < ($1.distance, $1.text) }
        var nearest: [String] = []
        for (_, text) in found where nearest.count < limit && !nearest.contains(text) { nearest.append(text) }
        return nearest
    }

    /// The optimal string alignment distance of `a` and `b` (insertions, deletions,
    /// substitutions and swaps of two neighbours), or nil when it is over `limit`.
    static func distance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar], atMost limit: Int) -> Int? {
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) <= limit ? max(a.count, b.count) : nil }
        var before = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            var smallest = current[0]
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { value = min(value, before[j - 2] + 1) }
                current[j] = value
                smallest = min(smallest, value)
            }
            // Every later row is at least this row's smallest value.
            if smallest > limit { return nil }
            (before, previous, current) = (previous, current, before)
        }
        return previous[b.count] <= limit ? previous[b.count] : nil
    }

    /// "; did you mean 'a'?" or "; did you mean 'a' or 'b'?", or nothing without suggestions.
    public static func phrase(_ suggestions: [String]) -> String {
        guard let last = suggestions.last else { return "" }
        let quoted = suggestions.dropLast().map { "'\($0)'" }
        return "; did you mean " + (quoted.isEmpty ? "'\(last)'" : quoted.joined(separator: ", ") + " or '\(last)'") + "?"
    }
}
