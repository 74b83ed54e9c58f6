#!/bin/sh
# /init of the AoE test VM (busybox sh). Copied into the initramfs by
# build-initramfs.sh. Parameters come from the kernel command line:
#   aoevm_mtu=1500|9000   MTU for eth0
#   aoevm_dev=e1.0        expected AoE export (shelf.slot)
#   aoevm_sectors=N       expected size in 512-byte sectors (0 = don't check)
#   aoevm_wait=S          seconds to wait for the device (default 60)
#   aoevm_rwmb=M          MiB for the random write/read-back test (default 32)
#   aoevm_mode=basic|failover   basic (default): steps 5 and 6 below; failover: the
#                         failover() writer instead (a target is killed under it)
#   aoevm_files=N         failover: number of files written (default 24)
#   aoevm_filemb=M        failover: MiB per file (default 2)
# Every result line starts with "AOEVM " so the host can parse the console.
export PATH=/sbin:/bin
# NB: Debian's busybox-static prefers its own applets over $PATH, so the
# e2fsprogs binaries must be called by absolute path (/sbin/mke2fs, /sbin/e2fsck).
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null || true
mount -t tmpfs -o size=512m tmp /tmp
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null || true

MTU=1500; DEV=e1.0; SECTORS=0; WAIT=60; RWMB=32; MODE=basic; FILES=24; FILEMB=2
for w in $(cat /proc/cmdline); do
    case $w in
        aoevm_mtu=*) MTU=${w#*=} ;;
        aoevm_dev=*) DEV=${w#*=} ;;
        aoevm_sectors=*) SECTORS=${w#*=} ;;
        aoevm_wait=*) WAIT=${w#*=} ;;
        aoevm_rwmb=*) RWMB=${w#*=} ;;
        aoevm_mode=*) MODE=${w#*=} ;;
        aoevm_files=*) FILES=${w#*=} ;;
        aoevm_filemb=*) FILEMB=${w#*=} ;;
    esac
done
FAILS=0
m() { echo "AOEVM $*"; }
fail() { echo "AOEVM $*"; FAILS=$((FAILS + 1)); }
now_cs() { # uptime in centiseconds
    read -r up _ </proc/uptime; echo "${up%.*}${up#*.}" | sed 's/^0*//;s/^$/0/'
}
finish() {
    dmesg | grep -iE 'aoe|etherd' | grep -v aoevm_ | sed 's/^/AOEVM DMESG /'
    m "FAILS $FAILS"
    m DONE
    sync
    poweroff -f
    sleep 5; echo o >/proc/sysrq-trigger
}

# failover mode: the host kills the target that serves the disk while this writes; another one
# takes over. mkfs.ext4, then FILES files of FILEMB MiB, each written with fsync (so I/O is on the
# wire the whole time), with known content (slices of one /dev/urandom pool, summed before any
# write); sync, umount, e2fsck -fn, remount read-only, compare. Markers:
#   AOEVM FAILOVER WRITING          the first file is on the disk: the host may kill now
#   AOEVM FAILOVER FILE i MS        each file's write (dd + fsync) took MS milliseconds
#   AOEVM FAILOVER WRITTEN files=N ms=T errors=E     E = files whose dd failed
#   AOEVM FAILOVER STALL ms=X file=I after=K         the longest write, and files written after it
#   AOEVM FAILOVER MISMATCHES BEFORE n / AOEVM FAILOVER MISMATCHES n   sha256 against the pool,
#                                   before the umount and after fsck and a read-only remount
#   AOEVM FAILOVER IOERRORS n       kernel lines about failed I/O (each also as AOEVM IOERR ...)
#   AOEVM FAILOVER RETRANSMITS last-sent-to=MAC n=N   the driver's retransmits (/dev/etherd/err)
#                                   by the MAC the frame had gone to before (the driver's line names
#                                   that one, also when it moves the frame to another target)
#   AOEVM FAILOVER TARGET ...       the driver's targets (paths) for the disk afterwards (debugfs)
failover() {
    cat /dev/etherd/err >/tmp/aoeerr 2>/dev/null &
    ERRPID=$!
    if ! /sbin/mke2fs -t ext4 -F -q "$BDEV" >/tmp/mkfs.log 2>&1; then
        sed 's/^/AOEVM MKFSLOG /' /tmp/mkfs.log
        fail "MKFS FAIL"
        return
    fi
    m "MKFS OK"
    if ! mount -t ext4 "$BDEV" /mnt; then fail "MOUNT FAIL"; return; fi
    mkdir -p /mnt/data
    dd if=/dev/urandom of=/tmp/pool bs=1M count=$((FILES * FILEMB)) 2>/dev/null
    : >/tmp/sums
    i=0
    while [ $i -lt "$FILES" ]; do
        s=$(dd if=/tmp/pool bs=1M skip=$((i * FILEMB)) count="$FILEMB" 2>/dev/null | sha256sum | cut -d' ' -f1)
        echo "$s  /mnt/data/f$i" >>/tmp/sums
        i=$((i + 1))
    done
    werr=0; max=0; maxat=-1; i=0
    T0=$(now_cs)
    while [ $i -lt "$FILES" ]; do
        t0=$(now_cs)
        if ! dd if=/tmp/pool of=/mnt/data/f$i bs=1M skip=$((i * FILEMB)) count="$FILEMB" conv=fsync 2>/tmp/dd.err; then
            sed 's/^/AOEVM DDERR /' /tmp/dd.err
            werr=$((werr + 1))
        fi
        ms=$(( ($(now_cs) - t0) * 10 ))
        m "FAILOVER FILE $i $ms"
        if [ $ms -gt $max ]; then max=$ms; maxat=$i; fi
        [ $i -eq 0 ] && m "FAILOVER WRITING"
        i=$((i + 1))
    done
    sync
    m "FAILOVER WRITTEN files=$FILES ms=$(( ($(now_cs) - T0) * 10 )) errors=$werr"
    m "FAILOVER STALL ms=$max file=$maxat after=$((FILES - 1 - maxat))"
    bad=$(sha256sum -c /tmp/sums 2>&1 | grep -vc ': OK$')
    m "FAILOVER MISMATCHES BEFORE $bad"
    [ "$bad" = 0 ] || FAILS=$((FAILS + 1))
    if ! umount /mnt; then fail "UMOUNT FAIL"; fi
    sync; echo 3 >/proc/sys/vm/drop_caches
    /sbin/e2fsck -fn "$BDEV" >/tmp/fsck.log 2>&1; rc=$?
    if [ $rc -eq 0 ]; then m "FSCK OK $rc"; else sed 's/^/AOEVM FSCKLOG /' /tmp/fsck.log; fail "FSCK FAIL $rc"; fi
    if mount -t ext4 -o ro "$BDEV" /mnt; then
        sha256sum -c /tmp/sums >/tmp/sums.log 2>&1
        bad=$(grep -vc ': OK$' /tmp/sums.log)
        grep -v ': OK$' /tmp/sums.log | sed 's/^/AOEVM SUMLOG /'
        m "FAILOVER MISMATCHES $bad"
        [ "$bad" = 0 ] || FAILS=$((FAILS + 1))
        umount /mnt
    else
        fail "MOUNT FAIL after fsck"
    fi
    rm -f /tmp/pool
    dmesg | grep -iE 'I/O error|EXT4-fs (error|warning)|JBD2.*(error|abort)|Aborting journal|aoe: ata error|not up|aoe: .*fail' \
        >/tmp/ioerr
    sed 's/^/AOEVM IOERR /' /tmp/ioerr
    n=$(wc -l </tmp/ioerr)
    m "FAILOVER IOERRORS $n"
    [ "$n" = 0 ] || FAILS=$((FAILS + 1))
    kill $ERRPID 2>/dev/null
    sed -n 's/.*retransmit.* d=\([0-9a-f]*\).*/\1/p' /tmp/aoeerr | sort | uniq -c |
        while read -r cnt mac; do m "FAILOVER RETRANSMITS last-sent-to=$mac n=$cnt"; done
    # debugfs: per target "MAC:nout:maxout:nframes", then its ssthresh, taint and interfaces
    if [ -r "/sys/kernel/debug/aoe/$DEV" ]; then
        sed 's/^/AOEVM FAILOVER TARGET /' "/sys/kernel/debug/aoe/$DEV"
    fi
}

m "BOOT kernel=$(uname -r) mtu=$MTU dev=$DEV sectors=$SECTORS"

# 1. boot modules (virtio, ext4 + deps), in the order computed on the host
while read -r mod; do
    insmod "/lib/modules/$mod" 2>/dev/null || m "NOTE insmod $mod failed (ok for crc32c-intel)"
done </etc/modules.list

# 2. network: eth0 up with the requested MTU before the aoe driver loads
i=0
while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
# a storage NIC has no address: no IPv4 is ever set, and IPv6 goes off before the link comes up
if [ -e /proc/sys/net/ipv6/conf/eth0/disable_ipv6 ]; then echo 1 > /proc/sys/net/ipv6/conf/eth0/disable_ipv6; fi
if ! ip link set eth0 mtu "$MTU" up; then fail "NET FAIL cannot set eth0 mtu $MTU"; fi
m "NET eth0 mtu=$(cat /sys/class/net/eth0/mtu) mac=$(cat /sys/class/net/eth0/address) addresses=$(ip addr show eth0 | grep -c inet)"

# 3. aoe driver; it sends a broadcast config query on load
T0=$(now_cs)
while read -r mod; do
    case $mod in
        aoe.ko) insmod "/lib/modules/$mod" aoe_iflist=eth0 || fail "AOE FAIL insmod aoe" ;;
        *) insmod "/lib/modules/$mod" || fail "AOE FAIL insmod $mod" ;;
    esac
