// SPDX-License-Identifier: GPL-2.0

//! The host's net_device on a port.
//!
//! While the interface is up it owns an RX FQ per portal (its classifier
//! target: flows are hashed over them; the frames come in the port's
//! buffers), a TX FQ per portal that the port consumes, a
//! TX-confirmation FQ and the congestion group of the two. All of it is
//! made in `ndo_open` and torn down in `ndo_stop`.

mod ethtool;
mod rx;
mod tx;

use crate::{
    dpaa::{Cgr, CgrRef, FqInit, FqRange, FrameQueue, PortTx, MAX_FRAME, MAX_OAL},
    ffi,
    kapi::{
        backref::BackRef,
        error::errno,
        netdev::{features, NetDev, NetDevOps, TxDone},
        skb::Skb,
    },
    switch::{Switch, HOST_MEMBER},
};
use core::{
    cell::UnsafeCell,
    sync::atomic::{
        AtomicBool, AtomicU64,
        Ordering::{Relaxed, Release},
    },
};
use dpaa_core::classify::{Key, Member, Rule, Target};
use kernel::{prelude::*, sync::Arc};

pub(crate) use ethtool::MAX_RULES;
use rx::HostRx;
use tx::{HostCgr, HostTxConf};

/// Depth (tail-drop threshold) of the host's RX FQs: below the port's
/// pools, so a stalled consumer meets tail drop before they run dry.
const RX_DEPTH: usize = 256;
/// Depth of each TX FQ, in frames (the confirmation FQ's depth is this per
/// TX FQ).
const TX_DEPTH: usize = 1024;
/// Tail drop of each TX FQ, in bytes as QMan counts: TX_DEPTH full frames
/// (never reached: the congestion group stops the queue first).
const TX_TAILDROP: u32 = TX_DEPTH as u32 * MAX_FRAME;
/// Bytes in flight (waiting in the TX FQs or for confirmation, each frame
/// counted with MAX_OAL bytes of overhead: its skb) at which the egress
/// congestion group stops the queue (and drops at the tail, as
/// `dpaa_eth`'s does); it wakes the queue once they are fewer.
const TX_CGR_BYTES: u64 = 256 * 1024;

/// Counters of the host interface.
pub(crate) struct HostStats {
    /// Frames received per RX queue (portal), through the switch or an FQ.
    pub(crate) rxq_packets: KVec<AtomicU64>,
    pub(crate) rx_packets: AtomicU64,
    pub(crate) rx_bytes: AtomicU64,
    pub(crate) rx_dropped: AtomicU64,
    pub(crate) tx_packets: AtomicU64,
    pub(crate) tx_bytes: AtomicU64,
    pub(crate) tx_dropped: AtomicU64,
    /// Entries of the TX congestion group into congestion, and exits.
    pub(crate) tx_cgr_entries: AtomicU64,
    pub(crate) tx_cgr_exits: AtomicU64,
}

impl HostStats {
    fn new(queues: usize) -> Result<Self> {
        let mut rxq_packets = KVec::with_capacity(queues, GFP_KERNEL)?;
        for _ in 0..queues {
            rxq_packets.push(AtomicU64::new(0), GFP_KERNEL)?;
        }
        Ok(Self {
            rxq_packets,
            rx_packets: AtomicU64::new(0),
            rx_bytes: AtomicU64::new(0),
            rx_dropped: AtomicU64::new(0),
            tx_packets: AtomicU64::new(0),
            tx_bytes: AtomicU64::new(0),
            tx_dropped: AtomicU64::new(0),
            tx_cgr_entries: AtomicU64::new(0),
            tx_cgr_exits: AtomicU64::new(0),
        })
    }
}

/// What exists while the interface is up. Fields drop in order: TX first
/// (its frames hold skbs the confirmation frees), then the confirmation,
/// then RX (its frames' buffers go back to the port's pools).
struct Running {
    tx: FqRange<PortTx<HostTxConf>>,
    conf: FqRange<HostTxConf>,
    /// The egress congestion group of the TX and confirmation FQs (they
    /// hold it too); it goes after them, as QMan deletes a group only
    /// once its FQs are out of service.
    cgr: Arc<Cgr<HostCgr>>,
    rx: FqRange<HostRx>,
}

