#!/usr/bin/env python3
"""Would a learned layer close the tagger's recall gap? (BENCHMARKS.md, issue 12)

A measurement of an approach scoper does not take, kept so that the figures
in BENCHMARKS.md can be produced again. For each element of the framework a
bag-of-words classifier (TF-IDF of words and word pairs, logistic
regression) is trained on the gold sets the queries were tuned on, and its
threshold is chosen by 5-fold cross-validation on those sets: the lowest
threshold at which the queries OR the classifier keep precision >= 0.85.
It then reports, per element:

  - on the held-out gold sets (never tuned on): precision / recall of the
    queries alone, the classifier alone, and the two together;
  - on the two benchmark files of benches/tagging.sh (run that first): how
    many records the classifier alone would give each element, beside the
    queries' count. A classifier that has learnt the concept adds few
    records on the 1979-80 file; one that has learnt the topic ("a health
    services paper") adds many.

Needs scikit-learn, which scoper itself never does:
    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install scikit-learn
    /tmp/venv/bin/python benches/learned-layer.py
"""
import json
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_predict

from scoper_records import TAG_FIELDS, field_text, read_jsonl

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / "target/release/scoper"
FRAMEWORK = ROOT / "queries/lhs-framework.toml"
DATA = ROOT / "target/bench-data"
TUNED = ["tests/gold/lhs-gold.toml", "../shared/fixtures/gold/lhs-dev.toml",
         "tests/gold/lhs-heldout.toml", "tests/gold/lhs-heldout-c.toml",
         "tests/gold/lhs-tuning-d.toml", "tests/gold/lhs-tuning-e.toml",
         "tests/gold/lhs-tuning-f.toml"]
HELD = ["tests/gold/lhs-heldout-b.toml", "tests/gold/lhs-heldout-d.toml",
        "tests/gold/lhs-heldout-e.toml", "tests/gold/lhs-heldout-f.toml"]
# The bench files' records (`scoper export jsonl`) and their tags by the
# queries, both written by benches/tagging.sh.
FILES = [("pubmed20n0014 (1979-80)", DATA / "tags-records.jsonl", DATA / "tags-now.json"),
         ("pubmed21n1298 (2021)", DATA / "modern-records.jsonl", DATA / "modern-tags-now.json")]


def norm(name):
    """A concept name's normal form, as `norm` in src/tag/eval.rs."""
    return " ".join(name.lower().replace("-", " ").replace("_", " ").split())


def element_of_concept():
    """Each name a gold set may give a concept, and the concept's element:
    its id, its name, the name after "Pillar:" and before "(...)", as
    `resolve` in src/tag/eval.rs reads them."""
    fw = tomllib.loads(FRAMEWORK.read_text())
    out = {}
    for cid, c in fw["concepts"].items():
        full = c["name"]
        after = full.split(":", 1)[-1]
        for name in (cid, full, after, after.split("(")[0]):
            out[norm(name)] = c["element"]
    return out, list(fw["elements"])


def load(paths, concept_element, elements):
    """Each record's text, its gold elements, and the queries' elements."""
    texts, gold, rules = [], [], []
    for p in paths:
        ev = json.loads(subprocess.run([BIN, "tag", "--framework", FRAMEWORK, "--eval", p, "--json"],
                                       capture_output=True, text=True, check=True, cwd=ROOT).stdout)
        missed = {(m["record"], m["id"]) for m in ev["missed"] if m["level"] == "element"}
        spurious = {(m["record"], m["id"]) for m in ev["spurious"] if m["level"] == "element"}
        for r in tomllib.loads((ROOT / p).read_text())["record"]:
            els = {concept_element[norm(c)] for c in r["concepts"]} | set(r.get("elements", []))
            texts.append(" . ".join([r["title"], r.get("abstract", ""),
                                     " ; ".join(r.get("mesh", []) + r.get("keywords", []))]))
            gold.append([e in els for e in elements])
            # The queries give element e when the gold has it and --eval did
            # not list it as missed, or the gold lacks it and --eval listed
            # it as a false hit.
            rules.append([(e in els) != ((r["id"], e) in (missed if e in els else spurious))
                          for e in elements])
    return texts, np.array(gold), np.array(rules)


def pr(gold, pred):
    tp, fp, fn = (gold & pred).sum(), (~gold & pred).sum(), (gold & ~pred).sum()
    return tp / max(tp + fp, 1), tp / max(tp + fn, 1)


def record_text(record):
    """A record's tag fields, as the classifier reads them."""
    return " . ".join(field_text(record, f) for f in TAG_FIELDS)


def main():
    concept_element, elements = element_of_concept()
    xt, yt, rt = load(TUNED, concept_element, elements)
    xh, yh, rh = load(HELD, concept_element, elements)
    vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, stop_words="english")
    at, ah = vec.fit_transform(xt), vec.transform(xh)
    files = [(name, vec.transform([record_text(r) for r in read_jsonl(records).values()]),
              json.loads(tags.read_text()))
             for name, records, tags in FILES if records.exists() and tags.exists()]
    print(f"trained on {len(xt)} records of {len(TUNED)} tuned sets; held out: {len(xh)} records of {len(HELD)} sets")
    print()
    print("| element | threshold | queries (P / R) | classifier (P / R) | both (P / R) |"
          + "".join(f" {name}: queries / classifier |" for name, _, _ in files))
    print("|---|---|---|---|---|" + "---|" * len(files))
    for j, e in enumerate(elements):
        clf = LogisticRegression(C=4.0, class_weight="balanced", max_iter=2000)
        cv = cross_val_predict(clf, at, yt[:, j], cv=5, method="predict_proba")[:, 1]
        threshold = 0.9
        best = -1.0
        for t in np.arange(0.3, 0.95, 0.025):
            p, r = pr(yt[:, j], rt[:, j] | (cv > t))
            if p >= 0.85 and r > best:
                threshold, best = t, r
        clf.fit(at, yt[:, j])
        ph = clf.predict_proba(ah)[:, 1] > threshold
        cells = [f"{p:.2f} / {r:.2f}" for p, r in
                 (pr(yh[:, j], rh[:, j]), pr(yh[:, j], ph), pr(yh[:, j], rh[:, j] | ph))]
        for _, a, tags in files:
            by_queries = next(x["records"] for x in tags["map"]["elements"] if x["id"] == e)
            cells.append(f"{by_queries} / {(clf.predict_proba(a)[:, 1] > threshold).sum()}")
        print(f"| {e} | {threshold:.2f} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    sys.exit(main())
