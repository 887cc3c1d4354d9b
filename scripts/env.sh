# Sourced by the scripts: tool locations shared by the kernel, module and test
# builds. The kernel and every module must be built with the same rustc.
TOOLS=${DPAA_VDPA_TOOLS:-/opt/dpaa-vdpa}
DPAA_VDPA_CACHE=${DPAA_VDPA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dpaa-vdpa}
RUSTC=/usr/bin/rustc
# Debian's cargo-web pairs with rustc-web: one Rust toolchain for the kernel,
# the module, bindgen-cli and the host tests (rustup, if present, is unused).
CARGO=/usr/bin/cargo
CLANG=/usr/bin/clang-19
BINDGEN=$TOOLS/bindgen-0.69.5/bin/bindgen
# dtschema (dt-validate) for the device-tree binding, in a venv under $TOOLS.
DTSCHEMA_VERSION=2024.11
RUSTFMT=/usr/bin/rustfmt
KMAKE="LLVM=-19 RUSTC=$RUSTC RUSTDOC=/usr/bin/rustdoc BINDGEN=$BINDGEN CLIPPY_DRIVER=/usr/bin/clippy-driver"
export LIBCLANG_PATH=/usr/lib/llvm-19/lib
export PATH=/usr/sbin:$PATH
