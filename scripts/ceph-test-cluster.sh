#!/usr/bin/env bash
# A throw-away Ceph cluster for tests and benchmarks: one mon, one mgr, one OSD (memstore), pool
# size 1, cephx on, msgr2 only, listening on 127.0.0.1 only, everything under DIR.
# Usage: scripts/ceph-test-cluster.sh start DIR [MON_PORT]   (prints CONF=... and KEYRING=...)
#        scripts/ceph-test-cluster.sh stop DIR               (SIGKILL by pid file, removes nothing else)
# Needs ceph-mon, ceph-mgr, ceph-osd and ceph-common (scripts/install-deps.sh test).
set -euo pipefail
cmd=${1:?start|stop DIR [MON_PORT]}
dir=${2:?start|stop DIR [MON_PORT]}
port=${3:-3300}
conf=$dir/ceph.conf
keyring=$dir/keyring

stop() {
  for f in "$dir"/run/*.pid; do
    [ -e "$f" ] || continue
    pid=$(cat "$f" 2>/dev/null || true)
    # SIGKILL: SIGTERM makes memstore write its whole store to disk first.
    [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
    rm -f "$f"
  done
}

if [ "$cmd" = stop ]; then
  stop
  exit 0
fi
[ "$cmd" = start ] || { echo "usage: $0 start|stop DIR [MON_PORT]" >&2; exit 2; }

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
conf=$dir/ceph.conf
keyring=$dir/keyring
stop
rm -rf "$dir"/{mon,osd,mgr,run,log} "$conf" "$keyring" "$dir"/monmap
mkdir -p "$dir"/{mon,osd,mgr,run,log}
fsid=$(cat /proc/sys/kernel/random/uuid)
cat > "$conf" <<CONF
[global]
fsid = $fsid
mon host = [v2:127.0.0.1:$port]
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind msgr1 = false
ms bind ipv6 = false
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
auth allow insecure global id reclaim = false
keyring = $keyring
pid file = $dir/run/\$name.pid
log file = $dir/log/\$name.log
admin socket = $dir/run/\$name.asok
run dir = $dir/run
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
mon data avail warn = 2
mon data avail crit = 1
client mount timeout = 10
[mon]
mon data = $dir/mon/\$name
[mgr]
mgr data = $dir/mgr/\$cluster-\$id
keyring = $dir/mgr/\$cluster-\$id/keyring
[osd]
osd data = $dir/osd/\$cluster-\$id
keyring = $dir/osd/\$cluster-\$id/keyring
osd objectstore = memstore
memstore device bytes = ${CEPH_TEST_BYTES:-2147483648}
memstore page set = true
memstore page size = 4096
osd max object name len = 256
# Short PG logs: memstore keeps them in memory, and with the defaults (3000 entries a PG) the OSD
# grows by ~8 KB a small write and random writes slow down several times over a benchmark.
osd min pg log entries = 50
osd max pg log entries = 100
osd pg log dups tracked = 50
osd pg log trim min = 10
osd max object namespace len = 64
CONF

ceph-authtool --create-keyring "$keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
ceph-authtool "$keyring" --gen-key -n client.admin --cap mon 'allow *' --cap osd 'allow *' \
  --cap mgr 'allow *' --cap mds 'allow *' >/dev/null
monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$port]" "$dir/monmap" >/dev/null
ceph-mon -c "$conf" --mkfs -i a --monmap "$dir/monmap" --keyring "$keyring"
ceph-mon -c "$conf" -i a

mkdir -p "$dir/mgr/ceph-x"
ceph -c "$conf" auth get-or-create mgr.x mon 'allow profile mgr' osd 'allow *' mds 'allow *' \
  -o "$dir/mgr/ceph-x/keyring" >/dev/null
ceph-mgr -c "$conf" -i x

osd=$(ceph -c "$conf" osd create)
mkdir -p "$dir/osd/ceph-$osd"
ceph-authtool --create-keyring "$dir/osd/ceph-$osd/keyring" --gen-key -n "osd.$osd" >/dev/null
ceph -c "$conf" auth add "osd.$osd" osd 'allow *' mon 'allow profile osd' mgr 'allow profile osd' \
  -i "$dir/osd/ceph-$osd/keyring" >/dev/null 2>&1
ceph-osd -c "$conf" -i "$osd" --mkfs --no-mon-config >"$dir/log/osd-mkfs.log" 2>&1
ceph-osd -c "$conf" -i "$osd" 2>>"$dir/log/osd-start.log"

ceph -c "$conf" osd pool create rbd 8 >/dev/null 2>&1
ceph -c "$conf" osd pool set rbd size 1 --yes-i-really-mean-it >/dev/null 2>&1 || true
rbd -c "$conf" pool init rbd
for _ in $(seq 1 120); do
  if ceph -c "$conf" pg stat 2>/dev/null | grep -q 'active+clean' \
     && ! ceph -c "$conf" pg stat 2>/dev/null | grep -qE 'peering|creating|unknown|activating'; then
    echo "CONF=$conf"
    echo "KEYRING=$keyring"
    exit 0
  fi
  sleep 0.5
done
echo "ceph test cluster in $dir did not become ready; see $dir/log" >&2
ceph -c "$conf" -s >&2 || true
stop
exit 1
