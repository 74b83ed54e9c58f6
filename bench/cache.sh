#!/usr/bin/env bash
# Cache benchmark: where the cache extension helps, and that it never hurts correctness.
# The appliance serves two exports of equal images in direct mode (O_DIRECT: no page cache) with the
# simulated slow device cache.test-latency-us (this machine has no slow disk):
#   nocache (e5.1): extensions = cache, cache.size = 0, cache.coalesce = false (the latency only)
#   cache   (e5.2): extensions = cache, cache.size = CACHE (read cache, read-ahead, write coalescing)
# For each pattern the project's initiator runs `bench` against both (AF_PACKET on both ends), then
# `verify` checks both exports. Prints a markdown table with IOPS, MB/s, p50/p99 and the cache
# statistics of each run (deltas of aoe:show), and the verify results.
#
#   sudo bench/cache.sh [--seconds S] [--latency-us N] [--qd N] [--mtu 1500|9000] [--size-mb N]
#                       [--cache SIZE] [--patterns LIST]
#
# Defaults: 5 s per run after 1 s of warm-up, 200 us, QD 16, MTU 1500, 64 MiB images, a 32M cache,
# randread,randwrite,seqread,seqwrite. Everything runs in two network namespaces made here
# (aoec<PID>t, aoec<PID>i) on one veth pair; the namespaces and files are removed at the end.
# Needs root, the built initiator and assembly (mvn -B install -DskipTests), a file system with
# O_DIRECT under /var/tmp (not tmpfs). A measurement, not a test: it never fails on slow numbers.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

SECS=5; WARM=1; LAT=200; QD=16; MTU=1500; SIZE_MB=64; CACHE=32M
PATTERNS=randread,randwrite,seqread,seqwrite
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) SECS=$2; shift ;;
    --latency-us) LAT=$2; shift ;;
    --qd) QD=$2; shift ;;
    --mtu) MTU=$2; shift ;;
    --size-mb) SIZE_MB=$2; shift ;;
    --cache) CACHE=$2; shift ;;
    --patterns) PATTERNS=$2; shift ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[ "$(id -u)" = 0 ] || { echo "run as root: sudo bench/cache.sh" >&2; exit 2; }
JAR=$ROOT/bundles/initiator/target/aoede-initiator.jar
ZIP=$(ls "$ROOT"/karaf-assembly/target/aoede-karaf-*.zip 2>/dev/null | head -1 || true)
[ -f "$JAR" ] && [ -n "$ZIP" ] || { echo "build first: mvn -B install -DskipTests" >&2; exit 2; }
if [ -z "${JAVA_HOME:-}" ] && [ -d /usr/lib/jvm/java-17-openjdk-amd64 ]; then
  export JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64
fi
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
SECTORS=2; [ "$MTU" = 9000 ] && SECTORS=17

