#!/usr/bin/env bash
# Installs the Debian 12 packages that building, serving and testing need,
# and only those that are missing. Runs apt-get as root, through sudo otherwise.
#   scripts/deps.sh          build + serve
#   scripts/deps.sh --test   also what the test suite needs
#   scripts/deps.sh --bench  also what bench/reads.sh needs (wrk, GNU time, curl, PostgreSQL)
set -euo pipefail

pkgs=(gcc pkg-config meson ninja-build python3 sqlite3 ca-certificates
      libmicrohttpd-dev libjansson-dev libsqlite3-dev libsodium-dev libinih-dev libpq-dev
      libcurl4-openssl-dev libqrencode-dev libhpdf-dev)
# libjs-chart.js: Chart.js, built into the binary's static files for the
# funnel page's chart (src/web/meson.build)
pkgs+=(libjs-chart.js)
if [ "${1:-}" = "--test" ]; then
  # libreoffice-calc-nogui: a test opens an export as a spreadsheet would
  pkgs+=(libcmocka-dev clang curl chromium postgresql libreoffice-calc-nogui)
  # nginx, openssl: test_service.py runs the nginx example (a self-signed
  # certificate) in front of a real server; groff renders the man page
  pkgs+=(nginx openssl groff-base)
  # python3-aiosmtpd: test_channels.py runs a real SMTP server that the e-mail
  # channel (libcurl) delivers to
  pkgs+=(python3-aiosmtpd)
  # poppler-utils: pdftotext reads the outreach kit's PDF; zbar-tools: zbarimg
  # decodes its QR code (test_outreach.py)
  pkgs+=(poppler-utils zbar-tools)
  # Node.js may come from elsewhere (NodeSource ships npm inside nodejs).
  command -v npm >/dev/null 2>&1 || pkgs+=(nodejs npm)
fi
if [ "${1:-}" = "--bench" ]; then
  pkgs+=(wrk time curl postgresql)
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}" >&2
as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