done </etc/modules.aoe

# 4. wait for /dev/etherd/eX.Y, re-discovering every 2 s
BDEV=/dev/etherd/$DEV
SYS="/sys/block/etherd!$DEV"
i=0
while [ ! -b "$BDEV" ] && [ $i -lt $((WAIT * 10)) ]; do
    [ $((i % 20)) -eq 19 ] && [ -e /dev/etherd/discover ] && echo > /dev/etherd/discover
    sleep 0.1; i=$((i + 1))
done
if [ ! -b "$BDEV" ]; then
    fail "DEV FAIL $BDEV did not appear within ${WAIT}s"
    ls -l /dev/etherd/ 2>&1 | sed 's/^/AOEVM LS /'
    finish
fi
m "DEV OK $BDEV after $(( $(now_cs) - T0 ))0 ms"

SIZE=$(cat "$SYS/size")
m "SIZE $SIZE"
if [ "$SECTORS" != 0 ]; then
    if [ "$SIZE" = "$SECTORS" ]; then m "SIZE OK"; else fail "SIZE FAIL expected $SECTORS got $SIZE"; fi
fi
for a in state mac netif fwver payload; do
    [ -r "$SYS/device/$a" ] && m "SYSFS $a $(cat "$SYS/device/$a" | tr '\n' ' ')"
