#!/usr/bin/env bash
# Batched raw READ flood (Flood.java: sendmmsg/recvmmsg, W requests in flight) against AoEde
# with transport pcap, then afpacket, then vblade, on one veth pair between two namespaces made
# here; prints replies/s and the target's CPU µs per reply (/proc). Not a test; numbers only.
#   sudo bundles/transport-afpacket/bench/flood.sh [SECONDS] [SECTORS] [MTU]
set -euo pipefail
cd "$(dirname "$0")/../../.."
SECS=${1:-5}; SECTORS=${2:-2}; MTU=${3:-1500}
P=aoeb$$; NT=${P}t; NI=${P}i; VT=${P}t0; VI=${P}i0
WORK=$(mktemp -d /dev/shm/${P}.XXXX)
FL=$(mktemp -d); javac -d "$FL" -cp "$PWD/bundles/initiator/target/aoede-initiator.jar" "$PWD/bundles/transport-afpacket/bench/Flood.java"
CP=$PWD/bundles/initiator/target/aoede-initiator.jar:$FL
KPID=""; VB=""
cleanup() {
  [ -n "$KPID" ] && kill -9 "$KPID" 2>/dev/null || true
  [ -n "$VB" ] && kill "$VB" 2>/dev/null || true
  ip netns del "$NT" 2>/dev/null || true; ip netns del "$NI" 2>/dev/null || true
  rm -rf "$WORK" "$FL"
}
trap cleanup EXIT
ip netns add "$NT"; ip netns add "$NI"
ip -n "$NT" link add "$VT" type veth peer name "$VI" netns "$NI"
ip -n "$NT" link set "$VT" up; ip -n "$NI" link set "$VI" up
ip -n "$NT" link set "$VT" mtu "$MTU"; ip -n "$NI" link set "$VI" mtu "$MTU"
TMAC=$(ip -n "$NT" -o link show "$VT" | sed 's/.*link\/ether \([0-9a-f:]*\).*/\1/')
truncate -s 1G "$WORK/disk.img"
TCK=$(getconf CLK_TCK)
cpu() { awk '{print $14+$15}' /proc/$1/stat; }
flood() { # label pid window
  c0=$(cpu "$2")
  out=$(ip netns exec "$NI" java -cp "$CP" Flood "$VI" "$TMAC" "$3" "$SECS" "$SECTORS")
  c1=$(cpu "$2")
  rps=$(sed -n 's/.*replies\/s=\([0-9]*\).*/\1/p' <<<"$out")
  printf '%-9s %s target_cpu_us_per_reply=%s\n' "$1" "$out" "$(awk -v a=$c0 -v b=$c1 -v t=$TCK -v r=$rps -v s=$SECS 'BEGIN{printf "%.2f", (b-a)/t*1e6/(r*s)}')"
}
(cd "$WORK" && unzip -q "$OLDPWD"/karaf-assembly/target/aoede-karaf-*.zip && mv aoede-karaf-*/ karaf)
printf 'shelf = 1\nslot = 0\ninterfaces = %s\nfile = %s\ntransport = pcap\n' "$VT" "$WORK/disk.img" > "$WORK/karaf/etc/org.aoede.export-bench.cfg"
JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64 ip netns exec "$NT" "$WORK/karaf/bin/karaf" server >/dev/null 2>&1 &
for _ in $(seq 1 90); do grep -q "e1.0 answering" "$WORK/karaf/data/log/karaf.log" 2>/dev/null && break; sleep 1; done
KPID=$(pgrep -f "karaf.home=$WORK" | head -1)
for T in pcap afpacket; do
  n=$(grep -c "e1.0 answering" "$WORK/karaf/data/log/karaf.log")
  if [ $T = afpacket ]; then
    printf 'shelf = 1\nslot = 0\ninterfaces = %s\nfile = %s\ntransport = afpacket\n' "$VT" "$WORK/disk.img" > "$WORK/karaf/etc/org.aoede.export-bench.tmp"
    mv "$WORK/karaf/etc/org.aoede.export-bench.tmp" "$WORK/karaf/etc/org.aoede.export-bench.cfg"
    for _ in $(seq 1 60); do [ "$(grep -c "e1.0 answering" "$WORK/karaf/data/log/karaf.log")" -gt "$n" ] && break; sleep 1; done
  fi
  flood "$T" "$KPID" 64 >/dev/null
  for w in 16 64; do flood "$T" "$KPID" $w; done
done
kill -9 "$KPID"; KPID=""
sleep 1
ip netns exec "$NT" vblade 1 0 "$VT" "$WORK/disk.img" >/dev/null 2>&1 &
VB=$!
sleep 1
for w in 16 64; do flood vblade "$VB" $w; done
