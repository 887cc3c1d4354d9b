// SPDX-License-Identifier: GPL-2.0

//! The vDPA side of a port: its management device (`mgmt`), the virtio-net
//! devices created on it (`net`), their control queue (`cvq`) and their RX
//! filters (`filter`). Their datapath is the relay's (`crate::relay`), which
//! knows a device only through `relay::Device`.

mod cvq;
mod filter;
mod mgmt;
pub(crate) mod net;

pub(crate) use mgmt::PortMgmt;
