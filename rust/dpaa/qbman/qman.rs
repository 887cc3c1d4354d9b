// SPDX-License-Identifier: GPL-2.0

//! QMan on a QorIQ board: frame queues and the affine portals that dequeue
//! them, through `include/soc/fsl/qman.h` (shims in `rust/ffi/qbman.c`).
//!
//! Portals are shared with every other QMan user (`dpaa_eth` on the other
//! MACs): a portal's DQRR interrupt calls the callback of whichever FQ each
//! entry is for, and a portal's DQRR is processed by one context at a time
//! (`qman_p_poll_dqrr()` is not re-entrant). As `dpaa_eth` does, a callback
//! called from the interrupt (`sched_napi`) turns the DQRR interrupt off,
//! which makes the portal ours, and schedules this CPU's NAPI context, whose
//! poll (on that CPU only) hands the frames over and turns the interrupt on
//! again when it completes. Our context polls a portal only while it owns
//! it; scheduled for anything else (a callback of ours run by another
//! driver's poll, a sync) it only flushes GRO. A callback run by another
//! driver's poll handles its frame there.
//!
//! An FQ's owner goes before its shim FQ: the shim FQ is orphaned (its
//! callbacks drop what still reaches it: a rejection on its way from
//! another CPU's message ring, which no API lets a driver flush) and kept,
//! with its FQIDs, in a quarantine for [`QUARANTINE_MS`] before
//! `qman_destroy_fq()` (after which such a callback dereferences NULL in
//! qman.c) and `qman_release_fqid()`.

use crate::{
    dpaa::{Busy, CgrHandler, Dqrr, Ern, FqHandler, FqInit, FqStats, FrameQueue, TailDrop},
    ffi,
    kapi::{
        napi::{Napi, NapiCtx, NapiPoll},
        rcu,
        sync::{new_spinlock_irq, SpinLockIrq},
    },
};
use core::{
    cell::UnsafeCell,
    ffi::c_void,
    ptr::{self, NonNull},
    sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, AtomicU64, Ordering::*},
};
use dpaa_core::fd::QmFd;
use kernel::{
    ffi::{c_int, c_uint},
    new_mutex,
    prelude::*,
    rbtree::{RBTree, RBTreeNodeReservation},
    sync::{Arc, Mutex},
    time::{ktime_ms_delta, Ktime},
};

/// QMan's work queue for the driver's FQs (0 is the most urgent).
const WQ: u8 = 3;
/// Bytes a frame-counted tail drop allows per frame: QMan counts bytes
/// (a frame-mode congestion group per FQ would count frames, at one of
/// QMan's 256 groups each).
const TAILDROP_BYTES_PER_FRAME: usize = 2048;
/// How long an orphaned shim FQ is kept before it is destroyed and its
/// FQIDs released (see the module doc).
const QUARANTINE_MS: u64 = 10_000;
/// Most shim FQs in quarantine: beyond, new FQs are refused (`EBUSY`)
/// rather than the FQID space shared with `dpaa_eth` being drained by a
/// user that resets its device in a loop.
const QUARANTINE_MAX: usize = 4096;
/// `FM_FD_CMD_FCO`: the FD names its TX confirmation FQ.
const FD_CMD_FCO: u32 = 0x8000_0000;
/// FQs of one poll whose `batch_end` is deferred to the poll's end.
const BATCH_FQS: usize = 32;

// `enum qman_cb_dqrr_result`.
const CB_CONSUME: c_int = 0;
const CB_PARK: c_int = 1;
const CB_STOP: c_int = 3;
const CB_CONSUME_STOP: c_int = 4;
// `QM_MR_RC_*`.
const RC_CGR_TAILDROP: u8 = 0x00;
const RC_WRED: u8 = 0x10;
const RC_FQ_TAILDROP: u8 = 0x50;

/// The end of a batch, whatever the FQ's handler.
trait BatchEnd: Sync {
    fn batch_end(&self, napi: &NapiCtx);
}

/// The type-erased side of an FQ that QMan uses (by FQID).
pub(super) trait QmanFq: FrameQueue {}

