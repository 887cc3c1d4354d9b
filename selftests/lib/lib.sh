# SPDX-License-Identifier: GPL-2.0
# Helpers sourced by the dpaa_vdpa selftests.
#
# A test is a bash script in selftests/ that exits 0 (pass), 4 (skip, as
# kselftest's KSFT_SKIP) or anything else (fail). On the model it starts and
# must end with the module unloaded; the runner unloads a module left behind
# and fails the test. On a board the module stays loaded and a test must end
# with no vDPA device left on the port.
#
# Environment:
#   DPAA_VDPA_KO   path of dpaa_vdpa.ko to insmod (default: modprobe dpaa_vdpa)
#   DPAA_VDPA_HW   1 on a board (Documentation/board.rst, "Selftests on a
#                  board"): the module is loaded once, by the admin (one
#                  load per boot: the FMan's KeyGen schemes are never freed),
#                  the tests use only what a board has (netdevs, the vdpa
#                  tool, ethtool, vhost-vdpa, the switch's debugfs) and those
#                  that need the model (model_only: module parameters, its
#                  fault injection, its port bus, load/unload) are skipped;
#   DPAA_VDPA_PORT     on a board: the port's management device, dpaa<reg>;
#   DPAA_VDPA_HOST_IF  its host netdev (default: the same name);
#   DPAA_VDPA_WIRE     the far end of the port's cable: an interface of this
#                  machine cabled to the port (e.g. a dpaa_eth MAC looped
#                  back to it), moved into a namespace for each test.

set -u

KSFT_SKIP=4
# Python without site-packages starts in half the time under TCG+KASAN; the
# test tools use the standard library only.
PY="python3 -S"

# Volumes. `make check` keeps them small (the bytes are still verified end
# to end); `make soak` raises them (scripts/soak.sh).
TCP_MIB=${TCP_MIB:-2}   # MiB per content-verified TCP transfer
CHURN=${CHURN:-5}       # add/remove cycles of the churn loops
MOD=dpaa_vdpa
VDPA=${VDPA:-$(command -v vdpa || echo /usr/sbin/vdpa)}

log() { echo "$*"; }
fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit $KSFT_SKIP; }

HW=${DPAA_VDPA_HW:-0}
. "$(dirname "${BASH_SOURCE[0]}")/board.sh"

# model_only WHY: skip on a board (what the test needs that only the model has).
model_only() {
	[ "$HW" = 1 ] && skip "needs the software DPAA model: $*"
	return 0
}

require_cmd() {
	local c
	for c; do command -v "$c" >/dev/null || skip "$c not installed"; done
}

mod_loaded() { [ -d /sys/module/$MOD ]; }

mod_load() {
	if [ "$HW" = 1 ]; then
		[ $# = 0 ] || skip "needs the model's module parameters ($*)"
		mod_loaded || fail "DPAA_VDPA_HW=1: load $MOD first (once per boot)"
		return 0
	fi
	# insmod does not load dependencies: the vDPA IOTLB library first.
	modprobe -q vhost_iotlb || true
	if [ -n "${DPAA_VDPA_KO:-}" ]; then
		insmod "$DPAA_VDPA_KO" "$@"
	else
		modprobe $MOD "$@"
	fi
}

# mod_unload: on a board the module stays; the vDPA devices of the port a
# test took over (port_setup) go, not those of a port it found in use.
mod_unload() {
	if [ "$HW" = 1 ]; then
		[ "$PORT_TAKEN" = 1 ] && port_devs_del
		return 0
	fi
	rmmod $MOD
}

# port_devs: the vDPA devices of the port under test, one a line.
port_devs() { board_devs "$VDPA" "$PORT" || fail "vdpa dev show"; }

port_devs_del() {
	local devs d
	devs=$(board_devs "$VDPA" "$PORT") || fail "vdpa dev show"
	for d in $devs; do "$VDPA" dev del "$d"; done
}

# expect_eq WHAT GOT WANT
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
}

# Run a command that must fail; its stderr goes to $ERR_OUT.
ERR_OUT=""
expect_fail() {
	local out rc
	out=$("$@" 2>&1) && fail "'$*' succeeded, expected failure"
	ERR_OUT=$out
	return 0
}

# Names of the management devices the vDPA core lists, one a line.
mgmtdev_names() {
	"$VDPA" -j mgmtdev show | jq -r '.mgmtdev | keys[]'
}

