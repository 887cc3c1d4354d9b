// SPDX-License-Identifier: GPL-2.0

//! The relay: virtqueues <-> frame queues.
//!
//! Per queue pair `i`, all on portal `i`: the TX queue's chains become frame
//! descriptors (S/G, pointing at the driver's buffers: no copy) on TX FQ `i`,
//! which the FMan transmits and returns on TX-confirm FQ `i`, where the
//! chains are completed; the RX queue lends its buffers to pool `i`, the
//! FMan writes frames into them and enqueues them on RX FQ `i`, where the
//! relay adds the virtio-net header and completes them. Kicks are FDs on a
//! depth-1 doorbell FQ per queue (a kick while one is pending is the same
//! kick), so every ring is only touched from its portal's context.

pub(crate) mod kick;
pub(crate) mod rx;
pub(crate) mod space;
pub(crate) mod tx;
pub(crate) mod vq;

use crate::{
    dpaa::{
        BufFree, Dma, DmaFault, FmanPort, Fq, FqInit, FqRange, FrameQueue, Pool, PoolRef, PortDma,
    },
    kapi::{
        backref::BackRef,
        dma::{Dir, DmaMap},
        vdpa::VqStatsMsg,
    },
};
use core::{ptr::NonNull, sync::atomic::Ordering::Relaxed};
use dpaa_core::{classify::Target, fd::SG_ENTRY_SIZE, vring::SplitRing};
use kernel::{c_str, prelude::*, sync::Arc};
use kick::Kick;
use rx::RxFq;
use space::AddrSpace;
use tx::{DevFmanTx, TxConf};
use vq::{Role, RxBufs, Vq, VQ_NUM_MAX};

/// What the relay needs of the virtio-net device whose queues it runs (the
/// vDPA device of `vdpa/net.rs` implements it): the relay moves frames and
/// keeps the rings, the device owns its configuration, features, status
/// and control queue.
pub(crate) trait Device: Send + Sync {
    /// The device's virtqueues, by index.
    fn vqs(&self) -> &[Pin<KBox<Vq>>];
    /// What queue `idx` is for under the negotiated features.
    fn role(&self, idx: u16) -> Option<Role>;
    /// The address space of queue `idx`'s rings and buffers.
    fn space_of(&self, idx: u16) -> &AddrSpace;
    /// The address space of the data queues' buffers (RX pools lend them).
    fn data_space(&self) -> &AddrSpace;
    /// Bytes of one RX buffer: the header and the largest frame.
    fn rx_room(&self) -> u32;
    /// The driver broke the rules: the device needs a reset.
    fn device_error(&self);
    /// Whether it does (nothing more is processed until then).
    fn broken(&self) -> bool;
    /// The port the device is on, and its member (classifier entity) there.
    fn fman(&self) -> &Arc<FmanPort>;
    fn member(&self) -> u8;
    /// Whether TX frames must carry a source MAC the device owns.
    fn spoofchk(&self) -> bool;
    /// Queue pairs the negotiated features allow.
    fn pairs_possible(&self) -> u16;
    /// The control queue's index, if negotiated.
    fn cvq(&self) -> Option<u16>;
    /// A kick of the control queue: run the commands made available.
    fn control(&self, vq: &Vq);
}

/// The RX pools' view of the device's data address space.
struct DataDma {
    /// The device; its datapath (and so the pools holding this) goes first.
    dev: BackRef<dyn Device>,
}

impl DataDma {
    fn dev(&self) -> &dyn Device {
        self.dev.get()
    }
}

impl Dma for DataDma {
    fn read(&self, addr: u64, out: &mut [u8]) -> Result<(), DmaFault> {
        Dma::read(self.dev().data_space(), addr, out)
    }

    fn write(&self, addr: u64, data: &[u8]) -> Result<(), DmaFault> {
        Dma::write(self.dev().data_space(), addr, data)
    }

    fn fault(&self) {
        self.dev().device_error();
    }
}

/// Bytes of the virtio-net header (`struct virtio_net_hdr_mrg_rxbuf`,
/// VERSION_1) in front of every frame.
pub(crate) const HDR_LEN: usize = 12;
/// S/G entries of one TX chain (a linear frame needs 1-2; an skb with all
/// its fragments MAX_SKB_FRAGS + 2).
pub(crate) const SG_MAX: usize = 20;
/// Bytes of a control command the device reads (a MAC table of ~680
/// addresses): the control queue's scratch buffer.
pub(crate) const CVQ_SCRATCH: usize = 4096;
/// Bytes of a chain's S/G table slot.
const SG_SLOT: usize = SG_MAX * SG_ENTRY_SIZE;

