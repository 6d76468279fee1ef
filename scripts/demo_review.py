#!/usr/bin/env python3
"""Writes the demo review's screening decisions and chart entries: two
fictional reviewers (reviewer-a, reviewer-b) screen the 67 demo records at
title-abstract and full text, blind until reviewer-a ends blinding, a
consensus settles their disagreements, and
reviewer-a charts the first included records (the framework's concepts
confirmed from the pre-filled suggestions, one rejected, one added) and
reviewer-b verifies them (one country differs; the consensus settles it), so
that `scoper run --offline` on a fresh clone shows the whole review.

Everything here is invented for the demo. Run from the repository root
after `cargo build` (it reads the concept hits with `scoper export jsonl`):
    python3 scripts/demo_review.py
"""
import json
import os
import subprocess

ML = "machine learning method only"
NOT_LHS = "not a learning health system"
NO_SETTING = "no health-system setting"
TRIAL = "clinical trial of a single intervention"
ABSTRACT = "conference abstract or protocol only"

# Title-abstract exclusions both reviewers agree on (PMID suffix -> reason).
EXCLUDE = {54: ML, 55: ML, 56: ML, 57: TRIAL, 58: NOT_LHS, 59: NOT_LHS, 60: NO_SETTING,
           61: NO_SETTING, 62: NO_SETTING, 63: NOT_LHS, 64: ABSTRACT, 65: ABSTRACT, 67: TRIAL}
# Where reviewer-b differs from reviewer-a at title-abstract: (a, b, consensus).
DISAGREE = {66: ("exclude", "include", "exclude"), 24: ("include", "exclude", "include"),
            13: ("include", "maybe", "include")}
# Full-text exclusions (both agree).
FT_EXCLUDE = {16: NOT_LHS, 26: NOT_LHS, 40: ABSTRACT}

# Chart values of the first included records (fictional, as the demo).
CHART = {
    1: ("United States", "Qualitative interviews", "Safety-net clinics"),
    2: ("Sweden", "Participatory action research", "People living with chronic disease"),
    3: ("United States", "Conceptual framework", "Patients and clinicians"),
    4: ("United Kingdom", "Citizens' juries", "Members of the public"),
    5: ("Canada", "Case study", "Embedded researchers"),
    6: ("Australia", "Mixed methods", "Rural communities"),
    7: ("Netherlands", "Case study", "Health system and start-ups"),
    8: ("United Kingdom", "Realist review", "Leaders in learning health systems"),
}

def pmid(n):
    return f"9900000{n:02d}"