/// A frame queue whose frames go to `H`.
///
/// # Invariants
///
/// `raw` is the shim's FQ (whose callbacks get this `Fq` as `owner`) from
/// creation until [`FqRange`] shuts it down and frees it, then null.
#[pin_data]
pub(crate) struct Fq<H: FqHandler> {
    raw: AtomicPtr<ffi::dpaa_vdpa_qfq>,
    fqid: u32,
    /// A TX FQ's confirmation: `FM_FD_CMD_FCO | fqid`, put in the command
    /// of every FD without a pool (0: none).
    conf_cmd: u32,
    /// No enqueue is started once set (enqueues run under RCU).
    closing: AtomicBool,
    /// Frames dequeued now are drained, not handled (teardown).
    draining: AtomicBool,
    stats: FqStats,
    qman: Arc<Qman>,
    handler: H,
}

impl<H: FqHandler> Fq<H> {
    pub(crate) fn handler(&self) -> &H {
        &self.handler
    }

    fn qfq_ops() -> &'static ffi::dpaa_vdpa_qfq_ops {
        const {
            &ffi::dpaa_vdpa_qfq_ops {
                dqrr: Some(Self::dqrr_cb),
                ern: Some(Self::ern_cb),
            }
        }
    }

    /// `cb.dqrr`.
    ///
    /// # Safety
    ///
    /// Called by the shim with the `owner` given at creation, a live `Fq`
    /// (its shim FQ is freed before it goes), and a 16-byte FD.
    unsafe extern "C" fn dqrr_cb(
        owner: *mut c_void,
        portal: *mut ffi::qman_portal,
        fd: *const u8,
        sched_napi: bool,
    ) -> c_int {
        // SAFETY: the function's safety requirements.
        let (this, fd) = unsafe {
            (
                &*owner.cast::<Self>(),
                QmFd::from_bytes(fd.cast::<[u8; 16]>().read_unaligned()),
            )
        };
        let Some(p) = this.qman.local_portal() else {
            // A CPU onlined after the load: no context to hand the portal
            // to. Its frame is handled here if we are polled (softirq);
            // from the interrupt it is left, the interrupt off, for the
            // next owner (Documentation/board.rst: CPU hotplug).
            if sched_napi {
                // SAFETY: the portal whose interrupt is running, here.
                unsafe { ffi::dpaa_vdpa_qman_dqri(portal, false) };
            }
            return CB_STOP;
        };
        if sched_napi {
            p.irq_handoff(portal);
            return CB_STOP;
        }
        if this.draining.load(Acquire) {
            this.stats.dequeued.fetch_add(1, Relaxed);
            this.handler.drain(&fd);
            return CB_CONSUME;
        }
        let napi = p.ctx();
        if !p.handler().in_poll.load(Relaxed) {
            // Another driver's poll: ours publishes and flushes GRO.
            p.schedule();
        }
        let r = this.handler.dqrr(&fd, napi);
        if r != Dqrr::Stop {
            this.stats.dequeued.fetch_add(1, Relaxed);
            p.handler().defer_batch_end(this, napi);
        }
        match r {
            Dqrr::Consume => CB_CONSUME,
            Dqrr::Park => CB_PARK,
            Dqrr::Stop => CB_STOP,
            Dqrr::ConsumeStop => CB_CONSUME_STOP,
        }
    }

    /// `cb.ern`: a rejected enqueue, from the enqueuing CPU's message-ring
    /// work (preemption off).
    ///
    /// # Safety
    ///
    /// As [`Self::dqrr_cb`].
    unsafe extern "C" fn ern_cb(owner: *mut c_void, fd: *const u8, rc: u8) {
        // SAFETY: the function's safety requirements.
        let (this, fd) = unsafe {
            (
                &*owner.cast::<Self>(),
                QmFd::from_bytes(fd.cast::<[u8; 16]>().read_unaligned()),
            )
        };
        let (why, c) = match rc {
            RC_CGR_TAILDROP => (Ern::CgrTailDrop, &this.stats.ern_taildrop),
            RC_FQ_TAILDROP | RC_WRED => (Ern::TailDrop, &this.stats.ern_taildrop),
            _ => (Ern::State, &this.stats.ern_state),
        };
        c.fetch_add(1, Relaxed);
        this.handler.ern(&fd, why);
    }
}

