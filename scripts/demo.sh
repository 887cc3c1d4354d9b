#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The demo (`make demo`): installs what is missing, builds (or reuses) the base
# kernel and the module, boots it in QEMU and shows the module at work.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/env.sh"

"$top/scripts/setup.sh"
kdir=$("$top/scripts/kernel.sh" base)
echo "demo: kernel $kdir"
make -s -C "$top" KDIR="$kdir" modules
echo "demo: booting (QEMU TCG)..."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$top/scripts/vm.sh" -q -m 1G -t 600 -k "$kdir" -o "$out" -- bash "$top/scripts/demo-guest.sh" "$top/dpaa_vdpa.ko"
