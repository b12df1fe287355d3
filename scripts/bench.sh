#!/usr/bin/env bash
# make bench: Google Benchmark targets of the core (bench/*_bench.cpp), then
# the SQL benchmarks (bench/*.sh) against their references in the same run,
# each at its default size; then docs/performance.md's summary is rendered
# from bench/results.tsv (scripts/bench_table.sh).  A script whose answers
# differ from its reference's exits non-zero: make bench then goes on with
# the others and fails at the end, naming them.
source "$(dirname "$0")/lib.sh"
ensure_packages
cmake -S "$REPO_DIR" -B "$REPO_DIR/build/bench" -DOPENDATA_BENCH=ON -DOPENDATA_TESTS=OFF \
  -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$REPO_DIR/build/bench" -j"$(nproc)" >/dev/null
for b in "$REPO_DIR"/build/bench/*_bench; do [ -x "$b" ] && "$b"; done
failed=()
for s in "$REPO_DIR"/bench/*.sh; do
  [ "$(basename "$s")" = lib.sh ] && continue
  [ -e "$s" ] && { bash "$s" || failed+=("$(basename "$s")"); }
done
bash "$REPO_DIR/scripts/bench_table.sh"
if [ "${#failed[@]}" -gt 0 ]; then
  echo "benchmarks that failed (different answers or errors): ${failed[*]}" >&2
  exit 1
fi
