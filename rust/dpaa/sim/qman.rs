// SPDX-License-Identifier: GPL-2.0

//! QMan model: frame queues and the portals that dequeue them.
//!
//! Semantics follow `include/soc/fsl/qman.h`: an FQ is created out of service
//! (OOS), initialised and scheduled onto a portal's channel (here it starts
//! scheduled, or parked when asked), retired (enqueues are rejected, nothing
//! more is dequeued), drained, and taken out of service. An enqueue on a full
//! FQ (tail-drop threshold, or its congestion group's) or one not accepting
//! frames is rejected with an enqueue rejection (ERN) that comes back later,
//! as on QMan: the enqueue succeeds, and the FQ's portal hands the frame to
//! the FQ's `ern` callback in its next poll (QMan's message ring; the model
//! keeps the messages per FQ, `dpaa_core::ern`). Only when no message fits
//! is the enqueue refused at once (`Busy`, `qman_enqueue()`'s `-EBUSY`), and
//! the frame is still the caller's. The FMan's own enqueues (frames it
//! received) are the FMan's to handle: it drops and counts their rejections.
//!
//! A portal is a NAPI context per CPU. An enqueue on a scheduled FQ that was
//! idle puts it on its portal's ready queue and schedules the portal's NAPI
//! (interrupt mode), or leaves it for a periodic timer to find (poll mode,
//! `portal_poll_ms`); the poll dequeues in batches, round-robin over ready FQs,
//! within the NAPI budget, and calls each FQ's dequeue callback frame by
//! frame, which returns consume, park (consumed; stop dequeuing this FQ until
//! rescheduled), stop (not consumed: handed over again first; end this poll)
//! or consume-stop (end this poll). Frames a poll took from an FQ but did not
//! hand over go back to its head, in order.

use crate::{
    dpaa::{Busy, CgrHandler, Ern, FqHandler, FqInit, FqState, FqStats, FrameQueue, TailDrop},
    kapi::{
        napi::{Napi, NapiCtx, NapiPoll},
        sync::{new_spinlock_bh, new_spinlock_irq, SpinLockBh, SpinLockIrq},
        timer::{Periodic, Tick},
    },
};
use core::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering::Relaxed};
use dpaa_core::{
    cgr::{round_thres, CgrCore},
    dqrr::hand_over,
    ern::{ErnMsg, ErnQueue},
    fd::QmFd,
    fq::{round_taildrop, slots_for, FqCore, BATCH},
    ring::FixedRing,
};
use kernel::{prelude::*, sync::Arc};

/// First FQID handed out (QMan reserves low FQIDs).
const FQID_BASE: u32 = 0x100;
/// FQIDs the model has.
const MAX_FQS: usize = 1024;
/// Congestion groups QMan has (CGRIDs 0..=255).
const MAX_CGRS: usize = 256;
/// Rejections an FQ keeps for its `ern` callback until its portal polls
/// (beyond them, an enqueue is refused at once: `Busy`).
const ERN_SLOTS: usize = 64;
/// Frames an FQ with a byte threshold can hold (the model's PFDR memory):
/// zero-length frames count no bytes. Above what a congestion group of a
/// few hundred KiB lets in of small frames.
const BYTE_FQ_FRAMES: usize = 4096;

/// The type-erased side of an FQ that QMan itself uses; its users' side is
/// [`FrameQueue`].
pub(super) trait QmanFq: FrameQueue {
    /// State, depth and portal, for debugfs.
    fn snapshot(&self) -> (FqState, usize, usize);
    /// An enqueue by the FMan (a received frame): a rejection is the
    /// FMan's to handle at once.
    fn fman_enqueue(&self, fd: QmFd) -> Result<(), Ern>;
    /// Hands a batch of the FQ's rejections to its `ern` callback (and
    /// lists the FQ again if more wait).
    fn deliver_erns(&self);
    /// The portal whose channel it is scheduled on.
    fn portal(&self) -> usize;
    /// Dequeues up to `budget` frames; returns (done, more left, stop).
    fn poll(&self, budget: usize, napi: &NapiCtx) -> (usize, bool, bool);
}

