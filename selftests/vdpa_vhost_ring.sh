#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# VIRTIO_RING_F_INDIRECT_DESC and VIRTIO_RING_F_EVENT_IDX through a
# userspace vhost-vdpa driver (lib/vhost_ring.py): 16 frames each way
# through indirect tables, bytes checked; no interrupt while used_event is
# ahead, one when it is passed; avail_event asks for the next kick; a
# nested table is DEVICE_NEEDS_RESET. The Linux virtio-net driver on
# virtio_vdpa negotiates both in every other vDPA test.
# budget: 40
. "$(dirname "$0")/lib/lib.sh"
require_cmd python3
trap vhost_teardown EXIT
port_setup
chr=$(vhost_dev d0 mac 02:d0:aa:00:01:01) || fail "vhost-vdpa device: $chr"
out=$($PY "$VHOST_LIB/vhost_ring.py" "$chr" $NS $WIRE_IF 2>&1) || fail "vhost_ring.py: $out"
log "$out"
