#!/usr/bin/env bash
# SDK events into experiment statistics, through the store's inbox and then through Kafka, on
# PostgreSQL (a fresh schema of the local database `test` each): starts a server (for Kafka also a
# single-node broker, rollgate-kafka-broker/kafka.sh, topic of 4 partitions), then EventsLoad posts
# every unit's exposure and one track event from several SDK clients at once while it watches the
# experiment's unit count. Prints events acknowledged/s, events counted/s and the lag from a request's
# acknowledgement until it is counted.
# Usage: rollgate-bench/load/events-load.sh [units] [senders] [batch] [units/s]
#   (default: 20000 4 250, as fast as acknowledged; with units/s, paced: the lag of a sustained load)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
units="${1:-20000}"
senders="${2:-4}"
batch="${3:-250}"
rate="${4:-0}"
java="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
jar="$root/rollgate-bench/target/benchmarks.jar"
[ -f "$jar" ] || { echo "build it first: ./mvnw -q -DskipTests package" >&2; exit 2; }
port=18450
kafka_port=19492
stamp="$(date +%s)"
data="$(mktemp -d)"
server=""
broker=""
cleanup() {
  [ -n "$server" ] && { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
  [ -n "$broker" ] && { kill "$broker" 2>/dev/null || true; wait "$broker" 2>/dev/null || true; }
  for path in store kafka; do
    psql -w -h 127.0.0.1 -U postgres -d test -qc "DROP SCHEMA IF EXISTS events_${path}_$stamp CASCADE" >/dev/null 2>&1 || true
  done
  rm -rf "$data"
}
trap cleanup EXIT

run_path() { # $1: path label; the environment says which path
  local schema="events_$1_$stamp"
  psql -w -h 127.0.0.1 -U postgres -d test -qc "CREATE SCHEMA $schema" >/dev/null ||
    { echo "no PostgreSQL at 127.0.0.1:5432 (database test)" >&2; exit 2; }
  ROLLGATE_ADMIN_TOKEN=bench-admin ROLLGATE_RATE_LIMIT_WRITES=0 \
    ROLLGATE_DB_URL="jdbc:postgresql://127.0.0.1:5432/test?user=postgres&currentSchema=$schema" \
    "$root/rollgate" serve --port "$port" --data-dir "$data/$1" >"$data/$1.log" 2>&1 &
  server=$!
  for _ in $(seq 1 120); do curl -sf "localhost:$port/ready" >/dev/null && break; sleep 0.5; done
  "$java" -cp "$jar" dev.rollgate.bench.EventsLoad "http://127.0.0.1:$port" bench-admin "$1" \
    "$units" "$senders" "$batch" "$rate"
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
}

echo "$units units (an exposure and a track event each), $senders senders, $batch units a request, paced at $rate units/s (0: unpaced):"
echo "| path | events | acknowledged/s | counted/s | lag p50 ms | lag p99 ms | lag max ms |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
mkdir -p "$data/store" "$data/kafka"
run_path store
"$root/rollgate-kafka-broker/kafka.sh" "$kafka_port" "$data/broker" 4 >"$data/broker.log" 2>&1 &
broker=$!
for _ in $(seq 1 240); do (echo >"/dev/tcp/127.0.0.1/$kafka_port") 2>/dev/null && break; sleep 0.5; done
ROLLGATE_EVENTS_KAFKA="127.0.0.1:$kafka_port" run_path kafka
