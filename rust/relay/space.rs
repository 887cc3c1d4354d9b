// SPDX-License-Identifier: GPL-2.0

//! A vDPA device's address spaces: what every ring and buffer address the
//! driver gives the device means. The vDPA device sets them up (its config
//! ops); the relay reads and writes through them.
//!
//! - An ASID space (vhost-vdpa; `dma_map`/`dma_unmap`/`reset_map`) starts
//!   empty and `reset_map` empties it again: an address nobody mapped, or
//!   mapped without the access asked for, is a [`Fault`] (the device's
//!   error), never an access.
//! - The kernel space is the DMA API of the device for the in-kernel
//!   `virtio_vdpa` driver: without an IOMMU in front of the model, a DMA
//!   address is a physical address, checked to be RAM. No ASID names it:
//!   the device uses it only while `virtio_vdpa` drives it (see
//!   `VdpaNet::space_of_group` in `vdpa/net.rs`), so a vhost-vdpa user can
//!   never select it.
//!
//! An access looks its mapping up under the IOTLB lock and copies inside an
//! RCU read-side section. The space holds its own reference on every page
//! of every mapping: vhost-vdpa (6.12) unpins the pages of a mapping
//! *before* it calls `dma_unmap`, so without one a page could be freed and
//! reused while the mapping still resolves to it. `dma_unmap` and
//! `reset_map` remove the mappings, wait for an RCU grace period when
//! accesses may be in flight (the device runs), and only then drop the
//! page references: no access through a removed mapping can reach a page
//! that is not the driver's any more.

use crate::kapi::{
    iotlb::{Iotlb, MAP_RO, MAP_WO},
    page::{direct, get_pages, put_pages, ram},
    rcu,
    sync::{new_spinlock_bh, SpinLockBh},
};
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering::Relaxed};
use dpaa_core::vring::{Fault, GuestMem};
use kernel::prelude::*;

/// Mappings an address space holds: vhost-vdpa maps each run of contiguous
/// pinned pages as one, so a fragmented 4 GiB guest can need many.
const MAX_MAPPINGS: u32 = 1 << 20;
/// Most pieces one access resolves to (a buffer crossing IOTLB entries).
const MAX_SPANS: usize = 8;

/// A piece of kernel memory an address resolved to.
#[derive(Clone, Copy)]
struct Span {
    ptr: *mut u8,
    len: usize,
}

/// The pieces of one access, in order.
struct Spans {
    s: [Span; MAX_SPANS],
    n: usize,
}

impl Spans {
    const fn new() -> Self {
        Self {
            s: [Span {
                ptr: core::ptr::null_mut(),
                len: 0,
            }; MAX_SPANS],
            n: 0,
        }
    }

    fn push(&mut self, ptr: *mut u8, len: usize) -> Result<(), Fault> {
        let slot = self.s.get_mut(self.n).ok_or(Fault)?;
        *slot = Span { ptr, len };
        self.n += 1;
        Ok(())
    }

    fn as_slice(&self) -> &[Span] {
        &self.s[..self.n]
    }
}

/// One address space.
///
/// # Invariants
///
/// Every page of every mapping of `tlb` has a reference this space took
/// (`get_pages`) and drops when the mapping goes.
#[pin_data(PinnedDrop)]
pub(crate) struct AddrSpace {
    /// The kernel space: DMA addresses are physical (see the module doc).
    kernel: bool,
    #[pin]
    tlb: SpinLockBh<Iotlb>,
}

impl AddrSpace {
    /// An ASID space, empty.
    pub(crate) fn new_asid() -> Result<impl PinInit<Self, Error>> {
        Self::new(false)
    }

    /// The kernel (DMA API) space.
    pub(crate) fn new_kernel() -> Result<impl PinInit<Self, Error>> {
        Self::new(true)
    }

    fn new(kernel: bool) -> Result<impl PinInit<Self, Error>> {
        let tlb = Iotlb::new(if kernel { 1 } else { MAX_MAPPINGS })?;
        Ok(try_pin_init!(Self {
            kernel,
            tlb <- new_spinlock_bh!(tlb, "vdpa_iotlb"),
        }? Error))
    }