/// The S/G tables of a TX queue: a slot per descriptor head, in host memory
/// the FMan reads (the FD points at the slot, so the confirmation gives the
/// head back), mapped for the port's device while the table lives.
///
/// The CPU writes a slot, then syncs it for the device, before the FD
/// that points at it is enqueued (a no-op where the FMan is coherent, as
/// on LS1043A/LS1046A).
pub(crate) struct SgTable {
    mem: KVec<u8>,
    iova: u64,
    dma: Arc<PortDma>,
}

/// Where a TX queue's S/G tables are (a copy of the table's pointers).
#[derive(Clone, Copy)]
pub(crate) struct SgRef {
    base: *mut u8,
    iova: u64,
}

// SAFETY: the table outlives every queue state and FQ that holds the
// reference (the datapath drops it last); slots are written by the TX
// queue's relay and read by the FMan between enqueue and confirmation.
unsafe impl Send for SgRef {}
// SAFETY: as above.
unsafe impl Sync for SgRef {}

impl SgTable {
    fn new(dma: &Arc<PortDma>) -> Result<Self> {
        let mut mem = KVec::from_elem(0, VQ_NUM_MAX as usize * SG_SLOT, GFP_KERNEL)?;
        let len = mem.len();
        let ptr = NonNull::new(mem.as_mut_ptr()).ok_or(ENOMEM)?;
        // SAFETY: the table's memory is ours and is unmapped (drop) before
        // it is freed.
        let iova = unsafe { dma.map(ptr, len, Dir::ToDevice) }.ok_or(ENOMEM)?;
        Ok(Self {
            mem,
            iova,
            dma: dma.clone(),
        })
    }

    fn as_ref(&mut self) -> SgRef {
        SgRef {
            base: self.mem.as_mut_ptr(),
            iova: self.iova,
        }
    }
}

impl Drop for SgTable {
    fn drop(&mut self) {
        // SAFETY: mapped in `new`; the datapath drops the table after every
        // FQ whose frames point into it.
        unsafe { self.dma.unmap(self.iova, self.mem.len(), Dir::ToDevice) };
    }
}

impl SgRef {
    /// Writes S/G entry `i` (< SG_MAX) of chain `head`'s slot.
    fn fill(&self, head: u16, i: usize, e: &[u8; SG_ENTRY_SIZE]) {
        debug_assert!(head < VQ_NUM_MAX && i < SG_MAX);
        let off = head as usize % VQ_NUM_MAX as usize * SG_SLOT + i % SG_MAX * SG_ENTRY_SIZE;
        // SAFETY: `off` is inside the table (both indexes reduced); the
        // slot is the chain's own until its confirmation, and only the TX
        // relay writes it (under the queue's lock).
        unsafe { core::ptr::copy_nonoverlapping(e.as_ptr(), self.base.add(off), SG_ENTRY_SIZE) };
    }

    /// The address of chain `head`'s slot (what its FD points at).
    fn addr(&self, head: u16) -> u64 {
        self.iova + (head as usize * SG_SLOT) as u64
    }

    /// Hands chain `head`'s slot, just filled, to the FMan (nothing to do
    /// where it is coherent, as on LS1043A/LS1046A and in the model).
    fn sync(&self, dma: &dyn DmaMap, head: u16) {
        // SAFETY: the slot lies in the table (`head` reduced as `fill`
        // does), mapped for the device while the queue's link holds this
        // reference.
        unsafe { dma.sync_for_device(self.addr(head % VQ_NUM_MAX), SG_SLOT, Dir::ToDevice) }
    }

    /// The head whose slot is at `addr`.
    fn head_of(&self, addr: u64) -> Option<u16> {
        let off = addr.checked_sub(self.iova)?;
        let head = off / SG_SLOT as u64;
        (off % SG_SLOT as u64 == 0 && head < VQ_NUM_MAX as u64).then_some(head as u16)
    }
}

/// What a running virtqueue is connected to.
pub(crate) struct Link {
    pub(crate) doorbell: Arc<Fq<Kick>>,
    pub(crate) kind: LinkKind,
}

