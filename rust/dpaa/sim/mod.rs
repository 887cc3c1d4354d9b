// SPDX-License-Identifier: GPL-2.0

//! Software model of DPAA: the backend used when no QorIQ hardware is present.
//!
//! Private to `dpaa`: the driver reaches the model only through the names
//! below, which `dpaa` re-exports.

mod bman;
mod bus;
mod debugfs;
mod dma;
mod fman;
mod port;
mod qman;
mod wire;

pub(crate) use bman::{Bman, Pool, PoolRef};
pub(crate) use bus::{initial_ports, portal_poll_ms, PortCtl, MAX_PORTS};
pub(crate) use debugfs::DpaaDebugfs;
pub(crate) use dma::PortDma;
pub(crate) use fman::{Fman, PortRx, PortTx, MAX_FRAME, MAX_PORT_POOLS, RX_OFFSET};
pub(crate) use port::Port;
pub(crate) use qman::{Cgr, CgrRef, Fq, FqRange, Qman};
