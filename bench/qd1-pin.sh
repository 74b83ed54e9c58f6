#!/usr/bin/env bash
# QD1 randread, initiator on CPU 0: the appliance with its whole JVM on CPU 0, the appliance with only
# its receive thread on CPU 0 (other threads on CPU 1), and vblade on CPU 0; three rounds. The idle
# target is stopped with SIGSTOP. Root; built tree. RXRING=true for a build with the rx-ring option.
#   sudo bench/qd1-pin.sh
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ZIP=$(ls "$ROOT"/karaf-assembly/target/aoede-karaf-*.zip | head -1)
JAR=$ROOT/bundles/initiator/target/aoede-initiator.jar
JAVA=/usr/lib/jvm/java-17-openjdk-amd64/bin/java
KPID=; VPID=; P=aoeq$$; NT=${P}t; NI=${P}i; W=/tmp/$P; mkdir -p $W
cleanup() { kill -CONT $KPID $VPID 2>/dev/null || true; pkill -f "karaf.home=$W/karaf" || true; pkill -f "vblade 1 1 ${P}t0" || true; sleep 1; ip netns del $NT 2>/dev/null || true; ip netns del $NI 2>/dev/null || true; rm -rf $W /dev/shm/$P.img; }
trap cleanup EXIT
ip netns add $NT; ip netns add $NI
ip link add ${P}t0 netns $NT type veth peer name ${P}i0 netns $NI
ip -n $NT link set ${P}t0 up; ip -n $NI link set ${P}i0 up
truncate -s 1G /dev/shm/$P.img
ini() { ip netns exec $NI taskset -c 0 $JAVA -Xms256m -jar $JAR "$@" --transport afpacket -i ${P}i0 | grep '^bench' | sed 's/.*iops=\([0-9]*\).*p50_us=\([0-9]*\) p99_us=\([0-9]*\).*/iops=\1 p50=\2 p99=\3/'; }
ticks() { awk '{print $14+$15}' /proc/$1/stat; }
(cd $W && unzip -q $ZIP && mv aoede-karaf-*/ karaf)
[ -n "${RXRING:-}" ] && printf 'rx-ring = %s\n' "$RXRING" > $W/karaf/etc/org.aoede.transport.afpacket.cfg
printf 'shelf = 1\nslot = 0\ninterfaces = %s\nfile = %s\ntransport = afpacket\n' ${P}t0 /dev/shm/$P.img > $W/karaf/etc/org.aoede.export-bench.cfg
(ip netns exec $NT $W/karaf/bin/karaf server > $W/out 2>&1 &)
for i in $(seq 1 90); do grep -q "answering on" $W/karaf/data/log/karaf.log 2>/dev/null && break; sleep 1; done
KPID=$(pgrep -f "karaf.home=$W/karaf" | head -1)
RX=$(grep -l "aoede-afpacket-${P}" /proc/$KPID/task/*/comm 2>/dev/null | head -1 | cut -d/ -f5)
[ -n "$RX" ] || RX=$(for t in /proc/$KPID/task/*; do c=$(cat $t/comm); case "$c" in aoede-afpacket-*) case "$c" in *watch*) ;; *) echo ${t##*/};; esac;; esac; done | head -1)
echo "receive thread $RX ($(cat /proc/$KPID/task/$RX/comm))"
ip netns exec $NT taskset -c 0 vblade 1 1 ${P}t0 /dev/shm/$P.img > /dev/null 2>&1 &
sleep 1; VPID=$(pgrep -f "vblade 1 1 ${P}t0" | head -1)
kill -STOP $VPID; taskset -a -p -c 0 $KPID > /dev/null; ini bench 1.0 --pattern randread --sectors 2 --qd 1 --seconds 2 > /dev/null
for round in 1 2 3; do
  taskset -a -p -c 0 $KPID > /dev/null
  t0=$(ticks $KPID); r=$(ini bench 1.0 --pattern randread --sectors 2 --qd 1 --seconds 3); t1=$(ticks $KPID)
  echo "all-on-0   $r ticks=$((t1-t0))"
  taskset -a -p -c 1 $KPID > /dev/null; taskset -p -c 0 $RX > /dev/null
  t0=$(ticks $KPID); r=$(ini bench 1.0 --pattern randread --sectors 2 --qd 1 --seconds 3); t1=$(ticks $KPID)
  echo "rx-only-0  $r ticks=$((t1-t0))"
  kill -STOP $KPID; kill -CONT $VPID; sleep 0.3
  t0=$(ticks $VPID); r=$(ini bench 1.1 --pattern randread --sectors 2 --qd 1 --seconds 3); t1=$(ticks $VPID)
  echo "vblade     $r ticks=$((t1-t0))"
  kill -STOP $VPID; kill -CONT $KPID; sleep 0.3
done