impl<H: FqHandler> BatchEnd for Fq<H> {
    fn batch_end(&self, napi: &NapiCtx) {
        self.handler.batch_end(napi);
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
        let _rcu = rcu::read_lock();
        let raw = self.raw.load(Acquire);
        if raw.is_null() || self.closing.load(Acquire) {
            return Err(Busy);
        }
        let mut fd = fd;
        if self.conf_cmd != 0 && fd.bpid() == crate::dpaa::NO_BPID {
            // The port confirms a frame it must not release (dpaa_eth's
            // FM_FD_CMD_FCO) to the FQ its command names.
            fd.set_status(self.conf_cmd);
        }
        let b = fd.to_bytes();
        // SAFETY: `raw` is live until the range's teardown, which waits for
        // this RCU section after setting `closing` (type invariant).
        let r = unsafe { ffi::dpaa_vdpa_qfq_enqueue(raw, b.as_ptr()) };
        if r != 0 {
            return Err(Busy);
        }
        // 6.12's qman_enqueue() returns 0 with the EQCR full and the frame
        // lost: nothing here can tell (see Documentation/board.rst).
        self.stats.enqueued.fetch_add(1, Relaxed);
        Ok(())
    }
}

impl<H: FqHandler> QmanFq for Fq<H> {}

/// A contiguous range of FQs with the same kind of handler; shut down and
/// freed on drop (process context).
pub(crate) struct FqRange<H: FqHandler> {
    fqs: KVec<Arc<Fq<H>>>,
    /// FQIDs allocated for it (the range is aligned inside them).
    ids: (u32, u32),
    qman: Arc<Qman>,
    retired: AtomicBool,
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

    /// Stops enqueues, retires every FQ and drains it through its handler's
    /// `drain` (`qman_retire_fq()`, volatile dequeues, `qman_oos_fq()`),
    /// waits out late rejections and frees the FQs: once this returns no
    /// handler of the range runs or will run. Idempotent. Process context.
    pub(crate) fn retire(&self) {
        if self.retired.swap(true, AcqRel) {
            return;
        }
        self.qman.unregister(&self.fqs);
        for fq in self.fqs.iter() {
            fq.closing.store(true, Release);
        }
        // Enqueues that saw the FQs open are done.
        rcu::synchronize();
        let mut stuck = false;
        for fq in self.fqs.iter() {
            fq.draining.store(true, Release);
            let raw = fq.raw.load(Acquire);
            if raw.is_null() {
                continue;
            }
            // SAFETY: a live shim FQ (type invariant of `Fq`); process context.
            let r = unsafe { ffi::dpaa_vdpa_qfq_shutdown(raw) };
            if r != 0 {
                pr_err!(
                    "FQ {:#x}: shutdown failed ({r}): kept, never destroyed\n",
                    fq.fqid
                );
                stuck = true;
            }
            // From here its callbacks no longer reach the handler.
            // SAFETY: as above.
            unsafe { ffi::dpaa_vdpa_qfq_orphan(raw) };
            if r != 0 {
                // Out of the quarantine: QMan may still dequeue it.
                fq.raw.store(ptr::null_mut(), Release);
            }
        }
        // Callbacks that read the handler's ops are over: softirq polls
        // (ours and other drivers'), interrupts, message-ring work.
        rcu::synchronize();
        let mut raws = KVec::new();
        for fq in self.fqs.iter() {
            let raw = fq.raw.swap(ptr::null_mut(), AcqRel);
            if !raw.is_null() && raws.push(raw, GFP_KERNEL).is_err() {
                // Not quarantined: kept forever (leaked), never destroyed.
                stuck = true;
            }
        }
        // A stuck FQ's FQIDs are never released: QMan still has it.
        self.qman
            .quarantine(raws, if stuck { (0, 0) } else { self.ids });
    }
}

impl<H: FqHandler> Drop for FqRange<H> {
    fn drop(&mut self) {
        // The FQIDs go with the shim FQs, out of quarantine.
        self.retire();
    }
}

/// A congestion group (`struct qman_cgr`).
///
/// # Invariants
///
/// `raw` is the shim's group, whose callback gets this `Cgr` as `owner`,
/// from creation until drop.
#[pin_data(PinnedDrop)]
pub(crate) struct Cgr<C: CgrHandler> {
    raw: AtomicPtr<ffi::dpaa_vdpa_qcgr>,
    /// Set once the group exists, before it is shared.
    cgrid: AtomicU32,
    handler: C,
}

