#!/usr/bin/env bash
# Builds AoEde and starts it with a demo export, safely: the export is served only on one end
# of a veth pair made for it, whose other end sits in the network namespace "aoede-demo" for
# the initiator. No real NIC is touched.
#   ./demo.sh          build, start, print how to use the export
#   ./demo.sh stop     stop the appliance and remove the namespace and veth pair
set -euo pipefail
cd "$(dirname "$0")"
NS=aoede-demo
IF_TARGET=aoede-demo0     # appliance side, in this (the root) namespace
IF_INIT=aoede-demo1       # initiator side, inside namespace $NS
RUN=$PWD/run
HOME_DIR=$RUN/aoede-karaf
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}   # Karaf 4.4 needs JDK 17

if [ "$(id -u)" != 0 ]; then
  echo "demo.sh needs root: it creates a network namespace and a veth pair, and the appliance" >&2
  echo "needs raw Ethernet access. Run: sudo ./demo.sh" >&2
  exit 1
fi

if [ "${1:-}" = stop ]; then
  [ -x "$HOME_DIR/bin/stop" ] && "$HOME_DIR/bin/stop" 2>/dev/null || true
  pkill -f "karaf.home=$HOME_DIR" 2>/dev/null || true
  ip netns del "$NS" 2>/dev/null || true
  ip link del "$IF_TARGET" 2>/dev/null || true
  echo "stopped; the demo image stays in $HOME_DIR/data/demo.img"
  exit 0
fi

scripts/install-deps.sh run
mvn -B -q install -DskipTests

mkdir -p "$RUN"
if [ ! -d "$HOME_DIR" ]; then
  (cd "$RUN" && unzip -q ../karaf-assembly/target/aoede-karaf-*.zip && mv aoede-karaf-*/ aoede-karaf)
  chmod +x "$HOME_DIR"/bin/*
fi

# The LAN: a veth pair, the initiator's end in its own namespace.
ip netns add "$NS" 2>/dev/null || true
if ! ip link show "$IF_TARGET" >/dev/null 2>&1; then
  ip link add "$IF_TARGET" type veth peer name "$IF_INIT"
  ip link set "$IF_INIT" netns "$NS"
fi
# As a storage NIC: no address at all (no IPv4, IPv6 off before the link comes up).
sysctl -qw "net.ipv6.conf.$IF_TARGET.disable_ipv6=1"
ip netns exec "$NS" sysctl -qw "net.ipv6.conf.$IF_INIT.disable_ipv6=1"
ip link set "$IF_TARGET" up
ip -n "$NS" link set lo up
ip -n "$NS" link set "$IF_INIT" up

# The demo export: a 1 GiB sparse image in the distribution's data folder.
[ -f "$HOME_DIR/data/demo.img" ] || { mkdir -p "$HOME_DIR/data"; truncate -s 1G "$HOME_DIR/data/demo.img"; }
# Written only when there is none: an edited demo export stays as the operator left it.
if [ ! -e "$HOME_DIR/etc/org.aoede.export-demo.cfg" ]; then
  cat > "$HOME_DIR/etc/org.aoede.export-demo.cfg" <<CFG
# Demo export, made by demo.sh: e1.0 on the veth end $IF_TARGET only.
shelf = 1
slot = 0
interfaces = $IF_TARGET
file = $HOME_DIR/data/demo.img
CFG
fi

if ! pgrep -f "karaf.home=$HOME_DIR" >/dev/null; then
  "$HOME_DIR/bin/start"
fi
echo -n "waiting for the demo export"
for _ in $(seq 1 120); do
  if grep -q "export demo: e1.0 answering on $IF_TARGET" "$HOME_DIR/data/log/karaf.log" 2>/dev/null; then
    break
  fi
  echo -n .; sleep 1
done
echo
grep "export demo" "$HOME_DIR/data/log/karaf.log" | tail -2 | sed 's/^.*| //'

INI="ip netns exec $NS java -jar $PWD/bundles/initiator/target/aoede-initiator.jar"
cat <<MSG

AoEde is running ($HOME_DIR), exporting e1.0 (1 GiB sparse image) on $IF_TARGET.
From the initiator's namespace "$NS" (interface $IF_INIT):

  $INI discover -i $IF_INIT
  $INI identify -i $IF_INIT 1.0
  $INI verify   -i $IF_INIT 1.0 --count-frames 10000 --qd 16
  $INI bench    -i $IF_INIT 1.0 --pattern randread --qd 16 --seconds 5

Log: $HOME_DIR/data/log/karaf.log   Shell: $HOME_DIR/bin/client   Scripts: $HOME_DIR/bin/aoe list --json
Change the export live by editing $HOME_DIR/etc/org.aoede.export-demo.cfg.
Stop and clean up: sudo ./demo.sh stop
MSG
