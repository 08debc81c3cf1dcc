import KGSyntax

/// The SQL side of `TermCode`: how evaluation in PostgreSQL reads and makes inline ids, and the
/// functions it calls where one expression will not do. They are created in `pg_temp` inside the
/// evaluation's transaction, which is always rolled back, so they never outlive it and need no
/// right to create anything in the knowledge base's schema.
///
/// What the server computes: comparisons of integers, dates, and strings, names, IRIs or blank
/// nodes of one kind (by code point, as the client does); arithmetic on integers and dates;
/// `count`, `count-distinct`, and `sum`, `min`, `max` of integers (`min`, `max` of dates too);
/// the tests `contains`, `starts-with`, `ends-with` on the text of those values; `year`, `month`,
/// `day`, `days-between` and `date` on dates of the years 1 to 9999. Anything else (decimals,
/// numbers beyond the inline range, language-tagged or typed literals) raises SQLSTATE `KGL01`; `--evaluate auto` then evaluates on the client, which
/// computes it or reports the exact error.
enum SQLFunctions {
    static let clientOnlyState = ComputedOnClient.sqlState

    // The bit layout of `TermCode`, as SQL literals. An inline id's top four bits are the sign
    // and the tag, so `id >> 60` is -7 for an integer, -6 for a decimal, -5 for a date.
    static let integerShift = "-7"
    static let decimalShift = "-6"
    static let dateShift = "-5"
    static let datetimeShift = "-4"
    static let payloadMask = "1152921504606846975"
    static let integerBase = String(Int64.min | 1 << 60)
    static let dateBase = String(Int64.min | 3 << 60)
    static let inlineMinimum = "-576460752303423488"
    static let inlineMaximum = "576460752303423487"
    /// 0001-01-01 and 9999-12-31 as days since 1970-01-01: the dates whose text and parts the
    /// server computes exactly as the client does.
    static let firstDay = "-719162"
    static let lastDay = "2932896"

    /// The payload of an inline id, sign-extended from 60 bits.
    static func payload(_ id: String) -> String { "((\(id) << 4) >> 4)" }

    /// The inline integer id of a SQL integer known to be in [0, 2^59) (a count).
    static func countID(_ count: String) -> String { "(\(integerBase) | (\(count))::bigint)" }

