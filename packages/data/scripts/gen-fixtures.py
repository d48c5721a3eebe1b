#!/usr/bin/python3
"""Reference numbers for @lumen/data from Debian's python3-pandas (1.5.3) and python3-sklearn (1.2.1).

Run from anywhere:  /usr/bin/python3 packages/data/scripts/gen-fixtures.py
Writes packages/data/test/fixtures/*.json (small files, committed, so CI needs no Python).

Floats are stored as Python repr strings ('0.1', 'nan', '-inf') so every bit survives JSON.
pandas' int64 is written as 'int32' (Lumen's integer dtype) and object as 'string'.
"""
import io
import json
import math
import os
import random

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "test", "fixtures")
os.makedirs(OUT, exist_ok=True)
# pandas' repr in a script run from a terminal: width 80, max_columns 0 (fit to width)
pd.set_option("display.width", 80)
pd.set_option("display.max_columns", 0)
# pandas' optional accelerators change the last bits of var/std (bottleneck's nanvar sums in
# another order than pandas' own nanops), so the output would depend on whether
# python3-bottleneck/python3-numexpr happen to be installed: always use pandas' own code paths.
pd.set_option("compute.use_bottleneck", False)
pd.set_option("compute.use_numexpr", False)

DTYPES = {"int64": "int32", "float64": "float64", "bool": "bool", "object": "string", "Int64": "Int32", "boolean": "boolean"}


def fstr(x):
    return repr(float(x))


def cell(v):
    """One cell as JSON: floats as repr strings, missing as None."""
    if v is None or v is pd.NA:
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return None if math.isnan(v) else fstr(v)
    if isinstance(v, str):
        return v
    raise TypeError(type(v))


def column_values(s):
    if s.dtype == object:
        return [None if (isinstance(v, float) and math.isnan(v)) else v for v in s.tolist()]
    return [cell(v) for v in s.tolist()]


def frame_json(df):
    return {
        "columns": [str(c) for c in df.columns],
        "dtypes": [DTYPES[str(t)] for t in df.dtypes],
        "index": [cell(v) for v in df.index.tolist()],
        "data": [column_values(df[c]) for c in df.columns],
    }


def write(name, obj):
    path = os.path.join(OUT, name)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=1, sort_keys=True)
        f.write("\n")
    os.replace(tmp, path)


# ---------------------------------------------------------------------------------------------
# CSV parsing cases: text, read_csv kwargs (and the Lumen option names), expected frame.

rng = np.random.default_rng(20240601)


def numeric_csv(rows, cols, nan_rate=0.1, seed=1):
    r = np.random.default_rng(seed)
    header = ",".join(f"x{j}" for j in range(cols))
    lines = [header]
    for i in range(rows):
        vals = []
        for j in range(cols):
            if r.random() < nan_rate:
                vals.append("")
            elif j == 0:
                vals.append(str(int(r.integers(-50, 50))))
            elif j == 1:
                vals.append(repr(float(r.normal(1e8, 3.0))))  # large mean, small spread: cancellation test
            elif j == 2:
                vals.append(f"{r.normal(0, 1):.15g}")
            elif j == 3:
                vals.append(f"{r.exponential(2.0):.6e}")
            elif j == 4:
                vals.append(str(int(r.integers(0, 4))))  # many ties (spearman)
            else:
                vals.append(repr(float(r.uniform(-1, 1) * 10 ** int(r.integers(-3, 4)))))
        lines.append(",".join(vals))
    return "\n".join(lines) + "\n"