/// A cell changed only under RTNL, while no datapath user can see it.
///
/// # Invariants
///
/// Written only by `ndo_open`/`ndo_stop`/ethtool, all under
/// RTNL, and only while no datapath reader runs or can start: `start()`
/// stores the running state before the switch may call the host's receive
/// path, before the classifier targets its FQs and before the queue
/// starts; `halt()` takes it out only after the TX queue is disabled (no
/// `ndo_start_xmit` in progress), the switch no longer calls the receive
/// path (a grace period) and every FQ is retired (no handler in progress,
/// none to come).
struct RtnlCell<T>(UnsafeCell<T>);

// SAFETY: see the type invariant: writers are serialised by RTNL and never
// concurrent with readers.
unsafe impl<T: Send + Sync> Sync for RtnlCell<T> {}

impl<T> RtnlCell<T> {
    /// # Safety
    ///
    /// Under RTNL, or a datapath reader (which runs only while no writer
    /// can, per the type invariant).
    unsafe fn get(&self) -> &T {
        // SAFETY: the caller's guarantee: no writer runs meanwhile.
        unsafe { &*self.0.get() }
    }

    /// # Safety
    ///
    /// Under RTNL, with no datapath reader running or able to start (see
    /// the type invariant), and no other reference from `get` alive.
    #[allow(clippy::mut_from_ref)]
    unsafe fn get_mut(&self) -> &mut T {
        // SAFETY: the caller's guarantee: this is the only access.
        unsafe { &mut *self.0.get() }
    }
}

/// The host interface's state, in its net_device's private area.
pub(crate) struct HostIf {
    sw: Arc<Switch>,
    dev: *mut ffi::net_device,
    rt: RtnlCell<Option<Running>>,
    /// Set once the running state is in place and the queue may start;
    /// cleared first thing in `halt()`, so a TX confirmation never wakes
    /// the queue of an interface going down.
    up: AtomicBool,
    /// ntuple rules by location: (key, RX queue index).
    rules: RtnlCell<[Option<(Key, u16)>; MAX_RULES]>,
    pub(crate) stats: HostStats,
}

// SAFETY: `dev` is the net_device this state lives in; the rest is Sync.
unsafe impl Send for HostIf {}
// SAFETY: as above.
unsafe impl Sync for HostIf {}

impl HostIf {
    /// The host interface of a port; its MAC (set on `dev`) becomes the
    /// host's on the port.
    pub(crate) fn new(sw: Arc<Switch>, dev: &NetDev) -> Result<Self> {
        dev.configure(features::NTUPLE, features::NTUPLE, 68, MAX_FRAME - 22, 128);
        sw.with_classifier(|c| c.claim(dev.mac(), HOST_MEMBER))
            .map_err(|_| errno(ffi::EADDRINUSE))?;
        let stats = HostStats::new(sw.fman().qman().nr_portals())?;
        Ok(Self {
            sw,
            dev: dev.as_raw(),
            rt: RtnlCell(UnsafeCell::new(None)),
            up: AtomicBool::new(false),
            rules: RtnlCell(UnsafeCell::new([None; MAX_RULES])),
            stats,
        })
    }

    fn dev(&self) -> &NetDev {
        // SAFETY: the net_device whose private area holds `self`.
        unsafe { NetDev::from_raw(self.dev) }
    }

    /// The running resources, from the datapath while up.
    fn running(&self) -> Option<&Running> {
        // SAFETY: datapath readers run only while up (RtnlCell invariant).
        unsafe { self.rt.get().as_ref() }
    }

    fn target(rt: &Running) -> Target {
        Target {
            fqid: rt.rx.base(),
            fq_count: rt.rx.len() as u16,
            member: HOST_MEMBER,
        }
    }

