import XCTest
import KGTestSupport
import KGLog
import KGSyntax
@testable import KGShell

/// The interactive session's logic, fed line by line with no terminal.
final class ShellTests: FolderTestCase {
    func shell() throws -> Shell {
        let shell = Shell(knowledgeBase: try TestStore.newKnowledgeBase())
        shell.clock = { 0 }
        return shell
    }

    func testMultiLineStatementsUseTheContinuationPrompt() throws {
        let shell = try shell()
        XCTAssertEqual(shell.prompt, "kglog> ")
        XCTAssertEqual(shell.handle("member-of(armenia, csto). member-of(russia,"), Shell.Output())
        XCTAssertEqual(shell.prompt, "   ...> ")
        XCTAssertEqual(shell.handle("  csto)."), Shell.Output())
        XCTAssertEqual(shell.prompt, "kglog> ")
        XCTAssertEqual(shell.handle("?- member-of(X,").out, "")
        XCTAssertEqual(shell.handle("   csto).").out, """
            +---------+
            | X       |
            +---------+
            | armenia |
            | russia  |
            +---------+
            2 rows

            """)
        // A source block ends with its brace.
        XCTAssertEqual(shell.handle("@ tass {").out, "")
        XCTAssertEqual(shell.prompt, "   ...> ")
        XCTAssertEqual(shell.handle("  member-of(belarus, csto).").out, "")
        XCTAssertEqual(shell.prompt, "   ...> ")
        XCTAssertEqual(shell.handle("}").out, "")
        XCTAssertEqual(shell.handle("?- member-of(X, csto) @ tass.").out.contains("| belarus |"), true)
    }

    func testSeveralStatementsOnOneLineAndGroundQueries() throws {
        let shell = try shell()
        XCTAssertEqual(shell.handle("p(a). p(b). ?- p(a). ?- p(c).").out, "true\nfalse\n")
    }

    func testErrorsChangeNothingAndTheSessionGoesOn() throws {
        let shell = try shell()
        _ = shell.handle("p(a).")
        let output = shell.handle("p(b). p(c, d).")
        XCTAssertEqual(output.out, "")
        XCTAssertEqual(output.err, """
            <input>:1:7: error: predicate 'p' is used with 2 arguments here but has 1 elsewhere
            p(b). p(c, d).
                  ^

            """)
        XCTAssertEqual(shell.handle("?- p(X).").out, "+---+\n| X |\n+---+\n| a |\n+---+\n1 row\n")
        XCTAssertEqual(shell.handle("?- q(X").err, "")
        XCTAssertEqual(shell.handle(", .").err, "<input>:2:3: error: expected a term but found '.'\n, .\n  ^\n")
        XCTAssertEqual(shell.prompt, "kglog> ")
    }

