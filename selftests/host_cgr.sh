#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The host's TX congestion group, as dpaa_eth uses QMan's: with no portal
# dequeuing, frames the host sends wait in its TX FQs until their bytes
# reach the group's threshold; the group's entry into congestion stops the
# queue (the rest wait in the qdisc, nothing is dropped); once the portals
# run again the group's exit wakes the queue and every frame goes out.
# Time: ~40 s under TCG with KASAN.
# budget: 130
# suite: soak (make check has no room for it: Documentation/build-and-test.rst)
. "$(dirname "$0")/lib/lib.sh"
require_cmd socat tc
model_only "portals it can stall (debugfs qman/stall_portal)"
D=/sys/kernel/debug/dpaa_vdpa
np=0
stall() {
	local i
	for ((i = 0; i < np; i++)); do echo "$i $1" >$D/qman/stall_portal; done
}
trap 'stall 0; port_teardown' EXIT
port_setup
np=$(($(wc -l <$D/qman/portals) - 2))
port_quiet
udp_sink $NS 7010
# A plain FIFO holds what the stopped queue cannot take (no AQM drops).
tc qdisc replace dev $HOST_IF root pfifo limit 1000 || fail "pfifo on $HOST_IF"

# congest N SIZE: N datagrams of SIZE bytes with the portals stalled, then
# resumed. Every frame counts its length plus 127 bytes (its skb, QMan's
# largest overhead) against the group's 256 KiB: 400 x 1000 B and 2000 x
# 18 B (60-byte frames) both reach it before the FQs' storage does.
congest() {
	local n=$1 size=$2 e0 x0 p0 d0 t0 e x t backlog
	e0=$(ethtool_stat $HOST_IF tx_cgr_entries)
	x0=$(ethtool_stat $HOST_IF tx_cgr_exits)
	p0=$(ethtool_stat $HOST_IF tx_packets)
	d0=$(ethtool_stat $HOST_IF tx_dropped)
	t0=$(port_stat tx_to_wire)
	[ "$(ethtool_stat $HOST_IF tx_cgr_congested)" = 0 ] || fail "congested before anything was sent"

	stall 1
	# A send buffer big enough that the sender never blocks on the frames
	# held back.
	$PY - $W4 7010 "$n" "$size" <<'PY' || fail "sending $n datagrams of $size bytes"
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, 32, 8 << 20)  # SO_SNDBUFFORCE
for _ in range(int(sys.argv[3])):
    s.sendto(b"c" * int(sys.argv[4]), (sys.argv[1], int(sys.argv[2])))
PY
	wait_for 10 bash -c "ethtool -S $HOST_IF | grep -q 'tx_cgr_congested: 1'" ||
		fail "$n x $size B: the TX congestion group did not enter congestion"
	e=$(($(ethtool_stat $HOST_IF tx_cgr_entries) - e0))
	t=$(($(port_stat tx_to_wire) - t0))
	backlog=$(tc -s qdisc show dev $HOST_IF | awk '/backlog/ { print $3; exit }')
	log "$n x $size B, portals stalled: congested ($e entries), $t frames out, qdisc backlog $backlog"
	[ "$t" = 0 ] || fail "frames left with no portal dequeuing: $t"
	[ "${backlog%p}" -gt 0 ] || fail "nothing waits in the qdisc: the queue was not stopped"

	stall 0
	all_out() { [ $(($(port_stat tx_to_wire) - t0)) -ge "$n" ]; }
	wait_for 30 all_out
	t=$(($(port_stat tx_to_wire) - t0))
	expect_eq "$n x $size B: frames out after the portals resumed" "$t" "$n"
	wait_for 10 bash -c "ethtool -S $HOST_IF | grep -q 'tx_cgr_congested: 0'" ||
		fail "the TX congestion group stayed congested"
	e=$(($(ethtool_stat $HOST_IF tx_cgr_entries) - e0))
	x=$(($(ethtool_stat $HOST_IF tx_cgr_exits) - x0))
	log "resumed: $t frames out; congestion entries $e, exits $x"
	[ "$e" -ge 1 ] || fail "no entry into congestion"
	expect_eq "exits from congestion" "$x" "$e"
	expect_eq "host tx_packets" $(($(ethtool_stat $HOST_IF tx_packets) - p0)) "$n"
	expect_eq "host tx_dropped" $(($(ethtool_stat $HOST_IF tx_dropped) - d0)) 0
}

congest 400 1000
congest 2000 18
ping -c 2 -i 0.2 -W 5 $W4 >/dev/null || fail "ping after the congestion"

# Down and up while congested: the frames held are dropped (counted), the
# group goes with the running state, and the new one starts uncongested
# with the queue running.
d0=$(ethtool_stat $HOST_IF tx_dropped)
stall 1
$PY - $W4 7010 <<'PY' || fail "sending before the down/up"
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, 32, 8 << 20)  # SO_SNDBUFFORCE
for _ in range(400):
    s.sendto(b"c" * 1000, (sys.argv[1], int(sys.argv[2])))
PY
wait_for 10 bash -c "ethtool -S $HOST_IF | grep -q 'tx_cgr_congested: 1'" ||
	fail "no congestion before the down/up"
ip link set $HOST_IF down && ip link set $HOST_IF up || fail "down/up while congested"
stall 0
expect_eq "congested after down/up" "$(ethtool_stat $HOST_IF tx_cgr_congested)" 0
d=$(($(ethtool_stat $HOST_IF tx_dropped) - d0))
log "down/up while congested: $d frames held in the TX FQs dropped"
[ "$d" -gt 0 ] || fail "no frame was held (and dropped) at the down"
wait_for 10 bash -c "ip link show $HOST_IF | grep -q LOWER_UP" || fail "no carrier after down/up"
ip neigh replace $W4 lladdr "$(in_ns $NS cat /sys/class/net/$WIRE_IF/address)" dev $HOST_IF nud permanent
ping -c 2 -i 0.2 -W 5 $W4 >/dev/null || fail "ping after down/up while congested"