CSV_CASES = [
    {"name": "basic", "text": "a,b,c,d\n1,2.5,x,True\n2,,\"y, z\",False\n3,4.25,\"q\"\"uote\",True\n", "pandas": {}, "lumen": {}},
    {
        "name": "quotes_newlines_crlf",
        "text": 'id,text,value\r\n1,"line one\r\nline two",1.5\r\n2,"say ""hi"", ok",2.5\r\n3,plain,-0.25\r\n',
        "pandas": {},
        "lumen": {},
    },
    {
        "name": "missing_values",
        "text": "a,b,c,d\n1,NA,x,\n,NaN,null,2\n3,n/a,,3\n4,#N/A,NULL,4\n5,-1.#IND,y,\n",
        "pandas": {},
        "lumen": {},
    },
    {"name": "custom_na", "text": "a,b\n-999,x\n5,missing\n7,y\n", "pandas": {"na_values": ["-999", "missing"]}, "lumen": {"naValues": ["-999", "missing"]}},
    {"name": "no_default_na", "text": "a,b\nNA,1\nx,2\n", "pandas": {"keep_default_na": False}, "lumen": {"keepDefaultNa": False}},
    {"name": "ints_with_na_become_float", "text": "a,b\n1,10\n,20\n3,30\n", "pandas": {}, "lumen": {}},
    {"name": "bool_words", "text": "a,b\nTrue,false\nFALSE,TRUE\ntrue,False\n", "pandas": {}, "lumen": {}},
    {"name": "mixed_to_string", "text": "a,b\n1,x\n2,3\nabc,4\n", "pandas": {}, "lumen": {}},
    {
        "name": "number_syntax",
        "text": "a,b,c\n 1.5 ,1e3,inf\n-2,+7,-inf\n.5,1E-2,Infinity\n3.,-0.0,-Infinity\n",
        "pandas": {},
        "lumen": {},
    },
    {"name": "long_digits", "text": "a\n0.1234567890123456789\n123456789012345678901234\n1.7976931348623157e308\n5e-324\n2.2250738585072014e-308\n", "pandas": {"float_precision": "round_trip"}, "lumen": {}},
    {"name": "duplicate_and_blank_names", "text": "a,a,,b,a.1\n1,2,3,4,5\n", "pandas": {}, "lumen": {}},
    {"name": "blank_lines", "text": "a,b\n\n1,2\n\n\n3,4\n\n", "pandas": {}, "lumen": {}},
    {"name": "no_trailing_newline", "text": "a,b\n1,2\n3,4", "pandas": {}, "lumen": {}},
    {"name": "bom", "text": "\ufeffa,b\n1,2\n", "pandas": {}, "lumen": {}},
    {"name": "semicolon", "text": "a;b\n1,5;2\n3;4\n", "pandas": {"sep": ";"}, "lumen": {"sep": ";"}},
    {"name": "tab", "text": "a\tb\nx y\t2\n", "pandas": {"sep": "\t"}, "lumen": {"sep": "\t"}},
    {"name": "usecols", "text": "a,b,c,d\n1,2,3,4\n5,6,7,8\n", "pandas": {"usecols": ["d", "b"]}, "lumen": {"usecols": ["d", "b"]}},
    {"name": "usecols_positions", "text": "a,b,c,d\n1,2,3,4\n5,6,7,8\n", "pandas": {"usecols": [2, 0]}, "lumen": {"usecols": [2, 0]}},
    {"name": "nrows", "text": "a,b\n1,2\n3,4\n5,x\n", "pandas": {"nrows": 2}, "lumen": {"nrows": 2}},
    {"name": "no_header", "text": "1,2\n3,4\n", "pandas": {"header": None}, "lumen": {"header": None}},
    {"name": "names", "text": "1,2\n3,4\n", "pandas": {"names": ["p", "q"]}, "lumen": {"names": ["p", "q"]}},
    {"name": "header_row_1", "text": "junk line\na,b\n1,2\n", "pandas": {"header": 1}, "lumen": {"header": 1}},
    {"name": "explicit_dtype", "text": "a,b,c\n1,2,x\n3,4,y\n", "pandas": {"dtype": {"a": "float64", "b": "str"}}, "lumen": {"dtype": {"a": "float64", "b": "string"}}},
    {"name": "nullable_dtypes", "text": "a,b\n1,True\n,\n3,False\n", "pandas": {"dtype": {"a": "Int64", "b": "boolean"}}, "lumen": {"dtype": {"a": "Int32", "b": "boolean"}}},
    {"name": "unicode", "text": "name,city\nJosé,Zürich\n李,東京\n", "pandas": {}, "lumen": {}},
    {"name": "quoted_numbers", "text": 'a,b\n"1","2.5"\n"3","4"\n', "pandas": {}, "lumen": {}},
    {"name": "all_missing_column", "text": "a,b\n1,\n2,\n", "pandas": {}, "lumen": {}},
    {"name": "header_only", "text": "a,b\n", "pandas": {}, "lumen": {}},
    {"name": "numeric_200", "text": numeric_csv(200, 6), "pandas": {"float_precision": "round_trip"}, "lumen": {}},
    # a BOM is dropped only at the start of the file; U+FEFF elsewhere is text (and "\ufeff5" is no number)
    {"name": "bom_twice", "text": "\ufeff\ufeffa,b\n1,2\n", "pandas": {}, "lumen": {}},
    {"name": "feff_in_values", "text": "a,b,c\n\ufeffx,\"\ufeffy\",\ufeff5\n\ufeffinf,z\ufeff,7\n", "pandas": {}, "lumen": {}},
    {"name": "bom_then_quoted_header", "text": "\ufeff\"a\",b\n1,2\n", "pandas": {}, "lumen": {}},
    {"name": "inf_words_exactly", "text": "a,b\ninf, inf\n-Infinity,INF \n", "pandas": {}, "lumen": {}},
    {"name": "empty_header_names", "text": ",,\n1,2,3\n", "pandas": {}, "lumen": {}},
    {"name": "empty_fields_no_header", "text": ",,\n", "pandas": {"header": None}, "lumen": {"header": None}},
]