    func testModesHeadersTimerAndRetract() throws {
        let shell = try shell()
        _ = shell.handle("m(armenia, \"ОДКБ\"). m(russia, 2012-05-03).")
        XCTAssertEqual(shell.handle(".mode tsv"), Shell.Output())
        XCTAssertEqual(shell.handle("?- m(X, Y).").out, "X\tY\narmenia\tОДКБ\nrussia\t2012-05-03\n")
        _ = shell.handle(".headers off")
        XCTAssertEqual(shell.handle("?- m(X, _).").out, "armenia\nrussia\n")
        _ = shell.handle(".mode csv")
        _ = shell.handle(".headers on")
        _ = shell.handle(".timer on")
        XCTAssertEqual(shell.handle("?- m(X, _).").out, "X\narmenia\nrussia\ntime: 0.000 s\n")
        // One time for each statement of a line, each its own.
        var now = 0.0
        shell.clock = { now += 0.25; return now }
        XCTAssertEqual(shell.handle("k(1). ?- m(X, _), X < b.").out, "time: 0.250 s\nX\narmenia\ntime: 0.250 s\n")
        shell.clock = { 0 }
        _ = shell.handle(".timer off")
        XCTAssertEqual(shell.handle("retract m(russia, 2012-05-03).").out, "retracted 1 fact\n")
        XCTAssertEqual(shell.handle("n(X) :- m(X, _). retract m(_, _).").out, "retracted 1 fact\n")
        // A statement recalled from history comes whole, line breaks and comments in it.
        XCTAssertEqual(shell.handle("j(X) :-\n  m(X, _), % a comment, then more\n  X != a.").out, "")
        XCTAssertEqual(shell.pending, [])
        // A dot-command at a continuation prompt runs; the statement waits for its end.
        XCTAssertEqual(shell.handle("h(X) :-").out, "")
        XCTAssertEqual(shell.handle(".rules").out.contains("j(X) :-"), true)
        XCTAssertEqual(shell.pending, ["h(X) :-"])
        XCTAssertEqual(shell.handle("  m(X, _)").out, "")
        XCTAssertEqual(shell.handle(".").out, "")
        XCTAssertEqual(shell.pending, [])
        XCTAssertEqual(shell.handle("k(X) :- m(X, _).").out, "")
        XCTAssertEqual(shell.handle("k(X)  :-  m(X, _).").out, "the rule is stored already, nothing added: k(X) :- m(X, _).\n")
        XCTAssertEqual(shell.handle("retract n(X) :- m(X, _).").out, "retracted 1 rule\n")
        XCTAssertEqual(shell.handle("retract n(X) :- m(X, _).").out, "no such rule\n")
        // Answers sent to a file that cannot take them come back to the screen.
        _ = shell.handle(".mode tsv")
        _ = shell.handle("m(armenia, csto).")
        XCTAssertEqual(shell.handle(".output /dev/full").err, "")
        let failed = shell.handle("?- m(X, _).")
        XCTAssertEqual(failed.err, "error: cannot write '/dev/full': no space left on the device; answers go to the screen again\n")
        XCTAssertEqual(failed.out, "X\narmenia\n")
        XCTAssertEqual(shell.handle("?- m(X, _).").out, "X\narmenia\n")
        XCTAssertEqual(shell.handle(".output /no/such/folder/x.txt").err, "error: cannot write '/no/such/folder/x.txt': no such folder\n")
        XCTAssertEqual(shell.handle(".export /no/such/folder/x.kgl").err, "error: cannot write '/no/such/folder/x.kgl': no such folder\n")
        XCTAssertEqual(shell.handle(".mode xml").err, "error: .mode takes table, tsv, csv or json\n")
        XCTAssertEqual(shell.handle(".timer maybe").err, "error: .timer takes on or off\n")
        XCTAssertEqual(shell.handle(".pager maybe").err, "error: .pager takes on or off\n")
        XCTAssertTrue(shell.pages)
        XCTAssertEqual(shell.handle(".pager off"), Shell.Output())
        XCTAssertFalse(shell.pages)
    }

    func testThePagerComesFromTheEnvironmentAndTakesTheWholeText() throws {
        let bin = directory.appendingPathComponent("bin").path
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        XCTAssertNil(Pager.fromEnvironment(["PATH": bin]), "neither less nor more is installed")
        FileManager.default.createFile(atPath: bin + "/more", contents: Data("#!/bin/sh\ncat\n".utf8), attributes: [.posixPermissions: 0o755])
        XCTAssertEqual(Pager.fromEnvironment(["PATH": bin]), Pager(command: "more"))
        FileManager.default.createFile(atPath: bin + "/less", contents: Data("#!/bin/sh\ncat\n".utf8), attributes: [.posixPermissions: 0o755])
        XCTAssertEqual(Pager.fromEnvironment(["PATH": "/nowhere:" + bin]), Pager(command: "less -FRX"))
        XCTAssertEqual(Pager.fromEnvironment(["PAGER": "more"]), Pager(command: "more"))
        XCTAssertEqual(Pager.fromEnvironment(["PAGER": "more", "KGLOG_PAGER": " most "]), Pager(command: "most"))
        XCTAssertNil(Pager.fromEnvironment(["PAGER": ""]), "an empty PAGER turns paging off")
        XCTAssertNil(Pager.fromEnvironment(["PAGER": "more", "KGLOG_PAGER": " "]))
        // Lines are counted as the screen shows them: a long line wraps, a wide character takes two columns.
        XCTAssertFalse(Pager.needsPaging("a\nb\nc\n", rows: 4, columns: 10))
        XCTAssertTrue(Pager.needsPaging("a\nb\nc\nd\n", rows: 4, columns: 10))
        XCTAssertTrue(Pager.needsPaging("a\n" + String(repeating: "x", count: 25) + "\n", rows: 4, columns: 10))
        XCTAssertFalse(Pager.needsPaging(String(repeating: "ОДКБ", count: 5) + "\n", rows: 3, columns: 10))
        XCTAssertTrue(Pager.needsPaging(String(repeating: "中", count: 11) + "\n", rows: 3, columns: 10))
        XCTAssertFalse(Pager.needsPaging(String(repeating: "x\n", count: 100), rows: 0, columns: 0), "a screen of unknown size")
        // The pager reads all of the text; one that quits at once does not, and that ends nothing here.
        let file = directory.appendingPathComponent("pager.txt").path
        let text = (0..<50_000).map { "line \($0)\n" }.joined()
        XCTAssertEqual(Pager(command: "cat > '\(file)'").show(text), true)
        XCTAssertEqual(try String(contentsOfFile: file, encoding: .utf8), text)
        XCTAssertEqual(Pager(command: "true").show(text), false)
        XCTAssertEqual(Pager(command: "exit 3").show("short\n"), false)
        XCTAssertNil(Pager(command: "no-such-pager-here").show(text), "not started: the caller shows the text itself")
    }

