// SPDX-License-Identifier: GPL-2.0

//! The DPAA API the driver uses: frame queues, portals, buffer pools, ports.
//!
//! One interface, two backends: `sim` (a software model of QMan/BMan/FMan, the
//! default and what the QEMU tests run) and `qbman` (QorIQ hardware
//! through the upstream qman.h/bman.h/FMan drivers). The interface has only what
//! the hardware and its mainline drivers do; classification and switching
//! are the driver's (`crate::switch`), above it.
//!
//! This module is the boundary. The backend is a private module, chosen once
//! below; nothing above `dpaa` names it. What the rest of the driver uses is
//! either defined here (what does not depend on the backend, named after its
//! qman.h/bman.h counterpart) or re-exported from the backend under the names
//! every backend provides: a backend that lacks one fails to compile where it
//! is used.

use crate::kapi::napi::NapiCtx;
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};
use dpaa_core::fd::QmFd;

#[cfg(dpaa_qbman)]
mod qbman;
#[cfg(not(dpaa_qbman))]
mod sim;

// The one backend selection (`DPAA_VDPA_BACKEND=qbman` sets the cfg).
#[cfg(dpaa_qbman)]
use qbman as backend;
#[cfg(not(dpaa_qbman))]
use sim as backend;

// How ports come and go, and the backend's own debugfs files.
pub(crate) use backend::{initial_ports, portal_poll_ms, DpaaDebugfs, Port, PortCtl, MAX_PORTS};

// QMan and its frame queues, BMan and its pools.
pub(crate) use backend::{Bman, Cgr, CgrRef, Fq, FqRange, Pool, PoolRef, Qman};

// The port's device for the DMA API (`FmanPort::dma()`): a `DmaMap` for
// every host buffer the driver gives the port.
pub(crate) use backend::PortDma;

// The FMan port: its RX configuration (KeyGen FQ range, pools by size) and
// its TX FQs, which the port itself consumes.
pub(crate) use backend::{Fman as FmanPort, PortRx, PortTx, MAX_PORT_POOLS};

// The largest frame a port takes, and where it puts a frame in a buffer
// (the port's one data offset).
pub(crate) use backend::{MAX_FRAME, RX_OFFSET};

/// What a port is, for its log line.
#[cfg(not(dpaa_qbman))]
pub(crate) const PORT_KIND: &str = "software DPAA port";
#[cfg(dpaa_qbman)]
pub(crate) const PORT_KIND: &str = "DPAA port";

/// What a port can back; the vDPA layer sizes its devices by it.
pub(crate) struct PortCaps {
    /// Queue pairs one vDPA device may have: the length of its RX FQ range
    /// and its number of TX FQs.
    pub(crate) max_vqp_per_device: u16,
}

/// FQ states (the model's debugfs shows them).
#[cfg(not(dpaa_qbman))]
pub(crate) use dpaa_core::fq::FqState;
/// FQ states (`enum qman_fq_state`), why an enqueue was rejected (ERN), and
/// tail-drop thresholds: the FQ state machine is pure logic, unit-tested in
/// `dpaa_core::fq`.
pub(crate) use dpaa_core::fq::{Ern, TailDrop};

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

/// The owner of a port TX FQ (the `cb.ern` of the FQ it enqueues on, and
/// what a teardown gives back): hears of every frame the port hands back
/// other than through a confirmation FQ or its pool.
pub(crate) trait TxOwner: Send + Sync + 'static {
    /// A frame is back: `fd.status()` is 0 if it was transmitted (its
    /// confirmation could not be queued), non-zero if not (rejected by
    /// QMan, left in the FQ at teardown, failed with no TX error FQ to
    /// take it). Any context, must not sleep.
    fn tx_done(&self, fd: &QmFd);

    /// A frame never given to the port (rejected by QMan, left in the FQ
    /// at teardown): back with `FM_FD_ERR_NON_FM` in its status.
    fn not_sent(&self, fd: &QmFd) {
        let mut c = *fd;
        c.set_status(dpaa_core::fd::status::ERR_NON_FM);
        self.tx_done(&c);
    }
}

/// Why a frame (or one copy of it) was dropped, by the port or by the
/// driver's switch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DropReason {
    Parse = 0,
    NoTarget,
    NoBuffer,
    TailDrop,
    Enqueue,
    TooLong,
    BadFd,
    /// TX with a source MAC that is not the sender's (anti-spoof).
    Spoofed,
    /// A buffer address the IOMMU refused.
    DmaFault,
    /// A destination address the port's MAC filter refused (the model's
    /// MAC counts them; a board's MAC drops them unseen).
    #[cfg_attr(dpaa_qbman, allow(dead_code))]
    Filtered,
}

/// The counter name of each [`DropReason`], in its order.
pub(crate) const DROP_NAMES: [&str; 10] = [
    "drop_parse",
    "drop_no_target",
    "drop_no_buffer",
    "drop_tail_drop",
    "drop_enqueue",
    "drop_too_long",
    "drop_bad_fd",
    "drop_spoofed",
    "drop_dma_fault",
    "drop_filtered",
];

/// Counters of one direction of a port (the port's own, or the switch's).
#[derive(Default)]
pub(crate) struct DirStats {
    pub(crate) frames: AtomicU64,
    pub(crate) bytes: AtomicU64,
    /// Frames (copies) handed on: by the port to its RX FQs, by the switch
    /// to a local entity.
    pub(crate) delivered: AtomicU64,
    /// Extra copies the switch made of a group frame, one per target
    /// beyond the one that gets the frame's own buffer: each is delivered
    /// or dropped like a frame.
    pub(crate) copies: AtomicU64,
    /// Frames sent to the wire.
    pub(crate) to_wire: AtomicU64,
    pub(crate) drops: [AtomicU64; DROP_NAMES.len()],
}

impl DirStats {
    pub(crate) fn drop(&self, r: DropReason) {
        self.drops[r as usize].fetch_add(1, Relaxed);
    }
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
