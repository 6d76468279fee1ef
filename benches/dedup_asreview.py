#!/usr/bin/env python3
"""ASReview's duplicate finder on RIS files, to compare with `scoper duplicates`.

Run with the Python of a throwaway virtualenv holding ASReview 3.0.8:
    /tmp/asr/bin/python benches/dedup_asreview.py FILE.ris...
It reads the files with ASReview's own RIS reader, concatenates them and
counts the rows `asreview.data.utils.duplicated` flags (same DOI, or the same
cleaned title + abstract). See BENCHMARKS.md.
"""
import glob, sys, pandas as pd
from asreview.data.loader import _from_file
from asreview.data.utils import duplicated
files = sorted(sys.argv[1:])
frames = []
for f in files:
    df = _from_file(f)
    if not isinstance(df, pd.DataFrame):
        df = pd.DataFrame(df)
    frames.append(df)
    print(f.split('/')[-1], len(df), file=sys.stderr)
df = pd.concat(frames, ignore_index=True)
d = duplicated(df)
print(f"records {len(df)}; flagged as duplicates {int(d.sum())}; unique {len(df) - int(d.sum())}")