    func testEvaluateSaysAndSetsWhereQueriesAreEvaluatedAndOpenKeepsIt() throws {
        let shell = try shell()
        XCTAssertEqual(shell.handle(".evaluate").out, "auto\n")
        XCTAssertEqual(shell.handle(".evaluate nowhere").err, "error: .evaluate takes auto, client or server\n")
        XCTAssertEqual(shell.handle(".evaluate server"), Shell.Output())
        XCTAssertEqual(shell.handle(".evaluate").out, "server\n")
        let file = directory.appendingPathComponent("kb.kglog").path
        XCTAssertEqual(shell.handle(".open \(file)"), Shell.Output())
        XCTAssertEqual(shell.handle(".evaluate").out, "server\n")
        // A file is not on a database server: the query says so, with where it is.
        // (The statements are one transaction: the fact is not kept either.)
        XCTAssertEqual(shell.handle("m(a). ?- m(X).").err,
                       "<input>:1:7: error: cannot evaluate on the server: the knowledge base is not on a database server (--evaluate server needs PostgreSQL)\nm(a). ?- m(X).\n      ^\n")
        XCTAssertEqual(shell.handle(".evaluate auto"), Shell.Output())
        XCTAssertEqual(shell.handle("m(a). ?- m(X).").out, "+---+\n| X |\n+---+\n| a |\n+---+\n1 row\n")
    }

    func testHelpListsEveryCommand() throws {
        let shell = try shell()
        let help = shell.handle(".help").out
        for command in [".help", ".open", ".load", ".import", ".export", ".predicates", ".rules", ".local", ".sources", ".conflicts", ".why",
                        ".as-recorded", ".history", ".explain", ".evaluate", ".timer", ".pager", ".mode", ".headers", ".output", ".read", ".quit"] {
            XCTAssertTrue(help.contains("\n\(command) ") || help.hasPrefix("\(command) "), command)
        }
        XCTAssertEqual(shell.handle(".help why").out, ".why FACT [--all]  show why a fact holds, down to stored facts and their sources (--all: every source, not the first three)\n")
        XCTAssertEqual(shell.handle(".help nothing").err, "error: unknown command 'nothing': try .help\n")
        XCTAssertEqual(shell.handle(".frob").err, "error: unknown command '.frob': try .help\n")
        XCTAssertTrue(shell.handle(".quit").quit)
    }

