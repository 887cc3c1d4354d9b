// SPDX-License-Identifier: GPL-2.0

//! The port's switch: what the FMan of the mainline drivers cannot do,
//! done by the driver above the backend, the same on the model and on a
//! board.
//!
//! The port receives every frame from the wire into one of its pools and
//! hashes it over the switch's RX FQs (one per portal). The switch, on the
//! portal that dequeued the frame, parses and classifies it (exact match on
//! MAC, MAC+VLAN, IP, ntuple; group replication) and hands it to its local
//! targets by enqueueing an FD on the target's RX FQ: the last target gets
//! the port's buffer itself, the others copies in buffers of the same
//! pools. A local entity's frame (host netdev, vDPA device) comes to the
//! switch before it is transmitted: anti-spoof, then local delivery, and
//! to the wire (the sender's TX FQ, which the port consumes) if no rule
//! claims it or it is a group frame.
//!
//! Copies: a frame from the wire reaches the host in the port's buffer (no
//! copy: the skb is built around it) and a vDPA device by one copy, into
//! its virtio buffer. A device's frame is copied once, from its virtio
//! buffers into a port buffer, where anti-spoof, classification and the
//! port's transmission all see the same bytes. A host frame goes to the
//! wire in its skb (no copy). A frame switched locally to a vDPA device is
//! copied into a port buffer first (a second copy): the price of every
//! ring being written only by its own portal, and of the FD shape an FMan
//! that can classify (NXP SDK PCD) would deliver in, which would let the
//! switch install its rules in hardware and see only local traffic.

pub(crate) mod bufs;

use crate::{
    dpaa::{
        DirStats, Dqrr, DropReason, Ern, FmanPort, FqHandler, FqInit, FqRange, PortRx, DROP_NAMES,
        MAX_FRAME, NO_BPID,
    },
    kapi::{
        napi::NapiCtx,
        rcu::{self, RcuArc},
        skb::Skb,
        sync::{new_spinlock_bh, SpinLockBh},
    },
};
use bufs::PortBufs;
use core::sync::atomic::Ordering::Relaxed;
use dpaa_core::{
    classify::{Classifier, Target, MAX_MEMBERS},
    fd::{status, QmFd},
    hash::{flow_hash, pick, HashConfig},
    macfilter::MacFilter,
    parse::{parse, Parsed},
};
use kernel::{prelude::*, sync::Arc};

/// Rule table capacity of a port's classifier (per key kind).
pub(crate) const CLASSIFIER_SLOTS: usize = 256;
/// The host netdev's member number on its port.
pub(crate) const HOST_MEMBER: u8 = 0;
/// The member number that owns the link partner's MAC (it receives nothing
/// through the classifier: frames for it go out on the wire).
pub(crate) const WIRE_MEMBER: u8 = MAX_MEMBERS as u8 - 1;
/// Frames each of the switch's RX FQs holds before the port drops.
const RX_DEPTH: usize = 512;
/// Depth of the port's error FQs: more than the port's pools hold
/// buffers and the host has frames in flight, so it never tail-drops (the
/// FMan's enqueues have no rejection message: a dropped one is lost).
const ERR_DEPTH: usize = 4096;
/// FD status of a frame the switch delivers from a local entity (its TX
/// direction), not from the wire: how a rejection is counted.
const FROM_LOCAL: u32 = 1 << 16;

/// The local targets of a frame (at most one per member, plus the unicast
/// target), on the stack: no allocation per frame.
struct Route {
    targets: [Target; MAX_MEMBERS + 1],
    n: usize,
    /// A rule matched (the unicast target is not just the default).
    matched: bool,
}

impl Route {
    const NONE: Self = Self {
        targets: [Target {
            fqid: 0,
            fq_count: 0,
            member: 0,
        }; MAX_MEMBERS + 1],
        n: 0,
        matched: false,
    };

    fn targets(&self) -> &[Target] {
        &self.targets[..self.n]
    }
}

