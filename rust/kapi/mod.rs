// SPDX-License-Identifier: GPL-2.0

//! Safe wrappers over the kernel APIs the 6.12 `kernel` crate lacks.
//!
//! Only this layer (and `ffi`) touches raw C; everything above it is safe Rust.

pub(crate) mod backref;
pub(crate) mod cpu;
pub(crate) mod debugfs;
pub(crate) mod device;
pub(crate) mod dma;
pub(crate) mod error;
pub(crate) mod iotlb;
pub(crate) mod napi;
pub(crate) mod netdev;
pub(crate) mod page;
pub(crate) mod ratelimit;
pub(crate) mod rcu;
pub(crate) mod skb;
pub(crate) mod sync;
pub(crate) mod timer;
pub(crate) mod vdpa;
