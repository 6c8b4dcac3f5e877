#!/usr/bin/env python3
"""PyTorch eager peer of `refusal-lens bench extract | attribution | generate` (fp32, same checkpoint, same CPU).

The model is Gemma-2 / Llama written out in plain torch from config.json (no transformers: it is not installed
here), reading the bf16 safetensors shards and widening them to float32 once, like the Java resident weights.
Each command does the work of its Java twin on seeded random token ids and prints one JSON line with the same
keys: tokens_per_s, cpu_s_per_token, peak_rss_bytes (VmHWM), the median over --runs after --warmup.

  python3 torch_peer.py extract MODEL_DIR [--batch 4 --seq 64]
  python3 torch_peer.py attribution MODEL_DIR [--batch 1 --seq 64 --steps 2 --layers 0,1,...]
  python3 torch_peer.py generate MODEL_DIR [--batch 4 --prompt-len 32 --new-tokens 32 --clamp-layers ... --d-sae 16384]
"""
import argparse
import json
import math
import mmap
import os
import resource
import statistics
import struct
import time

import warnings

import torch

warnings.filterwarnings("ignore", message="The given buffer is not writable")


def load_checkpoint(model_dir):
    """name -> float32 tensor from every *.safetensors file (bf16, f16 or f32)."""
    dtypes = {"BF16": torch.bfloat16, "F16": torch.float16, "F32": torch.float32}
    out = {}
    for f in sorted(os.listdir(model_dir)):
        if not f.endswith(".safetensors"):
            continue
        with open(os.path.join(model_dir, f), "rb") as fh:
            mm = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
            (n,) = struct.unpack("<Q", mm[:8])
            header = json.loads(mm[8:8 + n])
            for name, info in header.items():
                if name == "__metadata__":
                    continue
                start, end = info["data_offsets"]
                dt = dtypes[info["dtype"]]
                count = (end - start) // torch.tensor([], dtype=dt).element_size()
                t = torch.frombuffer(mm, dtype=dt, count=count, offset=8 + n + start) if count else torch.empty(0, dtype=dt)
                out[name] = t.reshape(info["shape"]).float()
            del mm
    return out