pub(crate) enum LinkKind {
    Rx {
        pool: Arc<Pool>,
        fq: Arc<Fq<RxFq>>,
        /// Buffers lent to the pool, by address.
        bufs: KBox<RxBufs>,
    },
    Tx {
        fq: Arc<Fq<DevFmanTx>>,
        sg: SgRef,
    },
    Ctrl {
        /// Where a command is read into.
        scratch: KVec<u8>,
    },
}

impl Link {
    /// The backing FQ's (and pool's) counters, for vstats.
    pub(crate) fn put_stats(&self, msg: &mut VqStatsMsg) -> Result {
        let fq: &dyn FrameQueue = match &self.kind {
            LinkKind::Rx { fq, .. } => &**fq,
            LinkKind::Tx { fq, .. } => &**fq,
            LinkKind::Ctrl { .. } => &*self.doorbell,
        };
        let s = fq.stats();
        msg.put(c_str!("fqid"), fq.fqid() as u64)?;
        msg.put(c_str!("fq_enqueued"), s.enqueued.load(Relaxed))?;
        msg.put(c_str!("fq_dequeued"), s.dequeued.load(Relaxed))?;
        msg.put(c_str!("fq_ern_taildrop"), s.ern_taildrop.load(Relaxed))?;
        msg.put(c_str!("fq_ern_state"), s.ern_state.load(Relaxed))?;
        if let LinkKind::Rx { pool, bufs, .. } = &self.kind {
            msg.put(c_str!("bpid"), pool.bpid() as u64)?;
            msg.put(c_str!("pool_buffers"), pool.count() as u64)?;
            msg.put(c_str!("pool_depleted"), pool.stats.depleted.load(Relaxed))?;
            msg.put(c_str!("lent"), bufs.len() as u64)?;
        }
        Ok(())
    }
}

/// What runs while the device is DRIVER_OK. Fields drop in order: the
/// doorbells, the FMan's TX side (it reads the driver's buffers and the S/G
/// tables), the confirmations, RX, then the pools and the tables.
pub(crate) struct Datapath {
    kicks: FqRange<Kick>,
    tx: FqRange<DevFmanTx>,
    _conf: FqRange<TxConf>,
    rx: FqRange<RxFq>,
    pools: KVec<PoolRef>,
    sg: KVec<SgTable>,
    /// Virtqueues in use (data queues of the possible pairs, and the CVQ).
    nvqs: u16,
}

/// Frames an RX FQ or a TX FQ holds: a queue's worth.
const FQ_DEPTH: usize = VQ_NUM_MAX as usize;

/// Pool buffers are the driver's (lent virtio buffers): nothing to free.
struct KeepBufs;

impl BufFree for KeepBufs {
    fn free(&self, _addr: u64) {}
}

