#!/usr/bin/env bash
# Peers side by side: builds the benchmarks, runs PeerBenchmark (flagd's in-process provider, the
# Unleash Java SDK offline, Rollgate's client, Rollgate through OpenFeature) in one JMH run with the
# gc profiler, and prints docs/benchmarks.md's markdown table from JMH's JSON result.
#
# Usage: rollgate-bench/peers-jmh.sh [JMH options]    e.g. -f 1 -wi 3 -w 1 -i 5 -r 1 for a short run
#        rollgate-bench/peers-jmh.sh --table RESULT.json   (only print the table of an earlier run)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"

table() {
  python3 - "$1" <<'PY'
import json, math, sys

SYSTEMS = ["flagd", "unleash", "rollgate-client", "rollgate-openfeature"]
HEADINGS = {"flagd": "flagd (OpenFeature, in-process)", "unleash": "Unleash SDK (offline)",
            "rollgate-client": "Rollgate client", "rollgate-openfeature": "Rollgate via OpenFeature"}
SHAPES = [("staticFlag", "static flag"), ("threeConditionRule", "rule: in, ==, sem_ver"),
          ("fractional25", "25% fractional")]

def number(x):
    try:
        x = float(x)
    except (TypeError, ValueError):
        return math.nan
    return x

def fmt(x):
    if math.isnan(x):
        return "?"
    return f"{x:,.0f}" if x >= 100 else f"{x:.3g}"

results = {}
for r in json.load(open(sys.argv[1])):
    shape = r["benchmark"].rsplit(".", 1)[1]
    p = r["primaryMetric"]
    norm = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", {}).get("score")
    results[(shape, r["params"]["system"])] = (number(p["score"]), number(p["scoreError"]), number(norm))

def cell(shape, system):
    if (shape, system) not in results:
        return "not run"
    ns, err, b = results[(shape, system)]
    time = fmt(ns) + ("" if math.isnan(err) else " ± " + fmt(err))
    # Below one byte is JMH's measurement floor: nothing allocated per evaluation.
    alloc = "?" if math.isnan(b) else ("≈ 0" if b < 1 else fmt(b))
    return f"{time} ns, {alloc} B"

print("| shape | " + " | ".join(HEADINGS[s] for s in SYSTEMS) + " |")
print("| --- |" + " --- |" * len(SYSTEMS))
for shape, name in SHAPES:
    print(f"| {name} | " + " | ".join(cell(shape, s) for s in SYSTEMS) + " |")

print()
print("Time of the peer ÷ time of Rollgate (above 1: Rollgate is faster):")
print()
pairs = [(r, p) for r in ("rollgate-client", "rollgate-openfeature") for p in ("flagd", "unleash")]
print("| shape | " + " | ".join(f"{p} ÷ {HEADINGS[r]}" for r, p in pairs) + " |")
print("| --- |" + " --- |" * len(pairs))
for shape, name in SHAPES:
    cells = []
    for r, p in pairs:
        if (shape, r) in results and (shape, p) in results:
            cells.append(f"{results[(shape, p)][0] / results[(shape, r)][0]:.1f}x")
        else:
            cells.append("?")
    print(f"| {name} | " + " | ".join(cells) + " |")
PY
}

if [[ "${1:-}" == "--table" ]]; then
  table "$2"
  exit 0
fi

cd "$root"
./mvnw -q -B -ntp -pl rollgate-bench -am package -DskipTests -Djacoco.skip=true -Drollgate.fuzz.skip=true
result="$root/rollgate-bench/target/peers-jmh.json"
echo "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
"$JAVA_HOME/bin/java" -jar rollgate-bench/target/benchmarks.jar PeerBenchmark \
  -prof gc -rf json -rff "$result" "$@" >&2
echo "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "JMH's result: $result" >&2
table "$result"