done
# debugfs shows per-target maxbcnt (= data bytes per AoE frame)
if [ -r "/sys/kernel/debug/aoe/$DEV" ]; then
    sed 's/^/AOEVM DEBUGFS /' "/sys/kernel/debug/aoe/$DEV"
fi
FRAME=$(dmesg | sed -n "s/.*aoe: $DEV: setting \([0-9]*\) byte data frames.*/\1/p" | tail -n1)
m "FRAMESIZE ${FRAME:-unknown}"

if [ "$MODE" = failover ]; then
    failover
    finish
fi

# 5. random write / read-back (O_DIRECT both ways, caches dropped in between)
if [ $((SIZE / 2048)) -lt "$RWMB" ]; then RWMB=$((SIZE / 2048 / 2)); fi
dd if=/dev/urandom of=/tmp/rand bs=1M count="$RWMB" 2>/dev/null
T0=$(now_cs)
if dd if=/tmp/rand of="$BDEV" bs=1M oflag=direct conv=fsync 2>/tmp/dd.err; then
    T1=$(now_cs)
    sync; echo 3 >/proc/sys/vm/drop_caches; blockdev --flushbufs "$BDEV" 2>/dev/null
    dd if="$BDEV" of=/tmp/back bs=1M count="$RWMB" iflag=direct 2>>/tmp/dd.err
    T2=$(now_cs)
    m "RW TIMES write=$(( (T1 - T0) * 10 ))ms read=$(( (T2 - T1) * 10 ))ms size=${RWMB}MiB"
    if cmp -s /tmp/rand /tmp/back; then m "RW OK"; else fail "RW FAIL data differs"; fi
else
    sed 's/^/AOEVM DDERR /' /tmp/dd.err
    fail "RW FAIL write error"
fi
rm -f /tmp/rand /tmp/back

# 6. ext4: mkfs, mount, write files, umount, verify after remount, e2fsck -fn
if /sbin/mke2fs -t ext4 -F -q "$BDEV" >/tmp/mkfs.log 2>&1; then
    m "MKFS OK"
    if mount -t ext4 "$BDEV" /mnt; then
        mkdir -p /mnt/dir
        n=0
        while [ $n -lt 50 ]; do echo "file $n $(date)" >/mnt/dir/f$n; n=$((n + 1)); done
        dd if=/dev/urandom of=/mnt/big bs=1M count=8 2>/dev/null
        SUM1=$(md5sum /mnt/big | cut -d' ' -f1)
        umount /mnt
        sync; echo 3 >/proc/sys/vm/drop_caches
        mount -t ext4 -o ro "$BDEV" /mnt
        SUM2=$(md5sum /mnt/big | cut -d' ' -f1)
        CNT=$(ls /mnt/dir | wc -l)
        umount /mnt
        if [ "$SUM1" = "$SUM2" ] && [ "$CNT" = 50 ]; then m "FILES OK"; else fail "FILES FAIL sum $SUM1/$SUM2 count $CNT"; fi
    else
        fail "MOUNT FAIL"
    fi
    /sbin/e2fsck -fn "$BDEV" >/tmp/fsck.log 2>&1; rc=$?
    if [ $rc -eq 0 ]; then m "FSCK OK $rc"; else sed 's/^/AOEVM FSCKLOG /' /tmp/fsck.log; fail "FSCK FAIL $rc"; fi
else
    sed 's/^/AOEVM MKFSLOG /' /tmp/mkfs.log
    fail "MKFS FAIL"
fi

finish
