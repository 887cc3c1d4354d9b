// SPDX-License-Identifier: GPL-2.0

//! FMan port model: what the port's hardware does to a frame.
//!
//! RX (a frame from the wire): parse, classify, hash over the target's FQ
//! range, acquire a buffer from the target's pool, "DMA" the frame into it
//! at [`RX_OFFSET`], enqueue the FD. TX (a frame a local entity enqueued on
//! its TX FQ): parse and classify; a matching local entity gets it through
//! the same RX path (the internal switch), anything else goes to the wire;
//! group frames go to every subscribed entity and the wire. Drops are
//! counted by reason. The copy into the buffer is the only copy.

use super::{bman::Bman, dma::PortDma, qman::Qman};
use crate::{
    dpaa::Ern,
    ffi,
    kapi::sync::{new_spinlock_bh, SpinLockBh},
};
use core::sync::atomic::{AtomicPtr, AtomicU64, Ordering::Relaxed};
use dpaa_core::{
    classify::{Classifier, Target, MAX_MEMBERS},
    fd::{Format, QmFd},
    hash::{flow_hash, pick, HashConfig},
    parse::{parse, Parsed},
};
use kernel::{c_str, prelude::*, sync::Arc};

/// Where the FMan writes a received frame in a host buffer (the FD offset).
pub(crate) const RX_OFFSET: u16 = 64;
/// Largest frame the port takes (FMan's maximum receive frame).
pub(crate) const MAX_FRAME: u32 = 9600;
/// Rule table capacity of a port's classifier (per key kind).
pub(crate) const CLASSIFIER_SLOTS: usize = 256;
/// The host netdev's member number on its port.
pub(crate) const HOST_MEMBER: u8 = 0;
/// The member number that owns the wire end's MAC (it receives nothing
/// through the classifier: frames for it go out on the wire).
pub(crate) const WIRE_MEMBER: u8 = MAX_MEMBERS as u8 - 1;

/// Why a frame (or one copy of it) was dropped.
#[derive(Clone, Copy)]
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
    /// A buffer address its owner's address space does not map.
    DmaFault,
}

/// The counter name of each [`DropReason`], in its order.
const DROP_NAMES: [&str; 9] = [
    "drop_parse",
    "drop_no_target",
    "drop_no_buffer",
    "drop_tail_drop",
    "drop_enqueue",
    "drop_too_long",
    "drop_bad_fd",
    "drop_spoofed",
    "drop_dma_fault",
];

/// Counters of one direction.
#[derive(Default)]
pub(crate) struct DirStats {
    pub(crate) frames: AtomicU64,
    pub(crate) bytes: AtomicU64,
    /// Copies handed to a local entity.
    pub(crate) delivered: AtomicU64,
    /// Frames sent to the wire (TX only).
    pub(crate) to_wire: AtomicU64,
    pub(crate) drops: [AtomicU64; 9],
}

impl DirStats {
    pub(crate) fn drop(&self, r: DropReason) {
        self.drops[r as usize].fetch_add(1, Relaxed);
    }
}

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
            bpid: 0,
            member: 0,
            pool_per_fq: false,
        }; MAX_MEMBERS + 1],
        n: 0,
        matched: false,
    };

    fn targets(&self) -> &[Target] {
        &self.targets[..self.n]
    }
}

/// The FMan side of a port.
#[pin_data]
pub(crate) struct Fman {
    pub(crate) id: u32,
    qman: Arc<Qman>,
    bman: Arc<Bman>,
    /// The port's device, as the FMan reaches host memory.
    dma: Arc<PortDma>,
    #[pin]
    classifier: SpinLockBh<KBox<Classifier<CLASSIFIER_SLOTS>>>,
    hash: HashConfig,
    /// The wire end's net_device while it is registered (read in BH context,
    /// cleared and then waited for with synchronize_net before it goes).
    wire: AtomicPtr<ffi::net_device>,
    /// From the wire.
    pub(super) rx: DirStats,
    /// From local entities.
    pub(super) tx: DirStats,
}

impl Fman {
    pub(super) fn new(
        id: u32,
        qman: Arc<Qman>,
        bman: Arc<Bman>,
        dma: Arc<PortDma>,
    ) -> Result<Arc<Self>> {
        // Zeroed memory is an empty classifier (dpaa_core guarantees it); it
        // is too big for the stack.
        let cls = KBox::<Classifier<CLASSIFIER_SLOTS>>::new_uninit(GFP_KERNEL | __GFP_ZERO)?;
        // SAFETY: zero-filled, which is a valid empty classifier.
        let cls = unsafe { cls.assume_init() };
        Arc::pin_init(
            try_pin_init!(Self {
                id,
                qman,
                bman,
                dma,
                classifier <- new_spinlock_bh!(cls, "fman_classifier"),
                hash: HashConfig::default(),
                wire: AtomicPtr::new(core::ptr::null_mut()),
                rx: DirStats::default(),
                tx: DirStats::default(),
            }? Error),
            GFP_KERNEL,
        )
    }