    fn start(&self) -> Result {
        let dev = self.dev();
        let fman = self.sw.fman();
        let n = fman.qman().nr_portals();
        // SAFETY: `self` lives in its net_device's private area (it does not
        // move), and `halt()`, which runs before the net_device goes (stop
        // or unregister), drops every FQ and the group holding this first.
        let this = unsafe { BackRef::new(self) };
        let rx = fman.qman().create_fqs(
            n,
            FqInit::frames(RX_DEPTH),
            |i| i,
            |_, queue| HostRx {
                host: this,
                sw: self.sw.clone(),
                queue,
            },
        )?;
        // One egress group for the TX FQs and the confirmation FQ, as
        // dpaa_eth has: it bounds what is in flight until confirmed, and
        // counts an skb's cost with every frame (OAL).
        let cgr = fman
            .qman()
            .create_cgr(TX_CGR_BYTES, true, HostCgr { host: this })?;
        let members: CgrRef = cgr.clone();
        let conf = fman.qman().create_fqs(
            1,
            FqInit::frames(TX_DEPTH * n).cgr(members.clone(), MAX_OAL),
            |_| 0,
            |_, _| HostTxConf { host: this },
        )?;
        let conf_fq: Arc<dyn FrameQueue> = conf.get(0).clone();
        let tx = fman.create_tx_fqs(
            n,
            FqInit::bytes(TX_TAILDROP).cgr(members, MAX_OAL),
            Some(conf_fq),
            |_| HostTxConf { host: this },
        )?;
        let rt = Running { tx, conf, cgr, rx };
        let target = Self::target(&rt);
        // SAFETY: under RTNL; no datapath reader yet: the classifier does
        // not target these FQs and the queue is stopped.
        unsafe { *self.rt.get_mut() = Some(rt) };
        // Frames from the wire, straight from the switch (it calls this
        // only for the host's default target, set below).
        let direct = Arc::new(
            HostRx {
                host: this,
                sw: self.sw.clone(),
                queue: 0,
            },
            GFP_KERNEL,
        )?;
        self.sw.set_host_rx(Some(direct))?;
        let mac = dev.mac();
        self.sw.with_classifier(|c| -> Result {
            c.set_member(
                HOST_MEMBER,
                Member {
                    target,
                    ..Default::default()
                },
            )
            .map_err(|_| EINVAL)?;
            c.set_default(Some(target));
            c.insert(Rule {
                key: Key::Mac(mac),
                target,
                prio: 0,
            })
            .map_err(|_| EEXIST)
        })?;
        // SAFETY: under RTNL.
        for (key, q) in unsafe { self.rules.get() }.iter().flatten() {
            // Re-installs rules kept across a down/up; ignore conflicts.
            let _ = self.install_rule(key, *q);
        }
        self.up.store(true, Release);
        dev.carrier_on();
        // Wake, not start: after a down/up the qdisc may hold frames sent
        // while the queue was disabled, and needs rescheduling.
        dev.wake_queue();
        Ok(())
    }

    /// Quiesces the datapath, then tears the running state down (for
    /// `ndo_stop`, or a failed `ndo_open`): xmit may run on another CPU
    /// and the FQ handlers on every portal until quiesced.
    fn halt(&self) {
        let dev = self.dev();
        self.up.store(false, Release);
        dev.tx_disable();
        dev.carrier_off();
        let mac = dev.mac();
        self.sw.with_classifier(|c| {
            let _ = c.remove_owned(&Key::Mac(mac), HOST_MEMBER);
            c.set_default(None);
            c.remove_member(HOST_MEMBER);
        });
        // SAFETY: under RTNL.
        for (key, _) in unsafe { self.rules.get() }.iter().flatten() {
            // Only those that are ours (one may have failed to install).
            self.sw.with_classifier(|c| {
                let _ = c.remove_owned(key, HOST_MEMBER);
            });
        }
        // A frame routed to us before the rules went may still be on its
        // way to our FQs (the switch delivers outside the classifier's
        // lock, in BH context): wait it out, or it could land in a new FQ
        // that reuses the FQID; and no frame is being received straight
        // from the switch once this returns.
        let _ = self.sw.set_host_rx(None);
        if let Some(rt) = self.running() {
            // No handler in progress or to come once retired; TX first:
            // its drain confirms (and frees) the skbs it held.
            rt.tx.retire();
            rt.conf.retire();
            rt.rx.retire();
        }
        // The skbs our receive path gave the portals' GRO reach the stack
        // before the interface can be unregistered.
        self.sw.fman().qman().sync_portals();
        // A confirmation that read `up` before it was cleared may have
        // woken the queue since: wait out the xmit that let in.
        dev.tx_disable();
        // SAFETY: under RTNL; no xmit runs or can start (the queue is
        // disabled and only `start()` starts it) and no FQ handler runs
        // (all retired).
        let rt = unsafe { self.rt.get_mut().take() };
        drop(rt);
    }

