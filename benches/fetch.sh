#!/usr/bin/env bash
# Fetch benchmark (see BENCHMARKS.md): a search of 25,000 records against the
# mock E-utilities (scoper-eutils-mock) with 100 ms of latency per request and
# NCBI's real rate limit (3 requests/s without an API key), in one run:
#   scoper   `scoper search` of the saved search, default settings
#   entrez   a sequential fetch in the style of Biopython's Entrez: esearch
#            with history, then efetch 500 at a time, one request after
#            another, 0.37 s apart (Biopython's pacing)
# The floor is what the rate limit allows: requests ÷ 3 per second, plus the
# latency of the last request.
# Usage: benches/fetch.sh [RECORDS]
set -euo pipefail
cd "$(dirname "$0")/.."
RECORDS=${1:-25000}
PORT=${PORT:-18765}
# The mock's records are created over 300 days up to this day, and scoper
# searches on the same day: one clock for both, as with the real PubMed.
TODAY=2025/10/27
cargo build --release --quiet --workspace
BIN=target/release
WORK=$(mktemp -d)
trap 'kill $MOCK 2>/dev/null || true; rm -rf "$WORK"' EXIT

start_mock() {
  "$BIN/scoper-eutils-mock" --records "$RECORDS" --latency-ms 100 --port "$PORT" --log "$1" \
    --today "$TODAY" > /dev/null &
  MOCK=$!
  sleep 0.5
}

# scoper
start_mock "$WORK/scoper.log"
"$BIN/scoper" init "$WORK/ws" > /dev/null
printf 'name = "bench"\nterm = %s\n' "'\"learning health system\"[tiab]'" > "$WORK/ws/queries/bench.toml"
rm -f "$WORK/ws/queries/example.toml"
T0=$(date +%s.%N)
SCOPER_TODAY=$TODAY NCBI_EMAIL=bench@example.org "$BIN/scoper" --dir "$WORK/ws" --eutils-url "http://127.0.0.1:$PORT/entrez/eutils/" \
  search bench --json > "$WORK/scoper.json"
T1=$(date +%s.%N)
kill $MOCK; wait $MOCK 2>/dev/null || true

# Biopython-style sequential fetch
start_mock "$WORK/entrez.log"
T2=$(date +%s.%N)
python3 - "$PORT" > "$WORK/entrez.out" <<'PY'
import sys, time, urllib.parse, urllib.request, re
base = f"http://127.0.0.1:{sys.argv[1]}/entrez/eutils/"
last = [0.0]
def call(util, **params):
    wait = last[0] + 0.37 - time.time()   # Biopython's minimum interval
    if wait > 0:
        time.sleep(wait)
    last[0] = time.time()
    params.update(db="pubmed", tool="biopython", email="bench@example.org")
    url = base + util + ".fcgi?" + urllib.parse.urlencode(params)
    with urllib.request.urlopen(url) as r:
        return r.read().decode()
s = call("esearch", term='"learning health system"[tiab]', usehistory="y", retmax=0)
count = int(re.search(r"<Count>(\d+)</Count>", s).group(1))
webenv = re.search(r"<WebEnv>(.*?)</WebEnv>", s).group(1)
key = re.search(r"<QueryKey>(.*?)</QueryKey>", s).group(1)
got = 0
for start in range(0, count, 500):
    body = call("efetch", WebEnv=webenv, query_key=key, retstart=start, retmax=500, retmode="xml")
    if "<ERROR>" in body:
        print(f"stopped at retstart={start}: " + re.search(r"<ERROR>(.*?)</ERROR>", body, re.S).group(1).split(chr(10))[0])
        break
    got += body.count("<PubmedArticle>")
print(f"records {got} of {count}")
PY
T3=$(date +%s.%N)
kill $MOCK; wait $MOCK 2>/dev/null || true

python3 - "$WORK" "$T0" "$T1" "$T2" "$T3" <<'PY'
import json, sys
work, t0, t1, t2, t3 = sys.argv[1], *map(float, sys.argv[2:])
def log(name):
    rows = [l.split() for l in open(f"{work}/{name}.log")]
    return len(rows), sum(1 for r in rows if r[3] == "429")
n_s, r429_s = log("scoper")
n_e, r429_e = log("entrez")
run = json.load(open(f"{work}/scoper.json"))[0]
# The floor is what the rate limit allows for the requests the job needs,
# not for those a client made: one esearch for the count, one a slice of at
# most 9,999 PMIDs (the cap), and one efetch per 500 records.
total = run["count"]
needed = 1 + -(-total // 9999) + -(-total // 500)
floor_s = (needed - 1) / 3 + 0.1
# The Entrez-style client stops at the cap: its floor is that of what it
# can fetch (one esearch, one efetch per 500 of 9,999).
needed_e = 1 + -(-min(total, 9999) // 500)
floor_e = (needed_e - 1) / 3 + 0.1
entrez = open(f"{work}/entrez.out").read().strip().splitlines()
print("| client | records | requests made | requests needed | 429s | seconds | floor (s) | ÷ floor |")
print("|---|---|---|---|---|---|---|---|")
print(f"| scoper search | {run['count'] - len(run['missing'])} of {run['count']} | {n_s} | {needed} | {r429_s} | {t1 - t0:.1f} | {floor_s:.1f} | {(t1 - t0) / floor_s:.3f}× |")
print(f"| Entrez-style sequential | {entrez[-1].split()[1]} of {entrez[-1].split()[3]} | {n_e} | {needed_e} | {r429_e} | {t3 - t2:.1f} | {floor_e:.1f} | {(t3 - t2) / floor_e:.3f}× |")
for line in entrez[:-1]:
    print(f"\nEntrez-style: {line}")
print(f"\nscoper: {run['slices']} slices, {run['batches_fetched']} efetch batches")
PY
