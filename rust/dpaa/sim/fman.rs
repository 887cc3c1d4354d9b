// SPDX-License-Identifier: GPL-2.0

//! FMan port model: what the port's hardware does with a frame, as the
//! mainline FMan driver configures it (`fman_port.h`), and nothing more.
//!
//! RX (a frame from the wire): the parser and KeyGen hash the flow over the
//! port's RX FQ range; the BMI takes a buffer from the smallest of the
//! port's pools (at most 8, by buffer size) that fits the frame at the
//! port's one data offset, writes the frame into it through the port's
//! IOMMU and enqueues a contiguous FD. Before that the MAC filters by
//! destination address (one exact unicast address, a hash of multicast
//! addresses, all-multicast, promiscuous: `dpaa_core::macfilter`). A frame
//! longer than the MAC's maximum frame (`fsl_fm_max_frm`, FCS included:
//! the model's `fman/max_frm`) is truncated to it and, like one the
//! port could not write (an IOMMU fault), goes to the port's RX error FQ
//! with its error bits in the FD status (`FM_FD_ERR_SIZE`,
//! `FM_FD_ERR_DMA`), for the driver to count and release. A frame the
//! filter refuses, no pool fits, no buffer, a rejected enqueue: dropped and
//! counted by reason.
//!
//! TX: FQs made for the port are consumed by the port itself (QMan's
//! direct-connect portal, `QMAN_FQ_FLAG_TO_DCPORTAL`): it reads the frame
//! through the IOMMU and transmits it, then enqueues the FD on the FQ's
//! confirmation FQ or, with none, releases the buffer to the pool the FD
//! names (BMan deallocation by the FMan). A frame it cannot transmit has
//! `FM_FD_ERR_*` TX bits in its status and goes to the port's TX error FQ
//! (`fmbm_tefqid`, from `fman_port_tx_params.err_fqid`), confirmation FQ
//! or not, as the TX port does (`dpaa_eth` cleans up skbs there).
//!
//! Classification, local switching and anti-spoof are not the port's: the
//! driver's switch does them, above the backend (`crate::switch`).

use super::{bman::Bman, dma::PortDma, qman::Qman};
use crate::{
    dpaa::{
        DirStats, Dqrr, DropReason, Ern, FqHandler, FqInit, FrameQueue, Pool, TxOwner, NO_BPID,
    },
    ffi,
    kapi::{
        napi::NapiCtx,
        sync::{new_spinlock_bh, SpinLockBh},
    },
};
use core::sync::atomic::{AtomicPtr, AtomicU32, Ordering::Relaxed};
use dpaa_core::{
    fd::{status, Format, QmFd},
    hash::{flow_hash, pick, HashConfig},
    macfilter::MacFilter,
    parse::parse,
    pools::{choose, NoBuffer},
};
use kernel::{c_str, prelude::*, sync::Arc};

/// Where the FMan writes a received frame in a buffer (the port's one data
/// offset: the FD offset of every frame it receives).
pub(crate) const RX_OFFSET: u16 = 64;
/// Largest frame the port takes (FMan's maximum receive frame).
pub(crate) const MAX_FRAME: u32 = 9600;
/// Smallest maximum frame the MAC takes.
const MIN_MAX_FRAME: u32 = 64;
/// The frame check sequence the MAC counts in a frame's length (the wire
/// end's frames come without it).
const FCS_LEN: u32 = 4;
/// External buffer pools a port takes (`FMAN_PORT_MAX_EXT_POOLS_NUM`).
pub(crate) const MAX_PORT_POOLS: usize = 8;
/// FD status of a frame the model's wire end could not take (gone, out of
/// memory): not the FMan's error, but not sent either.
const TX_STATUS_NO_WIRE: u32 = status::ERR_NON_FM;

