// SPDX-License-Identifier: GPL-2.0

//! A virtqueue's state, shared by the vDPA config ops (which set it up) and
//! the relay (which runs it in its portal's context).
//!
//! The lock is per virtqueue and taken once per batch by the relay: the
//! config ops only change a queue that is not running, or stop it first.
//! The doorbell has its own IRQ-safe lock: a kick may come with hard IRQs
//! off (vhost-vdpa rings it from an eventfd wakeup).

use super::{kick::Kick, space::AddrSpace, Link};
use crate::{
    dpaa::Fq,
    kapi::{
        sync::{new_spinlock_bh, new_spinlock_irq, SpinLockBh, SpinLockIrq},
        vdpa::Callback,
    },
};
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};
use dpaa_core::vring::{RingError, SplitRing};
use kernel::{c_str, prelude::*, sync::Arc};

/// Largest queue size the device takes.
pub(crate) const VQ_NUM_MAX: u16 = 256;

/// What a virtqueue is for, by its index and the negotiated features.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Role {
    Rx(u16),
    Tx(u16),
    Ctrl,
}

/// Why the relay dropped a chain or frame of a queue (vstats names).
#[derive(Clone, Copy)]
pub(crate) enum VqDrop {
    /// A chain of the wrong shape or size for its queue.
    BadChain = 0,
    /// The TX frame queue refused the frame.
    Enqueue,
    /// The FMan refused the frame (anti-spoof, malformed).
    TxError,
    /// A source MAC that is not the device's.
    Spoofed,
    /// An address the device's space does not map.
    Fault,
    /// No buffer: an RX frame with no chain available, a TX frame with no
    /// port buffer free.
    NoBuffer,
    /// An RX frame that arrived while the device was suspended.
    Suspended,
}

pub(crate) const VQ_DROP_NAMES: [&CStr; 7] = [
    c_str!("drop_bad_chain"),
    c_str!("drop_enqueue"),
    c_str!("drop_tx_error"),
    c_str!("drop_spoofed"),
    c_str!("drop_fault"),
    c_str!("drop_no_buffer"),
    c_str!("drop_suspended"),
];

/// Counters of a virtqueue (`vdpa dev vstats show`).
#[derive(Default)]
pub(crate) struct VqStats {
    pub(crate) kicks: AtomicU64,
    /// Chains taken from the avail ring.
    pub(crate) descs: AtomicU64,
    /// Frames through the queue (TX: handed to the FMan; RX: to the driver).
    pub(crate) frames: AtomicU64,
    pub(crate) bytes: AtomicU64,
    /// Chains given back in the used ring.
    pub(crate) used: AtomicU64,
    /// Callbacks (interrupts) raised.
    pub(crate) irqs: AtomicU64,
    /// By [`VqDrop`] reason, in the order of [`VQ_DROP_NAMES`].
    pub(crate) drops: [AtomicU64; VQ_DROP_NAMES.len()],
}

impl VqStats {
    /// A TX frame of `len` bytes handed on.
    pub(crate) fn sent(&self, len: u32) {
        self.frames.fetch_add(1, Relaxed);
        self.bytes.fetch_add(len.into(), Relaxed);
    }

    /// A TX frame counted by [`Self::sent`] that did not go after all
    /// (`sent` came first; saturating all the same: a counter must never
    /// wrap).
    pub(crate) fn unsent(&self, len: u32) {
        let sub = |c: &AtomicU64, n: u64| {
            let _ = c.fetch_update(Relaxed, Relaxed, |v| Some(v.saturating_sub(n)));
        };
        sub(&self.frames, 1);
        sub(&self.bytes, len.into());
    }

    pub(crate) fn drop(&self, r: VqDrop) {
        // One counter per reason (the array is as long as the names);
        // `get` keeps a panic path out of the datapath all the same.
        if let Some(c) = self.drops.get(r as usize) {
            c.fetch_add(1, Relaxed);
        }
    }
}

/// A virtqueue's configuration and, while running, its ring.
pub(crate) struct VqState {
    pub(crate) desc: u64,
    pub(crate) driver: u64,
    pub(crate) device: u64,
    pub(crate) num: u16,
    pub(crate) ready: bool,
    pub(crate) cb: Callback,
    /// Next avail index while not running (get/set_vq_state).
    pub(crate) last_avail: u16,
    /// The ring, while the device runs and the queue is ready.
    pub(crate) ring: Option<SplitRing>,
    /// The queue's frame queues and pool, while the device runs.
    pub(crate) link: Option<Link>,
    /// The device is suspended: nothing is taken from the ring or written
    /// to it, no interrupt raised, until it resumes.
    pub(crate) suspended: bool,
}

impl VqState {
    /// The driver's callback, counted.
    pub(crate) fn notify(&self, stats: &VqStats) {
        stats.irqs.fetch_add(1, Relaxed);
        self.cb.call();
    }

    /// Stops the ring, if it runs, keeping where it was (`last_avail`, for
    /// get_vq_state and a restart). Entries pushed and not published yet
    /// (an RX batch cut short) become visible first: nothing is left
    /// behind. `Ok(true)`: the driver wants an interrupt for them.
    pub(crate) fn stop_ring(&mut self, mem: &AddrSpace) -> Result<bool, RingError> {
        let Some(mut r) = self.ring.take() else {
            return Ok(false);
        };
        self.last_avail = r.last_avail;
        r.publish(mem)
    }
}

/// One virtqueue.
#[pin_data]
pub(crate) struct Vq {
    pub(crate) idx: u16,
    #[pin]
    pub(crate) st: SpinLockBh<VqState>,
    /// The doorbell FQ while the queue is linked (the link's, shared).
    #[pin]
    bell: SpinLockIrq<Option<Arc<Fq<Kick>>>>,
    pub(crate) stats: VqStats,
}

impl Vq {
    pub(crate) fn new(idx: u16) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            idx,
            st <- new_spinlock_bh!(
                VqState {
                    desc: 0,
                    driver: 0,
                    device: 0,
                    num: 0,
                    ready: false,
                    cb: Callback::NONE,
                    last_avail: 0,
                    ring: None,
                    link: None,
                    suspended: false,
                },
                "vdpa_vq"
            ),
            bell <- new_spinlock_irq!(None, "vdpa_vq_bell"),
            stats: VqStats::default(),
        }? Error)
    }

    /// A kick from the driver: wake the queue's relay (coalesced: a kick
    /// while one is pending is the same kick).
    pub(crate) fn kick(&self) {
        self.stats.kicks.fetch_add(1, Relaxed);
        if let Some(fq) = &*self.bell.lock() {
            Kick::ring(fq);
        }
    }

    /// Connects the queue's doorbell (`Some`) or disconnects it (`None`).
    pub(crate) fn set_bell(&self, fq: Option<Arc<Fq<Kick>>>) {
        let old = core::mem::replace(&mut *self.bell.lock(), fq);
        // The last reference may free the FQ: not with IRQs off.
        drop(old);
    }
}