# Our management devices: those whose parent is a software port.
sim_mgmtdevs() {
	mgmtdev_names | grep '^dpaa_sim' || true
}

# Leaks: the runner's last test scans with kmemleak (a scan costs ~10 s
# under TCG): a leak shows there with the stack of its allocation.

# nap SECS: sleep without a process (under TCG and KASAN a fork and exec
# costs ~0.3 s, more than the nap): a read that times out on a FIFO nobody
# writes to.
_nap_fifo=$(mktemp -u /tmp/selftest-nap.XXXXXX)
if mkfifo "$_nap_fifo" && exec 8<>"$_nap_fifo"; then
	rm -f "$_nap_fifo"
	nap() { read -r -t "$1" -u 8 _ || :; }
else
	nap() { sleep "$1"; }
fi

# Wait until a command succeeds (polled, not slept for): wait_for SECS CMD...
wait_for() {
	local secs=$1 i
	shift
	for ((i = 0; i < secs * 10; i++)); do
		"$@" && return 0
		nap 0.1
	done
	return 1
}

# --- a port with its wire end in a namespace ---------------------------------
# The port under test: its management device PORT and host netdev HOST_IF in
# this namespace, the far end of its wire WIRE_IF in $NS. The model: port 0
# (dpaa_sim0, dpaa0) and the model's wire end dpaa0w. A board: the
# DPAA_VDPA_* variables above.
if [ "$HW" = 1 ]; then
	# The checks that a test leaves the port as it found it read these.
	command -v jq >/dev/null && [ -x "$VDPA" ] || fail "DPAA_VDPA_HW=1 needs jq and vdpa"
	PORT=${DPAA_VDPA_PORT:?DPAA_VDPA_HW=1 needs DPAA_VDPA_PORT (the port, dpaa<reg>)}
	HOST_IF=${DPAA_VDPA_HOST_IF:-$PORT}
	WIRE_IF=${DPAA_VDPA_WIRE:?DPAA_VDPA_HW=1 needs DPAA_VDPA_WIRE (an interface cabled to the port)}
else
	PORT=dpaa_sim0
	HOST_IF=dpaa0
	WIRE_IF=dpaa0w
fi
NS=wire
H4=10.9.0.1
W4=10.9.0.2
H6=fd00:9::1
W6=fd00:9::2
# The switch's debugfs (the same on a board and on the model).
DBG=/sys/kernel/debug/dpaa_vdpa/$PORT
STATS=$DBG/stats

# in_ns NS CMD...: run CMD in namespace NS ("" for this one).
in_ns() {
	local ns=$1
	shift
	if [ -n "$ns" ]; then ip netns exec "$ns" "$@"; else "$@"; fi
}

# One `ip -batch` per namespace: each ip process costs ~0.8 s under TCG.
# On a board the host netdev and the wire end are the admin's: port_teardown
# puts back their MTU (and the host's MAC), takes the host's addresses,
# VLANs and ntuple rules away (board_reset); a test starts with no vDPA
# device on the port.
HOST_MTU="" HOST_MAC="" HOST_V6="" WIRE_MTU="" PORT_TAKEN=0
port_setup() {
	mod_load "$@" || fail "load failed"
	if [ "$HW" = 1 ]; then
		local devs
		devs=$(board_devs "$VDPA" "$PORT") || fail "vdpa dev show"
		[ -z "$devs" ] || fail "vDPA devices already on $PORT: $(echo $devs)"
		[ -e /sys/class/net/$WIRE_IF ] || fail "no wire end $WIRE_IF here"
		PORT_TAKEN=1
		HOST_MTU=$(cat /sys/class/net/$HOST_IF/mtu)
		HOST_MAC=$(cat /sys/class/net/$HOST_IF/address)
		WIRE_MTU=$(cat /sys/class/net/$WIRE_IF/mtu)
		HOST_V6=$(sysctl -n net.ipv6.conf.$HOST_IF.disable_ipv6)
		sysctl -qw net.ipv6.conf.$HOST_IF.disable_ipv6=0
		ip link set $HOST_IF down && ip addr flush dev $HOST_IF || fail "resetting $HOST_IF"
	fi
	ip -batch - <<-EOF || fail "port set-up"
		netns add $NS
		link set $WIRE_IF netns $NS
		addr add $H4/24 dev $HOST_IF
		addr add $H6/64 dev $HOST_IF nodad
		link set $HOST_IF up
	EOF
	ip -n $NS -batch - <<-EOF || fail "wire end set-up"
		link set lo up
		addr add $W4/24 dev $WIRE_IF
		addr add $W6/64 dev $WIRE_IF nodad
		link set $WIRE_IF up
	EOF
	if [ "$HW" = 1 ]; then
		# A real cable: the wire end's PHY renegotiates after each move
		# (~3 s at 1000BASE-T, more at 10G), and the host netdev's
		# carrier does not follow the link yet: wait for the wire end's
		# carrier, then for a frame through (ARP gives up after 3 s).
		wait_for "${DPAA_VDPA_LINK_TIMEOUT:-15}" in_ns $NS grep -qx 1 /sys/class/net/$WIRE_IF/carrier ||
			fail "no carrier on the wire end $WIRE_IF"
		wait_for 10 ping -c 1 -W 1 $W4 >/dev/null || fail "no ping through the port to the wire end"
	fi
}

