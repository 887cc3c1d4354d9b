#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A multiqueue QEMU guest (L2, virtio-net-pci mq=on on a max_vqp 4 device):
# its control queue, through QEMU, drives the classifier. `ethtool -L
# combined 4` in the guest spreads 64 flows over the 4 RX frame queues, 2
# pairs keep them on the first 2; a MAC change in the guest moves its
# traffic to the new address; promiscuous mode brings it frames for others.
# budget: 240
# vm: own
# suite: soak (make check has no room for the L2 kernel and this guest: Documentation/build-and-test.rst)
. "$(dirname "$0")/lib/lib.sh"
. "$(dirname "$0")/lib/l2.sh"
l2_setup
require_cmd jq
G4=10.9.0.51
GMAC=52:54:00:00:00:51
NEWMAC=52:54:00:00:00:77
OTHER=52:54:00:00:00:99
CLS=$DBG/classifier

l2_vhost_vdpa
"$VDPA" dev add name g1 mgmtdev $PORT mac $GMAC max_vqp 4 || fail "dev add g1"
CHR=$(vhost_chr g1) || fail "vhost-vdpa device: $CHR"

L2_NIC_OPTS="mq=on,vectors=10"
l2_start g1 "$CHR" $GMAC
l2_wait g1
l2 g1 "ip addr add $G4/24 dev eth0 && ip link set eth0 up" ||
	fail "L2 address"
max=$(l2 g1 "ethtool -l eth0" | awk '/^Combined/ { print $2; exit }')
expect_eq "L2 eth0 maximum channels" "$max" 4
in_ns $NS ip neigh replace $G4 lladdr $GMAC dev $WIRE_IF nud permanent

rxq() { local q; for q in 0 2 4 6; do echo -n "$(vstat g1 $q frames) "; done; }
rx_sum() { local s=0 q; for q in 0 2 4 6; do s=$((s + $(vstat g1 $q frames))); done; echo $s; }
rx_sum_ge() { [ "$(rx_sum)" -ge "$1" ]; }
# The control queue's counters (qidx 8 with 4 pairs), for a failure.
cvq_diag() {
	"$VDPA" dev vstats show g1 qidx 8
	l2_vq g1 8
}

l2 g1 "ethtool -L eth0 combined 4" || { cvq_diag; fail "L2 ethtool -L combined 4"; }
grep -q "fqid 0x[0-9a-f]*+4 " $CLS || fail "4 pairs not on the classifier: $(cat $CLS)"
read -r -a a < <(rxq)
udp_flows $G4 64
want=$((a[0] + a[1] + a[2] + a[3] + 256))
wait_for 30 rx_sum_ge $want || fail "not all 256 datagrams arrived: $(rxq)"
read -r -a b < <(rxq)
log "4 pairs: RX frames per queue after 64 flows: $((b[0] - a[0])) $((b[1] - a[1])) $((b[2] - a[2])) $((b[3] - a[3]))"
for i in 0 1 2 3; do
	[ $((b[i] - a[i])) -gt 0 ] || fail "RX queue $((2 * i)) got no flow"
done

l2 g1 "ethtool -L eth0 combined 2" || { cvq_diag; fail "L2 ethtool -L combined 2"; }
grep -q "fqid 0x[0-9a-f]*+2 " $CLS || fail "2 pairs not on the classifier: $(cat $CLS)"
udp_flows $G4 64
wait_for 30 rx_sum_ge $((want + 256)) || fail "not all 256 datagrams arrived: $(rxq)"
read -r -a c < <(rxq)
log "2 pairs: $((c[0] - b[0])) $((c[1] - b[1])) $((c[2] - b[2])) $((c[3] - b[3]))"
expect_eq "RX queue 4 with 2 pairs" "${c[2]}" "${b[2]}"
expect_eq "RX queue 6 with 2 pairs" "${c[3]}" "${b[3]}"
[ $((c[0] - b[0])) -gt 0 ] && [ $((c[1] - b[1])) -gt 0 ] || fail "2 pairs: a queue got no flow"

# delivered MAC N: N raw frames from the wire to MAC, then 10 to a MAC the
# guest has (the barrier); prints how many of the N the guest's queues got.
delivered() {
	local s0 s1
	s0=$(rx_sum)
	raw_send $NS $WIRE_IF "$1" "$2"
	raw_send $NS $WIRE_IF "$3" 10
	wait_for 20 rx_sum_ge $((s0 + 10)) || fail "the 10 frames to $3 did not arrive"
	s1=$(rx_sum)
	echo $((s1 - s0 - 10))
}
# An untrusted device keeps its admin MAC (MAC_ADDR_SET refused): the
# admin trusts this one, as with an SR-IOV VF.
echo 1 >/sys/bus/vdpa/devices/g1/trust || fail "trust g1"
l2 g1 "ip link set eth0 address $NEWMAC" || fail "L2 MAC change"
grep -qi "$NEWMAC" $CLS || fail "new MAC not on the classifier: $(cat $CLS)"
expect_eq "frames to the old MAC after the change" "$(delivered $GMAC 20 $NEWMAC)" 0
expect_eq "frames to another MAC" "$(delivered $OTHER 20 $NEWMAC)" 0
l2 g1 "ip link set eth0 promisc on" || fail "L2 promisc on"
expect_eq "frames to another MAC, guest promiscuous" "$(delivered $OTHER 20 $NEWMAC)" 20
l2 g1 "ip link set eth0 promisc off" || fail "L2 promisc off"
expect_eq "frames to another MAC, promiscuous off" "$(delivered $OTHER 20 $NEWMAC)" 0
log "MAC change and promiscuous mode in the guest took effect on the classifier"
l2_check g1
l2_stop g1
