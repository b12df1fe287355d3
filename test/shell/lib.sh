# Shared set-up of the shell tests.  Sourced, not run.
# shellcheck shell=bash
#
# shell_test_cluster NAME PORT: starts a throwaway cluster in a directory
# the cluster owner can write ($dir, also its socket directory), stopped and
# removed on exit; KEEP_TMP=1 keeps the directory (logs, dumps, exports).
#
# ok / not_ok / check print the "ok NAME" / "not ok NAME" lines that
# scripts/test.sh counts, with "#   " diagnostics; FAILED counts the
# failures for the script's exit status.
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"

shell_test_cluster() {
  local name="$1" port="$2"
  PORT="$port"
  dir="$(owned_tmpdir "$name")"
  trap shell_test_cleanup EXIT
  start_cluster "$dir" "$PORT"
  export PGOPTIONS="-c client_min_messages=warning"
}

shell_test_cleanup() {
  stop_cluster "$dir"
  if [ -z "${KEEP_TMP:-}" ]; then rm -rf "$dir"; else echo "# kept $dir" >&2; fi
}

FAILED=0
ok() { echo "ok $1"; }
not_ok() {  # not_ok NAME [DIAGNOSTIC...]
  echo "not ok $1"; FAILED=$((FAILED + 1))
  shift
  local line
  for line in "$@"; do printf '%s\n' "$line" | sed 's/^/#   /'; done
}
check() {  # check NAME EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "expected: $2" "actual:   $3"; fi
}
