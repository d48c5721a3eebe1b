"""pandas' side of `pnpm bench data`: read_csv, describe() and corr() on the same file.

/usr/bin/python3 pandasPeer.py <csv> <reps>            timings and numbers
/usr/bin/python3 pandasPeer.py <csv> 1 read-only       peak memory of read_csv alone
/usr/bin/python3 pandasPeer.py <csv> 1 chunks <rows>   peak memory of read_csv(chunksize=rows),
                                                      each chunk dropped after its rows are counted
Prints one JSON line. Run with the glibc malloc settings of TOOLCHAIN.md (the suite sets them),
else large temporaries are page-faulted on every call. Memory is measured as in memoryProbe.ts:
Linux's peak-RSS counter reset after pandas is imported, VmHWM read after reading.
"""
import json
import re
import sys
import time

import pandas as pd

path, reps = sys.argv[1], int(sys.argv[2])
read_only = len(sys.argv) > 3


def resident_mb(field):
    with open("/proc/self/status") as f:
        return int(re.search(field + r":\s+(\d+) kB", f.read()).group(1)) / 1024


if read_only and sys.argv[3] == "chunks":
    chunk_rows = int(sys.argv[4])
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    base = resident_mb("VmRSS")
    t0 = time.perf_counter()
    rows = 0
    with pd.read_csv(path, chunksize=chunk_rows) as reader:
        for chunk in reader:
            rows += len(chunk)
            del chunk
    ms = (time.perf_counter() - t0) * 1000
    print(json.dumps({"peakMB": resident_mb("VmHWM"), "baseMB": base, "rows": rows, "ms": ms}))
    sys.exit(0)

if read_only:
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    base = resident_mb("VmRSS")
    df = pd.read_csv(path)
    print(json.dumps({"peakMB": resident_mb("VmHWM"), "baseMB": base, "rows": len(df)}))
    sys.exit(0)


def median_ms(fn):
    times = []
    out = None
    for _ in range(reps):
        t0 = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return times[len(times) // 2], out


read_ms, df = median_ms(lambda: pd.read_csv(path))
describe_ms, desc = median_ms(df.describe)
corr_ms, corr = median_ms(df.corr)
print(
    json.dumps(
        {
            "version": pd.__version__,
            "read_ms": read_ms,
            "describe_ms": describe_ms,
            "corr_ms": corr_ms,
            "describe": {c: [float(v) for v in desc[c]] for c in desc.columns},
            "corr_row0": [float(v) for v in corr.iloc[0]],
        }
    )
)
