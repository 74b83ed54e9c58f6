#!/bin/bash
# run-vm.sh — boot the AoE test VM (qemu, TCG) inside a network namespace on
# an existing tap device, and check the guest's AOEVM markers.
#
# Options (each also settable by the env var in brackets):
#   --netns NS      namespace that holds the tap          [AOEVM_NETNS]  required
#   --tap TAP       tap device inside NS (must exist)      [AOEVM_TAP]    required
#   --mtu N         guest eth0 MTU, 1500 or 9000           [AOEVM_MTU]    1500
#   --dev eX.Y      expected export, e.g. e1.0             [AOEVM_DEV]    e1.0
#   --sectors N     expected size in 512 B sectors, 0=any  [AOEVM_SECTORS] 0
#   --timeout S     overall timeout in seconds             [AOEVM_TIMEOUT] 300
#   --log FILE      full console log                       [AOEVM_LOG]  ./aoevm-console.log
#   --outdir DIR    where vmlinuz/initramfs live (built    [AOEVM_OUTDIR] /tmp/aoevm-build
#                   with build-initramfs.sh if missing)
#   --wait S        guest waits S s for the device         [AOEVM_WAIT] 60
#   --mode M        basic: write/read-back, mkfs, files,   [AOEVM_MODE] basic
#                   fsck; failover: mkfs, then files written
#                   while the host kills the serving target
#                   (guest-init.sh's failover()), fsck, sums
#   --files N       failover: files to write               [AOEVM_FILES] 24
#   --file-mib M    failover: MiB per file                 [AOEVM_FILEMB] 2
# Exit status: 0 when every marker is OK, 1 on a failed marker, 2 on timeout,
# 3 on usage / setup error.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)

NS=${AOEVM_NETNS:-}; TAP=${AOEVM_TAP:-}; MTU=${AOEVM_MTU:-1500}; DEV=${AOEVM_DEV:-e1.0}
SECTORS=${AOEVM_SECTORS:-0}; TIMEOUT=${AOEVM_TIMEOUT:-300}; LOG=${AOEVM_LOG:-$PWD/aoevm-console.log}
OUTDIR=${AOEVM_OUTDIR:-/tmp/aoevm-build}; WAIT=${AOEVM_WAIT:-60}
MODE=${AOEVM_MODE:-basic}; FILES=${AOEVM_FILES:-24}; FILEMB=${AOEVM_FILEMB:-2}
while [ $# -gt 0 ]; do
    case $1 in
        --netns) NS=$2 ;; --tap) TAP=$2 ;; --mtu) MTU=$2 ;; --dev) DEV=$2 ;;
        --sectors) SECTORS=$2 ;; --timeout) TIMEOUT=$2 ;; --log) LOG=$2 ;;
        --outdir) OUTDIR=$2 ;; --wait) WAIT=$2 ;;
        --mode) MODE=$2 ;; --files) FILES=$2 ;; --file-mib) FILEMB=$2 ;;
        -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
        *) echo "run-vm: unknown argument $1" >&2; exit 3 ;;
    esac
    shift 2
done
[ -n "$NS" ] && [ -n "$TAP" ] || { echo "run-vm: --netns and --tap are required" >&2; exit 3; }
case $DEV in e[0-9]*.[0-9]*) ;; *) echo "run-vm: --dev must look like e1.0" >&2; exit 3 ;; esac
case $MODE in basic|failover) ;; *) echo "run-vm: --mode must be basic or failover" >&2; exit 3 ;; esac
# safety: never attach to something outside a namespace we were given
ip netns exec "$NS" ip link show "$TAP" >/dev/null 2>&1 \
    || { echo "run-vm: tap $TAP does not exist in netns $NS" >&2; exit 3; }
TAPMTU=$(ip netns exec "$NS" cat "/sys/class/net/$TAP/mtu")
[ "$TAPMTU" -ge "$MTU" ] || echo "run-vm: WARNING: tap $TAP mtu $TAPMTU < guest mtu $MTU" >&2

