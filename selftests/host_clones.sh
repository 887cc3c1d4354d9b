#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The host interface transmits cloned skbs (shared data) without writing
# into what the clones share: netem duplicating every other frame, mirred
# mirroring a port's egress to another port, and a bridge over two ports
# flooding broadcasts to both. Every frame arrives (counted on the wire
# ends), and no double free or leak is reported (console scan, the final
# kmemleak scan).
# budget: 115
. "$(dirname "$0")/lib/lib.sh"
require_cmd tc python3
model_only "two ports (sim_ports=2)"
trap 'ip link del br0 2>/dev/null; ip link del vb0 2>/dev/null; ip netns del w1 2>/dev/null; port_teardown' EXIT
modprobe -q sch_netem && modprobe -q act_mirred && modprobe -q cls_matchall &&
	modprobe -q sch_ingress && modprobe -q bridge || skip "no netem/mirred/bridge"
port_setup sim_ports=2
port_quiet
ip netns add w1
ip link set dpaa1w netns w1
ip -n w1 link set dpaa1w up
ip link set dpaa1 up
wire_rx() { in_ns "$1" cat /sys/class/net/"$2"/statistics/rx_packets; }

# netem: every frame duplicated (a clone of it).
tc qdisc add dev $HOST_IF root netem duplicate 100% || fail "netem"
r0=$(wire_rx $NS $WIRE_IF)
udp_burst "" $W4 9 200
wait_for 10 bash -c "[ \$(ip netns exec $NS cat /sys/class/net/$WIRE_IF/statistics/rx_packets) -ge $((r0 + 400)) ]" ||
	fail "netem duplicate: the wire got $(($(wire_rx $NS $WIRE_IF) - r0)) of 400 frames"
tc qdisc del dev $HOST_IF root
log "netem duplicate: 400 frames for 200 sent"

# mirred: dpaa0's egress mirrored to dpaa1 (clones to both).
tc qdisc add dev $HOST_IF clsact || fail "clsact"
tc filter add dev $HOST_IF egress matchall action mirred egress mirror dev dpaa1 || fail "mirred"
r0=$(wire_rx $NS $WIRE_IF)
r1=$(wire_rx w1 dpaa1w)
udp_burst "" $W4 9 200
wait_for 10 bash -c "[ \$(ip netns exec w1 cat /sys/class/net/dpaa1w/statistics/rx_packets) -ge $((r1 + 200)) ]" ||
	fail "mirred: port 1's wire got $(($(wire_rx w1 dpaa1w) - r1)) of 200 frames"
[ "$(($(wire_rx $NS $WIRE_IF) - r0))" -ge 200 ] || fail "mirred: port 0's wire lost frames"
tc qdisc del dev $HOST_IF clsact
log "mirred: 200 frames on each port"

# A bridge over both ports and a veth: broadcasts flood (clones) to both.
ip addr flush dev $HOST_IF
ip link add br0 type bridge || fail "bridge"
ip link set $HOST_IF master br0
ip link set dpaa1 master br0
ip link add vb0 type veth peer name vb1
ip link set vb0 master br0
ip link set br0 up
ip link set vb0 up
ip link set vb1 up
r0=$(wire_rx $NS $WIRE_IF)
r1=$(wire_rx w1 dpaa1w)
$PY -c '
import socket
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("vb1", 0))
for _ in range(200):
    s.send(b"\xff" * 6 + bytes.fromhex("02aabbccdd01") + b"\x88\xb5" + b"b" * 50)
'
wait_for 10 bash -c "[ \$(ip netns exec w1 cat /sys/class/net/dpaa1w/statistics/rx_packets) -ge $((r1 + 200)) ] &&
	[ \$(ip netns exec $NS cat /sys/class/net/$WIRE_IF/statistics/rx_packets) -ge $((r0 + 200)) ]" ||
	fail "bridge flood: wires got $(($(wire_rx $NS $WIRE_IF) - r0)) and $(($(wire_rx w1 dpaa1w) - r1)) of 200"
log "bridge flood: 200 broadcasts on each port"
ip link del br0
mod_unload
