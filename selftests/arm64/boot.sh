#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The arm64 boot test (scripts/vm-arm64.sh, busybox sh; KTAP): the module
# built for arm64 with the model backend loads, makes its port, a vDPA
# device on it carries ARP both ways through virtio_vdpa and the port's wire
# end, and everything goes again on unload; the module built with the qbman
# backend, on this machine without DPAA, refuses to load with -ENODEV and
# one message, and leaves nothing behind.
#   boot.sh SIM_KO QBMAN_KO
sim=$1
qbman=$2
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
nok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n $*"; }
check() { # check NAME CMD...: ok if CMD succeeds
	name=$1
	shift
	if "$@"; then ok "$name"; else nok "$name"; fi
}
# Kernel messages after the mark (a line count of dmesg).
since() { dmesg | tail -n +$(($1 + 1)); }
mark() { dmesg | wc -l; }
# wait_for SECS CMD...: polls CMD every 0.2 s.
wait_for() {
	t=$(($1 * 5))
	shift
	while [ $t -gt 0 ]; do
		"$@" && return 0
		sleep 0.2
		t=$((t - 1))
	done
	return 1
}

echo "TAP version 13"
echo "1..11"
check "arm64 kernel ($(uname -m) $(uname -r))" test "$(uname -m)" = aarch64

check "modprobe virtio_vdpa vhost_vdpa" sh -c 'modprobe virtio_vdpa && modprobe vhost_vdpa'
m=$(mark)
check "model backend: insmod sim_ports=1" insmod "$sim" sim_ports=1
check "model backend: port dpaa_sim0 and its management device" \
	sh -c '[ -e /sys/devices/dpaa_sim0 ] && vdpa mgmtdev show dpaa_sim0 >/dev/null'

vdpa dev add name v0 mgmtdev dpaa_sim0 mac 02:00:00:0a:64:01
dev() { ls /sys/bus/vdpa/devices/v0/virtio*/net 2>/dev/null | head -n 1; }
wait_for 10 test -n "$(dev)"
d=$(dev)
check "model backend: vdpa device v0 bound to virtio_vdpa (netdev ${d:-none})" test -n "$d"
ip link set dpaa0w up
ip addr add 10.100.0.2/24 dev dpaa0w
ip link set "$d" up
ip addr add 10.100.0.1/24 dev "$d"
# Both ends in one namespace: the wire end must take a request whose source
# is a local address (else a martian source, and no reply).
echo 1 >/proc/sys/net/ipv4/conf/all/accept_local
echo 1 >/proc/sys/net/ipv4/conf/dpaa0w/accept_local
before=$(cat /sys/class/net/dpaa0w/statistics/rx_packets)
# The request leaves through v0's TX queue and the port to the wire end,
# whose reply comes back through the port to v0's RX queue.
arp=$(arping -c 3 -w 20 -I "$d" 10.100.0.2 2>&1)
echo "$arp" | sed 's/^/# /'
replies=$(echo "$arp" | sed -n 's/^Received \([0-9]*\) resp.*/\1/p')
after=$(cat /sys/class/net/dpaa0w/statistics/rx_packets)
check "model backend: ARP over v0 and the port (wire end rx $before -> $after, $replies of 3 replies)" \
	test "${replies:-0}" -eq 3 -a "$after" -ge $((before + 3))
vdpa dev del v0
check "model backend: rmmod" rmmod dpaa_vdpa
check "model backend: nothing left" \
	sh -c '[ ! -e /sys/devices/dpaa_sim0 ] && ! vdpa mgmtdev show dpaa_sim0 >/dev/null 2>&1 && [ ! -e /sys/module/dpaa_vdpa ]'

m=$(mark)
out=$(insmod "$qbman" 2>&1)
rc=$?
# busybox insmod tries finit_module(), then init_module(): one or two loads,
# each with the same one line.
msgs=$(since "$m" | grep -c 'dpaa_vdpa: ')
texts=$(since "$m" | grep 'dpaa_vdpa: ' | sed 's/^\[[^]]*\] //' | sort -u | wc -l)
check "qbman backend without DPAA: insmod refused with ENODEV ($out)" \
	test $rc -ne 0 -a -n "$(echo "$out" | grep 'No such device')"
check "qbman backend without DPAA: one message per load ($msgs lines: $(since "$m" | grep 'dpaa_vdpa: ' | sed 's/^\[[^]]*\] //' | sort -u))" \
	test "$texts" -eq 1 -a "$msgs" -le 2 -a ! -e /sys/module/dpaa_vdpa
modprobe -r vhost_vdpa virtio_vdpa
check "no kernel report" sh -c '! dmesg | grep -E "WARNING:|BUG|Oops|Call [Tt]race|Unable to handle|UBSAN|rcu.*stall|blocked for more than|soft lockup"'
[ $failed -eq 0 ]