    func testAsRecordedShowsThePastAndHistoryListsTheChanges() throws {
        let shell = try shell()
        _ = shell.handle("m(armenia, csto) @ tass. m(russia, csto).")
        _ = shell.handle("retract m(armenia, csto).")
        _ = shell.handle("r(X) :- m(X, csto).")
        let changes = try shell.knowledgeBase.changes()
        XCTAssertEqual(changes.map(\.what), ["the knowledge base was created", "m(armenia, csto) @ tass. m(russia, csto).", "retract m(armenia, csto).",
                                              "r(X) :- m(X, csto)."])
        let (first, second, third) = (DateTime(millisecondsSinceEpoch: changes[1].at), DateTime(millisecondsSinceEpoch: changes[2].at),
                                      DateTime(millisecondsSinceEpoch: changes[3].at))
        let user = changes[1].by
        _ = shell.handle(".mode tsv")
        XCTAssertEqual(shell.handle(".as-recorded").out, "now\n")
        XCTAssertEqual(shell.handle(".as-recorded \(first)"), Shell.Output())
        XCTAssertEqual(shell.prompt, "kglog@\(first)> ")
        XCTAssertEqual(shell.handle(".as-recorded").out, "as recorded at \(first)\n")
        XCTAssertEqual(shell.handle("?- m(X, csto).").out, "X\narmenia\nrussia\n")
        XCTAssertEqual(shell.handle(".rules").out, "no rules\n", "the rules of then")
        XCTAssertEqual(shell.handle("m(belarus, csto).").err, """
            <input>:1:1: error: the knowledge base is shown as recorded at \(first): changes are refused (return to the present first)
            m(belarus, csto).
            ^

            """)
        XCTAssertEqual(shell.handle(".as-recorded now"), Shell.Output())
        XCTAssertEqual(shell.prompt, "kglog> ")
        XCTAssertEqual(shell.handle(".rules").out, "r(X) :- m(X, csto).\n")
        XCTAssertEqual(shell.handle("?- m(X, csto).").out, "X\nrussia\n")
        XCTAssertEqual(shell.handle(".as-recorded yesterday").err,
                       "error: .as-recorded takes a moment in UTC such as 2026-11-24T18:00:00Z (or a date, for its first moment), not 'yesterday'\n")
        XCTAssertEqual(shell.handle(".as-recorded 2000-01-01").err.hasPrefix("error: the knowledge base's history begins at "), true)
        XCTAssertEqual(shell.handle(".history m(armenia, csto)").out, """
            recorded\tchange\tby\twhat\taction\tstatement
            \(first)\t1\t\(user)\tm(armenia, csto) @ tass. m(russia, csto).\tadded\tm(armenia, csto) @ tass.
            \(second)\t2\t\(user)\tretract m(armenia, csto).\tretracted\tm(armenia, csto) @ tass.

            """)
        XCTAssertEqual(shell.handle(".history --since \(first)").out, """
            recorded\tchange\tby\twhat\taction\tstatement
            \(second)\t2\t\(user)\tretract m(armenia, csto).\tretracted\tm(armenia, csto) @ tass.
            \(third)\t3\t\(user)\tr(X) :- m(X, csto).\tadded\tr(X) :- m(X, csto).

            """)
        _ = shell.handle(".mode json")
        XCTAssertEqual(shell.handle(".history --since \(second)").out, """
            {"history":[{"change":3,"recorded":"\(third)","by":"\(user)","what":"r(X) :- m(X, csto).","action":"added","statement":"r(X) :- m(X, csto)."}]}

            """)
        XCTAssertEqual(shell.handle(".history --since \(third)").out, "{\"history\":[]}\n")
        _ = shell.handle(".mode table")
        XCTAssertEqual(shell.handle(".history --since \(third)").out, "no changes\n")
        XCTAssertEqual(shell.handle(".history").err, "error: .history needs a fact, such as .history member-of(armenia, csto), or --since MOMENT\n")
        XCTAssertEqual(shell.handle(".history --since soon").err,
                       "error: --since takes a moment in UTC such as 2026-11-24T18:00:00Z (or a date, for its first moment), not 'soon'\n")
    }

