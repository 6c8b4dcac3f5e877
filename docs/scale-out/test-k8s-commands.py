#!/usr/bin/env python3
"""Checks the Kubernetes manifests without a cluster: the Indexed Job's wiring (completionMode Indexed,
completions = parallelism = env SHARDS = the merge Job's SHARDS) and, run here with /bin/sh exactly as the pods
run them (env from the manifest, with RL, MODEL, SAE, DATA and OUT replaced by local paths), the extract script
once per JOB_COMPLETION_INDEX and then the merge script. Usage: test-k8s-commands.py RL MODEL SAE DATA OUT"""
import os, subprocess, sys
import yaml

here = os.path.dirname(os.path.abspath(__file__))
rl, model, sae, data, out = sys.argv[1:6]
job = yaml.safe_load(open(f"{here}/extract-indexed-job.yaml"))
merge = yaml.safe_load(open(f"{here}/merge-job.yaml"))
spec = job["spec"]
assert spec["completionMode"] == "Indexed", "an Indexed Job"
c = spec["template"]["spec"]["containers"][0]
env = {e["name"]: e["value"] for e in c["env"]}
n = int(env["SHARDS"])
assert spec["completions"] == n and spec["parallelism"] <= n, "completions = SHARDS >= parallelism"
m = merge["spec"]["template"]["spec"]["containers"][0]
menv = {e["name"]: e["value"] for e in m["env"]}
assert int(menv["SHARDS"]) == n, "the merge Job's SHARDS matches"
local = {"RL": rl, "MODEL": model, "SAE": sae, "DATA": data, "OUT": out}
for i in range(n):
    e = {**os.environ, **env, **local, "JOB_COMPLETION_INDEX": str(i)}
    subprocess.run(c["command"] + c["args"], env=e, check=True, stdout=subprocess.DEVNULL)
e = {**os.environ, **menv, "RL": rl, "OUT": out}
subprocess.run(m["command"] + m["args"], env=e, check=True, stdout=subprocess.DEVNULL)
print(f"indexed job of {n} + merge: {out}/merged written")
