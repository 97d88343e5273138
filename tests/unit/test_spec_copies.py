#!/usr/bin/env python3
"""docs/spec/ holds the published contracts word for word: each copy is
compared with the original in the workspace's shared/spec/ (beside the
repository) when that is there; a clone without it skips.  TAP output."""
import os
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
COPIES = os.path.join(ROOT, "docs", "spec")
ORIGINALS = os.path.normpath(os.path.join(ROOT, "..", "shared", "spec"))
NAMES = ["participants-csv.md", "journey-events-csv.md", "selection.md", "reminders.md"]

print("1..%d" % len(NAMES))
failed = 0
for i, name in enumerate(NAMES, 1):
    copy = os.path.join(COPIES, name)
    if not os.path.exists(copy):
        print("not ok %d - %s: no copy in docs/spec" % (i, name))
        failed += 1
        continue
    original = os.path.join(ORIGINALS, name)
    if not os.path.exists(original):
        print("ok %d - %s # SKIP no shared/spec beside the repository" % (i, name))
        continue
    with open(copy, "rb") as a, open(original, "rb") as b:
        same = a.read() == b.read()
    if same:
        print("ok %d - %s" % (i, name))
    else:
        print("not ok %d - %s: differs from %s (copy it again)" % (i, name, original))
        failed += 1
sys.exit(1 if failed else 0)
