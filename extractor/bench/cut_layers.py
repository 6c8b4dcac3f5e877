#!/usr/bin/env python3
"""Copy a sharded HF checkpoint keeping only its first N decoder layers (embedding, final norm, tokenizer kept).

  python3 cut_layers.py SRC_DIR DST_DIR N

Used to run `bench attribution|generate|extract` and torch_peer.py at a real model's widths and vocabulary in a
few GB (e.g. gemma-2-2b cut to 2 layers: 1.5 GB of bf16).
"""
import json
import os
import shutil
import struct
import sys


def main(src, dst, layers):
    os.makedirs(dst, exist_ok=True)
    cfg = json.load(open(os.path.join(src, "config.json")))
    cfg["num_hidden_layers"] = layers
    if "layer_types" in cfg:
        cfg["layer_types"] = cfg["layer_types"][:layers]
    json.dump(cfg, open(os.path.join(dst, "config.json"), "w"), indent=2)
    for f in os.listdir(src):
        if f.startswith("tokenizer") or f in ("generation_config.json", "special_tokens_map.json"):
            shutil.copy(os.path.join(src, f), os.path.join(dst, f))
    weight_map = json.load(open(os.path.join(src, "model.safetensors.index.json")))["weight_map"]
    keep = sorted(n for n in weight_map if not n.startswith("model.layers.") or int(n.split(".")[2]) < layers)
    header, blobs, offset = {}, [], 0
    for name in keep:
        with open(os.path.join(src, weight_map[name]), "rb") as fh:
            (n,) = struct.unpack("<Q", fh.read(8))
            info = json.loads(fh.read(n))[name]
            start, end = info["data_offsets"]
            fh.seek(8 + n + start)
            blob = fh.read(end - start)
        header[name] = {"dtype": info["dtype"], "shape": info["shape"], "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    raw = json.dumps(header).encode()
    raw += b" " * ((8 - len(raw) % 8) % 8)
    with open(os.path.join(dst, "model.safetensors"), "wb") as out:
        out.write(struct.pack("<Q", len(raw)))
        out.write(raw)
        for blob in blobs:
            out.write(blob)
    print(f"wrote {dst}: {len(keep)} tensors, {offset / 1e9:.2f} GB, {layers} layers")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
