// SPDX-License-Identifier: GPL-2.0

//! dpaa_vdpa: a vDPA parent driver for NXP QorIQ DPAA.
//!
//! Each vDPA device is a virtio-net device whose virtqueues are backed by DPAA
//! frame queues; a host netdev on the same FMan port shares its classifier.
//! Without DPAA hardware the module runs on a software model of the port.
//!
//! Layers, each a directory (top depends on bottom only): `port` ties them
//! together; `vdpa` (management device, vDPA devices), `hostif` (the host
//! netdev), `dpaa` (the DPAA API and its backends), `kapi` (safe wrappers of
//! kernel APIs) and `ffi` (raw bindings and C shims). Pure logic lives in the
//! `dpaa_core` crate.

// pin-init's macros recurse once per field: VdpaNet has more than the
// default limit allows.
#![recursion_limit = "256"]

use core::sync::atomic::{AtomicPtr, Ordering};
use dpaa::{Bman, DpaaDebugfs, PortCtl, Qman, MAX_PORTS};
use kapi::debugfs::Dir;
use kernel::{
    c_str,
    ffi::{c_int, c_uint},
    new_mutex,
    prelude::*,
    sync::{Arc, Mutex},
};

mod debug;
mod dpaa;
mod ffi;
mod hostif;
mod kapi;
mod port;
mod relay;
mod switch;
mod vdpa;

module! {
    type: DpaaVdpa,
    name: "dpaa_vdpa",
    author: "dpaa-vdpa developers",
    description: "vDPA parent driver for NXP QorIQ DPAA (with a software DPAA model)",
    license: "GPL",
}

/// The module's state. Fields drop in order: the ports (and everything on
/// them) first, then the debugfs files, then QMan and BMan.
#[pin_data]
struct State {
    #[pin]
    ports: Mutex<[Option<port::Port>; MAX_PORTS as usize]>,
    _dbg: DpaaDebugfs,
    dbg_root: Dir,
    qman: Arc<Qman>,
    bman: Arc<Bman>,
}

impl State {
    fn add_port(&self, id: u32) -> Result {
        if id >= MAX_PORTS {
            pr_err!("port ID {id} is out of range (0..{MAX_PORTS})\n");
            return Err(EINVAL);
        }
        let mut ports = self.ports.lock();
        let slot = &mut ports[id as usize];
        if slot.is_some() {
            pr_err!("port {id} exists\n");
            return Err(EEXIST);
        }
        let port = port::Port::new(id, &self.qman, &self.bman, &self.dbg_root)?;
        *slot = Some(port);
        Ok(())
    }

    fn del_port(&self, id: u32) -> Result {
        let port = self
            .ports
            .lock()
            .get_mut(id as usize)
            .and_then(Option::take)
            .ok_or(ENOENT)?;
        drop(port);
        Ok(())
    }
}

/// The state the control files reach (set while they are registered).
static STATE: AtomicPtr<State> = AtomicPtr::new(core::ptr::null_mut());

fn with_state(f: impl FnOnce(&State) -> Result) -> c_int {
    let s = STATE.load(Ordering::Acquire);
    if s.is_null() {
        return ENODEV.to_errno();
    }
    // SAFETY: the state outlives the control files, which are unregistered
    // (waiting for their writers) before the state goes.
    match f(unsafe { &*s }) {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// `echo ID > new_port` on the backend's bus (`dpaa::PortCtl`).
extern "C" fn new_port(id: c_uint) -> c_int {
    with_state(|s| s.add_port(id))
}

/// `echo ID > del_port` on the backend's bus (`dpaa::PortCtl`).
extern "C" fn del_port(id: c_uint) -> c_int {
    with_state(|s| s.del_port(id))
}

struct DpaaVdpa {
    /// The port control files; unregistered first (see `Drop`).
    ctl: Option<PortCtl>,
    state: Pin<KBox<State>>,
}

impl kernel::Module for DpaaVdpa {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let ports = dpaa::initial_ports()?;
        let cpus = kapi::cpu::online().clamp(1, 8);
        let poll_ms = dpaa::portal_poll_ms();
        let qman = Qman::new(cpus, poll_ms)?;
        let bman = Bman::new()?;
        let dbg_root = Dir::new(c_str!("dpaa_vdpa"), None);
        let dbg = DpaaDebugfs::new(&dbg_root, &qman, &bman)?;
        let state = KBox::pin_init(
            pin_init!(State {
                ports <- new_mutex!(core::array::from_fn(|_| None), "dpaa_vdpa_ports"),
                _dbg: dbg,
                dbg_root,
                qman,
                bman,
            }),
            GFP_KERNEL,
        )?;
        for id in (0..MAX_PORTS).filter(|id| ports & (1 << id) != 0) {
            state.add_port(id)?;
        }
        STATE.store(
            core::ptr::from_ref::<State>(&state).cast_mut(),
            Ordering::Release,
        );
        let ctl = match PortCtl::register(new_port, del_port) {
            Ok(ctl) => ctl,
            Err(e) => {
                STATE.store(core::ptr::null_mut(), Ordering::Release);
                return Err(e);
            }
        };
        let mode = if poll_ms > 0 {
            "polled"
        } else {
            "interrupt driven"
        };
        let nports = ports.count_ones();
        pr_info!("loaded, {nports} port(s), {cpus} portal(s), {mode}\n");
        Ok(Self {
            ctl: Some(ctl),
            state,
        })
    }
}

impl Drop for DpaaVdpa {
    fn drop(&mut self) {
        // Unregisters the control files; this waits for their writers.
        self.ctl = None;
        STATE.store(core::ptr::null_mut(), Ordering::Release);
        // Ports go first, one at a time, outside the lock.
        for id in 0..MAX_PORTS {
            let _ = self.state.del_port(id);
        }
    }
}
