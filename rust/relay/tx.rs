// SPDX-License-Identifier: GPL-2.0

//! Guest TX: a chain becomes an S/G frame descriptor whose entries point at
//! the chain's buffers (no copy), past the virtio-net header. The FMan side
//! of the TX FQ reads the frame through the device's address space, checks
//! its source MAC (anti-spoof) and switches or transmits it; the
//! confirmation completes the chain.

use super::{
    kick::Kick,
    vq::{Vq, VqDrop, VqState},
    Device, Link, LinkKind, SgRef, HDR_LEN, SG_MAX,
};
use crate::{
    dpaa::{Dma, Dqrr, DropReason, Ern, Fq, FqHandler, FrameQueue, MAX_FRAME, NO_BPID},
    kapi::{backref::BackRef, dma::DmaMap, napi::NapiCtx},
};
use core::{cell::UnsafeCell, sync::atomic::Ordering::Relaxed};
use dpaa_core::{
    fd::{walk_sg, Format, QmFd, SgEntry, SG_ENTRY_SIZE},
    vring::Chain,
};
use kernel::{prelude::*, sync::Arc};

/// Chains taken per kick before the relay yields (and re-kicks itself).
const BUDGET: usize = 64;
/// Bytes of the buffer a frame split over several pieces is gathered into.
pub(crate) const SCRATCH: usize = MAX_FRAME as usize;

/// Builds the S/G FD of a TX chain in its table slot.
fn build(c: &Chain<SG_MAX>, sg: &SgRef, dma: &dyn DmaMap) -> Option<QmFd> {
    if c.truncated || c.readable == 0 || c.n != c.readable {
        return None;
    }
    let len = c.read_len.checked_sub(HDR_LEN as u64)?;
    if !(14..=MAX_FRAME as u64).contains(&len) {
        return None;
    }
    let mut pieces = [(0u64, 0u32); SG_MAX];
    let mut k = 0;
    let mut skip = HDR_LEN as u64;
    for s in c.readable() {
        if skip >= s.len as u64 {
            skip -= s.len as u64;
            continue;
        }
        pieces[k] = (s.addr.checked_add(skip)?, s.len - skip as u32);
        skip = 0;
        k += 1;
    }
    for (i, &(addr, n)) in pieces[..k].iter().enumerate() {
        let e = SgEntry::new(NO_BPID, addr, 0, n, i + 1 == k).ok()?;
        sg.fill(c.head, i, &e.to_bytes());
    }
    let fd = QmFd::sg(NO_BPID, sg.addr(c.head), 0, len as u32).ok()?;
    sg.sync(dma, c.head);
    Some(fd)
}

/// A kick of TX queue `vq`: send what the driver made available.
pub(crate) fn process(dev: &dyn Device, vq: &Vq) {
    let mem = dev.space_of(vq.idx);
    let s = &vq.stats;
    let mut c = Chain::<SG_MAX>::default();
    let mut st = vq.st.lock();
    let (notify, err) = {
        let VqState { ring, link, .. } = &mut *st;
        let (
            Some(ring),
            Some(Link {
                doorbell,
                kind: LinkKind::Tx { fq, sg },
            }),
        ) = (ring.as_mut(), link.as_ref())
        else {
            return;
        };
        let (mut n, mut completed, mut err) = (0, false, false);
        // No kicks needed while chains are being taken anyway.
        let _ = ring.set_no_notify(mem, true);
        while n < BUDGET {
            match ring.pop(mem, &mut c) {
                Ok(true) => {}
                Ok(false) => break,
                Err(_) => {
                    err = true;
                    break;
                }
            }
            n += 1;
            s.descs.fetch_add(1, Relaxed);
            match build(&c, sg, &**dev.fman().dma()) {
                Some(fd) => match fq.enqueue(fd) {
                    Ok(()) => {
                        s.frames.fetch_add(1, Relaxed);
                        s.bytes.fetch_add(fd.length() as u64, Relaxed);
                        continue;
                    }
                    Err(_) => s.drop(VqDrop::Enqueue),
                },
                None => s.drop(VqDrop::BadChain),
            }
            // Not sent: complete it now.
            if ring.push_used(mem, c.head, 0).is_err() {
                err = true;
                break;
            }
            s.used.fetch_add(1, Relaxed);
            completed = true;
        }
        // More to do, or a chain made available after the last look but
        // before kicks were asked for again (it sent none): come back.
        let again = n == BUDGET
            || (!err
                && ring.set_no_notify(mem, false).is_ok()
                && ring.pending(mem).is_ok_and(|p| p > 0));
        if again {
            Kick::ring(doorbell);
        }
        let notify = completed
            && ring.publish(mem).unwrap_or_else(|_| {
                err = true;
                false
            });
        (notify, err)
    };
    if notify {
        st.notify(s);
    }
    drop(st);
    if err {
        dev.device_error();
    }
}

