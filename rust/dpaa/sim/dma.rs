// SPDX-License-Identifier: GPL-2.0

//! The model's DMA: the port's device behind an IOMMU in strict mode.
//!
//! The driver maps every host buffer it gives the port (pool buffers, TX
//! skbs, S/G tables) through the DMA API against the port's device, as
//! `dpaa_eth` does; the model puts an IOMMU in front of that device
//! ([`dpaa_core::iommu`]), so that what the driver hands over is an IOVA,
//! not a physical address, and the model's FMan reaches memory only
//! through it. An access to a page that is not mapped for it (never mapped,
//! already unmapped, the wrong direction, a physical address) is an IOMMU
//! fault: counted, logged as `IOMMU fault` (which fails the test suite)
//! and not done. An unmap of something not mapped is the driver's bug:
//! `IOMMU error`, likewise.
//!
//! Accesses are translated under the IOMMU's lock and done outside it: the
//! buffer is the FMan's (in a pool or a frame descriptor) while it uses it,
//! and a driver that unmaps a buffer the FMan still owns is caught by the
//! next access to it.

use crate::{
    ffi,
    kapi::{
        device::Device,
        dma::{Dir, DmaDevice, DmaMap},
        ratelimit::RateLimit,
        sync::{new_spinlock_irq, SpinLockIrq},
    },
};
use core::{
    ptr::NonNull,
    sync::atomic::{AtomicU64, Ordering::Relaxed},
};
use dpaa_core::iommu::{Access, Iommu};

/// An access the IOMMU refused.
#[derive(Debug, Clone, Copy)]
pub(super) struct DmaFault;
use kernel::{prelude::*, sync::Arc};

/// Bits of the DMA addresses the port takes: a frame descriptor's 40.
const DMA_BITS: u32 = dpaa_core::iommu::ADDR_BITS;
/// IOVAs are bus addresses with this bit set: in the model (whose mask
/// keeps bus addresses below it) a bus address is never a valid IOVA. (A
/// board's DRAM may lie above it: LS1046A's second bank is at 0x88_0000_0000.)
const IOVA_BASE: u64 = 1 << (DMA_BITS - 1);
/// Pages the IOMMU can map at once (3/4 of its slots): a port's host pool,
/// TX in flight and the S/G tables of its devices fit many times over.
const SLOTS: usize = 16384;
const PAGE_SHIFT: u32 = 12;

/// Counters of a port's IOMMU.
#[derive(Default)]
pub(crate) struct IommuStats {
    pub(crate) maps: AtomicU64,
    pub(crate) unmaps: AtomicU64,
    /// Maps refused (table full): the driver sees a failed DMA map.
    pub(crate) map_failed: AtomicU64,
    /// Device accesses refused: a driver or model bug.
    pub(crate) faults: AtomicU64,
    /// Unmaps of what was not mapped: a driver bug.
    pub(crate) bad_unmaps: AtomicU64,
}

/// The port's device as the FMan reaches host memory: the DMA API behind
/// the model's IOMMU.
#[pin_data(PinnedDrop)]
pub(crate) struct PortDma {
    dev: DmaDevice,
    port: u32,
    #[pin]
    iommu: SpinLockIrq<Iommu<KVVec<u64>>>,
    pub(crate) stats: IommuStats,
    log: RateLimit<10, 5>,
}

impl PortDma {
    pub(super) fn new(dev: &Device, port: u32) -> Result<Arc<Self>> {
        // The IOMMU takes bus addresses below IOVA_BASE: so does the mask.
        let dev = DmaDevice::new(dev, DMA_BITS - 1)?;
        let slots = KVVec::from_elem(0, SLOTS, GFP_KERNEL)?;
        let iommu = Iommu::new(slots, PAGE_SHIFT, IOVA_BASE).ok_or(EINVAL)?;
        Arc::pin_init(
            try_pin_init!(Self {
                dev,
                port,
                iommu <- new_spinlock_irq!(iommu, "dpaa_sim_iommu"),
                stats: IommuStats::default(),
                log: RateLimit::new(),
            }? Error),
            GFP_KERNEL,
        )
    }

    /// Pages mapped now.
    pub(crate) fn pages(&self) -> usize {
        self.iommu.lock().pages()
    }

    /// The kernel address of `len` bytes at `iova` that the device may
    /// `access`, or an IOMMU fault.
    fn translate(&self, iova: u64, len: usize, access: Access) -> Result<NonNull<u8>, DmaFault> {
        let bus = self.iommu.lock().translate(iova, len as u64, access);
        let Some(bus) = bus else {
            self.stats.faults.fetch_add(1, Relaxed);
            if self.log.allow() {
                pr_err!(
                    "dpaa_sim{}: IOMMU fault: device {} of {} bytes at iova {:#x}, not mapped for it\n",
                    self.port,
                    if access == Access::Read { "read" } else { "write" },
                    len,
                    iova
                );
            }
            return Err(DmaFault);
        };
        // SAFETY: a bus address the DMA API mapped for this device (the
        // IOMMU just said so): it has a kernel address.
        let p = unsafe { ffi::dpaa_vdpa_dma_to_virt(self.dev.device().as_raw(), bus) };
        NonNull::new(p.cast()).ok_or(DmaFault)
    }

