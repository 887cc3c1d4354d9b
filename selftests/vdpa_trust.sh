#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# MACs belong to whom the admin gave them. A device's driver (here the
# guest-side virtio-net, through its CVQ) cannot take the wire end's MAC,
# the host's (even while the host interface is down), another device's
# (even while that device is stopped), nor, untrusted, any MAC but its own;
# with `trust` set it may take a free one, still none of the others', and
# clearing `trust` takes the device back to its admin MAC. The same refusals
# for a hostile vhost-vdpa CVQ (MAC_ADDR_SET, MAC_TABLE_SET), after which the
# host still reaches the wire.
# budget: 105
. "$(dirname "$0")/lib/lib.sh"
model_only "the model's MACs (port 0's default device MACs, the wire end's MAC the port knows)"
require_cmd jq python3
trap 'vdpa_teardown; modprobe -r vhost_vdpa 2>/dev/null' EXIT
port_setup
D0=10.9.0.10 D1=10.9.0.11
vdpa_up d0 d0 $D0
vdpa_up d1 d1 $D1
"$VDPA" dev add name d2 mgmtdev $PORT || fail "dev add d2"
vdpa_netdev d2 >/dev/null
echo d2 >/sys/bus/vdpa/drivers/virtio_vdpa/unbind || fail "unbind d2"
M0=$(in_ns d0 cat /sys/class/net/d0/address)
M1=$(in_ns d1 cat /sys/class/net/d1/address)
M2=02:d0:aa:00:01:03
HM=$(cat /sys/class/net/$HOST_IF/address)
WM=$(in_ns $NS cat /sys/class/net/$WIRE_IF/address)
FREE=02:00:00:00:00:99
CLS=$DBG/classifier
grep -q "^owner $M2 member 3$" $CLS || fail "d2 (stopped) does not own its MAC: $(cat $CLS)"

# try MAC: d0's driver sets MAC (virtio-net's MAC_ADDR_SET); 0 if taken.
try() { ip -n d0 link set d0 address "$1" 2>/dev/null; }
try_all() {
	try "$WM" && fail "$1: d0 took the wire end's MAC"
	ip link set $HOST_IF down
	try "$HM" && fail "$1: d0 took the MAC of the host interface (down)"
	ip link set $HOST_IF up
	try "$M1" && fail "$1: d0 took d1's MAC"
	try "$M2" && fail "$1: d0 took d2's MAC (d2 stopped)"
	return 0
}
try_all untrusted
try "$FREE" && fail "untrusted d0 took a free MAC"
grep -q "mac $M0 -> member 1" $CLS || fail "d0's rule changed: $(cat $CLS)"
log "untrusted: wire, host (down), d1, d2 (stopped) and a free MAC refused"

echo 1 >/sys/bus/vdpa/devices/d0/trust
try_all trusted
try "$FREE" || fail "trusted d0 could not take a free MAC"
grep -q "mac $FREE -> member 1" $CLS || fail "the free MAC is not d0's rule: $(cat $CLS)"
grep -q "^owner $M0 member 1$" $CLS || fail "d0 lost its admin MAC: $(cat $CLS)"
log "trusted: a free MAC taken, the others' still refused"
echo 0 >/sys/bus/vdpa/devices/d0/trust
grep -q "mac $M0 -> member 1" $CLS || fail "clearing trust did not restore d0's MAC: $(cat $CLS)"
grep -q "$FREE" $CLS && fail "clearing trust left $FREE to d0: $(cat $CLS)"
ip -n d0 link set d0 address "$M0"

# The host and the wire are unaffected: the host still reaches the wire.
ping -c 2 -i 0.2 -W 5 $W4 >/dev/null || fail "host -> wire after the attempts"

# A hostile vhost-vdpa CVQ on d2.
modprobe vhost_vdpa || skip "no vhost_vdpa"
vdpa_rebind d2 vhost_vdpa || fail "binding d2 to vhost_vdpa"
chr=/dev/$(basename /sys/bus/vdpa/devices/d2/vhost-vdpa-*)
wait_for 10 test -c "$chr" || fail "no $chr"
out=$($PY "$VHOST_LIB/vhost_attack.py" "$chr" cvq_mac "$WM" "$HM" "$M0" "$FREE" "$M2") ||
	fail "vhost_attack cvq_mac: $out"
log "$out"
for m in "$WM" "$HM" "$M0" "$FREE"; do
	grep -q "^mac_addr_set $m ack=1 mac=$M2$" <<<"$out" || fail "MAC_ADDR_SET $m not refused: $out"
	grep -q "^mac_table_set $m ack=1$" <<<"$out" || fail "MAC_TABLE_SET $m not refused: $out"
done
grep -q "^mac_addr_set $M2 ack=0 mac=$M2$" <<<"$out" || fail "MAC_ADDR_SET of its own MAC refused: $out"
ping -c 2 -i 0.2 -W 5 $W4 >/dev/null || fail "host -> wire after the vhost-vdpa CVQ"
in_ns d0 ping -c 2 -i 0.2 -W 5 $W4 >/dev/null || fail "d0 -> wire after the vhost-vdpa CVQ"
