#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Portals in poll mode (portal_poll_ms): enqueues raise no "interrupt", a
# timer polls the portals; traffic flows as in interrupt mode.
# budget: 90
# suite: soak (make check has no room for it: Documentation/build-and-test.rst)
. "$(dirname "$0")/lib/lib.sh"
require_cmd socat ping
model_only "its portal_poll_ms parameter"
trap port_teardown EXIT
port_setup portal_poll_ms=2
grep -q "^mode poll$" /sys/kernel/debug/dpaa_vdpa/qman/portals || fail "portals not in poll mode"
ping -c 3 -i 0.2 -W 5 $W4 >/dev/null || fail "ping host -> wire"
in_ns $NS ping -c 3 -i 0.2 -W 5 $H4 >/dev/null || fail "ping wire -> host"
tcp_check "" $NS $W4 "$TCP_MIB"
tcp_check $NS "" $H4 "$TCP_MIB"
polls=$(awk '$1 ~ /^[0-9]+$/ { s += $2 } END { print s + 0 }' /sys/kernel/debug/dpaa_vdpa/qman/portals)
log "portal polls: $polls"
[ "$polls" -gt 0 ] || fail "no portal polls"