port_teardown() {
	mod_loaded && mod_unload
	if [ "$HW" = 1 ] && [ "$PORT_TAKEN" = 1 ]; then
		# The wire end back here (deleting the namespace would too, but
		# only once no process holds it), the host netdev as it was.
		ip -n $NS link set $WIRE_IF netns $$ 2>/dev/null
		board_reset $HOST_IF $HOST_MTU $HOST_MAC $HOST_V6 $WIRE_IF $WIRE_MTU 2>/dev/null
	fi
	ip netns del $NS 2>/dev/null
	return 0
}

# port_stat NAME: a counter of the port under test (the switch's debugfs).
port_stat() {
	local k v
	while read -r k v; do
		[ "$k" = "$1" ] && { echo "$v"; return 0; }
	done <"$STATS"
	fail "no port counter $1"
}

# The port's RX identity: every frame from the wire, and every extra copy
# the switch made of a group frame, is delivered or dropped for a counted
# reason. Prints "frames+copies delivered+drops".
port_rx_balance() {
	local k v frames=0 sum=0
	[ -r "$STATS" ] || fail "no port counters at $STATS"
	while read -r k v; do
		case $k in
		rx_frames | rx_copies) frames=$((frames + v)) ;;
		rx_delivered | rx_drop_*) sum=$((sum + v)) ;;
		esac
	done <"$STATS"
	echo "$frames $sum"
}

# ethtool_stat IF NAME
ethtool_stat() {
	ethtool -S "$1" | awk -v n="$2:" '$1 == n { print $2; found = 1 } END { exit !found }' ||
		fail "no ethtool stat $2 on $1"
}

# tcp_check FROM_NS TO_NS ADDR MIB [PORT]: MIB MiB of random data over TCP
# from FROM_NS to ADDR (in TO_NS); the receiver's SHA-256 must match.
tcp_check() {
	local from=$1 to=$2 addr=$3 mib=$4 port=${5:-5001} data=/tmp/tcp_check.data
	[ -s $data.$mib ] || head -c "${mib}M" /dev/urandom >$data.$mib
	local want got proto=TCP
	want=$(sha256sum <$data.$mib | cut -d' ' -f1)
	case $addr in *:*) proto=TCP6; addr="[$addr]" ;; esac
	in_ns "$to" socat -u "$proto-LISTEN:$port,reuseaddr" - | sha256sum >/tmp/tcp_check.got &
	local rx=$!
	local t0=$SECONDS
	# The sender retries its connect until the listener is up (60 tries
	# 0.25 s apart), instead of a poll for the listener that would cost
	# processes; each try gives up after 3 s (socat retries any connect
	# error: on a broken path a try would otherwise wait out the SYN
	# retransmissions).
	in_ns "$from" socat -u "FILE:$data.$mib" \
		"$proto:$addr:$port,retry=60,interval=0.25,connect-timeout=3" ||
		fail "sending $mib MiB to $addr failed"
	wait $rx
	got=$(cut -d' ' -f1 /tmp/tcp_check.got)
	[ "$got" = "$want" ] || fail "$mib MiB to $addr: checksum mismatch"
	log "$mib MiB to $addr: sha256 ok ($((SECONDS - t0)) s)"
}

