#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A QEMU guest (L2) with the standard virtio-net-pci driver on a dpaa_vdpa
# device (-netdev vhost-vdpa): it pings the host netdev, the wire end and a
# virtio_vdpa device on the same port, moves MiBs each way to the wire and
# to that device with the bytes verified, and the guest's counters, the
# device's vstats and the port's agree frame for frame. 115-180 s (the L2
# boot alone 14-31 s, nested in TCG).
# budget: 240
# vm: own
# suite: soak (make check has no room for the L2 kernel and this guest: Documentation/build-and-test.rst)
. "$(dirname "$0")/lib/lib.sh"
. "$(dirname "$0")/lib/l2.sh"
l2_setup
require_cmd jq
D1=10.9.0.60
G4=10.9.0.50
GMAC=52:54:00:00:00:50
MIB=${L2_MIB:-2}

# A virtio_vdpa device in namespace d1, and the guest's device on vhost_vdpa.
vdpa_up d1 d1 $D1
l2_vhost_vdpa
"$VDPA" dev add name g0 mgmtdev $PORT mac $GMAC || fail "dev add g0"
vdpa_rebind g0 vhost_vdpa
CHR=$(vhost_chr g0) || fail "vhost-vdpa device: $CHR"

l2_start g0 "$CHR" $GMAC
l2_wait g0
drv=$(l2 g0 "ethtool -i eth0 | sed -n 's/^driver: //p'")
expect_eq "L2 eth0 driver" "$drv" virtio_net
l2 g0 "ip addr add $G4/24 dev eth0 && ip link set eth0 up" ||
	fail "L2 address"
for a in $H4 $W4 $D1; do
	out=$(l2 g0 "ping -c 3 -W 5 $a") || fail "L2 ping $a: $out"
	log "L2 -> $a: $(echo "$out" | grep -o '[0-9]* packets received')"
done

# diag: the state of the guest's device, for a failure.
diag() {
	l2 g0 "cat /proc/net/dev; grep virtio /proc/interrupts; cat /proc/net/snmp | grep -A1 Tcp:"
	"$VDPA" dev vstats show g0 qidx 0
	"$VDPA" dev vstats show g0 qidx 1
	cat $STATS
	in_ns "$1" ss -tin
}

# xfer FROM_NS ADDR MIB: MIB MiB from the guest to ADDR (in FROM_NS), and
# MIB MiB from there to the guest, each checked by SHA-256 at the receiver.
# (Under TCG with KASAN, nested, a MiB takes ~8 s.)
xfer() {
	local ns=$1 addr=$2 MIB=$3 got t0=$SECONDS
	l2 g0 "head -c $((MIB << 20)) /dev/urandom >/tmp/out && sha256sum /tmp/out >/tmp/out.sum" || fail "L2 data"
	in_ns "$ns" socat -u TCP-LISTEN:5002,reuseaddr - | sha256sum >/tmp/qemu_guest.got &
	local rx=$! data=/tmp/qemu_guest.data want
	head -c "${MIB}M" /dev/urandom >$data
	want=$(sha256sum <$data | cut -d' ' -f1)
	# The listener is up once ss sees it; nc in the guest does not retry.
	wait_for 10 bash -c "$( [ -n "$ns" ] && echo "ip netns exec $ns") ss -Hltn | grep -q ':5002 '" ||
		fail "listener on $addr"
	L2_TIMEOUT=120 l2 g0 "nc $addr 5002 </tmp/out" || { diag "$ns"; fail "L2 -> $addr: nc failed"; }
	log "L2 -> $addr: sent in $((SECONDS - t0)) s"
	wait $rx
	got=$(cut -d' ' -f1 /tmp/qemu_guest.got)
	expect_eq "L2 -> $addr sha256" "$got" "$(l2 g0 "cut -d' ' -f1 /tmp/out.sum")"
	l2 g0 "nc -l -p 5001 >/tmp/in &" || fail "L2 listener"
	in_ns "$ns" socat -u "FILE:$data" "TCP:$G4:5001,retry=60,interval=0.25,connect-timeout=3" ||
		fail "$addr -> L2: send failed"
	l2 g0 "wait" || fail "L2 nc -l failed"
	expect_eq "$addr -> L2 sha256" "$(l2 g0 "sha256sum /tmp/in | cut -d' ' -f1")" "$want"
	log "$MIB MiB each way between L2 and $addr: sha256 ok ($((SECONDS - t0)) s)"
}
xfer $NS $W4 $MIB
xfer d1 $D1 1

# Every frame the guest sent and received went through the device's queues:
# the guest's virtio_net counters equal the vstats of RX queue 0 and TX
# queue 1 (each TX chain is a frame sent or a drop, by its reason; a frame
# QMan rejects is a drop once its ern came back), and every frame from the
# wire is accounted for by the port (polled: the counters move one after
# the other as a frame goes through).
l2 g0 "ip link set eth0 down" || fail "L2 link down"
read -r grx gtx < <(l2 g0 "cat /sys/class/net/eth0/statistics/rx_packets /sys/class/net/eth0/statistics/tx_packets" | tr '\n' ' ')
expect_tx_balance g0 1
vrx=$(vstat g0 0 frames)
vtx=$(vstat g0 1 frames)
json=$("$VDPA" -j dev vstats show g0 qidx 1)
log "L2 eth0: rx $grx tx $gtx packets; vstats: RX frames $vrx, TX chains $descs: frames $vtx" \
	"+ $((sum - vtx)) dropped ($(grep -oE '"drop_[a-z_]+":[1-9][0-9]*' <<<"$json" | tr -d '"' | tr '\n' ' '))"
expect_eq "guest rx_packets vs RX vstats" "$grx" "$vrx"
expect_eq "guest tx_packets vs TX chains" "$gtx" "$descs"
expect_rx_balance
l2_check g0
l2_stop g0
