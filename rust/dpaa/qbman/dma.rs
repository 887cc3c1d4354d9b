// SPDX-License-Identifier: GPL-2.0

//! The FMan port's DMA: the DMA API against the RX port's device (with the
//! SMMU when the device tree puts one in front of it), as `dpaa_eth` maps
//! its buffers. The TX port shares its IOMMU domain (checked when the MAC
//! is taken), so one mapping serves both.

use crate::kapi::{
    device::Device,
    dma::{Dir, DmaDevice, DmaMap},
};
use core::{
    ptr::NonNull,
    sync::atomic::{AtomicU64, Ordering::Relaxed},
};
use kernel::{prelude::*, sync::Arc};

/// Counters of the port's mappings.
#[derive(Default)]
pub(crate) struct DmaStats {
    pub(crate) maps: AtomicU64,
    pub(crate) unmaps: AtomicU64,
    pub(crate) map_failed: AtomicU64,
}

/// The port's device as the FMan reaches host memory.
pub(crate) struct PortDma {
    dev: DmaDevice,
    pub(crate) stats: DmaStats,
}

impl PortDma {
    /// The DMA of `dev`, the RX port's device.
    ///
    /// # Safety
    ///
    /// `dev` has its DMA mask (set when the MAC was taken).
    pub(super) unsafe fn new(dev: &Device) -> Result<Arc<Self>> {
        Ok(Arc::new(
            Self {
                // SAFETY: the caller's guarantee.
                dev: unsafe { DmaDevice::of_bus(dev) },
                stats: DmaStats::default(),
            },
            GFP_KERNEL,
        )?)
    }

    /// Mappings alive now.
    pub(crate) fn mapped(&self) -> u64 {
        let m = self.stats.maps.load(Relaxed);
        m.saturating_sub(self.stats.unmaps.load(Relaxed))
    }
}

impl DmaMap for PortDma {
    unsafe fn map(&self, ptr: NonNull<u8>, len: usize, dir: Dir) -> Option<u64> {
        // SAFETY: the caller's guarantee, passed on.
        let a = unsafe { self.dev.map(ptr, len, dir) };
        let c = if a.is_some() {
            &self.stats.maps
        } else {
            &self.stats.map_failed
        };
        c.fetch_add(1, Relaxed);
        a
    }

    unsafe fn unmap(&self, addr: u64, len: usize, dir: Dir) -> NonNull<u8> {
        self.stats.unmaps.fetch_add(1, Relaxed);
        // SAFETY: the caller's guarantee, passed on.
        unsafe { self.dev.unmap(addr, len, dir) }
    }

    unsafe fn sync_for_device(&self, addr: u64, len: usize, dir: Dir) {
        // SAFETY: the caller's guarantee, passed on.
        unsafe { self.dev.sync_for_device(addr, len, dir) }
    }

    unsafe fn sync_for_cpu(&self, addr: u64, len: usize, dir: Dir) {
        // SAFETY: the caller's guarantee, passed on.
        unsafe { self.dev.sync_for_cpu(addr, len, dir) }
    }

    fn virt(&self, addr: u64, len: usize) -> Option<NonNull<u8>> {
        self.dev.virt(addr, len)
    }
}
