#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The host netdev as a NIC: ping and a TCP_MIB (4, soak 64) MiB content-verified TCP transfer
# between the host and a namespace on the wire end, both directions, over
# IPv4 and IPv6, and over a VLAN.
# budget: 150
. "$(dirname "$0")/lib/lib.sh"
require_cmd socat ping ss
model_only
trap port_teardown EXIT
port_setup

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
tcp_check $NS "" 10.9.100.1 $MIB
tcp_check "" $NS 10.9.100.2 $MIB

read -r frames sum < <(port_rx_balance)
log "port RX: $frames frames, $sum delivered + dropped"
[ "$frames" = "$sum" ] || fail "port RX frames $frames != delivered + drops $sum"
