#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Two vDPA devices (virtio_vdpa interfaces), the host netdev and the wire,
# each in its own namespace on one port: ping between every pair, and a
# TCP_MIB (2, soak 64) MiB content-verified TCP transfer for every kind of pair (device to
# device, device and host, device and wire, both directions); the devices'
# traffic between them and with the host never reaches the wire.
# budget: 210
. "$(dirname "$0")/lib/lib.sh"
require_cmd socat ping ss jq
trap vdpa_teardown EXIT
port_setup
D0=10.9.0.10 D1=10.9.0.11
vdpa_up d0 d0 $D0
vdpa_up d1 d1 $D1 max_vqp 2

# Every pair, both ways.
declare -A addr=([d0]=$D0 [d1]=$D1 [host]=$H4 [wire]=$W4) ns=([d0]=d0 [d1]=d1 [host]="" [wire]=$NS)
for from in d0 d1 host wire; do
	for to in d0 d1 host wire; do
		[ "$from" = "$to" ] && continue
		in_ns "${ns[$from]}" ping -c 2 -i 0.2 -W 5 "${addr[$to]}" >/dev/null ||
			fail "ping $from -> $to"
	done
done
log "ping ok between all 4 entities, both ways"
# A broadcast from the wire reaches the host and both devices: the switch
# copies it twice, and the port's RX identity below counts the copies.
c0=$(port_stat rx_copies)
in_ns $NS ping -b -c 3 -i 0.2 -W 1 10.9.0.255 >/dev/null 2>&1 || true
c=$(($(port_stat rx_copies) - c0))
[ "$c" -ge 6 ] || fail "3 broadcasts from the wire: $c copies, want >= 6"

wire_tx0=$(in_ns $NS cat /sys/class/net/$WIRE_IF/statistics/rx_packets)
MIB=$TCP_MIB
tcp_check d0 d1 $D1 "$MIB"
tcp_check d1 "" $H4 "$MIB"
tcp_check "" d0 $D0 "$MIB"
wire_tx1=$(in_ns $NS cat /sys/class/net/$WIRE_IF/statistics/rx_packets)
# Device<->device and device<->host frames are switched inside the port:
# a 4 MiB transfer is ~3k frames, the wire saw at most stray broadcasts.
[ $((wire_tx1 - wire_tx0)) -lt 50 ] ||
	fail "internal traffic reached the wire: $((wire_tx1 - wire_tx0)) frames"
log "internal transfers: the wire saw $((wire_tx1 - wire_tx0)) frames"
tcp_check d0 $NS $W4 "$MIB"
tcp_check $NS d1 $D1 "$MIB"

# Nothing refused or faulted on the way; the port's RX identity holds.
for q in 0 1; do
	for k in drop_bad_chain drop_enqueue drop_tx_error drop_spoofed drop_fault; do
		expect_eq "d0 q$q $k" "$(vstat d0 $q $k)" 0
	done
done
expect_rx_balance
# (iproute2 6.1 exits 0 here: the kernel's answer is in its output.)
out=$("$VDPA" dev vstats show d0 qidx 3 2>&1)
grep -q "Invalid argument" <<<"$out" || fail "vstats qidx 3 of a 3-queue device: $out"
