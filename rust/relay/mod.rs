// SPDX-License-Identifier: GPL-2.0

//! The relay: virtqueues <-> frame queues.
//!
//! Per queue pair `i`, all on portal `i`: a TX chain is copied (past its
//! virtio-net header) into a buffer of the port's pools and given to the
//! port's switch, which delivers it locally and/or returns it for the wire,
//! where it goes on TX FQ `i`, which the port consumes (it releases the
//! buffer after transmission); the chain is used as soon as it is copied.
//! Frames for the device arrive on RX FQ `i` in port buffers (from the
//! switch); the relay copies each into the next chain the driver made
//! available, behind the virtio-net header, and gives the buffer back.
//! Kicks are FDs on a depth-1 doorbell FQ per queue (a kick while one is
//! pending is the same kick), so every ring is only touched from its
//! portal's context.

pub(crate) mod kick;
pub(crate) mod rx;
pub(crate) mod space;
pub(crate) mod tx;
pub(crate) mod vq;

use crate::{
    dpaa::{Fq, FqInit, FqRange, FrameQueue, PortTx},
    kapi::{backref::BackRef, vdpa::VqStatsMsg},
    switch::Switch,
};
use core::sync::atomic::Ordering::Relaxed;
use dpaa_core::{classify::Target, vring::SplitRing};
use kernel::{c_str, prelude::*, sync::Arc};
use kick::Kick;
use rx::RxFq;
use space::AddrSpace;
use tx::DevTx;
use vq::{Role, Vq, VqState, VQ_NUM_MAX};

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
    /// The driver broke the rules: the device needs a reset.
    fn device_error(&self);
    /// Whether it does (nothing more is processed until then).
    fn broken(&self) -> bool;
    /// The switch of the port the device is on, and its member
    /// (classifier entity) there.
    fn switch(&self) -> &Arc<Switch>;
    fn member(&self) -> u8;
    /// Whether TX frames must carry a source MAC the device owns.
    fn spoofchk(&self) -> bool;
    /// Queue pairs the negotiated features allow.
    fn pairs_possible(&self) -> u16;
    /// The control queue's index, if negotiated.
    fn cvq(&self) -> Option<u16>;
    /// The negotiated features (the rings' indirect tables and event
    /// indices among them).
    fn features(&self) -> u64;
    /// A kick of the control queue: run the commands made available.
    fn control(&self, vq: &Vq);
}

/// Bytes of the virtio-net header (`struct virtio_net_hdr_mrg_rxbuf`,
/// VERSION_1) in front of every frame.
pub(crate) const HDR_LEN: usize = 12;
/// Readable pieces of one TX chain (a linear frame needs 1-2; an skb with
/// all its fragments MAX_SKB_FRAGS + 2), and writable ones of an RX chain
/// (virtio-net's big-packets mode: MAX_SKB_FRAGS + 2).
pub(crate) const SG_MAX: usize = 20;
/// Bytes of a control command the device reads (a MAC table of ~680
/// addresses): the control queue's scratch buffer.
pub(crate) const CVQ_SCRATCH: usize = 4096;
/// What a running virtqueue is connected to.
pub(crate) struct Link {
    pub(crate) doorbell: Arc<Fq<Kick>>,
    pub(crate) kind: LinkKind,
}

pub(crate) enum LinkKind {
    Rx {
        fq: Arc<Fq<RxFq>>,
    },
    Tx {
        fq: Arc<Fq<PortTx<DevTx>>>,
    },
    Ctrl {
        /// Where a command is read into.
        scratch: KVec<u8>,
    },
}

impl Link {
    /// The backing FQ's counters, for vstats.
    pub(crate) fn put_stats(&self, msg: &mut VqStatsMsg) -> Result {
        let fq: &dyn FrameQueue = match &self.kind {
            LinkKind::Rx { fq } => &**fq,
            LinkKind::Tx { fq } => &**fq,
            LinkKind::Ctrl { .. } => &*self.doorbell,
        };
        let s = fq.stats();
        msg.put(c_str!("fqid"), fq.fqid() as u64)?;
        msg.put(c_str!("fq_enqueued"), s.enqueued.load(Relaxed))?;
        msg.put(c_str!("fq_dequeued"), s.dequeued.load(Relaxed))?;
        msg.put(c_str!("fq_ern_taildrop"), s.ern_taildrop.load(Relaxed))?;
        msg.put(c_str!("fq_ern_state"), s.ern_state.load(Relaxed))?;
        Ok(())
    }
}

/// What runs while the device is DRIVER_OK. Fields drop in order: the
/// doorbells, the TX FQs (the port hands back what they hold), then RX
/// (its frames' buffers go back to the port's pools).
pub(crate) struct Datapath {
    kicks: FqRange<Kick>,
    tx: FqRange<PortTx<DevTx>>,
    rx: FqRange<RxFq>,
    /// Virtqueues in use (data queues of the possible pairs, and the CVQ).
    nvqs: u16,
}

/// Frames an RX FQ holds (port buffers waiting for the relay) before
/// further ones are dropped, and a TX FQ (waiting for the port).
/// Small: what a device's FQs hold is the port's buffers, which every
/// tenant shares.
const FQ_DEPTH: usize = 64;

