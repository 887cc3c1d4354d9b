#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The port's MAC as the switch programs it: promiscuous while the host's
# default target takes unknown unicast or more than one MAC has rules; exact
# match on the one MAC of a lone vDPA device otherwise, where frames to any
# other unicast MAC are dropped by the port (rx_drop_filtered), not the
# switch.
# budget: 50
. "$(dirname "$0")/lib/lib.sh"
require_cmd ip
model_only "the MAC filter's drops counted in software"
trap vdpa_teardown EXIT
port_setup
port_quiet
MACF=$DBG/mac
mac_is() { grep -q "$1" $MACF || fail "port MAC: want '$1', have '$(cat $MACF)'"; }

mac_is "promisc 1"
log "host up: $(cat $MACF)"

# The host down, one device: exact match on its MAC.
ip link set $HOST_IF down
D0MAC=02:d0:00:00:00:10
vdpa_up d0 d0 10.9.0.10 mac $D0MAC
mac_is "promisc 0 allmulti [01] addr $D0MAC"
log "host down, one device: $(cat $MACF)"

f0=$(port_stat rx_drop_filtered) nt0=$(port_stat rx_drop_no_target) r0=$(vstat d0 0 frames)
raw_send $NS $WIRE_IF 02:00:00:00:99:99 20
raw_send $NS $WIRE_IF $D0MAC 20
wait_for 10 vstat_ge d0 0 frames $((r0 + 20)) || fail "d0 got $(($(vstat d0 0 frames) - r0)) of 20 frames"
expect_eq "frames the port's filter dropped" $(($(port_stat rx_drop_filtered) - f0)) 20
expect_eq "frames the switch found no target for" $(($(port_stat rx_drop_no_target) - nt0)) 0
log "20 frames to another MAC dropped by the port's filter, 20 to d0's delivered"

# A second device, then the host: promiscuous again.
vdpa_up d1 d1 10.9.0.11
mac_is "promisc 1"
"$VDPA" dev del d1 || fail "dev del d1"
mac_is "promisc 0"
ip link set $HOST_IF up
mac_is "promisc 1"
log "two devices, or the host up: promiscuous"