/// The port's RX configuration: the FQ range KeyGen hashes flows over
/// (a power of two long) and the external pools with their buffer sizes,
/// what `fman_port_config()` and the port's KeyGen scheme take.
pub(crate) struct PortRx {
    pub(crate) fqid: u32,
    pub(crate) fq_count: u16,
    /// The RX error FQ (`fman_port_rx_params.err_fqid`): frames with an
    /// error in their FD status.
    pub(crate) err_fqid: u32,
    /// (pool, bytes of each of its buffers the port may write), smallest
    /// first.
    pub(crate) pools: KVec<(Arc<Pool>, u32)>,
}

/// The FMan side of a port.
#[pin_data]
pub(crate) struct Fman {
    pub(crate) id: u32,
    qman: Arc<Qman>,
    bman: Arc<Bman>,
    /// The port's device, as the FMan reaches host memory.
    dma: Arc<PortDma>,
    /// RX: its configuration while enabled (`fman_port_enable()`) and the
    /// MAC's filter; taken under the lock for a whole
    /// frame, so disabling RX waits out a frame in progress.
    #[pin]
    rx_cfg: SpinLockBh<RxState>,
    hash: HashConfig,
    /// The TX error FQ (0: none).
    tx_err: AtomicU32,
    /// The wire end's net_device while it is registered (read in BH context,
    /// cleared and then waited for with synchronize_net before it goes).
    wire: AtomicPtr<ffi::net_device>,
    /// From the wire: what the port received.
    pub(crate) rx: DirStats,
    /// To the wire: what the port was given to transmit.
    pub(crate) tx: DirStats,
}

/// Fault injection (`fman/fail_tx`): the next this many transmissions, on
/// any port, fail with a DMA error.
static FAIL_TX: AtomicU32 = AtomicU32::new(0);

/// Makes the next `n` transmissions fail (0: none).
pub(super) fn set_fail_tx(n: u32) {
    FAIL_TX.store(n, Relaxed);
}

/// Transmissions still to fail.
pub(super) fn fail_tx() -> u32 {
    FAIL_TX.load(Relaxed)
}

/// The MACs' maximum frame, FCS included: the FMan driver's
/// `fsl_fm_max_frm` boot parameter, written into every MAC at its init
/// (the model's `fman/max_frm` changes it at run time, for tests).
static MAX_FRM: AtomicU32 = AtomicU32::new(MAX_FRAME + FCS_LEN);

/// Sets the MACs' maximum frame (`MIN_MAX_FRAME..=MAX_FRAME + FCS_LEN`).
pub(super) fn set_max_frm(len: u32) -> Result {
    if !(MIN_MAX_FRAME..=MAX_FRAME + FCS_LEN).contains(&len) {
        return Err(EINVAL);
    }
    MAX_FRM.store(len, Relaxed);
    Ok(())
}

/// The MACs' maximum frame, FCS included.
pub(super) fn max_frm() -> u32 {
    MAX_FRM.load(Relaxed)
}

/// The port's receive side, under one lock.
struct RxState {
    cfg: Option<PortRx>,
    filter: MacFilter,
}

