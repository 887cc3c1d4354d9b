#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the libFuzzer targets of rust/core/fuzz and run each for a fixed time.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     (default 20 s, every target)
#
# Stable rustc, no cargo-fuzz: SanitizerCoverage comes from -Cpasses and
# -Cllvm-args (what cargo-fuzz passes too, minus the unstable ASan, which
# safe Rust does not need). A panic or assertion is a crash: libFuzzer stops
# and writes the input to results/fuzz/<target>/crash-*. The corpus persists
# in the cache so later runs start where earlier ones stopped.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/env.sh"
secs=${1:-20}
shift || true
fuzz=$top/rust/core/fuzz
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(parse fd classify vring)

export RUSTC
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing"
export CARGO_TARGET_DIR=$DPAA_VDPA_CACHE/fuzz-target
# An explicit --target keeps RUSTFLAGS off build scripts (they must not be
# instrumented: they link without libFuzzer).
triple=$($RUSTC -vV | sed -n 's/^host: //p')
if ! (cd "$fuzz" && "$CARGO" build --release --locked -q --target "$triple") >&2; then
	echo "fuzz: build failed"
	exit 1
fi

rc=0
for t in "${targets[@]}"; do
	corpus=$DPAA_VDPA_CACHE/fuzz-corpus/$t
	art=$top/results/fuzz/$t
	mkdir -p "$corpus" "$art"
	if "$CARGO_TARGET_DIR/$triple/release/$t" -max_total_time="$secs" -max_len=512 \
		-artifact_prefix="$art/" "$corpus" >"$art/log" 2>&1; then
		echo "fuzz: ok $t: $(grep -Eo '^Done [0-9]+ runs in [0-9]+ second' "$art/log" | tail -n 1)s"
	else
		rc=1
		echo "fuzz: not ok $t: crash, input in $art (log: $art/log)"
		grep -E 'panicked|ERROR' "$art/log" | head -n 5
	fi
done
exit $rc
