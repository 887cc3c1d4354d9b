// SPDX-License-Identifier: GPL-2.0

//! The DPAA API the driver uses: frame queues, portals, buffer pools, ports.
//!
//! One interface, two backends: `sim` (a software model of QMan/BMan/FMan, the
//! default and what the QEMU tests run) and, later, `qbman` (QorIQ hardware
//! through the upstream qman.h/bman.h drivers).
//!
//! This module is the boundary. The backend is a private module, chosen once
//! below; nothing above `dpaa` names it. What the rest of the driver uses is
//! either defined here (what does not depend on the backend, named after its
//! qman.h/bman.h counterpart) or re-exported from the backend under the names
//! every backend provides: a backend that lacks one fails to compile where it
//! is used.

use crate::kapi::napi::NapiCtx;
use core::sync::atomic::AtomicU64;
use dpaa_core::fd::QmFd;

mod sim;

// The one backend selection. The qbman backend will be selected by cfg here
// (`sim` then only without it).
use sim as backend;

// How ports come and go, and the backend's own debugfs files.
pub(crate) use backend::{initial_ports, DpaaDebugfs, Port, PortCtl, MAX_PORTS};

// QMan and its frame queues, BMan and its pools.
pub(crate) use backend::{Bman, Cgr, CgrRef, Fq, FqRange, Pool, PoolRef, Qman};

// The port's device for the DMA API (`FmanPort::dma()`): a `DmaMap` for the
// driver's host buffers, and the host's `Dma` space for its pools.
pub(crate) use backend::PortDma;

// The FMan port, and why its TX side dropped a frame.
pub(crate) use backend::{DropReason, Fman as FmanPort};

// The largest frame a port takes, and where it puts a frame in a host buffer.
pub(crate) use backend::{MAX_FRAME, RX_OFFSET};

// The port's classifier (no mainline counterpart: it is to move above the
// backend).
pub(crate) use backend::{CLASSIFIER_SLOTS, HOST_MEMBER, WIRE_MEMBER};

/// What a port can back; the vDPA layer sizes its devices by it.
pub(crate) struct PortCaps {
    /// Queue pairs one vDPA device may have: the length of its RX FQ range
    /// and its number of TX FQs.
    pub(crate) max_vqp_per_device: u16,
}

/// FQ states (`enum qman_fq_state`), why an enqueue was rejected (ERN), and
/// tail-drop thresholds: the FQ state machine is pure logic, unit-tested in
/// `dpaa_core::fq`.
pub(crate) use dpaa_core::fq::{Ern, FqState, TailDrop};

/// `qman_enqueue()`'s `-EBUSY`: the frame was not taken (it is still the
/// caller's); see [`FrameQueue::enqueue`].
pub(crate) use dpaa_core::ern::Busy;

/// What a dequeue callback tells the portal (`enum qman_cb_dqrr_result`),
/// acted on frame by frame (pure logic, unit-tested in `dpaa_core::dqrr`).
pub(crate) use dpaa_core::dqrr::Dqrr;

/// What is done with the frames of an FQ (`struct qman_fq_cb`).
pub(crate) trait FqHandler: Send + Sync + 'static {
    /// A frame dequeued in `portal`'s poll (`cb.dqrr`).
    fn dqrr(&self, fd: &QmFd, napi: &NapiCtx) -> Dqrr;
    /// A frame still in the FQ at teardown: release what it holds.
    fn drain(&self, fd: &QmFd);
    /// A frame QMan rejected (`cb.ern`), now the handler's again: `why` is
    /// the message's code. Called some time after the enqueue returned
    /// (never within it: the enqueuer's locks are not held): from a
    /// portal's message-ring processing (the model: the FQ's portal's poll;
    /// QMan: a work item of the enqueuing CPU's portal, preemption off), or
    /// at teardown in process context. Must not sleep.
    fn ern(&self, fd: &QmFd, why: Ern);
    /// The end of a batch of `dqrr` calls in one poll: publish what the
    /// batch produced (one used-ring update, one interrupt).
    fn batch_end(&self, _napi: &NapiCtx) {}
}

/// What the owner of a congestion group does on its notifications
/// (`qman_cb_cgr`).
pub(crate) trait CgrHandler: Send + Sync + 'static {
    /// The group entered (`true`) or left congestion. Called in whatever
    /// context the count moved in, hard IRQs off (QMan notifies from the
    /// portal's interrupt): must not sleep.
    fn congestion(&self, congested: bool);
}

