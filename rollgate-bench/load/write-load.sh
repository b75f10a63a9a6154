#!/usr/bin/env bash
# Admin write latency as a project grows: for each store (SQLite, then PostgreSQL: a fresh schema of
# the local database `test`) starts a server, seeds projects of 100, 1,000 and 10,000 flags (in all
# three environments) and times single-flag writes one at a time, then from 4 writers at once.
# Usage: rollgate-bench/load/write-load.sh [writes] [sizes...]   (default: 300 writes; 100 1000 10000)
# WRITE_LOAD_STORES="sqlite" or "postgresql" measures one store alone.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
writes="${1:-300}"
shift || true
sizes=("${@:-100 1000 10000}")
read -r -a sizes <<<"${sizes[*]}"
java="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
jar="$root/rollgate-bench/target/benchmarks.jar"
[ -f "$jar" ] || { echo "build it first: ./mvnw -q -DskipTests package" >&2; exit 2; }
port=18440
schema="writes_$(date +%s)"
data="$(mktemp -d)"
server=""
cleanup() {
  [ -n "$server" ] && { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
  psql -w -h 127.0.0.1 -U postgres -d test -qc "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true
  rm -rf "$data"
}
trap cleanup EXIT

run_store() { # $1: store name; the environment says which store
  ROLLGATE_ADMIN_TOKEN=bench-admin ROLLGATE_RATE_LIMIT_WRITES=0 ROLLGATE_MAX_BODY_BYTES=16777216 \
    "$root/rollgate" serve --port "$port" --data-dir "$data/$1" >"$data/$1.log" 2>&1 &
  server=$!
  for _ in $(seq 1 360); do curl -sf "localhost:$port/ready" >/dev/null && break; sleep 0.5; done
  curl -sf "localhost:$port/ready" >/dev/null ||
    { echo "$1: the server did not get ready in 3 minutes; its log:" >&2; tail -20 "$data/$1.log" >&2; exit 1; }
  echo
  echo "$1 ($writes writes per size, then 4 writers sharing $writes):"
  echo "| flags | p50 ms | p99 ms | max ms | writes/s, 1 writer | writes/s, 4 writers |"
  echo "| --- | --- | --- | --- | --- | --- |"
  for size in "${sizes[@]}"; do
    "$java" -cp "$jar" dev.rollgate.bench.WriteLoad "http://127.0.0.1:$port" bench-admin "$size" "$writes" 4
  done
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
}

mkdir -p "$data/sqlite" "$data/postgresql"
stores=" ${WRITE_LOAD_STORES:-sqlite postgresql} " # WRITE_LOAD_STORES=postgresql: that one alone
if [[ "$stores" == *" sqlite "* ]]; then run_store sqlite; fi
if [[ "$stores" != *" postgresql "* ]]; then exit 0; fi
if psql -w -h 127.0.0.1 -U postgres -d test -qc "CREATE SCHEMA $schema" 2>/dev/null; then
  ROLLGATE_DB_URL="jdbc:postgresql://127.0.0.1:5432/test?user=postgres&currentSchema=$schema" run_store postgresql
else
  echo "no PostgreSQL at 127.0.0.1:5432 (database test): PostgreSQL skipped" >&2
fi
