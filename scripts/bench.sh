#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Benchmark (`make bench`): in one VM on the base kernel, the host netdev <->
# its wire end against a veth pair with the same offloads (no TSO, no
# checksum offload, no scatter/gather: what the port offers today), for a
# TCP stream and 64-byte UDP frames, both directions; then vDPA devices
# (virtio_vdpa) to the host and to each other with 1 and 4 queue pairs, and
# pktgen through a device against vdpa_sim_net; prints the ratios.
# BENCH_SECONDS (default 5) per run. Numbers, not a pass/fail test.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/env.sh"

"$top/scripts/setup.sh"
kdir=$("$top/scripts/kernel.sh" base)
make -s -C "$top" KDIR="$kdir" modules
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$top/scripts/vm.sh" -q -m 2G -c 2 -t 900 -k "$kdir" -o "$out" -- \
	env BENCH_SECONDS="${BENCH_SECONDS:-5}" bash "$top/scripts/bench-guest.sh" "$top/dpaa_vdpa.ko"
