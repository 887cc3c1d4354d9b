// SPDX-License-Identifier: GPL-2.0

//! The vDPA side of a port: its management device (`mgmt`), the virtio-net
//! devices created on it (`net`), their address spaces (`space`) and their
//! RX filters (`filter`).

mod filter;
mod mgmt;
pub(crate) mod net;
mod space;

pub(crate) use mgmt::PortMgmt;
