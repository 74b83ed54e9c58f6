#!/usr/bin/env bash
# MTU 9000 seqread QD16 tail: the appliance vs vblade on one veth pair (the idle one stopped with
# SIGSTOP), with GC counts (jstat) and ksoftirqd CPU time around each run. Root; built tree.
#   sudo bench/tail9000.sh
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ZIP=$(ls "$ROOT"/karaf-assembly/target/aoede-karaf-*.zip | head -1)
JAR=$ROOT/bundles/initiator/target/aoede-initiator.jar
J=/usr/lib/jvm/java-17-openjdk-amd64/bin
P=aoeg$$; NT=${P}t; NI=${P}i; W=/tmp/$P; mkdir -p $W
cleanup() { [ -n "${KPID:-}" ] && kill -CONT $KPID 2>/dev/null; pkill -f "vblade 1 1 ${P}t0" || true; pkill -f "karaf.home=$W/karaf" || true; sleep 1; ip netns del $NT 2>/dev/null || true; ip netns del $NI 2>/dev/null || true; rm -rf $W /dev/shm/$P.img; }
trap cleanup EXIT
ip netns add $NT; ip netns add $NI
ip link add ${P}t0 netns $NT type veth peer name ${P}i0 netns $NI
ip -n $NT link set ${P}t0 mtu 9000 up; ip -n $NI link set ${P}i0 mtu 9000 up
truncate -s 1G /dev/shm/$P.img
(cd $W && unzip -q $ZIP && mv aoede-karaf-*/ karaf)
printf 'shelf = 1\nslot = 0\ninterfaces = %s\nfile = %s\ntransport = afpacket\n' ${P}t0 /dev/shm/$P.img > $W/karaf/etc/org.aoede.export-bench.cfg
(ip netns exec $NT $W/karaf/bin/karaf server > $W/out 2>&1 &)
for i in $(seq 1 90); do grep -q "answering on" $W/karaf/data/log/karaf.log 2>/dev/null && break; sleep 1; done
KPID=$(pgrep -f "karaf.home=$W/karaf" | head -1)
ini() { ip netns exec $NI $J/java -Xms256m -jar $JAR "$@" --transport afpacket -i ${P}i0 | grep '^bench' | sed 's/.*iops=\([0-9]*\).*p50_us=\([0-9]*\) p99_us=\([0-9]*\) retransmits=\([0-9]*\).*/iops=\1 p50=\2 p99=\3 re=\4/'; }
ini bench 1.0 --pattern seqread --sectors 17 --qd 16 --seconds 2 >/dev/null
ksi() { for p in $(pgrep ksoftirqd); do awk '{s+=$14+$15} END {printf "%d ", s}' /proc/$p/stat; done; echo; }
for round in 1 2; do
  kill -CONT $KPID; sleep 0.5
  echo "ksoftirqd ticks before: $(ksi)"; echo "appliance $(ini bench 1.0 --pattern seqread --sectors 17 --qd 16 --seconds 4)"; echo "ksoftirqd ticks after: $(ksi)"
  kill -STOP $KPID
  ip netns exec $NT vblade 1 1 ${P}t0 /dev/shm/$P.img > /dev/null 2>&1 &
  VP=$!; sleep 1
  echo "ksoftirqd ticks before: $(ksi)"; echo "vblade $(ini bench 1.1 --pattern seqread --sectors 17 --qd 16 --seconds 4)"; echo "ksoftirqd ticks after: $(ksi)"
  kill $VP; wait $VP 2>/dev/null || true
done
kill -CONT $KPID
