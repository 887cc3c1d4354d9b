#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build dpaa_vdpa.ko for arm64 against the arm64 kernel tree (scripts/kernel.sh
# arm64), with clippy, in a copy of the sources: kbuild writes an external
# module's objects next to its sources, and the x86 build owns those.
#
#   scripts/arm64-module.sh KDIR OUTDIR
#
# The module is OUTDIR/src/dpaa_vdpa.ko; the build log OUTDIR/build.log. Any
# rustc or clippy warning fails it.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/env.sh"
kdir=${1:?usage: arm64-module.sh KDIR OUTDIR}
out=${2:?usage: arm64-module.sh KDIR OUTDIR}
mkdir -p "$out/src"
# The tracked and new sources, none of the x86 build's products.
(cd "$top" && tar -cf - --exclude='*.o' --exclude='*.ko' --exclude='.*.cmd' --exclude='*.mod' \
	--exclude='*.mod.c' --exclude='*.rmeta' --exclude='.*.d' --exclude=bindings_generated.rs \
	--exclude=target Kbuild include rust) | tar -xf - -C "$out/src"
if ! make -C "$kdir" M="$out/src" $KMAKE ARCH=arm64 CLIPPY=1 modules >"$out/build.log" 2>&1; then
	tail -n 40 "$out/build.log"
	echo "arm64-module: build failed ($out/build.log)" >&2
	exit 1
fi
if grep -E '^(warning|error)(\[|:)' "$out/build.log"; then
	echo "arm64-module: the build has warnings ($out/build.log)" >&2
	exit 1
fi
llvm-readelf-19 -h "$out/src/dpaa_vdpa.ko" | grep -q 'Machine: *AArch64' || { echo "arm64-module: not an arm64 module" >&2; exit 1; }
