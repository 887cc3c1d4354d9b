// SPDX-License-Identifier: GPL-2.0

//! Raw FFI: the module's own bindgen output over `include/dpaa_vdpa_ffi.h` and
//! the C shims of `rust/ffi/shims.c`.
//!
//! This is the only place with raw C declarations. The kernel crate's
//! `bindings` cannot be extended out of tree, so the vDPA API (absent from the
//! 6.12 `kernel` crate) is generated here. The safe wrappers live in `kapi`.

#[allow(
    dead_code,
    non_camel_case_types,
    non_upper_case_globals,
    non_snake_case,
    improper_ctypes,
    missing_docs,
    unreachable_pub,
    unsafe_op_in_unsafe_fn,
    unknown_lints,
    unnecessary_transmutes,
    clippy::all,
    clippy::undocumented_unsafe_blocks,
    clippy::as_underscore,
    clippy::ptr_as_ptr
)]
mod generated {
    use kernel::ffi;
    // Blocklisted by the kernel's bindgen_parameters; mapped as rust/bindings does.
    type __kernel_size_t = usize;
    type __kernel_ssize_t = isize;
    type __kernel_ptrdiff_t = isize;
    include!("bindings_generated.rs");
}

pub(crate) use generated::*;

// The pure-logic crate spells out the virtio constants itself (it has no
// kernel headers); make sure it agrees with them.
use dpaa_core::virtio_net as vn;
kernel::static_assert!(vn::VIRTIO_ID_NET == VIRTIO_ID_NET);
kernel::static_assert!(vn::F_CSUM == VIRTIO_NET_F_CSUM);
kernel::static_assert!(vn::F_GUEST_CSUM == VIRTIO_NET_F_GUEST_CSUM);
kernel::static_assert!(vn::F_MTU == VIRTIO_NET_F_MTU);
kernel::static_assert!(vn::F_MAC == VIRTIO_NET_F_MAC);
kernel::static_assert!(vn::F_GUEST_TSO4 == VIRTIO_NET_F_GUEST_TSO4);
kernel::static_assert!(vn::F_GUEST_TSO6 == VIRTIO_NET_F_GUEST_TSO6);
kernel::static_assert!(vn::F_GUEST_ECN == VIRTIO_NET_F_GUEST_ECN);
kernel::static_assert!(vn::F_GUEST_UFO == VIRTIO_NET_F_GUEST_UFO);
kernel::static_assert!(vn::F_HOST_TSO4 == VIRTIO_NET_F_HOST_TSO4);
kernel::static_assert!(vn::F_HOST_TSO6 == VIRTIO_NET_F_HOST_TSO6);
kernel::static_assert!(vn::F_HOST_ECN == VIRTIO_NET_F_HOST_ECN);
kernel::static_assert!(vn::F_HOST_UFO == VIRTIO_NET_F_HOST_UFO);
kernel::static_assert!(vn::F_MRG_RXBUF == VIRTIO_NET_F_MRG_RXBUF);
kernel::static_assert!(vn::F_STATUS == VIRTIO_NET_F_STATUS);
kernel::static_assert!(vn::F_CTRL_VQ == VIRTIO_NET_F_CTRL_VQ);
kernel::static_assert!(vn::F_CTRL_RX == VIRTIO_NET_F_CTRL_RX);
kernel::static_assert!(vn::F_CTRL_VLAN == VIRTIO_NET_F_CTRL_VLAN);
kernel::static_assert!(vn::F_GUEST_ANNOUNCE == VIRTIO_NET_F_GUEST_ANNOUNCE);
kernel::static_assert!(vn::F_MQ == VIRTIO_NET_F_MQ);
kernel::static_assert!(vn::F_CTRL_MAC_ADDR == VIRTIO_NET_F_CTRL_MAC_ADDR);
kernel::static_assert!(vn::F_VERSION_1 == VIRTIO_F_VERSION_1);
kernel::static_assert!(vn::F_ACCESS_PLATFORM == VIRTIO_F_ACCESS_PLATFORM);
kernel::static_assert!(vn::F_RING_PACKED == VIRTIO_F_RING_PACKED);
kernel::static_assert!(vn::F_IN_ORDER == VIRTIO_F_IN_ORDER);
