#!/usr/bin/env python3
"""Join a labels file of real records (tests/gold/lhs-real-2021*-*.toml: PMIDs
and the concepts a reviewer would chart, no text) to the records of a PubMed
XML file, and write a gold set that `scoper tag --eval` reads. The text is
the authors' own, so it stays out of the repository: the joined file goes
where the caller says (benches/tagging.sh writes it under target/bench-data).

Usage: benches/real-gold.py PUBMED_XML[.gz] LABELS.toml OUT.toml
"""
import gzip
import sys
import tomllib
import xml.etree.ElementTree as ET


def text(el):
    return "".join(el.itertext()).strip() if el is not None else ""


def toml_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def main(xml_path, labels_path, out_path):
    with open(labels_path, "rb") as f:
        labels = tomllib.load(f)["record"]
    wanted = {r["pmid"] for r in labels}
    found = {}
    opener = gzip.open if xml_path.endswith(".gz") else open
    with opener(xml_path, "rb") as f:
        for _, el in ET.iterparse(f):
            if el.tag != "PubmedArticle":
                continue
            pmid = text(el.find(".//MedlineCitation/PMID"))
            if pmid in wanted and pmid not in found:
                # Structured abstracts keep their section labels, as scoper's
                # own records do.
                parts = []
                for a in el.findall(".//Abstract/AbstractText"):
                    label = a.get("Label")
                    parts.append((label + ": " if label else "") + text(a))
                found[pmid] = {
                    "title": text(el.find(".//ArticleTitle")),
                    "abstract": " ".join(parts),
                    "mesh": [text(m) for m in el.findall(".//MeshHeading/DescriptorName")],
                    "keywords": [text(k) for k in el.findall(".//KeywordList/Keyword")],
                }
            el.clear()
    missing = sorted(wanted - found.keys())
    if missing:
        sys.exit(f"{xml_path}: {len(missing)} labelled PMIDs are not in the file "
                 f"(first: {missing[0]}); is it pubmed21n1298?")
    with open(out_path, "w") as out:
        out.write(f"# Made by benches/real-gold.py from {labels_path} and {xml_path}; not for the repository.\n\n")
        for r in labels:
            rec = found[r["pmid"]]
            out.write("[[record]]\n")
            out.write(f"id = {toml_str(r['pmid'])}\n")
            for key in ("title", "abstract"):
                out.write(f"{key} = {toml_str(rec[key])}\n")
            for key in ("mesh", "keywords"):
                out.write(f"{key} = [{', '.join(toml_str(v) for v in rec[key])}]\n")
            out.write(f"concepts = [{', '.join(toml_str(c) for c in r['concepts'])}]\n\n")
    print(f"{out_path}: {len(labels)} records")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
