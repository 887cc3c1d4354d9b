// SPDX-License-Identifier: GPL-2.0

//! A port as the module exposes it: the DPAA port and its vDPA management
//! device (and later its host netdev).

use crate::{
    dpaa::sim,
    kapi::{device::dev_info, vdpa::MgmtDev},
    vdpa::PortMgmt,
};
use kernel::{prelude::*, types::ARef};

/// One port and what is registered on it.
///
/// Fields drop in declaration order: the management device (and every vDPA
/// device on it) goes before the port it lives on.
#[pin_data]
pub(crate) struct Port {
    #[pin]
    mgmt: MgmtDev<PortMgmt>,
    dpaa: sim::Port,
}

impl Port {
    pub(crate) fn new_sim(index: u32) -> Result<Pin<KBox<Self>>> {
        let dpaa = sim::Port::new(index)?;
        let parent = ARef::from(dpaa.device());
        let caps = PortMgmt::caps(&dpaa.caps());
        let port = KBox::try_pin_init(
            try_pin_init!(Self {
                mgmt <- MgmtDev::register_net(parent, caps, PortMgmt),
                dpaa,
            }? Error),
            GFP_KERNEL,
        )?;
        dev_info!(
            port.dpaa.device(),
            "software DPAA port {} ready\n",
            port.dpaa.index()
        );
        Ok(port)
    }
}
