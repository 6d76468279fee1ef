#!/usr/bin/env python3
"""Join a labels file of real records (tests/gold/lhs-real-2021*-*.toml: PMIDs
and the concepts a reviewer would chart, no text) to the records of a
workspace, and write a gold set that `scoper tag --eval` reads. The records
come from `scoper export jsonl` (scoper's own parse), with their tag fields
as the tagger sees them (benches/scoper_records.py). The text is the
authors' own, so it stays out of the repository: the joined file goes where
the caller says (benches/tagging.sh writes it under target/bench-data).

Usage: benches/real-gold.py RECORDS.jsonl LABELS.toml OUT.toml
"""
import sys
import tomllib

from scoper_records import field_text, read_jsonl


def toml_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def main(records_path, labels_path, out_path):
    with open(labels_path, "rb") as f:
        labels = tomllib.load(f)["record"]
    records = read_jsonl(records_path)
    missing = [r["pmid"] for r in labels if r["pmid"] not in records]
    if missing:
        sys.exit(f"{records_path}: {len(missing)} labelled PMIDs are not among its records "
                 f"(first: {missing[0]}); export the workspace of pubmed21n1298 "
                 "(benches/tagging.sh makes it)")
    with open(out_path, "w", encoding="utf-8") as out:
        out.write(f"# Made by benches/real-gold.py from {labels_path} and {records_path}; "
                  "not for the repository.\n\n")
        for r in labels:
            rec = records[r["pmid"]]
            out.write("[[record]]\n")
            out.write(f"id = {toml_str(r['pmid'])}\n")
            out.write(f"title = {toml_str(field_text(rec, 'title'))}\n")
            out.write(f"abstract = {toml_str(field_text(rec, 'abstract'))}\n")
            for key in ("keywords", "mesh"):
                out.write(f"{key} = [{', '.join(toml_str(v) for v in rec.get(key) or [])}]\n")
            out.write(f"concepts = [{', '.join(toml_str(c) for c in r['concepts'])}]\n\n")
    print(f"{out_path}: {len(labels)} records")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
