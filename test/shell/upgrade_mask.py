#!/usr/bin/env python3
"""upgrade_mask.py CHANGES ANSWERS: the answers with what the new version
changes on purpose taken out, so that test/shell/upgrade.sh compares the rest.

ANSWERS is upgrade_answers.sql's output: one "label json" answer per line
(other lines pass through).  CHANGES (upgrade_answers_changed.txt) lists,
one per line, "label<TAB>path<TAB>why": the JSON member at path is removed
from that label's answer on both sides of the comparison.  A path is
member names joined by dots; "[]" after a name means every element of that
array (results[].distance_m).  A path that matches nothing is an error: a
mask that hides nothing is stale and must go.
"""
import json
import sys


def remove(value, steps):
    """Removes the member steps names from value; returns how many went."""
    name, rest = steps[0], steps[1:]
    each = name.endswith("[]")
    name = name[:-2] if each else name
    if not isinstance(value, dict) or name not in value:
        return 0
    if not rest:
        del value[name]
        return 1
    targets = value[name] if each else [value[name]]
    return sum(remove(t, rest) for t in targets if isinstance(t, dict))


def main(changes_path, answers_path):
    masks = {}
    with open(changes_path, encoding="utf-8") as changes:
        for line in changes:
            if line.strip() and not line.startswith("#"):
                label, path, _why = line.rstrip("\n").split("\t")
                masks.setdefault(label, []).append(path)
    used = set()
    with open(answers_path, encoding="utf-8") as answers:
        for line in answers:
            for label, paths in masks.items():
                if line.startswith(label + " {"):
                    answer = json.loads(line[len(label) + 1:])
                    for path in paths:
                        if remove(answer, path.split(".")):
                            used.add((label, path))
                    line = label + " " + json.dumps(answer, sort_keys=True) + "\n"
            sys.stdout.write(line)
    stale = [f"{l}\t{p}" for l, ps in masks.items() for p in ps if (l, p) not in used]
    if stale:
        sys.exit("masks that hide nothing: " + "; ".join(stale))


if __name__ == "__main__":
    main(*sys.argv[1:])
