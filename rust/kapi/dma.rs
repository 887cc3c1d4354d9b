// SPDX-License-Identifier: GPL-2.0

//! The DMA API: streaming mappings of driver buffers for a device
//! (`dma_map_single()`/`dma_unmap_single()`), what `dpaa_eth` does with
//! every buffer it gives the FMan.

use crate::{ffi, kapi::device::Device};
use core::ptr::NonNull;
use kernel::{error::to_result, prelude::*, types::ARef};

/// A mapping's direction (`enum dma_data_direction`).
pub(crate) use dpaa_core::iommu::Dir;

fn raw_dir(dir: Dir) -> ffi::dma_data_direction {
    match dir {
        Dir::Bidirectional => ffi::dma_data_direction_DMA_BIDIRECTIONAL,
        Dir::ToDevice => ffi::dma_data_direction_DMA_TO_DEVICE,
        Dir::FromDevice => ffi::dma_data_direction_DMA_FROM_DEVICE,
    }
}

/// Maps driver buffers for a device: the DMA API, or a model's IOMMU in
/// front of it. What a mapping returns is the only address the device may
/// be given for the buffer.
pub(crate) trait DmaMap: Send + Sync {
    /// Maps `len` bytes at `ptr` for the device in direction `dir`; `None`
    /// if it cannot be mapped.
    ///
    /// # Safety
    ///
    /// `[ptr, ptr + len)` is kernel memory the caller owns, and keeps, until
    /// it unmaps it.
    unsafe fn map(&self, ptr: NonNull<u8>, len: usize, dir: Dir) -> Option<u64>;

    /// Unmaps what [`DmaMap::map`] mapped at `addr`; returns the buffer's
    /// kernel address.
    ///
    /// # Safety
    ///
    /// `addr`, `len` and `dir` are those of a mapping of this map that is
    /// not unmapped yet, and the device is done with it.
    unsafe fn unmap(&self, addr: u64, len: usize, dir: Dir) -> NonNull<u8>;

    /// Hands `len` bytes at `addr` back to the device after the CPU wrote
    /// them (`dma_sync_single_for_device()`; nothing to do on a coherent
    /// device).
    ///
    /// # Safety
    ///
    /// `[addr, addr + len)` lies in a live mapping of this map made with
    /// `dir`.
    unsafe fn sync_for_device(&self, addr: u64, len: usize, dir: Dir);

    /// Hands `len` bytes at `addr` to the CPU after the device wrote them
    /// (`dma_sync_single_for_cpu()`).
    ///
    /// # Safety
    ///
    /// As [`DmaMap::sync_for_device`].
    unsafe fn sync_for_cpu(&self, addr: u64, len: usize, dir: Dir);

    /// The kernel address of `len` bytes at `addr`, a DMA address this map
    /// gave for a buffer still mapped (what `dpaa_eth` gets with
    /// `phys_to_virt(dma_to_phys())`, or through the IOMMU domain); `None`
    /// if `addr` is not one.
    fn virt(&self, addr: u64, len: usize) -> Option<NonNull<u8>>;
}

/// A device that does DMA through the DMA API.
///
/// # Invariants
///
/// `self.0` has a DMA mask (set by [`DmaDevice::new`], or before
/// [`DmaDevice::of_bus`]).
pub(crate) struct DmaDevice(ARef<Device>);

impl DmaDevice {
    /// `dev`, a device without a bus (the model's port), given a DMA mask
    /// of `bits` and made coherent: its "DMA" is the CPU's. (A board's
    /// FMan port has its mask and coherence from its bus and device tree.)
    #[cfg_attr(dpaa_qbman, allow(dead_code))] // The model's only.
    pub(crate) fn new(dev: &Device, bits: u32) -> Result<Self> {
        // SAFETY: `dev` is a valid device; the shim only sets its masks.
        to_result(unsafe { ffi::dpaa_vdpa_dma_setup(dev.as_raw(), bits) })?;
        Ok(Self(dev.into()))
    }

    /// `dev`, a device on a bus that gave it its coherence (a board's
    /// FMan port).
    ///
    /// # Safety
    ///
    /// `dev` has a DMA mask (set as `dpaa_eth` sets it).
    #[cfg_attr(not(dpaa_qbman), allow(dead_code))]
    pub(crate) unsafe fn of_bus(dev: &Device) -> Self {
        Self(dev.into())
    }

    #[cfg_attr(dpaa_qbman, allow(dead_code))] // The model's only.
    pub(crate) fn device(&self) -> &Device {
        &self.0
    }
}

impl DmaMap for DmaDevice {
    unsafe fn map(&self, ptr: NonNull<u8>, len: usize, dir: Dir) -> Option<u64> {
        // SAFETY: a device with a DMA mask (type invariant); the memory is
        // the caller's until unmapped (the caller's guarantee).
        let a = unsafe {
            ffi::dpaa_vdpa_dma_map_single(self.0.as_raw(), ptr.as_ptr().cast(), len, raw_dir(dir))
        };
        (a != u64::MAX).then_some(a)
    }

    unsafe fn sync_for_device(&self, addr: u64, len: usize, dir: Dir) {
        // SAFETY: a live mapping of this device (the caller's guarantee).
        unsafe { ffi::dpaa_vdpa_dma_sync_for_device(self.0.as_raw(), addr, len, raw_dir(dir)) }
    }

    unsafe fn sync_for_cpu(&self, addr: u64, len: usize, dir: Dir) {
        // SAFETY: a live mapping of this device (the caller's guarantee).
        unsafe { ffi::dpaa_vdpa_dma_sync_for_cpu(self.0.as_raw(), addr, len, raw_dir(dir)) }
    }

    fn virt(&self, addr: u64, _len: usize) -> Option<NonNull<u8>> {
        // SAFETY: a pure translation of the address (through the device's
        // IOMMU domain if it has one); nothing is dereferenced.
        NonNull::new(unsafe { ffi::dpaa_vdpa_dma_to_virt(self.0.as_raw(), addr) }.cast())
    }

    unsafe fn unmap(&self, addr: u64, len: usize, dir: Dir) -> NonNull<u8> {
        // SAFETY: a live mapping of this device (the caller's guarantee):
        // its address translates back to the buffer, then goes.
        unsafe {
            let p = ffi::dpaa_vdpa_dma_to_virt(self.0.as_raw(), addr);
            ffi::dpaa_vdpa_dma_unmap_single(self.0.as_raw(), addr, len, raw_dir(dir));
            NonNull::new_unchecked(p.cast())
        }
    }
}