/// A frame queue whose frames go to `H`.
#[pin_data]
pub(crate) struct Fq<H: FqHandler> {
    fqid: u32,
    portal: usize,
    /// IRQ-safe: `qman_enqueue()` may be called from any context, and is
    /// (a vhost-vdpa kick comes with hard IRQs off).
    #[pin]
    ring: SpinLockIrq<FqCore<KVVec<QmFd>>>,
    /// Rejected frames waiting for the `ern` callback (IRQ-safe, as the
    /// ring).
    #[pin]
    erns: SpinLockIrq<ErnQueue<KVVec<ErnMsg>>>,
    stats: FqStats,
    /// The congestion group whose count this FQ's bytes are part of, and
    /// the bytes it counts per frame on top of the length (OAL).
    cgr: Option<CgrRef>,
    oal: u32,
    qman: Arc<Qman>,
    handler: H,
}

impl<H: FqHandler> Fq<H> {
    pub(crate) fn handler(&self) -> &H {
        &self.handler
    }

    /// `frames` frames of `bytes` bytes joined (> 0) or left (< 0) this FQ:
    /// its group counts them, with the per-frame overhead. Called under the
    /// FQ's lock (lock order: FQ, then group).
    fn congestion(&self, frames: i64, bytes: i64) {
        let delta = bytes + frames * self.oal as i64;
        if let (Some(c), true) = (&self.cgr, delta != 0) {
            c.adjust(delta);
        }
    }

    /// Stops accepting and dequeuing frames; waits for a poll holding some.
    fn retire(&self) {
        self.ring.lock().retire();
        while self.ring.lock().busy() {
            // SAFETY: process context (teardown), may sleep.
            unsafe { crate::ffi::msleep(1) };
        }
    }

    /// Teardown of the rejections: no more are queued (an enqueue now is
    /// `Busy`) or delivered by the portal; once a delivery in progress is
    /// over, what is left goes to the `ern` callback here. Process context.
    fn close_erns(&self) {
        self.erns.lock().close();
        while self.erns.lock().delivering() {
            // SAFETY: process context (teardown), may sleep.
            unsafe { crate::ffi::msleep(1) };
        }
        loop {
            let m = self.erns.lock().drain_one();
            match m {
                Some(m) => self.handler.ern(&m.fd, m.why),
                None => break,
            }
        }
        self.qman.unqueue_erns(self.portal, self.fqid);
    }

    /// `qman_enqueue()` as QMan decides it: accepted, or rejected why.
    fn try_enqueue(&self, fd: QmFd) -> Result<(), Ern> {
        if self.qman.fault_enqueue() {
            self.stats.ern_fault.fetch_add(1, Relaxed);
            return Err(Ern::Fault);
        }
        if self.cgr.as_ref().is_some_and(|c| !c.admits()) {
            self.stats.ern_taildrop.fetch_add(1, Relaxed);
            return Err(Ern::CgrTailDrop);
        }
        let mut ring = self.ring.lock();
        match ring.enqueue(fd) {
            Ok(kick) => {
                // Under the FQ's lock: its group's count follows the FQ's
                // own order of events (never below zero), and a retire
                // cannot take the FQ off the ready queue in between (and
                // leave a dead FQID there).
                self.congestion(1, fd.length() as i64);
                if kick {
                    self.qman.kick(self.portal, self.fqid);
                }
            }
            Err(e) => {
                drop(ring);
                let c = match e {
                    Ern::TailDrop | Ern::CgrTailDrop => &self.stats.ern_taildrop,
                    _ => &self.stats.ern_state,
                };
                c.fetch_add(1, Relaxed);
                return Err(e);
            }
        }
        drop(ring);
        self.stats.enqueued.fetch_add(1, Relaxed);
        Ok(())
    }
}

impl<H: FqHandler> FrameQueue for Fq<H> {
    fn fqid(&self) -> u32 {
        self.fqid
    }

    fn stats(&self) -> &FqStats {
        &self.stats
    }