if [ ! -f "$OUTDIR/vmlinuz" ] || [ ! -f "$OUTDIR/initramfs.cpio.gz" ]; then
    "$HERE/build-initramfs.sh" "$OUTDIR"
fi

# host_mtu advertises VIRTIO_NET_F_MTU (guest's initial MTU = host_mtu). It is
# not required: without it virtio_net still accepts "ip link set mtu 9000"
# (tested). AOEVM_HOST_MTU=0 leaves it out.
NETDEV="virtio-net-pci,netdev=n0,mac=52:54:00:a0:e0:01"
if [ "$MTU" -gt 1500 ] && [ "${AOEVM_HOST_MTU:-1}" != 0 ]; then NETDEV="$NETDEV,host_mtu=$MTU"; fi

APPEND="console=ttyS0 panic=-1 loglevel=6 aoevm_mtu=$MTU aoevm_dev=$DEV aoevm_sectors=$SECTORS aoevm_wait=$WAIT"
if [ "$MODE" = failover ]; then APPEND="$APPEND aoevm_mode=failover aoevm_files=$FILES aoevm_filemb=$FILEMB"; fi
mkdir -p "$(dirname "$LOG")"
echo "run-vm: netns=$NS tap=$TAP mtu=$MTU dev=$DEV sectors=$SECTORS mode=$MODE timeout=${TIMEOUT}s log=$LOG"
START=$(date +%s)
set +e
timeout -k 10 "$TIMEOUT" ip netns exec "$NS" qemu-system-x86_64 \
    -machine pc -accel tcg -cpu max -smp 1 -m 1024 \
    -nographic -no-reboot \
    -kernel "$OUTDIR/vmlinuz" -initrd "$OUTDIR/initramfs.cpio.gz" -append "$APPEND" \
    -netdev "tap,id=n0,ifname=$TAP,script=no,downscript=no" -device "$NETDEV" \
    </dev/null >"$LOG" 2>&1
QRC=$?
set -e
ELAPSED=$(( $(date +%s) - START ))
tr -d '\r' <"$LOG" >"$LOG.tmp" && mv "$LOG.tmp" "$LOG"

echo "run-vm: qemu exit $QRC after ${ELAPSED}s"
grep -a '^AOEVM ' "$LOG" | grep -av '^AOEVM DMESG' | sed 's/^/  /' || true
grep -a '^AOEVM DMESG' "$LOG" | sed 's/^/  /' || true

if [ $QRC -eq 124 ] || [ $QRC -eq 137 ]; then
    echo "run-vm: FAIL: TIMEOUT after ${TIMEOUT}s (last console lines follow; full log $LOG)" >&2
    tail -n 15 "$LOG" >&2
    exit 2
fi

ok=1
need() { grep -aqx -- "$1" "$LOG" || { echo "run-vm: missing marker: $1" >&2; ok=0; }; }
need "AOEVM DEV OK .*"
[ "$SECTORS" = 0 ] || need "AOEVM SIZE OK"
need "AOEVM MKFS OK"
if [ "$MODE" = failover ]; then
    need "AOEVM FAILOVER WRITING"
    need "AOEVM FAILOVER WRITTEN files=$FILES ms=[0-9]* errors=0"
    need "AOEVM FAILOVER MISMATCHES BEFORE 0"
    need "AOEVM FAILOVER MISMATCHES 0"
    need "AOEVM FAILOVER IOERRORS 0"
else
    need "AOEVM RW OK"
    need "AOEVM FILES OK"
fi
need "AOEVM FSCK OK 0"
need "AOEVM FAILS 0"
need "AOEVM DONE"
if [ $ok = 1 ]; then
    echo "run-vm: PASS (${ELAPSED}s)"
    exit 0
fi
echo "run-vm: FAIL (see $LOG)" >&2
exit 1