# udp_burst NS ADDR PORT N: N UDP datagrams of one flow (fixed source port).
# A send blocked for 5 s (a stalled TX queue holding the socket's buffer)
# ends the burst with status 1 instead of hanging the test.
udp_burst() {
	in_ns "$1" $PY -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
s.bind(("", 40000))
try:
    for _ in range(int(sys.argv[3])):
        s.sendto(b"x" * 18, (sys.argv[1], int(sys.argv[2])))
except OSError as e:
    sys.exit("udp_burst: %s" % e)
' "$2" "$3" "$4"
}

# port_quiet: no IPv6 chatter and no ARP refreshes on port 0, so counters
# move only with what a test sends (call after port_setup).
port_quiet() {
	# A TCP connection an earlier test left behind (e.g. killed with the port
	# unloaded under it) retransmits its FIN through the new port, and the
	# wire answers with a RST: frames nobody here sent. TIME-WAIT and
	# FIN-WAIT-2 send nothing by themselves.
	local left
	left=$(ss -Htan dst "$W4" 2>/dev/null | grep -vE '^(TIME-WAIT|FIN-WAIT-2) ')
	[ -z "$left" ] || fail "connections to the wire left by an earlier test: $left"
	in_ns $NS sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	sysctl -qw net.ipv6.conf.$HOST_IF.disable_ipv6=1
	ping -c 1 -W 5 $W4 >/dev/null || fail "ping"
	ip neigh replace $W4 lladdr "$(in_ns $NS cat /sys/class/net/$WIRE_IF/address)" dev $HOST_IF nud permanent
	in_ns $NS ip neigh replace $H4 lladdr "$(cat /sys/class/net/$HOST_IF/address)" dev $WIRE_IF nud permanent
}

# --- vDPA devices on port 0 ----------------------------------------------------
VDPA_NL="$(dirname "${BASH_SOURCE[0]}")/vdpa_nl.py"

# vdpa_netdev DEV: the interface virtio_vdpa made for DEV.
vdpa_netdev() {
	local i f
	for ((i = 0; i < 200; i++)); do
		for f in /sys/bus/vdpa/devices/"$1"/virtio*/net/*; do
			[ -e "$f" ] && { echo "${f##*/}"; return 0; }
		done
		nap 0.1
	done
	fail "virtio_vdpa made no interface for $1"
}

