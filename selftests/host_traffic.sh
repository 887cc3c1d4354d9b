#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The host netdev as a NIC: ping and a TCP_MIB (2, soak 64) MiB content-verified TCP transfer
# between the host and a namespace on the wire end, both directions, over
# IPv4 and IPv6, and over a VLAN. The DMA discipline under the model's
# strict IOMMU: no fault, a map and an unmap per frame, nothing left mapped
# once down (vdpa_lifecycle.sh checks a device's S/G tables).
# budget: 205
. "$(dirname "$0")/lib/lib.sh"
require_cmd socat ping ss
trap port_teardown EXIT
port_setup
iommu() { port_stat "iommu_$1"; }
iommu_ge() { [ "$(awk -v k="iommu_$1" '$1 == k { print $2 }' $STATS)" -ge "$2" ]; }
# The port's buffers are mapped while they are in its pools.
pooled() { echo $(($(ethtool_stat $HOST_IF pool0_count) + $(ethtool_stat $HOST_IF pool1_count))); }
[ "$(iommu maps)" -ge "$(pooled)" ] || fail "$(iommu maps) maps with $(pooled) buffers in the port's pools"
rx0=$(port_stat rx_delivered) tx0=$(port_stat tx_frames) m0=$(iommu maps) u0=$(iommu unmaps)

ping -c 3 -i 0.2 -W 5 $W4 >/dev/null || fail "ping host -> wire (IPv4)"
in_ns $NS ping -c 3 -i 0.2 -W 5 $H4 >/dev/null || fail "ping wire -> host (IPv4)"
ping -c 3 -i 0.2 -W 5 $W6 >/dev/null || fail "ping host -> wire (IPv6)"
in_ns $NS ping -c 3 -i 0.2 -W 5 $H6 >/dev/null || fail "ping wire -> host (IPv6)"
log "ping ok both ways, IPv4 and IPv6"

MIB=$TCP_MIB
tcp_check "" $NS $W4 $MIB
tcp_check $NS "" $H4 $MIB
tcp_check "" $NS $W6 $MIB
tcp_check $NS "" $H6 $MIB

ip link add link $HOST_IF name $HOST_IF.100 type vlan id 100
ip -n $NS link add link $WIRE_IF name $WIRE_IF.100 type vlan id 100
ip addr add 10.9.100.1/24 dev $HOST_IF.100
ip -n $NS addr add 10.9.100.2/24 dev $WIRE_IF.100
ip link set $HOST_IF.100 up
ip -n $NS link set $WIRE_IF.100 up
ping -c 3 -i 0.2 -W 5 10.9.100.2 >/dev/null || fail "ping over VLAN 100"
# The VLAN path, 1 MiB each way (the bytes are the same code's as above).
tcp_check $NS "" 10.9.100.1 1
tcp_check "" $NS 10.9.100.2 1

expect_rx_balance

# Every frame went through the port's IOMMU: a TX skb is a map and (once
# confirmed) an unmap, an RX buffer an unmap (taken into an skb) and a map
# (the buffer replacing it, in batches of 8 per pool).
rx=$(($(port_stat rx_delivered) - rx0)) tx=$(($(port_stat tx_frames) - tx0))
wait_for 10 iommu_ge unmaps $((u0 + tx + rx)) ||
	fail "$(($(iommu unmaps) - u0)) unmaps for $tx TX + $rx RX frames"
[ $(($(iommu maps) - m0)) -ge $((tx + rx - 16)) ] ||
	fail "$(($(iommu maps) - m0)) maps for $tx TX + $rx RX frames"
# The model's IOMMU also counts faults and bad unmaps (a board's DMA API does not).
if [ "$HW" != 1 ]; then
	expect_eq "IOMMU faults" "$(iommu faults)" 0
	expect_eq "bad unmaps" "$(iommu bad_unmaps)" 0
fi
ip link set $HOST_IF down
# Down, every skb confirmed and every frame drained: what is still mapped
# is exactly the buffers in the port's pools.
expect_eq "mappings with the host down" "$(($(iommu maps) - $(iommu unmaps)))" "$(pooled)"
log "IOMMU: $(iommu maps) maps, $(iommu unmaps) unmaps, $tx TX + $rx RX frames, 0 faults"
