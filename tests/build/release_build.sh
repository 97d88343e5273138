#!/usr/bin/env bash
# The build scripts/serve makes (release, no tests) must compile under
# -Werror too: the optimiser finds warnings (truncation, maybe-uninitialised)
# that the sanitised debug build of scripts/test never sees.
#   release_build.sh SOURCE_ROOT BUILD_ROOT
set -euo pipefail
src=$1 dir=$2/release-check
echo "1..2"
if [ -f "$dir/build.ninja" ] || meson setup "$dir" "$src" --buildtype=release -Dtests=false >"$2/release-check.log" 2>&1; then
  echo "ok 1 - meson setup --buildtype=release -Dtests=false"
else
  echo "not ok 1 - meson setup failed (log: $2/release-check.log)"; cat "$2/release-check.log"; exit 1
fi
if ninja -C "$dir" >>"$2/release-check.log" 2>&1; then
  echo "ok 2 - the release build compiles without a warning"
else
  echo "not ok 2 - the release build failed:"
  grep -E 'error|warning' "$2/release-check.log" | sed 's/^/# /' | head -40
fi
