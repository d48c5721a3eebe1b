#!/usr/bin/python3
"""Reference chunks for readCsv(..., { chunkSize }) and appending with writeCsv(..., { mode: 'a' }),
from Debian's python3-pandas (1.5.3): pd.read_csv(chunksize=) and df.to_csv(mode="a").

Run from anywhere:  /usr/bin/python3 packages/data/scripts/gen-chunk-fixtures.py
Writes packages/data/test/fixtures/csv_chunks.json (same conventions as gen-fixtures.py: floats
as Python repr strings, int64 written as 'int32', object as 'string').
"""
import io
import json
import math
import os

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "test", "fixtures")
DTYPES = {"int64": "int32", "float64": "float64", "bool": "bool", "object": "string", "Int64": "Int32", "boolean": "boolean"}


def cell(v):
    if v is None or v is pd.NA:
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return None if math.isnan(v) else repr(float(v))
    if isinstance(v, str):
        return v
    raise TypeError(type(v))


def frame_json(df):
    return {
        "columns": [str(c) for c in df.columns],
        "dtypes": [DTYPES[str(t)] for t in df.dtypes],
        "index": [cell(v) for v in df.index.tolist()],
        "data": [[cell(v) for v in df[c].tolist()] for c in df.columns],
    }


def rows_text(n, seed):
    """n rows of every kind of column pandas infers: int, float (with missing), bool, text, quoted text."""
    rng = np.random.default_rng(seed)
    lines = ["id,x,flag,name,note"]
    words = ["alpha", "béta", "名前", "x,y", 'say "hi"', ""]
    for i in range(n):
        x = "" if rng.random() < 0.2 else repr(float(np.round(rng.normal() * 100, 3)))
        flag = "True" if rng.random() < 0.5 else "False"
        w = words[i % len(words)]
        note = '"' + w.replace('"', '""') + '"' if ("," in w or '"' in w) else w
        lines.append(f"{i * 7 - 50},{x},{flag},w{i}{'é' if i % 3 == 0 else ''},{note}")
    return "\n".join(lines) + "\n"


def chunk_case(name, text, chunksize, kwargs=None, lumen=None):
    kwargs = kwargs or {}
    chunks = list(pd.read_csv(io.StringIO(text), chunksize=chunksize, **kwargs))
    return {
        "name": name,
        "text": text,
        "chunk_size": chunksize,
        "options": lumen or {},
        "chunks": [frame_json(c) for c in chunks],
        "whole": frame_json(pd.read_csv(io.StringIO(text), **kwargs)),
    }


text = rows_text(23, 1)
cases = [
    # a float column with missing values in the first chunk, so pandas' per-chunk dtypes agree with Lumen's
    chunk_case("mixed columns, chunks of 5", text, 5),
    chunk_case("chunks of 1", text, 1),
    chunk_case("one chunk bigger than the file", text, 1000),
    chunk_case("nrows and usecols", text, 4, {"nrows": 10, "usecols": ["id", "name"]}, {"nrows": 10, "usecols": ["id", "name"]}),
    chunk_case("header only", "a,b\n", 3),
]

# A later chunk that pandas reads with another dtype than the first: pandas switches the chunk's
# dtype (int64 then float64); Lumen keeps the first chunk's and fails unless dtype is given.
changing = "a,b\n1,x\n2,y\n,z\n4,w\n"
per_chunk = [frame_json(c) for c in pd.read_csv(io.StringIO(changing), chunksize=2)]
with_dtype = chunk_case("dtype given", changing, 2, {"dtype": {"a": "float64"}}, {"dtype": {"a": "float64"}})

# Appending chunk by chunk as pandas does: mode="a", header only on the first chunk.
buf = io.StringIO()
for i, c in enumerate(pd.read_csv(io.StringIO(text), chunksize=5)):
    c.to_csv(buf, mode="a", header=(i == 0), index=False)
appended = buf.getvalue()

os.makedirs(OUT, exist_ok=True)
path = os.path.join(OUT, "csv_chunks.json")
with open(path + ".tmp", "w") as f:
    json.dump(
        {
            "pandas": pd.__version__,
            "cases": cases,
            "changing": {"text": changing, "chunk_size": 2, "pandas_chunks": per_chunk, "with_dtype": with_dtype},
            "append": {"text": text, "chunk_size": 5, "expected": appended},
        },
        f,
        indent=1,
        sort_keys=True,
        ensure_ascii=False,
    )
    f.write("\n")
os.replace(path + ".tmp", path)
print("wrote", os.path.normpath(path))
