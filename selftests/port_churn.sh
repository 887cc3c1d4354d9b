#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Ports at run time: add/remove CHURN (5, soak 100) times through /sys/bus/dpaa_sim; bad requests
# are refused; removing a port and unloading the module while traffic runs
# leaves no splat and no leak.
# budget: 125
# suite: soak (make check has no room for it: Documentation/build-and-test.rst)
. "$(dirname "$0")/lib/lib.sh"
require_cmd socat
model_only "its port bus (/sys/bus/dpaa_sim)"
BUS=/sys/bus/dpaa_sim
trap port_teardown EXIT
mod_load sim_ports=0 || fail "load"
for i in $(seq 1 "$CHURN"); do
	echo 5 >$BUS/new_port || fail "new_port #$i"
	[ -d /sys/class/net/dpaa5 ] && [ -d /sys/class/net/dpaa5w ] || fail "port 5's netdevs missing (#$i)"
	echo 5 >$BUS/del_port || fail "del_port #$i"
done
[ -e /sys/class/net/dpaa5 ] && fail "dpaa5 left after del_port"
log "$CHURN port add/remove cycles"
echo 7 >$BUS/new_port
expect_fail bash -c "echo 7 >$BUS/new_port"
expect_fail bash -c "echo 16 >$BUS/new_port"
expect_fail bash -c "echo 3 >$BUS/del_port"
expect_fail bash -c "echo x >$BUS/new_port"
"$VDPA" mgmtdev show dpaa_sim7 >/dev/null || fail "port 7's management device missing"
echo 7 >$BUS/del_port
mod_unload

# Remove a port under traffic, then unload the module under traffic.
for victim in del_port rmmod; do
	port_setup
	# `ip netns exec` execs socat: $! is the listener itself.
	ip netns exec $NS socat -u TCP-LISTEN:5002,reuseaddr - >/dev/null &
	listener=$!
	wait_for 20 bash -c "ip netns exec $NS ss -Hltn | grep -q ':5002 '" || fail "listener"
	# linger=0: killed, it aborts (RST) instead of leaving a FIN-WAIT
	# socket that would retransmit through the next test's port.
	socat -u /dev/zero TCP:$W4:5002,linger=0 2>/dev/null &
	sender=$!
	wait_for 20 bash -c "[ \$(cat /sys/class/net/$HOST_IF/statistics/tx_packets) -gt 2000 ]" || fail "no traffic"
	if [ $victim = del_port ]; then echo 0 >$BUS/del_port || fail "del_port under traffic"; fi
	mod_unload || fail "rmmod under traffic"
	# With the port gone neither end ever sees the connection close.
	kill $sender $listener 2>/dev/null
	wait $sender $listener 2>/dev/null
	ip netns del $NS
	log "$victim under traffic: ok"
done