P=aoec$$; NT=${P}t; NI=${P}i; VT=${P}t0; VI=${P}i0
WORK=$(mktemp -d /var/tmp/${P}.XXXX)
KPID=""
cleanup() {
  set +e
  [ -n "$KPID" ] && kill -9 "$KPID" 2>/dev/null
  ip netns del "$NT" 2>/dev/null
  ip netns del "$NI" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

ip netns add "$NT"; ip netns add "$NI"
ip -n "$NT" link add "$VT" type veth peer name "$VI" netns "$NI"
ip -n "$NT" link set lo up; ip -n "$NI" link set lo up
ip -n "$NT" link set "$VT" mtu "$MTU" up; ip -n "$NI" link set "$VI" mtu "$MTU" up

for img in nocache cache; do
  fallocate -l "${SIZE_MB}M" "$WORK/$img.img" 2>/dev/null || truncate -s "${SIZE_MB}M" "$WORK/$img.img"
done
(cd "$WORK" && unzip -q "$ZIP" && mv aoede-karaf-*/ karaf)
K=$WORK/karaf
export_cfg() { # name slot cache-lines
  printf 'shelf = 5\nslot = %s\ninterfaces = %s\nfile = %s\ntransport = afpacket\ndirect = true\nextensions = cache\ncache.test-latency-us = %s\n%b' \
    "$2" "$VT" "$WORK/$1.img" "$LAT" "$3" > "$K/etc/org.aoede.export-$1.tmp"
  mv "$K/etc/org.aoede.export-$1.tmp" "$K/etc/org.aoede.export-$1.cfg"
}
export_cfg nocache 1 'cache.size = 0\ncache.coalesce = false\n'
export_cfg cache 2 "cache.size = $CACHE\n"
log "starting the appliance in $NT (work dir $WORK)"
(ip netns exec "$NT" "$K/bin/karaf" server >"$WORK/karaf.out" 2>&1 &)
for _ in $(seq 1 120); do KPID=$(pgrep -f "karaf.home=$K" | head -1 || true); [ -n "$KPID" ] && break; sleep 0.5; done
for _ in $(seq 1 120); do
  c=$(grep -c 'e5\.[12] answering on' "$K/data/log/karaf.log" 2>/dev/null || true)
  [ "${c:-0}" -ge 2 ] && break; sleep 1
done
grep -q 'e5\.2 answering on' "$K/data/log/karaf.log" || { log "the exports did not come up"; tail -20 "$K/data/log/karaf.log" >&2; exit 1; }

initiator() { ip netns exec "$NI" "$JAVA" -Xms256m -jar "$JAR" "$@" --transport afpacket -i "$VI"; }
# stats NAME: the export's cache-* and store-* counters from aoe:show, as key=value lines
stats() {
  local pass; pass=$(cat "$K/etc/aoede-admin.password")
  echo "aoe:show $1" | ip netns exec "$NT" "$K/bin/client" -u admin -p "$pass" -b 2>/dev/null \
    | tr ' ' '\n' | grep -E '^(cache|store)-[a-z-]+=[0-9]+$' || true
}
stat_of() { local v; v=$(sed -n "s/^$2=//p" <<<"$1" | head -1); echo "${v:-0}"; }   # aoe:show leaves out zeros
delta() { local a b; a=$(stat_of "$1" "$3"); b=$(stat_of "$2" "$3"); echo $(( ${b:-0} - ${a:-0} )); }
field() { sed -n "s/.*[ ^]$2=\([^ ]*\).*/\1/p" <<<"$1" | head -1; }

ROWS=""
for pat in ${PATTERNS//,/ }; do
  for name in nocache cache; do
    slot=1; [ "$name" = cache ] && slot=2
    before=$(stats "$name")
    log "$pat on $name"
    out=$(initiator bench 5.$slot --pattern "$pat" --sectors "$SECTORS" --qd "$QD" --warmup "$WARM" --seconds "$SECS" 2>&1 \
      | grep '^bench ' || echo "bench failed")
    after=$(stats "$name")
    if [ "$name" = cache ]; then
      cs="$(delta "$before" "$after" cache-hits) / $(delta "$before" "$after" cache-misses) / $(delta "$before" "$after" cache-readahead-hits) / $(delta "$before" "$after" cache-coalesced-writes) / $(delta "$before" "$after" cache-vectored-writes) / $(stat_of "$after" cache-bytes-pending-force)"
    else
      cs="-"
    fi
    ROWS+="| $pat | $name | $(field "$out" iops) | $(field "$out" mbps) | $(field "$out" p50_us) | $(field "$out" p99_us) | $(field "$out" retransmits) | $(field "$out" errors) | $cs |"$'\n'
  done
done

VERIFY=""
for name in nocache cache; do
  slot=1; [ "$name" = cache ] && slot=2
  log "verify $name"
  v=$(initiator verify 5.$slot --count-frames 20000 --qd "$QD" --seed 7 2>&1 | grep '^verify ' || echo "verify failed")
  VERIFY+="- $name: mismatches=$(field "$v" mismatches) errors=$(field "$v" errors) frames=$(field "$v" frames) seconds=$(field "$v" seconds)"$'\n'
done

echo
echo "Cache bench, $(date -u '+%Y-%m-%d %H:%M UTC'), \`sudo bench/cache.sh $*\`: direct mode, ${LAT} us injected store latency (simulated slow device), MTU $MTU ($SECTORS sectors a frame), QD $QD, ${SIZE_MB} MiB images, cache.size $CACHE, $SECS s per run after $WARM s warm-up, AF_PACKET on both ends, $(nproc) CPUs shared by initiator and appliance."
echo
echo "| pattern | export | IOPS | MB/s | p50 µs | p99 µs | retransmits | errors | cache hits / misses / read-ahead hits / coalesced writes / vectored writes / bytes pending force |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
printf '%s' "$ROWS"
echo
echo "verify (QD $QD, 20000 frames, write then read back) after the runs:"
printf '%s' "$VERIFY"