    func testPredicatesRulesSourcesWhyExplain() throws {
        let shell = try shell()
        _ = shell.handle("m(armenia, csto) @ arminfo. m(russia, csto) @ arminfo. m(russia, csto) @ tass. m(russia, cis).")
        _ = shell.handle("ally(X, Y) :- m(X, O), m(Y, O), X != Y.")
        _ = shell.handle("m(x, y)  % a comment, then a rule over two lines")
        XCTAssertEqual(shell.pending.count, 1)
        shell.cancelPending()
        XCTAssertEqual(shell.handle(".predicates").out, """
            +-----------+-------+-------+---------+
            | predicate | arity | facts | kind    |
            +-----------+-------+-------+---------+
            | ally      | 2     | 0     | derived |
            | m         | 2     | 3     | stored  |
            +-----------+-------+-------+---------+
            2 rows

            """)
        XCTAssertEqual(shell.handle(".rules").out, "ally(X, Y) :- m(X, O), m(Y, O), X != Y.\n")
        XCTAssertEqual(shell.handle(".rules m").out, "no rules\n")
        // A rule for this session only is listed as such, and is not added twice.
        XCTAssertEqual(shell.handle(".local near(X) :- m(X, csto).").out, "")
        XCTAssertEqual(shell.handle(".rules near").out, "near(X) :- m(X, csto).   % this session only\n")
        XCTAssertEqual(shell.handle(".local near(X) :- m(X, csto).").out, "the rule is there already, nothing added: near(X) :- m(X, csto).\n")
        XCTAssertEqual(shell.handle(".local").err, "error: .local needs a rule, such as .local near(X, Y) :- border(X, Y).\n")
        _ = shell.handle("published-on(tass, 2012-05-03). published-on(arminfo, 2012-04-27). reported-by(arminfo, zainetdinov). published-on(other, 2020-01-01). m(z, w) @ other. m(z, v) @ undated.")
        // Earliest first, undated last, with what is said of each.
        XCTAssertEqual(shell.handle(".sources").out, """
            +---------+--------------+--------------+-------------+-------+
            | source  | published on | published by | reported by | facts |
            +---------+--------------+--------------+-------------+-------+
            | arminfo | 2012-04-27   |              | zainetdinov | 2     |
            | tass    | 2012-05-03   |              |             | 1     |
            | other   | 2020-01-01   |              |             | 1     |
            | undated |              |              |             | 1     |
            +---------+--------------+--------------+-------------+-------+
            4 rows

            """)
        // Filtered by a part of the name (any case) and by a span of publication dates.
        _ = shell.handle(".mode tsv")
        XCTAssertEqual(shell.handle(".sources ARM").out, "source\tpublished on\tpublished by\treported by\tfacts\narminfo\t2012-04-27\t\tzainetdinov\t2\n")
        XCTAssertEqual(shell.handle(".sources --from 2012-05-01 --until 2019-12-31").out, "source\tpublished on\tpublished by\treported by\tfacts\ntass\t2012-05-03\t\t\t1\n")
        XCTAssertEqual(shell.handle(".sources --from 2030-01-01").out, "source\tpublished on\tpublished by\treported by\tfacts\n")
        XCTAssertEqual(shell.handle(".sources --until 2012-13-01").err, "error: --until takes a date such as 2026-01-31\n")
        XCTAssertEqual(shell.handle(".sources a b").err, "error: .sources takes [PATTERN] [--from DATE] [--until DATE], not 'b'\n")
        // Where sources disagree on a functional predicate.
        _ = shell.handle(".mode table")
        XCTAssertEqual(shell.handle(".conflicts").out, "no conflicts\n")
        XCTAssertEqual(shell.handle("functional m/2.").out, "")
        XCTAssertEqual(shell.handle(".conflicts m").out, """
            +-----------+---------+-------+---------+--------------+-------------+
            | predicate | subject | value | source  | published on | reported by |
            +-----------+---------+-------+---------+--------------+-------------+
            | m/2       | russia  | cis   |         |              |             |
            | m/2       | russia  | csto  | arminfo | 2012-04-27   | zainetdinov |
            | m/2       | russia  | csto  | tass    | 2012-05-03   |             |
            | m/2       | z       | v     | undated |              |             |
            | m/2       | z       | w     | other   | 2020-01-01   |             |
            +-----------+---------+-------+---------+--------------+-------------+
            5 rows

            """)
        XCTAssertTrue(shell.handle(".predicates").out.contains("\n| m            | 2     | 5     | stored, functional |\n"))
        XCTAssertEqual(shell.handle(".conflicts m(").err, "error: .conflicts' predicate must be a constant such as member-of, <http://example.org/p> or ex:p (with its prefix declared), not 'm('\n")
        XCTAssertEqual(shell.handle("retract functional m/2.").out, "retracted 1 declaration\n")
        XCTAssertEqual(shell.handle("retract functional m/2.").out, "no such declaration\n")
        XCTAssertEqual(shell.handle(".conflicts").out, "no conflicts\n")
        _ = shell.handle(".mode table")
        XCTAssertTrue(shell.handle(".why ally(armenia, russia)").out.hasPrefix("ally(armenia, russia)\n└─ by ally(X, Y)"))
        XCTAssertTrue(shell.handle(".why ally(armenia, armenia)").out.hasPrefix("ally(armenia, armenia) does not hold\n├─ no such fact is stored\n└─ not by ally(X, Y)"))
        XCTAssertTrue(shell.handle(".explain ally(armenia, Y)").out.contains("demand-driven rewrite (magic sets):"))
        XCTAssertEqual(shell.handle(".why").err, "error: .why needs a fact, such as .why ally(armenia, russia)\n")
    }

