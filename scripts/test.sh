#!/usr/bin/env bash
# make test: everything CI runs, from a clean checkout on a fresh Debian.
# Ends with one line "N passed, N failed"; exits non-zero on any failure.
source "$(dirname "$0")/lib.sh"

PASSED=0
FAILED=0
SKIPPED=0
FAILURES=()
count() {  # count SUITE PASSED FAILED
  PASSED=$((PASSED + $2))
  FAILED=$((FAILED + $3))
  if [ "$3" -gt 0 ]; then FAILURES+=("$1: $3 failed"); fi
  log "$1: $2 passed, $3 failed"
}

ensure_packages
build_and_install WERROR=1

# 1. GoogleTest units of the pure C++ core.
log "unit tests (GoogleTest)"
cmake -S "$REPO_DIR" -B "$REPO_DIR/build/unit" -DOPENDATA_WERROR=ON -DOPENDATA_SANITIZE=ON \
  -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build "$REPO_DIR/build/unit" -j"$(nproc)" >/dev/null
unit_log="$(mktemp)"
(cd "$REPO_DIR/build/unit" && ctest --output-on-failure -j"$(nproc)") >"$unit_log" 2>&1 || true
tail -n 3 "$unit_log"
unit_total=$(sed -n 's/.*tests failed out of \([0-9]*\).*/\1/p' "$unit_log")
unit_failed=$(sed -n 's/.* \([0-9]*\) tests failed out of.*/\1/p' "$unit_log")
# ctest counts a skipped test (GTEST_SKIP: a sample file is missing) among
# the passed ones; here it is counted, and shown, as skipped.
unit_skipped=$(grep -c '\*\*\*Skipped' "$unit_log" || true)
if [ -z "$unit_total" ]; then
  cat "$unit_log"; count unit 0 1
else
  if [ "$unit_skipped" -gt 0 ]; then grep '\*\*\*Skipped' "$unit_log"; fi
  SKIPPED=$((SKIPPED + unit_skipped))
  count unit $((unit_total - unit_failed - unit_skipped)) "$unit_failed"
  log "unit: $unit_skipped skipped"
fi

# 2. Fuzzers, briefly (make fuzz runs them longer).
fuzz_log="$(mktemp)"
if FUZZ_SECONDS="${FUZZ_SECONDS:-10}" bash "$REPO_DIR/scripts/fuzz.sh" >"$fuzz_log" 2>&1; then :; fi
fuzz_ok=$(grep -c '^fuzz ok' "$fuzz_log" || true)
fuzz_bad=$(grep -c '^fuzz FAILED' "$fuzz_log" || true)
# Every target under test/fuzz must have run: a build failure used to
# report no target at all, and the suite passed.
fuzz_expected=$(find "$REPO_DIR/test/fuzz" -maxdepth 1 -name '*_fuzz.cpp' | wc -l)
fuzz_missing=$((fuzz_expected - fuzz_ok - fuzz_bad))
if [ "$fuzz_missing" -gt 0 ]; then
  echo "fuzz: $fuzz_missing of $fuzz_expected targets did not run"
  fuzz_bad=$((fuzz_bad + fuzz_missing))
fi
if [ "$fuzz_bad" -gt 0 ]; then tail -n 100 "$fuzz_log"; fi
count fuzz "$fuzz_ok" "$fuzz_bad"

# 3. pg_regress and isolation specs on throwaway instances owned by postgres.
# The inputs are copied to a directory the cluster owner can read and write,
# wherever the checkout lives.
run_pg_suite() {  # run_pg_suite NAME DRIVER ARGS...
  local name="$1" driver="$2"; shift 2
  local work; work="$(owned_tmpdir "$name")"
  cp -r "$REPO_DIR/sql" "$REPO_DIR/expected" "$REPO_DIR/test" "$REPO_DIR/data" "$work/"
  if [ "$(id -u)" -eq 0 ]; then chown -R postgres:postgres "$work"; fi
  local out="$work/run.log"
  # TMPDIR too: the driver runs as the cluster owner, who may not write the
  # caller's TMPDIR (a private one, see docs/testing.md).
  (cd "$work" && as_cluster_owner env TMPDIR="$work" "$driver" --bindir="$PG_BINDIR" --temp-instance="$work/instance" \
      --dbname=contrib_regression --outputdir="$work/out" "$@") >"$out" 2>&1 || true
  grep -E '\.\.\. |^ok |^not ok ' "$out" || true
  local ok bad
  ok=$(grep -cE '\.\.\. ok|^ok ' "$out" || true)
  bad=$(grep -cE '\.\.\. FAILED|^not ok |\.\.\. failed' "$out" || true)
  if [ "$ok" -eq 0 ] && [ "$bad" -eq 0 ]; then cat "$out"; bad=1; fi
  if [ "$bad" -gt 0 ] && [ -f "$work/out/regression.diffs" ]; then
    head -n 200 "$work/out/regression.diffs"
  fi
  count "$name" "$ok" "$bad"
}
log "pg_regress"
run_pg_suite regress "$PGXS_DIR/src/test/regress/pg_regress" --inputdir=. --schedule=test/schedule
if ls "$REPO_DIR"/test/isolation/specs/*.spec >/dev/null 2>&1; then
  log "isolation specs"
  run_pg_suite isolation "$PGXS_DIR/src/test/isolation/pg_isolation_regress" \
    --inputdir=test/isolation \
    $(basename -a -s .spec "$REPO_DIR"/test/isolation/specs/*.spec)
fi

# 4. Shell tests that need whole clusters of their own (dump/restore,
# upgrades, the PostgREST contract harness): each prints "ok NAME" or
# "not ok NAME" lines.
for t in "$REPO_DIR"/test/shell/*.sh; do
  [ -e "$t" ] || continue
  [ "$(basename "$t")" = lib.sh ] && continue   # their shared set-up, not a test
  log "shell test $(basename "$t")"
  t_log="$(mktemp)"
  bash "$t" >"$t_log" 2>&1 || echo "not ok $(basename "$t") exited non-zero" >>"$t_log"
  grep -E '^(not )?ok ' "$t_log" || cat "$t_log"
  count "$(basename "$t" .sh)" "$(grep -c '^ok ' "$t_log" || true)" "$(grep -c '^not ok ' "$t_log" || true)"
done

for f in "${FAILURES[@]+"${FAILURES[@]}"}"; do echo "FAILED: $f"; done
if [ "$SKIPPED" -gt 0 ]; then echo "$SKIPPED skipped (not counted as passed)"; fi
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
