#!/bin/bash
# selftest-vblade.sh — proves the VM harness end-to-end with Debian's vblade
# as the AoE target, and shows how to use aoetools against a target.
# Everything AoE runs inside a private network namespace (aoevm<pid>) on
# interfaces created here; all of it is removed on exit (trap).
#
#   Phase 1: tap only, vblade on the tap, guest MTU 1500  -> run-vm.sh, host e2fsck
#   Phase 2: same at MTU 9000 (tap mtu 9000, vblade restarted to pick it up)
#   Phase 3: bridge (tap + veth) with vblade on the bridge:
#            guest through the bridge, aoe-sancheck and aoeping from the veth
#            peer (direct: expected to FAIL, vblade sends unpadded 32 B
#            replies; through aoe-padrelay.py: expected to work)
#
# Usage: selftest-vblade.sh [OUTDIR]   (OUTDIR caches the kernel/initramfs,
#        default /tmp/aoevm-build; logs go to OUTDIR/logs)
# Needs root, qemu-system-x86, vblade, aoetools, e2fsprogs, python3.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUTDIR=${1:-/tmp/aoevm-build}
mkdir -p "$OUTDIR/logs"; OUTDIR=$(cd "$OUTDIR" && pwd)
LOGS=$OUTDIR/logs
ID=aoevm$$                 # namespace / interface prefix (<=15 chars per ifname)
NS=$ID
TAP=${ID}t; BR=${ID}b; VA=${ID}a; VP=${ID}p; VC=${ID}c; VD=${ID}d
WORK=$(mktemp -d /tmp/aoevm-selftest.XXXXXX)
IMG=$WORK/disk.img
SIZE_MB=256
SECTORS=$((SIZE_MB * 2048))
PIDS=()