    /// Adds the classifier rule of an ntuple rule (while up).
    fn install_rule(&self, key: &Key, queue: u16) -> Result {
        let rt = self.running().ok_or(errno(ffi::ENETDOWN))?;
        if queue as usize >= rt.rx.len() {
            return Err(EINVAL);
        }
        let target = Target {
            fqid: rt.rx.base() + queue as u32,
            fq_count: 1,
            ..Self::target(rt)
        };
        self.sw
            .with_classifier(|c| {
                c.insert(Rule {
                    key: *key,
                    target,
                    prio: 1,
                })
            })
            .map_err(|_| EEXIST)
    }
}

#[vtable]
impl NetDevOps for HostIf {
    fn open(&self, _dev: &NetDev) -> Result {
        let r = self.start();
        if r.is_err() {
            self.halt();
        }
        r
    }

    fn stop(&self, _dev: &NetDev) -> Result {
        self.halt();
        Ok(())
    }

    fn start_xmit(&self, dev: &NetDev, skb: Skb) -> TxDone {
        self.xmit(dev, skb);
        TxDone
    }

    fn get_stats64(&self, _dev: &NetDev, st: &mut ffi::rtnl_link_stats64) {
        let s = &self.stats;
        st.rx_packets = s.rx_packets.load(Relaxed);
        st.rx_bytes = s.rx_bytes.load(Relaxed);
        st.rx_dropped = s.rx_dropped.load(Relaxed);
        st.tx_packets = s.tx_packets.load(Relaxed);
        st.tx_bytes = s.tx_bytes.load(Relaxed);
        st.tx_dropped = s.tx_dropped.load(Relaxed);
    }

    fn set_mac_address(&self, dev: &NetDev, mac: &[u8; 6]) -> Result {
        let old = dev.mac();
        if *mac == old {
            return Ok(());
        }
        let running = self.running().map(Self::target);
        // One classifier section: the MAC must be free on the port (another
        // entity may own it without a rule installed right now); the rule
        // moves while up; on failure nothing changed.
        self.sw.with_classifier(|c| {
            c.claim(*mac, HOST_MEMBER)
                .map_err(|_| errno(ffi::EADDRINUSE))?;
            if let Some(target) = running {
                let r = c.insert(Rule {
                    key: Key::Mac(*mac),
                    target,
                    prio: 0,
                });
                if r.is_err() {
                    c.release(*mac, HOST_MEMBER);
                    return Err(errno(ffi::EADDRINUSE));
                }
                let _ = c.remove_owned(&Key::Mac(old), HOST_MEMBER);
            }
            c.release(old, HOST_MEMBER);
            Ok(())
        })
    }

    fn get_drvinfo(&self, dev: &NetDev, info: &mut ffi::ethtool_drvinfo) {
        ethtool::drvinfo(self, dev, info)
    }

    fn stats_count(&self, _dev: &NetDev) -> u32 {
        ethtool::stats_count(self)
    }

    fn stats_strings(&self, _dev: &NetDev, out: &mut [u8]) {
        ethtool::stats_strings(self, out)
    }

    fn stats_values(&self, _dev: &NetDev, out: &mut [u64]) {
        ethtool::stats_values(self, out)
    }

    fn get_rxnfc(&self, _dev: &NetDev, cmd: &mut ffi::ethtool_rxnfc, locs: &mut [u32]) -> Result {
        ethtool::get_rxnfc(self, cmd, locs)
    }

    fn set_rxnfc(&self, _dev: &NetDev, cmd: &mut ffi::ethtool_rxnfc) -> Result {
        ethtool::set_rxnfc(self, cmd)
    }
}
