#!/usr/bin/env bash
# Change propagation to SSE clients: two replicas on one PostgreSQL (a fresh schema of the local
# database `test`), writes through replica A, a stream client on A and one on B.
# Usage: rollgate-bench/load/propagation.sh [iterations]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
iterations="${1:-200}"
schema="bench_$(date +%s)"
pg="${ROLLGATE_BENCH_PG:-jdbc:postgresql://127.0.0.1:5432/test?user=postgres}"
psql -w -h 127.0.0.1 -U postgres -d test -qc "CREATE SCHEMA $schema"
data_a="$(mktemp -d)"
data_b="$(mktemp -d)"
export ROLLGATE_ADMIN_TOKEN=bench-admin ROLLGATE_RATE_LIMIT_WRITES=0 ROLLGATE_DB_URL="$pg&currentSchema=$schema"
"$root/rollgate" serve --port 18431 --data-dir "$data_a" >"$data_a/server.log" 2>&1 &
a=$!
"$root/rollgate" serve --port 18432 --data-dir "$data_b" >"$data_b/server.log" 2>&1 &
b=$!
cleanup() {
  kill $a $b 2>/dev/null || true
  wait $a $b 2>/dev/null || true
  psql -w -h 127.0.0.1 -U postgres -d test -qc "DROP SCHEMA $schema CASCADE" >/dev/null 2>&1 || true
  rm -rf "$data_a" "$data_b"
}
trap cleanup EXIT
for port in 18431 18432; do
  for _ in $(seq 1 120); do curl -sf "localhost:$port/ready" >/dev/null && break; sleep 0.5; done
done
api="localhost:18431/api/v1"
auth="Authorization: Bearer bench-admin"
curl -sf -X POST "$api/projects/default/flags" -H "$auth" -H 'Content-Type: application/json' -d '{
  "key": "banner", "variants": {"a": "Hello", "b": "Hi"}, "defaultVariant": "a",
  "environments": {"production": {"state": "ENABLED"}}}' >/dev/null
sdk="$(curl -sf -X POST "$api/tokens" -H "$auth" -H 'Content-Type: application/json' \
  -d '{"name": "bench", "role": "sdk", "project": "default", "environment": "production"}' |
  sed -n 's/.*"secret":"\([^"]*\)".*/\1/p')"
sleep 2 # the token reaches replica B
"${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java" -cp "$root/rollgate-bench/target/benchmarks.jar" \
  dev.rollgate.bench.PropagationBenchmark http://127.0.0.1:18431 http://127.0.0.1:18431 http://127.0.0.1:18432 \
  bench-admin "$sdk" "$iterations"
