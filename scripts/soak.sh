#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Volume and soak (`make soak`): the whole suite on the base kernel (no
# KASAN: volume is the point here, not the checkers) with long volumes and
# no time budgets, then long fuzzing:
#   - TCP_MIB=64: every content-verified TCP transfer moves 64 MiB;
#   - CHURN=100: port, module and vDPA device add/remove loops run 100 times;
#   - FUZZ_SECONDS=300 per libFuzzer target.
# Each can be overridden from the environment. Results go to results-soak/.
# It takes about 1.5-2 hours on the 2-core machine; it is not part of
# `make check` (.ci/run).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
export KERNEL=base SOAK=1
export TCP_MIB=${TCP_MIB:-64} CHURN=${CHURN:-100} FUZZ_SECONDS=${FUZZ_SECONDS:-300}
# The hostile vhost-vdpa driver: ten seeds of 2000 rounds (~180,000 hostile chains).
export VHOST_FUZZ_SEEDS=${VHOST_FUZZ_SEEDS:-"1 2 3 4 5 6 7 8 9 10"} VHOST_FUZZ_ROUNDS=${VHOST_FUZZ_ROUNDS:-2000}
export GUEST_TIMEOUT=${GUEST_TIMEOUT:-10800}
export RESULTS=${RESULTS:-$top/results-soak}
# And on arm64: every selftest without QEMU guests on the model backend.
export ARM64=${ARM64:-1} ARM64_SELFTESTS=${ARM64_SELFTESTS:-all} ARM64_TIMEOUT=${ARM64_TIMEOUT:-7200}
exec "$top/scripts/check.sh"
