#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Isolation on a shared port: a device receives no unicast meant for another
# entity (its RX counters and a non-promiscuous capture show none). Made
# promiscuous through its CVQ, an untrusted device gets what a promiscuous
# port on a switch would see (unicast to a MAC nobody on the port owns), still
# none of another entity's unicast; only with `trust` set by the admin does
# it see those too. Frames a device sends with a source MAC not its own are
# dropped and counted (anti-spoof), and never leave; with spoofchk off they go.
# budget: 250
. "$(dirname "$0")/lib/lib.sh"
require_cmd jq python3 tcpdump
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
# Not promiscuous (-p): what the device itself receives. -Z root: a root
# file system without a tcpdump user (the arm64 test VM's) must not stop it.
capture() {
	ip netns exec d1 tcpdump -Z root -p -n -i d1 -w /tmp/iso.pcap \
		"not ether dst $1 and not ether broadcast" 2>/tmp/iso.err &
}
count() { tcpdump -n -r /tmp/iso.pcap 2>/dev/null | wc -l; }

# Unicast to d0 and to the host, from the wire and from d0: none for d1.
rx1=$(vstat d1 0 frames)
capture "$M1"
cap=$!
wait_for 10 grep -q "listening on" /tmp/iso.err || fail "tcpdump did not start: $(cat /tmp/iso.err)"
udp_burst $NS $D0 7000 50
udp_burst $NS $H4 7000 50
udp_burst d0 $H4 7000 50
udp_burst d0 $W4 7000 50
wait_for 10 vstat_ge d0 0 frames "50" ||
	fail "d0 did not receive its 50 frames"
kill -INT $cap
wait $cap
expect_eq "d1 RX frames while others were sent 200 unicast" "$(vstat d1 0 frames)" "$rx1"
expect_eq "frames captured on d1 for others" "$(count)" 0
log "d1 saw none of 200 unicast frames for d0, the host and the wire"

# Promiscuous (CVQ RX_PROMISC), untrusted: unicast from the wire to a MAC
# nobody owns reaches d1; unicast to d0, to the host, to a stopped device's
# MAC, and what d0 and the host send towards the wire do not.
CLS=$DBG/classifier
ip -n d1 link set d1 promisc on
grep -q "^member 2: .* promisc 1" $CLS || fail "promisc did not reach the classifier"
NOBODY=10.9.0.77 D2=10.9.0.12 M2=02:d0:aa:00:01:33
"$VDPA" dev add name d2 mgmtdev $PORT mac $M2 || fail "dev add d2"
vdpa_netdev d2 >/dev/null
echo d2 >/sys/bus/vdpa/drivers/virtio_vdpa/unbind || fail "stopping d2"
in_ns $NS ip neigh replace $NOBODY lladdr 02:00:00:00:00:77 dev $WIRE_IF nud permanent
in_ns $NS ip neigh replace $D2 lladdr $M2 dev $WIRE_IF nud permanent
in_ns d0 ip neigh replace $NOBODY lladdr 02:00:00:00:00:77 dev d0 nud permanent
ip neigh replace $NOBODY lladdr 02:00:00:00:00:77 dev $HOST_IF nud permanent
rx1=$(vstat d1 0 frames)
rx0=$(vstat d0 0 frames)
udp_burst $NS $NOBODY 7000 30
udp_burst $NS $D0 7000 30
udp_burst $NS $D2 7000 30
udp_burst d0 $H4 7000 30
udp_burst d0 $NOBODY 7000 30
udp_burst "" $NOBODY 7000 30
wait_for 10 vstat_ge d0 0 frames "$((rx0 + 30))" ||
	fail "d0 did not get its 30 frames"
wait_for 10 vstat_ge d1 0 frames "$((rx1 + 30))" ||
	fail "promiscuous d1 did not get the 30 frames to a MAC nobody owns"
# The 150 others went elsewhere: exactly the 30.
ping -c 1 -i 0.2 -W 5 $D0 >/dev/null # a last frame to d0 (and its reply) flushes the path
expect_eq "untrusted promiscuous d1: frames" "$(vstat d1 0 frames)" $((rx1 + 30))
log "untrusted promiscuous d1: 30 frames to nobody's MAC, none of 150 others"
expect_eq "d1 trust (default)" "$(cat /sys/bus/vdpa/devices/d1/trust)" 0
grep -q "^member 2: .* promisc 1 trusted 0" $CLS || fail "untrusted promisc not in the classifier"