class Model:
    """Gemma-2 or Llama forward over [B, S] ids, with hooks at resid_post and an optional KV cache."""

    def __init__(self, model_dir):
        with open(os.path.join(model_dir, "config.json")) as fh:
            c = json.load(fh)
        self.c = c
        self.gemma = c["model_type"] == "gemma2"
        self.w = load_checkpoint(model_dir)
        self.d = c["hidden_size"]
        self.layers = c["num_hidden_layers"]
        self.h = c["num_attention_heads"]
        self.kv = c["num_key_value_heads"]
        self.hd = c.get("head_dim") or self.d // self.h
        self.eps = c["rms_norm_eps"]
        self.vocab = c["vocab_size"]
        theta = c.get("rope_theta", 10000.0)
        inv = 1.0 / (theta ** (torch.arange(0, self.hd, 2, dtype=torch.float64) / self.hd))
        rs = c.get("rope_scaling")
        if rs and rs.get("rope_type", rs.get("type")) == "llama3":
            factor, low, high, old = rs["factor"], rs["low_freq_factor"], rs["high_freq_factor"], rs["original_max_position_embeddings"]
            wavelen = 2 * math.pi / inv
            smooth = (old / wavelen - low) / (high - low)
            scaled = torch.where(wavelen > old / low, inv / factor, inv)
            mid = (wavelen <= old / low) & (wavelen >= old / high)
            inv = torch.where(mid, (1 - smooth) * inv / factor + smooth * inv, scaled)
        self.inv_freq = inv.float()
        if self.gemma:
            self.scaling = c["query_pre_attn_scalar"] ** -0.5
            self.attn_cap = c.get("attn_logit_softcapping")
            self.final_cap = c.get("final_logit_softcapping")
            types = c.get("layer_types")
            self.sliding = [t == "sliding_attention" for t in types] if types else [i % 2 == 0 for i in range(self.layers)]
            self.window = c["sliding_window"]
        else:
            self.scaling = self.hd ** -0.5
            self.attn_cap = self.final_cap = None
            self.sliding = [False] * self.layers
        tied = c.get("tie_word_embeddings", self.gemma)
        self.lm_head = self.w["model.embed_tokens.weight"] if tied or "lm_head.weight" not in self.w else self.w["lm_head.weight"]

    def norm(self, x, w):
        x = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps)
        return x * (1.0 + w) if self.gemma else x * w

    def rope(self, x, pos):  # x [B, heads, S, hd], pos [S]
        f = pos[:, None].float() * self.inv_freq[None, :]
        emb = torch.cat([f, f], -1)
        cos, sin = emb.cos(), emb.sin()
        x1, x2 = x[..., : self.hd // 2], x[..., self.hd // 2:]
        return x * cos + torch.cat([-x2, x1], -1) * sin

    def attention(self, x, i, start, cache):
        p = f"model.layers.{i}.self_attn."
        b, s, _ = x.shape
        q = (x @ self.w[p + "q_proj.weight"].T).view(b, s, self.h, self.hd).transpose(1, 2)
        k = (x @ self.w[p + "k_proj.weight"].T).view(b, s, self.kv, self.hd).transpose(1, 2)
        v = (x @ self.w[p + "v_proj.weight"].T).view(b, s, self.kv, self.hd).transpose(1, 2)
        pos = torch.arange(start, start + s)
        q, k = self.rope(q, pos), self.rope(k, pos)
        if cache is not None:
            if i in cache:
                k = torch.cat([cache[i][0], k], 2)
                v = torch.cat([cache[i][1], v], 2)
            cache[i] = (k, v)
        t = k.shape[2]
        g = self.h // self.kv
        k = k.repeat_interleave(g, 1)
        v = v.repeat_interleave(g, 1)
        scores = (q @ k.transpose(-1, -2)) * self.scaling
        if self.attn_cap:
            scores = torch.tanh(scores / self.attn_cap) * self.attn_cap
        qpos = pos[:, None]
        kpos = torch.arange(t)[None, :]
        visible = kpos <= qpos
        if self.sliding[i]:
            visible &= (qpos - kpos) < self.window
        scores = scores.masked_fill(~visible, float("-inf"))
        out = torch.softmax(scores, -1) @ v
        return out.transpose(1, 2).reshape(b, s, self.h * self.hd) @ self.w[p + "o_proj.weight"].T

    def mlp(self, x, i):
        p = f"model.layers.{i}.mlp."
        gate = x @ self.w[p + "gate_proj.weight"].T
        act = torch.nn.functional.gelu(gate, approximate="tanh") if self.gemma else torch.nn.functional.silu(gate)
        return (act * (x @ self.w[p + "up_proj.weight"].T)) @ self.w[p + "down_proj.weight"].T

    def forward(self, ids, upto=None, hooks=None, start=0, cache=None, logits="last", grad_leaf=False):
        """ids [B, S] -> (logits [B, vocab] of the last slot or None, resid_post list); hooks: layer -> f(x) -> x.

        grad_leaf: autograd starts at layer 0's resid_post (the weights never require grad), as the Java tape does.
        """
        x = self.w["model.embed_tokens.weight"][ids]
        if self.gemma:
            x = x * torch.tensor(math.sqrt(self.d), dtype=torch.float32)
        last = self.layers - 1 if upto is None else upto
        resid = []
        for i in range(last + 1):
            p = f"model.layers.{i}."
            if self.gemma:
                h = self.attention(self.norm(x, self.w[p + "input_layernorm.weight"]), i, start, cache)
                x = x + self.norm(h, self.w[p + "post_attention_layernorm.weight"])
                h = self.mlp(self.norm(x, self.w[p + "pre_feedforward_layernorm.weight"]), i)
                x = x + self.norm(h, self.w[p + "post_feedforward_layernorm.weight"])
            else:
                x = x + self.attention(self.norm(x, self.w[p + "input_layernorm.weight"]), i, start, cache)
                x = x + self.mlp(self.norm(x, self.w[p + "post_attention_layernorm.weight"]), i)
            if grad_leaf and i == 0:
                x = x.detach().requires_grad_(True)
            if hooks and i in hooks:
                x = hooks[i](x)
            resid.append(x)
        if logits == "none":
            return None, resid
        h = self.norm(x[:, -1], self.w["model.norm.weight"])
        out = h @ self.lm_head.T
        if self.final_cap:
            out = torch.tanh(out / self.final_cap) * self.final_cap
        return out, resid


def peak_rss_bytes():
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def timed(fn, warmup, runs, label):
    walls, cpus = [], []
    for i in range(warmup + runs):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        warm = i < warmup
        print(f"{'warm-up' if warm else 'run'} {i + 1 if warm else i - warmup + 1}: {wall:.3f} s wall, {cpu:.3f} s CPU{label}",
              file=os.sys.stderr, flush=True)
        if not warm:
            walls.append(wall)
            cpus.append(cpu)
    return walls, statistics.median(walls), statistics.median(cpus)


def random_ids(gen, vocab, b, s):
    return torch.randint(0, vocab, (b, s), generator=gen)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=["extract", "attribution", "generate"])
    ap.add_argument("model_dir")
    ap.add_argument("--batch", type=int)
    ap.add_argument("--seq", type=int, default=64)
    ap.add_argument("--layers", type=str, help="attribution: SAE layers (default all)")
    ap.add_argument("--steps", type=int, default=2)
    ap.add_argument("--prompt-len", type=int, default=32)
    ap.add_argument("--new-tokens", type=int, default=32)
    ap.add_argument("--clamp-layers", type=str)
    ap.add_argument("--d-sae", type=int, default=16384)
    ap.add_argument("--clamped-features", type=int, default=4)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    gen = torch.Generator().manual_seed(a.seed)
    t0 = time.perf_counter()
    m = Model(a.model_dir)
    load_s = time.perf_counter() - t0
    for t in m.w.values():
        t.requires_grad_(False)
    out = {"schemaVersion": 1, "peer": f"torch {torch.__version__} eager fp32, plain-torch model (extractor/bench/torch_peer.py)",
           "threads": torch.get_num_threads(), "model_type": m.c["model_type"], "load_s": load_s}

    if a.command == "extract":
        b = a.batch or 4
        ids = random_ids(gen, m.vocab, b, a.seq)

        def run():
            with torch.no_grad():
                m.forward(ids, logits="none")[1][-1].sum().item()

        walls, med, cpu = timed(run, a.warmup, a.runs, "")
        tokens = b * a.seq
        out.update(tokens_per_s=tokens / med, cpu_s_per_token=cpu / tokens, median_s=med, run_s=walls, batch=b,
                   seq=a.seq, layers=m.layers)
    elif a.command == "attribution":
        b = a.batch or 1
        layers = [int(x) for x in a.layers.split(",")] if a.layers else list(range(m.layers))
        ids = random_ids(gen, m.vocab, b, a.seq)
        direction = torch.randn(m.d, generator=gen)
        unit = direction / direction.norm()
        ablate = {i: (lambda x: x - (x @ unit)[..., None] * unit) for i in range(m.layers)}
        with torch.no_grad():
            clean = m.forward(ids, logits="none")[1]
            patched = m.forward(ids, hooks=ablate, logits="none")[1]
        plus, minus = torch.randint(0, m.vocab, (2,), generator=gen).tolist()

        def step(alpha):
            spliced = {}

            def splice(i):
                target = (1 - alpha) * clean[i] + alpha * patched[i]

                def f(x):
                    y = x + (target - x).detach()  # value of the interpolation, gradient straight through
                    y.retain_grad()
                    spliced[i] = y
                    return y
                return f
            logits, _ = m.forward(ids, hooks={i: splice(i) for i in layers}, grad_leaf=True)
            logp = torch.log_softmax(logits, -1)
            metric = (logp[:, plus] - logp[:, minus]).sum()
            metric.backward()
            return [spliced[i].grad for i in layers]

        def run():
            for k in range(a.steps):
                grads = step(k / a.steps)
                sum(g.sum() for g in grads).item()

        walls, med, cpu = timed(run, a.warmup, a.runs, f" for {a.steps} IG steps")
        tokens = b * a.seq
        med, cpu = med / a.steps, cpu / a.steps
        out.update(tokens_per_s=tokens / med, cpu_s_per_token=cpu / tokens, median_step_s=med,
                   step_s=[w / a.steps for w in walls], batch=b, seq=a.seq, layers=layers, steps=a.steps)
    else:
        b = a.batch or 4
        n = m.layers
        k = min(4, n)
        layers = [int(x) for x in a.clamp_layers.split(",")] if a.clamp_layers else [(i + 1) * n // (k + 1) for i in range(k)]
        feats = torch.tensor([i * (a.d_sae // a.clamped_features) for i in range(a.clamped_features)])
        saes = {}
        for l in layers:
            w_enc = torch.randn(m.d, a.d_sae, generator=gen) / math.sqrt(m.d)
            w_dec = torch.randn(a.d_sae, m.d, generator=gen) / math.sqrt(a.d_sae)
            thr = torch.randn(a.d_sae, generator=gen) * 0.01 + 0.05
            saes[l] = (w_enc[:, feats].contiguous(), thr[feats], w_dec[feats].contiguous(), w_enc, w_dec)

        def clamp(l):
            enc, thr, dec = saes[l][0], saes[l][1], saes[l][2]

            def f(x):  # resid += (8 - a) W_dec[feats] at every position, a the JumpReLU activations of feats
                pre = x @ enc
                acts = torch.where(pre > thr, torch.relu(pre), torch.zeros_like(pre))
                return x + (8.0 - acts) @ dec
            return f
        hooks = {l: clamp(l) for l in layers}
        ids = random_ids(gen, m.vocab, b, a.prompt_len)

        def run():
            with torch.no_grad():
                cache = {}
                logits, _ = m.forward(ids, hooks=hooks, cache=cache)
                nxt = logits.argmax(-1)
                produced = [nxt]
                for step in range(1, a.new_tokens):
                    logits, _ = m.forward(nxt[:, None], hooks=hooks, start=a.prompt_len + step - 1, cache=cache)
                    nxt = logits.argmax(-1)
                    produced.append(nxt)
                assert len(produced) == a.new_tokens

        walls, med, cpu = timed(run, a.warmup, a.runs, "")
        tokens = b * a.new_tokens
        out.update(tokens_per_s=tokens / med, cpu_s_per_token=cpu / tokens, median_s=med, run_s=walls, batch=b,
                   prompt_len=a.prompt_len, new_tokens=a.new_tokens, clamp_layers=layers, d_sae=a.d_sae)
    out["peak_rss_bytes"] = peak_rss_bytes()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
