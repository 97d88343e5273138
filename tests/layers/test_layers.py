#!/usr/bin/env python3
"""The layers call only downwards, checked on what the compiler sees.

For every C file under src/, the preprocessor lists the project headers it
includes, directly or through other headers (cc -MM).  The rules
(docs/ARCHITECTURE.md):
  core/   includes only core/
  store/  includes only core/ and store/
  app/    includes core/, store/ and app/, never web/ or cli/
  web/, cli/  never include store/: adapters reach the database only
              through app/ (the narrow calls pk_app_health, pk_app_migrate)
TAP output, one test per layer."""
import os
import subprocess
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SRC = os.path.join(ROOT, "src")
BUILD = sys.argv[1] if len(sys.argv) > 1 else ROOT
CC = os.environ.get("CC", "cc")

ALLOWED = {
    "core": {"core"},
    "store": {"core", "store"},
    "app": {"core", "store", "app"},
    "web": {"core", "app", "web"},
    "cli": {"core", "app", "web", "cli"},
}


def project_headers(path):
    """The src/ headers path includes (transitively), as layer/file names."""
    cmd = [CC, "-MM", "-D_GNU_SOURCE", "-I" + SRC, "-I" + BUILD, "-I/usr/include/postgresql", path]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    deps = out.replace("\\\n", " ").split(":", 1)[1].split()
    found = []
    for d in deps:
        full = os.path.normpath(os.path.join(ROOT, d) if not os.path.isabs(d) else d)
        if full.startswith(SRC + os.sep) and full.endswith(".h"):
            found.append(os.path.relpath(full, SRC))
    return found


def main():
    layers = sorted(ALLOWED)
    print("1..%d" % len(layers))
    failed = 0
    for n, layer in enumerate(layers, 1):
        problems = []
        d = os.path.join(SRC, layer)
        for name in sorted(os.listdir(d)):
            if not name.endswith((".c", ".h")):
                continue
            for hdr in project_headers(os.path.join(d, name)):
                if hdr.split(os.sep)[0] not in ALLOWED[layer]:
                    problems.append("%s/%s includes %s" % (layer, name, hdr))
        if problems:
            failed += 1
            print("not ok %d - %s/ includes only %s" % (n, layer, ", ".join(sorted(ALLOWED[layer]))))
            for p in problems:
                print("# " + p)
        else:
            print("ok %d - %s/ includes only %s" % (n, layer, ", ".join(sorted(ALLOWED[layer]))))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