impl Fman {
    pub(super) fn new(
        id: u32,
        qman: Arc<Qman>,
        bman: Arc<Bman>,
        dma: Arc<PortDma>,
    ) -> Result<Arc<Self>> {
        Arc::pin_init(
            try_pin_init!(Self {
                id,
                qman,
                bman,
                dma,
                rx_cfg <- new_spinlock_bh!(
                    RxState {
                        cfg: None,
                        filter: MacFilter::default(),
                    },
                    "fman_port_rx"
                ),
                hash: HashConfig::default(),
                tx_err: AtomicU32::new(0),
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

    /// Calls `f(name, value)` for every counter of the port's IOMMU:
    /// `maps`, `unmaps`, `map_failed`, `faults`, `bad_unmaps` and the
    /// `pages` mapped now.
    pub(crate) fn iommu_counters(&self, f: &mut dyn FnMut(&str, u64)) {
        let m = &self.dma.stats;
        for (name, a) in [
            ("maps", &m.maps),
            ("unmaps", &m.unmaps),
            ("map_failed", &m.map_failed),
            ("faults", &m.faults),
            ("bad_unmaps", &m.bad_unmaps),
        ] {
            f(name, a.load(Relaxed));
        }
        f("pages", self.dma.pages() as u64);
    }

    /// Enables RX with `cfg` (KeyGen over its FQ range, its pools), or
    /// disables it (`None`): once this returns no frame is being received
    /// into the old configuration's pools or FQs.
    pub(crate) fn set_rx(&self, cfg: Option<PortRx>) -> Result {
        if let Some(c) = &cfg {
            let sorted = c.pools.windows(2).all(|w| w[0].1 <= w[1].1);
            // KeyGen adds the hash's low bits to the base: the range must
            // be aligned to its length.
            if !c.fq_count.is_power_of_two()
                || c.fqid % c.fq_count as u32 != 0
                || c.pools.is_empty()
                || c.pools.len() > MAX_PORT_POOLS
                || !sorted
                || c.pools.iter().any(|(_, size)| *size <= RX_OFFSET as u32)
            {
                return Err(EINVAL);
            }
        }
        let old = core::mem::replace(&mut self.rx_cfg.lock().cfg, cfg);
        drop(old);
        Ok(())
    }

    /// The MAC's promiscuous mode (`mac_device.set_promisc`).
    pub(crate) fn set_promisc(&self, on: bool) {
        self.rx_cfg.lock().filter.promisc = on;
    }

    /// The MAC's all-multicast mode (`mac_device.set_allmulti`); turning
    /// it off clears the hash, as the mEMAC does.
    pub(crate) fn set_allmulti(&self, on: bool) {
        let f = &mut self.rx_cfg.lock().filter;
        f.allmulti = on;
        if !on {
            f.clear_hash();
        }
    }

    /// The MAC's one exact unicast address (`mac_device.change_addr`).
    pub(crate) fn change_addr(&self, mac: &[u8; 6]) {
        self.rx_cfg.lock().filter.addr = *mac;
    }

    /// The MAC's multicast hash becomes `groups`: every address added
    /// before removed (`remove_hash_mac_addr`), each new one added
    /// (`add_hash_mac_addr`), as `fman_set_multi()` does with a
    /// net_device's list. `Err`: an address could not be added (a unicast
    /// one; on the board also `-ENOMEM`); what was added stays.
    pub(crate) fn set_multi(&self, groups: &mut dyn Iterator<Item = [u8; 6]>) -> Result {
        let mut st = self.rx_cfg.lock();
        st.filter.clear_hash();
        let mut r = Ok(());
        for g in groups {
            if st.filter.add_hash(&g).is_err() {
                r = Err(EINVAL);
            }
        }
        r
    }

    /// The MAC's filter now.
    pub(crate) fn mac_filter(&self) -> MacFilter {
        self.rx_cfg.lock().filter
    }

    /// The port's TX error FQ (`fman_port_tx_params.err_fqid`, set when
    /// the TX port is configured, once): where a frame it could not
    /// transmit goes. `None` at teardown, once no TX FQ is left (the TX
    /// port disabled); without one, such frames go back to their TX FQ's
    /// owner.
    pub(crate) fn set_tx_err(&self, fqid: Option<u32>) {
        self.tx_err.store(fqid.unwrap_or(0), Relaxed);
    }

    /// Makes `count` FQs the port transmits from (on its channel), each
    /// confirming to `conf` if given, its owner `owner_of(i)`.
    pub(crate) fn create_tx_fqs<O: TxOwner>(
        self: &Arc<Self>,
        count: usize,
        init: FqInit,
        conf: Option<Arc<dyn FrameQueue>>,
        mut owner_of: impl FnMut(usize) -> O,
    ) -> Result<super::FqRange<PortTx<O>>> {
        // The model's "port" dequeues through the portals' NAPI contexts:
        // spread over them.
        self.qman.create_fqs(
            count,
            init,
            |i| i,
            |_, i| PortTx {
                fman: self.clone(),
                conf: conf.clone(),
                owner: owner_of(i),
            },
        )
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
        if let Err(r) = self.receive(frame) {
            s.drop(r);
        }
    }

    fn receive(&self, frame: &[u8]) -> Result<(), DropReason> {
        let st = self.rx_cfg.lock();
        let cfg = st.cfg.as_ref().ok_or(DropReason::NoTarget)?;
        // The MAC drops runts and what its filter refuses.
        let dst: &[u8; 6] = frame
            .first_chunk()
            .filter(|_| frame.len() >= 14)
            .ok_or(DropReason::BadFd)?;
        if !st.filter.accepts(dst) {
            return Err(DropReason::Filtered);
        }
        // Longer than the MAC's maximum (which counts the FCS): truncated,
        // an error frame.
        let max = (max_frm() - FCS_LEN) as usize;
        let (frame, mut fd_status) = match frame.get(..max) {
            Some(f) if f.len() < frame.len() => (f, status::ERR_SIZE),
            _ => (frame, 0),
        };
        let len = frame.len() as u32;
        // KeyGen: a frame the parser cannot read hashes as 0.
        let hash = parse(frame).map_or(0, |p| flow_hash(&self.hash, &p));
        let sizes = cfg.pools.iter().map(|(_, size)| *size);
        // No backup pool (`fman_port.c` leaves it off): an empty pool
        // discards the frame.
        let (i, buf) = choose(sizes, RX_OFFSET as u32 + len, false, |i| {
            let mut b = [0u64; 1];
            cfg.pools[i].0.acquire(&mut b).then_some(b[0])
        })
        .map_err(|e| match e {
            NoBuffer::TooLong => DropReason::TooLong,
            NoBuffer::Depleted => DropReason::NoBuffer,
        })?;
        let pool = &cfg.pools[i].0;
        let give_back = |r| {
            let _ = pool.release(&[buf]);
            Err(r)
        };
        if self
            .dma
            .write_dev(buf.wrapping_add(RX_OFFSET as u64), frame)
            .is_err()
        {
            // The buffer is not written, but the frame is reported.
            fd_status |= status::ERR_DMA;
        }
        let Ok(mut fd) = QmFd::contig(pool.bpid(), buf, RX_OFFSET, len) else {
            return give_back(DropReason::BadFd);
        };
        fd.set_status(fd_status);
        // Error frames go to the error FQ, the driver counts them.
        let fqid = if fd_status != 0 {
            cfg.err_fqid
        } else {
            cfg.fqid + pick(hash, cfg.fq_count) as u32
        };
        match self.qman.fman_enqueue(fqid, fd) {
            Ok(()) => {
                if fd_status == 0 {
                    self.rx.delivered.fetch_add(1, Relaxed);
                }
                Ok(())
            }
            Err(Ern::TailDrop | Ern::CgrTailDrop) => give_back(DropReason::TailDrop),
            Err(_) => give_back(DropReason::Enqueue),
        }
    }

    /// Transmits the frame of `fd` (read through the IOMMU); the status of
    /// its confirmation: 0 if it went out, else `FM_FD_ERR_*` bits.
    fn transmit(&self, fd: &QmFd) -> u32 {
        let s = &self.tx;
        let len = fd.length();
        s.frames.fetch_add(1, Relaxed);
        s.bytes.fetch_add(len as u64, Relaxed);
        if fd.format() != Some(Format::Contig) {
            s.drop(DropReason::BadFd);
            return status::ERR_UNSUPPORTED_FORMAT;
        }
        if !(14..=MAX_FRAME).contains(&len) {
            s.drop(DropReason::BadFd);
            return status::ERR_LENGTH;
        }
        let addr = fd.addr() + fd.offset() as u64;
        // SAFETY: the FD is the port's until it is confirmed or its buffer
        // released, which the caller does only after this returns.
        let Ok(frame) = (unsafe { self.dma.borrow(addr, len as usize) }) else {
            s.drop(DropReason::DmaFault);
            return status::ERR_DMA;
        };
        let injected = FAIL_TX.load(Relaxed) > 0
            && FAIL_TX
                .fetch_update(Relaxed, Relaxed, |n| n.checked_sub(1))
                .is_ok();
        if injected {
            s.drop(DropReason::DmaFault);
            return status::ERR_DMA;
        }
        if self.to_wire(frame) {
            0
        } else {
            TX_STATUS_NO_WIRE
        }
    }

    fn to_wire(&self, frame: &[u8]) -> bool {
        let dev = self.wire.load(Relaxed);
        if dev.is_null() {
            self.tx.drop(DropReason::NoTarget);
            return false;
        }
        // SAFETY: set while the wire device is registered; we run in BH
        // context, which `set_wire(null)` waits out before it goes.
        let wire = unsafe { crate::kapi::netdev::NetDev::from_raw(dev) };
        let Some(skb) = wire.alloc_skb(frame.len() as u32) else {
            self.tx.drop(DropReason::NoBuffer);
            return false;
        };
        // SAFETY: a fresh skb with `len` bytes of tailroom.
        unsafe {
            let p = ffi::skb_put(skb.as_ptr(), frame.len() as u32);
            core::ptr::copy_nonoverlapping(frame.as_ptr(), p.cast::<u8>(), frame.len());
        }
        self.tx.to_wire.fetch_add(1, Relaxed);
        wire.rx(skb);
        true
    }

    /// Enqueues a frame it could not transmit on the TX error FQ; whether
    /// that took it.
    fn tx_error(&self, fd: &QmFd) -> bool {
        match self.tx_err.load(Relaxed) {
            0 => false,
            fqid => self.qman.fman_enqueue(fqid, *fd).is_ok(),
        }
    }

    /// Releases the buffer of a transmitted FD to the pool it names, as the
    /// FMan deallocates a frame's buffer after TX.
    fn release(&self, fd: &QmFd) {
        let pool = (fd.bpid() != NO_BPID)
            .then(|| self.bman.lookup(fd.bpid()))
            .flatten();
        match pool {
            Some(p) => {
                let _ = p.release(&[fd.addr()]);
            }
            None => self.tx.drop(DropReason::BadFd),
        }
    }
}

/// A TX FQ of the port: dequeued by the port itself, not by software.
pub(crate) struct PortTx<O: TxOwner> {
    fman: Arc<Fman>,
    conf: Option<Arc<dyn FrameQueue>>,
    owner: O,
}

impl<O: TxOwner> FqHandler for PortTx<O> {
    fn dqrr(&self, fd: &QmFd, _napi: &NapiCtx) -> Dqrr {
        let mut c = *fd;
        c.set_status(self.fman.transmit(fd));
        // A failed frame goes to the port's TX error FQ, confirmation or
        // not; the owner hears of it directly only if that cannot take it.
        if c.status() != 0 {
            if !self.fman.tx_error(&c) {
                self.owner.tx_done(&c);
            }
            return Dqrr::Consume;
        }
        match &self.conf {
            Some(conf) => {
                if conf.enqueue(c).is_err() {
                    // No room for the message: the owner hears of it
                    // directly, never not at all.
                    self.owner.tx_done(&c);
                }
            }
            None => self.fman.release(&c),
        }
        Dqrr::Consume
    }

    /// Left in the FQ at teardown: never transmitted.
    fn drain(&self, fd: &QmFd) {
        self.owner.not_sent(fd);
    }

    /// Rejected by QMan (tail drop, congestion, a retired FQ): the
    /// enqueuer's `cb.ern`.
    fn ern(&self, fd: &QmFd, _why: Ern) {
        self.owner.not_sent(fd);
    }
}