# vdpa_up DEV NS ADDR [dev add args...]: a device on port 0 whose interface,
# renamed DEV, is up in its own namespace NS with ADDR/24.
vdpa_up() {
	local dev=$1 ns=$2 addr=$3 ifc
	shift 3
	[ -d /sys/module/virtio_vdpa ] || modprobe virtio_vdpa || fail "modprobe virtio_vdpa"
	"$VDPA" dev add name "$dev" mgmtdev $PORT "$@" || fail "dev add $dev $*"
	# vhost_vdpa, when loaded (and registered before virtio_vdpa), takes
	# a new device first: hand it to virtio_vdpa.
	local drv
	drv=$(readlink /sys/bus/vdpa/devices/"$dev"/driver 2>/dev/null)
	drv=${drv##*/}
	if [ "$drv" != virtio_vdpa ]; then
		[ -n "$drv" ] && echo "$dev" >/sys/bus/vdpa/drivers/"$drv"/unbind
		echo "$dev" >/sys/bus/vdpa/drivers/virtio_vdpa/bind || fail "binding $dev to virtio_vdpa"
	fi
	ifc=$(vdpa_netdev "$dev") || fail "${ifc#FAIL: }"
	[ -e /run/netns/"$ns" ] || ip netns add "$ns" || fail "netns add $ns"
	ip link set "$ifc" netns "$ns" || fail "moving $ifc to $ns"
	ip -n "$ns" -batch - <<-EOF || fail "set-up of $dev in $ns"
		link set $ifc name $dev
		link set lo up
		addr add $addr/24 dev $dev
		link set $dev up
	EOF
	in_ns "$ns" sysctl -qw net.ipv6.conf."$dev".disable_ipv6=1
}

# vstat DEV QIDX NAME: a counter of `vdpa dev vstats show` (parsed in the
# shell: one process, not two, per read).
vstat() {
	local json
	json=$("$VDPA" -j dev vstats show "$1" qidx "$2" 2>/dev/null)
	[[ $json =~ \"$3\":([0-9]+) ]] || fail "no vstat $3 for $1 qidx $2"
	echo "${BASH_REMATCH[1]}"
}

# expect_rx_balance: the port's RX identity holds, polled for up to 10 s
# (its counters move one after the other as a frame goes through, so a read
# during traffic may straddle one); there must have been traffic.
expect_rx_balance() {
	local frames=0 sum=0
	_rx_balanced() { read -r frames sum < <(port_rx_balance); [ "$frames" = "$sum" ] && [ "$frames" -gt 0 ]; }
	wait_for 10 _rx_balanced || fail "port RX frames + copies $frames != delivered + drops $sum"
	log "port RX: $frames frames + copies, $sum delivered + dropped"
}

# expect_tx_balance DEV QIDX: TX queue QIDX's chains are its frames plus its
# drops (vq_balance), polled for up to 5 s (a rejection comes back through
# the ern after the chain was used). Leaves the two sides in descs and sum.
expect_tx_balance() {
	_tx_balanced() { read -r descs sum < <(vq_balance "$1" "$2"); [ "$descs" = "$sum" ]; }
	wait_for 5 _tx_balanced "$1" "$2" || fail "$1 TX chains vs frames + drops: $descs vs $sum"
}

# vq_balance DEV QIDX: prints "descriptors frames+drops" of TX queue QIDX:
# every chain taken is a frame the port took or a drop (a frame QMan
# rejected after the chain was used is a drop, not a frame).
vq_balance() {
	local json
	json=$("$VDPA" -j dev vstats show "$1" qidx "$2") || fail "vstats $1 qidx $2"
	[[ $json =~ \"descriptors\":([0-9]+) ]] || fail "no descriptors in vstats $1 qidx $2"
	local descs=${BASH_REMATCH[1]}
	[[ $json =~ \"frames\":([0-9]+) ]] || fail "no frames in vstats $1 qidx $2"
	local frames=${BASH_REMATCH[1]}
	echo "$descs $(grep -oE '"drop_[a-z_]+":[0-9]+' <<<"$json" | awk -F: -v f="$frames" '{ s += $2 } END { print s + f }')"
}

# vstat_ge DEV QIDX NAME N: whether that counter is at least N (for wait_for).
vstat_ge() {
	local json
	json=$("$VDPA" -j dev vstats show "$1" qidx "$2" 2>/dev/null)
	[[ $json =~ \"$3\":([0-9]+) ]] && [ "${BASH_REMATCH[1]}" -ge "$4" ]
}

# udp_sink NS PORT: swallow UDP to PORT in NS (no ICMP unreachable back).
SINKS=""
udp_sink() {
	# Not through in_ns: $! must be socat itself, to kill it.
	if [ -n "$1" ]; then
		ip netns exec "$1" socat -u "UDP-RECV:$2" /dev/null &
	else
		socat -u "UDP-RECV:$2" /dev/null &
	fi
	SINKS="$SINKS $!"
	wait_for 10 bash -c "$( [ -n "$1" ] && echo "ip netns exec $1") ss -Hlun | grep -q ':$2 '" ||
		fail "UDP sink on port $2 did not come up"
}

# vdpa_teardown: the module (and with it every device), virtio_vdpa, the
# namespaces of the vDPA tests.
vdpa_teardown() {
	[ -n "$SINKS" ] && kill $SINKS 2>/dev/null
	port_teardown
	modprobe -r virtio_vdpa 2>/dev/null
	local ns
	for ns in d0 d1 d2; do ip netns del $ns 2>/dev/null; done
	return 0
}

# --- vDPA devices for userspace drivers (vhost-vdpa) ---------------------------
VHOST_LIB="$(dirname "${BASH_SOURCE[0]}")"

# vhost_dev NAME [dev add args...]: a device on port 0 bound to vhost_vdpa;
# prints its character device.
vhost_dev() {
	local dev=$1
	shift
	modprobe -r virtio_vdpa 2>/dev/null
	modprobe vhost_vdpa || skip "no vhost_vdpa"
	"$VDPA" dev add name "$dev" mgmtdev $PORT "$@" || fail "dev add $dev $*"
	vhost_chr "$dev"
}

# vhost_chr DEV: once vhost_vdpa has bound DEV, prints its character device.
vhost_chr() {
	local chr
	wait_for 10 bash -c "ls -d /sys/bus/vdpa/devices/$1/vhost-vdpa-* >/dev/null 2>&1" ||
		fail "vhost_vdpa did not bind $1"
	chr=/dev/$(basename /sys/bus/vdpa/devices/"$1"/vhost-vdpa-*)
	wait_for 10 test -c "$chr" || fail "no $chr"
	echo "$chr"
}

# udp_flows ADDR N: from the wire end, N UDP flows (source ports 41000..)
# of 4 datagrams each to ADDR, port 7000.
udp_flows() {
	in_ns $NS $PY -c '
import socket, sys
for p in range(41000, 41000 + int(sys.argv[1])):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("", p))
    for _ in range(4):
        s.sendto(b"x" * 18, (sys.argv[2], 7000))
    s.close()
' "$2" "$1"
}

# vhost_teardown: vdpa_teardown, and vhost_vdpa unloaded.
vhost_teardown() {
	vdpa_teardown
	modprobe -r vhost_vdpa 2>/dev/null
	return 0
}

# raw_flood NS IF MAC SRC DST SECS: raw UDP frames from SRC to DST (IPv4)
# and MAC, sent on IF in namespace NS ("" for this one) for SECS seconds (or
# until killed), in the background ($! is the sender). Send errors (a link
# going down) only slow it.
raw_flood() {
	local ns=(${1:+ip netns exec "$1"})
	"${ns[@]}" $PY - "$2" "$3" "$4" "$5" "$6" <<'PY' &
import ipaddress, socket, struct, sys, time
ifname, dst = sys.argv[1], bytes.fromhex(sys.argv[2].replace(":", ""))
sip, dip = (ipaddress.IPv4Address(a).packed for a in sys.argv[3:5])
secs = float(sys.argv[5])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((ifname, 0))
src = bytes.fromhex(open(f"/sys/class/net/{ifname}/address").read().strip().replace(":", ""))
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + 8 + 64, 0, 0, 64, 17, 0, sip, dip)
f = dst + src + b"\x08\x00" + ip + struct.pack("!HHHH", 4000, 9, 72, 0) + b"f" * 64
end = time.monotonic() + secs
while time.monotonic() < end:
    for _ in range(32):
        try:
            s.send(f)
        except OSError:
            time.sleep(0.001)
PY
}

# raw_send NS IF MAC N [LEN]: N raw frames of LEN (default 100) bytes to MAC
# from IF in namespace NS ("" for this one); each a distinct UDP datagram.
raw_send() {
	local ns=(${1:+ip netns exec "$1"})
	"${ns[@]}" $PY - "$2" "$3" "$4" "${5:-100}" <<'PY' || fail "raw_send"
import socket, struct, sys
ifname, dst = sys.argv[1], bytes.fromhex(sys.argv[2].replace(":", ""))
n, size = int(sys.argv[3]), int(sys.argv[4])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((ifname, 0))
src = bytes.fromhex(open(f"/sys/class/net/{ifname}/address").read().strip().replace(":", ""))
pay = size - 14 - 28
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28 + pay, 0, 0, 64, 17, 0,
                 bytes([10, 9, 0, 1]), bytes([10, 9, 0, 99]))
for i in range(n):
    s.send(dst + src + b"\x08\x00" + ip + struct.pack("!HHHH", 4000 + i, 9, 8 + pay, 0) + b"r" * pay)
PY
}

# wire_flood MAC SECS: from the wire end, raw UDP frames to MAC for SECS
# seconds (or until killed), in the background; FLOOD_PID is the sender.
FLOOD_PID=""
wire_flood() {
	raw_flood $NS $WIRE_IF "$1" $W4 10.9.0.99 "$2"
	FLOOD_PID=$!
}

# stop_flood: ends the wire_flood sender.
stop_flood() {
	[ -n "$FLOOD_PID" ] && kill "$FLOOD_PID" 2>/dev/null && wait "$FLOOD_PID" 2>/dev/null
	FLOOD_PID=""
	return 0
}

# vdpa_rebind DEV DRIVER: moves DEV to another vDPA bus driver.
vdpa_rebind() {
	local cur
	cur=$(basename "$(readlink /sys/bus/vdpa/devices/"$1"/driver 2>/dev/null)" 2>/dev/null)
	[ -n "$cur" ] && [ "$cur" != . ] && echo "$1" >/sys/bus/vdpa/drivers/"$cur"/unbind
	echo "$1" >/sys/bus/vdpa/drivers/"$2"/bind
}