# Trusted: the admin lets d1 see every frame.
echo 1 >/sys/bus/vdpa/devices/d1/trust || fail "setting trust"
grep -q "^member 2: .* promisc 1 trusted 1" $CLS || fail "trust did not reach the classifier"
rx1=$(vstat d1 0 frames)
udp_burst $NS $D0 7000 30
wait_for 10 vstat_ge d1 0 frames "$((rx1 + 30))" ||
	fail "trusted promiscuous d1 did not get the 30 frames for d0"
echo 0 >/sys/bus/vdpa/devices/d1/trust
ip -n d1 link set d1 promisc off
grep -q "^member 2: .* promisc 0 trusted 0" $CLS || fail "promisc off did not reach the classifier"

# Anti-spoof: 20 frames from d0 with another source MAC.
spoof20() {
	in_ns d0 $PY -c '
import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("d0", 0))
dst = bytes.fromhex(sys.argv[1].replace(":", ""))
for _ in range(20):
    s.send(dst + bytes.fromhex("02deadbeef01") + b"\x08\x00" + b"\x45" + b"\0" * 45)
' "$WM"
}
sp0=$(vstat d0 1 drop_spoofed)
port0=$(port_stat tx_drop_spoofed)
wire0=$(in_ns $NS cat /sys/class/net/$WIRE_IF/statistics/rx_packets)
spoof20
wait_for 10 vstat_ge d0 1 drop_spoofed "$((sp0 + 20))" ||
	fail "spoofed frames not counted: $(vstat d0 1 drop_spoofed)"
expect_eq "d0 drop_spoofed" "$(vstat d0 1 drop_spoofed)" $((sp0 + 20))
expect_eq "port tx_drop_spoofed" "$(port_stat tx_drop_spoofed)" $((port0 + 20))
expect_eq "wire rx_packets" "$(in_ns $NS cat /sys/class/net/$WIRE_IF/statistics/rx_packets)" "$wire0"
log "20 spoofed frames dropped and counted, none on the wire"

# spoofchk off (admin): the same frames go out.
echo 0 >/sys/bus/vdpa/devices/d0/spoofchk || fail "spoofchk off"
spoof20
wait_for 10 bash -c "[ \$(ip netns exec $NS cat /sys/class/net/$WIRE_IF/statistics/rx_packets) -ge $((wire0 + 20)) ]" ||
	fail "spoofchk off: the 20 frames did not reach the wire"
expect_eq "d0 drop_spoofed with spoofchk off" "$(vstat d0 1 drop_spoofed)" $((sp0 + 20))
echo 1 >/sys/bus/vdpa/devices/d0/spoofchk
log "spoofchk off: 20 frames with another source MAC sent"

# A unicast frame a device sends to its own MAC has no target (the switch
# never sends a frame back to its sender): dropped and counted, and the
# port buffer it was copied into goes back (it used to be kept: a guest
# could empty the port's pools for every tenant).
pooled() { echo $(($(ethtool_stat $HOST_IF pool0_count) + $(ethtool_stat $HOST_IF pool1_count))); }
p0=$(pooled) nt0=$(port_stat tx_drop_no_target) u0=$(vstat d0 1 used)
in_ns d0 ip neigh replace 10.9.0.98 lladdr "$M0" dev d0 nud permanent
udp_burst d0 10.9.0.98 7000 300
wait_for 10 vstat_ge d0 1 used $((u0 + 300)) || fail "d0 TX used: $(vstat d0 1 used), want $((u0 + 300))"
expect_eq "frames to the sender's own MAC: no target" "$(port_stat tx_drop_no_target)" $((nt0 + 300))
# The host may have taken a few buffers meanwhile (replaced 8 at a time).
p=$(pooled)
[ "$p" -ge $((p0 - 16)) ] || fail "port buffers lost: $p0 in the pools before, $p after 300 frames to d0's own MAC"
log "300 frames to the sender's own MAC: dropped, pools $p0 -> $p"