impl<C: CgrHandler> Cgr<C> {
    pub(crate) fn congested(&self) -> bool {
        let raw = self.raw.load(Acquire);
        // SAFETY: live until drop (type invariant); a query command.
        !raw.is_null() && unsafe { ffi::dpaa_vdpa_qcgr_congested(raw) }
    }

    /// `qman_cb_cgr`, from a portal's interrupt.
    ///
    /// # Safety
    ///
    /// `owner` is the `Cgr` given at creation, alive (the group is deleted
    /// before it goes).
    unsafe extern "C" fn cgr_cb(owner: *mut c_void, congested: c_int) {
        // SAFETY: the function's safety requirements.
        let this = unsafe { &*owner.cast::<Self>() };
        this.handler.congestion(congested != 0);
    }
}

#[pinned_drop]
impl<C: CgrHandler> PinnedDrop for Cgr<C> {
    fn drop(self: Pin<&mut Self>) {
        let raw = self.raw.swap(ptr::null_mut(), AcqRel);
        if !raw.is_null() {
            // SAFETY: made in `create_cgr`, deleted once, process context
            // (`qman_delete_cgr_safe()` waits for the portal's CPU).
            unsafe { ffi::dpaa_vdpa_qcgr_free(raw) };
        }
    }
}

/// The side of a congestion group its member FQs use.
pub(crate) trait CgrCount: Send + Sync {
    fn cgrid(&self) -> u32;
}

impl<C: CgrHandler> CgrCount for Cgr<C> {
    fn cgrid(&self) -> u32 {
        self.cgrid.load(Relaxed)
    }
}

/// A congestion group as its member FQs hold it.
pub(crate) type CgrRef = Arc<dyn CgrCount>;

/// The FQs of one poll whose batch ends with the poll.
struct BatchList {
    n: usize,
    fqs: [Option<NonNull<dyn BatchEnd>>; BATCH_FQS],
}

/// A CPU's NAPI context for the QMan portals whose interrupt runs there.
///
/// # Invariants
///
/// `batch` is only used on `cpu`, from softirq context (this context's
/// poll and the callbacks it runs, which do not nest). While `owned` is
/// set the portal `raw` has its DQRR interrupt off and is this context's to
/// poll, on `cpu`, until a poll completes and turns it on again.
pub(crate) struct PortalPoll {
    cpu: usize,
    /// The portal handed over by its interrupt (its CPU's, or another's
    /// after a CPU went offline).
    raw: AtomicPtr<ffi::qman_portal>,
    owned: AtomicBool,
    /// The last poll emptied the owned portal's DQRR: completion hands the
    /// portal back to its interrupt.
    rearm: AtomicBool,
    /// In this context's poll of the portal.
    in_poll: AtomicBool,
    batch: UnsafeCell<BatchList>,
    polls: AtomicU64,
    frames: AtomicU64,
}

// SAFETY: `raw` is QMan's portal (any thread may name it); `batch` is
// confined to `cpu` (type invariant).
unsafe impl Send for PortalPoll {}
// SAFETY: as above.
unsafe impl Sync for PortalPoll {}

