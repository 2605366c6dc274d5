#!/usr/bin/env bash
# Every page of the built demo sites through the current W3C Nu HTML checker (npm vnu-jar,
# run with Java): any error fails. The Open Referral feed's folder copies are JSON and are
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
echo "== the Nu HTML checker on ${#pages[@]} pages"
java -jar "$jar" --errors-only "${pages[@]}"
echo "no errors"