def csv_cases():
    out = []
    for case in CSV_CASES:
        df = pd.read_csv(io.StringIO(case["text"]), **case["pandas"])
        out.append({"name": case["name"], "text": case["text"], "options": case["lumen"], "expected": frame_json(df)})
    write("csv.json", out)


# Bytes that are not UTF-8, read with encoding_errors 'strict' (pandas' default: UnicodeDecodeError
# with the position of the first bad sequence) and 'replace' (U+FFFD). The bytes are stored as a
# latin-1 string (one character per byte).
CSV_BYTES_CASES = [
    ("invalid_start_byte", b"a,b\n1,\xff\n"),
    ("truncated_before_line_end", b"a,b\n1,\xe2\x82\n"),
    ("invalid_continuation", b"a,b\n1,2\n3,x\xc3(\n"),
    ("truncated_at_end", b"a\n1\n\xff"),
    ("half_bom", b"\xef\xbb"),
    ("half_bom_in_value", b"a\n\xef\xbb\n"),
    ("overlong", b"a,b\nx,\xc0\xaf\n"),
    ("surrogate", b"a\n\xed\xa0\x80\n"),
    ("above_max", b"a\n\xf4\x90\x80\x80z\n"),
    ("in_header", b"\xfe,b\n1,2\n"),
    ("in_quoted_field_after_newline", b'a,b\n1,"x\ny\xff"\n'),
    ("after_bom", b"\xef\xbb\xbfa\n\x80\n"),
    ("valid_multibyte", "a,b\né,€😀\n".encode()),
]


def csv_bytes_cases():
    out = []
    for name, data in CSV_BYTES_CASES:
        case = {"name": name, "bytes": data.decode("latin-1")}
        try:
            pd.read_csv(io.BytesIO(data))
            case["strict"] = frame_json(pd.read_csv(io.BytesIO(data)))
        except UnicodeDecodeError as e:
            case["strict_error"] = {"position": e.start, "end": e.end, "reason": e.reason}
        case["replace"] = frame_json(pd.read_csv(io.BytesIO(data), encoding_errors="replace"))
        out.append(case)
    # a header line of empty names: 10,000 columns (pandas' header mangling is quadratic: 100,000 take minutes)
    df = pd.read_csv(io.StringIO("," * 10000 + "\n"))
    wide = {"commas": 10000, "shape": list(df.shape), "first": str(df.columns[0]), "last": str(df.columns[-1]),
            "dtypes": sorted({DTYPES[str(t)] for t in df.dtypes})}
    write("csv_bytes.json", {"cases": out, "wide_header": wide})