X() { ip netns exec "$NS" "$@"; }
cleanup() {
    set +e
    # vblade/relay pids were started via `ip netns exec` (exec'd, so $! is theirs)
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
    ip netns del "$NS" 2>/dev/null      # removes tap/veth/bridge inside it
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

RESULTS=()
FAILED=0
result() { RESULTS+=("$1"); echo "selftest: $1"; }
failres() { result "$1"; FAILED=$((FAILED + 1)); }

start_vblade() { # $1 = interface in NS; starts vblade 1 0 on it
    # call ip directly (not the X function) so that $! is vblade's own pid:
    # `ip netns exec` execs the command; a backgrounded function would be a
    # subshell whose death leaves vblade running.
    ip netns exec "$NS" vblade 1 0 "$1" "$IMG" >"$LOGS/vblade-$1.log" 2>&1 &
    VBPID=$!; PIDS+=("$VBPID")
    sleep 1
    kill -0 "$VBPID" 2>/dev/null || { cat "$LOGS/vblade-$1.log"; echo "selftest: vblade died" >&2; exit 1; }
}
stop_vblade() { kill "$VBPID" 2>/dev/null || true; wait "$VBPID" 2>/dev/null || true; }

host_fsck() { # $1 = label
    if e2fsck -fn "$IMG" >"$LOGS/host-fsck-$1.log" 2>&1; then
        result "$1: host e2fsck -fn on image: OK"
    else
        failres "$1: host e2fsck -fn on image: FAIL (see $LOGS/host-fsck-$1.log)"
    fi
}

vm() { # $1 = label, $2 = mtu, $3 = tap
    local t0=$SECONDS
    if "$HERE/run-vm.sh" --netns "$NS" --tap "$3" --mtu "$2" --dev e1.0 --sectors "$SECTORS" \
        --timeout 300 --log "$LOGS/console-$1.log" --outdir "$OUTDIR" >"$LOGS/run-vm-$1.out" 2>&1; then
        result "$1: run-vm PASS in $((SECONDS - t0))s, $(grep -a 'FRAMESIZE\|RW TIMES' "$LOGS/console-$1.log" | tr '\n' ' ')"
    else
        failres "$1: run-vm FAIL rc=$? in $((SECONDS - t0))s (see $LOGS/run-vm-$1.out)"
        tail -n 20 "$LOGS/run-vm-$1.out"
    fi
}

# --- setup ---------------------------------------------------------------------
"$HERE/build-initramfs.sh" "$OUTDIR" >"$LOGS/build.log" 2>&1 || { cat "$LOGS/build.log"; exit 1; }
truncate -s ${SIZE_MB}M "$IMG"                  # sparse
ip netns add "$NS"
X ip link set lo up
X ip tuntap add "$TAP" mode tap
X ip link set "$TAP" up

# --- phase 1: MTU 1500 ------------------------------------------------------------
start_vblade "$TAP"
vm mtu1500 1500 "$TAP"
stop_vblade
host_fsck mtu1500

# --- phase 2: MTU 9000 (vblade reads the MTU at start) -----------------------------
X ip link set "$TAP" mtu 9000
start_vblade "$TAP"
vm mtu9000 9000 "$TAP"
stop_vblade
host_fsck mtu9000

# --- phase 3: bridge topology + aoetools -------------------------------------------
# tap and veth end $VA are bridge ports; the target listens on the bridge
# itself (a packet socket on a bridge *port* does not see frames that the
# bridge consumes); tools run on the veth peer $VP.
X ip link set "$TAP" mtu 1500
X ip link add "$BR" type bridge
X ip link set "$BR" address 02:00:00:a0:e0:fe   # fixed MAC: vblade caches it
X ip link add "$VA" type veth peer name "$VP"
X ip link set "$TAP" master "$BR"
X ip link set "$VA" master "$BR"
for i in "$BR" "$VA" "$VP"; do X ip link set "$i" up; done
start_vblade "$BR"

if X timeout 20 aoe-sancheck -v >"$LOGS/aoe-sancheck.log" 2>&1 && grep -q "^e1.0.*$VP" "$LOGS/aoe-sancheck.log"; then
    result "bridge: aoe-sancheck (from $VP) finds e1.0: $(grep '^e1.0' "$LOGS/aoe-sancheck.log" | tr '\t' ' ' | head -n1)"
else
    failres "bridge: aoe-sancheck did not find e1.0 (see $LOGS/aoe-sancheck.log)"
fi
if X timeout 5 aoeping 1 0 "$VP" >"$LOGS/aoeping-direct.log" 2>&1; then
    result "bridge: aoeping 1 0 $VP (direct, unpadded replies): OK (unexpected)"
else
    result "bridge: aoeping 1 0 $VP (direct): no answer, as expected - vblade's 32-byte config reply is not padded on veth and aoeping drops frames < 60 bytes"
fi

# the same through a padding relay: $VA leaves the bridge, a second veth pair
# $VC (bridge port) / $VD carries frames, aoe-padrelay.py copies $VA <-> $VD
X ip link set "$VA" nomaster
X ip link add "$VC" type veth peer name "$VD"
X ip link set "$VC" master "$BR"
X ip link set "$VC" up; X ip link set "$VD" up
ip netns exec "$NS" python3 "$HERE/aoe-padrelay.py" "$VA" "$VD" 30 &
PIDS+=("$!"); sleep 1
if X timeout 5 aoeping 1 0 "$VP" >"$LOGS/aoeping-relay.log" 2>&1 \
   && X timeout 5 aoeping -I 1 0 "$VP" >>"$LOGS/aoeping-relay.log" 2>&1; then
    result "bridge: aoeping 1 0 $VP and aoeping -I via pad relay: OK ($(grep -a '^model' "$LOGS/aoeping-relay.log" | tr -s ' '))"
else
    failres "bridge: aoeping via pad relay: FAIL (see $LOGS/aoeping-relay.log)"
fi

# the guest also works through the bridge
vm bridge1500 1500 "$TAP"
stop_vblade
host_fsck bridge1500

echo "================ selftest-vblade summary ================"
printf '%s\n' "${RESULTS[@]}"
echo "logs: $LOGS"
if [ $FAILED -eq 0 ]; then echo "selftest-vblade: ALL OK"; exit 0; fi
echo "selftest-vblade: $FAILED FAILURE(S)"; exit 1
