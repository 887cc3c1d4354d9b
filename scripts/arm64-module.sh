#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build dpaa_vdpa.ko for arm64 against the arm64 kernel tree (scripts/kernel.sh
# arm64), with clippy, once per DPAA backend (sim: the model; qbman: QMan, BMan
# and the FMan through the tree's drivers, which modpost checks the module
# links against), each in a copy of the sources: kbuild writes an external
# module's objects next to its sources, and the x86 build owns those.
#
#   scripts/arm64-module.sh KDIR OUTDIR
#
# The modules are OUTDIR/<backend>/src/dpaa_vdpa.ko, the build logs
# OUTDIR/<backend>/build.log; prints "arm64: ok|not ok <backend> ..." per
# backend. Any rustc, clippy or modpost warning fails a build.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/env.sh"
kdir=${1:?usage: arm64-module.sh KDIR OUTDIR}
out=${2:?usage: arm64-module.sh KDIR OUTDIR}
rc=0
for backend in sim qbman; do
	b=$out/$backend
	rm -rf "$b"
	mkdir -p "$b/src"
	# The tracked and new sources, none of the x86 build's products.
	(cd "$top" && tar -cf - --exclude='*.o' --exclude='*.ko' --exclude='.*.cmd' --exclude='*.mod' \
		--exclude='*.mod.c' --exclude='*.rmeta' --exclude='.*.d' --exclude=bindings_generated.rs \
		--exclude=target Kbuild include rust) | tar -xf - -C "$b/src"
	start=$(date +%s)
	if ! make -C "$kdir" M="$b/src" $KMAKE ARCH=arm64 CLIPPY=1 DPAA_VDPA_BACKEND=$backend \
		modules >"$b/build.log" 2>&1; then
		tail -n 40 "$b/build.log"
		echo "arm64: not ok $backend: build failed ($b/build.log)"
		rc=1
		continue
	fi
	if grep -E '^(warning|error)(\[|:)|^WARNING: modpost' "$b/build.log"; then
		echo "arm64: not ok $backend: the build has warnings ($b/build.log)"
		rc=1
		continue
	fi
	if ! llvm-readelf-19 -h "$b/src/dpaa_vdpa.ko" | grep -q 'Machine: *AArch64'; then
		echo "arm64: not ok $backend: not an arm64 module"
		rc=1
		continue
	fi
	echo "arm64: ok $backend module, clippy clean ($(($(date +%s) - start)) s)"
done
exit $rc