impl PortalPoll {
    /// The FQ's batch ends with this context's poll if that is what runs
    /// the callback, at once otherwise.
    fn defer_batch_end(&self, fq: &(dyn BatchEnd + 'static), napi: &NapiCtx) {
        if !self.in_poll.load(Relaxed) || crate::kapi::cpu::current() != self.cpu {
            fq.batch_end(napi);
            return;
        }
        // SAFETY: in this context's poll, on its CPU (type invariant).
        let b = unsafe { &mut *self.batch.get() };
        let p = NonNull::from(fq);
        if b.n > 0 && b.fqs[b.n - 1].is_some_and(|last| ptr::addr_eq(last.as_ptr(), p.as_ptr())) {
            return;
        }
        if b.n == BATCH_FQS {
            fq.batch_end(napi);
            return;
        }
        b.fqs[b.n] = Some(p);
        b.n += 1;
    }
}

impl NapiPoll for PortalPoll {
    fn poll(&self, napi: &NapiCtx, budget: i32) -> i32 {
        if !self.owned.load(Acquire) {
            // Scheduled to flush GRO (or by a sync): the portal is not ours.
            return 0;
        }
        // A sync's schedule ran us elsewhere: the owned portal is polled
        // on its interrupt's CPU (here only if that CPU went offline).
        if crate::kapi::cpu::current() != self.cpu && napi.schedule_on(self.cpu) {
            return 0;
        }
        let raw = self.raw.load(Relaxed);
        self.polls.fetch_add(1, Relaxed);
        self.in_poll.store(true, Relaxed);
        // SAFETY: the portal is ours (its DQRR interrupt off), polled on
        // the CPU its interrupt handed it over on (type invariant).
        let n = unsafe { ffi::dpaa_vdpa_qman_poll(raw, budget.max(0) as c_uint) };
        self.in_poll.store(false, Relaxed);
        if crate::kapi::cpu::current() == self.cpu {
            // SAFETY: in this context's poll, on its CPU (type invariant).
            let b = unsafe { &mut *self.batch.get() };
            for p in b.fqs[..b.n].iter().flatten() {
                // SAFETY: an FQ's owner goes only after an RCU grace period
                // that follows its orphaning (`FqRange::retire`): each is
                // alive until this softirq poll ends.
                unsafe { p.as_ref().batch_end(napi) };
            }
            b.n = 0;
        }
        self.frames.fetch_add(n.max(0) as u64, Relaxed);
        if n < budget {
            self.rearm.store(true, Relaxed);
        }
        n
    }

    fn completed(&self) {
        if self.rearm.swap(false, Relaxed) {
            self.owned.store(false, Release);
            // SAFETY: the portal we owned, on its CPU (the poll that set
            // `rearm` ran here, just before), as dpaa_eth's poll does.
            unsafe { ffi::dpaa_vdpa_qman_dqri(self.raw.load(Relaxed), true) };
        }
    }
}

/// The driver's FQs by FQID.
type FqTable = RBTree<u32, Arc<dyn QmanFq>>;

/// Orphaned shim FQs and their FQIDs, waiting out [`QUARANTINE_MS`].
struct Quarantined {
    since: Ktime,
    raws: KVec<*mut ffi::dpaa_vdpa_qfq>,
    /// (first, count) of FQIDs to release with them.
    ids: (u32, u32),
}

// SAFETY: the shim FQs are QMan objects any thread may destroy; nothing
// else refers to them (their owners are gone).
unsafe impl Send for Quarantined {}

impl Quarantined {
    /// Destroys the FQs and releases the FQIDs. Process context.
    fn release(self) {
        for &raw in self.raws.iter() {
            // SAFETY: out of service, orphaned a quarantine ago; nothing
            // else refers to it.
            unsafe { ffi::dpaa_vdpa_qfq_free(raw) };
        }
        let (base, n) = self.ids;
        for id in base..base + n {
            // SAFETY: FQIDs of FQs that are gone.
            unsafe { ffi::dpaa_vdpa_qman_release_fqid(id) };
        }
    }
}

/// QMan: a NAPI context per CPU for the portals, the FQs by FQID, and the
/// quarantine of orphaned FQs.
pub(crate) struct Qman {
    /// Contexts of the CPUs online at load, by CPU.
    portals: KVec<Pin<KBox<Napi<PortalPoll>>>>,
    /// Portals the driver schedules its FQs on (CPUs `0..nportals`).
    nportals: usize,
    /// The driver's FQs by FQID, for `enqueue_fqid` (any context).
    fqs: Pin<KBox<SpinLockIrq<FqTable>>>,
    quarantine: Pin<KBox<Mutex<KVec<Quarantined>>>>,
}

impl Qman {
    /// QMan through the affine portals of CPUs `0..nportals`; a context on
    /// every online CPU (a portal's interrupt may be moved to any).
    pub(crate) fn new(nportals: usize, poll_ms: u32) -> Result<Arc<Self>> {
        if poll_ms != 0 {
            pr_err!("portal_poll_ms is the model's: QMan portals are interrupt driven\n");
            return Err(EINVAL);
        }
        let ncpus = crate::kapi::cpu::online().max(nportals);
        let mut portals = KVec::with_capacity(ncpus, GFP_KERNEL)?;
        for cpu in 0..ncpus {
            // SAFETY: a lookup; NULL for a CPU without an affine portal.
            let raw = unsafe { ffi::dpaa_vdpa_qman_portal(cpu as c_int) };
            if raw.is_null() {
                pr_err!("CPU {cpu} has no QMan portal\n");
                return Err(ENODEV);
            }
            let poll = PortalPoll {
                cpu,
                raw: AtomicPtr::new(raw),
                owned: AtomicBool::new(false),
                rearm: AtomicBool::new(false),
                in_poll: AtomicBool::new(false),
                batch: UnsafeCell::new(BatchList {
                    n: 0,
                    fqs: [None; BATCH_FQS],
                }),
                polls: AtomicU64::new(0),
                frames: AtomicU64::new(0),
            };
            portals.push(KBox::pin_init(Napi::new(poll), GFP_KERNEL)?, GFP_KERNEL)?;
        }
        let fqs = KBox::pin_init(new_spinlock_irq!(RBTree::new(), "qman_fqids"), GFP_KERNEL)?;
        let quarantine = KBox::pin_init(new_mutex!(KVec::new(), "qman_quarantine"), GFP_KERNEL)?;
        Ok(Arc::new(
            Self {
                portals,
                nportals,
                fqs,
                quarantine,
            },
            GFP_KERNEL,
        )?)
    }