    /// The statements that create the functions, in order.
    static let definitions: [String] = [
        """
        CREATE FUNCTION pg_temp.kglog_client_only(what text) RETURNS bigint LANGUAGE plpgsql VOLATILE AS $f$
        BEGIN
          RAISE EXCEPTION USING ERRCODE = '\(clientOnlyState)', MESSAGE = what || ' is computed on the client, not on the server';
        END $f$
        """,
        """
        CREATE FUNCTION pg_temp.kglog_integer_id(n numeric) RETURNS bigint LANGUAGE plpgsql STABLE AS $f$
        BEGIN
          IF n < \(inlineMinimum) OR n > \(inlineMaximum) THEN
            RETURN pg_temp.kglog_client_only('the integer ' || n);
          END IF;
          RETURN \(integerBase) | (n::bigint & \(payloadMask));
        END $f$
        """,
        """
        CREATE FUNCTION pg_temp.kglog_date_id(days numeric) RETURNS bigint LANGUAGE plpgsql STABLE AS $f$
        BEGIN
          IF abs(days) >= 365000000 THEN
            RETURN pg_temp.kglog_client_only('date arithmetic out of range');
          END IF;
          RETURN \(dateBase) | (days::bigint & \(payloadMask));
        END $f$
        """,
        // The kind of a term (`Value.Kind`'s raw values), looked up only for dictionary ids.
        """
        CREATE FUNCTION pg_temp.kglog_kind(id bigint) RETURNS integer LANGUAGE sql STABLE AS $f$
          SELECT CASE WHEN id > 0 THEN (SELECT kind FROM terms WHERE terms.id = kglog_kind.id)
                      WHEN (id >> 60) = \(integerShift) THEN 1
                      WHEN (id >> 60) = \(decimalShift) THEN 2
                      WHEN (id >> 60) = \(dateShift) THEN 3
                      WHEN (id >> 60) = \(datetimeShift) THEN 10
                      ELSE 0 END
        $f$
        """,
        // -1, 0 or 1 as the client orders two values; NULL when their kinds cannot be ordered.
        """
        CREATE FUNCTION pg_temp.kglog_compare(a bigint, b bigint) RETURNS integer LANGUAGE plpgsql STABLE AS $f$
        DECLARE
          ka integer;
          kb integer;
          ta text;
          tb text;
        BEGIN
          IF a = b THEN RETURN 0; END IF;
          IF (a >> 60) IN (\(integerShift), \(dateShift), \(datetimeShift)) AND (a >> 60) = (b >> 60) THEN
            RETURN CASE WHEN \(payload("a")) < \(payload("b")) THEN -1 ELSE 1 END;
          END IF;
          ka := pg_temp.kglog_kind(a);
          kb := pg_temp.kglog_kind(b);
          IF ka IN (1, 2) AND kb IN (1, 2) THEN
            RETURN pg_temp.kglog_client_only('comparing decimals or large integers');
          END IF;
          IF ka IN (3, 10) AND kb IN (3, 10) THEN
            RETURN pg_temp.kglog_client_only('comparing a date with a datetime');
          END IF;
          IF ka <> kb THEN RETURN NULL; END IF;
          IF ka IN (4, 5, 6, 7) THEN
            SELECT lexical INTO ta FROM terms WHERE id = a;
            SELECT lexical INTO tb FROM terms WHERE id = b;
            RETURN CASE WHEN ta COLLATE "C" < tb COLLATE "C" THEN -1 WHEN ta = tb THEN 0 ELSE 1 END;
          END IF;
          RETURN pg_temp.kglog_client_only('comparing literals');
        END $f$
        """,
        // `a op b` on inline integers and dates, as `Arithmetic.apply` does it.
        """
        CREATE FUNCTION pg_temp.kglog_arithmetic(op text, a bigint, b bigint) RETURNS bigint LANGUAGE plpgsql STABLE AS $f$
        DECLARE
          x numeric := \(payload("a"));
          y numeric := \(payload("b"));
        BEGIN
          IF (a >> 60) = \(integerShift) AND (b >> 60) = \(integerShift) THEN
            IF op IN ('/', '%') AND y = 0 THEN
              RETURN pg_temp.kglog_client_only('division by zero');
            END IF;
            RETURN pg_temp.kglog_integer_id(CASE op WHEN '+' THEN x + y WHEN '-' THEN x - y WHEN '*' THEN x * y
                                                    WHEN '/' THEN div(x, y) ELSE mod(x, y) END);
          ELSIF (a >> 60) = \(dateShift) AND (b >> 60) = \(integerShift) AND op IN ('+', '-') THEN
            RETURN pg_temp.kglog_date_id(CASE op WHEN '+' THEN x + y ELSE x - y END);
          ELSIF (a >> 60) = \(integerShift) AND (b >> 60) = \(dateShift) AND op = '+' THEN
            RETURN pg_temp.kglog_date_id(x + y);
          ELSIF (a >> 60) = \(dateShift) AND (b >> 60) = \(dateShift) AND op = '-' THEN
            RETURN pg_temp.kglog_integer_id(x - y);
          END IF;
          RETURN pg_temp.kglog_client_only('arithmetic on values other than integers and dates');
        END $f$
        """,
        // The lexical text of a value, as the built-in tests read it: a dictionary term's (after
        // the language or datatype, for a literal that has one), a constant's the dictionary lacks
        // (from `kglog_texts`), an integer's digits, a date of the years 1 to 9999 in ISO form.
        """
        CREATE FUNCTION pg_temp.kglog_text(id bigint) RETURNS text LANGUAGE plpgsql STABLE AS $f$
        DECLARE
          k integer;
          t text;
        BEGIN
          IF id > 0 THEN
            SELECT kind, lexical INTO k, t FROM terms WHERE terms.id = kglog_text.id;
            IF k IN (8, 9) THEN RETURN substr(t, strpos(t, ' ') + 1); END IF;
            IF FOUND THEN RETURN t; END IF;
          ELSIF (id >> 60) = \(integerShift) THEN
            RETURN \(payload("id"))::text;
          ELSIF (id >> 60) = \(dateShift) AND \(payload("id")) BETWEEN \(firstDay) AND \(lastDay) THEN
            RETURN to_char(date '1970-01-01' + \(payload("id"))::integer, 'YYYY-MM-DD');
          ELSIF (id >> 60) = -1 THEN
            SELECT lexical INTO t FROM kglog_texts WHERE kglog_texts.id = kglog_text.id;
            IF FOUND THEN RETURN t; END IF;
          END IF;
          RETURN pg_temp.kglog_client_only('the text of a decimal or of a date outside the years 1 to 9999')::text;
        END $f$
        """,
        // `year`, `month` or `day` of a date of the years 1 to 9999, as an integer id.
        """
        CREATE FUNCTION pg_temp.kglog_date_part(part text, id bigint) RETURNS bigint LANGUAGE plpgsql STABLE AS $f$
        BEGIN
          IF (id >> 60) = \(dateShift) AND \(payload("id")) BETWEEN \(firstDay) AND \(lastDay) THEN
            RETURN pg_temp.kglog_integer_id(date_part(part, date '1970-01-01' + \(payload("id"))::integer)::numeric);
          END IF;
          RETURN pg_temp.kglog_client_only(part || ' of a value other than a date of the years 1 to 9999');
        END $f$
        """,
        // `date(Y, M, D)`: the date's id, or the client's (which reports a day that does not exist).
        """
        CREATE FUNCTION pg_temp.kglog_make_date(y bigint, m bigint, d bigint) RETURNS bigint LANGUAGE plpgsql STABLE AS $f$
        BEGIN
          IF (y >> 60) = \(integerShift) AND (m >> 60) = \(integerShift) AND (d >> 60) = \(integerShift)
             AND \(payload("y")) BETWEEN 1 AND 9999 AND \(payload("m")) BETWEEN 1 AND 12 AND \(payload("d")) BETWEEN 1 AND 31 THEN
            BEGIN
              RETURN pg_temp.kglog_date_id(make_date(\(payload("y"))::integer, \(payload("m"))::integer, \(payload("d"))::integer) - date '1970-01-01');
            EXCEPTION WHEN datetime_field_overflow THEN
              NULL;
            END;
          END IF;
          RETURN pg_temp.kglog_client_only('date of these numbers');
        END $f$
        """,
        // The `index`th id of a packed argument list (`tuples.args`: little-endian ids).
        """
        CREATE FUNCTION pg_temp.kglog_argument(args bytea, index integer) RETURNS bigint LANGUAGE sql IMMUTABLE AS $f$
          SELECT get_byte(args, index * 8)::bigint
               | (get_byte(args, index * 8 + 1)::bigint << 8)
               | (get_byte(args, index * 8 + 2)::bigint << 16)
               | (get_byte(args, index * 8 + 3)::bigint << 24)
               | (get_byte(args, index * 8 + 4)::bigint << 32)
               | (get_byte(args, index * 8 + 5)::bigint << 40)
               | (get_byte(args, index * 8 + 6)::bigint << 48)
               | (get_byte(args, index * 8 + 7)::bigint << 56)
        $f$
        """,
    ]
}
