// SPDX-License-Identifier: GPL-2.0

//! A software FMan port.
//!
//! Today a port is its device (`/sys/devices/dpaa_sim<N>`), the parent of the
//! port's vDPA management device, and its capabilities. Frame queues, pools,
//! the classifier and the wire netdev come with the model.

use crate::{
    dpaa::PortCaps,
    kapi::device::{Device, RootDevice},
};
use kernel::{fmt, prelude::*, str::CString};

/// Queue pairs per vDPA device the model backs (FQs are plentiful in the model;
/// 8 matches the portal count of an LS1046A).
const MAX_VQP_PER_DEVICE: u16 = 8;

/// A software FMan port.
pub(crate) struct Port {
    index: u32,
    dev: RootDevice,
}

impl Port {
    pub(crate) fn new(index: u32) -> Result<Self> {
        let name = CString::try_from_fmt(fmt!("dpaa_sim{index}"))?;
        let dev = RootDevice::register(&name)?;
        Ok(Self { index, dev })
    }

    pub(crate) fn index(&self) -> u32 {
        self.index
    }

    pub(crate) fn device(&self) -> &Device {
        self.dev.device()
    }

    pub(crate) fn caps(&self) -> PortCaps {
        PortCaps {
            max_vqp_per_device: MAX_VQP_PER_DEVICE,
        }
    }
}
