#!/usr/bin/env python3
"""scoper simulate against ASReview's default model, in one run.

For each labeled review in ../shared/fixtures/screening/ and each seed S:
  1. asreview simulate FILE --n-prior-included 1 --n-prior-excluded 1
     --prior-seed S --seed S -o RUN.asreview   (ASReview's default, elas_u4)
  2. its priors and screening order are read from the project file;
  3. scoper simulate FILE --priors <the same rows> --seed S --json
  4. scoper simulate FILE --priors <the same rows> --score <ASReview's order>
     scores ASReview's order with scoper's metric code, so both orders are
     scored by the same definitions.
CPU time is user + system time of each child process (resource.getrusage).

Usage: benches/simulate.py [--asreview PATH] [--seeds N] [--scoper PATH]
Needs ASReview 3.0.8 in a throwaway virtualenv:
    python3 -m venv /tmp/asr && /tmp/asr/bin/pip install asreview==3.0.8
Only the standard library is used here.
"""

import argparse
import glob
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DATA = os.path.join(ROOT, "..", "shared", "fixtures", "screening")


def cpu_of(cmd, cwd=None):
    """Runs cmd (in cwd); returns (stdout, CPU seconds of the child)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=cwd).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return out, cpu


def asreview_order(project):
    """(priors, order) as dataset rows, from an ASReview project file."""
    with tempfile.TemporaryDirectory() as d:
        zipfile.ZipFile(project).extractall(d)
        db = sqlite3.connect(glob.glob(os.path.join(d, "**", "results.db"), recursive=True)[0])
        row_of = dict(db.execute("select record_id, dataset_row from record"))
        rows = db.execute("select record_id, classifier from results order by rowid").fetchall()
        db.close()
    priors = [row_of[r] for r, c in rows if c is None]
    order = [row_of[r] for r, c in rows]
    return priors, order


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--asreview", default="/tmp/asr/bin/asreview")
    ap.add_argument("--scoper", default=os.path.join(ROOT, "target", "release", "scoper"))
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--json", help="also write every run's figures here")
    ap.add_argument("--keep", help="keep ASReview's runs in this folder, and reuse those already "
                    "there (with their CPU times as measured then)")
    a = ap.parse_args()
    version = subprocess.run([a.asreview, "--version"], capture_output=True, text=True).stdout.strip()
    files = sorted(glob.glob(os.path.join(DATA, "*.csv")))
    if not files:
        sys.exit(f"no datasets in {DATA}")
    runs = []
    tmp = os.path.abspath(a.keep or tempfile.mkdtemp(prefix="scoper-sim-"))
    os.makedirs(tmp, exist_ok=True)
    for f in files:
        name = os.path.basename(f).replace("Cohen_2006_", "").replace(".csv", "")
        for s in range(1, a.seeds + 1):
            proj = os.path.join(tmp, f"{name}-{s}.asreview")
            if a.keep and os.path.exists(proj + ".cpu"):
                asr_cpu = float(open(proj + ".cpu").read())
            else:
                if os.path.exists(proj):
                    os.remove(proj)
                _, asr_cpu = cpu_of([a.asreview, "simulate", f, "--n-prior-included", "1",
                                     "--n-prior-excluded", "1", "--prior-seed", str(s),
                                     "--seed", str(s), "-o", proj],
                                    cwd=tmp)  # ASReview leaves a cache file in its folder
                with open(proj + ".cpu", "w") as o:
                    o.write(str(asr_cpu))
            priors, order = asreview_order(proj)
            order_file = os.path.join(tmp, f"{name}-{s}.order")
            with open(order_file, "w") as o:
                o.write("".join(f"{r}\n" for r in order))
            pri = ",".join(map(str, priors))
            out, sc_cpu = cpu_of([a.scoper, "--json", "simulate", f, "--priors", pri, "--seed", str(s)])
            ours = json.loads(out)["scores"]
            out, _ = cpu_of([a.scoper, "--json", "simulate", f, "--priors", pri, "--score", order_file])
            theirs = json.loads(out)["scores"]
            runs.append({"dataset": name, "seed": s, "priors": priors,
                         "scoper": ours, "asreview": theirs,
                         "scoper_cpu": sc_cpu, "asreview_cpu": asr_cpu})
            print(f"{name} seed {s}: loss scoper {ours['loss']:.3f} asreview {theirs['loss']:.3f}; "
                  f"cpu {sc_cpu:.2f} s vs {asr_cpu:.2f} s", file=sys.stderr)
    if a.json:
        with open(a.json, "w") as o:
            json.dump(runs, o, indent=1)

    def mean(xs):
        return sum(xs) / len(xs)

    print(f"scoper simulate vs {version} (elas_u4), {a.seeds} seeds of 1 include + 1 exclude priors "
          "(ASReview's --prior-seed S; scoper given the same rows)")
    print()
    print("| dataset | records | includes | Loss scoper | Loss ASReview | WSS@95 scoper | WSS@95 ASReview "
          "| RRF@10 scoper | RRF@10 ASReview | ATD scoper | ATD ASReview | CPU s scoper | CPU s ASReview |")
    print("|---" * 13 + "|")
    names = sorted({r["dataset"] for r in runs})
    for n in names + ["mean"]:
        rs = runs if n == "mean" else [r for r in runs if r["dataset"] == n]
        m = lambda tool, k: mean([r[tool][k] for r in rs])  # noqa: E731
        cpu = lambda k: sum(r[k] for r in rs)  # noqa: E731
        recs = "" if n == "mean" else rs[0]["scoper"]["records"] + len(rs[0]["priors"])
        incs = "" if n == "mean" else rs[0]["scoper"]["includes"] + 1
        print(f"| {n} | {recs} | {incs} | {m('scoper','loss'):.3f} | {m('asreview','loss'):.3f} "
              f"| {m('scoper','wss_95'):.3f} | {m('asreview','wss_95'):.3f} "
              f"| {m('scoper','rrf_10'):.3f} | {m('asreview','rrf_10'):.3f} "
              f"| {100*m('scoper','atd_share'):.1f}% | {100*m('asreview','atd_share'):.1f}% "
              f"| {cpu('scoper_cpu'):.1f} | {cpu('asreview_cpu'):.1f} |")
    ls, la = mean([r["scoper"]["loss"] for r in runs]), mean([r["asreview"]["loss"] for r in runs])
    ws, wa = mean([r["scoper"]["wss_95"] for r in runs]), mean([r["asreview"]["wss_95"] for r in runs])
    cs, ca = sum(r["scoper_cpu"] for r in runs), sum(r["asreview_cpu"] for r in runs)
    print()
    print(f"mean Loss ratio scoper/ASReview: {ls/la:.2f} (target <= 0.9)")
    print(f"mean WSS@95: scoper {ws:.3f}, ASReview {wa:.3f} (target: not lower)")
    print(f"total CPU: scoper {cs:.1f} s, ASReview {ca:.1f} s, ratio {cs/ca:.3f} (target <= 0.1)")
    hints = [r["scoper"]["hint_95"] for r in runs]
    said = [h for h in hints if h]
    if said:
        print(f"stopping hint (scoper's runs): said 'recall >= 95%' in {len(said)} of {len(runs)} runs; "
              f"true recall then: mean {mean([h['true_recall'] for h in said]):.3f}, "
              f"min {min(h['true_recall'] for h in said):.3f}")


if __name__ == "__main__":
    main()
