#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# MTU and MAC changes on the host netdev while it is up: jumbo frames flow
# (the port receives them into its large buffers); the MTU stops at the
# port's maximum frame; a new MAC replaces the old one in the classifier.
# budget: 85
. "$(dirname "$0")/lib/lib.sh"
require_cmd ping socat
trap port_teardown EXIT
port_setup
port_quiet

ip link set $HOST_IF mtu 9000 || fail "MTU 9000 on $HOST_IF"
in_ns $NS ip link set $WIRE_IF mtu 9000 || fail "MTU 9000 on the wire end"
size=$(ethtool_stat $HOST_IF pool1_size)
[ "$size" -ge $((64 + 9018)) ] || fail "the port's large buffers ($size bytes) do not take a 9018-byte frame"
a0=$(ethtool_stat $HOST_IF pool1_acquired)
ping -c 3 -i 0.2 -W 5 -M do -s 8972 $W4 >/dev/null || fail "jumbo ping host -> wire"
in_ns $NS ping -c 3 -i 0.2 -W 5 -M do -s 8972 $H4 >/dev/null || fail "jumbo ping wire -> host"
# Jumbo frames from the wire land in the port's large buffers.
a=$(($(ethtool_stat $HOST_IF pool1_acquired) - a0))
log "jumbo frames into the large pool: $a"
[ "$a" -ge 6 ] || fail "want >= 6 large buffers taken by the port (3 requests, 3 replies), got $a"
tcp_check $NS "" $H4 "$TCP_MIB"
expect_fail ip link set $HOST_IF mtu 9600
grep -q "mtu 9000" <(ip link show $HOST_IF) || fail "a refused MTU changed the device"

old=$(cat /sys/class/net/$HOST_IF/address)
ip link set $HOST_IF address 02:d0:aa:00:00:42 || fail "MAC change"
C=$DBG/classifier
grep -q "mac 02:d0:aa:00:00:42 -> member 0" $C || fail "new MAC not in the classifier"
grep -q "mac $old " $C && fail "old MAC still in the classifier"
# port_quiet pinned the old MAC in the wire's neighbour table.
in_ns $NS ip neigh replace $H4 lladdr 02:d0:aa:00:00:42 dev $WIRE_IF nud permanent
ping -c 3 -i 0.2 -W 5 $W4 >/dev/null || fail "ping after the MAC change"
log "MTU 9000 and MAC change: ok"