    fn enqueue(&self, fd: QmFd) -> Result<(), Busy> {
        let Err(why) = self.try_enqueue(fd) else {
            return Ok(());
        };
        // Rejected: the frame comes back through `ern`, later. Listed
        // under the FQ's lock, so that a teardown (which closes the queue,
        // then takes the FQID off the list) cannot leave it listed.
        let mut erns = self.erns.lock();
        if erns.post(fd, why)? {
            self.qman.kick_erns(self.portal, self.fqid);
        }
        Ok(())
    }
}

impl<H: FqHandler> QmanFq for Fq<H> {
    fn portal(&self) -> usize {
        self.portal
    }

    fn snapshot(&self) -> (FqState, usize, usize) {
        let r = self.ring.lock();
        (r.state(), r.len(), self.portal)
    }

    fn fman_enqueue(&self, fd: QmFd) -> Result<(), Ern> {
        self.try_enqueue(fd)
    }

    fn deliver_erns(&self) {
        let mut batch = [ErnMsg::default(); BATCH];
        let n = self.erns.lock().take(&mut batch);
        if n == 0 {
            return;
        }
        for m in &batch[..n] {
            self.handler.ern(&m.fd, m.why);
        }
        // More arrived meanwhile: listed again (under the lock, as a post).
        let mut erns = self.erns.lock();
        if erns.end() {
            self.qman.relist_erns(self.portal, self.fqid);
        }
    }

    fn poll(&self, budget: usize, napi: &NapiCtx) -> (usize, bool, bool) {
        let mut batch = [QmFd::default(); BATCH];
        let n = {
            let mut r = self.ring.lock();
            let b = r.bytes();
            let n = r.take(&mut batch[..budget.min(BATCH)]);
            // Frames in the portal's DQRR have left the FQ.
            self.congestion(-(n as i64), -((b - r.bytes()) as i64));
            n
        };
        if n == 0 {
            return (0, false, false);
        }
        // One frame at a time, as the portal's DQRR hands them over: what
        // a callback answers applies from that frame on.
        let h = hand_over(n, |i| self.handler.dqrr(&batch[i], napi));
        let done = h.consumed;
        self.stats.dequeued.fetch_add(done as u64, Relaxed);
        if done > 0 {
            self.handler.batch_end(napi);
        }
        // What was taken and not consumed goes back to the head, in order;
        // still on the ready queue only if scheduled with frames left.
        let more = {
            let mut r = self.ring.lock();
            let b = r.bytes();
            let more = r.end_poll(&batch[..n], h);
            self.congestion((n - done) as i64, (r.bytes() - b) as i64);
            more
        };
        (done, more, h.stop)
    }
}

/// A contiguous range of FQs with the same kind of handler, owned by one
/// user; retired, drained and destroyed on drop.
pub(crate) struct FqRange<H: FqHandler> {
    fqs: KVec<Arc<Fq<H>>>,
}

impl<H: FqHandler> FqRange<H> {
    pub(crate) fn base(&self) -> u32 {
        self.fqs.first().map_or(0, |f| f.fqid)
    }

    pub(crate) fn len(&self) -> usize {
        self.fqs.len()
    }

    pub(crate) fn get(&self, i: usize) -> &Arc<Fq<H>> {
        &self.fqs[i]
    }

    /// Retires every FQ and drains it through its handler's `drain`
    /// (qman_retire_fq + qman_oos_fq), and its pending rejections through
    /// `ern`: once this returns, no handler of the range runs or will run,
    /// and no enqueue is accepted. Idempotent; the
    /// FQIDs stay allocated until the range drops. Process context.
    pub(crate) fn retire(&self) {
        for fq in self.fqs.iter() {
            fq.retire();
        }
        for fq in self.fqs.iter() {
            // Retired: nothing comes in. Drain handlers release buffers to
            // pools (BH locks), so not under the IRQ-safe ring lock.
            loop {
                let fd = {
                    let mut r = fq.ring.lock();
                    let fd = r.drain_one();
                    if let Some(fd) = &fd {
                        fq.congestion(-1, -(fd.length() as i64));
                    }
                    fd
                };
                match fd {
                    Some(fd) => fq.handler.drain(&fd),
                    None => break,
                }
            }
            fq.close_erns();
            let oos = fq.ring.lock().oos();
            debug_assert!(oos, "a retired, drained FQ goes out of service");
            // Retired, so never queued again: no stale entry may name the
            // FQID once it is handed out anew.
            fq.qman.unqueue(fq.portal, fq.fqid);
        }
    }
}

