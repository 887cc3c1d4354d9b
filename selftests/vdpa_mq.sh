#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Multiqueue: a device with max_vqp 4 spreads many flows over its 4 RX
# frame queues once the driver enables 4 pairs (ethtool -L, a CVQ
# VQ_PAIRS_SET), and only uses the first after going back to 1.
# budget: 105
. "$(dirname "$0")/lib/lib.sh"
require_cmd jq python3 ethtool
trap vdpa_teardown EXIT
port_setup
port_quiet
D0=10.9.0.10
vdpa_up d0 d0 $D0 max_vqp 4
M0=$(in_ns d0 cat /sys/class/net/d0/address)
in_ns $NS ip neigh replace $D0 lladdr "$M0" dev $WIRE_IF nud permanent
udp_sink d0 7000
CLS=$DBG/classifier

rxq() { local q; for q in 0 2 4 6; do echo -n "$(vstat d0 $q frames) "; done; }

in_ns d0 ethtool -L d0 combined 4 || fail "ethtool -L combined 4"
expect_eq "channels" "$(in_ns d0 ethtool -l d0 | awk '/^Combined/ { v = $2 } END { print v }')" 4
grep -q "^member 1: fqid 0x[0-9a-f]*+4 " $CLS || fail "4 pairs not on the classifier: $(cat $CLS)"
read -r -a a < <(rxq)
udp_flows $D0 64
want=$((a[0] + a[1] + a[2] + a[3] + 256))
rx_sum_ge() { local s=0 q; for q in 0 2 4 6; do s=$((s + $(vstat d0 $q frames))); done; [ $s -ge "$1" ]; }
wait_for 20 rx_sum_ge $want ||
	fail "not all 256 datagrams arrived: $(rxq)"
read -r -a b < <(rxq)
log "RX frames per queue after 64 flows: $((b[0] - a[0])) $((b[1] - a[1])) $((b[2] - a[2])) $((b[3] - a[3]))"
for i in 0 1 2 3; do
	[ $((b[i] - a[i])) -gt 0 ] || fail "RX queue $((2 * i)) got no flow"
done

in_ns d0 ethtool -L d0 combined 1 || fail "ethtool -L combined 1"
grep -q "^member 1: fqid 0x[0-9a-f]*+1 " $CLS || fail "1 pair not on the classifier: $(cat $CLS)"
udp_flows $D0 32
wait_for 20 vstat_ge d0 0 frames $((b[0] + 128)) ||
	fail "queue 0 did not get the 128 datagrams: $(rxq)"
read -r -a c < <(rxq)
for i in 1 2 3; do
	expect_eq "RX queue $((2 * i)) with 1 pair" "${c[i]}" "${b[i]}"
done
log "with 1 pair: queue 0 +$((c[0] - b[0])), others +0"
