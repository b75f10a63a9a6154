#!/usr/bin/env bash
# Soak: a server on a fresh SQLite store under a steady mix for MINUTES minutes, all at fixed
# rates on loopback: OFREP evaluations (wrk, paced by soak-ofrep.lua), SDK event streams held
# open (and reopened when they end), admin writes and event batches. Every minute it prints the
# errors of each kind, the evaluations' p99, and the server's RSS and heap. It fails (exit 1) when
# any request failed or when RSS keeps growing: every sample of the second half a new high and the
# last more than 10% above the first half's highest.
# Usage: rollgate-bench/load/soak.sh MINUTES
# Rates: SOAK_OFREP_RATE (evaluations/s, default 500), SOAK_STREAMS (default 50),
#        SOAK_WRITES_PER_S (default 2), SOAK_BATCHES_PER_S (default 10, 50 events each).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
minutes="${1:?usage: soak.sh MINUTES}"
ofrep_rate="${SOAK_OFREP_RATE:-500}"
streams="${SOAK_STREAMS:-50}"
writes_per_s="${SOAK_WRITES_PER_S:-2}"
batches_per_s="${SOAK_BATCHES_PER_S:-10}"
port="${SOAK_PORT:-18421}"
data="$(mktemp -d)"
command -v wrk >/dev/null || { echo "install wrk first: apt-get install wrk" >&2; exit 2; }

ROLLGATE_ADMIN_TOKEN=soak-admin ROLLGATE_RATE_LIMIT_EVALUATIONS=0 ROLLGATE_RATE_LIMIT_WRITES=0 \
  "$root/rollgate" serve --port "$port" --data-dir "$data" >"$data/server.log" 2>&1 &
launcher=$!
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  pkill -P $$ curl 2>/dev/null || true
  kill "$launcher" 2>/dev/null; wait "$launcher" 2>/dev/null || true
  rm -rf "$data"
}
trap cleanup EXIT
for _ in $(seq 1 240); do curl -sf "localhost:$port/ready" >/dev/null && break; sleep 0.5; done
server_pid="$(pgrep -f -- "java.*--data-dir $data" | tail -1 || true)"
[ -n "$server_pid" ] || server_pid=$launcher

api="localhost:$port/api/v1"
auth="Authorization: Bearer soak-admin"
json='Content-Type: application/json'
curl -sf -X POST "$api/projects/default/flags" -H "$auth" -H "$json" -d '{
  "key": "new-checkout", "variants": {"on": true, "off": false}, "defaultVariant": "off",
  "environments": {"production": {"state": "ENABLED", "targeting": {"if": [
    {"==": [{"var": "plan"}, "pro"]}, "on",
    {"fractional": [["on", 10], ["off", 90]]}]}}}}' >/dev/null
curl -sf -X POST "$api/projects/default/flags" -H "$auth" -H "$json" -d '{
  "key": "banner", "variants": {"a": "A", "b": "B"}, "defaultVariant": "a",
  "environments": {"production": {"state": "ENABLED"}}}' >/dev/null
export ROLLGATE_SDK_TOKEN="$(curl -sf -X POST "$api/tokens" -H "$auth" -H "$json" \
  -d '{"name": "soak-sdk", "role": "sdk", "project": "default", "environment": "production"}' |
  sed -n 's/.*"secret":"\([^"]*\)".*/\1/p')"

mkdir -p "$data/count"
# count KIND: one failure of that kind, as a line in its file (read and reset every minute)
count() { echo x >>"$data/count/$1"; }
taken() { local n=0; [ -f "$data/count/$1" ] && n=$(wc -l <"$data/count/$1") && : >"$data/count/$1"; echo "$n"; }