/// The FMan side of a device's TX FQ.
pub(crate) struct DevFmanTx {
    /// The device; its datapath (holding this FQ) goes first.
    dev: BackRef<dyn Device>,
    vq: u16,
    conf: Arc<Fq<TxConf>>,
    /// Where a frame in several pieces is gathered for the parser.
    scratch: UnsafeCell<KVec<u8>>,
}

// SAFETY: `scratch` is only used by `dqrr`, and an FQ is dequeued by one
// poll at a time (its portal's NAPI); the rest is Send and Sync.
unsafe impl Send for DevFmanTx {}
// SAFETY: as above.
unsafe impl Sync for DevFmanTx {}

impl DevFmanTx {
    pub(crate) fn new(
        dev: BackRef<dyn Device>,
        vq: u16,
        conf: Arc<Fq<TxConf>>,
        scratch: Option<KVec<u8>>,
    ) -> Self {
        Self {
            dev,
            vq,
            conf,
            scratch: UnsafeCell::new(scratch.unwrap_or_default()),
        }
    }

    /// Reads the frame of `fd` and hands it to the FMan. Every byte is read
    /// from the driver's memory once, into the FMan's buffer (the port's
    /// DMA); the source MAC check, the parse, the classification and the
    /// copies all use that copy, which the driver cannot change any more.
    fn transmit(&self, dev: &dyn Device, fd: &QmFd) -> Result<(), VqDrop> {
        if fd.format() != Some(Format::Sg) {
            return Err(VqDrop::TxError);
        }
        // The FMan reads the S/G table through the port's IOMMU (a slot of
        // the queue's table, mapped while the datapath lives).
        let mut table = [0u8; SG_MAX * SG_ENTRY_SIZE];
        dev.fman()
            .dma()
            .read(fd.addr(), &mut table)
            .map_err(|_| VqDrop::TxError)?;
        let mut pieces = [(0u64, 0u32); SG_MAX];
        let mut k = 0;
        walk_sg(&table, SG_MAX, fd.length(), |e| {
            pieces[k] = (e.addr() + e.offset() as u64, e.length());
            k += 1;
        })
        .map_err(|_| VqDrop::TxError)?;
        let frame = self
            .gather(dev.space_of(self.vq), &pieces[..k])
            .inspect_err(|e| {
                if matches!(e, VqDrop::Fault) {
                    dev.device_error();
                }
            })?;
        dev.fman()
            .tx_frame(frame, dev.member(), dev.spoofchk())
            .map_err(|r| match r {
                DropReason::Spoofed => VqDrop::Spoofed,
                _ => VqDrop::TxError,
            })
    }

