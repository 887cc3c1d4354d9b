// SPDX-License-Identifier: GPL-2.0

//! A board's FMan port: the MAC a `mac@<id>` node of the `fsl,dpaa-vdpa`
//! device-tree node names, held from `dpaa_eth`; its device (the MAC's
//! `dpaa-ethernet` device, the parent of its vDPA management device) and
//! its FMan side.

use super::{
    bman::Bman,
    dma::PortDma,
    fman::{Fman, Mac},
    qman::Qman,
};
use crate::{dpaa::PortCaps, ffi, kapi::device::Device};
use kernel::{fmt, prelude::*, str::CString, sync::Arc};

/// Queue pairs per vDPA device: the KeyGen range of a device's RX FQs.
const MAX_VQP_PER_DEVICE: u16 = 8;

/// A board's FMan port.
pub(crate) struct Port {
    fman: Arc<Fman>,
    index: u32,
    name: CString,
}

impl Port {
    pub(crate) fn new(index: u32, qman: Arc<Qman>, bman: Arc<Bman>) -> Result<Self> {
        let mac = Mac::get(index)?;
        // SAFETY: our MAC; a lookup.
        if unsafe { ffi::dpaa_vdpa_mac_errata_a050385(mac.raw()) } {
            pr_err!(
                "mac@{index:x}: this FMan has erratum A050385 (LS1043A): its 256-byte buffer alignment is not supported yet\n"
            );
            return Err(Error::from_errno(-(ffi::EOPNOTSUPP as i32)));
        }
        // SAFETY: the RX port's device, alive while the MAC is held, its
        // DMA mask set by `Mac::get`.
        let dma = unsafe {
            let dev = Device::from_raw(ffi::dpaa_vdpa_mac_dma_dev(mac.raw()));
            PortDma::new(dev)?
        };
        let name = CString::try_from_fmt(fmt!("dpaa{index}"))?;
        let fman = Fman::new(index, qman, bman, dma, mac)?;
        Ok(Self { fman, index, name })
    }

    pub(crate) fn index(&self) -> u32 {
        self.index
    }

    /// The port's name, `dpaa<N>`: its debugfs directory's.
    pub(crate) fn name(&self) -> &CStr {
        &self.name
    }

    /// The MAC's `dpaa-ethernet` device.
    pub(crate) fn device(&self) -> &Device {
        // SAFETY: the MAC (and the reference on its device) is held by our
        // FMan for as long as `self` lives.
        unsafe { Device::from_raw(ffi::dpaa_vdpa_mac_dev(self.fman.mac_raw())) }
    }

    /// The link partner's MAC is not known on a board.
    pub(crate) fn peer_mac(&self) -> Option<[u8; 6]> {
        None
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