    pub(crate) fn nr_portals(&self) -> usize {
        self.nportals
    }

    /// Waits until every portal poll in progress has completed (and handed
    /// up what GRO held). Process context.
    pub(crate) fn sync_portals(&self) {
        for p in self.portals.iter() {
            p.sync();
        }
        // Polls of other drivers' NAPI contexts run our callbacks in
        // softirq context: an RCU grace period waits them out.
        rcu::synchronize();
    }

    /// This CPU's context.
    fn local_portal(&self) -> Option<&Napi<PortalPoll>> {
        let cpu = crate::kapi::cpu::current();
        self.portals.get(cpu).map(|p| &**p)
    }

    /// Keeps orphaned shim FQs (and their FQIDs) for [`QUARANTINE_MS`].
    fn quarantine(&self, raws: KVec<*mut ffi::dpaa_vdpa_qfq>, ids: (u32, u32)) {
        let q = Quarantined {
            since: Ktime::ktime_get(),
            raws,
            ids,
        };
        let n = q.raws.len();
        // On failure the entry is dropped, not released: its FQs are kept
        // forever rather than destroyed early.
        if self.quarantine.lock().push(q, GFP_KERNEL).is_err() {
            pr_err!("FQ quarantine: no memory, {n} FQs leaked\n");
        }
    }

    /// Releases what has waited out its quarantine; whether the
    /// quarantine has room for more. Process context.
    fn reap(&self) -> bool {
        let now = Ktime::ktime_get();
        let mut list = self.quarantine.lock();
        let Ok(mut keep) = KVec::with_capacity(list.len(), GFP_KERNEL) else {
            return list.len() < QUARANTINE_MAX;
        };
        let mut held = 0;
        for q in core::mem::take(&mut *list).into_iter() {
            if ktime_ms_delta(now, q.since) >= QUARANTINE_MS as i64 {
                q.release();
            } else {
                held += q.raws.len();
                // Within the capacity reserved above.
                let _ = keep.push(q, GFP_KERNEL);
            }
        }
        *list = keep;
        held < QUARANTINE_MAX
    }

    fn register(&self, fq: Arc<dyn QmanFq>) -> Result {
        // The node is allocated outside the IRQ-safe lock.
        let node = RBTreeNodeReservation::new(GFP_KERNEL)?.into_node(fq.fqid(), fq);
        let old = self.fqs.lock().insert(node);
        // FQIDs come from QMan's allocator: never two FQs on one.
        if old.is_some() {
            return Err(EEXIST);
        }
        Ok(())
    }

    fn unregister<H: FqHandler>(&self, range: &[Arc<Fq<H>>]) {
        for fq in range {
            // The node (and its reference) goes outside the lock.
            let node = self.fqs.lock().remove_node(&fq.fqid);
            drop(node);
        }
    }

