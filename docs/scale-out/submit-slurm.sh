#!/bin/bash
# Usage: RL=... MODEL=... DATA=... OUT=... [SAE=...] [EXTRACT_ARGS=...] submit-slurm.sh SHARDS
# Queues SHARDS array tasks (extract --shard i/SHARDS) and one merge that starts only when all of them succeeded
# (afterok); prints both job ids. Extra sbatch options (partition, account, time) go in SBATCH_ARGS.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
shards="${1:?usage: submit-slurm.sh SHARDS}"
: "${RL:?}" "${MODEL:?}" "${DATA:?}" "${OUT:?}"
mkdir -p "$OUT"
array=$(sbatch --parsable ${SBATCH_ARGS:-} --array=0-$((shards - 1)) --export=ALL "$here/extract-array.sbatch")
merge=$(sbatch --parsable ${SBATCH_ARGS:-} --dependency=afterok:"$array" --kill-on-invalid-dep=yes \
  --export=ALL,SHARDS="$shards" "$here/merge.sbatch")
echo "extract array job $array ($shards tasks), merge job $merge"