def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    subprocess.run(["cargo", "run", "-q", "--", "--dir", root, "index"], cwd=root, check=True,
                   capture_output=True)
    out = subprocess.run(["cargo", "run", "-q", "--", "--dir", root, "export", "jsonl"],
                         cwd=root, check=True, capture_output=True, text=True).stdout
    records = {r["pmid"]: r for r in map(json.loads, out.splitlines())}
    logs = {"reviewer-a": [], "reviewer-b": [], "consensus": []}
    clock = [0]

    def at():
        clock[0] += 1
        return f"2026-11-{20 + clock[0] // 600:02d}T{9 + clock[0] // 60 % 10:02d}:{clock[0] % 60:02d}:00Z"

    def decide(who, n, stage, decision, reason=None, settles=False):
        d = {"pmid": pmid(n), "stage": stage, "decision": decision}
        if reason:
            d["reason"] = reason
        d.update({"reviewer": who, "time": at()})
        if settles:
            d["settles"] = True
        logs[who].append(d)

    for n in range(1, 68):
        for who in ("reviewer-a", "reviewer-b"):
            if n in DISAGREE:
                v = DISAGREE[n][0 if who == "reviewer-a" else 1]
                decide(who, n, "title-abstract", v, EXCLUDE.get(n, NOT_LHS if v == "exclude" else None))
            elif n in EXCLUDE:
                decide(who, n, "title-abstract", "exclude", EXCLUDE[n])
            else:
                decide(who, n, "title-abstract", "include")
    # Both have screened: reviewer-a ends blinding (`scoper unblind`), half
    # a minute after the last decision, and the consensus settles.
    unblind = {"act": "unblind", "by": "reviewer-a", "time": logs["reviewer-b"][-1]["time"][:-3] + "30Z"}
    for n, (_, _, final) in sorted(DISAGREE.items()):
        decide("consensus", n, "title-abstract", final, ML if final == "exclude" else None, settles=True)
    for n in range(1, 68):
        ta_in = (n not in EXCLUDE and n not in DISAGREE) or (n in DISAGREE and DISAGREE[n][2] != "exclude")
        if not ta_in:
            continue
        for who in ("reviewer-a", "reviewer-b"):
            if n in FT_EXCLUDE:
                decide(who, n, "full-text", "exclude", FT_EXCLUDE[n])
            else:
                decide(who, n, "full-text", "include")

    chart = []
    for n, (country, methods, population) in sorted(CHART.items()):
        r = records[pmid(n)]
        def entry(field, value, judgements=None):
            e = {"pmid": pmid(n), "field": field, "value": value}
            if judgements:
                e["judgements"] = judgements
            e.update({"reviewer": "reviewer-a", "time": at()})
            chart.append(e)
        entry("authors", ", ".join(a["last"] + " " + (a["initials"] or "") for a in r["authors"] if a["last"]))
        entry("year", float(r["year"]))
        entry("country", country)
        entry("methods", methods)
        entry("population", population)
        by_element = {}
        for h in r["concepts"]:
            by_element.setdefault(h["element"], [])
            if h["concept"] not in by_element[h["element"]]:
                by_element[h["element"]].append(h["concept"])
        for element, concepts in sorted(by_element.items()):
            chosen = list(concepts)
            judgements = {c: "confirmed" for c in concepts}
            # Record 7: the reviewer rejects one suggestion; record 3: adds one.
            if n == 7 and element == "core-values" and len(chosen) > 0:
                judgements[chosen[-1]] = "rejected"
                chosen = chosen[:-1]
            if n == 3 and element == "core-values" and "person-focused" not in chosen:
                chosen.append("person-focused")
                judgements["person-focused"] = "added"
            entry(element, chosen, judgements)

    # reviewer-b verifies reviewer-a's chart, value by value ([charting]
    # method = "verified"): the same value, except one country, which the
    # consensus settles.
    verified, settled = [], []
    for e in list(chart):
        v = dict(e, reviewer="reviewer-b", time=at())
        v.pop("judgements", None)
        if e["pmid"] == pmid(2) and e["field"] == "country":
            v["value"] = "Sweden (Region Jönköping)"
            settled.append({"pmid": e["pmid"], "field": "country", "value": "Sweden",
                            "reviewer": "consensus", "time": at(), "settles": True})
        verified.append(v)

    for who, lines in logs.items():
        path = os.path.join(root, "screening", f"{who}.jsonl")
        with open(path, "w", encoding="utf-8") as f:
            f.writelines(json.dumps(d, ensure_ascii=False, separators=(",", ":")) + "\n" for d in lines)
    with open(os.path.join(root, "screening", "blinding.log"), "w", encoding="utf-8") as f:
        f.write(json.dumps(unblind, separators=(",", ":")) + "\n")
    for who, lines in (("reviewer-a", chart), ("reviewer-b", verified), ("consensus", settled)):
        with open(os.path.join(root, "charting", f"{who}.jsonl"), "w", encoding="utf-8") as f:
            f.writelines(json.dumps(e, ensure_ascii=False, separators=(",", ":")) + "\n" for e in lines)
    print(f"wrote {sum(map(len, logs.values()))} decisions and {len(chart)} chart entries")

if __name__ == "__main__":
    main()