# ---------------------------------------------------------------------------------------------
# Statistics on tricky frames: describe, corr (pearson, spearman), value_counts, dropna.


def stats_frames():
    frames = {}
    frames["numeric_400"] = pd.read_csv(io.StringIO(numeric_csv(400, 6, seed=2)), float_precision="round_trip")
    frames["small"] = pd.read_csv(io.StringIO("a,b,c,d,e\n1,2.5,x,True,7\n2,,y,False,7\n3,4.25,x,True,7\n4,-1,,False,7\n,8,z,True,7\n"))
    r = np.random.default_rng(7)
    n = 300
    frames["mixed"] = pd.DataFrame(
        {
            "k": r.integers(0, 5, n),
            "f": np.where(r.random(n) < 0.2, np.nan, r.normal(10, 5, n)),
            "g": np.where(r.random(n) < 0.05, np.nan, np.round(r.normal(0, 1, n), 1)),  # rounded: ties
            "s": r.choice(["apple", "banana", "cherry", "date"], n, p=[0.4, 0.3, 0.2, 0.1]),
            "h": np.where(r.random(n) < 0.3, np.inf, r.normal(0, 1, n)),  # infinities: excluded by corr
        }
    )
    frames["mixed"].loc[r.random(n) < 0.1, "s"] = np.nan
    # no missing values anywhere: corr() takes its all-finite path
    base = r.normal(0, 1, 700)
    frames["dense"] = pd.DataFrame(
        {
            "a": base,
            "b": 1e6 + 0.001 * base + r.normal(0, 1e-4, 700),  # large offset, tiny spread
            "c": -3 * base + r.normal(0, 0.5, 700),
            "i": r.integers(-5, 5, 700),
            "const": np.full(700, 2.5),
            "e": r.exponential(1e-3, 700),
        }
    )
    return frames


def exact_pearson(df):
    """Pearson correlations in exact rational arithmetic (over the rows where both are finite),
    rounded once at the end: the truth that pandas' float loop and ours both approximate."""
    from fractions import Fraction

    num = df.select_dtypes(include=[np.number, bool])
    cols = list(num.columns)
    vals = {c: [None if not np.isfinite(float(v)) else Fraction(float(v)) for v in num[c]] for c in cols}
    out = {}
    for x in cols:
        for y in cols:
            pairs = [(a, b) for a, b in zip(vals[x], vals[y]) if a is not None and b is not None]
            n = len(pairs)
            if n == 0:
                out[f"{x}|{y}"] = "nan"
                continue
            mx = sum(a for a, _ in pairs) / n
            my = sum(b for _, b in pairs) / n
            sxy = sum((a - mx) * (b - my) for a, b in pairs)
            sxx = sum((a - mx) ** 2 for a, _ in pairs)
            syy = sum((b - my) ** 2 for _, b in pairs)
            if sxx == 0 or syy == 0:
                out[f"{x}|{y}"] = "nan"
            else:
                # sxy / sqrt(sxx syy) with one rounding of the square root's argument
                out[f"{x}|{y}"] = repr(float(sxy) / math.sqrt(float(sxx) * float(syy)) if abs(float(sxy)) > 0 else 0.0)
    return out


