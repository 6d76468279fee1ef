#!/usr/bin/env bash
# Import + dedup benchmark (see BENCHMARKS.md, issue 13): a RIS file of
# RECORDS records (default 100,000) made from the five "gambling harms"
# exports in ../shared/fixtures/imports/ris/citesource/ (645 records),
# copied with a copy number added to each title and DOI so that the copies
# are distinct records; then, timed with /usr/bin/time (wall seconds, peak
# RSS): `scoper import` (which also finds the duplicate groups) and
# `scoper duplicates --json`. A reference in the same run: `cat` of the
# file, and `scoper import` of a PubMed XML file of about the same size
# is in benches/ingest.sh.
# Usage: benches/imports.sh [RECORDS]
set -euo pipefail
cd "$(dirname "$0")/.."
RECORDS=${1:-100000}
SRC=../shared/fixtures/imports/ris/citesource
DATA=target/bench-data
mkdir -p "$DATA"
cargo build --release --quiet
BIN=$PWD/target/release/scoper
RIS=$DATA/gambling-$RECORDS.ris
python3 - "$SRC" "$RIS" "$RECORDS" <<'PY'
import glob, re, sys
src, out, want = sys.argv[1], sys.argv[2], int(sys.argv[3])
recs = []
for f in sorted(glob.glob(f"{src}/topic_data__20221207_gambling-harms_*.ris")):
    text = open(f, encoding="utf-8-sig").read().replace("\r\n", "\n")
    recs += [r.strip("\n") + "\nER  - \n" for r in re.split(r"\nER  -[^\n]*", text) if "TY  -" in r]
n = 0
with open(out, "w", encoding="utf-8") as o:
    copy = 0
    while n < want:
        for r in recs:
            if n >= want:
                break
            if copy:
                r = re.sub(r"^(TI|T1)  - (.*)$", lambda m: f"{m.group(1)}  - {m.group(2)} (copy {copy})", r, flags=re.M)
                r = re.sub(r"^(DO)  - (.*)$", lambda m: f"DO  - {m.group(2)}.c{copy}", r, flags=re.M)
                r = re.sub(r"^(AN)  - (.*)$", lambda m: f"AN  - {m.group(2)}.c{copy}", r, flags=re.M)
            o.write(r + "\n")
            n += 1
        copy += 1
print(f"{n} records in {out}", file=sys.stderr)
PY
WS=$DATA/imports-ws
rm -rf "$WS"
"$BIN" init "$WS" > /dev/null
/usr/bin/time -f "cat: %e s, %M KB" cat "$RIS" > /dev/null
/usr/bin/time -f "import (parse, index, tag, dedup): %e s, peak RSS %M KB" "$BIN" --dir "$WS" import "$RIS" | tail -1
/usr/bin/time -f "duplicates --json: %e s, peak RSS %M KB" "$BIN" --dir "$WS" --json duplicates > "$DATA/dups.json"
python3 -c "import json; d=json.load(open('$DATA/dups.json')); print(f\"{d['records']} records, {len(d['groups'])} groups, {d['duplicates_removed']} duplicates\")"