/// How a new FQ is initialised (the `opts` and `flags` of
/// `qman_init_fq()`).
#[derive(Clone)]
pub(crate) struct FqInit {
    taildrop: TailDrop,
    /// `QMAN_INITFQ_FLAG_SCHED`: scheduled at once; otherwise parked.
    sched: bool,
    /// `QM_FQCTRL_CGE` + `cgid`: the congestion group it counts in.
    cgr: Option<CgrRef>,
    /// `QM_OAC_CG` + OAL: bytes its group counts per frame on top of the
    /// frame's length (at most [`MAX_OAL`]).
    oal: u32,
}

/// The largest per-frame overhead QMan accounts (`FSL_QMAN_MAX_OAL`).
pub(crate) const MAX_OAL: u32 = 127;

impl FqInit {
    /// Scheduled, with a tail-drop threshold of `n` frames.
    pub(crate) const fn frames(n: usize) -> Self {
        Self {
            taildrop: TailDrop::Frames(n),
            sched: true,
            cgr: None,
            oal: 0,
        }
    }

    /// Scheduled, with a byte tail-drop threshold (`qm_fqd_set_taildrop()`,
    /// what QMan itself has).
    pub(crate) const fn bytes(n: u32) -> Self {
        Self {
            taildrop: TailDrop::Bytes(n),
            sched: true,
            cgr: None,
            oal: 0,
        }
    }

    /// Counted in congestion group `cgr`, each frame as its length plus
    /// `oal` bytes (capped at [`MAX_OAL`], as QMan's field is): what a
    /// frame costs beyond its bytes (an skb, headroom), so that small
    /// frames congest the group too.
    pub(crate) fn cgr(mut self, cgr: CgrRef, oal: u32) -> Self {
        self.cgr = Some(cgr);
        self.oal = oal.min(MAX_OAL);
        self
    }
}

/// Counters of an FQ.
#[derive(Default)]
pub(crate) struct FqStats {
    pub(crate) enqueued: AtomicU64,
    pub(crate) dequeued: AtomicU64,
    pub(crate) ern_taildrop: AtomicU64,
    pub(crate) ern_state: AtomicU64,
    pub(crate) ern_fault: AtomicU64,
}

/// What a user does with one of its FQs (`struct qman_fq`), whatever its
/// handler.
pub(crate) trait FrameQueue: Send + Sync {
    /// `qman_fq_fqid()`.
    fn fqid(&self) -> u32;
    fn stats(&self) -> &FqStats;
    /// `qman_enqueue()`. `Ok` does not mean QMan accepted the frame: a
    /// rejected one comes back later through the handler's `ern`. On
    /// `Err(Busy)` the frame (and its buffer) is still the caller's.
    fn enqueue(&self, fd: QmFd) -> Result<(), Busy>;
}

/// Most buffers one acquire or release moves (the BMan command limit: `num`
/// of `bman_release()` and `bman_acquire()`).
pub(crate) const MAX_BUFS_PER_CMD: usize = 8;
/// BPID of buffers that belong to no pool (TX frames; `FSL_DPAA_BPID_INV`).
pub(crate) const NO_BPID: u8 = 0xff;

/// Counters of a pool.
#[derive(Default)]
pub(crate) struct PoolStats {
    pub(crate) acquired: AtomicU64,
    pub(crate) released: AtomicU64,
    pub(crate) depleted: AtomicU64,
}

/// What the owner of a pool does with a buffer the pool gives back (at
/// teardown, or a release it cannot keep): free it, given its address.
pub(crate) trait BufFree: Send + Sync {
    fn free(&self, addr: u64);
}

/// An address the owner's space does not map for the access.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DmaFault;

/// An owner's address space, as the FMan sees it.
///
/// Every address in a frame descriptor or a buffer pool belongs to its
/// owner's address space: the host's (the kernel's direct map, as the DMA
/// API gives on a board without an IOMMU) or a vDPA device's (its IOTLB).
/// The FMan reaches an address through the owner's `Dma` only; an address
/// the space does not map is a fault the owner hears of, never an access.
///
/// An access is checked and done in one call: a mapping that is removed
/// concurrently is either used whole or not at all, and the owner's unmap
/// returns only once no access through the old mapping is in flight.
pub(crate) trait Dma: Send + Sync {
    /// Copies `out.len()` bytes at `addr` into `out`.
    fn read(&self, addr: u64, out: &mut [u8]) -> Result<(), DmaFault>;

    /// Copies `data` to `addr`.
    fn write(&self, addr: u64, data: &[u8]) -> Result<(), DmaFault>;

    /// The device met an address the space refused: the owner's error.
    fn fault(&self) {}
}
