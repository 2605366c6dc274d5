#!/usr/bin/env bash
# Browser tests of the built demo sites in Debian's Chromium: installs what they need,
# builds the demo once into a temporary folder and runs every tests/browser/*.test.mjs.
#   bash tests/browser/run.sh                 # from anywhere in the repo
#   CAREPAGES_SITE=/path/to/output bash tests/browser/run.sh   # test an existing build
#   CHROMIUM=/path/to/chromium ...            # another Chromium than /usr/bin/chromium
set -euo pipefail
cd "$(dirname "$0")/../.."

# Chromium from Debian (a test tool's own browser download does not work here).
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing Debian's chromium"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium >/dev/null
  else
    echo "Chromium not found at $CHROMIUM: install Debian's chromium (apt-get install -y chromium) or set CHROMIUM" >&2
    exit 1
  fi
fi
export CHROMIUM

# npm packages (playwright-core, axe-core) when missing or older than the lock file.
if ! node -e "require.resolve('playwright-core'); require.resolve('axe-core/axe.min.js')" >/dev/null 2>&1 \
  || { [ -f package-lock.json ] && [ package-lock.json -nt node_modules/.package-lock.json ]; }; then
  echo "== installing npm packages"
  if [ -f package-lock.json ]; then
    npm ci --no-audit --no-fund
  else
    npm install --no-audit --no-fund
  fi
fi

# The demo sites, built once for every test file, with a fixed --today.
if [ -z "${CAREPAGES_SITE:-}" ]; then
  CAREPAGES_SITE="$(mktemp -d "${TMPDIR:-/tmp}/carepages-browser-site.XXXXXX")"
  trap 'rm -rf "$CAREPAGES_SITE"' EXIT
  echo "== building the demo sites into $CAREPAGES_SITE"
  if ! cargo run --locked --quiet -- build --today 2026-11-25 --output "$CAREPAGES_SITE" >"$CAREPAGES_SITE.log" 2>&1; then
    cat "$CAREPAGES_SITE.log" >&2
    rm -f "$CAREPAGES_SITE.log"
    exit 1
  fi
  rm -f "$CAREPAGES_SITE.log"
fi
export CAREPAGES_SITE

echo "== browser tests ($("$CHROMIUM" --version 2>/dev/null || echo chromium))"
node --test tests/browser/
