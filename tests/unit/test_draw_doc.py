#!/usr/bin/env python3
"""docs/DRAW.md's worked example and tools/verify_draw.py agree.

Takes the seed, the exported selection file and the script's output from
the page's marked blocks, runs the script on the file and compares its
output with the page's, word for word; then checks that the script notices
a changed rank, a changed status (result digest), someone selected after
the quota was full, and a wrong published digest.  TAP output."""
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DOC = os.path.join(ROOT, "docs", "DRAW.md")
SCRIPT = os.path.join(ROOT, "tools", "verify_draw.py")


def block(text, marker):
    m = re.search(r"<!-- %s -->\n```\n(.*?)```" % re.escape(marker), text, re.S)
    if not m:
        raise SystemExit("Bail out! %s: no block marked %s" % (DOC, marker))
    return m.group(1)


def run(csv_text, *args):
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
        f.write(csv_text)
        path = f.name
    try:
        p = subprocess.run([sys.executable, SCRIPT] + list(args) + [path],
                           capture_output=True, text=True, timeout=60)
        return p.returncode, p.stdout
    finally:
        os.unlink(path)


def main():
    text = open(DOC, encoding="utf-8").read()
    seed = block(text, "example-seed").strip()
    sel = block(text, "example-selection")
    out = block(text, "example-output")
    m = re.search(r"--quota (\d+) seleksi\.csv", text)
    quota = m.group(1) if m else "0"
    snap = re.search(r"snapshot_sha256: ([0-9a-f]{64})", out).group(1)
    res = re.search(r"result_sha256: ([0-9a-f]{64})", out).group(1)
    lines = sel.splitlines()
    cases = []

    rc, got = run(sel, "--seed", seed, "--quota", quota)
    cases.append(("the page's output is the script's", rc == 0 and got == out))
    rc, got = run(sel, "--seed", seed, "--quota", quota, "--snapshot", snap, "--result", res)
    cases.append(("the published digests match", rc == 0 and got.endswith("MATCH\n")))

    # a rank changed by one digit
    bad = list(lines)
    f = bad[1].split(",")
    f[2] = ("0" if f[2][0] != "0" else "1") + f[2][1:]
    bad[1] = ",".join(f)
    rc, got = run("\n".join(bad) + "\n", "--seed", seed, "--quota", quota)
    cases.append(("a changed rank is a mismatch", rc == 1 and "rank is" in got))

    # another seed: every rank differs
    rc, got = run(sel, "--seed", "0" * 64, "--quota", quota)
    cases.append(("another seed is a mismatch", rc == 1))

    # the last one of the walk selected instead of the first one turned away
    last = max((l for l in lines[1:] if l.endswith("kuota_gelombang_penuh")),
               key=lambda l: l.split(",")[2])
    bad = [l.replace("tidak_lolos,kuota_gelombang_penuh", "lolos,") if l == last else l
           for l in lines]
    rc, got = run("\n".join(bad) + "\n", "--seed", seed, "--quota", quota, "--result", res)
    cases.append(("selected after the quota was full is a mismatch",
                  rc == 1 and "after the wave's quota was full" in got
                  and "result digest differs" in got))

    # a quota smaller than the number selected
    rc, got = run(sel, "--seed", seed, "--quota", "3")
    cases.append(("more selected than the quota is a mismatch", rc == 1))

    print("1..%d" % len(cases))
    failed = 0
    for n, (name, ok) in enumerate(cases, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", n, name))
        failed += not ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
