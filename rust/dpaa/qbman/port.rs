// SPDX-License-Identifier: GPL-2.0

//! A board's FMan port: the MAC a `mac@<id>` node of the `fsl,dpaa-vdpa`
//! device-tree node names, held from `dpaa_eth`; its device (the MAC's
//! `dpaa-ethernet` device, the parent of its vDPA management device) and
//! its FMan side.

use super::{
    bman::Bman,
    dma::PortDma,
    fman::{Fman, Mac, MAX_FRAME},
    qman::Qman,
};
use crate::{
    dpaa::PortCaps,
    ffi,
    kapi::device::{Device, RootDevice},
};
use kernel::{fmt, prelude::*, str::CString, sync::Arc};

/// Queue pairs per vDPA device: the KeyGen range of a device's RX FQs.
const MAX_VQP_PER_DEVICE: u16 = 8;

/// A board's FMan port.
///
/// Its device is `/sys/devices/dpaa<N>`, the parent of its vDPA
/// management device `dpaa<N>` (the binding's name, stable where the MAC's
/// `dpaa-ethernet.<M>` is a probe-order count); the FMan's DMA goes through
/// the port's own devices.
pub(crate) struct Port {
    fman: Arc<Fman>,
    index: u32,
    dev: RootDevice,
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
        // SAFETY: reads the FMan driver's boot parameter.
        let max_frm = unsafe { ffi::dpaa_vdpa_fman_max_frm() };
        // The FMan's largest is 9600 with the FCS: 4 short of MAX_FRAME.
        if max_frm < MAX_FRAME {
            pr_warn!(
                "mac@{index:x}: the MACs take frames of up to {max_frm} bytes with the FCS (fsl_dpaa_fman.fsl_fm_max_frm; 9600 for jumbo frames)\n"
            );
        }
        let name = CString::try_from_fmt(fmt!("dpaa{index}"))?;
        let dev = RootDevice::register(&name)?;
        let fman = Fman::new(index, qman, bman, dma, mac)?;
        Ok(Self {
            fman,
            index,
            dev,
            name,
        })
    }

    pub(crate) fn index(&self) -> u32 {
        self.index
    }

    /// The port's name, `dpaa<N>`: its debugfs directory's.
    pub(crate) fn name(&self) -> &CStr {
        &self.name
    }

    pub(crate) fn device(&self) -> &Device {
        self.dev.device()
    }

    /// The MAC's address (from the device tree or the boot loader): the
    /// host netdev's.
    pub(crate) fn host_mac(&self) -> [u8; 6] {
        self.fman.mac_addr()
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
