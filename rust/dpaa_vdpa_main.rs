// SPDX-License-Identifier: GPL-2.0

//! dpaa_vdpa: a vDPA parent driver for NXP QorIQ DPAA.
//!
//! Each vDPA device is a virtio-net device whose virtqueues are backed by DPAA
//! frame queues; a host netdev on the same FMan port shares its classifier.
//! Without DPAA hardware the module runs on a software model of the port.
//!
//! Layers, each a directory (top depends on bottom only): `port` ties them
//! together; `vdpa` (management device, vDPA devices), `dpaa` (the DPAA API
//! and its backends), `kapi` (safe wrappers of kernel APIs) and `ffi` (raw
//! bindings and C shims). Pure logic lives in the `dpaa_core` crate.

use kernel::prelude::*;

mod dpaa;
mod ffi;
mod kapi;
mod port;
mod vdpa;

/// Most software ports `sim_ports` may ask for.
const MAX_SIM_PORTS: u32 = 16;

module! {
    type: DpaaVdpa,
    name: "dpaa_vdpa",
    author: "dpaa-vdpa developers",
    description: "vDPA parent driver for NXP QorIQ DPAA (with a software DPAA model)",
    license: "GPL",
}

struct DpaaVdpa {
    // Dropped in order on unload: each port unregisters its management device
    // (deleting its vDPA devices) before its own device goes.
    _ports: KVec<Pin<KBox<port::Port>>>,
}

impl kernel::Module for DpaaVdpa {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        // SAFETY: reads a module parameter that is only written at load time.
        let nports = unsafe { ffi::dpaa_vdpa_param_sim_ports() };
        if nports > MAX_SIM_PORTS {
            pr_err!("sim_ports={nports} is above the maximum of {MAX_SIM_PORTS}\n");
            return Err(EINVAL);
        }
        let mut ports = KVec::with_capacity(nports as usize, GFP_KERNEL)?;
        for index in 0..nports {
            ports.push(port::Port::new_sim(index)?, GFP_KERNEL)?;
        }
        pr_info!("loaded, {nports} software port(s)\n");
        Ok(Self { _ports: ports })
    }
}
