#!/usr/bin/env bash
# OFREP throughput and latency on loopback: starts a server on a fresh SQLite store, creates a
# targeted flag and an sdk token, then drives single-flag evaluations with wrk (Debian's package).
# Usage: rollgate-bench/load/ofrep-load.sh [seconds] [connections]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
seconds="${1:-20}"
connections="${2:-64}"
port=18420
data="$(mktemp -d)"
command -v wrk >/dev/null || { echo "install wrk first: apt-get install wrk" >&2; exit 2; }

ROLLGATE_ADMIN_TOKEN=bench-admin ROLLGATE_RATE_LIMIT_EVALUATIONS=0 ROLLGATE_RATE_LIMIT_WRITES=0 \
  "$root/rollgate" serve --port "$port" --data-dir "$data" >"$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 120); do curl -sf "localhost:$port/ready" >/dev/null && break; sleep 0.5; done

api="localhost:$port/api/v1"
auth="Authorization: Bearer bench-admin"
curl -sf -X POST "$api/projects/default/flags" -H "$auth" -H 'Content-Type: application/json' -d '{
  "key": "new-checkout", "variants": {"on": true, "off": false}, "defaultVariant": "off",
  "environments": {"production": {"state": "ENABLED", "targeting": {"if": [
    {"==": [{"var": "plan"}, "pro"]}, "on",
    {"fractional": [["on", 10], ["off", 90]]}]}}}}' >/dev/null
export ROLLGATE_SDK_TOKEN="$(curl -sf -X POST "$api/tokens" -H "$auth" -H 'Content-Type: application/json' \
  -d '{"name": "bench", "role": "sdk", "project": "default", "environment": "production"}' |
  sed -n 's/.*"secret":"\([^"]*\)".*/\1/p')"

echo "warm-up (${ROLLGATE_BENCH_WARMUP:-30} s: JIT compilation settles)..."
wrk -t1 -c"$connections" -d"${ROLLGATE_BENCH_WARMUP:-30}s" -s "$root/rollgate-bench/load/ofrep-eval.lua" "http://127.0.0.1:$port" >/dev/null
echo "measuring ($seconds s, $connections connections, 2 wrk threads, server and load on the same cores):"
wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$root/rollgate-bench/load/ofrep-eval.lua" "http://127.0.0.1:$port"
