// SPDX-License-Identifier: GPL-2.0

//! Safe wrappers over the kernel APIs the 6.12 `kernel` crate lacks.
//!
//! Only this layer (and `ffi`) touches raw C; everything above it is safe Rust.

pub(crate) mod device;
pub(crate) mod error;
pub(crate) mod vdpa;
