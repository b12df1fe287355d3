#!/usr/bin/env bash
# Renders the benchmarks' results file (bench/results.tsv, one line per
# measured work, appended by bench/lib.sh's bench_record) into the summary
# of docs/performance.md, between its "bench:summary" markers: the latest
# line of each work at each size (with the reference it was measured
# against: the faster form may differ between sizes), and a table of time
# against size for the works measured at more than one size.
#
#   bash scripts/bench_table.sh            # rewrites docs/performance.md
#   bash scripts/bench_table.sh --print    # prints the tables only
set -euo pipefail
REPO_DIR="$(cd "$(dirname "$0")/.." && pwd)"
RESULTS="${BENCH_RESULTS:-$REPO_DIR/bench/results.tsv}"
DOC="$REPO_DIR/docs/performance.md"

tables() {
  python3 - "$RESULTS" <<'PY'
import csv, re, sys
cols = ["date", "script", "work", "reference", "size", "side", "ref", "ratio", "goal", "met", "load", "command"]
rows = [dict(zip(cols, r)) for r in csv.reader(open(sys.argv[1]), delimiter="\t") if r and not r[0].startswith("#")]
latest = {}
for r in rows:  # the file is in time order: the last line of a work and size wins
    latest[(r["script"], r["work"], r["size"])] = r  # the reference's form may change with the size
def size_key(s):
    try: return float(s.split()[0].replace(",", ""))
    except ValueError: return 0.0
print("| work | fair reference | size | work, ms median (p10-p90) | reference, ms median (p10-p90) | ratio | goal | met | load (start-end) | command |")
print("|---|---|---:|---:|---:|---:|---|---|---|---|")
for k in sorted(latest, key=lambda k: (k[0], k[1], size_key(k[2]))):
    r = latest[k]
    print("| %s | %s | %s | %s | %s | %s | %s | %s | %s | `%s` |" % (
        r["work"], r["reference"], r["size"], r["side"], r["ref"], r["ratio"], r["goal"],
        "**no**" if r["met"] == "no" else r["met"], r["load"], r["command"]))
def first_number(figure):  # "12.5 (10-14)", "p95 12.5 ms", "12 tps": 12.5, 12
    m = re.search(r"(?<![A-Za-z0-9.])[0-9][0-9.]*", figure)
    return m.group(0) if m else figure
by_work = {}
for k, r in latest.items():
    by_work.setdefault(k[:2], []).append(r)
grown = {k: v for k, v in by_work.items() if len(v) > 1}
if grown:
    print()
    print("Time against size (work's median ms / reference's median ms, ratio), latest run of each size:")
    print()
    print("| work | sizes: work / reference (ratio) |")
    print("|---|---|")
    for k in sorted(grown):
        cells = ["%s: %s / %s (%s)" % (r["size"], first_number(r["side"]), first_number(r["ref"]), r["ratio"])
                 for r in sorted(grown[k], key=lambda r: size_key(r["size"]))]
        print("| %s | %s |" % (k[1], "; ".join(cells)))
PY
}

if [ "${1:-}" = "--print" ]; then tables; exit 0; fi
table="$(tables)"
python3 - "$DOC" "$table" <<'PY'
import sys
path, table = sys.argv[1], sys.argv[2]
doc = open(path).read()
begin, end = "<!-- bench:summary begin -->", "<!-- bench:summary end -->"
head, rest = doc.split(begin, 1)
_, tail = rest.split(end, 1)
open(path, "w").write(head + begin + "\n" + table + "\n" + end + tail)
PY