def stats_cases():
    out = {}
    for name, df in stats_frames().items():
        csv = df.to_csv(index=False)
        # read back from the same text on both sides, so the inputs are bit-identical
        df = pd.read_csv(io.StringIO(csv), float_precision="round_trip")
        entry = {"csv": csv, "describe": frame_json(df.describe())}
        entry["describe_repr"] = repr(df.describe())
        # describe(include=...): 'all' mixes numeric and object columns (rows count, unique, top,
        # freq, mean, …); a selection that leaves no column is pandas' ValueError, not a case
        inc = {}
        for key, kw in [
            ("all", {"include": "all"}),
            ("number", {"include": ["number"]}),
            ("object", {"include": ["object"]}),
            ("object_str", {"include": "object"}),
            ("exclude_number", {"exclude": ["number"]}),
            ("bool", {"include": ["bool"]}),
        ]:
            try:
                d = df.describe(**kw)
            except ValueError:
                continue
            inc[key] = {"kw": kw, "repr": repr(d), "columns": [str(c) for c in d.columns], "index": [str(i) for i in d.index]}
        entry["describe_include"] = inc
        entry["corr_pearson"] = frame_json(df.corr(numeric_only=True))
        entry["corr_exact"] = exact_pearson(df)
        entry["corr_spearman"] = frame_json(df.corr(method="spearman", numeric_only=True))
        vc = {}
        for c in df.columns:
            s = df[c]
            if s.nunique() > 40:
                continue  # counts of all-distinct floats say nothing new and bloat the file
            vc[c] = {
                "counts": {"index": [cell(v) for v in s.value_counts().index], "values": s.value_counts().tolist()},
                "normalize": {"index": [cell(v) for v in s.value_counts(normalize=True).index], "values": [fstr(v) for v in s.value_counts(normalize=True)]},
                "dropna_false": {"index": [cell(v) for v in s.value_counts(dropna=False).index], "values": s.value_counts(dropna=False).tolist()},
                "nunique": int(s.nunique()),
                "unique": [cell(v) if not (isinstance(v, float) and math.isnan(v)) else None for v in s.unique()],
            }
        entry["value_counts"] = vc
        entry["dropna_any"] = [int(i) for i in df.dropna().index]
        entry["dropna_all"] = [int(i) for i in df.dropna(how="all").index]
        sub = list(df.columns[:2])
        entry["dropna_subset"] = {"subset": sub, "index": [int(i) for i in df.dropna(subset=sub).index]}
        entry["dropna_thresh"] = [int(i) for i in df.dropna(thresh=len(df.columns) - 1).index]
        series = {}
        for c in df.columns:
            s = df[c]
            if s.dtype.kind in "if":
                series[c] = {k: fstr(getattr(s, k)()) for k in ["sum", "mean", "std", "var", "min", "max", "median"]}
                series[c]["quantile_0.1"] = fstr(s.quantile(0.1))
                series[c]["count"] = int(s.count())
        entry["series"] = series
        out[name] = entry
    write("stats.json", out)


# ---------------------------------------------------------------------------------------------
# groupby().agg


def groupby_cases():
    # without the infinities of column h: pandas 1.5.3's Kahan sum turns inf into NaN (GH#50367,
    # fixed in pandas 2.0); Lumen follows the fix, and test/groupBy.test.ts checks that separately
    df = stats_frames()["mixed"].drop(columns=["h"])
    csv = df.to_csv(index=False)
    df = pd.read_csv(io.StringIO(csv), float_precision="round_trip")
    out = {"csv": csv, "cases": []}
    for by, spec in [("k", {"f": "mean", "g": "sum", "k": "max"}), ("s", {"f": "count", "g": "min", "k": "sum"}), ("k", {"f": "sum", "g": "mean", "s": "count"})]:
        res = df.groupby(by).agg(spec)
        out["cases"].append({"by": by, "spec": list(spec.items()), "expected": frame_json(res), "repr": repr(res)})
    res = df.dropna(subset=["s"]).groupby("k").agg({"s": "min", "f": "max"})
    out["cases"].append({"by": "k", "spec": [["s", "min"], ["f", "max"]], "dropnaS": True, "expected": frame_json(res), "repr": repr(res)})
    res = df.groupby("k").mean(numeric_only=True)
    out["cases"].append({"by": "k", "spec": "mean", "expected": frame_json(res), "repr": repr(res)})
    # several keys: a MultiIndex, sparsified in the repr
    multi = []
    for by, spec in [
        (["k", "s"], {"f": "mean", "g": "sum"}),
        (["s", "k"], {"f": "count", "g": "min"}),
        (["k", "g"], {"f": "max"}),  # float labels in the inner level, enough groups to be cut
        (["s", "k"], "mean"),
        (["k", "s"], "size"),
    ]:
        g = df.groupby(by)
        res = g.mean(numeric_only=True) if spec == "mean" else g.size() if spec == "size" else g.agg(spec)
        case = {"by": by, "spec": spec if isinstance(spec, str) else list(spec.items()), "repr": repr(res)}
        case["levels"] = [[cell(v) for v in res.index.get_level_values(i)] for i in range(len(by))]
        if spec == "size":
            case["values"] = [int(v) for v in res.tolist()]
        else:
            case["expected"] = {"columns": [str(c) for c in res.columns], "dtypes": [DTYPES[str(t)] for t in res.dtypes], "data": [column_values(res[c]) for c in res.columns]}
        multi.append(case)
    out["multi"] = multi
    write("groupby.json", out)


