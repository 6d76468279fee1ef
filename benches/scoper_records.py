"""Records as scoper tags them, for the Python bench scripts.

Reads the output of `scoper export jsonl` (scoper's own parse of the
PubMed XML, so no script parses XML again) and gives each record's tag
fields as the tagger sees them: `field_text` follows `Record::field_text`
in src/parse/record.rs (abstract sections as "LABEL: text", one per line, a
line break ending a sentence; keywords and MeSH headings joined by "; ").
"""
import json

TAG_FIELDS = ("title", "abstract", "keyword", "mesh")


def read_jsonl(path):
    """The records of a `scoper export jsonl` file, by PMID."""
    with open(path, encoding="utf-8") as f:
        return {r["pmid"]: r for r in map(json.loads, f)}


def field_text(record, field):
    if field == "title":
        return record.get("title") or ""
    if field == "abstract":
        return "\n".join(f"{s['label']}: {s['text']}" if s.get("label") else s["text"]
                         for s in record.get("abstract") or [])
    if field == "keyword":
        return "; ".join(record.get("keywords") or [])
    if field == "mesh":
        return "; ".join(record.get("mesh") or [])
    raise ValueError(field)
