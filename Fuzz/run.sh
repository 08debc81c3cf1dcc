#!/usr/bin/env bash
# Builds the libFuzzer targets and runs each for SECONDS (default 600) on a seed corpus put
# together at run time: the samples and the grammar for the parser; the W3C N-Triples and
# N-Quads suites (../shared/testdata) and Fuzz/corpus/readers for the readers, the W3C Turtle
# and TriG suites and Fuzz/corpus/turtle for the Turtle reader (and text searches). Inputs that
# crash or hang are written to Fuzz/findings/; keep each one as a regression test in the
# tests of the target it broke (Tests/KGSyntaxTests/ParserTests.swift for the parser,
# Tests/KGFormatsTests/ for the readers).
# Usage: Fuzz/run.sh [SECONDS] [TARGET...]     TARGET: FuzzParser FuzzReaders FuzzTurtle
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
seconds="${1:-600}"
shift || true
targets=("${@:-FuzzParser FuzzReaders FuzzTurtle}")
cd "$here"
# Every module is instrumented, so libFuzzer is guided by the coverage of kglog's own code.
# The gold linker fails on the sanitizer's objects; lld (shipped with Swift) links them.
swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld
mkdir -p findings
for target in ${targets[@]}; do
    corpus="$(mktemp -d)"
    case "$target" in
        FuzzParser) cp ../samples/*.kgl ../Grammar/kglog.ebnf "$corpus"/ ;;
        FuzzReaders)
            suites="$here/../../shared/testdata/w3c-rdf11"
            [ -d "$suites" ] || { echo "the W3C suites are not at $suites" >&2; exit 1; }
            cp corpus/readers/* "$suites"/rdf-n-triples/*.nt "$suites"/rdf-n-quads/*.nq "$corpus"/ ;;
        FuzzTurtle)
            suites="$here/../../shared/testdata/w3c-rdf11"
            [ -d "$suites" ] || { echo "the W3C suites are not at $suites" >&2; exit 1; }
            cp corpus/turtle/* "$suites"/rdf-turtle/*.ttl "$suites"/rdf-trig/*.trig "$corpus"/ ;;
    esac
    echo "== $target for ${seconds}s"
    .build/release/"$target" "$corpus" -max_total_time="$seconds" -max_len=8192 -timeout=10 \
        -artifact_prefix="findings/$target-" -print_final_stats=1 2>&1 | tail -15
    rm -rf "$corpus"
done