impl<H: FqHandler> Drop for FqRange<H> {
    fn drop(&mut self) {
        self.retire();
        // Every range has at least one FQ (checked at creation).
        let mut reg = self.fqs[0].qman.fqs.lock();
        for fq in self.fqs.iter() {
            reg.fqs[(fq.fqid - FQID_BASE) as usize] = None;
        }
    }
}

/// A congestion group (`struct qman_cgr`): the bytes waiting in its FQs
/// against a threshold; its owner hears of every entry into and exit from
/// congestion.
#[pin_data(PinnedDrop)]
pub(crate) struct Cgr<C: CgrHandler> {
    /// IRQ-safe: counts move on enqueue (any context). Notifications are
    /// made under it, so they reach the owner in order.
    #[pin]
    core: SpinLockIrq<CgrCore>,
    qman: Arc<Qman>,
    handler: C,
}

impl<C: CgrHandler> Cgr<C> {
    /// Whether the group is congested now.
    pub(crate) fn congested(&self) -> bool {
        self.core.lock().congested()
    }
}

#[pinned_drop]
impl<C: CgrHandler> PinnedDrop for Cgr<C> {
    fn drop(self: Pin<&mut Self>) {
        // `qman_delete_cgr()` + `qman_release_cgrid()`.
        self.qman.cgrs.fetch_sub(1, Relaxed);
    }
}

/// The side of a congestion group its member FQs use.
pub(crate) trait CgrCount: Send + Sync {
    /// Whether an enqueue onto a member is accepted (congestion-state tail
    /// drop).
    fn admits(&self) -> bool;
    /// Frames of `delta` bytes joined or left a member FQ.
    fn adjust(&self, delta: i64);
}

impl<C: CgrHandler> CgrCount for Cgr<C> {
    fn admits(&self) -> bool {
        self.core.lock().admits()
    }

    fn adjust(&self, delta: i64) {
        let mut c = self.core.lock();
        if let Some(congested) = c.adjust(delta) {
            // QMan's state change notification (`qman_cb_cgr`), with hard
            // IRQs off as in the portal's interrupt handler.
            self.handler.congestion(congested);
        }
    }
}

/// A congestion group as its member FQs hold it.
pub(crate) type CgrRef = Arc<dyn CgrCount>;

/// A portal: its ready queue, polled by its NAPI context.
#[pin_data]
pub(crate) struct PortalPoll {
    index: usize,
    /// IRQ-safe: an enqueue (any context) queues its FQ here.
    #[pin]
    ready: SpinLockIrq<ReadyQ>,
    /// FQIDs of its FQs with rejections for their `ern` callback (the
    /// message ring's work; each FQ listed at most once).
    #[pin]
    mr: SpinLockIrq<ReadyQ>,
    stalled: AtomicBool,
    polls: AtomicU64,
    frames: AtomicU64,
    /// The QMan registry; QMan outlives its portals (it drops them first).
    qman: *const Qman,
}

// SAFETY: `qman` points at the `Qman` that owns the portal and is only read.
unsafe impl Send for PortalPoll {}
// SAFETY: as above.
unsafe impl Sync for PortalPoll {}

/// Poll mode: the timer tick schedules every portal that has ready FQs.
struct PollTick {
    /// QMan outlives its timer (it drops the timer first).
    qman: *const Qman,
}

// SAFETY: `qman` points at the `Qman` that owns the timer and is only read.
unsafe impl Send for PollTick {}
// SAFETY: as above.
unsafe impl Sync for PollTick {}

impl Tick for PollTick {
    fn tick(&self) {
        // SAFETY: see the field.
        let qman = unsafe { &*self.qman };
        for p in qman.portals.iter() {
            let h = p.handler();
            if !h.ready.lock().is_empty() || !h.mr.lock().is_empty() {
                p.schedule();
            }
        }
    }
}

