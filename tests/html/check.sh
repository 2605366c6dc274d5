#!/usr/bin/env bash
# Every page of the built demo sites, and each council's officers' report, through the
# current W3C Nu HTML checker (npm vnu-jar, run with Java): any error fails. The Open Referral feed's folder copies are JSON and are
# left out.
#   CAREPAGES_SITE=/path/to/output bash tests/html/check.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
site="${CAREPAGES_SITE:?the built output folder, such as output}"
if ! command -v java >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing Java for the Nu checker"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq default-jre-headless >/dev/null
  else
    echo "Java is needed for the Nu HTML checker: apt-get install -y default-jre-headless" >&2
    exit 1
  fi
fi
jar=node_modules/vnu-jar/build/dist/vnu.jar
[ -f "$jar" ] || npm ci --no-audit --no-fund
mapfile -t pages < <(find "$site" -name '*.html' -not -path '*/oruk/*' | sort)
# The officers' report of each council built here (`carepages report`): not part of any
# site, so it is made into a temporary folder, never into the site folder. It is made from
# $CAREPAGES_CONTENT (the demo's content/ by default) with the binary $CAREPAGES_BIN, else
# target/release/carepages, else cargo run.
content="${CAREPAGES_CONTENT:-content}"
bin=("${CAREPAGES_BIN:-target/release/carepages}")
if ! "${bin[@]}" report --help >/dev/null 2>&1; then
  bin=(cargo run --locked --quiet --)
fi
reports="$(mktemp -d "${TMPDIR:-/tmp}/carepages-reports.XXXXXX")"
trap 'rm -rf "$reports"' EXIT
for settings in "$content"/councils/*.yaml; do
  id="$(basename "$settings" .yaml)"
  [ -d "$site/$id" ] || continue
  "${bin[@]}" report --content "$content" --council "$id" --today 2026-11-25 --out "$reports/$id-report.html" 2>/dev/null
  pages+=("$reports/$id-report.html")
done
echo "== the Nu HTML checker on ${#pages[@]} pages (with the officers' reports)"
java -jar "$jar" --errors-only "${pages[@]}"
echo "no errors"