    /// `dma_map`: adds one mapping (and references its pages).
    pub(crate) fn map(&self, iova: u64, size: u64, pa: u64, perm: u32) -> Result {
        let last = iova
            .checked_add(size.checked_sub(1).ok_or(EINVAL)?)
            .ok_or(EINVAL)?;
        pa.checked_add(size - 1).ok_or(EINVAL)?;
        if self.kernel || perm & (MAP_RO | MAP_WO) == 0 || perm & !(MAP_RO | MAP_WO) != 0 {
            return Err(EINVAL);
        }
        if !get_pages(pa, size) {
            return Err(EINVAL);
        }
        // vhost_iotlb_add_range allocates with GFP_ATOMIC: fine under the lock.
        let r = self.tlb.lock().add(iova, last, pa, perm);
        if r.is_err() {
            // SAFETY: the references taken just above, for no mapping.
            unsafe { put_pages(pa, size) };
        }
        r
    }

    /// `dma_unmap`: removes the mappings overlapping `[iova, iova + size)`;
    /// returns when no access through them is in flight (`live`: accesses
    /// may be) and their pages are no longer referenced by the space.
    pub(crate) fn unmap(&self, iova: u64, size: u64, live: bool) -> Result {
        let last = iova
            .checked_add(size.checked_sub(1).ok_or(EINVAL)?)
            .ok_or(EINVAL)?;
        self.remove(iova, last, live);
        Ok(())
    }

    /// `reset_map`: empty again.
    pub(crate) fn reset_map(&self, live: bool) {
        self.remove(0, u64::MAX, live);
    }

    /// Removes the mappings overlapping `[start, last]`, one at a time (no
    /// allocation): a grace period each while the device runs (vhost-vdpa
    /// unmaps a running device's memory rarely: hot-unplug), none when it
    /// is stopped (as when vhost-vdpa's file is closed, after a reset).
    fn remove(&self, start: u64, last: u64, live: bool) {
        loop {
            let m = {
                let mut t = self.tlb.lock();
                let Some(m) = t.first_in(start, last) else {
                    return;
                };
                // Mappings do not overlap (vhost-vdpa refuses that): this
                // removes exactly `m`.
                t.del(m.start, m.last);
                m
            };
            if live {
                rcu::synchronize();
            }
            // SAFETY: the references taken when `m` was added (type
            // invariant); `m` is gone and no access through it is in
            // flight (a grace period if the device runs; none otherwise).
            unsafe { put_pages(m.addr, m.last - m.start + 1) };
        }
    }

    /// Resolves `[addr, addr + len)` for the access into `out`. The
    /// pointers are valid until the caller's RCU read-side section ends.
    fn resolve(
        &self,
        _rcu: &rcu::Guard,
        addr: u64,
        len: usize,
        write: bool,
        out: &mut Spans,
    ) -> Result<(), Fault> {
        if len == 0 {
            return Ok(());
        }
        let len = len as u64;
        // No access wraps around the end of the address space.
        addr.checked_add(len - 1).ok_or(Fault)?;
        if self.kernel {
            if !ram(addr, len) {
                return Err(Fault);
            }
            return out.push(direct(addr), len as usize);
        }
        let need = if write { MAP_WO } else { MAP_RO };
        let t = self.tlb.lock();
        let (mut cur, mut left) = (addr, len);
        while left > 0 {
            let m = t.lookup(cur).ok_or(Fault)?;
            if m.perm & need == 0 {
                return Err(Fault);
            }
            let n = left.min(m.last - cur + 1);
            let pa = m.addr.wrapping_add(cur - m.start);
            if !ram(pa, n) {
                return Err(Fault);
            }
            out.push(direct(pa), n as usize)?;
            cur = cur.wrapping_add(n);
            left -= n;
        }
        Ok(())
    }
}

#[pinned_drop]
impl PinnedDrop for AddrSpace {
    fn drop(self: Pin<&mut Self>) {
        // The device is gone: nothing accesses the space any more.
        self.remove(0, u64::MAX, false);
    }
}