/// FQIDs of a portal's FQs with frames to dequeue. Each FQ is queued at
/// most once (its `queued` flag), so MAX_FQS slots never overflow.
type ReadyQ = FixedRing<u32, KVec<u32>>;

impl NapiPoll for PortalPoll {
    fn poll(&self, napi: &NapiCtx, budget: i32) -> i32 {
        if self.stalled.load(Relaxed) {
            return 0;
        }
        self.polls.fetch_add(1, Relaxed);
        // SAFETY: the owning `Qman` outlives its portals.
        let qman = unsafe { &*self.qman };
        let budget = budget as usize;
        // The message ring first (rejections for `ern`): a batch per FQ
        // listed when the poll began; an FQ with more is listed again.
        let listed = self.mr.lock().len();
        for _ in 0..listed {
            let Some(fqid) = self.mr.lock().pop() else {
                break;
            };
            let Some(fq) = qman.lookup(fqid).filter(|fq| fq.portal() == self.index) else {
                continue;
            };
            fq.deliver_erns();
        }
        let mut done = 0;
        while done < budget {
            let Some(fqid) = self.ready.lock().pop() else {
                break;
            };
            // An entry popped just before its FQ went away may name a new
            // FQ with the same FQID: only the FQ's own portal polls it.
            let Some(fq) = qman.lookup(fqid).filter(|fq| fq.portal() == self.index) else {
                continue;
            };
            let (n, more, stop) = fq.poll(budget - done, napi);
            done += n;
            if more && stop {
                // A stopped entry is the first one the next poll sees.
                self.ready.lock().push_front(fqid);
            } else if more {
                self.ready.lock().push(fqid);
            }
            if stop {
                break;
            }
        }
        self.frames.fetch_add(done as u64, Relaxed);
        // Work left but budget unused (a stop): ask for another poll, as the
        // DQRR interrupt reasserts while the DQRR holds entries.
        if done < budget && (!self.ready.lock().is_empty() || !self.mr.lock().is_empty()) {
            return budget as i32;
        }
        done as i32
    }
}

/// The FQID space: FQs by FQID, and FQIDs reserved for FQs being made.
struct Registry {
    fqs: KVec<Option<Arc<dyn QmanFq>>>,
    reserved: KVec<bool>,
}

/// The QMan model: the FQID space and the portals.
#[pin_data]
pub(crate) struct Qman {
    #[pin]
    fqs: SpinLockBh<Registry>,
    /// Poll mode: the timer that polls the portals (dropped before them).
    poller: Option<Pin<KBox<Periodic<PollTick>>>>,
    portals: KVec<Pin<KBox<Napi<PortalPoll>>>>,
    /// Fault injection: reject this many enqueues.
    fail_enqueue: AtomicU32,
    /// Congestion groups in use (at most MAX_CGRS).
    cgrs: AtomicUsize,
}

