#!/usr/bin/env python3
"""Summarises a `meson test` run: every TAP test point counts once; a test
program that failed without reporting a failing point (a crash, a
sanitizer abort, a timeout) counts as one failure.  Prints each failure
and ends with the line "N passed, N failed"."""
import json
import re
import sys

passed = failed = skipped = 0
failures = []
with open(sys.argv[1]) as f:
    for line in f:
        t = json.loads(line)
        name, result, out = t["name"], t["result"], t.get("stdout") or ""
        points = re.findall(r"^(ok|not ok)\b\s*\d*\s*-?\s*(.*)$", out, re.M)
        bad = [p for p in points if p[0] == "not ok" and "# TODO" not in p[1]]
        skips = [p for p in points if p[0] == "ok" and "# SKIP" in p[1].upper()]
        passed += len(points) - len(bad) - len(skips)
        skipped += len(skips)
        failed += len(bad)
        failures += [f"{name}: {p[1]}" for p in bad]
        if result not in ("OK", "EXPECTEDFAIL", "SKIP") and not bad:
            failed += 1
            failures.append(f"{name}: {result} (exit without a failing test point)")
        if result == "SKIP" and not points:
            skipped += 1
        if result not in ("OK", "EXPECTEDFAIL", "SKIP"):
            tail = (out + (t.get("stderr") or "")).splitlines()[-40:]
            print(f"--- {name} ({result}), last lines:")
            print("\n".join("    " + l for l in tail))
for f in failures:
    print("FAILED", f)
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
sys.exit(1 if failed else 0)
