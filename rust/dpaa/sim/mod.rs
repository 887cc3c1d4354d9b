// SPDX-License-Identifier: GPL-2.0

//! Software model of DPAA: the backend used when no QorIQ hardware is present.

pub(crate) mod bman;
pub(crate) mod dma;
pub(crate) mod fman;
mod port;
pub(crate) mod qman;
pub(crate) mod wire;

pub(crate) use port::Port;
