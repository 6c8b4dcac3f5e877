#!/bin/bash
# Runs the Slurm path end to end on whatever Slurm the shell sees (a single-node Slurm is enough) with a tiny
# synthetic model: submit-slurm.sh with SHARDS slices, wait for the merge, and compare the merged store with one
# unsharded extract. Usage: RL=path/to/refusal-lens test-local-slurm.sh [SHARDS] [WORKDIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
shards="${1:-3}"
work="${2:-$(mktemp -d)}"
: "${RL:?set RL to the refusal-lens launcher}"
export RL
"$RL" synth-model --shape tiny --out "$work/model" --saes 1,3 >/dev/null
"$RL" datasets make --n 40 --instructions 0 --out "$work/bundle" >/dev/null
cat "$work/bundle"/harmful_train.jsonl "$work/bundle"/harmless_train.jsonl > "$work/prompts.jsonl"
export MODEL="$work/model" SAE="$work/model/saes" DATA="$work/prompts.jsonl" OUT="$work/sharded" EXTRACT_ARGS="--batch 4"
"$RL" extract --model "$MODEL" --sae "$SAE" --data "$DATA" --out "$work/whole" --batch 4 >/dev/null
ids=$(cd "$OUT" 2>/dev/null || mkdir -p "$OUT"; cd "$OUT" && "$here/submit-slurm.sh" "$shards")
echo "$ids"
merge=$(echo "$ids" | awk '{print $NF}')
while squeue -h -j "$merge" 2>/dev/null | grep -q .; do sleep 5; done
test -f "$OUT/merged/manifest.json" || { echo "no merged store; logs:"; tail -n 20 "$OUT"/rl-*.log; exit 1; }
python3 "$here/compare-stores.py" "$OUT/merged" "$work/whole"
echo "slurm array of $shards + merge: OK ($work)"
