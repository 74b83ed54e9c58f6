#!/usr/bin/env bash
# A quick side-by-side: the project's initiator `bench` against AoEde and against Debian's vblade,
# on the same veth pair between two namespaces made here, one after the other, on the same
# image in tmpfs. Prints one line per run. (The full benchmark matrix: bench/run.sh.)
#   sudo scripts/bench-vs-vblade.sh [SECONDS] [QD]
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-5}; QD=${2:-16}
P=aoeb$$; NT=${P}t; NI=${P}i; VT=${P}t0; VI=${P}i0
WORK=$(mktemp -d /dev/shm/${P}.XXXX)
JAR=$PWD/bundles/initiator/target/aoede-initiator.jar
cleanup() {
  pkill -9 -f "karaf.home=$WORK" 2>/dev/null || true
  [ -n "${VB:-}" ] && kill "$VB" 2>/dev/null || true
  ip netns del "$NT" 2>/dev/null || true; ip netns del "$NI" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)" >&2; exit 1; }
ls karaf-assembly/target/aoede-karaf-*.zip "$JAR" >/dev/null
ip netns add "$NT"; ip netns add "$NI"
ip -n "$NT" link add "$VT" type veth peer name "$VI" netns "$NI"
ip -n "$NT" link set "$VT" up; ip -n "$NI" link set "$VI" up
truncate -s 256M "$WORK/disk.img"

bench() {  # label
  for p in randread randwrite seqread seqwrite; do
    printf '%-7s ' "$1"
    ip netns exec "$NI" java -jar "$JAR" bench -i "$VI" 1.0 --pattern $p --sectors 2 --qd "$QD" --seconds "$SECS" | sed 's/^bench //'
  done
}

(cd "$WORK" && unzip -q "$OLDPWD"/karaf-assembly/target/aoede-karaf-*.zip && mv aoede-karaf-*/ karaf)
printf 'shelf = 1\nslot = 0\ninterfaces = %s\nfile = %s\n' "$VT" "$WORK/disk.img" > "$WORK/karaf/etc/org.aoede.export-bench.cfg"
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64} ip netns exec "$NT" "$WORK/karaf/bin/karaf" server >/dev/null 2>&1 &
for _ in $(seq 1 90); do grep -q "e1.0 answering" "$WORK/karaf/data/log/karaf.log" 2>/dev/null && break; sleep 1; done
bench aoede
pkill -9 -f "karaf.home=$WORK" || true
sleep 1
ip netns exec "$NT" vblade 1 0 "$VT" "$WORK/disk.img" >/dev/null 2>&1 &
VB=$!
sleep 1
bench vblade