impl Datapath {
    pub(crate) fn start(dev: &(dyn Device + 'static)) -> Result<Self> {
        let pairs = dev.pairs_possible() as usize;
        let nvqs = 2 * pairs as u16 + dev.cvq().map_or(0, |_| 1);
        // SAFETY: the device owns the datapath and drops it (reset, or its
        // own drop) before it goes; it is pinned. Every holder of this
        // (handlers, the pools' DMA view) goes with the datapath.
        let this = unsafe { BackRef::new(dev) };
        let fman = dev.fman();
        let dma: Arc<dyn Dma> = Arc::new(DataDma { dev: this }, GFP_KERNEL)?;
        let pools = fman.bman().new_pools(
            pairs,
            FQ_DEPTH,
            dev.rx_room(),
            HDR_LEN as u16,
            dma,
            Arc::new(KeepBufs, GFP_KERNEL)?,
        )?;
        let rx = fman.qman().create_fqs(
            pairs,
            FqInit::frames(FQ_DEPTH),
            |i| i,
            |_, i| RxFq {
                dev: this,
                vq: 2 * i as u16,
            },
        )?;
        let conf = fman.qman().create_fqs(
            pairs,
            FqInit::frames(FQ_DEPTH),
            |i| i,
            |_, i| TxConf {
                dev: this,
                vq: 2 * i as u16 + 1,
            },
        )?;
        let mut scratch = KVec::with_capacity(pairs, GFP_KERNEL)?;
        for _ in 0..pairs {
            scratch.push(
                Some(KVec::from_elem(0u8, tx::SCRATCH, GFP_KERNEL)?),
                GFP_KERNEL,
            )?;
        }
        let tx = fman.qman().create_fqs(
            pairs,
            FqInit::frames(FQ_DEPTH),
            |i| i,
            |_, i| {
                DevFmanTx::new(
                    this,
                    2 * i as u16 + 1,
                    conf.get(i).clone(),
                    scratch[i].take(),
                )
            },
        )?;
        let mut sg = KVec::with_capacity(pairs, GFP_KERNEL)?;
        for _ in 0..pairs {
            sg.push(SgTable::new(fman.dma())?, GFP_KERNEL)?;
        }
        // Data queues are served by their pair's portal; CVQs are spread
        // over the portals by device.
        let cvq = dev.cvq();
        let cvq_portal = dev.member() as usize;
        let kicks = fman.qman().create_fqs(
            nvqs as usize,
            FqInit::frames(1),
            |i| {
                if Some(i as u16) == cvq {
                    cvq_portal
                } else {
                    i / 2
                }
            },
            |_, i| Kick::new(this, i as u16),
        )?;
        Ok(Self {
            kicks,
            tx,
            _conf: conf,
            rx,
            pools,
            sg,
            nvqs,
        })
    }

    /// The classifier target of the device (one active pair).
    pub(crate) fn target(&self, member: u8) -> Target {
        Target {
            fqid: self.rx.base(),
            fq_count: 1,
            bpid: self.pools[0].bpid(),
            member,
            pool_per_fq: true,
        }
    }

    fn link(&mut self, dev: &dyn Device, idx: u16) -> Result<Link> {
        let doorbell = self.kicks.get(idx as usize).clone();
        let kind = match dev.role(idx).ok_or(EINVAL)? {
            Role::Rx(i) => {
                let i = i as usize;
                // Zeroed memory is an empty map (dpaa_core::bufmap).
                let bufs = KBox::<RxBufs>::new_uninit(GFP_KERNEL | __GFP_ZERO)?;
                LinkKind::Rx {
                    pool: self.pools[i].shared(),
                    fq: self.rx.get(i).clone(),
                    // SAFETY: zero-filled, a valid empty map.
                    bufs: unsafe { bufs.assume_init() },
                }
            }
            Role::Tx(i) => LinkKind::Tx {
                fq: self.tx.get(i as usize).clone(),
                sg: self.sg[i as usize].as_ref(),
            },
            Role::Ctrl => LinkKind::Ctrl {
                scratch: KVec::from_elem(0u8, CVQ_SCRATCH, GFP_KERNEL)?,
            },
        };
        Ok(Link { doorbell, kind })
    }

    /// Connects every virtqueue in use to its FQs and starts the ready
    /// ones; then kicks them (RX lends its buffers, TX sends what waits).
    pub(crate) fn link_vqs(&mut self, dev: &dyn Device) -> Result {
        for idx in 0..self.nvqs {
            let link = self.link(dev, idx)?;
            let vq = &dev.vqs()[idx as usize];
            vq.set_bell(Some(link.doorbell.clone()));
            vq.st.lock().link = Some(link);
            if !start_ring(dev, vq) {
                dev.device_error();
            }
        }
        for vq in dev.vqs().iter().take(self.nvqs as usize) {
            vq.kick();
        }
        Ok(())
    }

    /// Disconnects every virtqueue (the ring state is kept for get_vq_state).
    pub(crate) fn unlink_vqs(&self, dev: &dyn Device) {
        for vq in dev.vqs().iter() {
            vq.set_bell(None);
            let link = {
                let mut st = vq.st.lock();
                if let Some(r) = st.ring.take() {
                    st.last_avail = r.last_avail;
                }
                st.link.take()
            };
            drop(link);
        }
    }
}

/// Starts the ring of a linked, ready queue; false if its setup is invalid.
pub(crate) fn start_ring(_dev: &dyn Device, vq: &Vq) -> bool {
    let mut st = vq.st.lock();
    if !st.ready || st.link.is_none() || st.ring.is_some() {
        return true;
    }
    if st.num > VQ_NUM_MAX {
        return false;
    }
    match SplitRing::new(st.desc, st.driver, st.device, st.num, st.last_avail) {
        Some(r) => {
            st.ring = Some(r);
            // Re-enabled after a disable fenced the pool (VdpaNet::disable_vq).
            if let Some(Link {
                kind: LinkKind::Rx { pool, .. },
                ..
            }) = &st.link
            {
                pool.unfence();
            }
            true
        }
        None => false,
    }
}