# ---------------------------------------------------------------------------------------------
# repr (toString) of frames and series


def repr_cases():
    cases = []

    def add(name, csv, what="frame", **read):
        df = pd.read_csv(io.StringIO(csv), **read)
        obj = df if what == "frame" else df[df.columns[0]]
        cases.append({"name": name, "csv": csv, "read": {}, "kind": what, "repr": repr(obj)})

    r = np.random.default_rng(3)
    add("small", "a,b,c,d\n1,2.5,x,True\n2,,\"y, z\",False\n3,4.25,\"q\"\"uote\",True\n")
    rows = ["x,y,name"] + [f"{i},{r.normal():.6f},item{i}" for i in range(100)]
    add("long", "\n".join(rows) + "\n")
    add("long_series", "\n".join(rows) + "\n", what="series")
    add("short_series", "v\n1.5\n-2\n\n3.25\n", what="series")
    wide = [",".join(["Time"] + [f"V{j}" for j in range(1, 29)] + ["Amount", "Class"])]
    for i in range(70):
        wide.append(",".join([str(i * 3)] + [f"{r.normal():.6f}" for _ in range(28)] + [f"{r.exponential(80):.2f}", str(int(r.random() < 0.1))]))
    add("wide_long", "\n".join(wide) + "\n")
    add("wide_short", "\n".join(wide[:6]) + "\n")
    add("large_values", "a,b\n1234567.5,0.5\n2.25,1e-7\n-3,2\n")
    add("sci_small", "a\n0.0000001\n1\n")
    add("big_ints_float", "a,b\n1e20,1\n2,2\n")
    add("long_strings", "s,n\n" + "x" * 60 + ",1\nshort,2\n")
    add("negatives", "a,b\n-1,-1.5\n10,2\n")
    add("nan_column", "a,b\n1,\n2,\n")
    add("int_index_wide", "\n".join([",".join(f"column_{j}" for j in range(12))] + [",".join(str(i * j) for j in range(12)) for i in range(3)]) + "\n")
    # objects built in code (the test builds the same ones)
    built = {
        "nullable": pd.DataFrame({"i": pd.array([1, None, 3], dtype="Int64"), "b": pd.array([True, None, False], dtype="boolean")}),
        "series_max_rows_2": pd.Series([1.123456789, 2, 3, 4], name="v"),
        "precision_1": pd.DataFrame({"a": [0.5, 0.25]}),
        "empty_frame": pd.DataFrame({"a": pd.Series([], dtype=float), "b": pd.Series([], dtype=float)}),
        "empty_series": pd.Series([], name="x", dtype=float),
    }
    with pd.option_context("display.max_rows", 2):
        cases.append({"name": "series_max_rows_2", "kind": "built", "repr": repr(built["series_max_rows_2"])})
    with pd.option_context("display.precision", 1):
        cases.append({"name": "precision_1", "kind": "built", "repr": built["precision_1"].to_string(show_dimensions=True)})
    for k in ["nullable", "empty_frame", "empty_series"]:
        cases.append({"name": k, "kind": "built", "repr": repr(built[k])})
    write("repr.json", cases)


# ---------------------------------------------------------------------------------------------
# train_test_split: sizes, order of outputs, stratified class counts


