#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A reset forgets the driver's callbacks: after virtio_vdpa and then
# vhost_vdpa (with a config eventfd set) are unbound, changing the MAC
# (which notifies the driver), trying the MTU, and adding and deleting
# devices call nothing that is gone (the console scan catches a use after
# free).
# budget: 70
. "$(dirname "$0")/lib/lib.sh"
require_cmd python3
trap vhost_teardown EXIT
port_setup
NL="$PY $VHOST_LIB/vdpa_nl.py"
vdpa_up d0 d0 10.9.0.10
echo d0 >/sys/bus/vdpa/drivers/virtio_vdpa/unbind || fail "unbind virtio_vdpa"
$NL set d0 mac 02:d0:aa:00:01:41 || fail "dev set mac after the virtio_vdpa unbind"
expect_fail $NL set d0 mtu 1400
"$VDPA" dev add name d1 mgmtdev $PORT || fail "dev add d1"
"$VDPA" dev del d1 || fail "dev del d1"

modprobe vhost_vdpa || skip "no vhost_vdpa"
vdpa_rebind d0 vhost_vdpa || fail "bind vhost_vdpa"
chr=/dev/$(basename /sys/bus/vdpa/devices/d0/vhost-vdpa-*)
wait_for 10 test -c "$chr" || fail "no $chr"
$PY -c '
import os, sys, struct, fcntl
sys.path.insert(0, sys.argv[2])
from vhost import *
d = Vdpa(sys.argv[1])
d.negotiate(bits(F_VERSION_1, F_ACCESS_PLATFORM, F_MAC))
e = os.eventfd(0)
fcntl.ioctl(d.fd, SET_CONFIG_CALL, struct.pack("i", e))
d.driver_ok()
' "$chr" "$VHOST_LIB" || fail "vhost-vdpa user"
echo d0 >/sys/bus/vdpa/drivers/vhost_vdpa/unbind || fail "unbind vhost_vdpa"
$NL set d0 mac 02:d0:aa:00:01:42 || fail "dev set mac after the vhost_vdpa unbind"
"$VDPA" dev add name d1 mgmtdev $PORT || fail "dev add d1"
"$VDPA" dev del d1 || fail "dev del d1"
"$VDPA" dev del d0 || fail "dev del d0"
log "MAC changes and device churn after unbinding both drivers"
