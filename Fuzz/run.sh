#!/usr/bin/env bash
# Builds the libFuzzer targets and runs each for SECONDS (default 600) on a copy of the seed
# corpus. Inputs that crash or hang are written to Fuzz/findings/; keep each one as a regression
# test (Tests/KGSyntaxTests/FuzzRegressionTests.swift, Tests/KGFormatsTests/...).
# Usage: Fuzz/run.sh [SECONDS] [TARGET...]     TARGET: FuzzParser FuzzReaders
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
seconds="${1:-600}"
shift || true
targets=("${@:-FuzzParser FuzzReaders}")
cd "$here"
# Every module is instrumented, so libFuzzer is guided by the coverage of kglog's own code.
# The gold linker fails on the sanitizer's objects; lld (shipped with Swift) links them.
swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld
mkdir -p findings
for target in ${targets[@]}; do
    corpus="$(mktemp -d)"
    case "$target" in
        FuzzParser) cp corpus/parser/* "$corpus"/ ;;
        FuzzReaders) cp corpus/readers/* "$corpus"/ ;;
    esac
    echo "== $target for ${seconds}s"
    .build/release/"$target" "$corpus" -max_total_time="$seconds" -max_len=8192 -timeout=10 \
        -artifact_prefix="findings/$target-" -print_final_stats=1 2>&1 | tail -15
    rm -rf "$corpus"
done
