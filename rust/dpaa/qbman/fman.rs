// SPDX-License-Identifier: GPL-2.0

//! An FMan port pair and its MAC on a QorIQ board, driven as `dpaa_eth`
//! drives them (`fman_port.h`, the `mac_device` ops of `fman/mac.h`),
//! through the shims of `rust/ffi/qbman.c`.
//!
//! RX: one `fman_port_config()` + `fman_port_init()` with the KeyGen hash
//! over the RX FQ range, the error FQ and the pools, at the first
//! `set_rx`; the port cannot be configured again, so a later `set_rx`
//! must bring the same configuration. TX: initialised with the TX error
//! FQ at the same time; TX FQs go to the TX port's channel. The MAC's
//! filter is the MAC's own (exact address, multicast hash, all-multicast,
//! promiscuous); the link is phylink's, started with RX.

use super::{bman::Bman, dma::PortDma, qman::Qman, FqRange};
use crate::{
    dpaa::{DirStats, Dqrr, Ern, FqHandler, FqInit, FrameQueue, Pool, TxOwner},
    ffi,
    kapi::{
        napi::NapiCtx,
        sync::{new_spinlock_bh, SpinLockBh},
    },
};
use core::{
    ptr::NonNull,
    sync::atomic::{AtomicU32, Ordering::Relaxed},
};
use dpaa_core::{fd::QmFd, macfilter::MacFilter};
use kernel::{c_str, new_mutex, prelude::*, sync::Arc, sync::Mutex};

/// Where the FMan writes a received frame in a buffer: after the parse
/// result, timestamp and hash the buffer prefix passes, aligned to 64
/// (`dpaa_eth`'s RX layout gives the same).
pub(crate) const RX_OFFSET: u16 = 64;
/// Largest frame the driver sizes for (the model's). The MACs take up to
/// `fsl_dpaa_fman.fsl_fm_max_frm` bytes with the FCS, 9600 at most: 9596
/// of frame (`Port::new` warns below 9600).
pub(crate) const MAX_FRAME: u32 = 9600;
/// External buffer pools a port takes (`FMAN_PORT_MAX_EXT_POOLS_NUM`).
pub(crate) const MAX_PORT_POOLS: usize = 8;
/// Multicast groups the driver puts in the MAC's hash; beyond them the
/// switch turns all-multicast on.
const MAX_GROUPS: usize = 64;

/// The port's RX configuration (see the sim backend's).
pub(crate) struct PortRx {
    pub(crate) fqid: u32,
    pub(crate) fq_count: u16,
    pub(crate) err_fqid: u32,
    pub(crate) pools: KVec<(Arc<Pool>, u32)>,
}

/// The FMan MAC held from `dpaa_eth` (`dpaa_vdpa_mac_get()`).
///
/// # Invariants
///
/// `self.0` is a MAC from `dpaa_vdpa_mac_get()`, put on drop.
pub(super) struct Mac(NonNull<ffi::dpaa_vdpa_mac>);

// SAFETY: the shim's MAC is a set of device pointers and flags; its
// functions may be called from any thread (the callers serialise).
unsafe impl Send for Mac {}
// SAFETY: as above.
unsafe impl Sync for Mac {}

impl Mac {
    /// The MAC of the `mac@<id>` node; a clear error (logged by the shim)
    /// if it cannot be had.
    pub(super) fn get(id: u32) -> Result<Self> {
        let mut err = 0;
        // SAFETY: a lookup; `err` is written on failure.
        let m = unsafe { ffi::dpaa_vdpa_mac_get(id, &mut err) };
        NonNull::new(m)
            .map(Self)
            .ok_or_else(|| Error::from_errno(if err < 0 { err } else { ENODEV.to_errno() }))
    }

    pub(super) fn raw(&self) -> *mut ffi::dpaa_vdpa_mac {
        self.0.as_ptr()
    }
}

impl Drop for Mac {
    fn drop(&mut self) {
        // SAFETY: from `get`, put once (type invariant).
        unsafe { ffi::dpaa_vdpa_mac_put(self.0.as_ptr()) };
    }
}

/// What the RX port was initialised with.
struct RxInit {
    fqid: u32,
    fq_count: u16,
    err_fqid: u32,
    /// (BPID, buffer size) of each pool.
    pools: KVec<(u8, u32)>,
}

/// RX state (process context).
struct RxState {
    inited: Option<RxInit>,
    /// The one in force while enabled (its pools kept alive).
    cfg: Option<PortRx>,
}

/// The MAC's filter as programmed, and the groups in its hash.
struct FilterState {
    filter: MacFilter,
    groups: [[u8; 6]; MAX_GROUPS],
    n: usize,
}

/// The FMan side of a port.
#[pin_data]
pub(crate) struct Fman {
    pub(crate) id: u32,
    qman: Arc<Qman>,
    bman: Arc<Bman>,
    dma: Arc<PortDma>,
    mac: Mac,
    #[pin]
    rx_state: Mutex<RxState>,
    /// Programmed under the switch's classifier lock (BH).
    #[pin]
    filter: SpinLockBh<FilterState>,
    tx_err: AtomicU32,
    /// The port's own counters: the FMan's statistics registers are not
    /// read yet (zero), the switch's counters are.
    pub(crate) rx: DirStats,
    pub(crate) tx: DirStats,
}