impl Qman {
    /// QMan with `nportals` portals, interrupt driven, or polled every
    /// `poll_ms` milliseconds if that is not 0.
    pub(crate) fn new(nportals: usize, poll_ms: u32) -> Result<Arc<Self>> {
        let mut fqs = KVec::with_capacity(MAX_FQS, GFP_KERNEL)?;
        for _ in 0..MAX_FQS {
            fqs.push(None, GFP_KERNEL)?;
        }
        let fqs = Registry {
            fqs,
            reserved: KVec::from_elem(false, MAX_FQS, GFP_KERNEL)?,
        };
        // The portals point back at QMan, so they are made in place, once
        // QMan has its final address.
        let init = move |this: *mut Self| -> Result {
            // SAFETY: `this` is valid for writes and pinned; each field is
            // initialised exactly once, the lock first.
            unsafe {
                new_spinlock_bh!(fqs, "qman_fqs")
                    .__pinned_init(core::ptr::addr_of_mut!((*this).fqs))?;
                core::ptr::addr_of_mut!((*this).fail_enqueue).write(AtomicU32::new(0));
                core::ptr::addr_of_mut!((*this).cgrs).write(AtomicUsize::new(0));
            }
            let portals = (|| -> Result<KVec<Pin<KBox<Napi<PortalPoll>>>>> {
                let mut portals = KVec::with_capacity(nportals, GFP_KERNEL)?;
                for index in 0..nportals {
                    let poll = try_pin_init!(PortalPoll {
                        index,
                        ready <- new_spinlock_irq!(ReadyQ::new(KVec::from_elem(0, MAX_FQS, GFP_KERNEL)?), "qman_portal"),
                        mr <- new_spinlock_irq!(ReadyQ::new(KVec::from_elem(0, MAX_FQS, GFP_KERNEL)?), "qman_portal_mr"),
                        stalled: AtomicBool::new(false),
                        polls: AtomicU64::new(0),
                        frames: AtomicU64::new(0),
                        qman: this.cast_const(),
                    }? Error);
                    portals.push(KBox::pin_init(Napi::new(poll), GFP_KERNEL)?, GFP_KERNEL)?;
                }
                Ok(portals)
            })();
            let portals = match portals {
                Ok(p) => p,
                Err(e) => {
                    // SAFETY: the lock was initialised above; undo it.
                    unsafe { core::ptr::drop_in_place(core::ptr::addr_of_mut!((*this).fqs)) };
                    return Err(e);
                }
            };
            // SAFETY: as above.
            unsafe { core::ptr::addr_of_mut!((*this).portals).write(portals) };
            let poller = match poll_ms {
                0 => None,
                ms => match KBox::pin_init(
                    Periodic::new(
                        PollTick {
                            qman: this.cast_const(),
                        },
                        ms,
                    ),
                    GFP_KERNEL,
                ) {
                    Ok(t) => Some(t),
                    Err(e) => {
                        // SAFETY: undo the two fields initialised above.
                        unsafe {
                            core::ptr::drop_in_place(core::ptr::addr_of_mut!((*this).portals));
                            core::ptr::drop_in_place(core::ptr::addr_of_mut!((*this).fqs));
                        }
                        return Err(e);
                    }
                },
            };
            // SAFETY: as above.
            unsafe { core::ptr::addr_of_mut!((*this).poller).write(poller) };
            Ok(())
        };
        // SAFETY: `init` initialises every field or none.
        Arc::pin_init(
            unsafe { kernel::init::pin_init_from_closure(init) },
            GFP_KERNEL,
        )
    }

    pub(crate) fn nr_portals(&self) -> usize {
        self.portals.len()
    }

    /// Waits until every portal's poll in progress has completed and
    /// handed up the skbs its NAPI's GRO held: once this returns, no skb a
    /// handler gave GRO before the call is still held for its device
    /// (which may then go). Process context.
    pub(crate) fn sync_portals(&self) {
        for p in self.portals.iter() {
            p.sync();
        }
    }

    fn lookup(&self, fqid: u32) -> Option<Arc<dyn QmanFq>> {
        let i = fqid.checked_sub(FQID_BASE)? as usize;
        self.fqs.lock().fqs.get(i)?.clone()
    }

    /// Takes `fqid` off `portal`'s ready queue (an FQ going away).
    fn unqueue(&self, portal: usize, fqid: u32) {
        self.portals[portal].handler().ready.lock().remove(fqid);
    }

    /// Takes `fqid` off `portal`'s message-ring list (an FQ going away).
    fn unqueue_erns(&self, portal: usize, fqid: u32) {
        self.portals[portal].handler().mr.lock().remove(fqid);
    }

    /// Lists `fqid` for its rejections and schedules `portal`, as a message
    /// ring entry raises the portal's interrupt. Under the FQ's ERN lock.
    fn kick_erns(&self, portal: usize, fqid: u32) {
        self.relist_erns(portal, fqid);
        if self.poller.is_none() {
            self.portals[portal].schedule();
        }
    }

    /// Lists `fqid` again, from its portal's poll (which polls again while
    /// the list is not empty). Under the FQ's ERN lock.
    fn relist_erns(&self, portal: usize, fqid: u32) {
        self.portals[portal].handler().mr.lock().push(fqid);
    }

