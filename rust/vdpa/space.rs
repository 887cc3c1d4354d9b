// SPDX-License-Identifier: GPL-2.0

//! A vDPA device's address spaces: what every ring and buffer address the
//! driver gives the device means.
//!
//! A space starts as the identity (virtio_vdpa: the DMA API of the device
//! gives physical addresses) and becomes an IOTLB once a map is set
//! (vhost-vdpa: `set_map`/`dma_map`); `reset_map` goes back to identity.
//! Either way an address is checked before use: identity addresses must be
//! RAM the kernel maps, IOTLB addresses must be mapped with the access asked
//! for. A miss is a [`DmaFault`] (the device's error), never a kernel fault.

use crate::{
    dpaa::sim::dma::{Dma, DmaFault, Spans},
    ffi,
    kapi::{
        iotlb::{Iotlb, IotlbRef, MAP_RO, MAP_WO},
        sync::{new_spinlock_bh, SpinLockBh},
    },
};
use core::sync::atomic::{AtomicBool, Ordering::Relaxed};
use dpaa_core::vring::{Fault, GuestMem};
use kernel::prelude::*;

const PAGE: u64 = 4096;
/// Mappings an address space holds: vhost-vdpa maps each run of contiguous
/// pinned pages as one, so a fragmented 4 GiB guest can need many.
const MAX_MAPPINGS: u32 = 1 << 20;

/// One address space (an ASID).
#[pin_data]
pub(crate) struct AddrSpace {
    /// No map set: addresses are physical.
    identity: AtomicBool,
    #[pin]
    tlb: SpinLockBh<Iotlb>,
}

/// Whether every page of `[pa, pa + len)` is RAM with a struct page.
fn ram(pa: u64, len: u64) -> bool {
    let Some(last) = pa.checked_add(len - 1) else {
        return false;
    };
    let mut p = pa & !(PAGE - 1);
    while p <= last {
        // SAFETY: a pure lookup of the PFN.
        if !unsafe { ffi::dpaa_vdpa_phys_valid(p) } {
            return false;
        }
        p += PAGE;
    }
    true
}

fn direct(pa: u64) -> *mut u8 {
    // SAFETY: `pa` is RAM with a struct page (checked by the caller): the
    // direct map covers it.
    unsafe { ffi::dpaa_vdpa_phys_to_virt(pa).cast() }
}

impl AddrSpace {
    pub(crate) fn new() -> Result<impl PinInit<Self, Error>> {
        let tlb = Iotlb::new(MAX_MAPPINGS)?;
        Ok(try_pin_init!(Self {
            identity: AtomicBool::new(true),
            tlb <- new_spinlock_bh!(tlb, "vdpa_iotlb"),
        }? Error))
    }

    /// `set_map`: the space becomes a copy of `map`.
    pub(crate) fn set_map(&self, map: &IotlbRef<'_>) -> Result {
        // Copy into a fresh IOTLB outside the lock (it allocates), then swap.
        let mut fresh = Iotlb::new(MAX_MAPPINGS)?;
        fresh.copy_from(map)?;
        let old = {
            let mut t = self.tlb.lock();
            let old = core::mem::replace(&mut *t, fresh);
            self.identity.store(false, Relaxed);
            old
        };
        drop(old);
        Ok(())
    }

    /// `dma_map`: adds one mapping (the first one ends the identity).
    pub(crate) fn map(&self, iova: u64, size: u64, pa: u64, perm: u32) -> Result {
        let last = iova
            .checked_add(size.checked_sub(1).ok_or(EINVAL)?)
            .ok_or(EINVAL)?;
        // vhost_iotlb_add_range allocates with GFP_ATOMIC: fine under the lock.
        let mut t = self.tlb.lock();
        if self.identity.swap(false, Relaxed) {
            t.reset();
        }
        t.add(iova, last, pa, perm)
    }

    /// `dma_unmap`.
    pub(crate) fn unmap(&self, iova: u64, size: u64) -> Result {
        let last = iova
            .checked_add(size.checked_sub(1).ok_or(EINVAL)?)
            .ok_or(EINVAL)?;
        let mut t = self.tlb.lock();
        if !self.identity.load(Relaxed) {
            t.del(iova, last);
        }
        Ok(())
    }

    /// `reset_map`: back to the identity.
    pub(crate) fn reset_map(&self) {
        let mut t = self.tlb.lock();
        t.reset();
        self.identity.store(true, Relaxed);
    }
}

impl Dma for AddrSpace {
    fn resolve(&self, addr: u64, len: usize, write: bool, out: &mut Spans) -> Result<(), DmaFault> {
        if len == 0 {
            return Ok(());
        }
        let len = len as u64;
        if self.identity.load(Relaxed) {
            if !ram(addr, len) {
                return Err(DmaFault);
            }
            return out.push(direct(addr), len as usize);
        }
        let need = if write { MAP_WO } else { MAP_RO };
        let t = self.tlb.lock();
        let (mut cur, mut left) = (addr, len);
        while left > 0 {
            let m = t.lookup(cur).ok_or(DmaFault)?;
            if m.perm & need == 0 {
                return Err(DmaFault);
            }
            let n = left.min(m.last - cur + 1);
            let pa = m.addr.wrapping_add(cur - m.start);
            if !ram(pa, n) {
                return Err(DmaFault);
            }
            out.push(direct(pa), n as usize)?;
            cur = cur.wrapping_add(n);
            left -= n;
        }
        Ok(())
    }
}

impl AddrSpace {
    /// The identity fast path of the ring accesses: one check, one copy.
    fn direct_range(&self, addr: u64, len: usize) -> Option<Result<*mut u8, Fault>> {
        if !self.identity.load(Relaxed) {
            return None;
        }
        if len == 0 {
            return Some(Ok(core::ptr::NonNull::dangling().as_ptr()));
        }
        Some(if ram(addr, len as u64) {
            Ok(direct(addr))
        } else {
            Err(Fault)
        })
    }
}

impl GuestMem for AddrSpace {
    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), Fault> {
        match self.direct_range(addr, buf.len()) {
            // SAFETY: `len` bytes of RAM in the direct map at `p`.
            Some(p) => unsafe {
                core::ptr::copy_nonoverlapping(p?.cast_const(), buf.as_mut_ptr(), buf.len());
                Ok(())
            },
            None => crate::dpaa::sim::dma::read(self, addr, buf).map_err(|_| Fault),
        }
    }

    fn write(&self, addr: u64, data: &[u8]) -> Result<(), Fault> {
        match self.direct_range(addr, data.len()) {
            // SAFETY: `len` bytes of RAM in the direct map at `p`.
            Some(p) => unsafe {
                core::ptr::copy_nonoverlapping(data.as_ptr(), p?, data.len());
                Ok(())
            },
            None => crate::dpaa::sim::dma::write(self, addr, data).map_err(|_| Fault),
        }
    }
}