/// The host's receive path, which the switch calls on the portal that
/// dequeued a frame from the wire (as `dpaa_eth` receives on the portal of
/// the port's RX FQ): frames the flow hash spreads (the host's default
/// target) need no FQ of the host's, and cost no second enqueue and
/// dequeue. Frames a rule steers to one of the host's RX FQs, and frames
/// from local entities, still go through its FQs.
pub(crate) trait HostReceive: Send + Sync {
    /// `fd`: a frame in a port buffer, now the receiver's; `queue`: the
    /// index of the portal it was dequeued on (the host's RX queue).
    fn receive(&self, fd: &QmFd, queue: usize, napi: &NapiCtx);
    /// A frame the host transmitted (an skb, `NO_BPID`) that the port
    /// could not send, from the port's TX error FQ: counted and freed.
    fn tx_error(&self, fd: &QmFd);
}

/// The switch of a port, shared by everything on it.
#[pin_data]
pub(crate) struct Switch {
    fman: Arc<FmanPort>,
    bufs: PortBufs,
    #[pin]
    classifier: SpinLockBh<KBox<Classifier<CLASSIFIER_SLOTS>>>,
    /// The host's receive path while it is up.
    host_rx: RcuArc<dyn HostReceive>,
    hash: HashConfig,
    /// Frames from the wire.
    rx: DirStats,
    /// Frames from local entities.
    tx: DirStats,
}

/// The switch's RX FQs: where the port puts what it receives.
struct SwitchRx {
    sw: Arc<Switch>,
    /// The portal this FQ is dequeued on.
    portal: usize,
}

impl FqHandler for SwitchRx {
    fn dqrr(&self, fd: &QmFd, napi: &NapiCtx) -> Dqrr {
        // The port sends error frames to the error FQ; one here anyway is
        // not delivered.
        if fd.status() & status::RX_ERRORS != 0 {
            self.sw.rx_error(fd);
        } else {
            self.sw.wire_frame(fd, self.portal, napi);
        }
        Dqrr::Consume
    }

    /// Received, never switched.
    fn drain(&self, fd: &QmFd) {
        // SAFETY: drained from our FQ: ours.
        unsafe { self.sw.bufs.release_fd(fd) };
    }

    /// Only the port enqueues here, and it handles its rejections itself.
    fn ern(&self, fd: &QmFd, _why: Ern) {
        self.drain(fd);
    }
}

/// The port's RX error FQ: frames the port received with an error (too
/// long for the MAC, a DMA error), counted and released.
struct SwitchErr {
    sw: Arc<Switch>,
}

impl FqHandler for SwitchErr {
    fn dqrr(&self, fd: &QmFd, _napi: &NapiCtx) -> Dqrr {
        self.sw.rx_error(fd);
        Dqrr::Consume
    }

    fn drain(&self, fd: &QmFd) {
        // SAFETY: drained from our FQ: ours.
        unsafe { self.sw.bufs.release_fd(fd) };
    }

    /// Only the port enqueues here; a rejection is its own.
    fn ern(&self, fd: &QmFd, _why: Ern) {
        self.drain(fd);
    }
}

/// The port's TX error FQ: frames the port could not transmit, counted
/// by the port. A vDPA device's (in a port buffer) goes back to its pool;
/// the host's (its skb) to the host, or, once the host is down, freed
/// here: a frame can still come out of the port after the host retired
/// its TX FQs.
struct SwitchTxErr {
    sw: Arc<Switch>,
}

impl FqHandler for SwitchTxErr {
    fn dqrr(&self, fd: &QmFd, _napi: &NapiCtx) -> Dqrr {
        self.drain(fd);
        Dqrr::Consume
    }

    fn drain(&self, fd: &QmFd) {
        let sw = &self.sw;
        if fd.bpid() != NO_BPID {
            // SAFETY: the port hands a failed frame to us once: ours (a
            // frame that is not in one of the port's buffers is logged,
            // not freed).
            unsafe { sw.bufs.release_fd(fd) };
            return;
        }
        let g = rcu::read_lock();
        if let Some(h) = sw.host_rx.get(&g) {
            h.tx_error(fd);
            return;
        }
        drop(g);
        // SAFETY: only the host sends no-BPID frames, each an skb stashed
        // through the port's device (`hostif::tx`) with the FD's offset and
        // length; the port handed it back once and is done with it.
        let skb = unsafe { Skb::from_stash(&**sw.fman.dma(), fd.addr(), fd.offset(), fd.length()) };
        skb.consume(None);
    }

    fn ern(&self, fd: &QmFd, _why: Ern) {
        self.drain(fd);
    }
}

