// SPDX-License-Identifier: GPL-2.0

//! Where a board's ports come from: the `mac@<id>` children of the
//! `fsl,dpaa-vdpa` device-tree node
//! (`Documentation/devicetree/bindings/net/fsl,dpaa-vdpa.yaml`), taken at
//! load. Without that node, or without QMan and BMan, there is nothing to
//! drive: the module refuses to load (`-ENODEV`, one message).

use crate::ffi;
use kernel::{
    ffi::{c_int, c_uint},
    prelude::*,
};

/// Port IDs are the nodes' `reg`, 0..15.
pub(crate) const MAX_PORTS: u32 = 16;

/// The ports to make at load, as a mask of IDs.
pub(crate) fn initial_ports() -> Result<u32> {
    let mut mask = 0;
    // SAFETY: a device-tree walk writing `mask`.
    if unsafe { ffi::dpaa_vdpa_mac_ids(&mut mask) } != 0 {
        pr_err!("no fsl,dpaa-vdpa node in the device tree: no DPAA port to drive\n");
        return Err(ENODEV);
    }
    // SAFETY: reads QMan's and BMan's probe state.
    match unsafe { ffi::dpaa_vdpa_qbman_ready() } {
        r if r > 0 => Ok(mask),
        _ => {
            pr_err!("QMan and BMan are not probed with their portals: no DPAA to drive\n");
            Err(ENODEV)
        }
    }
}

/// Portals are interrupt driven on a board (0); the parameter is the
/// model's, and refused if set.
pub(crate) fn portal_poll_ms() -> u32 {
    // SAFETY: reads a module parameter that is only written at load time.
    unsafe { ffi::dpaa_vdpa_param_portal_poll_ms() }
}

/// Makes or removes the port with an ID; the board has no control files.
pub(crate) type PortCtlFn = extern "C" fn(c_uint) -> c_int;

/// The board's ports are fixed by the device tree: nothing to register.
pub(crate) struct PortCtl(());

impl PortCtl {
    pub(crate) fn register(_new_port: PortCtlFn, _del_port: PortCtlFn) -> Result<Self> {
        Ok(Self(()))
    }
}
