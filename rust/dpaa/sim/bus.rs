// SPDX-License-Identifier: GPL-2.0

//! Where software ports come from: the `sim_ports` module parameter (made at
//! load) and the `dpaa_sim` bus (`/sys/bus/dpaa_sim/{new_port,del_port}`).

use crate::ffi;
use kernel::{
    ffi::{c_int, c_uint},
    prelude::*,
};

/// Most software ports, and the highest port ID plus one.
pub(crate) const MAX_PORTS: u32 = 16;

/// The ports to make at load (`sim_ports=n`: IDs `0..n`), as a mask of IDs.
pub(crate) fn initial_ports() -> Result<u32> {
    // SAFETY: reads a module parameter that is only written at load time.
    let nports = unsafe { ffi::dpaa_vdpa_param_sim_ports() };
    if nports > MAX_PORTS {
        pr_err!("sim_ports={nports} is above the maximum of {MAX_PORTS}\n");
        return Err(EINVAL);
    }
    Ok(((1u64 << nports) - 1) as u32)
}

/// How often the portals are polled (`portal_poll_ms=`; 0: interrupt
/// driven).
pub(crate) fn portal_poll_ms() -> u32 {
    // SAFETY: reads a module parameter that is only written at load time.
    unsafe { ffi::dpaa_vdpa_param_portal_poll_ms() }
}

/// Makes or removes the port with an ID (`echo ID > new_port`, `del_port`);
/// returns 0 or a negative errno.
pub(crate) type PortCtlFn = extern "C" fn(c_uint) -> c_int;

/// The bus and its two control files, registered while this lives.
pub(crate) struct PortCtl(());

impl PortCtl {
    /// Registers the bus: writes to its control files call `new_port` and
    /// `del_port`.
    pub(crate) fn register(new_port: PortCtlFn, del_port: PortCtlFn) -> Result<Self> {
        // SAFETY: registers the bus with our two callbacks.
        kernel::error::to_result(unsafe {
            ffi::dpaa_vdpa_sim_bus_register(Some(new_port), Some(del_port))
        })?;
        Ok(Self(()))
    }
}

impl Drop for PortCtl {
    fn drop(&mut self) {
        // SAFETY: registered in `register`; this waits for control file writers.
        unsafe { ffi::dpaa_vdpa_sim_bus_unregister() };
    }
}
