#!/usr/bin/env bash
# Stream fan-out: one server (SQLite) and 10,000 SDK event streams (GET /api/v1/stream) on loopback
# with one SDK token; a flag changes 5 times and each stream's delivery time is measured, with the
# server's resident memory before, while the streams are open and after each change.
# Usage: rollgate-bench/load/fanout.sh [clients] [changes]   (default: 10000 5)
# The server runs as an operator would run it for this many streams:
# - ROLLGATE_MAX_STREAMS_PER_TOKEN: one token holds at most 1,000 streams per replica by default;
#   here all the streams share one token, so the limit is raised to the number of clients.
# - the open-file limit is raised to the hard limit (each stream is a socket in both processes).
# ROLLGATE_JAVA_OPTS, when set, is passed to the server's JVM (for example to profile it).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
clients="${1:-10000}"
changes="${2:-5}"
java="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
jar="$root/rollgate-bench/target/benchmarks.jar"
[ -f "$jar" ] || { echo "build it first: ./mvnw -q -DskipTests package" >&2; exit 2; }
ulimit -n "$(ulimit -Hn)"
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((clients + 1000)) ]; then
  echo "the open-file limit ($(ulimit -n)) is too low for $clients streams" >&2
  exit 2
fi
port=18450
data="$(mktemp -d)"
server=""
cleanup() {
  [ -n "$server" ] && { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
  rm -rf "$data"
}
trap cleanup EXIT
ROLLGATE_ADMIN_TOKEN=bench-admin ROLLGATE_MAX_STREAMS_PER_TOKEN="$clients" \
  "$root/rollgate" serve --port "$port" --data-dir "$data" >"$data/server.log" 2>&1 &
server=$! # the launcher execs java: this is the server's pid
for _ in $(seq 1 120); do curl -sf "localhost:$port/ready" >/dev/null && break; sleep 0.5; done
curl -sf "localhost:$port/ready" >/dev/null || { tail -20 "$data/server.log" >&2; exit 1; }
"$java" -Xmx256m -XX:+UseSerialGC -cp "$jar" dev.rollgate.bench.FanoutLoad \
  "http://127.0.0.1:$port" bench-admin "$server" "$clients" "$changes"
warnings='^[0-9T:.-]+Z (WARN|ERROR) '
if grep -qE "$warnings" "$data/server.log"; then
  echo "server warnings (most frequent first):" >&2
  grep -E "$warnings" "$data/server.log" | cut -d' ' -f2- | sort | uniq -c | sort -rn | head -5 >&2
fi