    func testOpenTakesAPostgreSQLURI() throws {
        let db = try TestStore.newPostgresDatabase()
        let shell = try shell()
        XCTAssertEqual(shell.handle(".open \(db)"), Shell.Output())
        XCTAssertEqual(shell.handle("m(a, b) @ s. m(c, d)."), Shell.Output())
        _ = shell.handle(".mode tsv")
        XCTAssertEqual(shell.handle("?- m(X, Y) @ S.").out, "X\tY\tS\na\tb\ts\n")
        // Another session on the same database sees what this one wrote.
        let other = try self.shell()
        _ = other.handle(".open \(db)")
        _ = other.handle(".mode tsv")
        XCTAssertEqual(other.handle("?- m(X, Y).").out, "X\tY\na\tb\nc\td\n")
        let refused = shell.handle(".open postgresql://nobody@127.0.0.1:1/none?connect_timeout=2").err
        XCTAssertTrue(refused.hasPrefix("error: cannot connect to 'postgresql://nobody@127.0.0.1:1/none?connect_timeout=2': "), refused)
        XCTAssertEqual(shell.handle("?- m(X, Y) @ S.").out, "X\tY\tS\na\tb\ts\n", "the open knowledge base stays")
    }

    func testLoadReadOutputExportAndOpen() throws {
        let folder: URL = directory
        let facts = folder.appendingPathComponent("f.kgl").path
        try "m(armenia, csto) @ arminfo.\nm(russia, csto).\nally(X, Y) :- m(X, O), m(Y, O), X != Y.\n".write(toFile: facts, atomically: true, encoding: .utf8)
        let script = folder.appendingPathComponent("s.kglog").path
        try ".mode tsv\n?- ally(armenia,\n  Y).\n.headers off\n?- m(X, csto).\n".write(toFile: script, atomically: true, encoding: .utf8)
        let shell = try shell()
        XCTAssertEqual(shell.handle(".load \(facts)"), Shell.Output())
        XCTAssertEqual(shell.handle(".read \(script)").out, "Y\nrussia\narmenia\nrussia\n")
        let answers = folder.appendingPathComponent("out.tsv").path
        _ = shell.handle(".output \(answers)")
        XCTAssertEqual(shell.handle("?- m(X, _).").out, "")
        _ = shell.handle(".output stdout")
        XCTAssertEqual(try String(contentsOfFile: answers, encoding: .utf8), "armenia\nrussia\n")
        XCTAssertEqual(shell.handle(".load \(folder.path)/missing.kgl").err, "error: cannot read '\(folder.path)/missing.kgl': no such file\n")

        // The export runs into an equal knowledge base.
        let backup = folder.appendingPathComponent("backup.kgl").path
        XCTAssertEqual(shell.handle(".export \(backup)").out, "wrote \(backup)\n")
        XCTAssertEqual(try String(contentsOfFile: backup, encoding: .utf8), """
            % kglog knowledge base export
            m(armenia, csto) @ arminfo.
            m(russia, csto).
            ally(X, Y) :- m(X, O), m(Y, O), X != Y.

            """)
        let db = folder.appendingPathComponent("copy.kglog").path
        XCTAssertEqual(shell.handle(".open \(db)"), Shell.Output())
        XCTAssertEqual(shell.handle(".load \(backup)"), Shell.Output())
        XCTAssertEqual(shell.handle("?- m(X, csto) @ S.").out, "armenia\tarminfo\n")
        XCTAssertEqual(try KnowledgeBase(path: db).query("ally(armenia, Y)").rows.map { $0.map(\.lexical) }, [["russia"]])
    }

