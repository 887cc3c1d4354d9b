// SPDX-License-Identifier: GPL-2.0

//! QorIQ DPAA hardware: QMan, BMan and the FMan ports and MACs through
//! the upstream drivers of Linux 6.12 (`CONFIG_FSL_DPAA`, `CONFIG_FSL_FMAN`),
//! built with `DPAA_VDPA_BACKEND=qbman` against a full kernel source tree.
//!
//! Private to `dpaa`, like the model: the same names, the same semantics
//! where the hardware has them; where it differs, the doc of each says so
//! (and `Documentation/board.rst` lists what is unverified).

mod bman;
mod bus;
mod debugfs;
mod dma;
mod fman;
mod port;
mod qman;

pub(crate) use bman::{Bman, Pool, PoolRef};
pub(crate) use bus::{initial_ports, portal_poll_ms, PortCtl, MAX_PORTS};
pub(crate) use debugfs::DpaaDebugfs;
pub(crate) use dma::PortDma;
pub(crate) use fman::{Fman, PortRx, PortTx, MAX_FRAME, MAX_PORT_POOLS, RX_OFFSET};
pub(crate) use port::Port;
pub(crate) use qman::{Cgr, CgrRef, Fq, FqRange, Qman};