/// A port's switch as the port owns it: with its RX FQs, RX error FQ and
/// TX error FQ, which the port uses while this lives.
pub(crate) struct PortSwitch {
    sw: Arc<Switch>,
    rx: FqRange<SwitchRx>,
    err: FqRange<SwitchErr>,
    tx_err: FqRange<SwitchTxErr>,
}

impl PortSwitch {
    /// The switch of `fman`'s port; `peer` is the link partner's MAC, if
    /// known (nobody on the port may take it).
    pub(crate) fn new(fman: Arc<FmanPort>, peer: Option<[u8; 6]>) -> Result<Self> {
        let bufs = PortBufs::new(&fman)?;
        // Zeroed memory is an empty classifier (dpaa_core guarantees it); it
        // is too big for the stack.
        let cls = KBox::<Classifier<CLASSIFIER_SLOTS>>::new_uninit(GFP_KERNEL | __GFP_ZERO)?;
        // SAFETY: zero-filled, which is a valid empty classifier.
        let mut cls = unsafe { cls.assume_init() };
        if let Some(mac) = peer {
            cls.claim(mac, WIRE_MEMBER).map_err(|_| EINVAL)?;
        }
        let sw = Arc::pin_init(
            try_pin_init!(Switch {
                fman,
                bufs,
                classifier <- new_spinlock_bh!(cls, "dpaa_switch"),
                host_rx: RcuArc::new(),
                hash: HashConfig::default(),
                rx: DirStats::default(),
                tx: DirStats::default(),
            }? Error),
            GFP_KERNEL,
        )?;
        // KeyGen hashes over a power-of-two range: one FQ per portal, as
        // many portals as that allows.
        let fman = &sw.fman;
        let n = fman.qman().nr_portals();
        let n = 1usize << (usize::BITS - 1 - n.leading_zeros());
        let rx = fman.qman().create_fqs_aligned(
            n,
            n,
            FqInit::frames(RX_DEPTH),
            |i| i,
            |_, i| SwitchRx {
                sw: sw.clone(),
                portal: i,
            },
        )?;
        let err = fman.qman().create_fqs(
            1,
            FqInit::frames(ERR_DEPTH),
            |_| 0,
            |_, _| SwitchErr { sw: sw.clone() },
        )?;
        let tx_err = fman.qman().create_fqs(
            1,
            FqInit::frames(ERR_DEPTH),
            |_| 0,
            |_, _| SwitchTxErr { sw: sw.clone() },
        )?;
        let pools = sw.bufs.rx_pools()?;
        let ps = Self {
            sw,
            rx,
            err,
            tx_err,
        };
        // From here on, a failure is undone by `drop`.
        let fman = &ps.sw.fman;
        fman.set_tx_err(Some(ps.tx_err.base()));
        // Nothing to receive but broadcast until an entity comes.
        ps.sw.with_classifier(|_| ());
        fman.set_rx(Some(PortRx {
            fqid: ps.rx.base(),
            fq_count: n as u16,
            err_fqid: ps.err.base(),
            pools,
        }))?;
        Ok(ps)
    }

    pub(crate) fn switch(&self) -> &Arc<Switch> {
        &self.sw
    }
}

impl Drop for PortSwitch {
    fn drop(&mut self) {
        // The port stops receiving before its FQs and pools go.
        let _ = self.sw.fman.set_rx(None);
        self.rx.retire();
        self.err.retire();
        // Every TX FQ went with its owner, before the switch.
        self.sw.fman.set_tx_err(None);
        self.tx_err.retire();
    }
}

impl Switch {
    pub(crate) fn fman(&self) -> &Arc<FmanPort> {
        &self.fman
    }

    pub(crate) fn bufs(&self) -> &PortBufs {
        &self.bufs
    }

    /// Runs `f` on the classifier (configuration: rules, members), then
    /// sets the port's MAC filter to what the classifier needs to see
    /// (under the classifier's lock: two changes program it in order).
    pub(crate) fn with_classifier<R>(
        &self,
        f: impl FnOnce(&mut Classifier<CLASSIFIER_SLOTS>) -> R,
    ) -> R {
        let mut c = self.classifier.lock();
        let r = f(&mut c);
        let want = c.port_filter(WIRE_MEMBER);
        self.program_mac(&want, &mut c.groups().copied());
        r
    }

