# SPDX-License-Identifier: GPL-2.0
#
#   make            build dpaa_vdpa.ko (against the cached debug kernel, built
#                   on first use; KDIR=<built kernel tree> for any other)
#   make check      the test suite: host unit tests + kselftests in QEMU on the
#                   debug kernel; ends with "N passed, N failed"
#   make demo       boot the base kernel in QEMU and show the module at work
#   make soak       volume and soak: long transfers, churn x100, long fuzzing
#                   (base kernel, about 1.5-2 h; not part of make check)
#   make fuzz-vhost the hostile vhost-vdpa driver alone: SEED=N (or SEEDS="a b")
#                   ROUNDS=N (per seed), on the debug kernel
#   make bench      benchmark the port against a veth pair (base kernel)
#   make setup      install the toolchain (done by every target anyway)
#   make kernel     build/reuse the cached kernels (debug and base)
#   make clippy     build with CLIPPY=1
#   make fmt        rustfmt the Rust sources
#   make clean

SCRIPTS := $(CURDIR)/scripts
# The same tools for the kernel and the module, always (see scripts/env.sh).
KMAKE = $(shell . $(SCRIPTS)/env.sh && echo $$KMAKE)

.PHONY: all modules setup kernel check soak fuzz-vhost demo bench clippy fmt fmt-check clean

all: modules

setup:
	@$(SCRIPTS)/setup.sh

# Objects (and the generated bindings) are only valid for the kernel tree
# they were built against, and kbuild cannot tell two trees apart (its flags
# are relative to the tree): switching trees cleans first.
define build_module
	@kdir="$${KDIR:-$$($(SCRIPTS)/kernel.sh debug)}" && kdir=$$(cd "$$kdir" && pwd) && \
	if [ "$$(cat .kdir 2>/dev/null)" != "$$kdir" ]; then \
		$(MAKE) -s clean; echo "$$kdir" >.kdir; \
	fi && \
	$(MAKE) -C "$$kdir" M=$(CURDIR) $(KMAKE) $(1) modules
endef

modules: setup
	$(call build_module,)

clippy: setup
	$(call build_module,CLIPPY=1)

kernel: setup
	$(SCRIPTS)/kernel.sh debug
	$(SCRIPTS)/kernel.sh base

check:
	$(SCRIPTS)/check.sh

soak:
	$(SCRIPTS)/soak.sh

SEED ?= 1
SEEDS ?= $(SEED)
ROUNDS ?= 2000
fuzz-vhost:
	SELFTESTS=vdpa_vhost_fuzz SOAK=1 HOST_TESTS=0 VHOST_FUZZ_SEEDS="$(SEEDS)" VHOST_FUZZ_ROUNDS=$(ROUNDS) \
		VHOST_FUZZ_MIN_HOSTILE=0 RESULTS=$(CURDIR)/results-fuzz-vhost $(SCRIPTS)/check.sh

demo:
	$(SCRIPTS)/demo.sh

bench:
	$(SCRIPTS)/bench.sh

RUST_ROOTS := rust/dpaa_vdpa_main.rs rust/core/src/lib.rs $(wildcard rust/core/fuzz/fuzz_targets/*.rs)

fmt:
	/usr/bin/rustfmt $(RUST_ROOTS)

fmt-check:
	/usr/bin/rustfmt --check $(RUST_ROOTS)

clean:
	rm -rf rust/core/target
	find . \( -name '*.o' -o -name '*.ko' -o -name '.*.cmd' -o -name '*.mod' \
		-o -name '*.mod.c' -o -name '*.rmeta' -o -name '.*.d' \) -delete
	rm -f Module.symvers modules.order rust/ffi/bindings_generated.rs .kdir
