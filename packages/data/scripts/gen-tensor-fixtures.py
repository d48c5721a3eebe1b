#!/usr/bin/python3
"""Reference arrays for df.toTensor / Series.toTensor / DataFrame.fromTensor, from Debian's
python3-pandas (1.5.3) and numpy: what torch.tensor(df[cols].to_numpy(dtype)) would hold.

Run from anywhere:  /usr/bin/python3 packages/data/scripts/gen-tensor-fixtures.py
Writes packages/data/test/fixtures/to_tensor.json (floats as Python repr strings, 'nan' for NaN).
"""
import io
import json
import os

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "test", "fixtures")

CSV = "a,b,c,flag\n1,0.1,-2.5,True\n2,,1e-40,False\n3,3.3333333333,1e30,True\n4,-0.0,7,False\n"
df = pd.read_csv(io.StringIO(CSV))


def flat(a):
    return [repr(float(v)) for v in np.asarray(a).ravel()]


cases = {
    "csv": CSV,
    # torch.tensor(df[["c", "b"]].to_numpy(dtype=np.float32)): row-major, float32-rounded, NaN kept
    "cb_float32": {"shape": [4, 2], "values": flat(df[["c", "b"]].to_numpy(dtype=np.float32))},
    "all_float32": {"shape": [4, 4], "values": flat(df.to_numpy(dtype=np.float32))},
    "b_float64": {"shape": [4], "values": flat(df["b"].to_numpy(dtype=np.float64))},
    "a_int": {"shape": [4], "values": [int(v) for v in df["a"].to_numpy()]},
    # pd.DataFrame(t.numpy(), columns=[...]) of a float32 tensor: widened to float64
    "from_float32": {
        "input": [[0.1, 2.5], [1e-8, -3.0]],
        "columns": ["p", "q"],
        "data": [flat(pd.DataFrame(np.array([[0.1, 2.5], [1e-8, -3.0]], dtype=np.float32), columns=["p", "q"]).astype("float64")[c]) for c in ["p", "q"]],
    },
}
path = os.path.join(OUT, "to_tensor.json")
with open(path + ".tmp", "w") as f:
    json.dump(cases, f, indent=1, sort_keys=True)
    f.write("\n")
os.replace(path + ".tmp", path)
print("wrote", os.path.normpath(path))
