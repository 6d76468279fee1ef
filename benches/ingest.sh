#!/usr/bin/env bash
# Ingest benchmarks for the records-in targets (see BENCHMARKS.md).
#
# On the 2020 baseline file 0014 (30,000 records, 174 MB of XML), in one run:
#   bare    a bare quick-xml event loop over the bytes (the speed limit)
#   parse   scoper's parser, bytes -> Records
#   gz      scoper's parser on the .gz (decompression on a second thread)
#   gunzip  `gzip -dc` of the .gz alone
#   import  `scoper import` of the .xml and of the .gz, index included
#   pp      pubmed_parser 0.5.1's parse_medline_xml (Python), in-process,
#           the median of RUNS parses (at least 3)
#   index   `scoper index --rebuild` of a workspace holding the file
#   tag     `scoper tag` of that workspace with the full framework
# Each timing is the median of RUNS runs (default 5); peak RSS is the max.
#
# Usage: benches/ingest.sh [RUNS]     (needs network access to PyPI once)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
. benches/baseline.sh
[ -f "$DATA/pubmed20n0014.xml" ] || gzip -dc "$DATA/pubmed20n0014.xml.gz" > "$DATA/pubmed20n0014.xml"
XML=$DATA/pubmed20n0014.xml
GZ=$DATA/pubmed20n0014.xml.gz

