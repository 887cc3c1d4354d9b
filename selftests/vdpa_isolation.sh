#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Isolation on a shared port: a device receives no unicast meant for another
# entity (its RX counters and a non-promiscuous capture show none) until it
# is made promiscuous through its CVQ; frames a device sends with a source
# MAC not its own are dropped and counted (anti-spoof), and never leave.
# timeout: 300
. "$(dirname "$0")/lib/lib.sh"
require_cmd jq python3 tcpdump
model_only
trap vdpa_teardown EXIT
port_setup
port_quiet
D0=10.9.0.10 D1=10.9.0.11
vdpa_up d0 d0 $D0
vdpa_up d1 d1 $D1
M0=$(in_ns d0 cat /sys/class/net/d0/address)
M1=$(in_ns d1 cat /sys/class/net/d1/address)
HM=$(cat /sys/class/net/$HOST_IF/address)
WM=$(in_ns $NS cat /sys/class/net/$WIRE_IF/address)
# Static neighbours: no ARP broadcast while counting.
in_ns $NS ip neigh replace $D0 lladdr "$M0" dev $WIRE_IF nud permanent
in_ns $NS ip neigh replace $D1 lladdr "$M1" dev $WIRE_IF nud permanent
in_ns d0 ip neigh replace $H4 lladdr "$HM" dev d0 nud permanent
in_ns d0 ip neigh replace $W4 lladdr "$WM" dev d0 nud permanent
ip neigh replace $D0 lladdr "$M0" dev $HOST_IF nud permanent

udp_sink d0 7000
udp_sink "" 7000
udp_sink $NS 7000
# Not promiscuous (-p): what the device itself receives.
capture() {
	ip netns exec d1 tcpdump -p -n -i d1 -w /tmp/iso.pcap \
		"not ether dst $1 and not ether broadcast" 2>/tmp/iso.err &
}
count() { tcpdump -n -r /tmp/iso.pcap 2>/dev/null | wc -l; }

# Unicast to d0 and to the host, from the wire and from d0: none for d1.
rx1=$(vstat d1 0 frames)
capture "$M1"
cap=$!
wait_for 10 grep -q "listening on" /tmp/iso.err || fail "tcpdump did not start"
udp_burst $NS $D0 7000 50
udp_burst $NS $H4 7000 50
udp_burst d0 $H4 7000 50
udp_burst d0 $W4 7000 50
wait_for 10 bash -c "[ \$(vdpa -j dev vstats show d0 qidx 0 | jq '.vstats.d0.frames') -ge 50 ]" ||
	fail "d0 did not receive its 50 frames"
kill -INT $cap
wait $cap
expect_eq "d1 RX frames while others were sent 200 unicast" "$(vstat d1 0 frames)" "$rx1"
expect_eq "frames captured on d1 for others" "$(count)" 0
log "d1 saw none of 200 unicast frames for d0, the host and the wire"

# Promiscuous (CVQ RX_PROMISC): d1 now gets copies of d0's unicast.
ip -n d1 link set d1 promisc on
grep -q "^member 2: .* promisc 1" /sys/kernel/debug/dpaa_vdpa/dpaa_sim0/classifier ||
	fail "promisc did not reach the classifier"
rx1=$(vstat d1 0 frames)
udp_burst $NS $D0 7000 30
wait_for 10 bash -c "[ \$(vdpa -j dev vstats show d1 qidx 0 | jq '.vstats.d1.frames') -ge $((rx1 + 30)) ]" ||
	fail "promiscuous d1 did not get the 30 frames for d0"
ip -n d1 link set d1 promisc off
grep -q "^member 2: .* promisc 0" /sys/kernel/debug/dpaa_vdpa/dpaa_sim0/classifier ||
	fail "promisc off did not reach the classifier"

# Anti-spoof: 20 frames from d0 with another source MAC.
sp0=$(vstat d0 1 drop_spoofed)
port0=$(port_stat tx_drop_spoofed)
wire0=$(in_ns $NS cat /sys/class/net/$WIRE_IF/statistics/rx_packets)
in_ns d0 python3 -c '
import socket
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("d0", 0))
dst = bytes.fromhex(__import__("sys").argv[1].replace(":", ""))
for _ in range(20):
    s.send(dst + bytes.fromhex("02deadbeef01") + b"\x08\x00" + b"\x45" + b"\0" * 45)
' "$WM"
wait_for 10 bash -c "[ \$(vdpa -j dev vstats show d0 qidx 1 | jq '.vstats.d0.drop_spoofed') -ge $((sp0 + 20)) ]" ||
	fail "spoofed frames not counted: $(vstat d0 1 drop_spoofed)"
expect_eq "d0 drop_spoofed" "$(vstat d0 1 drop_spoofed)" $((sp0 + 20))
expect_eq "port tx_drop_spoofed" "$(port_stat tx_drop_spoofed)" $((port0 + 20))
expect_eq "wire rx_packets" "$(in_ns $NS cat /sys/class/net/$WIRE_IF/statistics/rx_packets)" "$wire0"
log "20 spoofed frames dropped and counted, none on the wire"
