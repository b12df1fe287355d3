#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan+UBSan) and runs each for
# FUZZ_SECONDS seconds.  Prints "fuzz ok NAME" or "fuzz FAILED NAME".
source "$(dirname "$0")/lib.sh"
seconds="${FUZZ_SECONDS:-60}"
build="$REPO_DIR/build/fuzz"
if ! ls "$REPO_DIR"/test/fuzz/*_fuzz.cpp >/dev/null 2>&1; then exit 0; fi
# A build failure is reported, with the compiler's output, and fails the
# run: scripts/test.sh also counts every target that did not run.
mkdir -p "$build"
if ! { CXX=clang++ cmake -S "$REPO_DIR" -B "$build" -DOPENDATA_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo &&
       cmake --build "$build" -j"$(nproc)"; } >"$build/build.log" 2>&1; then
  grep -E 'error|Error' "$build/build.log" | head -n 40 || tail -n 40 "$build/build.log"
  echo "fuzz FAILED build"
  exit 1
fi
status=0
for src in "$REPO_DIR"/test/fuzz/*_fuzz.cpp; do
  name="$(basename "$src" .cpp)"
  corpus="$build/corpus/$name"
  mkdir -p "$corpus"
  seeds="$REPO_DIR/test/fuzz/corpus/$name"
  [ -d "$seeds" ] || seeds=""
  if "$build/$name" -max_total_time="$seconds" -rss_limit_mb=2048 -print_final_stats=0 \
       "$corpus" $seeds >"$build/$name.log" 2>&1; then
    echo "fuzz ok $name"
  else
    tail -n 40 "$build/$name.log"
    echo "fuzz FAILED $name"
    status=1
  fi
done
exit $status
