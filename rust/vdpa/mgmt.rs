// SPDX-License-Identifier: GPL-2.0

//! A port's vDPA management device: what `vdpa mgmtdev show` lists and what
//! `vdpa dev add` creates virtio-net devices on.

use crate::{
    dpaa::PortCaps,
    kapi::{
        device::{dev_err, Device},
        error::eopnotsupp,
        vdpa::{ConfigAttr, DevSetConfig, MgmtDevCaps, MgmtDevOps, VdpaDevice},
    },
};
use dpaa_core::virtio_net;
use kernel::prelude::*;

/// The management device operations of one port.
pub(crate) struct PortMgmt;

impl PortMgmt {
    /// What the management device advertises for a port with `caps`.
    pub(crate) fn caps(caps: &PortCaps) -> MgmtDevCaps {
        MgmtDevCaps {
            config_attrs: ConfigAttr::Mac.mask()
                | ConfigAttr::Mtu.mask()
                | ConfigAttr::MaxVqp.mask()
                | ConfigAttr::Features.mask(),
            supported_features: virtio_net::DEVICE_FEATURES,
            max_supported_vqs: virtio_net::max_vqs(caps.max_vqp_per_device),
        }
    }
}

#[vtable]
impl MgmtDevOps for PortMgmt {
    fn dev_add(&self, parent: &Device, name: &CStr, _config: &DevSetConfig) -> Result {
        dev_err!(
            parent,
            "cannot add vDPA device '{name}': device creation is not implemented yet\n"
        );
        Err(eopnotsupp())
    }

    fn dev_del(&self, parent: &Device, _dev: &VdpaDevice) {
        // `dev_add` never registers a device, so the core has none to delete.
        dev_err!(
            parent,
            "dev_del called but this port created no vDPA device\n"
        );
    }
}