stream() {
  while true; do
    curl -s -N -o /dev/null -H "X-API-Key: $ROLLGATE_SDK_TOKEN" -H 'Accept: text/event-stream' \
      "http://127.0.0.1:$port/api/v1/stream" || true
    count stream_reopened
    sleep 1
  done
}
writes() {
  local i=0 variant
  while true; do
    i=$((i + 1)); variant=$([ $((i % 2)) -eq 0 ] && echo a || echo b)
    code=$(curl -s -o /dev/null -w '%{http_code}' -X PATCH "$api/projects/default/flags/banner" \
      -H "$auth" -H "$json" -d "{\"environments\": {\"production\": {\"defaultVariant\": \"$variant\"}}}" || echo 000)
    [ "$code" = 200 ] || count write_failed
    sleep "$(awk "BEGIN {print 1 / $writes_per_s}")"
  done
}
batches() {
  local i=0
  while true; do
    i=$((i + 1))
    now=$(($(date +%s) * 1000))
    events=""
    for u in $(seq 1 25); do
      events="$events{\"type\":\"exposure\",\"flag\":\"new-checkout\",\"variant\":\"on\",\"targetingKey\":\"u$i-$u\"},"
      events="$events{\"type\":\"track\",\"name\":\"buy\",\"targetingKey\":\"u$i-$u\",\"value\":1},"
    done
    events="$events{\"type\":\"outcomes\",\"flag\":\"new-checkout\",\"variant\":\"on\",\"start\":$((now - now % 1000 - 1000)),\"end\":$((now - now % 1000)),\"count\":25,\"errors\":0}"
    code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$port/api/v1/events" \
      -H "X-API-Key: $ROLLGATE_SDK_TOKEN" -H "$json" -d "{\"events\":[$events]}" || echo 000)
    [ "$code" = 202 ] || count batch_failed
    sleep "$(awk "BEGIN {print 1 / $batches_per_s}")"
  done
}

for _ in $(seq 1 "$streams"); do stream & pids+=($!); done
writes & pids+=($!)
batches & pids+=($!)

# wrk paces each connection: SOAK_DELAY_MS between its requests, over 10 connections.
connections=10
export SOAK_DELAY_MS=$(awk "BEGIN {printf \"%d\", $connections * 1000 / $ofrep_rate}")
echo "soak: $minutes min; OFREP ${ofrep_rate}/s, $streams streams, ${writes_per_s} writes/s, ${batches_per_s} event batches/s (51 events each); server pid $server_pid"
printf '%-6s %10s %9s %8s %8s %8s %9s %9s %9s\n' minute evals/s p99_ms eval_err write_err batch_err reopened rss_mib heap_mib
rss=()
failed=0
for minute in $(seq 1 "$minutes"); do
  out=$(wrk -t1 -c"$connections" -d60s --latency -s "$root/rollgate-bench/load/soak-ofrep.lua" "http://127.0.0.1:$port" 2>&1)
  rate=$(echo "$out" | awk '/Requests\/sec/ {printf "%d", $2}')
  p99=$(echo "$out" | awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; printf "%.2f", v}')
  non2xx=$(echo "$out" | awk '/Non-2xx/ {print $5}'); non2xx=${non2xx:-0}
  sockerr=$(echo "$out" | awk '/Socket errors/ {gsub(",",""); print $4+$6+$8+$10}'); sockerr=${sockerr:-0}
  eval_err=$((non2xx + sockerr))
  write_err=$(taken write_failed); batch_err=$(taken batch_failed); reopened=$(taken stream_reopened)
  rss_kib=$(awk '/VmRSS/ {print $2}' "/proc/$server_pid/status" 2>/dev/null || echo 0)
  heap=$(curl -s "localhost:$port/metrics" | awk '/^jvm_memory_used_bytes\{/ && /area="heap"/ {s += $NF} END {printf "%.0f", s / 1048576}')
  rss+=("$rss_kib")
  printf '%-6s %10s %9s %8s %8s %8s %9s %9s %9s\n' "$minute" "$rate" "$p99" "$eval_err" "$write_err" "$batch_err" "$reopened" $((rss_kib / 1024)) "$heap"
  [ $((eval_err + write_err + batch_err)) -eq 0 ] || failed=1
done

# RSS keeps growing: every sample of the second half is a new high, and the last is >10% above
# the first half's highest.
half=$((minutes / 2))
if [ "$minutes" -ge 4 ]; then
  first_max=0
  for i in $(seq 0 $((half - 1))); do [ "${rss[$i]}" -gt "$first_max" ] && first_max=${rss[$i]}; done
  growing=1; previous=$first_max
  for i in $(seq "$half" $((minutes - 1))); do
    [ "${rss[$i]}" -gt "$previous" ] || growing=0
    previous=${rss[$i]}
  done
  if [ "$growing" -eq 1 ] && [ "${rss[$((minutes - 1))]}" -gt $((first_max * 110 / 100)) ]; then
    echo "soak: FAILED: RSS keeps growing (first half at most $((first_max / 1024)) MiB, last $((rss[minutes - 1] / 1024)) MiB)"
    exit 1
  fi
fi
if [ "$failed" -ne 0 ]; then
  echo "soak: FAILED: some requests failed (see the table)"
  exit 1
fi
echo "soak: passed"
