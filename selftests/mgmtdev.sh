#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `vdpa -j mgmtdev show` lists the port's management device with class net,
# the virtio-net features the device offers and its maximum vq count.
# budget: 30
. "$(dirname "$0")/lib/lib.sh"
require_cmd jq

mod_load || fail "load failed"
trap 'mod_unload' EXIT

json=$("$VDPA" -j mgmtdev show $PORT) || fail "vdpa mgmtdev show $PORT failed"
log "$json"
dev=$(jq -c --arg p "$PORT" '.mgmtdev[$p]' <<<"$json")
[ "$dev" != null ] || fail "$PORT missing from: $json"

expect_eq "supported_classes" "$(jq -c '.supported_classes' <<<"$dev")" '["net"]'
# 8 queue pairs: 8 RX + 8 TX + the control vq.
expect_eq "max_supported_vqs" "$(jq '.max_supported_vqs' <<<"$dev")" 17
want="ACCESS_PLATFORM CTRL_MAC_ADDR CTRL_RX CTRL_VQ MAC MQ MRG_RXBUF MTU RING_EVENT_IDX RING_INDIRECT_DESC STATUS VERSION_1"
got=$(jq -r '.dev_features[]' <<<"$dev" | sort | xargs)
expect_eq "dev_features" "$got" "$want"

# The same device in the full listing, exactly once.
n=$("$VDPA" -j mgmtdev show | jq --arg p "$PORT" '[.mgmtdev | keys[] | select(. == $p)] | length')
expect_eq "$PORT entries in the full listing" "$n" 1