impl Datapath {
    pub(crate) fn start(dev: &(dyn Device + 'static)) -> Result<Self> {
        let pairs = dev.pairs_possible() as usize;
        let nvqs = 2 * pairs as u16 + dev.cvq().map_or(0, |_| 1);
        // SAFETY: the device owns the datapath and drops it (reset, or its
        // own drop) before it goes; it is pinned. Every holder of this
        // (the FQs' handlers) goes with the datapath.
        let this = unsafe { BackRef::new(dev) };
        let sw = dev.switch();
        let fman = sw.fman();
        let rx = fman.qman().create_fqs(
            pairs,
            FqInit::frames(FQ_DEPTH),
            |i| i,
            |_, i| RxFq {
                dev: this,
                vq: 2 * i as u16,
                sw: sw.clone(),
            },
        )?;
        let tx = fman.create_tx_fqs(pairs, FqInit::frames(FQ_DEPTH), None, |i| DevTx {
            dev: this,
            vq: 2 * i as u16 + 1,
            sw: sw.clone(),
        })?;
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
            rx,
            nvqs,
        })
    }

    /// The classifier target of the device (one active pair).
    pub(crate) fn target(&self, member: u8) -> Target {
        Target {
            fqid: self.rx.base(),
            fq_count: 1,
            member,
        }
    }

    fn link(&mut self, dev: &dyn Device, idx: u16) -> Result<Link> {
        let doorbell = self.kicks.get(idx as usize).clone();
        let kind = match dev.role(idx).ok_or(EINVAL)? {
            Role::Rx(i) => LinkKind::Rx {
                fq: self.rx.get(i as usize).clone(),
            },
            Role::Tx(i) => LinkKind::Tx {
                fq: self.tx.get(i as usize).clone(),
            },
            Role::Ctrl => LinkKind::Ctrl {
                scratch: KVec::from_elem(0u8, CVQ_SCRATCH, GFP_KERNEL)?,
            },
        };
        Ok(Link { doorbell, kind })
    }

    /// Connects every virtqueue in use to its FQs and starts the ready
    /// ones; then kicks them (TX sends what waits).
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
                // Torn down: no interrupt for the last entries.
                let _ = st.stop_ring(dev.space_of(vq.idx));
                st.suspended = false;
                st.link.take()
            };
            drop(link);
        }
    }

    /// Suspends every queue (`vdpa_config_ops.suspend`): once this returns
    /// nothing is taken from a ring or written to one, and no interrupt
    /// raised, until [`Datapath::resume`]. The rings stop as at a reset,
    /// the links stay: used entries pushed before are published first
    /// (with their interrupt), so `get_vq_state` gives the avail index from
    /// which another device carries on, every chain before it used; and
    /// vhost-vdpa may set a queue's address and base meanwhile (it allows
    /// both while suspended), for the resume. TX and control kicks find no
    /// ring; RX frames that arrive are dropped and counted
    /// (`drop_suspended`), their buffers back in the port's pool at once,
    /// not held for a suspension of unknown length. Every ring access is
    /// under the queue's lock and checks the ring (TX and control hold it
    /// for a batch, RX per frame): one in progress on another CPU ends
    /// before the ring stops, and its pushed entries are published here.
    pub(crate) fn suspend(&self, dev: &dyn Device) {
        for vq in dev.vqs().iter() {
            let mut st = vq.st.lock();
            st.suspended = true;
            match st.stop_ring(dev.space_of(vq.idx)) {
                Ok(true) => st.notify(&vq.stats),
                Ok(false) => {}
                Err(_) => {
                    drop(st);
                    dev.device_error();
                }
            }
        }
    }

    /// Resumes after [`Datapath::suspend`]: the ready queues start again,
    /// from their state (set meanwhile or not), and look at their rings
    /// (TX sends what waits, the control queue runs its commands). Each
    /// queue leaves the suspension and starts under its lock, so no frame
    /// finds it neither suspended nor started. All or none: if a queue's
    /// state is invalid every queue stays suspended, the device wants a
    /// reset, and this is false. (vhost-vdpa serialises its ioctls: the
    /// states checked are the ones started.)
    pub(crate) fn resume(&self, dev: &dyn Device) -> bool {
        let valid = dev.vqs().iter().all(|vq| {
            let st = vq.st.lock();
            !to_start(&st) || new_ring(dev, &st).is_some()
        });
        if !valid {
            dev.device_error();
            return false;
        }
        for vq in dev.vqs().iter() {
            let mut st = vq.st.lock();
            st.suspended = false;
            start_locked(dev, vq, &mut st);
        }
        for vq in dev.vqs().iter().take(self.nvqs as usize) {
            vq.kick();
        }
        true
    }
}

/// Starts the ring of a linked, ready queue; false if its setup is invalid.
pub(crate) fn start_ring(dev: &dyn Device, vq: &Vq) -> bool {
    start_locked(dev, vq, &mut vq.st.lock())
}

/// [`start_ring`], the queue's lock held.
fn start_locked(dev: &dyn Device, vq: &Vq, st: &mut VqState) -> bool {
    // Suspended: enabling a queue does not start it (vhost-vdpa's rule);
    // the resume does.
    if !to_start(st) || st.suspended {
        return true;
    }
    match new_ring(dev, st) {
        Some(r) => {
            // On failure the first use of the ring faults the same way.
            let _ = r.start_notify(dev.space_of(vq.idx));
            st.ring = Some(r);
            true
        }
        None => false,
    }
}

/// Whether a queue has a ring to start: linked, ready, not running.
fn to_start(st: &VqState) -> bool {
    st.ready && st.link.is_some() && st.ring.is_none()
}

/// The ring a queue's state describes; `None` if that is invalid.
fn new_ring(dev: &dyn Device, st: &VqState) -> Option<SplitRing> {
    if st.num > VQ_NUM_MAX {
        return None;
    }
    SplitRing::new(st.desc, st.driver, st.device, st.num, st.last_avail)
        .map(|r| r.with_features(dev.features()))
}