    /// Sets the port's MAC to `want`, calling only the ops whose setting
    /// changes. Promiscuous on first and off last, so that no frame the
    /// classifier wants is refused in between; the exact address only
    /// when it is used (the MAC sends its pause frames from it: it is not
    /// zeroed); the hash again after all-multicast goes off (which clears
    /// it, as the mEMAC's `set_allmulti(false)` does); a hash that cannot
    /// be set leaves the port all-multicast.
    fn program_mac(&self, want: &MacFilter, groups: &mut dyn Iterator<Item = [u8; 6]>) {
        let fman = &self.fman;
        let have = fman.mac_filter();
        if want.promisc && !have.promisc {
            fman.set_promisc(true);
        }
        if !want.promisc && want.addr != have.addr {
            fman.change_addr(&want.addr);
        }
        let hash_off = have.allmulti && !want.allmulti;
        if want.allmulti && !have.allmulti {
            fman.set_allmulti(true);
        }
        if hash_off {
            // Clears the hash too (a moment without the groups, as
            // `dpaa_eth` has): added again below.
            fman.set_allmulti(false);
        }
        if (hash_off || !want.same_hash(&have)) && fman.set_multi(groups).is_err() {
            fman.set_allmulti(true);
        }
        if !want.promisc && have.promisc {
            fman.set_promisc(false);
        }
    }

    /// A frame from the port's RX error FQ (or with error bits on an RX
    /// FQ): counted by its FD status, its buffer released.
    fn rx_error(&self, fd: &QmFd) {
        let st = fd.status();
        self.rx.drop(if st & status::ERR_SIZE != 0 {
            DropReason::TooLong
        } else if st & status::ERR_DMA != 0 {
            DropReason::DmaFault
        } else {
            DropReason::BadFd
        });
        // SAFETY: dequeued from our FQ: ours.
        unsafe { self.bufs.release_fd(fd) };
    }

    /// Sets (or, with `None`, removes) the host's receive path; returns
    /// once no frame is being delivered through the old one (process
    /// context).
    pub(crate) fn set_host_rx(&self, rx: Option<Arc<dyn HostReceive>>) -> Result {
        self.host_rx.replace(rx).map(drop)
    }

    fn stats(&self, local: bool) -> &DirStats {
        if local {
            &self.tx
        } else {
            &self.rx
        }
    }

    /// Where a parsed frame goes: the unicast target (a rule's, or the
    /// default for frames from the wire), then one target per member
    /// getting a copy; never back to `from`, the sender. A frame from a
    /// member only goes to a local target a rule names.
    fn route_in(c: &Classifier<CLASSIFIER_SLOTS>, p: &Parsed, from: Option<u8>) -> Route {
        let v = if from.is_some() {
            c.lookup_local(p)
        } else {
            c.lookup(p)
        };
        let mut r = Route {
            matched: v.matched,
            ..Route::NONE
        };
        let mut add = |t: Target| {
            if Some(t.member) != from {
                r.targets[r.n] = t;
                r.n += 1;
            }
        };
        if let Some(t) = v.target.filter(|_| v.matched || from.is_none()) {
            add(t);
        }
        for m in v.copies.iter() {
            if let Some(mb) = c.member(m) {
                add(mb.target);
            }
        }
        r
    }

    /// A frame the port received, dequeued from one of the switch's RX FQs
    /// on `portal`.
    fn wire_frame(&self, fd: &QmFd, portal: usize, napi: &NapiCtx) {
        let s = &self.rx;
        // One read-side section from the lookup to the delivery: the host
        // that `halt()`s after it removed its target from the classifier
        // waits out a frame that saw the target.
        let g = rcu::read_lock();
        // SAFETY: dequeued, so ours; the closure only copies the frame, the
        // buffer is given on or released after it returns.
        let r = unsafe {
            self.bufs.with_frame(fd, |frame| -> Result<_, DropReason> {
                let p = parse(frame).map_err(|_| DropReason::Parse)?;
                let (r, host) = {
                    let c = self.classifier.lock();
                    let host = c.member(HOST_MEMBER).map(|m| m.target);
                    (Self::route_in(&c, &p, None), host)
                };
                let (last, others) = r.targets().split_last().ok_or(DropReason::NoTarget)?;
                let hash = flow_hash(&self.hash, &p);
                // The last target gets the frame's own buffer.
                s.copies.fetch_add(others.len() as u64, Relaxed);
                self.copy_to(frame, others, hash, false);
                Ok((*last, hash, host == Some(*last)))
            })
        };
        match r {
            // The last target gets the port's buffer itself; the host's
            // default target, here and now.
            Some(Ok((last, hash, host))) => {
                if host {
                    if let Some(h) = self.host_rx.get(&g) {
                        s.delivered.fetch_add(1, Relaxed);
                        h.receive(fd, portal, napi);
                        return;
                    }
                }
                self.hand_on(*fd, &last, hash, false)
            }
            Some(Err(why)) => {
                s.drop(why);
                // SAFETY: ours (dequeued), not given on.
                unsafe { self.bufs.release_fd(fd) };
            }
            None => {
                s.drop(DropReason::BadFd);
                // SAFETY: as above (an FD that is not a frame in one of the
                // port's buffers is logged and not released).
                unsafe { self.bufs.release_fd(fd) };
            }
        }
    }

