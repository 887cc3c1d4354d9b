#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The port's error paths as the FMan has them. RX: a frame longer than the
# MAC's maximum frame (fman/max_frm, FCS included) is truncated and goes to
# the port's RX error FQ with FM_FD_ERR_SIZE; the switch counts it
# (rx_drop_too_long) and releases its buffer. TX: a frame the port fails to
# transmit (a DMA error, injected) goes to the port's TX error FQ with
# FM_FD_ERR_DMA: a vDPA device's buffer is released, the host's skb handed
# back to the host (tx_dropped) and freed. Nothing reaches the wire.
# budget: 60
. "$(dirname "$0")/lib/lib.sh"
require_cmd ip ethtool
model_only "its max_frm and TX failure injection"
trap vdpa_teardown EXIT
port_setup
port_quiet
MAXF=/sys/kernel/debug/dpaa_vdpa/fman/max_frm
FAILTX=/sys/kernel/debug/dpaa_vdpa/fman/fail_tx
POOLS=/sys/kernel/debug/dpaa_vdpa/bman/pools
pooled() { awk 'NR > 1 { n += $2 } END { print n }' $POOLS; }
pooled_is() { [ "$(pooled)" = "$1" ]; }
failtx_done() { [ "$(cat $FAILTX)" = 0 ]; }
host_dropped_ge() { [ "$(ethtool_stat $HOST_IF tx_dropped)" -ge "$1" ]; }
wire_rx() { in_ns $NS cat /sys/class/net/$WIRE_IF/statistics/rx_packets; }
WMAC=$(in_ns $NS cat /sys/class/net/$WIRE_IF/address)
D0MAC=02:d0:00:00:00:10
vdpa_up d0 d0 10.9.0.10 mac $D0MAC
full=$(pooled)

# RX: the MAC's maximum frame.
expect_fail sh -c "echo 10 >$MAXF"
echo 1004 >$MAXF || fail "setting max_frm"
t0=$(port_stat rx_drop_too_long) r0=$(vstat d0 0 frames)
raw_send $NS $WIRE_IF $D0MAC 10 1200
raw_send $NS $WIRE_IF $D0MAC 10 900
wait_for 10 vstat_ge d0 0 frames $((r0 + 10)) || fail "d0 got $(($(vstat d0 0 frames) - r0)) of 10 short frames"
wait_for 10 pooled_is "$full" || fail "$(pooled) buffers in the pools, $full before the error frames"
expect_eq "frames longer than max_frame" $(($(port_stat rx_drop_too_long) - t0)) 10
expect_eq "frames d0 got" $(($(vstat d0 0 frames) - r0)) 10
echo 9604 >$MAXF
log "max_frm 1004 (1000 + FCS): 10 frames of 1200 bytes to the RX error FQ and released, 10 of 900 delivered"

# TX from the device: the port's TX error FQ.
d0=$(port_stat tx_drop_dma_fault) w0=$(wire_rx)
echo 10 >$FAILTX
raw_send d0 d0 "$WMAC" 10
wait_for 10 failtx_done || fail "$(cat $FAILTX) injected failures left"
wait_for 10 pooled_is "$full" || fail "$(pooled) buffers in the pools, $full before the TX errors"
expect_eq "device frames failed by the port" $(($(port_stat tx_drop_dma_fault) - d0)) 10
expect_eq "device frames on the wire" $(($(wire_rx) - w0)) 0
log "10 device frames failed by the port: buffers back from the TX error FQ"

# TX from the host: the TX error FQ too, then the host.
d0=$(port_stat tx_drop_dma_fault) w0=$(wire_rx) h0=$(ethtool_stat $HOST_IF tx_dropped)
echo 5 >$FAILTX
raw_send "" $HOST_IF "$WMAC" 5
wait_for 10 host_dropped_ge $((h0 + 5)) ||
	fail "host tx_dropped +$(($(ethtool_stat $HOST_IF tx_dropped) - h0)), want +5"
expect_eq "host frames failed by the port" $(($(port_stat tx_drop_dma_fault) - d0)) 5
expect_eq "host frames on the wire" $(($(wire_rx) - w0)) 0
log "5 host frames failed by the port: back to the host, counted tx_dropped"
