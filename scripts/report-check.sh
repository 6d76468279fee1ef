#!/usr/bin/env bash
# The HTML report in a real browser: `scoper report` on the demo workspace,
# rendered by headless Chromium. Fails when the page's script did not run
# to its end or the console shows any message (an error, a warning), and
# leaves a screenshot to look at. Installs nothing: run it where Chromium
# is installed (`apt-get install chromium`); `.ci/run` runs it then.
# Usage: scripts/report-check.sh [path/to/scoper]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-${CARGO_TARGET_DIR:-target}/debug/scoper}
CHROMIUM=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$CHROMIUM" ] || { echo "report-check: no Chromium here (apt-get install chromium)" >&2; exit 1; }
[ -x "$BIN" ] || cargo build --quiet
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
WS="$OUT/ws"
mkdir -p "$WS"
cp -r scoper.toml queries corpus screening charting "$WS/"
"$BIN" --dir "$WS" index > /dev/null
"$BIN" --dir "$WS" report --out "$OUT/report" > /dev/null
PAGE="$OUT/report/report.html"
grep -q "https\?://[^\"' ]*\.\(js\|css\)" "$PAGE" && { echo "report-check: FAILED: the page loads a script or style from the network" >&2; exit 1; }
run() { timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars \
  --enable-logging=stderr --v=0 "$@" "file://$PAGE"; }
run --dump-dom > "$OUT/dom.html" 2> "$OUT/console.log" || true
if [ ! -s "$OUT/dom.html" ]; then
  # Chromium did not run at all (no display libraries, no shared memory):
  # like no Chromium, said loudly.
  echo "report-check: skipped: Chromium is installed but did not render here:" >&2
  tail -5 "$OUT/console.log" >&2
  exit 0
fi
if grep -E "INFO:CONSOLE|Uncaught" "$OUT/console.log"; then
  echo "report-check: FAILED: the console shows the messages above" >&2; exit 1
fi
grep -q 'data-ready="yes"' "$OUT/dom.html" || { echo "report-check: FAILED: the page's script did not finish" >&2; exit 1; }
grep -q "<svg" "$OUT/dom.html" || { echo "report-check: FAILED: no figure in the page" >&2; exit 1; }
SHOT=${REPORT_PNG:-target/report.png}
mkdir -p "$(dirname "$SHOT")"
run --window-size=1280,2400 --screenshot="$SHOT" > /dev/null 2>&1 || true
[ -s "$SHOT" ] || { echo "report-check: FAILED: no screenshot" >&2; exit 1; }
echo "report-check: passed (no console message; the sort script ran; screenshot: $SHOT)"