    /// Hands copies of `frame` to `targets`, each on the FQ of its range
    /// the flow hashes to. Frames from the wire, or from a local entity
    /// (`local`).
    fn copy_to(&self, frame: &[u8], targets: &[Target], hash: u32, local: bool) {
        let s = self.stats(local);
        for t in targets {
            match self.copy(frame) {
                Some(c) => self.hand_on(c, t, hash, local),
                None => s.drop(DropReason::NoBuffer),
            }
        }
    }

    /// Enqueues `fd`, a frame in a port buffer that is ours, on `t`'s FQ
    /// the flow hashes to; the buffer is the target's, or back in its pool.
    fn hand_on(&self, mut fd: QmFd, t: &Target, hash: u32, local: bool) {
        let s = self.stats(local);
        fd.set_status(if local { FROM_LOCAL } else { 0 });
        let fqid = t.fqid + pick(hash, t.fq_count.max(1)) as u32;
        match self.fman.qman().enqueue_fqid(fqid, fd) {
            Ok(()) => {
                s.delivered.fetch_add(1, Relaxed);
            }
            Err(_) => {
                // SAFETY: not taken, so still ours.
                unsafe { self.bufs.release_fd(&fd) };
                s.drop(DropReason::Enqueue);
            }
        }
    }

    /// A copy of `frame` in a buffer of the port's pools.
    fn copy(&self, frame: &[u8]) -> Option<QmFd> {
        let buf = self.bufs.acquire(frame.len() as u32)?;
        self.bufs
            .fill(buf, frame.len() as u32, |dst| {
                dst.copy_from_slice(frame);
                Ok::<(), ()>(())
            })
            .ok()
    }

    /// A frame the host transmits (its skb's bytes): delivered (copied) to
    /// the local entities it is for; returns whether it also goes to the
    /// wire.
    pub(crate) fn host_frame(&self, frame: &[u8]) -> bool {
        let s = &self.tx;
        if !(14..=MAX_FRAME as usize).contains(&frame.len()) {
            s.drop(DropReason::BadFd);
            return false;
        }
        s.frames.fetch_add(1, Relaxed);
        s.bytes.fetch_add(frame.len() as u64, Relaxed);
        // The parser does not stop transmission: unparsable frames go out.
        let Ok(p) = parse(frame) else {
            return true;
        };
        let r = Self::route_in(&self.classifier.lock(), &p, Some(HOST_MEMBER));
        let hash = flow_hash(&self.hash, &p);
        let wire = !r.matched || frame[0] & 1 != 0;
        // The skb itself goes to the wire; if it does not, one copy stands
        // for it and only the others are extra.
        let extra = r.targets().len().saturating_sub(usize::from(!wire));
        s.copies.fetch_add(extra as u64, Relaxed);
        self.copy_to(frame, r.targets(), hash, true);
        wire
    }

