#!/usr/bin/env bash
# A single-node Apache Kafka broker (KRaft: broker and controller in one process) from the kafka_2.13
# that Maven resolves for this module, to try ROLLGATE_EVENTS_KAFKA and for events-load.sh. Not for
# production: one node, no replication, plaintext on loopback.
# Usage: rollgate-kafka-broker/kafka.sh [port] [dir] [partitions]   (defaults: 9092 ./kafka-data 4)
# Runs in the foreground (Ctrl-C stops it); a topic is created on first use with [partitions]
# partitions; the controller listens on [port]+1.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
port="${1:-9092}"
dir="${2:-./kafka-data}"
partitions="${3:-4}"
java="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
classpath_file="$root/rollgate-kafka-broker/target/broker.classpath"
if [ ! -f "$classpath_file" ]; then
  (cd "$root" && JAVA_HOME="$(dirname "$(dirname "$java")")" ./mvnw -q -B -ntp -pl rollgate-kafka-broker generate-resources)
fi
classpath="$(cat "$classpath_file")"
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
cat >"$dir/server.properties" <<PROPERTIES
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$((port + 1))
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$((port + 1))
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/data
num.partitions=$partitions
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPERTIES
if [ ! -f "$dir/data/meta.properties" ]; then
  cluster=""
  while [ -z "$cluster" ] || [ "${cluster:0:1}" = "-" ]; do # a Kafka id: 16 bytes, base64url
    cluster="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
  done
  "$java" -cp "$classpath" kafka.tools.StorageTool format -t "$cluster" -c "$dir/server.properties" >/dev/null
fi
echo "kafka: 127.0.0.1:$port (data in $dir)" >&2
exec "$java" -Xmx512m -cp "$classpath" kafka.Kafka "$dir/server.properties"
