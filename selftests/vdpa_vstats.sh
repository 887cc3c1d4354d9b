#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# vstats add up: N frames sent to a device and N it sends show as exactly N
# frames (and their bytes) on its RX and TX queues and their frame queues.
# budget: 105
. "$(dirname "$0")/lib/lib.sh"
require_cmd jq python3
trap vdpa_teardown EXIT
port_setup
port_quiet
D0=10.9.0.10
vdpa_up d0 d0 $D0
M0=$(in_ns d0 cat /sys/class/net/d0/address)
WM=$(in_ns $NS cat /sys/class/net/$WIRE_IF/address)
in_ns $NS ip neigh replace $D0 lladdr "$M0" dev $WIRE_IF nud permanent
in_ns d0 ip neigh replace $W4 lladdr "$WM" dev d0 nud permanent

udp_sink d0 7000
udp_sink $NS 7000
N=200
# A datagram of 18 bytes is a 60-byte frame (14 + 20 + 8 + 18).
FRAME=60
snap() { for k in frames bytes fq_enqueued fq_dequeued used descriptors; do echo "$k=$(vstat d0 "$1" $k)"; done; }
declare -A before
while IFS== read -r k v; do before[rx_$k]=$v; done < <(snap 0)
while IFS== read -r k v; do before[tx_$k]=$v; done < <(snap 1)

udp_burst $NS $D0 7000 $N
wait_for 20 vstat_ge d0 0 frames $((before[rx_frames] + N)) ||
	fail "d0 RX frames: $(vstat d0 0 frames), want $((before[rx_frames] + N))"
udp_burst d0 $W4 7000 $N
wait_for 20 vstat_ge d0 1 used $((before[tx_used] + N)) ||
	fail "d0 TX used: $(vstat d0 1 used)"

for k in frames fq_enqueued fq_dequeued used; do
	expect_eq "RX $k" $(($(vstat d0 0 $k) - before[rx_$k])) $N
	expect_eq "TX $k" $(($(vstat d0 1 $k) - before[tx_$k])) $N
done
expect_eq "RX bytes" $(($(vstat d0 0 bytes) - before[rx_bytes])) $((N * FRAME))
expect_eq "TX bytes" $(($(vstat d0 1 bytes) - before[tx_bytes])) $((N * FRAME))
expect_eq "TX descriptors" $(($(vstat d0 1 descriptors) - before[tx_descriptors])) $N
log "d0: $N frames in, $N out, $((N * FRAME)) bytes each way"
