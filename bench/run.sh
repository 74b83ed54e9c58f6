#!/usr/bin/env bash
# AoE benchmark: the appliance (transport afpacket and pcap), Debian's vblade and a do-nothing
# reflector (one frame per system call, and batched), back to back, over one veth pair between two
# network namespaces made here (aoeb<PID>t: targets, aoeb<PID>i: initiator). Nothing touches the root
# namespace's interfaces; the namespaces, the veth pair and the tmpfs files are removed at the end.
#
#   sudo bench/run.sh [--quick] [--runs N] [--seconds S] [--targets LIST] [--patterns LIST]
#                     [--mtus LIST] [--qds LIST] [--no-16] [--no-profile]
#
#   --quick     1 run per cell, 2 s each (default: median of 3 runs of 5 s, each after 1 s of warm-up)
#   --targets   comma list of: appliance-afpacket, appliance-pcap, vblade, reflector-one, reflector-batch
#   --patterns  comma list of: randread, randwrite, seqread, seqwrite
#   --mtus      comma list of 1500 and/or 9000 (2 and 17 sectors a frame)
#   --qds       comma list of queue depths (default 1,16,32; QD32 only where the advertised buffer count allows)
#   --no-16     skip the 16-export heap/RSS measurement
#   --no-profile  skip the JFR profile of the appliance (afpacket, randread QD16, first MTU)
#   --name S    results go to bench/results/results-DATE-S.md (default: -quick for --quick, else none)
#   --busy-poll-us N  the appliance's AF_PACKET busy polling (etc/org.aoede.transport.afpacket.cfg);
#               default: the shipped default
#   --qdisc-bypass true|false  the appliance's AF_PACKET qdisc-bypass (same file); default: shipped default
#   --target-qdisc Q  root qdisc of the targets' veth end (e.g. fq_codel, as on a NIC); default: noqueue
#   --zip FILE  the appliance's assembly zip (default: karaf-assembly/target/aoede-karaf-*.zip); for A/B runs
#   --disk      instead of the above: a real disk. A 1 GiB file (written through, so every block is
#               allocated) in --disk-dir (default /var/tmp; refused on tmpfs), MTU 9000 (default
#               --mtus), 4 KiB (8 sectors) random reads and writes at QD 16 (default --qds): the
#               appliance with direct = true, vblade -d and fio (libaio, direct=1, same iodepth) on the
#               same file, back to back; and the lean AIO reflector (bench/Reflector.java aio=FILE: one
#               thread, O_DIRECT through Linux AIO, no checks), the bound for any AoE target over this
#               network with this initiator; prints the ratios; bench/results/results-DATE-disk.md (or
#               --name); --targets: a subset of appliance-direct, reflector-aio, reflector-aiobatch (the
#               reflector with one io_submit per receive batch), vblade-d, fio
#   --rbd       instead of the above: a Ceph RBD image. A one-OSD memstore cluster
#               (scripts/ceph-test-cluster.sh) in the targets' namespace, a 256 MiB image written in
#               full, MTU 9000, 4 KiB random reads and writes at QD 16: the appliance with
#               file = rbd:rbd/bench and `rbd bench --io-size 4K --io-threads 16 --io-pattern rand`
#               on the same image, back to back, and the lean rbd reflector (bench/Reflector.java
#               rbd=POOL/IMAGE:CONF: rbd_aio_* with a callback that sends the reply, no checks), the
#               bound for any AoE target on librbd; prints the ratios; bench/results/results-DATE-rbd.md
#               (or --name); --targets: a subset of appliance-rbd, reflector-rbd, rbd-bench
#
# Needs: root, the built initiator (bundles/initiator/target/aoede-initiator.jar), the built
# assembly (karaf-assembly/target/aoede-karaf-*.zip), JDK 17, vblade, python3, iproute2, util-linux
# (taskset); fio for --disk. Prints a markdown table and writes it to bench/results/results-YYYY-MM-DD[-quick].md.
# This is a measurement, not a test: it never fails on slow numbers.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

RUNS=3; SECS=5; WARM=1; QUICK=0; DO16=1; PROFILE=1; BUSYPOLL=""; QBYPASS=""; TQDISC=""; NAME=""
DISK=0; RBD=0; DISKDIR=/var/tmp; ZIPARG=""; FIXSECT=""; QDSET=0; MTUSET=0; TARGETSET=0
TARGETS=appliance-afpacket,appliance-pcap,vblade,reflector-one,reflector-batch
PATTERNS=randread,randwrite,seqread,seqwrite
MTUS=1500,9000
QDS=1,16,32
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1; RUNS=1; SECS=2; WARM=0.5 ;;
    --runs) RUNS=$2; shift ;;
    --seconds) SECS=$2; shift ;;
    --targets) TARGETS=$2; TARGETSET=1; shift ;;
    --patterns) PATTERNS=$2; shift ;;
    --mtus) MTUS=$2; MTUSET=1; shift ;;
    --qds) QDS=$2; QDSET=1; shift ;;
    --no-16) DO16=0 ;;
    --no-profile) PROFILE=0 ;;
    --busy-poll-us) BUSYPOLL=$2; shift ;;
    --qdisc-bypass) QBYPASS=$2; shift ;;
    --target-qdisc) TQDISC=$2; shift ;;
    --name) NAME=$2; shift ;;
    --zip) ZIPARG=$2; shift ;;
    --disk) DISK=1 ;;
    --rbd) RBD=1 ;;
    --disk-dir) DISKDIR=$2; shift ;;
    -h|--help) sed -n '2,38p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[ "$(id -u)" = 0 ] || { echo "run as root: sudo bench/run.sh" >&2; exit 2; }
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)   # the machine is shared: say how busy it was

