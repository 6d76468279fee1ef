#!/usr/bin/env bash
# Tagging benchmark (see BENCHMARKS.md, issue 12): on the 30,000 records of
# the 1979-80 baseline file pubmed20n0014,
#  - how many records carry each element with the framework before issue
#    12 (queries/lhs-framework.toml at commit $BEFORE), after its first
#    rework (at commit $FIRST) and now;
#  - the time of `scoper tag` against `scoper index --rebuild` on the same
#    records (median of 5 each; index --rebuild also tags once, so the
#    indexing time is taken as the rebuild less one tagging run);
#  - the gold sets: lhs-heldout-b.toml (never used to tune), lhs-heldout.toml
#    (held out in the first rework, used to tune the second), the dev set the
#    queries were tuned on, and the old in-repo set; each with the three
#    frameworks.
# Usage: benches/tagging.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
BEFORE=${BEFORE:-9bdd2ca}
FIRST=${FIRST:-ad1ff4e}
. benches/baseline.sh
cargo build --release --quiet
BIN=$PWD/target/release/scoper
WS=$DATA/tagging-ws
if [ ! -f "$WS/.scoper/index-state.json" ]; then
  rm -rf "$WS"
  "$BIN" init "$WS" > /dev/null
  "$BIN" --dir "$WS" import "$DATA/pubmed20n0014.xml.gz" > /dev/null
fi
git show "$BEFORE:queries/lhs-framework.toml" > "$DATA/framework-before.toml"
git show "$FIRST:queries/lhs-framework.toml" > "$DATA/framework-first.toml"
cp queries/lhs-framework.toml "$DATA/framework-now.toml"
echo "## records carrying each element, pubmed20n0014 (30,000 records)"
for f in before first now; do
  "$BIN" --dir "$WS" tag --framework "$DATA/framework-$f.toml" --json > "$DATA/tags-$f.json"
done
python3 - "$DATA" <<'PY'
import json, sys
d = sys.argv[1]
rows = {}
for f in ("before", "first", "now"):
    m = json.load(open(f"{d}/tags-{f}.json"))["map"]
    rows[f] = {e["id"]: e["records"] for e in m["elements"]}
print("| element | before | first rework | now | change from before |")
print("|---|---|---|---|---|")
for e in rows["before"]:
    b, f, n = rows["before"][e], rows["first"][e], rows["now"][e]
    print(f"| {e} | {b} | {f} | {n} | {100 * (n - b) / b:+.0f}% |")
PY
echo
echo "## time: tag vs index (median of $RUNS, seconds)"
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
tag_t=$(for _ in $(seq "$RUNS"); do /usr/bin/time -f %e "$BIN" --dir "$WS" tag --framework "$DATA/framework-now.toml" 2>&1 >/dev/null | tail -1; done | median)
idx_t=$(for _ in $(seq "$RUNS"); do /usr/bin/time -f %e "$BIN" --dir "$WS" index --rebuild 2>&1 >/dev/null | tail -1; done | median)
python3 -c "t, i = $tag_t, $idx_t; print(f'tag {t:.2f} s; index --rebuild {i:.2f} s (of which one tagging run); tag / (index - tag) = {t / max(i - t, 1e-9):.3f} (target <= 0.5)')"
echo
echo "## gold sets (element level)"
for g in tests/gold/lhs-heldout-b.toml tests/gold/lhs-heldout.toml ../shared/fixtures/gold/lhs-dev.toml tests/gold/lhs-gold.toml; do
  echo "### $g"
  "$BIN" tag --framework queries/lhs-framework.toml --eval "$g" | sed -n 1,7p
  echo "after the first rework:"
  "$BIN" tag --framework "$DATA/framework-first.toml" --eval "$g" 2>&1 | sed -n 2,7p
  echo "before issue 12:"
  "$BIN" tag --framework "$DATA/framework-before.toml" --eval "$g" 2>&1 | sed -n 2,7p
done