def split_cases():
    out = []
    for n, test_size, train_size in [(10, None, None), (10, 0.3, None), (7, None, 0.5), (100, 0.25, 0.5), (20, 3, None), (20, None, 4), (33, 0.1, None), (5, 0.5, None)]:
        X = np.arange(n)
        kw = {}
        if test_size is not None:
            kw["test_size"] = test_size
        if train_size is not None:
            kw["train_size"] = train_size
        a, b = train_test_split(X, random_state=0, **kw)
        a2, b2 = train_test_split(X, shuffle=False, **kw)
        out.append({"n": n, "testSize": test_size, "trainSize": train_size, "nTrain": len(a), "nTest": len(b), "noShuffleTrain": a2.tolist(), "noShuffleTest": b2.tolist()})
    strat = []
    cases = [([0] * 37 + [1] * 23 + [2] * 11, 0.3), (["a"] * 13 + ["b"] * 7 + ["c"] * 5, 0.2), ([1] * 90 + [0] * 10, 0.3), ([3] * 6 + [1] * 4, 4), ([0] * 50 + [1] * 30 + [2] * 20, 0.25)]
    for labels, test_size in cases:
        y = np.array(labels)
        seen = []
        for seed in range(30):  # ties in the rounding are broken at random: collect every outcome
            ytr, yte = train_test_split(y, test_size=test_size, stratify=y, random_state=seed)
            c = {"train": {str(k): int((ytr == k).sum()) for k in sorted(set(labels))}, "test": {str(k): int((yte == k).sum()) for k in sorted(set(labels))}}
            if c not in seen:
                seen.append(c)
        strat.append({"labels": labels, "testSize": test_size, "outcomes": seen})
    write("split.json", {"sizes": out, "stratified": strat})


def number_cases():
    vals = [0.0, -0.0, 0.1, 1.0, -1.5, 123.0, 0.0078125, -0.0078125, 12345665.0, 12345675.0, 123456.75, 2.5, 0.5, 1e16, 1e15,
            123456789012345680.0, 1e-4, 1e-5, 0.00012345, 5e-324, 1.7976931348623157e308, 1e22, 1e21, 9.9999995, 0.9999995,
            3.14159265358979, 1 / 3, 2 / 3, 1e100, 1.5e-7, 999999.5, 1234567.0]
    r = random.Random(5)
    vals += [r.uniform(-1, 1) * 10 ** r.randint(-9, 9) for _ in range(40)]
    write("numbers.json", [{"x": repr(v), "repr": repr(v), "f6": format(v, ".6f"), "f6s": format(v, " .6f"), "e6": format(v, ".6e"), "e6s": format(v, " .6e"), "f1": format(v, ".1f")} for v in vals])


def frame_ops_cases():
    df = stats_frames()["mixed"]
    csv = df.to_csv(index=False)
    df = pd.read_csv(io.StringIO(csv), float_precision="round_trip")
    out = {"csv": csv}
    out["sort_g"] = [int(i) for i in df.sort_values("g", kind="stable").index]
    out["sort_g_desc_first"] = [int(i) for i in df.sort_values("g", ascending=False, na_position="first", kind="stable").index]
    out["sort_k_g"] = [int(i) for i in df.sort_values(["k", "g"], ascending=[True, False]).index]
    out["sort_s"] = [int(i) for i in df.sort_values("s", kind="stable").index]
    out["head_tail"] = {"head": [int(i) for i in df.head(3).index], "tail": [int(i) for i in df.tail(3).index], "head_neg": len(df.head(-290)), "tail_neg": len(df.tail(-295))}
    out["fillna"] = frame_json(df.head(12).fillna({"f": 0.5, "s": "none"}))
    out["isna_sum"] = {c: int(v) for c, v in df.isna().sum().items()}
    small = pd.read_csv(io.StringIO("a,b,c\n1,2.5,x\n2,,y\n"))
    out["json_csv"] = "a,b,c\n1,2.5,x\n2,,y\n"
    out["json"] = {o: json.loads(small.to_json(orient=o)) for o in ["columns", "records", "split"]}
    out["filter_gt"] = [int(i) for i in df[df["f"] > 10].index]
    out["nunique"] = {c: int(v) for c, v in df.nunique().items()}
    write("frame_ops.json", out)