JAR=$ROOT/bundles/initiator/target/aoede-initiator.jar
ZIP=$(ls "$ROOT"/karaf-assembly/target/aoede-karaf-*.zip 2>/dev/null | head -1 || true)
if [ -n "$ZIPARG" ]; then ZIP=$(realpath "$ZIPARG"); fi
[ -f "$JAR" ] || { echo "missing $JAR: build first (mvn -B install -DskipTests)" >&2; exit 2; }
need_pkgs=()
command -v vblade >/dev/null || need_pkgs+=(vblade)
command -v python3 >/dev/null || need_pkgs+=(python3)
command -v taskset >/dev/null || need_pkgs+=(util-linux)
command -v jcmd >/dev/null || need_pkgs+=(openjdk-17-jdk-headless)
if [ $DISK = 1 ]; then command -v fio >/dev/null || need_pkgs+=(fio); fi
if [ ${#need_pkgs[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need_pkgs[@]}"
fi
if [ -z "${JAVA_HOME:-}" ] && [ -d /usr/lib/jvm/java-17-openjdk-amd64 ]; then
  export JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64
fi
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
JCMD=${JAVA_HOME:+$JAVA_HOME/bin/}jcmd
JFR=${JAVA_HOME:+$JAVA_HOME/bin/}jfr
NCPU=$(nproc)
ALLCPU=0-$((NCPU - 1))
TCK=$(getconf CLK_TCK)

P=aoeb$$; NT=${P}t; NI=${P}i; VT=${P}t0; VI=${P}i0
WORK=$(mktemp -d /dev/shm/${P}.XXXX)
RES=$WORK/results.tsv
: > "$RES"
TPID=""          # the running target's pid (the Karaf java process, vblade, the reflector)
KPID=""
DIMG=""          # --disk: the image on the disk
cleanup() {
  set +e
  [ "${RBD:-0}" = 1 ] && "$ROOT/scripts/ceph-test-cluster.sh" stop "$WORK/ceph" >/dev/null 2>&1
  [ -n "$DIMG" ] && rm -f "$DIMG"
  [ -n "$TPID" ] && kill -9 "$TPID" 2>/dev/null
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
ip -n "$NT" link set "$VT" up; ip -n "$NI" link set "$VI" up
if [ -n "$TQDISC" ]; then tc -n "$NT" qdisc replace dev "$VT" root $TQDISC; fi
set_mtu() { ip -n "$NT" link set "$VT" mtu "$1"; ip -n "$NI" link set "$VI" mtu "$1"; }

# 1 GiB on tmpfs, pages allocated up front so storage is not what is measured.
fallocate -l 1G "$WORK/disk.img" 2>/dev/null || truncate -s 1G "$WORK/disk.img"

mkdir -p "$WORK/cls"
javac -d "$WORK/cls" -cp "$JAR" "$ROOT/bench/Reflector.java"

cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
sys_ticks() { awk '{print $15}' "/proc/$1/stat"; }
natural_sectors() { [ "$1" = 9000 ] && echo 17 || echo 2; }
# sectors per request: what the MTU allows, or FIXSECT (--disk: 8, i.e. 4 KiB)
sectors_of() { if [ -n "$FIXSECT" ]; then echo "$FIXSECT"; else natural_sectors "$1"; fi; }

# initiator ARGS...: the project's initiator in the initiator namespace, through AF_PACKET.
initiator() { ip netns exec "$NI" "$JAVA" -Xms256m -jar "$JAR" "$@" --transport afpacket -i "$VI"; }

# discover_check EXPECTED_SECTORS: prints the advertised buffer count (0 if nobody answers).
discover_check() {
  local out
  out=$(initiator discover 1.0 --wait-ms 500 2>/dev/null || true)
  local sec buf
  sec=$(sed -n 's/.* sectors=\([0-9]*\).*/\1/p' <<<"$out" | head -1)
  buf=$(sed -n 's/.* bufcnt=\([0-9]*\).*/\1/p' <<<"$out" | head -1)
  if [ -z "$sec" ]; then log "no answer from 1.0"; echo 0; return; fi
  [ "$sec" = "$1" ] || log "warning: target advertises $sec sectors, expected $1"
  echo "$buf"
}

# cell TARGET MTU PATTERN QD RUN
cell() {
  local target=$1 mtu=$2 pattern=$3 qd=$4 run=$5 sectors pin=() c0 c1 s0 s1 out
  sectors=$(sectors_of "$mtu")
  if [ "$qd" = 1 ]; then
    taskset -a -p -c 0 "$TPID" >/dev/null
    pin=(taskset -c 0)
  else
    taskset -a -p -c "$ALLCPU" "$TPID" >/dev/null
  fi
  c0=$(cpu_ticks "$TPID"); s0=$(sys_ticks "$TPID")
  out=$(ip netns exec "$NI" "${pin[@]}" "$JAVA" -Xms256m -jar "$JAR" bench 1.0 --transport afpacket -i "$VI" \
        --pattern "$pattern" --sectors "$sectors" --qd "$qd" --warmup "$WARM" --seconds "$SECS" 2>&1 || true)
  local all=$out
  out=$(grep '^bench ' <<<"$all" || true)
  c1=$(cpu_ticks "$TPID"); s1=$(sys_ticks "$TPID")
  if [ -z "$out" ]; then
    log "$target mtu=$mtu $pattern qd=$qd run=$run: no result: $(tail -2 <<<"$all" | tr '\n' ' ')"
    return
  fi
  local ios iops mbps p50 p99 re err
  ios=$(sed -n 's/.* ios=\([0-9]*\).*/\1/p' <<<"$out")
  iops=$(sed -n 's/.* iops=\([0-9]*\).*/\1/p' <<<"$out")
  mbps=$(sed -n 's/.* mbps=\([0-9.]*\).*/\1/p' <<<"$out")
  p50=$(sed -n 's/.* p50_us=\([0-9]*\).*/\1/p' <<<"$out")
  p99=$(sed -n 's/.* p99_us=\([0-9]*\).*/\1/p' <<<"$out")
  re=$(sed -n 's/.* retransmits=\([0-9]*\).*/\1/p' <<<"$out")
  err=$(sed -n 's/.* errors=\([0-9]*\).*/\1/p' <<<"$out")
  # The target's CPU time covers the warm-up too: divide by every request it served.
  local cpu_us wios
  wios=$(sed -n 's/.* warmup_ios=\([0-9]*\).*/\1/p' <<<"$out")
  cpu_us=$(awk -v a="$c0" -v b="$c1" -v t="$TCK" -v n="$ios" -v w="${wios:-0}" 'BEGIN{ if (n>0) printf "%.2f", (b-a)/t*1e6/(n+w); else print "nan" }')
  local syspct
  syspct=$(awk -v a="$c0" -v b="$c1" -v x="$s0" -v y="$s1" 'BEGIN{ if (b>a) printf "%.0f", 100*(y-x)/(b-a); else print "nan" }')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$target" "$mtu" "$sectors" "$pattern" "$qd" "$run" \
    "$ios" "$iops" "$mbps" "$p50" "$p99" "$cpu_us" "$re" "$err" "$syspct" >> "$RES"
  log "$target mtu=$mtu $pattern qd=$qd run=$run: iops=$iops mbps=$mbps p50=${p50}us p99=${p99}us cpu/req=${cpu_us}us retrans=$re err=$err"
}

# matrix TARGET MTU: every pattern x QD x run against the running target.
matrix() {
  local target=$1 mtu=$2 buf
  buf=$(discover_check "$(natural_sectors "$mtu")")
  if [ "$buf" = 0 ]; then log "$target at MTU $mtu does not answer: skipped"; return; fi
  # warm-up of every pattern (JIT of target and initiator paths; not recorded): with randread
  # alone, the first randwrite run of the appliance was the slowest of three, run after run
  taskset -a -p -c "$ALLCPU" "$TPID" >/dev/null
  local p q r
  for p in ${PATTERNS//,/ }; do
    initiator bench 1.0 --pattern "$p" --sectors "$(sectors_of "$mtu")" --qd 16 --seconds 2 >/dev/null 2>&1 || true
  done
  for p in ${PATTERNS//,/ }; do
    for q in ${QDS//,/ }; do
      if [ "$q" -gt "$buf" ]; then
        printf '%s\t%s\t%s\t%s\t%s\tskip\tbufcnt=%s\n' "$target" "$mtu" "$(sectors_of "$mtu")" "$p" "$q" "$buf" >> "$RES"
        continue
      fi
      for r in $(seq 1 "$RUNS"); do cell "$target" "$mtu" "$p" "$q" "$r"; done
    done
  done
}

stop_target() {
  if [ -n "$TPID" ]; then kill "$TPID" 2>/dev/null || true; wait "$TPID" 2>/dev/null || true; TPID=""; fi
}

has() { [[ ",$TARGETS," == *",$1,"* ]]; }

# reflector TARGET MODE MTU: bench/Reflector.java in MODE in the targets' namespace, measured as TARGET.
reflector() {
  ip netns exec "$NT" "$JAVA" -cp "$JAR:$WORK/cls" Reflector "$VT" "$2" 1.0 >"$WORK/reflector.out" 2>&1 &
  TPID=$!
  for _ in $(seq 1 100); do grep -q ready "$WORK/reflector.out" && break; sleep 0.2; done
  matrix "$1" "$3"
  stop_target
}

# The appliance unpacked in $K, started in the targets' namespace; sets KPID and TPID.
start_appliance() {
  log "starting the appliance ($1) in $NT"
  (ip netns exec "$NT" "$K/bin/karaf" server >"$WORK/karaf.out" 2>&1 &)
  for _ in $(seq 1 120); do KPID=$(pgrep -f "karaf.home=$K" | head -1 || true); [ -n "$KPID" ] && break; sleep 0.5; done
  TPID=$KPID
}

stop_appliance() {
  kill "$KPID" 2>/dev/null || true
  for _ in $(seq 1 20); do kill -0 "$KPID" 2>/dev/null || break; sleep 0.5; done
  kill -9 "$KPID" 2>/dev/null || true
  KPID=""; TPID=""
}

# How many "answering on" lines the appliance has logged.
answering() { local c; c=$(grep -c "answering on" "$K/data/log/karaf.log" 2>/dev/null) || true; echo "${c:-0}"; }

# ---- --disk: a real disk, direct I/O: the appliance, vblade -d and fio on one file ----
if [ $DISK = 1 ]; then
  FSTYPE=$(stat -f -c %T "$DISKDIR")
  if [ "$FSTYPE" = tmpfs ] || [ "$FSTYPE" = ramfs ]; then
    echo "--disk-dir $DISKDIR is on $FSTYPE: give a directory on a disk" >&2; exit 2
  fi
  [ $QDSET = 1 ] || QDS=16
  [ $MTUSET = 1 ] || MTUS=9000
  [ $TARGETSET = 1 ] || TARGETS=appliance-direct,reflector-aio,vblade-d,fio
  FIXSECT=8
  PATTERNS=randread,randwrite
  DIMG=$(mktemp "$DISKDIR/aoeb$$.XXXX.img")
  log "writing 1 GiB to $DIMG ($FSTYPE, $(df --output=source "$DISKDIR" | tail -1)): every block allocated and written"
  dd if=/dev/zero of="$DIMG" bs=1M count=1024 oflag=direct status=none
  [ -n "$ZIP" ] || { echo "missing karaf-assembly/target/aoede-karaf-*.zip: build first" >&2; exit 2; }
  (cd "$WORK" && unzip -q "$ZIP" && mv aoede-karaf-*/ karaf)
  K=$WORK/karaf
  for mtu in ${MTUS//,/ }; do
    set_mtu "$mtu"
    if has appliance-direct; then
    printf 'shelf = 1\nslot = 0\ninterfaces = %s\nfile = %s\ndirect = true\n' "$VT" "$DIMG" \
      > "$K/etc/org.aoede.export-bench.cfg"
    start_appliance "direct = true"
    for _ in $(seq 1 90); do [ "$(answering)" -gt 0 ] && break; sleep 1; done
    matrix appliance-direct "$mtu"
    stop_appliance
    rm -rf "$K/data"
    fi

    for mode in aio aiobatch; do
      if has "reflector-$mode"; then reflector "reflector-$mode" "$mode=$DIMG" "$mtu"; fi
    done

    has vblade-d || continue
    ip netns exec "$NT" vblade -d 1 0 "$VT" "$DIMG" >"$WORK/vblade.out" 2>&1 &
    TPID=$!
    sleep 1
    matrix vblade-d "$mtu"
    stop_target
  done
  # fio on the same file: what the device does at this queue depth without any network
  for p in ${PATTERNS//,/ }; do
    has fio || break
    for q in ${QDS//,/ }; do
      for r in $(seq 1 "$RUNS"); do
        fio --name=disk --filename="$DIMG" --ioengine=libaio --direct=1 --rw="$p" --bs=4k --iodepth="$q" \
            --size=1G --time_based --runtime="$SECS" --ramp_time="$WARM" --output-format=json > "$WORK/fio.json" 2>"$WORK/fio.err" || true
        python3 - "$WORK/fio.json" "$p" "$q" "$r" "$SECS" >> "$RES" <<'PY' || log "fio $p qd=$q: no result: $(tail -1 "$WORK/fio.err")"
import json, sys
j = json.load(open(sys.argv[1]))["jobs"][0]
side = j["read"] if sys.argv[2].endswith("read") else j["write"]
pct = side["clat_ns"].get("percentile", {})
p50 = pct.get("50.000000", 0) / 1000
p99 = pct.get("99.000000", 0) / 1000
print("\t".join(str(x) for x in ["fio", "-", 8, sys.argv[2], sys.argv[3], sys.argv[4], side["total_ios"],
      round(side["iops"]), round(side["bw_bytes"] / 1e6, 1), round(p50), round(p99), "nan", 0, 0, "nan"]))
PY
        log "fio $p qd=$q run=$r: $(tail -1 "$RES" | cut -f8) IOPS"
      done
    done
  done
  STAMP=$(date -u +%Y-%m-%d)
  mkdir -p "$ROOT/bench/results"
  OUT=$ROOT/bench/results/results-$STAMP-${NAME:-disk}.md
  {
    printf '# AoEde on a real disk, direct I/O, %s UTC\n\n' "$(date -u '+%Y-%m-%d %H:%M')"
    printf 'Machine: %s CPUs (%s), kernel %s, %s. veth pair between two namespaces, MTU %s.\n' \
      "$NCPU" "$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)" "$(uname -r)" "$("$JAVA" -version 2>&1 | head -1)" "$MTUS"
    printf 'File: 1 GiB in %s (%s on %s), every block written before. 4 KiB (8 sectors) random requests.\n' \
      "$DISKDIR" "$FSTYPE" "$(df --output=source "$DISKDIR" | tail -1)"
    printf 'Targets: the appliance (afpacket, `direct = true`), the lean AIO reflector (`bench/Reflector.java aio=FILE`: one thread polls the socket and the AIO eventfd, O_DIRECT, no checks: the bound for any AoE target over this network), `vblade -d` (O_DIRECT), and `fio --ioengine=libaio --direct=1 --bs=4k --iodepth=QD` on the same file (no network: what the device does).\n'
    printf 'Initiator: `aoede-initiator.jar bench --transport afpacket --sectors 8`; %s run(s) of %s s per cell (median) after %s s of warm-up.\n' "$RUNS" "$SECS" "$WARM"
    printf 'Load average at the start: %s; at the end: %s.\n\n' "$LOAD0" "$(cut -d' ' -f1-3 /proc/loadavg)"
    python3 "$ROOT/bench/side_report.py" disk "$RES"
  } > "$OUT"
  cp "$RES" "${OUT%.md}.tsv"
  cat "$OUT"
  log "written to $OUT (raw runs: ${OUT%.md}.tsv)"
  exit 0
fi

# ---- --rbd: a Ceph RBD image: the appliance and rbd bench on one image of one cluster ----
if [ $RBD = 1 ]; then
  command -v ceph-osd >/dev/null || { echo "--rbd needs ceph-mon ceph-osd ceph-mgr ceph-common (scripts/install-deps.sh test)" >&2; exit 2; }
  [ $QDSET = 1 ] || QDS=16
  [ $MTUSET = 1 ] || MTUS=9000
  [ $TARGETSET = 1 ] || TARGETS=appliance-rbd,reflector-rbd,rbd-bench
  FIXSECT=8
  PATTERNS=randread,randwrite
  log "starting a one-OSD Ceph cluster in $NT"
  ip netns exec "$NT" "$ROOT/scripts/ceph-test-cluster.sh" start "$WORK/ceph" >"$WORK/ceph.out" 2>&1 \
    || { cat "$WORK/ceph.out" >&2; exit 1; }
  CONF=$WORK/ceph/ceph.conf
  rbdc() { ip netns exec "$NT" rbd -c "$CONF" "$@"; }
  rbdc create --size 256M rbd/bench
  rbdc bench --io-type write --io-size 4M --io-pattern seq --io-total 256M rbd/bench >/dev/null 2>&1
  [ -n "$ZIP" ] || { echo "missing karaf-assembly/target/aoede-karaf-*.zip: build first" >&2; exit 2; }
  (cd "$WORK" && unzip -q "$ZIP" && mv aoede-karaf-*/ karaf)
  K=$WORK/karaf
  for mtu in ${MTUS//,/ }; do
    set_mtu "$mtu"
    has appliance-rbd || continue
    printf 'shelf = 1\nslot = 0\ninterfaces = %s\nfile = rbd:rbd/bench:conf=%s\n' "$VT" "$CONF" \
      > "$K/etc/org.aoede.export-bench.cfg"
    start_appliance "file = rbd:rbd/bench"
    for _ in $(seq 1 90); do [ "$(answering)" -gt 0 ] && break; sleep 1; done
    matrix appliance-rbd "$mtu"
    stop_appliance
    rm -rf "$K/data"
  done
  for mtu in ${MTUS//,/ }; do
    has reflector-rbd || break
    set_mtu "$mtu"
    reflector reflector-rbd "rbd=rbd/bench:$CONF" "$mtu"
  done
  # rbd bench on the same image: what librbd does at this depth without AoE (cache off, as the appliance)
  for p in ${PATTERNS//,/ }; do
    has rbd-bench || break
    t=${p#rand}
    for q in ${QDS//,/ }; do
      for r in $(seq 1 "$RUNS"); do
        # about SECS seconds at the rates seen here (reads ~20k/s, writes ~10k/s)
        if [ "$t" = read ]; then total=$((SECS * 80))M; else total=$((SECS * 40))M; fi
        out=$(rbdc bench --io-type "$t" --io-size 4K --io-threads "$q" --io-pattern rand --io-total "$total" \
              --rbd_cache=false rbd/bench 2>&1 | tail -1)
        ops=$(sed -n 's/.*ops: *\([0-9]*\).*/\1/p' <<<"$out")
        iops=$(sed -n 's/.*ops\/sec: *\([0-9.]*\).*/\1/p' <<<"$out")
        if [ -z "$iops" ]; then log "rbd bench $p qd=$q: no result: $out"; continue; fi
        printf 'rbd-bench\t-\t8\t%s\t%s\t%s\t%s\t%s\t%s\tnan\tnan\tnan\t0\t0\tnan\n' "$p" "$q" "$r" "$ops" "${iops%.*}" \
          "$(awk -v i="$iops" 'BEGIN{printf "%.1f", i*4096/1e6}')" >> "$RES"
        log "rbd bench $p qd=$q run=$r: ${iops%.*} IOPS"
      done
    done
  done
  STAMP=$(date -u +%Y-%m-%d)
  mkdir -p "$ROOT/bench/results"
  OUT=$ROOT/bench/results/results-$STAMP-${NAME:-rbd}.md
  {
    printf '# AoEde on a Ceph RBD image, %s UTC\n\n' "$(date -u '+%Y-%m-%d %H:%M')"
    printf 'Machine: %s CPUs (%s), kernel %s, %s, Ceph %s. veth pair between two namespaces, MTU %s.\n' \
      "$NCPU" "$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)" "$(uname -r)" "$("$JAVA" -version 2>&1 | head -1)" \
      "$(ceph --version | awk '{print $3}')" "$MTUS"
    printf 'Cluster: scripts/ceph-test-cluster.sh (one mon, one mgr, one memstore OSD, pool size 1) on 127.0.0.1 of the targets'"'"' namespace, on the same machine. Image: 256 MiB, written in full before. 4 KiB (8 sectors) random requests.\n'
    printf 'Targets: the appliance (afpacket, `file = rbd:rbd/bench`, librbd cache off), the lean rbd reflector (`bench/Reflector.java rbd=rbd/bench:CONF`: `rbd_aio_*`, the completion callback sends the reply, no checks: the bound for any AoE target on librbd over this network) and `rbd bench --io-size 4K --io-threads QD --io-pattern rand --rbd_cache=false` on the same image (no AoE: what librbd does).\n'
    printf 'Initiator: `aoede-initiator.jar bench --transport afpacket --sectors 8`; %s run(s) of %s s per cell (median) after %s s of warm-up; rbd bench runs about as long.\n' "$RUNS" "$SECS" "$WARM"
    printf 'Load average at the start: %s; at the end: %s.\n\n' "$LOAD0" "$(cut -d' ' -f1-3 /proc/loadavg)"
    python3 "$ROOT/bench/side_report.py" rbd "$RES"
  } > "$OUT"
  cp "$RES" "${OUT%.md}.tsv"
  cat "$OUT"
  log "written to $OUT (raw runs: ${OUT%.md}.tsv)"
  exit 0
fi

# ---- the appliance ----
HEAPINFO=""
PROFILEINFO=""
THREADCPU=""
if has appliance-afpacket || has appliance-pcap || [ $DO16 = 1 ]; then
  [ -n "$ZIP" ] || { echo "missing karaf-assembly/target/aoede-karaf-*.zip: build first" >&2; exit 2; }
  (cd "$WORK" && unzip -q "$ZIP" && mv aoede-karaf-*/ karaf)
  K=$WORK/karaf
  if [ -n "$BUSYPOLL" ]; then printf 'busy-poll-us = %s\n' "$BUSYPOLL" >> "$K/etc/org.aoede.transport.afpacket.cfg"; fi
  if [ -n "$QBYPASS" ]; then printf 'qdisc-bypass = %s\n' "$QBYPASS" >> "$K/etc/org.aoede.transport.afpacket.cfg"; fi
  export_cfg() { # transport: atomically (re)writes the bench export; afpacket, the default, as no key at all
    { printf 'shelf = 1\nslot = 0\ninterfaces = %s\nfile = %s\n' "$VT" "$WORK/disk.img"
      [ "$1" = afpacket ] || printf 'transport = %s\n' "$1"; } > "$K/etc/org.aoede.export-bench.tmp"
    mv "$K/etc/org.aoede.export-bench.tmp" "$K/etc/org.aoede.export-bench.cfg"
  }
  wait_answering() { # count-before
    local i; for i in $(seq 1 90); do [ "$(answering)" -gt "$1" ] && return 0; sleep 1; done
    log "appliance: export did not come up"; return 1
  }
  first_mtu=${MTUS%%,*}
  set_mtu "$first_mtu"
  # Start with the transport measured first; switching the transport restarts the export, which
  # reopens the interface and reads its MTU again.
  T0=afpacket; has appliance-afpacket || T0=pcap
  export_cfg "$T0"
  start_appliance "Karaf"
  wait_answering 0
  cur=$T0
  for mtu in ${MTUS//,/ }; do
    set_mtu "$mtu"
    for tr in afpacket pcap; do
      has "appliance-$tr" || continue
      if [ "$tr" != "$cur" ] || [ "$mtu" != "$first_mtu" ]; then
        if [ "$tr" = "$cur" ]; then   # same transport, new MTU: go through the other one to reopen
          n=$(answering); export_cfg "$([ "$tr" = pcap ] && echo afpacket || echo pcap)"; wait_answering "$n"
        fi
        n=$(answering); export_cfg "$tr"; wait_answering "$n"; cur=$tr
      fi
      matrix "appliance-$tr" "$mtu"
      if [ $PROFILE = 1 ] && [ "$tr" = afpacket ] && [ "$mtu" = "$first_mtu" ]; then
        # One extra, unrecorded randread QD16 run under Java Flight Recorder: where the appliance's time goes.
        taskset -a -p -c "$ALLCPU" "$KPID" >/dev/null
        # JFR sees the Java side; perf (if installed) sees where the CPU really goes, kernel included.
        thread_ticks() { local t; for t in /proc/"$KPID"/task/*; do printf '%s\t%s\n' "${t##*/}" "$(awk '{print $14+$15}' "$t/stat" 2>/dev/null)"; done; }
        # First a plain run (no profiler: JFR itself makes the JIT compile again): CPU by thread.
        thread_ticks > "$WORK/threads0"
        # ... and its system calls: frames per recvmmsg is the receive batch size
        SCPID=""
        if command -v perf >/dev/null; then
          perf stat -x, -e 'syscalls:sys_enter_recvmmsg,syscalls:sys_enter_sendmmsg,syscalls:sys_enter_sendto,syscalls:sys_enter_pread64,syscalls:sys_enter_pwrite64' \
            -p "$KPID" -o "$WORK/syscalls.csv" -- sleep "$SECS" >/dev/null 2>&1 &
          SCPID=$!
        fi
        PLAIN=$(initiator bench 1.0 --pattern randread --sectors "$(sectors_of "$mtu")" --qd 16 --seconds "$SECS" 2>/dev/null | grep '^bench ' || true)
        thread_ticks > "$WORK/threads1"
        if [ -n "$SCPID" ]; then wait "$SCPID" || true; fi
        SYSCALLS=""
        if [ -s "$WORK/syscalls.csv" ] && [ -n "$PLAIN" ]; then
          ios=$(sed -n 's/.* ios=\([0-9]*\).*/\1/p' <<<"$PLAIN")
          SYSCALLS=$(awk -F, -v n="$ios" '/syscalls:/ { split($3, e, ":"); sub("sys_enter_", "", e[2]); printf "%s %s (%.2f per request)%s", (c++ ? ";" : ""), e[2] ": " $1, ($1 / n), "" }' "$WORK/syscalls.csv")
          SYSCALLS="System calls of the appliance over that run (perf stat; $ios requests; the run and the count are each $SECS s, so per request is approximate):$SYSCALLS"
        fi
        "$JCMD" "$KPID" JFR.start name=aoeb settings=profile filename="$WORK/app.jfr" >/dev/null 2>&1 || true
        PERFPID=""
        if command -v perf >/dev/null; then
          perf record -q -F 999 -p "$KPID" -o "$WORK/perf.data" -- sleep "$SECS" >/dev/null 2>&1 &
          PERFPID=$!
        fi
        initiator bench 1.0 --pattern randread --sectors "$(sectors_of "$mtu")" --qd 16 --warmup 0.5 --seconds "$SECS" >/dev/null 2>&1 || true
        "$JCMD" "$KPID" JFR.stop name=aoeb >/dev/null 2>&1 || true
        # CPU by thread over the run (the JVM's own threads count in CPU µs/req too)
        THREADCPU=$(join "$WORK/threads0" "$WORK/threads1" 2>/dev/null | while read -r tid a b; do
                      n=$(cat /proc/"$KPID"/task/"$tid"/comm 2>/dev/null || echo "?"); printf '%s\t%s\n' "$((b - a))" "$n"; done |
                    awk -F'\t' '$1>0 {c[$2]+=$1; t+=$1} END {for (k in c) printf "%d\t%s\t%.0f%%\n", c[k], k, 100*c[k]/t}' | sort -rn | head -10 |
                    awk -F'\t' -v tck="$TCK" 'BEGIN{print "| thread | CPU s | share |\n| --- | --: | --: |"} {printf "| %s | %.2f | %s |\n", $2, $1/tck, $3}')
        if [ -n "$PERFPID" ]; then wait "$PERFPID" || true; fi
        if [ -s "$WORK/app.jfr" ]; then
          "$JFR" print --events jdk.ExecutionSample "$WORK/app.jfr" > "$WORK/app.jfr.txt" 2>/dev/null || true
          PROFILEINFO=$(printf 'CPU time by thread of the appliance during a plain randread QD16 run of %s s (/proc/PID/task; comm names are cut at 15 characters):' "$SECS"; printf '\n\n%s\n\n%s\n\n' "$THREADCPU" "$SYSCALLS"
                        printf 'Java Flight Recorder, execution samples (threads running Java code; time in native calls is not sampled):\n\n'
                        python3 "$ROOT/bench/jfrtop.py" "$WORK/app.jfr.txt" 2>&1 || true)
        fi
        if [ -s "$WORK/perf.data" ]; then
          PROFILEINFO+=$(printf '\n\nperf, whole process (JIT-compiled Java shows as an unknown or perf-PID.map object):\n\n```\n'
                         perf report -i "$WORK/perf.data" --stdio --no-children --sort dso 2>/dev/null | grep -v '^#' | grep -v '^$' | head -12
                         printf '\n'
                         perf report -i "$WORK/perf.data" --stdio --no-children --sort sym 2>/dev/null | grep -v '^#' | grep -v '^$' | head -25
                         printf '```\n')
        fi
      fi
    done
  done

  if [ $DO16 = 1 ]; then
    # Heap and RSS under load with 16 exports: 16 windows of 64 MiB of the same file, AF_PACKET,
    # one initiator per export (QD 8, random 2-sector reads and writes), sampled half way.
    set_mtu 1500
    rm -f "$K/etc/org.aoede.export-bench.cfg"
    sleep 2
    n=$(answering)
    for s in $(seq 0 15); do
      printf 'shelf = 2\nslot = %d\ninterfaces = %s\nfile = %s\noffset = %d\nlength = 131072\n' \
        "$s" "$VT" "$WORK/disk.img" $((s * 131072)) > "$K/etc/org.aoede.export-e$s.tmp"
      mv "$K/etc/org.aoede.export-e$s.tmp" "$K/etc/org.aoede.export-e$s.cfg"
    done
    for _ in $(seq 1 90); do [ "$(answering)" -ge $((n + 16)) ] && break; sleep 1; done
    log "16 exports answering: $(( $(answering) - n ))"
    taskset -a -p -c "$ALLCPU" "$KPID" >/dev/null
    D16=$(( SECS * 3 > 10 ? SECS * 3 : 10 ))
    rss0=$(awk '/VmRSS/{print $2}' /proc/$KPID/status)
    c0=$(cpu_ticks "$KPID")
    pids=()
    for s in $(seq 0 15); do
      pat=randread; [ $((s % 2)) = 1 ] && pat=randwrite
      ip netns exec "$NI" "$JAVA" -Xmx128m -jar "$JAR" bench 2.$s --transport afpacket -i "$VI" --pattern $pat \
        --sectors 2 --qd 8 --seconds "$D16" > "$WORK/b16-$s.out" 2>&1 &
      pids+=($!)
    done
    sleep $(( D16 / 2 + 3 ))
    rss=$(awk '/VmRSS/{print $2}' /proc/$KPID/status)
    hwm=$(awk '/VmHWM/{print $2}' /proc/$KPID/status)
    thr=$(awk '/Threads/{print $2}' /proc/$KPID/status)
    heap=$("$JCMD" "$KPID" GC.heap_info 2>&1 | sed 's/^/    /' || true)
    for p in "${pids[@]}"; do wait "$p" || true; done
    c1=$(cpu_ticks "$KPID")
    ios16=$(cat "$WORK"/b16-*.out | sed -n 's/^bench .* ios=\([0-9]*\).*/\1/p' | awk '{s+=$1} END{print s+0}')
    iops16=$(cat "$WORK"/b16-*.out | sed -n 's/^bench .* iops=\([0-9]*\).*/\1/p' | awk '{s+=$1} END{print s+0}')
    ok16=$(grep -c '^bench ' "$WORK"/b16-*.out | awk -F: '{s+=$2} END{print s+0}')
    cpu16=$(awk -v a="$c0" -v b="$c1" -v t="$TCK" -v n="$ios16" 'BEGIN{ if (n>0) printf "%.2f", (b-a)/t*1e6/n; else print "nan" }')
    HEAPINFO=$(printf '16 exports (afpacket, MTU 1500), %d concurrent initiators at QD 8 (half randread, half randwrite, 2 sectors), %d s:\n\n' "$ok16" "$D16"
      printf -- '- sum of IOPS: %s; appliance CPU per request: %s µs (16 initiator JVMs share the 2 CPUs)\n' "$iops16" "$cpu16"
      printf -- '- appliance RSS before load: %s MiB; under load: %s MiB (peak VmHWM %s MiB); threads: %s\n' \
        $((rss0 / 1024)) $((rss / 1024)) $((hwm / 1024)) "$thr"
      printf -- '- `jcmd PID GC.heap_info` under load:\n\n```\n%s\n```\n' "$heap")
    log "16 exports: $iops16 IOPS, RSS $((rss / 1024)) MiB"
  fi
  stop_appliance
fi

# ---- vblade ----
if has vblade; then
  for mtu in ${MTUS//,/ }; do
    set_mtu "$mtu"
    ip netns exec "$NT" vblade 1 0 "$VT" "$WORK/disk.img" >"$WORK/vblade.out" 2>&1 &
    TPID=$!
    sleep 1
    matrix vblade "$mtu"
    stop_target
  done
fi

# ---- the reflector ----
for mode in one batch; do
  has "reflector-$mode" || continue
  for mtu in ${MTUS//,/ }; do
    set_mtu "$mtu"
    reflector "reflector-$mode" "$mode" "$mtu"
  done
done

# ---- the report ----
STAMP=$(date -u +%Y-%m-%d)
SUFFIX=""; if [ $QUICK = 1 ]; then SUFFIX=-quick; fi
if [ -n "$NAME" ]; then SUFFIX=-$NAME; fi
mkdir -p "$ROOT/bench/results"
OUT=$ROOT/bench/results/results-$STAMP$SUFFIX.md
{
  printf '# AoEde benchmark, %s UTC\n\n' "$(date -u '+%Y-%m-%d %H:%M')"
  printf 'Machine: %s CPUs (%s), kernel %s, %s. veth pair between two namespaces; 1 GiB file on tmpfs.\n' \
    "$NCPU" "$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)" "$(uname -r)" "$("$JAVA" -version 2>&1 | head -1)"
  printf 'Initiator: `aoede-initiator.jar bench --transport afpacket`; %s run(s) of %s s per cell (median), each after %s s of unmeasured warm-up; QD1 rows with initiator and target pinned to CPU 0.\n' "$RUNS" "$SECS" "$WARM"
  printf 'CPU µs/req: the target process'"'"'s utime+stime (/proc/PID/stat) over the run / completed requests (one frame each).\n'
  printf 'Load average (1/5/15 min) at the start: %s; at the end: %s. Appliance busy-poll-us: %s, qdisc-bypass: %s. Targets'"'"' qdisc: %s.\n\n' \
    "$LOAD0" "$(cut -d' ' -f1-3 /proc/loadavg)" "${BUSYPOLL:-default}" "${QBYPASS:-default}" "${TQDISC:-noqueue}"
  python3 "$ROOT/bench/report.py" "$RES"
  if [ -n "$HEAPINFO" ]; then printf '\n## Appliance memory under load\n\n%s\n' "$HEAPINFO"; fi
  if [ -n "$PROFILEINFO" ]; then
    printf '\n## Appliance profile (JFR, transport afpacket, MTU %s, randread QD16)\n\n%s\n' "${MTUS%%,*}" "$PROFILEINFO"
  fi
} > "$OUT"
cp "$RES" "${OUT%.md}.tsv"      # the raw runs, one line each
cat "$OUT"
log "written to $OUT (raw runs: ${OUT%.md}.tsv)"