    /// `qman_enqueue()` on one of the driver's FQs by FQID (the switch
    /// handing a frame to an entity of its port). `Err`: no such FQ, or not
    /// taken: the frame is still the caller's.
    pub(crate) fn enqueue_fqid(&self, fqid: u32, fd: QmFd) -> Result<(), Busy> {
        let fq = self.fqs.lock().get(&fqid).cloned().ok_or(Busy)?;
        fq.enqueue(fd)
    }

    /// Creates `count` consecutive FQs (see [`Qman::create_fqs_aligned`]).
    pub(crate) fn create_fqs<H: FqHandler>(
        self: &Arc<Self>,
        count: usize,
        init: FqInit,
        portal_of: impl FnMut(usize) -> usize,
        handler_of: impl FnMut(u32, usize) -> H,
    ) -> Result<FqRange<H>> {
        self.create_fqs_aligned(count, 1, init, portal_of, handler_of)
    }

    /// `count` FQs from a first FQID that is a multiple of `align`, each
    /// scheduled on the dedicated channel of portal `portal_of(i)`.
    pub(crate) fn create_fqs_aligned<H: FqHandler>(
        self: &Arc<Self>,
        count: usize,
        align: usize,
        init: FqInit,
        mut portal_of: impl FnMut(usize) -> usize,
        handler_of: impl FnMut(u32, usize) -> H,
    ) -> Result<FqRange<H>> {
        self.make_fqs(
            count,
            align,
            &init,
            None,
            |i| portal_of(i) % self.portals.len(),
            handler_of,
        )
    }

    /// Makes FQs: on portal channels, or (`to_port`: channel, confirmation
    /// FQID) consumed by an FMan port.
    pub(super) fn make_fqs<H: FqHandler>(
        self: &Arc<Self>,
        count: usize,
        align: usize,
        init: &FqInit,
        to_port: Option<(u16, u32)>,
        mut portal_of: impl FnMut(usize) -> usize,
        mut handler_of: impl FnMut(u32, usize) -> H,
    ) -> Result<FqRange<H>> {
        if count == 0 || !align.is_power_of_two() {
            return Err(EINVAL);
        }
        if !self.reap() {
            pr_err!("too many FQs waiting out their quarantine: try again later\n");
            return Err(EBUSY);
        }
        let total = u32::try_from(count + align - 1).map_err(|_| EINVAL)?;
        let mut base = 0;
        // SAFETY: allocates FQIDs into `base`.
        kernel::error::to_result(unsafe { ffi::dpaa_vdpa_qman_alloc_fqids(total, &mut base) })?;
        let start = base.next_multiple_of(align as u32);
        let mut range = FqRange {
            fqs: KVec::new(),
            ids: (base, total),
            qman: self.clone(),
            retired: AtomicBool::new(false),
        };
        let taildrop = match init.taildrop {
            TailDrop::Bytes(b) => b,
            TailDrop::Frames(n) => {
                u32::try_from(n.saturating_mul(TAILDROP_BYTES_PER_FRAME)).unwrap_or(u32::MAX)
            }
        };
        range.fqs.reserve(count, GFP_KERNEL)?;
        // From here a failure is undone by the range's drop.
        for i in 0..count {
            let fqid = start + i as u32;
            let portal = portal_of(i);
            let handler = handler_of(fqid, i);
            let fq = Arc::pin_init(
                try_pin_init!(Fq {
                    raw: AtomicPtr::new(ptr::null_mut()),
                    fqid,
                    conf_cmd: match to_port {
                        Some((_, conf)) if conf != 0 => FD_CMD_FCO | conf,
                        _ => 0,
                    },
                    closing: AtomicBool::new(false),
                    draining: AtomicBool::new(false),
                    stats: FqStats::default(),
                    qman: self.clone(),
                    handler,
                }? Error),
                GFP_KERNEL,
            )?;
            let owner = ptr::from_ref::<Fq<H>>(&fq).cast_mut().cast::<c_void>();
            // SAFETY: `owner` is the pinned `Fq` the callbacks get; the shim
            // FQ is freed (in `retire`) before the `Fq` can go.
            let raw = unsafe {
                ffi::dpaa_vdpa_qfq_create(fqid, to_port.is_some(), false, Fq::<H>::qfq_ops(), owner)
            };
            if raw.is_null() {
                return Err(ENOMEM);
            }
            fq.raw.store(raw, Release);
            range.fqs.push(fq.clone(), GFP_KERNEL)?;
            let channel = match to_port {
                Some((ch, _)) => ch,
                // SAFETY: a lookup of the portal's dedicated channel.
                None => unsafe { ffi::dpaa_vdpa_qman_channel(portal as c_int) },
            };
            let qi = ffi::dpaa_vdpa_qfq_init {
                sched: init.sched,
                taildrop,
                cgrid: init.cgr.as_ref().map_or(-1, |c| c.cgrid() as c_int),
                oal: init.oal as u8,
                channel,
                wq: WQ,
                to_port: to_port.is_some(),
            };
            // SAFETY: a new shim FQ, initialised once.
            kernel::error::to_result(unsafe { ffi::dpaa_vdpa_qfq_init(raw, &qi) })?;
            self.register(fq)?;
        }
        Ok(range)
    }