    /// A frame member `from` transmits, in a port buffer (`fd`, which the
    /// sender filled: the bytes every check here reads are the bytes that
    /// go on). With `spoofchk`, its source MAC must be one `from` owns.
    /// Returns the FD to transmit on the sender's TX FQ, if the frame goes
    /// to the wire; `Ok(None)`: delivered locally, the buffer given on; on
    /// `Err` the buffer is still the caller's.
    pub(crate) fn member_frame(
        &self,
        fd: QmFd,
        from: u8,
        spoofchk: bool,
    ) -> core::result::Result<Option<QmFd>, DropReason> {
        let s = &self.tx;
        // SAFETY: the caller's buffer, not given on: the closure only copies
        // the frame, the buffer is handed on after it returns.
        let r = unsafe {
            self.bufs.with_frame(&fd, |frame| {
                if !(14..=MAX_FRAME as usize).contains(&frame.len()) {
                    return Err(DropReason::BadFd);
                }
                let src: [u8; 6] = frame[6..12].try_into().unwrap_or_default();
                // The parser does not stop transmission: unparsable frames
                // go out.
                let parsed = parse(frame).ok();
                let r = {
                    let c = self.classifier.lock();
                    if spoofchk && c.owner(&src) != Some(from) {
                        return Err(DropReason::Spoofed);
                    }
                    match &parsed {
                        Some(p) => Self::route_in(&c, p, Some(from)),
                        None => Route::NONE,
                    }
                };
                // Unknown unicast and group frames go out on the wire (in
                // this buffer), the rest to the last local target (in this
                // buffer); a unicast frame whose only target was the sender
                // itself goes nowhere.
                let wire = !r.matched || frame[0] & 1 != 0;
                let hash = parsed.as_ref().map_or(0, |p| flow_hash(&self.hash, p));
                let (copies, last) = match (wire, r.targets().split_last()) {
                    (true, _) => (r.targets(), None),
                    (false, Some((last, others))) => (others, Some(*last)),
                    (false, None) => return Err(DropReason::NoTarget),
                };
                s.frames.fetch_add(1, Relaxed);
                s.bytes.fetch_add(frame.len() as u64, Relaxed);
                // The frame's own buffer goes to the wire or to `last`.
                s.copies.fetch_add(copies.len() as u64, Relaxed);
                self.copy_to(frame, copies, hash, true);
                Ok((last, hash))
            })
        };
        match r.unwrap_or(Err(DropReason::BadFd)) {
            Ok((None, _)) => Ok(Some(fd)),
            Ok((Some(last), hash)) => {
                self.hand_on(fd, &last, hash, true);
                Ok(None)
            }
            Err(why) => {
                s.drop(why);
                Err(why)
            }
        }
    }

    /// A frame the switch delivered was rejected by QMan (its target's
    /// `cb.ern`): not delivered after all; its buffer goes back.
    ///
    /// # Safety
    ///
    /// `fd` is such a frame, handed back once (its buffer not used after).
    pub(crate) unsafe fn rejected(&self, fd: &QmFd, why: Ern) {
        let s = self.stats(fd.status() & FROM_LOCAL != 0);
        let _ = s
            .delivered
            .fetch_update(Relaxed, Relaxed, |n| n.checked_sub(1));
        s.drop(if matches!(why, Ern::TailDrop | Ern::CgrTailDrop) {
            DropReason::TailDrop
        } else {
            DropReason::Enqueue
        });
        // SAFETY: a rejected frame is its enqueuer's again: ours.
        unsafe { self.bufs.release_fd(fd) };
    }

    /// Calls `f(dir, name, value)` for every counter of the port and its
    /// switch, always in the same order: direction `"rx"` (from the wire:
    /// frames and bytes the port received), then `"tx"` (from local
    /// entities: what the switch was given), each with `frames`, `bytes`,
    /// `delivered` (copies handed to local entities), `copies` (made of
    /// group frames beyond the frame itself), `to_wire` (what the
    /// port transmitted), then `drop_<reason>` for every [`DropReason`]
    /// (the port's and the switch's); then the port's IOMMU (`"iommu"`).
    pub(crate) fn counters(&self, f: &mut dyn FnMut(&str, &str, u64)) {
        let port: &FmanPort = &self.fman;
        for (dir, hw, sw) in [("rx", &port.rx, &self.rx), ("tx", &port.tx, &self.tx)] {
            let src = if dir == "rx" { hw } else { sw };
            f(dir, "frames", src.frames.load(Relaxed));
            f(dir, "bytes", src.bytes.load(Relaxed));
            f(dir, "delivered", sw.delivered.load(Relaxed));
            f(dir, "copies", sw.copies.load(Relaxed));
            f(dir, "to_wire", hw.to_wire.load(Relaxed));
            for (i, &name) in DROP_NAMES.iter().enumerate() {
                f(
                    dir,
                    name,
                    hw.drops[i].load(Relaxed) + sw.drops[i].load(Relaxed),
                );
            }
        }
        port.iommu_counters(&mut |name, v| f("iommu", name, v));
    }
}
