// SPDX-License-Identifier: GPL-2.0

//! A software FMan port: its device (`/sys/devices/dpaa_sim<N>`, the parent
//! of its vDPA management device), its FMan, and its wire end.

use super::{
    bman::Bman,
    dma::PortDma,
    fman::{Fman, MAX_FRAME},
    qman::Qman,
    wire::WireDev,
};
use crate::{
    dpaa::PortCaps,
    kapi::{
        device::{Device, RootDevice},
        netdev::Registration,
    },
};
use kernel::{fmt, prelude::*, str::CString, sync::Arc};

/// Queue pairs per vDPA device the model backs.
const MAX_VQP_PER_DEVICE: u16 = 8;

/// A software FMan port.
///
/// Fields drop in order: the wire device goes before the FMan state.
pub(crate) struct Port {
    _wire: Registration<WireDev>,
    fman: Arc<Fman>,
    index: u32,
    dev: RootDevice,
    name: CString,
}

impl Port {
    pub(crate) fn new(index: u32, qman: Arc<Qman>, bman: Arc<Bman>) -> Result<Self> {
        let name = CString::try_from_fmt(fmt!("dpaa_sim{index}"))?;
        let dev = RootDevice::register(&name)?;
        let dma = PortDma::new(dev.device(), index)?;
        let fman = Fman::new(index, qman, bman, dma)?;
        let wname = CString::try_from_fmt(fmt!("dpaa{index}w"))?;
        let wire = Registration::new(&wname, |nd| {
            nd.set_mac(&Self::wire_mac_of(index));
            // The far end takes what the port takes.
            nd.configure(0, 0, 68, MAX_FRAME - 22, 0);
            Ok(WireDev { fman: fman.clone() })
        })?;
        fman.set_wire(wire.dev().as_raw());
        Ok(Self {
            _wire: wire,
            fman,
            index,
            dev,
            name,
        })
    }

    pub(crate) fn index(&self) -> u32 {
        self.index
    }

    /// The port's name, `dpaa_sim<N>`: its device's, and its debugfs
    /// directory's.
    pub(crate) fn name(&self) -> &CStr {
        &self.name
    }

    pub(crate) fn device(&self) -> &Device {
        self.dev.device()
    }

    /// The host netdev's MAC.
    pub(crate) fn host_mac(&self) -> [u8; 6] {
        [0x02, 0xd0, 0xaa, self.index as u8, 0x00, 0x01]
    }

    /// MAC of the far end of port `index`'s cable (it cannot change: the
    /// wire device has no `ndo_set_mac_address`).
    fn wire_mac_of(index: u32) -> [u8; 6] {
        [0x02, 0xd0, 0xaa, index as u8, 0xff, 0xff]
    }

    /// The MAC of the link partner, where the backend knows it (the
    /// model's wire end): nobody on the port may take it.
    pub(crate) fn peer_mac(&self) -> Option<[u8; 6]> {
        Some(Self::wire_mac_of(self.index))
    }

    pub(crate) fn fman(&self) -> &Arc<Fman> {
        &self.fman
    }

    pub(crate) fn caps(&self) -> PortCaps {
        PortCaps {
            max_vqp_per_device: MAX_VQP_PER_DEVICE,
        }
    }
}

impl Drop for Port {
    fn drop(&mut self) {
        // Nothing may reach the wire device once it starts going.
        self.fman.set_wire(core::ptr::null_mut());
    }
}