impl Fman {
    pub(super) fn new(
        id: u32,
        qman: Arc<Qman>,
        bman: Arc<Bman>,
        dma: Arc<PortDma>,
        mac: Mac,
    ) -> Result<Arc<Self>> {
        Arc::pin_init(
            try_pin_init!(Self {
                id,
                qman,
                bman,
                dma,
                mac,
                rx_state <- new_mutex!(RxState { inited: None, cfg: None }, "fman_port_rx"),
                filter <- new_spinlock_bh!(
                    FilterState { filter: MacFilter::default(), groups: [[0; 6]; MAX_GROUPS], n: 0 },
                    "fman_mac_filter"
                ),
                tx_err: AtomicU32::new(0),
                rx: DirStats::default(),
                tx: DirStats::default(),
            }? Error),
            GFP_KERNEL,
        )
    }

    /// The MAC's address.
    pub(super) fn mac_addr(&self) -> [u8; 6] {
        let mut a = [0u8; 6];
        // SAFETY: our MAC; its `addr` is six bytes, set at its probe.
        let p = unsafe { ffi::dpaa_vdpa_mac_addr(self.mac.raw()) };
        // SAFETY: as above.
        unsafe { core::ptr::copy_nonoverlapping(p, a.as_mut_ptr(), 6) };
        a
    }

    pub(crate) fn qman(&self) -> &Arc<Qman> {
        &self.qman
    }

    pub(crate) fn bman(&self) -> &Arc<Bman> {
        &self.bman
    }

    pub(crate) fn dma(&self) -> &Arc<PortDma> {
        &self.dma
    }

