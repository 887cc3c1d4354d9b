#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The control virtqueue drives the classifier: a MAC change (MAC_ADDR_SET,
# by a device the admin trusts) moves the device's rule and traffic follows; a multicast group joined by
# the driver (MAC_TABLE_SET) is received only by its member; all-multicast
# (RX_ALLMULTI) receives every group. The Linux driver negotiates the ring
# features (RING_INDIRECT_DESC: its commands go through indirect tables;
# RING_EVENT_IDX: the device asks for kicks through avail_event).
# budget: 120
. "$(dirname "$0")/lib/lib.sh"
require_cmd jq python3
trap vdpa_teardown EXIT
port_setup
port_quiet
D0=10.9.0.10 D1=10.9.0.11
vdpa_up d0 d0 $D0
vdpa_up d1 d1 $D1
CLS=$DBG/classifier
old=$(in_ns d0 cat /sys/class/net/d0/address)
new=02:11:22:33:44:55

neg=" $("$VDPA" -j dev config show d0 | jq -r '.config.d0.negotiated_features[]' | xargs) "
for f in RING_INDIRECT_DESC RING_EVENT_IDX; do
	[[ $neg == *" $f "* ]] || fail "virtio_vdpa did not negotiate $f:$neg"
done
log "negotiated:$neg"

# Only the admin MAC without trust (vdpa_trust.sh): trust d0.
echo 1 >/sys/bus/vdpa/devices/d0/trust || fail "trust d0"
ip -n d0 link set d0 address $new || fail "MAC change"
grep -q "mac $new -> member 1 " $CLS || fail "new MAC not on the classifier: $(cat $CLS)"
grep -q "mac $old " $CLS && fail "old MAC still on the classifier"
expect_eq "config space MAC" "$("$VDPA" -j dev config show d0 | jq -r '.config.d0.mac')" $new
in_ns $NS ip neigh flush dev $WIRE_IF
in_ns $NS ping -c 2 -i 0.2 -W 5 $D0 >/dev/null || fail "ping d0 at its new MAC"
log "MAC $old -> $new: classifier and config space follow, traffic flows"

# mcast NS... : 20 datagrams to 239.1.2.3 from the wire.
mcast() {
	in_ns $NS $PY -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("10.9.0.2"))
for _ in range(20):
    s.sendto(b"m" * 18, ("239.1.2.3", 7100))
'
}
r0=$(vstat d0 0 frames) r1=$(vstat d1 0 frames)
# d0 joins the group (its driver sends the new multicast table).
in_ns d0 $PY -c '
import socket, struct, time, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("", 7100))
s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, socket.inet_aton("239.1.2.3") + socket.inet_aton("10.9.0.10"))
open("/tmp/joined", "w").close()
s.settimeout(30)
n = 0
while n < 20:
    s.recv(100)
    n += 1
print(n)
' >/tmp/mcast.out &
rcv=$!
wait_for 10 test -e /tmp/joined || fail "join"
wait_for 10 bash -c "ip netns exec d0 ip maddr show dev d0 | grep -q 01:00:5e:01:02:03" || fail "no group MAC on d0"
sleep 0.5 # the driver's rx-mode work sends the table asynchronously
mcast
wait $rcv || fail "d0 did not receive the 20 group datagrams"
rm -f /tmp/joined
expect_eq "d0 group datagrams" "$(cat /tmp/mcast.out)" 20
expect_eq "d1 RX frames (not a member)" "$(vstat d1 0 frames)" "$r1"
log "group 239.1.2.3: d0 (member) got 20, d1 none"

ip -n d1 link set d1 allmulticast on
grep -q "^member 2: .* allmulti 1" $CLS || fail "allmulti did not reach the classifier"
mcast
wait_for 10 vstat_ge d1 0 frames "$((r1 + 20))" ||
	fail "all-multicast d1 did not get the group datagrams"
ip -n d1 link set d1 allmulticast off
grep -q "^member 2: .* allmulti 0" $CLS || fail "allmulti off did not reach the classifier"
log "allmulti: d1 got the group's datagrams"
