#!/usr/bin/env python3
"""Checks that activation store A (e.g. the merged --shard slices) holds the rows of store B (one unsharded run):
the same row ids in the same order and every tensor equal within a relative tolerance (batches differ, so padding
can change the last bits). Usage: compare-stores.py A B [rtol]. Needs numpy only (reads safetensors by hand)."""
import json, struct, sys
import numpy as np

DT = {"F32": np.float32, "I64": np.int64, "I32": np.int32}

def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        a, b = t["data_offsets"]
        out[name] = np.frombuffer(data[a:b], dtype=DT[t["dtype"]]).reshape(t["shape"])
    return out

def load(store):
    m = json.load(open(f"{store}/manifest.json"))
    shards = [read_safetensors(f"{store}/{s['file']}") for s in m["shards"]]
    tensors = {k: np.concatenate([s[k] for s in shards]) for k in shards[0]}
    return [r["id"] for r in m["rows"]], tensors

a_ids, a = load(sys.argv[1])
b_ids, b = load(sys.argv[2])
rtol = float(sys.argv[3]) if len(sys.argv) > 3 else 1e-4
assert a_ids == b_ids, f"row ids differ: {len(a_ids)} vs {len(b_ids)} rows"
assert a.keys() == b.keys(), f"tensors differ: {sorted(a)} vs {sorted(b)}"
worst = 0.0
for k in a:
    assert a[k].shape == b[k].shape, f"{k}: {a[k].shape} vs {b[k].shape}"
    err = np.linalg.norm(a[k].astype(np.float64) - b[k]) / max(np.linalg.norm(b[k].astype(np.float64)), 1e-30)
    worst = max(worst, err)
    assert err <= rtol, f"{k}: relative error {err:.2e} > {rtol}"
print(f"same {len(a_ids)} rows in the same order, {len(a)} tensors, worst relative error {worst:.1e}")
