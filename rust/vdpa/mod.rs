// SPDX-License-Identifier: GPL-2.0

//! The vDPA side of a port: its management device and, later, the virtio-net
//! devices created on it.

mod filter;
mod mgmt;
pub(crate) mod net;
mod space;

pub(crate) use mgmt::PortMgmt;
