// SPDX-License-Identifier: GPL-2.0

//! Kernel-independent logic of `dpaa_vdpa`.
//!
//! Everything here is plain `no_std` Rust without allocation: it is compiled
//! into the kernel module as its own crate (see `Kbuild`) and unit-tested on
//! the host with `cargo test`. Nothing here may depend on the `kernel` crate.

// The kernel build adds `no_std` itself (`-Zcrate-attr=no_std`).
#![cfg_attr(not(any(test, MODULE)), no_std)]

pub mod cgr;
pub mod classify;
pub mod ctrl;
pub mod dqrr;
pub mod ern;
pub mod fd;
pub mod fq;
pub mod hash;
pub mod iommu;
pub mod macfilter;
pub mod parse;
pub mod pools;
pub mod ring;
pub mod virtio_net;
pub mod vring;

#[cfg(test)]
mod testutil;
