#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# MTU changes and down/up of the host netdev under a flood both ways: each
# MTU change while up tears the RX/TX frame queues and the pool down and
# builds them again while xmit runs on one CPU and RX/TX confirmation on
# the portals. Nothing may touch the torn-down state (KASAN, the console
# scan), every frame is accounted for on both sides (one the port handed
# to a torn-down FQ is the host's rx_dropped; one drained from a TX FQ
# before the FMan took it is tx_dropped, not sent), and the interface
# works after.
# Time: ~40-50 s under TCG with KASAN (FLAPS=5); 92-97 s on a slower host.
# budget: 200
# suite: soak (make check has no room for it: Documentation/build-and-test.rst)
. "$(dirname "$0")/lib/lib.sh"
require_cmd ping socat
model_only "counters that start at 0 with the module"
# The churn cycles: 5 in the suite, 100 in make soak (one flap already
# left frames unaccounted for on the old code).
FLAPS=${FLAPS:-$CHURN}
HOST_FLOOD=""
cleanup() {
	stop_flood
	[ -n "$HOST_FLOOD" ] && kill "$HOST_FLOOD" 2>/dev/null
	port_teardown
}
trap cleanup EXIT
port_setup
port_quiet

wire_mac=$(in_ns $NS cat /sys/class/net/$WIRE_IF/address)
host_mac=$(cat /sys/class/net/$HOST_IF/address)
# host_acct: host RX (received + dropped) and TX (sent) against what the
# port delivered to it and took from it, since the module was loaded (by
# port_setup: both sides start at 0, so no baseline can catch a frame
# halfway). TX: what the port put on the wire (the switch counts a frame
# before its enqueue, which a down may drain as dropped).
host_acct() {
	echo $(($(ethtool_stat $HOST_IF rx_packets) + $(ethtool_stat $HOST_IF rx_dropped))) \
		$(port_stat rx_delivered) $(ethtool_stat $HOST_IF tx_packets) $(port_stat tx_to_wire)
}
rx0=$(ethtool_stat $HOST_IF rx_packets)
tx0=$(ethtool_stat $HOST_IF tx_packets)

# Host -> wire: raw frames through the qdisc into ndo_start_xmit, on
# whatever CPU this runs; errors while the link is down are expected.
raw_flood "" $HOST_IF "$wire_mac" $H4 10.9.0.98 100000
HOST_FLOOD=$!
wire_flood "$host_mac" 100000
# Both floods running before the first flap (python starts slowly under
# TCG; on a fast guest the flaps are over in 2 s).
_flowing() {
	[ "$(ethtool_stat $HOST_IF rx_packets)" -gt "$rx0" ] &&
		[ "$(ethtool_stat $HOST_IF tx_packets)" -gt "$tx0" ]
}
wait_for 20 _flowing || fail "the floods did not start"

t0=$SECONDS
for i in $(seq "$FLAPS"); do
	ip link set $HOST_IF mtu 9000 || fail "flap $i: MTU 9000"
	ip link set $HOST_IF mtu 1500 || fail "flap $i: MTU 1500"
	ip link set $HOST_IF down || fail "flap $i: down"
	ip link set $HOST_IF up || fail "flap $i: up"
done
log "$FLAPS x (MTU 9000, MTU 1500, down, up) under the flood: $((SECONDS - t0)) s"
kill -0 "$HOST_FLOOD" 2>/dev/null || fail "the host flood died"
kill -0 "$FLOOD_PID" 2>/dev/null || fail "the wire flood died"
kill "$HOST_FLOOD"
wait "$HOST_FLOOD" 2>/dev/null
HOST_FLOOD=""
stop_flood

rx=$(($(ethtool_stat $HOST_IF rx_packets) - rx0))
tx=$(($(ethtool_stat $HOST_IF tx_packets) - tx0))
log "host: $rx frames received, $tx sent during the flaps"
[ "$rx" -gt 0 ] || fail "no frame received during the flaps"
[ "$tx" -gt 0 ] || fail "no frame sent during the flaps"

wait_for 10 bash -c "ip link show $HOST_IF | grep -q LOWER_UP" || fail "$HOST_IF has no carrier"
# Neighbours went with the downs: pin them again.
ip neigh replace $W4 lladdr "$wire_mac" dev $HOST_IF nud permanent
in_ns $NS ip neigh replace $H4 lladdr "$host_mac" dev $WIRE_IF nud permanent
ping -c 3 -i 0.2 -W 5 $W4 >/dev/null || fail "ping after the flaps"
tcp_check $NS "" $H4 1
tcp_check "" $NS $W4 1 5002

# Nothing in flight once the floods stopped: the sides must agree.
acct_settled() {
	read -r hrx prx htx ptx < <(host_acct)
	[ "$hrx" = "$prx" ] && [ "$htx" = "$ptx" ]
}
settled=0
t0=$SECONDS
while [ $((SECONDS - t0)) -lt 10 ]; do
	acct_settled && { settled=1; break; }
	sleep 0.2
done
[ $settled = 1 ] || {
	read -r hrx prx htx ptx < <(host_acct)
	fail "host received+dropped $hrx of $prx the port delivered;" \
		"host sent $htx, the port took $ptx"
}
log "accounting: $prx delivered = received + dropped; $ptx sent"
expect_rx_balance