    /// The driver used an IOVA it does not have mapped (a sync, a CPU
    /// lookup): its bug, loud.
    fn driver_error(&self, what: &str, iova: u64, len: usize) {
        self.stats.bad_unmaps.fetch_add(1, Relaxed);
        pr_err!(
            "dpaa_sim{}: IOMMU error: {} of {} bytes at iova {:#x}, not mapped\n",
            self.port,
            what,
            len,
            iova
        );
    }

    /// The `len` bytes at `iova`, read by the FMan in place (a host frame
    /// it transmits), if they are mapped for it.
    ///
    /// # Safety
    ///
    /// The buffer is the FMan's (an FD's) for as long as the borrow lasts.
    pub(super) unsafe fn borrow<'a>(&self, iova: u64, len: usize) -> Result<&'a [u8], DmaFault> {
        let p = self.translate(iova, len, Access::Read)?;
        // SAFETY: mapped for the device's reads, so memory of its owner,
        // which keeps it until the FMan is done (the caller's guarantee).
        Ok(unsafe { core::slice::from_raw_parts(p.as_ptr(), len) })
    }
}

#[pinned_drop]
impl PinnedDrop for PortDma {
    fn drop(self: Pin<&mut Self>) {
        // Everything the driver mapped for the port is unmapped by the time
        // the port's last user goes: anything left is a leak.
        let pages = self.pages();
        if pages != 0 {
            pr_err!(
                "dpaa_sim{}: IOMMU error: {} pages still mapped as the port goes\n",
                self.port,
                pages
            );
        }
    }
}

impl DmaMap for PortDma {
    unsafe fn map(&self, ptr: NonNull<u8>, len: usize, dir: Dir) -> Option<u64> {
        // SAFETY: the caller's guarantee, passed on.
        let bus = unsafe { self.dev.map(ptr, len, dir) };
        let iova = bus.and_then(|b| self.iommu.lock().map(b, len as u64, dir).ok());
        match (bus, iova) {
            (Some(_), Some(iova)) => {
                self.stats.maps.fetch_add(1, Relaxed);
                return Some(iova);
            }
            (Some(b), None) => {
                // SAFETY: mapped just above, never given to the device.
                unsafe { self.dev.unmap(b, len, dir) };
            }
            _ => {}
        }
        self.stats.map_failed.fetch_add(1, Relaxed);
        None
    }

    unsafe fn sync_for_device(&self, iova: u64, len: usize, dir: Dir) {
        let bus = self.iommu.lock().translate(
            iova,
            len as u64,
            if dir == Dir::FromDevice {
                Access::Write
            } else {
                Access::Read
            },
        );
        match bus {
            // SAFETY: the DMA API's mapping under the IOVA (the caller's
            // guarantee, and the IOMMU agreed).
            Some(bus) => unsafe { self.dev.sync_for_device(bus, len, dir) },
            None => self.driver_error("sync", iova, len),
        }
    }

    unsafe fn sync_for_cpu(&self, iova: u64, len: usize, dir: Dir) {
        let bus = self.iommu.lock().translate(iova, len as u64, Access::Read);
        match bus {
            // SAFETY: the DMA API's mapping under the IOVA (the caller's
            // guarantee, and the IOMMU agreed).
            Some(bus) => unsafe { self.dev.sync_for_cpu(bus, len, dir) },
            None => self.driver_error("sync", iova, len),
        }
    }

    fn virt(&self, iova: u64, len: usize) -> Option<NonNull<u8>> {
        // The CPU's view of a buffer the driver mapped: no device access,
        // so a miss is the driver's error, not an IOMMU fault.
        let Some(bus) = self.iommu.lock().translate(iova, len as u64, Access::Read) else {
            self.driver_error("lookup", iova, len);
            return None;
        };
        self.dev.virt(bus, len)
    }

    unsafe fn unmap(&self, iova: u64, len: usize, dir: Dir) -> NonNull<u8> {
        let bus = self.iommu.lock().unmap(iova, len as u64, dir);
        match bus {
            Ok(bus) => {
                self.stats.unmaps.fetch_add(1, Relaxed);
                // SAFETY: the DMA API's mapping under the IOVA (the
                // caller's guarantee, and the IOMMU agreed).
                unsafe { self.dev.unmap(bus, len, dir) }
            }
            Err(_) => {
                // The caller broke its promise: say so loudly, and leave
                // the DMA API's state alone.
                self.stats.bad_unmaps.fetch_add(1, Relaxed);
                pr_err!(
                    "dpaa_sim{}: IOMMU error: unmap of {} bytes at iova {:#x}, not mapped ({:?})\n",
                    self.port,
                    len,
                    iova,
                    dir
                );
                let bus = iova.wrapping_sub(IOVA_BASE);
                // SAFETY: none to give: the best guess of the buffer's
                // address, for a caller that has already erred.
                let p = unsafe { ffi::dpaa_vdpa_dma_to_virt(self.dev.device().as_raw(), bus) };
                NonNull::new(p.cast()).unwrap_or(NonNull::dangling())
            }
        }
    }
}

/// The FMan's accesses to host memory: through the IOMMU only.
impl PortDma {
    /// The FMan writes `data` at `addr`.
    pub(super) fn write_dev(&self, addr: u64, data: &[u8]) -> Result<(), DmaFault> {
        let p = self.translate(addr, data.len(), Access::Write)?;
        // SAFETY: mapped for the device's writes: a buffer the FMan
        // acquired from its pool, the owner's memory until it is returned.
        unsafe { core::ptr::copy_nonoverlapping(data.as_ptr(), p.as_ptr(), data.len()) };
        Ok(())
    }
}
