import KGSyntax

/// Full-text search over the dictionary: every string and name term's words (`TextWords`) as a
/// `tsvector` in `term_words`, with a GIN index, and the number of texts and words indexed in
/// `term_words_totals` (what BM25 needs). Terms are committed by the term writer the moment
/// they are added, and their words in the same transaction, so the index never lags a term.
/// Scores are computed here as SQLite's FTS5 computes them, so both stores rank alike.
extension PostgresStore {
    static let textIndexStatements = [
        "CREATE TABLE IF NOT EXISTS term_words(id bigint PRIMARY KEY REFERENCES terms(id) ON DELETE CASCADE, words tsvector NOT NULL, length integer NOT NULL)",
        "CREATE INDEX IF NOT EXISTS term_words_search ON term_words USING gin(words)",
        "CREATE TABLE IF NOT EXISTS term_words_totals(texts bigint NOT NULL, words bigint NOT NULL)",
        "INSERT INTO term_words_totals SELECT 0, 0 WHERE NOT EXISTS (SELECT 1 FROM term_words_totals)",
    ]

    /// A `tsvector` holds positions up to 16,383: words after those are not indexed.
    static let indexedWordsPerText = 16_383
    /// Nor does it hold a word of more than 2,046 bytes.
    static let longestIndexedWord = 2_046

    /// Schema 4 adds the text index, and indexes every term there is.
    func addTextIndex(on connection: PostgresConnection) throws {
        for statement in PostgresStore.textIndexStatements { try connection.execute(statement) }
        try index(sql: "SELECT t.id, t.kind, t.lexical FROM terms AS t WHERE t.kind IN (\(TextWords.searchedKinds.map(String.init).joined(separator: ", ")))"
                       + " AND NOT EXISTS (SELECT 1 FROM term_words AS w WHERE w.id = t.id)", on: connection)
    }

    /// Indexes the words of the terms `sql` selects (id, kind, lexical). Call in a transaction
    /// of `connection`.
    func index(sql: String, on connection: PostgresConnection) throws {
        let terms = try connection.execute(sql).rows.compactMap { row -> (id: Int64, kind: Int, text: String)? in
            guard let id = row[0].flatMap({ Int64($0) }), let kind = row[1].flatMap({ Int($0) }), let text = row[2] else { return nil }
            return (id, kind, text)
        }
        try indexWords(of: terms, on: connection)
    }

    /// Indexes the words of terms given by id, kind and text: a staging table filled by COPY,
    /// then one insert that skips terms indexed already; or, for terms just added (`new`: none
    /// can be indexed yet), one COPY straight into the index, as psql's `\copy` would.
    /// Call in a transaction of `connection`.
    func indexWords(of terms: [(id: Int64, kind: Int, text: String)], new: Bool = false, on connection: PostgresConnection) throws {
        var copy = BinaryCopy()
        var lines: [UInt8] = []
        var (texts, words) = (0, 0)
        for (id, kind, text) in terms {
            guard let vector = PostgresStore.wordVector(kind: kind, text: text) else { continue }
            if new {
                // COPY's text format: the vector holds no tab, newline or backslash to escape.
                lines.append(contentsOf: "\(id)\t\(vector.text)\t\(vector.length)\n".utf8)
            } else {
                copy.startRow(fields: 3)
                copy.bigint(id)
                copy.bytes(Array(vector.text.utf8))
                copy.bigint(Int64(vector.length))
            }
            texts += 1
            words += vector.length
        }
        guard texts > 0 else { return }
        if new {
            try connection.copy("COPY term_words(id, words, length) FROM STDIN", data: lines)
            try connection.execute("UPDATE term_words_totals SET texts = texts + $1, words = words + $2", [.integer(Int64(texts)), .integer(Int64(words))])
            return
        }
        try connection.execute("CREATE TEMP TABLE IF NOT EXISTS staged_words(id bigint, words text, length bigint) ON COMMIT DELETE ROWS")
        try connection.execute("TRUNCATE staged_words")
        try connection.copy("COPY staged_words(id, words, length) FROM STDIN (FORMAT binary)", data: copy.finished)
        let added = try connection.execute("INSERT INTO term_words SELECT id, words::tsvector, length FROM staged_words ON CONFLICT (id) DO NOTHING").changed
        if added == texts {
            try connection.execute("UPDATE term_words_totals SET texts = texts + $1, words = words + $2", [.integer(Int64(texts)), .integer(Int64(words))])
        } else {
            try recountTextTotals(on: connection)
        }
    }

    /// Indexes one new term's words. Call in a transaction of `connection`.
    func indexTerm(id: Int64, kind: Int, text: String, on connection: PostgresConnection) throws {
        guard let vector = PostgresStore.wordVector(kind: kind, text: text) else { return }
        try connection.execute("INSERT INTO term_words VALUES ($1, $2::tsvector, $3)", [.integer(id), .text(vector.text), .integer(Int64(vector.length))])
        try connection.execute("UPDATE term_words_totals SET texts = texts + 1, words = words + $1", [.integer(Int64(vector.length))])
    }

    /// Counts the indexed texts and words again (after terms were removed, say).
    func recountTextTotals(on connection: PostgresConnection) throws {
        try connection.execute("UPDATE term_words_totals SET texts = (SELECT count(*) FROM term_words), words = (SELECT coalesce(sum(length), 0) FROM term_words)")
    }

    /// A term's words as `tsvector` input (`'defence':1 'ministers':2`) and how many there are;
    /// nil for a term that is not searched or has no words.
    static func wordVector(kind: Int, text: String) -> (text: String, length: Int)? {
        guard let searched = TextWords.searchedText(kind: kind, storageText: text) else { return nil }
        let words = TextWords.words(in: String(searched))
        guard !words.isEmpty else { return nil }
        var vector = ""
        for (position, word) in words.prefix(indexedWordsPerText).enumerated() where word.utf8.count <= longestIndexedWord {
            // Words hold letters, digits and marks only: nothing to escape inside the quotes.
            vector += "'\(word)':\(position + 1) "
        }
        return (vector, words.count)
    }

    /// The terms whose words match a search, each with its BM25 score (higher is better),
    /// computed as SQLite's FTS5 does: from the number of texts and words indexed, how many
    /// texts hold each phrase of the search, and how often each matching text holds it.
    public func textMatches(_ search: TextSearch) throws -> [(term: Int64, score: Double)] {
        let rows = try connection.execute("""
            SELECT t.id, t.kind, t.lexical FROM term_words AS w JOIN terms AS t ON t.id = w.id WHERE w.words @@ $1::tsquery
            """, [.text(search.tsquery)]).rows
        guard !rows.isEmpty else { return [] }
        let totals = try connection.integers("SELECT texts, words FROM term_words_totals")
        let (texts, words) = totals.count == 2 ? (Int(totals[0]), Double(totals[1])) : (0, 0)
        let containing = try search.phrases.map { phrase in
            Int(try connection.execute("SELECT count(*) FROM term_words WHERE words @@ $1::tsquery", [.text(phrase.tsquery)]).firstInteger ?? 0)
        }
        let average = texts > 0 ? words / Double(texts) : 1
        return rows.compactMap { row in
            guard let id = row[0].flatMap({ Int64($0) }), let kind = row[1].flatMap({ Int($0) }),
                  let text = row[2], let searched = TextWords.searchedText(kind: kind, storageText: text) else { return nil }
            return (id, search.bm25(words: TextWords.words(in: String(searched)), documents: texts, averageLength: average, containing: containing))
        }
    }
}