cargo build --release --quiet
PROBE=$(cargo bench --bench parse --no-run --message-format=json 2>/dev/null \
  | python3 -c 'import json,sys
for l in sys.stdin:
    m = json.loads(l)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == "parse":
        print(m["executable"])')
SCOPER=target/release/scoper

median() { python3 -c 'import statistics,sys; print(f"{statistics.median(float(x) for x in sys.argv[1:]):.3f}")' "$@"; }
maxof() { python3 -c 'import sys; print(max(int(x) for x in sys.argv[1:]))' "$@"; }
probe() { "$PROBE" "$1" "$2" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["secs"], d["peak_rss_kb"])'; }
timed() { # prints "seconds peak_rss_kb" of a command
  if ! /usr/bin/time -f "%e %M" -o "$DATA/time.out" "$@" >/dev/null 2>"$DATA/time.err"; then
    echo "failed: $*" >&2; cat "$DATA/time.err" >&2; exit 1
  fi
  tail -n 1 "$DATA/time.out"
}

declare -A T R
run_probe() { # name mode file
  local ts=() rs=()
  for _ in $(seq "$RUNS"); do read -r t r < <(probe "$2" "$3"); ts+=("$t"); rs+=("$r"); done
  T[$1]=$(median "${ts[@]}"); R[$1]=$(maxof "${rs[@]}")
}
run_cmd() { # name command...
  local name=$1; shift; local ts=() rs=()
  for _ in $(seq "$RUNS"); do read -r t r < <(timed "$@"); ts+=("$t"); rs+=("$r"); done
  T[$name]=$(median "${ts[@]}"); R[$name]=$(maxof "${rs[@]}")
}
run_import() { # name file
  local ts=() rs=()
  for _ in $(seq "$RUNS"); do
    local ws; ws=$(mktemp -d); "$SCOPER" init "$ws" >/dev/null
    read -r t r < <(timed "$SCOPER" --dir "$ws" import "$2")
    rm -rf "$ws"; ts+=("$t"); rs+=("$r")
  done
  T[$1]=$(median "${ts[@]}"); R[$1]=$(maxof "${rs[@]}")
}

cat "$XML" "$GZ" > /dev/null   # warm the page cache
run_probe bare bare "$XML"
run_probe parse parse "$XML"
run_probe gz parse "$GZ"
run_cmd gunzip sh -c "gzip -dc '$GZ' > /dev/null"
run_import import "$XML"
run_import import_gz "$GZ"

# Tagging the same records with the full framework, against indexing them.
TAGWS=$(mktemp -d); "$SCOPER" init "$TAGWS" >/dev/null; "$SCOPER" --dir "$TAGWS" import "$XML" >/dev/null
run_cmd index "$SCOPER" --dir "$TAGWS" index --rebuild
run_cmd tag "$SCOPER" --dir "$TAGWS" tag
rm -rf "$TAGWS"

# pubmed_parser in a throwaway virtualenv, once (it takes about a minute).
VENV=target/bench-venv
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV" && "$VENV/bin/pip" install -q pubmed_parser==0.5.1 >&2
fi
# Timed in-process, like scoper's probes: the median of RUNS parses (at
# least 3) after the import of the module, so interpreter start-up is not
# counted; peak RSS from the kernel.
read -r T[pp] R[pp] < <("$VENV/bin/python" - "$GZ" "$RUNS" <<'PY'
import resource, statistics, sys, time
import pubmed_parser as pp
path, runs = sys.argv[1], max(3, int(sys.argv[2]))
times = []
for _ in range(runs):
    t = time.perf_counter()
    n = sum(1 for _ in pp.parse_medline_xml(path))
    times.append(time.perf_counter() - t)
    assert n == 30000, n
print(f"{statistics.median(times):.3f} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}")
PY
)

MB=$(python3 -c "import os; print(os.path.getsize('$XML') / 1e6)")
python3 - "$MB" "${T[bare]}" "${T[parse]}" "${T[gz]}" "${T[gunzip]}" "${T[import]}" "${T[import_gz]}" "${T[pp]}" \
  "${R[parse]}" "${R[import]}" "${R[import_gz]}" "${R[pp]}" "${T[index]}" "${T[tag]}" "${R[index]}" "${R[tag]}" <<'PY'
import sys
mb, bare, parse, gz, gunzip, imp, imp_gz, pp = map(float, sys.argv[1:9])
r_parse, r_imp, r_imp_gz, r_pp = (int(x) / 1024 for x in sys.argv[9:13])
index, tag = map(float, sys.argv[13:15])
r_index, r_tag = (int(x) / 1024 for x in sys.argv[15:17])
rows = [
    ("bare quick-xml event loop", bare, f"{mb / bare:.0f} MB/s", ""),
    ("scoper parse (.xml)", parse, f"{mb / parse:.0f} MB/s", f"peak RSS {r_parse:.1f} MB"),
    ("scoper parse (.xml.gz)", gz, f"{mb / gz:.0f} MB/s of XML", ""),
    ("gzip -dc (.xml.gz)", gunzip, "", ""),
    ("scoper import (.xml), index included", imp, f"{30000 / imp:.0f} records/s", f"peak RSS {r_imp:.0f} MB"),
    ("scoper import (.xml.gz), index included", imp_gz, "", f"peak RSS {r_imp_gz:.0f} MB"),
    ("pubmed_parser parse_medline_xml (.xml.gz)", pp, f"{30000 / pp:.0f} records/s", f"peak RSS {r_pp:.0f} MB"),
    ("scoper index --rebuild (30,000 records)", index, "", f"peak RSS {r_index:.0f} MB"),
    ("scoper tag (full framework)", tag, "", f"peak RSS {r_tag:.0f} MB"),
]
print("| what | median s | rate | memory |")
print("|---|---|---|---|")
for name, t, rate, mem in rows:
    print(f"| {name} | {t:.3f} | {rate} | {mem} |")
print()
print("| target | measured | goal |")
print("|---|---|---|")
print(f"| parse MB/s ÷ bare loop MB/s | {bare / parse:.2f}× | ≥ 0.8× |")
print(f"| parse records/s ÷ pubmed_parser records/s | {pp / gz:.1f}× | ≥ 15× |")
print(f"| parse of .gz ÷ gzip -dc | {gz / gunzip:.2f}× | ≤ 1.2× |")
print(f"| import of .gz ÷ gzip -dc | {imp_gz / gunzip:.2f}× | ≤ 1.2× |")
print(f"| import (index included) ÷ bare loop | {imp / bare:.2f}× | ≤ 3× |")
print(f"| import peak RSS | {r_imp:.0f} MB | ≤ 300 MB |")
print(f"| tagging ÷ indexing the same records | {tag / index:.2f}× | ≤ 0.5× |")
PY
