#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The device side of live migration (VHOST_BACKEND_F_SUSPEND/RESUME), with a
# userspace vhost-vdpa driver (lib/vhost_suspend.py): while suspended no
# chain is taken, no used entry written, no interrupt raised and nothing
# sent, RX frames are dropped and counted (drop_suspended); GET_VRING_BASE
# gives the avail index reached; resume carries on (TX that waited goes
# out, RX works again); a second device given the same rings and that
# index carries on from it: the wire sees frames 0..29 once each, in order.
# budget: 45
. "$(dirname "$0")/lib/lib.sh"
require_cmd python3
trap vhost_teardown EXIT
port_setup
a=$(vhost_dev d0 mac 02:d0:aa:00:01:01) || fail "vhost-vdpa device d0: $a"
b=$(vhost_dev d1 mac 02:d0:aa:00:01:02) || fail "vhost-vdpa device d1: $b"
# d1 sends with d0's MAC, as the migrated guest does.
echo 0 >/sys/bus/vdpa/devices/d1/spoofchk || fail "spoofchk off on d1"
out=$(VDPA=$VDPA $PY "$VHOST_LIB/vhost_suspend.py" "$a" "$b" d0 $NS $WIRE_IF 2>&1) || fail "vhost_suspend.py: $out"
log "$out"