impl GuestMem for AddrSpace {
    fn read(&self, addr: u64, out: &mut [u8]) -> Result<(), Fault> {
        let g = rcu::read_lock();
        let mut spans = Spans::new();
        self.resolve(&g, addr, out.len(), false, &mut spans)?;
        let mut done = 0;
        for s in spans.as_slice() {
            // SAFETY: `resolve` gave `s.len` readable bytes at `s.ptr`, valid
            // while `g` is held; the spans add up to `out.len()`.
            unsafe { core::ptr::copy_nonoverlapping(s.ptr, out[done..].as_mut_ptr(), s.len) };
            done += s.len;
        }
        Ok(())
    }

    fn write(&self, addr: u64, data: &[u8]) -> Result<(), Fault> {
        let g = rcu::read_lock();
        let mut spans = Spans::new();
        self.resolve(&g, addr, data.len(), true, &mut spans)?;
        let mut done = 0;
        for s in spans.as_slice() {
            // SAFETY: `resolve` gave `s.len` writable bytes at `s.ptr`,
            // valid while `g` is held; the spans add up to `data.len()`.
            unsafe { core::ptr::copy_nonoverlapping(data[done..].as_ptr(), s.ptr, s.len) };
            done += s.len;
        }
        Ok(())
    }
}

/// A device's address spaces, and which one each vq group uses.
pub(crate) struct Spaces {
    /// The ASID spaces (vhost-vdpa).
    asids: KVec<Pin<KBox<AddrSpace>>>,
    /// The kernel (DMA API) space, for virtio_vdpa only.
    kernel: Pin<KBox<AddrSpace>>,
    /// The ASID of each vq group.
    group_asid: KVec<AtomicU32>,
    /// Latched at DRIVER_OK: the in-kernel virtio_vdpa drives the device.
    kernel_driver: AtomicBool,
}

impl Spaces {
    /// `nas` empty ASIDs, `ngroups` groups on ASID 0.
    pub(crate) fn new(nas: u32, ngroups: u32) -> Result<Self> {
        let mut asids = KVec::with_capacity(nas as usize, GFP_KERNEL)?;
        for _ in 0..nas {
            asids.push(
                KBox::pin_init(AddrSpace::new_asid()?, GFP_KERNEL)?,
                GFP_KERNEL,
            )?;
        }
        let mut group_asid = KVec::with_capacity(ngroups as usize, GFP_KERNEL)?;
        for _ in 0..ngroups {
            group_asid.push(AtomicU32::new(0), GFP_KERNEL)?;
        }
        Ok(Self {
            asids,
            kernel: KBox::pin_init(AddrSpace::new_kernel()?, GFP_KERNEL)?,
            group_asid,
            kernel_driver: AtomicBool::new(false),
        })
    }

    /// ASID `asid` (for vhost-vdpa's map operations).
    pub(crate) fn asid(&self, asid: u32) -> Result<&AddrSpace> {
        self.asids.get(asid as usize).map(|s| &**s).ok_or(EINVAL)
    }

    /// The space of vq group `group`: the kernel space while virtio_vdpa
    /// drives the device, else the ASID the group is attached to. No ASID a
    /// vhost-vdpa user can select reaches memory it did not map.
    pub(crate) fn of_group(&self, group: u32) -> &AddrSpace {
        if self.kernel_driver.load(Relaxed) {
            return &self.kernel;
        }
        let asid = self
            .group_asid
            .get(group as usize)
            .map_or(0, |a| a.load(Relaxed)) as usize;
        &self.asids[asid.min(self.asids.len() - 1)]
    }

    pub(crate) fn set_group_asid(&self, group: u32, asid: u32) -> Result {
        let g = self.group_asid.get(group as usize).ok_or(EINVAL)?;
        if asid as usize >= self.asids.len() {
            return Err(EINVAL);
        }
        g.store(asid, Relaxed);
        Ok(())
    }

    /// DRIVER_OK: who drives the device decides the spaces (see `of_group`).
    pub(crate) fn set_kernel_driver(&self, kernel: bool) {
        self.kernel_driver.store(kernel, Relaxed);
    }

    /// Reset: groups back on ASID 0 (the maps stay), no driver.
    pub(crate) fn reset(&self) {
        for g in self.group_asid.iter() {
            g.store(0, Relaxed);
        }
        self.kernel_driver.store(false, Relaxed);
    }
}