    fn kick(&self, portal: usize, fqid: u32) {
        let p = &self.portals[portal];
        p.handler().ready.lock().push(fqid);
        // In poll mode the timer finds the FQ; no "interrupt".
        if self.poller.is_none() {
            p.schedule();
        }
    }

    /// Polled every `poll_ms` ms (or 0: interrupt driven).
    pub(super) fn poll_mode(&self) -> bool {
        self.poller.is_some()
    }

    fn fault_enqueue(&self) -> bool {
        self.fail_enqueue.load(Relaxed) > 0
            && self
                .fail_enqueue
                .fetch_update(Relaxed, Relaxed, |n| n.checked_sub(1))
                .is_ok()
    }

    /// `qman_enqueue()` on FQ `fqid` through an enqueue-only FQ object
    /// (`QMAN_FQ_FLAG_NO_MODIFY`): how the switch hands frames to the FQs
    /// of the entities on its port. A rejection comes back later through
    /// the FQ's `ern` callback. `Err`: not taken (no such FQ, or no room
    /// for a message), the frame still the caller's.
    pub(crate) fn enqueue_fqid(&self, fqid: u32, fd: QmFd) -> Result<(), Busy> {
        self.lookup(fqid).ok_or(Busy)?.enqueue(fd)
    }

    /// The FMan enqueues on FQ `fqid`; `Err(Ern::State)` if there is no
    /// such FQ. A rejection is the FMan's: it comes back at once.
    pub(super) fn fman_enqueue(&self, fqid: u32, fd: QmFd) -> Result<(), Ern> {
        self.lookup(fqid).ok_or(Ern::State)?.fman_enqueue(fd)
    }

    /// Creates `count` consecutive FQs, initialised as `init` says (tail
    /// drop; scheduled or parked) on portals `portal_of(i)`, their frames
    /// going to `handler_of(fqid, i)`.
    pub(crate) fn create_fqs<H: FqHandler>(
        self: &Arc<Self>,
        count: usize,
        init: FqInit,
        portal_of: impl FnMut(usize) -> usize,
        handler_of: impl FnMut(u32, usize) -> H,
    ) -> Result<FqRange<H>> {
        self.create_fqs_aligned(count, 1, init, portal_of, handler_of)
    }

    /// [`Qman::create_fqs`] with a first FQID that is a multiple of `align`
    /// (a power of two): what a KeyGen scheme's FQ range needs
    /// (`qman_alloc_fqid_range()` of twice the length, as `dpaa_eth` does).
    pub(crate) fn create_fqs_aligned<H: FqHandler>(
        self: &Arc<Self>,
        count: usize,
        align: usize,
        init: FqInit,
        mut portal_of: impl FnMut(usize) -> usize,
        mut handler_of: impl FnMut(u32, usize) -> H,
    ) -> Result<FqRange<H>> {
        if count == 0 || count > MAX_FQS || !align.is_power_of_two() {
            return Err(EINVAL);
        }
        // Byte thresholds as QMan stores them (mantissa and exponent).
        let taildrop = match init.taildrop {
            TailDrop::Bytes(b) => TailDrop::Bytes(round_taildrop(b).ok_or(ERANGE)?),
            t => t,
        };
        let slots = slots_for(taildrop, BYTE_FQ_FRAMES);
        // Reserve the FQIDs under the lock, make the FQs outside it (that
        // may sleep), then publish them.
        let start = {
            let mut reg = self.fqs.lock();
            let start = (0..=MAX_FQS - count)
                .filter(|&s| (FQID_BASE as usize + s) % align == 0)
                .find(|&s| (s..s + count).all(|i| reg.fqs[i].is_none() && !reg.reserved[i]))
                .ok_or(ENOSPC)?;
            reg.reserved[start..start + count].fill(true);
            start
        };
        let made = (|| -> Result<KVec<Arc<Fq<H>>>> {
            let mut fqs = KVec::with_capacity(count, GFP_KERNEL)?;
            for i in 0..count {
                let fqid = FQID_BASE + (start + i) as u32;
                let fds = KVVec::from_elem(QmFd::default(), slots, GFP_KERNEL)?;
                let msgs = KVVec::from_elem(ErnMsg::default(), ERN_SLOTS, GFP_KERNEL)?;
                let portal = portal_of(i) % self.portals.len();
                let handler = handler_of(fqid, i);
                let cgr = init.cgr.clone();
                let oal = init.oal;
                let fq = Arc::pin_init(
                    try_pin_init!(Fq {
                        fqid,
                        portal,
                        ring <- new_spinlock_irq!(
                            FqCore::new(fds, taildrop, init.sched),
                            "qman_fq"
                        ),
                        erns <- new_spinlock_irq!(ErnQueue::new(msgs), "qman_fq_erns"),
                        stats: FqStats::default(),
                        cgr,
                        oal,
                        qman: self.clone(),
                        handler,
                    }? Error),
                    GFP_KERNEL,
                )?;
                fqs.push(fq, GFP_KERNEL)?;
            }
            Ok(fqs)
        })();
        let mut reg = self.fqs.lock();
        reg.reserved[start..start + count].fill(false);
        let fqs = made?;
        for (i, fq) in fqs.iter().enumerate() {
            let erased: Arc<dyn QmanFq> = fq.clone();
            reg.fqs[start + i] = Some(erased);
        }
        drop(reg);
        Ok(FqRange { fqs })
    }