    func testTheHelpOfImportAndExportListsEveryFormat() throws {
        let shell = try shell()
        let help = shell.handle(".help import").out
        XCTAssertTrue(help.hasPrefix(".import FILE [PREDICATE] [--source S] [--source-column C]  import facts from a file named .kgl, .nt, .nq, .ttl, .trig, .jsonl, .csv or .tsv"), help)
        XCTAssertEqual(help.split(separator: "\n").dropFirst(2).map(String.init), [
            "  .kgl            kglog source: facts, rules and declarations (the backup)",
            "  .nt .ntriples   N-Triples: binary facts",
            "  .nq .nquads     N-Quads: binary facts with their sources (graphs)",
            "  .ttl .turtle    Turtle: binary facts",
            "  .trig           TriG: binary facts with their sources (graphs)",
            "  .jsonl .ndjson  JSON Lines: facts of any arity with their sources",
            "  .csv            CSV: the facts of one predicate, a row each",
            "  .tsv .tab       TSV: the facts of one predicate, a row each",
        ])
        XCTAssertEqual(shell.handle(".import facts.xml").err, "error: cannot tell the format of 'facts.xml' from its name (.kgl, .nt, .nq, .ttl, .trig, .jsonl, .csv or .tsv)\n")
    }

    func testCompletions() throws {
        let shell = try shell()
        _ = shell.handle("member-of(a, b). members(a, 1).")
        XCTAssertEqual(shell.completions(for: "mem", atLineStart: true), ["member-of", "members"])
        XCTAssertEqual(shell.completions(for: ".he", atLineStart: true), [".headers", ".help"])
        XCTAssertEqual(shell.completions(for: "con", atLineStart: false), ["conflict", "contains"])
        // In an argument or after @: the names the knowledge base holds; a predicate elsewhere.
        _ = shell.handle("member-of(armenia, csto) @ arminfo-2012. member-of(azerbaijan, cis) @ tass.")
        XCTAssertEqual(shell.completions(for: "a", atLineStart: false, line: "?- member-of(a"), ["a", "armenia", "arminfo-2012", "azerbaijan"])
        XCTAssertEqual(shell.completions(for: "cs", atLineStart: false, line: "?- member-of(armenia, cs"), ["csto"])
        XCTAssertEqual(shell.completions(for: "ar", atLineStart: false, line: "?- member-of(X, Y) @ ar"), ["armenia", "arminfo-2012"])
        XCTAssertEqual(shell.completions(for: "mem", atLineStart: false, line: "?- member-of(X, \"a(\"), mem"), ["member-of", "members"])
        XCTAssertEqual(shell.completions(for: "zz", atLineStart: false, line: "?- p(zz"), [])
        XCTAssertTrue(Shell.isArgumentPosition("p(a, "))
        XCTAssertFalse(Shell.isArgumentPosition("p(a). "))
        XCTAssertFalse(Shell.isArgumentPosition("p(a), "))
        XCTAssertEqual(InteractiveSession.commonPrefix(["member-of", "members"]), "member")
        // File paths after the commands that take a file.
        let folder: URL = directory
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("samples"), withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: folder.appendingPathComponent("csto.kgl").path, contents: Data())
        FileManager.default.createFile(atPath: folder.appendingPathComponent("cis.kgl").path, contents: Data())
        let prefix = folder.path + "/c"
        XCTAssertEqual(shell.completions(for: prefix, atLineStart: false, line: ".load " + prefix), [folder.path + "/cis.kgl", folder.path + "/csto.kgl"])
        XCTAssertEqual(shell.completions(for: folder.path + "/s", atLineStart: false, line: ".read " + folder.path + "/s"), [folder.path + "/samples/"])
        // `.import` and `.export` offer the files of the formats kglog knows, and folders.
        for name in ["cis.jsonl", "cis.ndjson", "cis.txt", "cis.trig", "cis.pdf"] {
            FileManager.default.createFile(atPath: folder.appendingPathComponent(name).path, contents: Data())
        }
        XCTAssertEqual(shell.completions(for: prefix, atLineStart: false, line: ".import " + prefix),
                       ["cis.jsonl", "cis.kgl", "cis.ndjson", "cis.trig", "csto.kgl"].map { folder.path + "/" + $0 })
        XCTAssertEqual(shell.completions(for: prefix, atLineStart: false, line: ".load " + prefix).count, 7, "'.load' offers every file")
    }

    func testACancelledQueryChangesNothing() throws {
        let shell = try shell()
        shell.checkpoint = { throw Shell.Cancelled() }
        let output = shell.handle("p(1). n(0). n(X) :- n(Y), X = Y + 1, X < 100000. ?- n(X).")
        XCTAssertEqual(output.out, "")
        XCTAssertEqual(output.err, "cancelled: nothing was changed\n")
        shell.checkpoint = nil
        XCTAssertEqual(shell.handle("?- p(X).").err, "<input>:1:4: error: unknown predicate 'p/1': no fact or rule defines it\n?- p(X).\n   ^\n")
        XCTAssertEqual(shell.prompt, "kglog> ")
    }

    func testATypoGetsTheNearestKnownNames() throws {
        let shell = try shell()
        XCTAssertEqual(shell.handle("member-of(armenia, csto).").err, "")
        XCTAssertEqual(shell.handle("?- membr-of(X, Y).").err,
                       "<input>:1:4: error: unknown predicate 'membr-of/2': no fact or rule defines it; did you mean 'member-of/2'?\n?- membr-of(X, Y).\n   ^\n")
        XCTAssertEqual(shell.handle("?- member-of(armenai, O).").err, "note: 'armenai' appears in no fact; did you mean 'armenia'?\n")
        XCTAssertEqual(shell.handle("?- member-of(armenia, O).").err, "")
    }

    func testReadNumbersLinesInTheScriptAndRefusesToReadItself() throws {
        let shell = try shell()
        _ = shell.handle(".mode tsv")
        let script = try write("s.txt", "p(a).\n\n?- q(X).\n.read \(path("s.txt"))\n.read \(path("t.txt"))\n")
        try write("t.txt", "p(b).\n.read \(script)\n")
        let output = shell.handle(".read \(script)")
        XCTAssertEqual(output.err, """
            \(script):3:4: error: unknown predicate 'q/1': no fact or rule defines it
            ?- q(X).
               ^
            error: '\(script)' is already being read: a script cannot .read itself, directly or through another
            error: '\(script)' is already being read: a script cannot .read itself, directly or through another

            """)
        XCTAssertEqual(shell.handle("?- p(X).").out, "X\na\nb\n")
    }

    func testPipedInputNamesTheLineInTheInput() throws {
        let shell = try shell()
        shell.numbersLinesInInput = true
        for line in ["p(a).", "", "?- p(X", "", "  ).", "?- q(X)."] { _ = shell.handle(line) }
        XCTAssertEqual(shell.handle("?- p(X), r(").err, "")
        XCTAssertEqual(shell.handle("  X).").err, "<input>:7:10: error: unknown predicate 'r/1': no fact or rule defines it\n?- p(X), r(\n         ^\n")
    }

    func testImportTakesAPredicateAsAnyConstant() throws {
        let shell = try shell()
        _ = shell.handle(".mode tsv")
        let rows = try write("m.csv", "armenia,csto\n")
        _ = shell.handle("prefix ex: <http://example.org/>.")
        XCTAssertEqual(shell.handle(".import \(rows) <http://e/member-of>").out, "imported 1 fact\n")
        XCTAssertEqual(shell.handle(".import \(rows) ex:member-of").out, "imported 1 fact\n")
        XCTAssertEqual(shell.handle(".import \(rows) member-of").out, "imported 1 fact\n")
        XCTAssertEqual(shell.handle("?- <http://e/member-of>(X, Y), ex:member-of(X, Y), member-of(X, Y).").out, "X\tY\narmenia\tcsto\n")
        XCTAssertEqual(shell.handle(".import \(rows) zz:p").err,
                       "error: .import's predicate must be a constant such as member-of, <http://example.org/p> or ex:p (with its prefix declared), not 'zz:p'\n")
        XCTAssertEqual(shell.handle(".import \(rows) X").err,
                       "error: .import's predicate must be a constant such as member-of, <http://example.org/p> or ex:p (with its prefix declared), not 'X'\n")
        // A source for every row, or a column that holds each row's.
        XCTAssertEqual(shell.handle(".import \(rows) m2 --source tass").out, "imported 1 fact\n")
        let editions = try write("e.csv", "ed-1,russia,csto\n")
        XCTAssertEqual(shell.handle(".import \(editions) --source-column 1 m3").out, "imported 1 fact\n")
        XCTAssertEqual(shell.handle("?- m2(X, Y) @ S.").out, "X\tY\tS\narmenia\tcsto\ttass\n")
        XCTAssertEqual(shell.handle("?- m3(X, Y) @ S.").out, "X\tY\tS\nrussia\tcsto\ted-1\n")
        XCTAssertEqual(shell.handle(".import \(rows) m4 --source").err, "error: --source needs a value\n")
        XCTAssertEqual(shell.handle(".import \(rows) m4 m5").err, "error: .import takes FILE [PREDICATE] [--source S] [--source-column C], not 'm5'\n")
    }
}