    /// The QMan the port's FQs are created on.
    pub(crate) fn qman(&self) -> &Arc<Qman> {
        &self.qman
    }

    /// The BMan the port's pools are created on.
    pub(crate) fn bman(&self) -> &Arc<Bman> {
        &self.bman
    }

    /// The port's device for the DMA API: every host buffer the driver
    /// gives the port is mapped through it.
    pub(crate) fn dma(&self) -> &Arc<PortDma> {
        &self.dma
    }

    /// The `bus_info` of the port's devices (ethtool): the model's bus.
    pub(crate) fn bus_info(&self) -> &'static CStr {
        c_str!("dpaa_sim")
    }

    /// Calls `f(dir, name, value)` for every counter of the port, always
    /// in the same order: direction `"rx"` (from the wire), then `"tx"`
    /// (from local entities), each with `frames`, `bytes`, `delivered`,
    /// `to_wire`, then `drop_<reason>` for every [`DropReason`]; then the
    /// port's IOMMU (`"iommu"`): `maps`, `unmaps`, `map_failed`, `faults`,
    /// `bad_unmaps` and the `pages` mapped now.
    pub(crate) fn counters(&self, f: &mut dyn FnMut(&str, &str, u64)) {
        for (dir, s) in [("rx", &self.rx), ("tx", &self.tx)] {
            for (name, a) in [
                ("frames", &s.frames),
                ("bytes", &s.bytes),
                ("delivered", &s.delivered),
                ("to_wire", &s.to_wire),
            ] {
                f(dir, name, a.load(Relaxed));
            }
            for (&name, a) in DROP_NAMES.iter().zip(s.drops.iter()) {
                f(dir, name, a.load(Relaxed));
            }
        }
        let m = &self.dma.stats;
        for (name, a) in [
            ("maps", &m.maps),
            ("unmaps", &m.unmaps),
            ("map_failed", &m.map_failed),
            ("faults", &m.faults),
            ("bad_unmaps", &m.bad_unmaps),
        ] {
            f("iommu", name, a.load(Relaxed));
        }
        f("iommu", "pages", self.dma.pages() as u64);
    }

    /// Runs `f` on the classifier (configuration: rules, members).
    pub(crate) fn with_classifier<R>(
        &self,
        f: impl FnOnce(&mut Classifier<CLASSIFIER_SLOTS>) -> R,
    ) -> R {
        f(&mut self.classifier.lock())
    }

    pub(super) fn set_wire(&self, dev: *mut ffi::net_device) {
        self.wire.store(dev, Relaxed);
        if dev.is_null() {
            // SAFETY: waits for BH-context users of the old pointer.
            unsafe { ffi::synchronize_net() };
        }
    }

    /// A frame arriving from the wire.
    pub(super) fn rx_from_wire(&self, frame: &[u8]) {
        let s = &self.rx;
        s.frames.fetch_add(1, Relaxed);
        s.bytes.fetch_add(frame.len() as u64, Relaxed);
        if frame.len() as u32 > MAX_FRAME {
            return s.drop(DropReason::TooLong);
        }
        let Ok(p) = parse(frame) else {
            return s.drop(DropReason::Parse);
        };
        let r = self.route(&p, None);
        if r.targets().is_empty() {
            return s.drop(DropReason::NoTarget);
        }
        let hash = flow_hash(&self.hash, &p);
        r.targets()
            .iter()
            .for_each(|t| self.deliver(frame, *t, hash, s));
    }

    /// Where a parsed frame goes, under one classifier lock: the unicast
    /// target (a rule's, or the default for frames from the wire), then one
    /// target per member getting a copy; never back to `from`, the sender.
    /// A frame from a member only goes to a local target a rule names.
    fn route(&self, p: &Parsed, from: Option<u8>) -> Route {
        Self::route_in(&self.classifier.lock(), p, from)
    }

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

    /// "DMA" a frame into a buffer of `t`'s pool (the one of the chosen FQ
    /// if the target has a pool per FQ) and enqueue it on that FQ.
    fn deliver(&self, frame: &[u8], t: Target, hash: u32, s: &DirStats) {
        let i = pick(hash, t.fq_count.max(1));
        let bpid = if t.pool_per_fq {
            t.bpid.wrapping_add(i as u8)
        } else {
            t.bpid
        };
        let Some(pool) = self.bman.lookup(bpid) else {
            return s.drop(DropReason::NoBuffer);
        };
        let off = pool.offset();
        if off as u32 + frame.len() as u32 > pool.room() {
            return s.drop(DropReason::TooLong);
        }
        let mut buf = [0u64; 1];
        if !pool.acquire(&mut buf) {
            return s.drop(DropReason::NoBuffer);
        }
        // The buffer is the pool owner's until enqueued or released; a
        // buffer its space does not map is the owner's error, and is not
        // given back.
        if pool
            .dma()
            .write(buf[0].wrapping_add(off as u64), frame)
            .is_err()
        {
            pool.dma().fault();
            return s.drop(DropReason::DmaFault);
        }
        let Ok(fd) = QmFd::contig(bpid, buf[0], off, frame.len() as u32) else {
            let _ = pool.release(&buf);
            return s.drop(DropReason::BadFd);
        };
        match self.qman.fman_enqueue(t.fqid + i as u32, fd) {
            Ok(()) => {
                s.delivered.fetch_add(1, Relaxed);
            }
            Err(e) => {
                let _ = pool.release(&buf);
                s.drop(if matches!(e, Ern::TailDrop | Ern::CgrTailDrop) {
                    DropReason::TailDrop
                } else {
                    DropReason::Enqueue
                });
            }
        }
    }

    /// A host frame member `from` enqueued on its TX FQ: one contiguous
    /// buffer in the host's space. Returns whether it went anywhere.
    pub(crate) fn tx(&self, fd: &QmFd, from: u8) -> bool {
        let len = fd.length();
        if fd.format() != Some(Format::Contig) || !(14..=MAX_FRAME).contains(&len) {
            self.tx.drop(DropReason::BadFd);
            return false;
        }
        let addr = fd.addr() + fd.offset() as u64;
        // SAFETY: the sender (the host interface) keeps the frame's buffer
        // (`len` bytes at the offset) mapped until its TX confirmation.
        let Ok(frame) = (unsafe { self.dma.borrow(addr, len as usize) }) else {
            self.tx.drop(DropReason::DmaFault);
            return false;
        };
        self.tx_frame(frame, from, false).is_ok()
    }

    /// A frame from member `from`, already read from its buffers (this copy
    /// is what every decision is made on). With `spoofchk`, its source MAC
    /// must be one `from` owns (anti-spoof).
    pub(crate) fn tx_frame(
        &self,
        frame: &[u8],
        from: u8,
        spoofchk: bool,
    ) -> core::result::Result<(), DropReason> {
        let s = &self.tx;
        if !(14..=MAX_FRAME as usize).contains(&frame.len()) {
            s.drop(DropReason::BadFd);
            return Err(DropReason::BadFd);
        }
        let src: [u8; 6] = frame[6..12].try_into().unwrap_or_default();
        // The parser does not stop transmission: unparsable frames go out.
        let parsed = parse(frame).ok();
        let r = {
            let c = self.classifier.lock();
            if spoofchk && c.owner(&src) != Some(from) {
                drop(c);
                s.drop(DropReason::Spoofed);
                return Err(DropReason::Spoofed);
            }
            match &parsed {
                Some(p) => Self::route_in(&c, p, Some(from)),
                None => Route::NONE,
            }
        };
        s.frames.fetch_add(1, Relaxed);
        s.bytes.fetch_add(frame.len() as u64, Relaxed);
        let hash = parsed.as_ref().map_or(0, |p| flow_hash(&self.hash, p));
        r.targets()
            .iter()
            .for_each(|t| self.deliver(frame, *t, hash, s));
        // Unknown unicast and group frames also go out on the wire.
        if !r.matched || frame[0] & 1 != 0 {
            self.to_wire(frame);
        }
        Ok(())
    }

    fn to_wire(&self, frame: &[u8]) {
        let dev = self.wire.load(Relaxed);
        if dev.is_null() {
            return self.tx.drop(DropReason::NoTarget);
        }
        // SAFETY: set while the wire device is registered; we run in BH
        // context, which `set_wire(null)` waits out before it goes.
        let wire = unsafe { crate::kapi::netdev::NetDev::from_raw(dev) };
        let Some(skb) = wire.alloc_skb(frame.len() as u32) else {
            return self.tx.drop(DropReason::NoBuffer);
        };
        // SAFETY: a fresh skb with `len` bytes of tailroom.
        unsafe {
            let p = ffi::skb_put(skb.as_ptr(), frame.len() as u32);
            core::ptr::copy_nonoverlapping(frame.as_ptr(), p.cast::<u8>(), frame.len());
        }
        self.tx.to_wire.fetch_add(1, Relaxed);
        wire.rx(skb);
    }
}