    /// Copies the pieces into the scratch buffer: the FMan's buffer of the
    /// frame.
    fn gather(&self, space: &dyn Dma, pieces: &[(u64, u32)]) -> Result<&[u8], VqDrop> {
        // SAFETY: only `dqrr` gets here, one poll at a time (see Sync).
        let scratch = unsafe { &mut *self.scratch.get() };
        let mut off = 0usize;
        for &(addr, len) in pieces {
            let end = off.checked_add(len as usize).ok_or(VqDrop::TxError)?;
            let dst = scratch.get_mut(off..end).ok_or(VqDrop::TxError)?;
            space.read(addr, dst).map_err(|_| VqDrop::Fault)?;
            off = end;
        }
        Ok(&scratch[..off])
    }
}

impl FqHandler for DevFmanTx {
    fn dqrr(&self, fd: &QmFd, _napi: &NapiCtx) -> Dqrr {
        let dev = self.dev.get();
        let ok = match self.transmit(dev, fd) {
            Ok(()) => true,
            Err(r) => {
                dev.vqs()[self.vq as usize].stats.drop(r);
                false
            }
        };
        let mut c = *fd;
        c.set_status(if ok { 0 } else { 1 });
        if self.conf.enqueue(c).is_err() {
            // Not taken: the chain completes now.
            self.conf.handler().complete_now(&c);
        }
        Dqrr::Consume
    }

    fn drain(&self, _fd: &QmFd) {}

    /// A frame QMan rejected on the TX FQ: not sent, its chain completes.
    fn ern(&self, fd: &QmFd, _why: Ern) {
        let dev = self.dev.get();
        dev.vqs()[self.vq as usize].stats.drop(VqDrop::Enqueue);
        self.conf.handler().complete_now(fd);
    }
}

/// The relay side of a device's TX-confirmation FQ.
pub(crate) struct TxConf {
    /// The device; its datapath (holding this FQ) goes first.
    pub(crate) dev: BackRef<dyn Device>,
    pub(crate) vq: u16,
}

impl TxConf {
    /// Publishes the chains completed since the last time (one used-ring
    /// update, one interrupt if the driver wants it).
    fn publish(&self) {
        let dev = self.dev.get();
        let vq = &dev.vqs()[self.vq as usize];
        let mem = dev.space_of(self.vq);
        let mut st = vq.st.lock();
        let Some(ring) = st.ring.as_mut() else {
            return;
        };
        match ring.publish(mem) {
            Ok(true) => st.notify(&vq.stats),
            Ok(false) => {}
            Err(_) => {
                drop(st);
                dev.device_error();
            }
        }
    }

    /// [`TxConf::complete`] outside a dequeue batch (a rejection, a
    /// confirmation not queued): no batch end follows to publish it.
    fn complete_now(&self, fd: &QmFd) {
        self.complete(fd);
        self.publish();
    }

    /// The chain of a frame back from the port (or never sent): used, with
    /// nothing written.
    fn complete(&self, fd: &QmFd) {
        let dev = self.dev.get();
        let vq = &dev.vqs()[self.vq as usize];
        let mem = dev.space_of(self.vq);
        let mut st = vq.st.lock();
        let VqState { ring, link, .. } = &mut *st;
        if let (
            Some(ring),
            Some(Link {
                kind: LinkKind::Tx { sg, .. },
                ..
            }),
        ) = (ring.as_mut(), link.as_ref())
        {
            if let Some(head) = sg.head_of(fd.addr()) {
                if ring.push_used(mem, head, 0).is_ok() {
                    vq.stats.used.fetch_add(1, Relaxed);
                    return;
                }
            }
            drop(st);
            dev.device_error();
        }
    }
}

impl FqHandler for TxConf {
    fn dqrr(&self, fd: &QmFd, _napi: &NapiCtx) -> Dqrr {
        self.complete(fd);
        Dqrr::Consume
    }

    fn drain(&self, _fd: &QmFd) {}

    /// A confirmation QMan rejected still completes its chain.
    fn ern(&self, fd: &QmFd, _why: Ern) {
        self.complete_now(fd);
    }

    fn batch_end(&self, _napi: &NapiCtx) {
        self.publish();
    }
}