    /// `qman_alloc_cgrid()` + `qman_create_cgr()`: a congestion group
    /// congested at `thres` bytes and above, dropping at the tail while
    /// congested if `taildrop` (`cstd_en`), whose entries and exits go to
    /// `handler`. FQs join it through [`FqInit::cgr`].
    pub(crate) fn create_cgr<C: CgrHandler>(
        self: &Arc<Self>,
        thres: u64,
        taildrop: bool,
        handler: C,
    ) -> Result<Arc<Cgr<C>>> {
        // As QMan stores it (mantissa and exponent, rounded up).
        let thres = round_thres(thres).ok_or(ERANGE)?;
        self.cgrs
            .fetch_update(Relaxed, Relaxed, |n| (n < MAX_CGRS).then_some(n + 1))
            .map_err(|_| ENOSPC)?;
        let cgr = Arc::pin_init(
            try_pin_init!(Cgr {
                core <- new_spinlock_irq!(CgrCore::new(thres, taildrop), "qman_cgr"),
                qman: self.clone(),
                handler,
            }),
            GFP_KERNEL,
        );
        if cgr.is_err() {
            self.cgrs.fetch_sub(1, Relaxed);
        }
        cgr
    }

    /// Calls `f` for every FQ (debugfs).
    pub(super) fn for_each_fq(&self, mut f: impl FnMut(&dyn QmanFq)) {
        let fqs: KVec<Arc<dyn QmanFq>> = {
            let reg = self.fqs.lock();
            let mut v = KVec::new();
            for fq in reg.fqs.iter().flatten() {
                if v.push(fq.clone(), GFP_ATOMIC).is_err() {
                    break;
                }
            }
            v
        };
        for fq in fqs.iter() {
            f(&**fq);
        }
    }

    /// (polls, frames, stalled) of portal `i` (debugfs).
    pub(super) fn portal_stats(&self, i: usize) -> (u64, u64, bool) {
        let p = self.portals[i].handler();
        (
            p.polls.load(Relaxed),
            p.frames.load(Relaxed),
            p.stalled.load(Relaxed),
        )
    }

    /// Fault injection: stall portal `i` (its FQs are not dequeued) or resume it.
    pub(super) fn stall_portal(&self, i: usize, stall: bool) -> Result {
        let p = self.portals.get(i).ok_or(EINVAL)?;
        p.handler().stalled.store(stall, Relaxed);
        if !stall {
            p.schedule();
        }
        Ok(())
    }

    /// Fault injection: reject the next `n` enqueues.
    pub(super) fn set_fail_enqueue(&self, n: u32) {
        self.fail_enqueue.store(n, Relaxed);
    }

    pub(super) fn fail_enqueue(&self) -> u32 {
        self.fail_enqueue.load(Relaxed)
    }
}
