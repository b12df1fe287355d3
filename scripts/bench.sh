#!/usr/bin/env bash
# make bench: Google Benchmark targets of the core (bench/*_bench.cpp), then
# the SQL benchmarks (bench/*.sh) against their references in the same run.
source "$(dirname "$0")/lib.sh"
ensure_packages
cmake -S "$REPO_DIR" -B "$REPO_DIR/build/bench" -DOPENDATA_BENCH=ON -DOPENDATA_TESTS=OFF \
  -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$REPO_DIR/build/bench" -j"$(nproc)" >/dev/null
for b in "$REPO_DIR"/build/bench/*_bench; do [ -x "$b" ] && "$b"; done
for s in "$REPO_DIR"/bench/*.sh; do [ -e "$s" ] && bash "$s"; done
