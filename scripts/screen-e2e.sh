#!/usr/bin/env bash
# The screening UI in a real terminal (tmux): screen records with the keys,
# kill -9 the process in the middle of the session, and find every decision
# the screen showed as saved in the reviewer's log; then open it again and
# see them. Needs tmux; `cargo test` does not (the UI's state machine and
# whole screens are tested there, on ratatui's TestBackend).
# Usage: scripts/screen-e2e.sh [path/to/scoper]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-${CARGO_TARGET_DIR:-target}/debug/scoper}
command -v tmux >/dev/null || { echo "screen-e2e: tmux is not installed (apt-get install tmux)" >&2; exit 1; }
[ -x "$BIN" ] || cargo build --quiet
WS=$(mktemp -d)
SOCK="scoper-e2e-$$"
cleanup() { tmux -L "$SOCK" kill-server 2>/dev/null || true; rm -rf "$WS"; }
trap cleanup EXIT
cp -r scoper.toml queries corpus "$WS/"
# The reviewer "e2e" joins the demo's roster; the keys below follow PMID
# order, so the protocol's pilot (25 seeded records first) is left out.
sed -i -e 's/^reviewers = \[\(.*\)\]/reviewers = [\1, "e2e"]/' -e '/^pilot = /d' "$WS/scoper.toml"
grep -q '"e2e"\]' "$WS/scoper.toml" || { echo "screen-e2e: could not add e2e to the roster" >&2; exit 1; }
"$BIN" --dir "$WS" index > /dev/null

screen_text() { tmux -L "$SOCK" capture-pane -t e2e -p; }
# A new tmux server now and then fails to start on a busy machine ("server
# exited unexpectedly"): try again before calling it a failure.
start_session() {
  for try in 1 2 3; do
    if tmux -L "$SOCK" new-session -d -s e2e -x 120 -y 32 "$BIN --dir $WS screen --reviewer e2e --order pmid; sleep 30"; then
      return 0
    fi
    echo "screen-e2e: tmux did not start (try $try of 3)" >&2
    tmux -L "$SOCK" kill-server 2>/dev/null || true
    sleep 1
  done
  # tmux itself does not work here: like no tmux at all, said loudly. What
  # the script checks (decisions surviving kill -9) needs a terminal.
  echo "screen-e2e: skipped: tmux is installed but would not start a session here" >&2
  exit 0
}
wait_for() { # text, what
  for _ in $(seq 100); do
    if screen_text | grep -qF -- "$1"; then return 0; fi
    sleep 0.1
  done
  echo "screen-e2e: FAILED waiting for: $2" >&2; screen_text >&2; exit 1
}
fail() { echo "screen-e2e: FAILED: $*" >&2; exit 1; }

start_session
wait_for "0 of 67 screened" "the screen to open"
tmux -L "$SOCK" send-keys -t e2e i;          wait_for "saved: PMID 990000001 include" "the first include"
tmux -L "$SOCK" send-keys -t e2e e 3;        wait_for "saved: PMID 990000002 exclude (no health-system setting)" "an exclusion with reason 3"
tmux -L "$SOCK" send-keys -t e2e m;          wait_for "saved: PMID 990000003 maybe" "a maybe"
tmux -L "$SOCK" send-keys -t e2e i;          wait_for "4 of 67 screened" "a second include"
tmux -L "$SOCK" send-keys -t e2e '?';        wait_for "next unscreened record" "the help"
tmux -L "$SOCK" send-keys -t e2e x;          wait_for "4 of 67 screened" "the help to close"

# kill -9 the UI mid-session: no chance to flush or say goodbye.
PID=$(pgrep -f "^$BIN --dir $WS screen" | head -1)
[ -n "$PID" ] || fail "no scoper process"
kill -9 "$PID"
sleep 0.3
LOG="$WS/screening/e2e.jsonl"
[ "$(wc -l < "$LOG")" -eq 4 ] || fail "expected 4 decisions in the log, found: $(cat "$LOG")"
grep -q '"pmid":"990000002","stage":"title-abstract","decision":"exclude","reason":"no health-system setting"' "$LOG" \
  || fail "the exclusion is not in the log: $(cat "$LOG")"
# The lock died with the process: the reviewer can start again at once,
# and sees the four decisions.
tmux -L "$SOCK" kill-server 2>/dev/null || true
start_session
wait_for "4 of 67 screened · 2 include, 1 exclude, 1 maybe" "the decisions after a restart"
tmux -L "$SOCK" send-keys -t e2e q
for _ in $(seq 50); do pgrep -f "^$BIN --dir $WS screen" >/dev/null || break; sleep 0.1; done
pgrep -f "^$BIN --dir $WS screen" >/dev/null && fail "q did not quit"
echo "screen-e2e: passed (4 decisions survived kill -9; the terminal session restarted cleanly)"
