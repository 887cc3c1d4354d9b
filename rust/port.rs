// SPDX-License-Identifier: GPL-2.0

//! A port as the module exposes it: the DPAA port (with its wire end), its
//! switch, the host netdev, the vDPA management device and the port's
//! debugfs files.

use crate::{
    debug::PortDebugfs,
    dpaa::{self, Bman, Qman},
    hostif::HostIf,
    kapi::{debugfs::Dir, device::dev_info, netdev::Registration, vdpa::MgmtDev},
    switch::PortSwitch,
    vdpa::PortMgmt,
};
use kernel::{fmt, prelude::*, str::CString, sync::Arc, types::ARef};

/// One port and what is registered on it.
///
/// Fields drop in declaration order: the management device (and every vDPA
/// device on it) first, then the host netdev, the debugfs files, the
/// switch, and the DPAA port last.
pub(crate) struct Port {
    _mgmt: Pin<KBox<MgmtDev<PortMgmt>>>,
    _host: Registration<HostIf>,
    _dbg: PortDebugfs,
    _switch: PortSwitch,
    _dpaa: dpaa::Port,
}

impl Port {
    pub(crate) fn new(index: u32, qman: &Arc<Qman>, bman: &Arc<Bman>, dbg: &Dir) -> Result<Self> {
        let dpaa = dpaa::Port::new(index, qman.clone(), bman.clone())?;
        let switch = PortSwitch::new(dpaa.fman().clone(), dpaa.peer_mac())?;
        let sw = switch.switch().clone();
        let hname = CString::try_from_fmt(fmt!("dpaa{index}"))?;
        let host_mac = dpaa.host_mac();
        let host = Registration::new(&hname, |nd| {
            nd.set_mac(&host_mac);
            HostIf::new(sw.clone(), nd)
        })?;
        let dbg = PortDebugfs::new(dbg, dpaa.name(), sw.clone())?;
        let parent = ARef::from(dpaa.device());
        let caps = PortMgmt::caps(&dpaa.caps());
        let ops = PortMgmt::new(index, sw, &dpaa.caps())?;
        let mgmt = KBox::pin_init(MgmtDev::register_net(parent, caps, ops), GFP_KERNEL)?;
        dev_info!(
            dpaa.device(),
            "{} {} ready\n",
            dpaa::PORT_KIND,
            dpaa.index()
        );
        Ok(Self {
            _mgmt: mgmt,
            _host: host,
            _dbg: dbg,
            _switch: switch,
            _dpaa: dpaa,
        })
    }
}
