#!/usr/bin/env bash
# A throwaway single-node KRaft broker for development while the stack manager is built.
#   scripts/dev/scratch-kafka.sh NAME PORT      starts it (data and log in .stack/scratch/NAME), prints its pid
#   kill $(cat .stack/scratch/NAME/pid)          stops it
set -euo pipefail
name=$1; port=$2; ctl=$((port + 1))
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=$root/.stack/scratch/$name
libs=$root/.stack/kafka/libs
[ -d "$libs" ] || mvn -q -B -f "$root/infra/kafka/pom.xml" dependency:copy-dependencies -Dkafka.libs="$libs"
rm -rf "$dir"; mkdir -p "$dir"
cat > "$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$ctl
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$ctl
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/data
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
num.partitions=1
auto.create.topics.enable=false
PROPS
cat > "$dir/log4j2.properties" <<'PROPS'
status = error
appender.file.type = Console
appender.file.name = OUT
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = OUT
PROPS
java -cp "$libs/*" kafka.tools.StorageTool format -t "$(java -cp "$libs/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)" -c "$dir/server.properties" >/dev/null 2>&1
nohup java -Xmx768m -cp "$libs/*" -Dlog4j2.configurationFile="$dir/log4j2.properties" kafka.Kafka "$dir/server.properties" >"$dir/kafka.log" 2>&1 &
echo $! > "$dir/pid"
for _ in $(seq 1 60); do
  if grep -q "Kafka Server started" "$dir/kafka.log" 2>/dev/null; then echo "scratch kafka $name on 127.0.0.1:$port pid $(cat "$dir/pid")"; exit 0; fi
  sleep 0.5
done
echo "scratch kafka $name did not start: see $dir/kafka.log" >&2; exit 1