    /// The `bus_info` of the port's devices (ethtool).
    pub(crate) fn bus_info(&self) -> &'static CStr {
        c_str!("fman")
    }

    /// The DMA mapping counters (`maps`, `unmaps`, `map_failed`, and the
    /// `mapped` now).
    pub(crate) fn iommu_counters(&self, f: &mut dyn FnMut(&str, u64)) {
        let s = &self.dma.stats;
        f("maps", s.maps.load(Relaxed));
        f("unmaps", s.unmaps.load(Relaxed));
        f("map_failed", s.map_failed.load(Relaxed));
        f("mapped", self.dma.mapped());
    }

    /// Enables RX with `cfg` (initialising the ports the first time), or
    /// disables the ports and the MAC (`None`): once this returns no frame
    /// is being received. Process context (takes the RTNL).
    pub(crate) fn set_rx(&self, cfg: Option<PortRx>) -> Result {
        let mut st = self.rx_state.lock();
        let Some(c) = cfg else {
            // SAFETY: our MAC; process context.
            unsafe { ffi::dpaa_vdpa_mac_enable(self.mac.raw(), false) };
            st.cfg = None;
            return Ok(());
        };
        let sorted = c.pools.windows(2).all(|w| w[0].1 <= w[1].1);
        if !c.fq_count.is_power_of_two()
            || c.fqid % c.fq_count as u32 != 0
            || c.pools.is_empty()
            || c.pools.len() > MAX_PORT_POOLS
            || !sorted
            || c.pools
                .iter()
                .any(|(_, size)| *size <= RX_OFFSET as u32 || *size > u16::MAX as u32)
        {
            return Err(EINVAL);
        }
        let mut pools = KVec::with_capacity(c.pools.len(), GFP_KERNEL)?;
        for (p, size) in c.pools.iter() {
            pools.push((p.bpid(), *size), GFP_KERNEL)?;
        }
        match &st.inited {
            Some(i) => {
                if (i.fqid, i.fq_count, i.err_fqid) != (c.fqid, c.fq_count, c.err_fqid)
                    || i.pools[..] != pools[..]
                {
                    pr_err!(
                        "FMan port {}: its RX configuration is fixed at its first init\n",
                        self.id
                    );
                    return Err(EBUSY);
                }
            }
            None => {
                let mut bpids = [0u8; MAX_PORT_POOLS];
                let mut sizes = [0u16; MAX_PORT_POOLS];
                for (i, (b, s)) in pools.iter().enumerate() {
                    bpids[i] = *b;
                    sizes[i] = *s as u16;
                }
                // SAFETY: our MAC; the arrays hold `pools.len()` entries.
                kernel::error::to_result(unsafe {
                    ffi::dpaa_vdpa_mac_tx_init(self.mac.raw(), self.tx_err.load(Relaxed), 0)
                })?;
                // SAFETY: as above.
                kernel::error::to_result(unsafe {
                    ffi::dpaa_vdpa_mac_rx_init(
                        self.mac.raw(),
                        c.err_fqid,
                        c.fqid,
                        c.fqid,
                        c.fq_count as u32,
                        bpids.as_ptr(),
                        sizes.as_ptr(),
                        pools.len() as u8,
                    )
                })?;
                st.inited = Some(RxInit {
                    fqid: c.fqid,
                    fq_count: c.fq_count,
                    err_fqid: c.err_fqid,
                    pools,
                });
            }
        }
        // SAFETY: our MAC; process context.
        kernel::error::to_result(unsafe { ffi::dpaa_vdpa_mac_enable(self.mac.raw(), true) })?;
        st.cfg = Some(c);
        Ok(())
    }

    /// The MAC's promiscuous mode (`mac_device.set_promisc`).
    pub(crate) fn set_promisc(&self, on: bool) {
        let mut f = self.filter.lock();
        // SAFETY: our MAC; a register write.
        if unsafe { ffi::dpaa_vdpa_mac_set_promisc(self.mac.raw(), on) } == 0 {
            f.filter.promisc = on;
        }
    }

    /// The MAC's all-multicast mode; off clears the hash registers, as on
    /// the mEMAC, whose list of added groups stays: `groups` keeps them
    /// until `set_multi` removes them (or the MAC's list grows forever).
    pub(crate) fn set_allmulti(&self, on: bool) {
        let mut f = self.filter.lock();
        // SAFETY: our MAC; a register write.
        if unsafe { ffi::dpaa_vdpa_mac_set_allmulti(self.mac.raw(), on) } == 0 {
            f.filter.allmulti = on;
            if !on {
                f.filter.clear_hash();
            }
        }
    }

    /// The MAC's exact unicast address (`mac_device.change_addr`).
    pub(crate) fn change_addr(&self, mac: &[u8; 6]) {
        let mut f = self.filter.lock();
        // SAFETY: our MAC; six bytes.
        if unsafe { ffi::dpaa_vdpa_mac_change_addr(self.mac.raw(), mac.as_ptr()) } == 0 {
            f.filter.addr = *mac;
        }
    }

    /// The MAC's multicast hash becomes `groups` (old entries removed, new
    /// added, as `fman_set_multi()`). `Err`: one could not be added (not a
    /// group, the MAC's memory, more than the driver keeps).
    pub(crate) fn set_multi(&self, groups: &mut dyn Iterator<Item = [u8; 6]>) -> Result {
        let mut guard = self.filter.lock();
        let f = &mut *guard;
        for g in &f.groups[..f.n] {
            // SAFETY: our MAC; an address added before.
            unsafe { ffi::dpaa_vdpa_mac_hash(self.mac.raw(), g.as_ptr(), false) };
        }
        f.filter.clear_hash();
        f.n = 0;
        let mut r = Ok(());
        for g in groups {
            if f.n == MAX_GROUPS || f.filter.add_hash(&g).is_err() {
                r = Err(EINVAL);
                continue;
            }
            // SAFETY: our MAC; six bytes (the MAC allocates GFP_ATOMIC).
            if unsafe { ffi::dpaa_vdpa_mac_hash(self.mac.raw(), g.as_ptr(), true) } != 0 {
                r = Err(ENOMEM);
                continue;
            }
            f.groups[f.n] = g;
            f.n += 1;
        }
        r
    }

    /// The MAC's filter as programmed.
    pub(crate) fn mac_filter(&self) -> MacFilter {
        self.filter.lock().filter
    }

    /// The port's TX error FQ, given to the TX port at its init (with RX).
    pub(crate) fn set_tx_err(&self, fqid: Option<u32>) {
        if let Some(f) = fqid {
            self.tx_err.store(f, Relaxed);
        }
    }

    /// Makes `count` FQs the TX port transmits from, each confirming to
    /// `conf` if given (through the FQ's context, as `dpaa_fq_init()`).
    pub(crate) fn create_tx_fqs<O: TxOwner>(
        self: &Arc<Self>,
        count: usize,
        init: FqInit,
        conf: Option<Arc<dyn FrameQueue>>,
        mut owner_of: impl FnMut(usize) -> O,
    ) -> Result<FqRange<PortTx<O>>> {
        // SAFETY: our MAC; a lookup.
        let channel = unsafe { ffi::dpaa_vdpa_mac_tx_channel(self.mac.raw()) };
        let conf = conf.map_or(0, |c| c.fqid());
        let n = self.qman.nr_portals();
        self.qman.make_fqs(
            count,
            1,
            &init,
            Some((channel, conf)),
            |i| i % n,
            |_, i| PortTx { owner: owner_of(i) },
        )
    }
}

/// A TX FQ of the port: the FMan dequeues it. Software sees its frames
/// only when QMan rejects one or the FQ is drained at teardown.
pub(crate) struct PortTx<O: TxOwner> {
    owner: O,
}

impl<O: TxOwner> FqHandler for PortTx<O> {
    /// Only a volatile dequeue at teardown reaches software (which drains).
    fn dqrr(&self, fd: &QmFd, _napi: &NapiCtx) -> Dqrr {
        self.owner.not_sent(fd);
        Dqrr::Consume
    }

    fn drain(&self, fd: &QmFd) {
        self.owner.not_sent(fd);
    }

    fn ern(&self, fd: &QmFd, _why: Ern) {
        self.owner.not_sent(fd);
    }
}
