#!/bin/bash
# Runs the sharded extraction on Kubernetes: the Indexed Job, then (once every index completed) the merge Job.
# Edit the env values (and completions/parallelism/SHARDS together) in both manifests first.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
kubectl apply -f "$here/extract-indexed-job.yaml"
kubectl wait --for=condition=complete job/rl-extract --timeout=24h
kubectl apply -f "$here/merge-job.yaml"
kubectl wait --for=condition=complete job/rl-extract-merge --timeout=1h
kubectl logs job/rl-extract-merge