    /// `qman_alloc_cgrid_range()` + `qman_create_cgr()`: a group congested
    /// at `thres` bytes, tail-dropping while congested if `taildrop`.
    pub(crate) fn create_cgr<C: CgrHandler>(
        self: &Arc<Self>,
        thres: u64,
        taildrop: bool,
        handler: C,
    ) -> Result<Arc<Cgr<C>>> {
        let cgr = Arc::pin_init(
            try_pin_init!(Cgr {
                raw: AtomicPtr::new(ptr::null_mut()),
                cgrid: AtomicU32::new(0),
                handler,
            }? Error),
            GFP_KERNEL,
        )?;
        let owner = ptr::from_ref::<Cgr<C>>(&cgr).cast_mut().cast::<c_void>();
        // SAFETY: `owner` is the pinned group the callback gets; the shim
        // group is deleted in its drop.
        let raw =
            unsafe { ffi::dpaa_vdpa_qcgr_create(thres, taildrop, Some(Cgr::<C>::cgr_cb), owner) };
        if raw.is_null() {
            return Err(ENOSPC);
        }
        cgr.raw.store(raw, Release);
        // SAFETY: a live shim group.
        cgr.cgrid
            .store(unsafe { ffi::dpaa_vdpa_qcgr_id(raw) }, Relaxed);
        Ok(cgr)
    }

    /// (polls, frames) of portal `i` (debugfs).
    pub(super) fn portal_stats(&self, i: usize) -> (u64, u64) {
        let p = self.portals[i].handler();
        (p.polls.load(Relaxed), p.frames.load(Relaxed))
    }
}

impl Napi<PortalPoll> {
    /// The portal's interrupt found a frame: its DQRR interrupt off and its
    /// NAPI context scheduled (as `dpaa_eth_napi_schedule()`).
    fn irq_handoff(&self, portal: *mut ffi::qman_portal) {
        // SAFETY: the portal whose interrupt is running, here.
        unsafe { ffi::dpaa_vdpa_qman_dqri(portal, false) };
        let p = self.handler();
        p.raw.store(portal, Relaxed);
        p.owned.store(true, Release);
        // From its interrupt: on this CPU.
        self.schedule();
    }

    /// This context's NAPI, as the handlers get it.
    fn ctx(&self) -> &NapiCtx {
        self.napi_ctx()
    }
}

impl Drop for Qman {
    fn drop(&mut self) {
        // Each context stops first (napi_disable: a poll cut short by it
        // completes without `completed`); a portal it still owns gets its
        // DQRR interrupt back on its CPU, or the portal stays silent for
        // every driver.
        for p in core::mem::take(&mut self.portals).into_iter() {
            let (owned, cpu, raw) = {
                let h = p.handler();
                (h.owned.load(Acquire), h.cpu, h.raw.load(Relaxed))
            };
            drop(p);
            if owned {
                // SAFETY: the portal this context owned; it polls no more.
                unsafe { ffi::dpaa_vdpa_qman_dqri_on_cpu(cpu as c_int, raw) };
            }
        }
        for q in core::mem::take(&mut *self.quarantine.lock()).into_iter() {
            q.release();
        }
    }
}
