#!/usr/bin/env bash
# Screening UI benchmark (see BENCHMARKS.md): a 100,000-record workspace
# built from real PubMed records (the 2020 baseline file 0014, 30,000
# records, fetched as benches/ingest.sh does), copied with new PMIDs from
# 990000001 up until there are 100,000; then, in one process
# (benches/screen.rs): opening the screen, and key presses handled and drawn,
# in relevance order and in the model's order (retrained at each decision).
# Usage: benches/screen.sh [RECORDS]
set -euo pipefail
cd "$(dirname "$0")/.."
RECORDS=${1:-100000}
. benches/baseline.sh
cargo build --release --quiet
WS=$DATA/screen-ws-$RECORDS
if [ ! -f "$WS/.scoper/index-state.json" ]; then
  rm -rf "$WS"
  target/release/scoper init "$WS" > /dev/null
  # This review's protocol: its eligibility criteria rank the queue.
  cp scoper.toml "$WS/scoper.toml"
  python3 - "$DATA/pubmed20n0014.xml.gz" "$WS/in" "$RECORDS" <<'PY'
import gzip, os, re, sys
src, out, want = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.makedirs(out, exist_ok=True)
text = gzip.open(src, "rt", encoding="utf-8").read()
head, rest = text.split("<PubmedArticleSet>", 1)
articles = re.findall(r"<PubmedArticle>.*?</PubmedArticle>", rest, re.S)
first_pmid = re.compile(r'<PMID Version="(\d+)">\d+</PMID>')
n, copy = 0, 0
while n < want:
    with open(f"{out}/copy{copy}.xml", "w", encoding="utf-8") as f:
        f.write(head + "<PubmedArticleSet>\n")
        for a in articles:
            if n >= want:
                break
            n += 1
            # The record's own PMID (the first one) gets a new number; the
            # PMIDs of its references and corrections are left as they are.
            f.write(first_pmid.sub(lambda m: f'<PMID Version="{m.group(1)}">{990000000 + n}</PMID>', a, count=1) + "\n")
        f.write("</PubmedArticleSet>\n")
    copy += 1
print(f"{n} records in {copy} files", file=sys.stderr)
PY
  target/release/scoper --dir "$WS" import "$WS"/in/*.xml > /dev/null
  rm -rf "$WS/in"
fi
cargo bench --quiet --bench screen -- "$WS"
# The model's order: each decision retrains the model and reranks.
cargo bench --quiet --bench screen -- "$WS" model
