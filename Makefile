# SPDX-License-Identifier: GPL-2.0
#
#   make            build dpaa_vdpa.ko (against the cached debug kernel, built
#                   on first use; KDIR=<built kernel tree> for any other)
#   make check      the test suite: host unit tests + kselftests in QEMU on the
#                   debug kernel; ends with "N passed, N failed"
#   make demo       boot the base kernel in QEMU and show the module at work
#   make bench      benchmark the port against a veth pair (base kernel)
#   make setup      install the toolchain (done by every target anyway)
#   make kernel     build/reuse the cached kernels (debug and base)
#   make clippy     build with CLIPPY=1
#   make fmt        rustfmt the Rust sources
#   make clean

SCRIPTS := $(CURDIR)/scripts
# The same tools for the kernel and the module, always (see scripts/env.sh).
KMAKE = $(shell . $(SCRIPTS)/env.sh && echo $$KMAKE)

.PHONY: all modules setup kernel check demo bench clippy fmt fmt-check clean

all: modules

setup:
	@$(SCRIPTS)/setup.sh

modules: setup
	@kdir="$${KDIR:-$$($(SCRIPTS)/kernel.sh debug)}" && \
	$(MAKE) -C "$$kdir" M=$(CURDIR) $(KMAKE) modules

clippy: setup
	@kdir="$${KDIR:-$$($(SCRIPTS)/kernel.sh debug)}" && \
	$(MAKE) -C "$$kdir" M=$(CURDIR) $(KMAKE) CLIPPY=1 modules

kernel: setup
	$(SCRIPTS)/kernel.sh debug
	$(SCRIPTS)/kernel.sh base

check:
	$(SCRIPTS)/check.sh

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
	rm -f Module.symvers modules.order rust/ffi/bindings_generated.rs