# ---------------------------------------------------------------------------------------------
# pandas basics on real files that a Debian package ships (gdal-data): info(), isna().sum(),
# column reductions, the .str accessor. The CSV text goes into the fixture so CI needs no gdal-data.

BASICS_FILES = {"datum": "/usr/share/gdal/gt_datum.csv", "s57": "/usr/share/gdal/s57attributes.csv"}


def basics_cases():
    out = {}
    for key, path in BASICS_FILES.items():
        with open(path, encoding="utf-8") as f:
            text = f.read()
        df = pd.read_csv(io.StringIO(text))
        buf = io.StringIO()
        df.info(buf=buf)
        num = df.select_dtypes(exclude="object")
        case = {
            "csv": text,
            "info": buf.getvalue(),
            "isna_sum": repr(df.isna().sum()),
            "count": repr(df.count()),
            "nunique": repr(df.nunique()),
            "reductions": {},
        }
        for fn in ["sum", "mean", "std", "min", "max"]:
            r = getattr(df, fn)(numeric_only=True)
            case["reductions"][fn] = {"repr": repr(r), "values": [fstr(v) for v in r.tolist()], "index": list(r.index)}
        case["string_columns"] = [c for c in df.columns if df[c].dtype == object]
        out[key] = case
    # the .str accessor on the s57 attribute names and acronyms (which have missing values)
    s57 = pd.read_csv(BASICS_FILES["s57"])
    datum = pd.read_csv(BASICS_FILES["datum"])
    # 120 rows of each keep the fixture small; rows 250-370 of s57 hold 5 of its missing acronyms
    texts = {"Attribute": s57["Attribute"].head(120), "Acronym": s57["Acronym"].iloc[250:370].reset_index(drop=True), "NAME": datum["NAME"].head(120),
             # Python's len() counts code points: astral characters count 1
             "astral": pd.Series(["a\U0001F600b", "\u00e9t\u00e9", None, "  x y  ", "\U0001D11E"], name="astral")}
    strs = {}
    for name, s in texts.items():
        calls = {
            "len": s.str.len(),
            "lower": s.str.lower(),
            "upper": s.str.upper(),
            "strip": s.str.strip(),
            "strip_chars": s.str.strip("aeiouAE"),
            "contains_regex": s.str.contains(r"[Dd]atum|\(", regex=True),
            "contains_literal_nocase": s.str.contains("(", regex=False) if name == "NAME" else s.str.contains("SHAPE", case=False, regex=False),
            "contains_na_false": s.str.contains("e", na=False),
            "startswith": s.str.startswith("S"),
            "endswith": s.str.endswith("e"),
            "replace_literal": s.str.replace(" ", "_", regex=False),
            "replace_regex": s.str.replace(r"(\w+) (\w+)", r"\2 \1", regex=True),
            "split": s.str.split(),
            "split_n": s.str.split(" ", n=1),
        }
        case = {"values": [v if isinstance(v, str) else None for v in s.tolist()], "results": {}}
        for k, r in calls.items():
            vals = [None if (v is None or (isinstance(v, float) and math.isnan(v))) else ([str(x) for x in v] if isinstance(v, list) else (bool(v) if isinstance(v, (bool, np.bool_)) else (int(v) if isinstance(v, (int, np.integer)) else (fstr(v) if isinstance(v, float) else v)))) for v in r.tolist()]
            case["results"][k] = {"dtype": str(r.dtype), "values": vals}
        expanded = s.str.split(" ", expand=True)
        case["split_expand"] = {"columns": [str(c) for c in expanded.columns], "data": [[None if v is None or (isinstance(v, float) and math.isnan(v)) else v for v in expanded[c].tolist()] for c in expanded.columns]}
        strs[name] = case
    out["str"] = strs
    write("basics.json", out)


number_cases()
frame_ops_cases()
csv_cases()
csv_bytes_cases()
stats_cases()
groupby_cases()
repr_cases()
split_cases()
basics_cases()
print("fixtures written to", os.path.normpath(OUT))
