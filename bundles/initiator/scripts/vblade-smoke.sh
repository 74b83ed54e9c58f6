#!/bin/bash
# Runs the initiator CLI against Debian's vblade, both in private network namespaces joined by a
# veth pair made here (AoE broadcasts never reach a real interface). Needs root. Usage:
#   bundles/initiator/scripts/vblade-smoke.sh [BENCH_SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../../.."
JAR=bundles/initiator/target/aoede-initiator.jar
SECS=${1:-5}
P=aoeini$$
NS1=${P}t NS2=${P}i V1=${P}a V2=${P}b
IMG=$(mktemp /tmp/${P}.XXXXXX.img)
VPID=
cleanup() {
    [ -n "$VPID" ] && kill "$VPID" 2>/dev/null || true
    ip netns del "$NS1" 2>/dev/null || true
    ip netns del "$NS2" 2>/dev/null || true
    rm -f "$IMG" /tmp/${P}.vblade.log
}
trap cleanup EXIT
truncate -s 64M "$IMG"
ip netns add "$NS1"
ip netns add "$NS2"
# Create the pair inside NS1 and move one end: it never exists in the root namespace.
ip -n "$NS1" link add "$V1" type veth peer name "$V2"
ip -n "$NS1" link set "$V2" netns "$NS2"
ip -n "$NS1" link set "$V1" up
ip -n "$NS2" link set "$V2" up
ip -n "$NS1" link set lo up
ip -n "$NS2" link set lo up
ip netns exec "$NS1" /usr/sbin/vblade 1 0 "$V1" "$IMG" >/tmp/${P}.vblade.log 2>&1 &
VPID=$!
sleep 1
ini() { echo "+ $*"; ip netns exec "$NS2" java -jar "$JAR" "$1" -i "$V2" "${@:2}"; }
ini discover --wait-ms 500
ini identify 1.0
ini write 1.0 --lba 100 --count 7 --pattern 5
ini read 1.0 --lba 100 --count 7
ini verify 1.0 --seed 7 --all --qd 16
ini verify 1.0 --seed 8 --count-frames 2000 --qd 4
ini flush 1.0 || true
ini ata 1.0 --cmd 24 --aflags 40 --count 1 --lba 131072 || true
ini config 1.0 --read
ini config 1.0 --test nomatch || true
for p in randread randwrite seqread seqwrite; do
    ini bench 1.0 --pattern $p --qd 16 --seconds "$SECS"
done
