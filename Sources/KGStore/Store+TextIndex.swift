import CSQLite
import KGSyntax

/// Full-text search over the dictionary: every string and name term's words (`TextWords`) in
/// an FTS5 table, `term_words`, whose row id is the term's id. It holds the words only (no
/// copy of the text). Each write transaction indexes the terms added since the last one
/// before it commits (`term_words_indexed` keeps the last term id indexed), so every write
/// keeps it up to date at the cost of what it added.
extension Store {
    /// The FTS5 table and its watermark. The tokenizer splits only at the spaces between the
    /// words kglog gives it, and case-folds what it is given (lowercase already).
    static let textIndexTables = """
        CREATE VIRTUAL TABLE IF NOT EXISTS term_words USING fts5(words, content='',
            tokenize="unicode61 remove_diacritics 0 categories 'L* N* Co M*'");
        CREATE TABLE IF NOT EXISTS term_words_indexed(last_term INTEGER NOT NULL);
        INSERT INTO term_words_indexed SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM term_words_indexed);
        """

    /// Schema 8 adds the text index, and indexes every term there is.
    func addTextIndex() throws {
        try transaction {
            try connection.execute("\(Store.textIndexTables) PRAGMA user_version = 8;")
            hasTextIndex = true
            try indexNewTerms()
        }
    }

    /// Indexes the words of every string and name term added since the last indexed one.
    /// Called in each write transaction before it commits.
    public func indexNewTerms() throws {
        guard hasTextIndex, let last = try connection.scalar("SELECT last_term FROM term_words_indexed"),
              let newest = try connection.scalar("SELECT coalesce(max(id), 0) FROM terms"), newest > last else { return }
        // In id order: FTS5 writes out what it holds each time a row id is not larger than the
        // last, which in any other order is every row.
        let added = try connection.prepare("SELECT id, kind, lexical FROM terms WHERE id > ?1 AND kind IN (\(TextWords.searchedKinds.map(String.init).joined(separator: ", "))) ORDER BY id")
        let insert = try connection.prepare("INSERT INTO term_words(rowid, words) VALUES (?1, ?2)")
        defer { added.reset() }
        added.bind(1, last)
        while try added.step() {
            guard let text = TextWords.searchedText(kind: Int(added.int64(1)), storageText: added.string(2)) else { continue }
            let words = TextWords.joinedWords(in: String(text))
            guard words.count > 0 else { continue }
            insert.bind(1, added.int64(0))
            insert.bind(2, words.text)
            try insert.run()
        }
        let update = try connection.prepare("UPDATE term_words_indexed SET last_term = ?1")
        update.bind(1, newest)
        try update.run()
    }

    /// Empties the index and indexes every term again (after terms were removed).
    func reindexTerms() throws {
        try connection.execute("INSERT INTO term_words(term_words) VALUES ('delete-all'); UPDATE term_words_indexed SET last_term = 0;")
        try indexNewTerms()
    }

    /// The terms whose words match a search, each with its BM25 score (higher is better).
    public func textMatches(_ search: TextSearch) throws -> [(term: Int64, score: Double)] {
        let statement = try connection.prepare("SELECT rowid, -bm25(term_words) FROM term_words WHERE term_words MATCH ?1")
        defer { statement.reset() }
        statement.bind(1, search.fts5)
        var matches: [(term: Int64, score: Double)] = []
        while try statement.step() { matches.append((statement.int64(0), statement.double(1))) }
        return matches
    }
}
