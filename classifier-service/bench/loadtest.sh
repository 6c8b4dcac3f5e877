#!/usr/bin/env bash
# Bounded loopback load test of the classifier service: starts the packaged app on 127.0.0.1 with the given
# artifacts, waits until it is ready, runs `refusal-lens loadtest` (fixed client count and duration), then
# stops the service. Usage:
#   classifier-service/bench/loadtest.sh MODEL_DIR SAE_DIR FEATURES_JSON PROBE_JSON [loadtest options...]
# Environment: PORT (default 18080), CLIENTS (16), DURATION (20 s), WARMUP (5 s).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if [ $# -lt 4 ]; then
  echo "usage: $0 MODEL_DIR SAE_DIR FEATURES_JSON PROBE_JSON [loadtest options...]" >&2
  exit 2
fi
model="$1" sae="$2" features="$3" probe="$4"
shift 4
port="${PORT:-18080}"
jar="$root/classifier-service/target/quarkus-app/quarkus-run.jar"
if [ ! -f "$jar" ]; then
  (cd "$root" && mvn -q -B -ntp -DskipTests -pl classifier-service -am package 1>&2)
fi
log="$(mktemp -t classifier-service-XXXXXX.log)"
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
# the JVM options of `refusal-lens serve` (see ServeCommand --java-opts)
java -Xmx8g -XX:+UseSerialGC -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$port" \
  -Drefusallens.service.artifacts.model="$model" -Drefusallens.service.artifacts.sae="$sae" \
  -Drefusallens.service.artifacts.features="$features" -Drefusallens.service.artifacts.probe="$probe" \
  -jar "$jar" >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
  if curl -fs "http://127.0.0.1:$port/q/health/ready" >/dev/null 2>&1; then
    break
  fi
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "the service exited; its log: $log" >&2
    tail -20 "$log" >&2
    exit 1
  fi
  sleep 0.5
done
curl -fs "http://127.0.0.1:$port/q/health/ready" >/dev/null || { echo "service not ready after 300 s; log: $log" >&2; exit 1; }
echo "service ready on 127.0.0.1:$port (log: $log)" >&2
"$root/refusal-lens" loadtest --url "http://127.0.0.1:$port" --clients "${CLIENTS:-16}" \
  --duration "${DURATION:-20}" --warmup "${WARMUP:-5}" "$@"
curl -fs "http://127.0.0.1:$port/q/metrics" | grep -E '^refusallens_classify_batch_size_(count|sum)|^refusallens_queue_rejected_total' >&2 || true
