// SPDX-License-Identifier: GPL-2.0

//! vDPA management devices (`struct vdpa_mgmt_dev`).
//!
//! C header: `include/linux/vdpa.h`. A management device is what
//! `vdpa mgmtdev show` lists and what `vdpa dev add` creates devices on. A
//! driver implements [`MgmtDevOps`]; [`MgmtDev`] registers it with the vDPA
//! core, whose callbacks reach the trait through the trampolines of
//! [`MgmtDev`].

use crate::{ffi, kapi::device::Device};
use core::marker::PhantomPinned;
use kernel::ffi::{c_char, c_int, c_uint, c_void};
use kernel::{
    container_of,
    error::{from_result, to_result},
    prelude::*,
    sync::Arc,
    types::{ARef, Opaque},
};

/// Attributes `vdpa dev add` may set (`enum vdpa_attr`), as a mask bit.
#[derive(Clone, Copy)]
pub(crate) enum ConfigAttr {
    Mac,
    Mtu,
    MaxVqp,
    Features,
}

impl ConfigAttr {
    const fn nl_attr(self) -> u32 {
        match self {
            Self::Mac => ffi::vdpa_attr_VDPA_ATTR_DEV_NET_CFG_MACADDR,
            Self::Mtu => ffi::vdpa_attr_VDPA_ATTR_DEV_NET_CFG_MTU,
            Self::MaxVqp => ffi::vdpa_attr_VDPA_ATTR_DEV_NET_CFG_MAX_VQP,
            Self::Features => ffi::vdpa_attr_VDPA_ATTR_DEV_FEATURES,
        }
    }

    /// The bit of this attribute in `config_attr_mask` and `vdpa_dev_set_config::mask`.
    pub(crate) const fn mask(self) -> u64 {
        1u64 << self.nl_attr()
    }
}

/// What a management device can create; shown by `vdpa mgmtdev show`.
pub(crate) struct MgmtDevCaps {
    /// OR of [`ConfigAttr::mask`] accepted by `vdpa dev add`.
    pub(crate) config_attrs: u64,
    pub(crate) supported_features: u64,
    pub(crate) max_supported_vqs: u32,
}

/// The attributes given to `vdpa dev add` (`struct vdpa_dev_set_config`).
pub(crate) struct DevSetConfig(ffi::vdpa_dev_set_config);

impl DevSetConfig {
    fn has(&self, attr: ConfigAttr) -> bool {
        self.0.mask & attr.mask() != 0
    }

    pub(crate) fn mac(&self) -> Option<[u8; 6]> {
        self.has(ConfigAttr::Mac).then_some(self.0.net.mac)
    }

    pub(crate) fn mtu(&self) -> Option<u16> {
        self.has(ConfigAttr::Mtu).then_some(self.0.net.mtu)
    }

    pub(crate) fn max_vq_pairs(&self) -> Option<u16> {
        self.has(ConfigAttr::MaxVqp)
            .then_some(self.0.net.max_vq_pairs)
    }

    pub(crate) fn device_features(&self) -> Option<u64> {
        self.has(ConfigAttr::Features)
            .then_some(self.0.device_features)
    }
}

/// A vDPA device of this driver, as its management device sees it.
///
/// # Invariants
///
/// `ptr` is a registered `struct dpaa_vdpa_dev` whose `drv` is an
/// `Arc<T>` (from [`MgmtHandle::create`]), valid for `'a`.
pub(crate) struct VdpaDevice<'a, T: VdpaOps> {
    ptr: *mut ffi::vdpa_device,
    _p: core::marker::PhantomData<&'a T>,
}

impl<T: VdpaOps> VdpaDevice<'_, T> {
    /// The driver's data of the device.
    pub(crate) fn data(&self) -> &T {
        // SAFETY: `drv` is an `Arc<T>` until `free` (type invariant), which
        // runs after unregistration only.
        unsafe { data::<T>(self.ptr) }
    }

    /// `_vdpa_unregister_device()`: from `dev_del` (under the core's lock).
    pub(crate) fn unregister(self) {
        // SAFETY: registered (type invariant); consumed, so once.
        unsafe { ffi::_vdpa_unregister_device(self.ptr) }
    }
}

/// # Safety
///
/// `vdev` must be a device made by [`MgmtHandle::create`] with `T`, before
/// its `free`.
unsafe fn data<'a, T>(vdev: *mut ffi::vdpa_device) -> &'a T {
    // SAFETY: `drv` is `Arc::into_raw` of an `Arc<T>` until `free`.
    unsafe { &*ffi::dpaa_vdpa_dev_drv(vdev).cast::<T>() }
}

/// A callback of the driver using a device (`struct vdpa_callback`): a vq's
/// "interrupt" or the config-change notification.
#[derive(Clone, Copy)]
pub(crate) struct Callback {
    f: Option<unsafe extern "C" fn(*mut c_void) -> ffi::irqreturn_t>,
    private: *mut c_void,
}

// SAFETY: the driver that set the callback allows calling it from any
// context (virtio_vdpa's vring_interrupt, vhost-vdpa's eventfd signal).
unsafe impl Send for Callback {}
// SAFETY: as above.
unsafe impl Sync for Callback {}

impl Callback {
    pub(crate) const NONE: Self = Self {
        f: None,
        private: core::ptr::null_mut(),
    };

    /// # Safety
    ///
    /// `cb` is null or points at a `struct vdpa_callback`.
    unsafe fn from_raw(cb: *const ffi::vdpa_callback) -> Self {
        if cb.is_null() {
            return Self::NONE;
        }
        // SAFETY: guaranteed by the caller.
        let cb = unsafe { &*cb };
        Self {
            f: cb.callback,
            private: cb.private,
        }
    }

    /// Calls the driver. The device layer calls it only between setting it
    /// and replacing it or resetting, under the lock that replacing takes.
    pub(crate) fn call(&self) {
        if let Some(f) = self.f {
            // SAFETY: the driver keeps `private` valid while its callback
            // is set (see above for the lock that covers replacement).
            unsafe { f(self.private) };
        }
    }
}

/// The netlink message of `vdpa dev vstats show`: name/value pairs.
pub(crate) struct VqStatsMsg(*mut ffi::sk_buff);

impl VqStatsMsg {
    /// Adds `name = value`.
    pub(crate) fn put(&mut self, name: &CStr, value: u64) -> Result {
        // SAFETY: `0` is the message under construction for this call.
        unsafe {
            to_result(ffi::dpaa_vdpa_nla_put_string(
                self.0,
                ffi::vdpa_attr_VDPA_ATTR_DEV_VENDOR_ATTR_NAME as c_int,
                name.as_char_ptr(),
            ))?;
            to_result(ffi::dpaa_vdpa_nla_put_u64(
                self.0,
                ffi::vdpa_attr_VDPA_ATTR_DEV_VENDOR_ATTR_VALUE as c_int,
                value,
            ))
        }
    }
}

/// Who drives a device (told with `set_status`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Driver {
    /// The in-kernel `virtio_vdpa`: its addresses come from the DMA API of
    /// the device's DMA device.
    Kernel,
    /// Anything else (vhost-vdpa: a userspace driver, usually untrusted);
    /// its addresses mean only what it mapped.
    User,
}

/// An admin setting of a device, a sysfs file of the vDPA device.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum DevFlag {
    /// `trust`: the driver may use any MAC nobody else has, and sees other
    /// entities' unicast in promiscuous mode (SR-IOV's VF trust).
    Trust,
    /// `spoofchk`: TX frames must come from a MAC the device owns.
    SpoofChk,
}

impl DevFlag {
    fn from_raw(f: c_uint) -> Option<Self> {
        match f {
            ffi::dpaa_vdpa_flag_DPAA_VDPA_FLAG_TRUST => Some(Self::Trust),
            ffi::dpaa_vdpa_flag_DPAA_VDPA_FLAG_SPOOFCHK => Some(Self::SpoofChk),
            _ => None,
        }
    }
}

/// The operations of a vDPA device (`struct vdpa_config_ops`).
///
/// The vDPA core and its drivers (virtio_vdpa, vhost-vdpa) call them; most
/// come from process context, `kick_vq` from any (it must not sleep).
pub(crate) trait VdpaOps: Send + Sync + Sized + 'static {
    const DEVICE_ID: u32;
    const VENDOR_ID: u32;
    /// Alignment of the rings.
    const VQ_ALIGN: u32;
    /// Bytes of the config space.
    const CONFIG_SIZE: usize;
    /// Highest IOVA the device can use (vhost-vdpa refuses maps beyond).
    const IOVA_LAST: u64;

    fn set_vq_address(&self, idx: u16, desc: u64, driver: u64, device: u64) -> Result;
    fn set_vq_num(&self, idx: u16, num: u32);
    fn kick_vq(&self, idx: u16);
    fn set_vq_cb(&self, idx: u16, cb: Callback);
    fn set_vq_ready(&self, idx: u16, ready: bool);
    fn vq_ready(&self, idx: u16) -> bool;
    /// Split ring: the next avail index to process.
    fn set_vq_state(&self, idx: u16, avail_index: u16) -> Result;
    fn vq_state(&self, idx: u16) -> Result<u16>;
    fn vq_stats(&self, idx: u16, msg: &mut VqStatsMsg) -> Result;
    fn vq_size(&self, idx: u16) -> u16;
    fn vq_num_max(&self) -> u16;
    fn vq_group(&self, idx: u16) -> u32;
    fn device_features(&self) -> u64;
    fn set_driver_features(&self, features: u64) -> Result;
    fn driver_features(&self) -> u64;
    fn set_config_cb(&self, cb: Callback);
    fn status(&self) -> u8;
    /// `driver` is who is bound to the device now.
    fn set_status(&self, status: u8, driver: Driver);
    fn reset(&self) -> Result;
    /// `suspend`: stop using the rings (see `Datapath::suspend`); the
    /// vq state then says where another device carries on.
    fn suspend(&self) -> Result;
    /// `resume`: carry on after `suspend`.
    fn resume(&self) -> Result;
    /// Fills `out` (CONFIG_SIZE bytes) with the config space.
    fn config(&self, out: &mut [u8]);
    fn generation(&self) -> u32;
    fn dma_map(&self, asid: u32, iova: u64, size: u64, pa: u64, perm: u32) -> Result;
    fn dma_unmap(&self, asid: u32, iova: u64, size: u64) -> Result;
    fn reset_map(&self, asid: u32) -> Result;
    fn set_group_asid(&self, group: u32, asid: u32) -> Result;
    /// An admin setting (sysfs).
    fn flag(&self, f: DevFlag) -> bool;
    fn set_flag(&self, f: DevFlag, on: bool) -> Result;
}

/// The `extern "C"` trampolines of [`VdpaOps`].
struct Adapter<T: VdpaOps>(core::marker::PhantomData<T>);

macro_rules! this {
    ($v:expr) => {
        // SAFETY: the vDPA core calls ops only on devices of this table,
        // i.e. made by `MgmtHandle::create` with `T`, and none after `free`.
        unsafe { data::<T>($v) }
    };
}

impl<T: VdpaOps> Adapter<T> {
    const OPS: ffi::vdpa_config_ops = {
        // SAFETY: an all-zero ops table is valid (every op absent).
        let mut o: ffi::vdpa_config_ops = unsafe { core::mem::zeroed() };
        o.set_vq_address = Some(Self::set_vq_address);
        o.set_vq_num = Some(Self::set_vq_num);
        o.kick_vq = Some(Self::kick_vq);
        o.set_vq_cb = Some(Self::set_vq_cb);
        o.set_vq_ready = Some(Self::set_vq_ready);
        o.get_vq_ready = Some(Self::get_vq_ready);
        o.set_vq_state = Some(Self::set_vq_state);
        o.get_vq_state = Some(Self::get_vq_state);
        o.get_vendor_vq_stats = Some(Self::get_vendor_vq_stats);
        o.get_vq_size = Some(Self::get_vq_size);
        o.get_vq_align = Some(Self::get_vq_align);
        o.get_vq_group = Some(Self::get_vq_group);
        o.get_device_features = Some(Self::get_device_features);
        o.set_driver_features = Some(Self::set_driver_features);
        o.get_driver_features = Some(Self::get_driver_features);
        o.set_config_cb = Some(Self::set_config_cb);
        o.get_vq_num_max = Some(Self::get_vq_num_max);
        o.get_device_id = Some(Self::get_device_id);
        o.get_vendor_id = Some(Self::get_vendor_id);
        o.get_status = Some(Self::get_status);
        o.set_status = Some(Self::set_status);
        o.reset = Some(Self::reset);
        o.suspend = Some(Self::suspend);
        o.resume = Some(Self::resume);
        o.get_config_size = Some(Self::get_config_size);
        o.get_config = Some(Self::get_config);
        o.set_config = Some(Self::set_config);
        o.get_generation = Some(Self::get_generation);
        o.get_iova_range = Some(Self::get_iova_range);
        o.dma_map = Some(Self::dma_map);
        o.dma_unmap = Some(Self::dma_unmap);
        o.reset_map = Some(Self::reset_map);
        o.set_group_asid = Some(Self::set_group_asid);
        o.free = Some(Self::free);
        o
    };

    /// # Safety
    ///
    /// Only the vDPA core calls this, through [`Adapter::OPS`], on a device
    /// made with `T`, with the arguments `struct vdpa_config_ops` documents.
    unsafe extern "C" fn set_vq_address(
        v: *mut ffi::vdpa_device,
        idx: u16,
        desc: u64,
        driver: u64,
        device: u64,
    ) -> c_int {
        from_result(|| {
            this!(v).set_vq_address(idx, desc, driver, device)?;
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Only the vDPA core calls this, through [`Adapter::OPS`], on a device
    /// made with `T`, with the arguments `struct vdpa_config_ops` documents.
    unsafe extern "C" fn set_vq_num(v: *mut ffi::vdpa_device, idx: u16, num: u32) {
        this!(v).set_vq_num(idx, num)
    }

    /// # Safety
    ///
    /// Only the vDPA core calls this, through [`Adapter::OPS`], on a device
    /// made with `T`, with the arguments `struct vdpa_config_ops` documents.
    unsafe extern "C" fn kick_vq(v: *mut ffi::vdpa_device, idx: u16) {
        this!(v).kick_vq(idx)
    }

    /// # Safety
    ///
    /// Only the vDPA core calls this, through [`Adapter::OPS`], on a device
    /// made with `T`, with the arguments `struct vdpa_config_ops` documents.
    unsafe extern "C" fn set_vq_cb(
        v: *mut ffi::vdpa_device,
        idx: u16,
        cb: *mut ffi::vdpa_callback,
    ) {
        // SAFETY: the core passes a valid callback (or null).
        this!(v).set_vq_cb(idx, unsafe { Callback::from_raw(cb) })
    }

    /// # Safety
    ///
    /// Only the vDPA core calls this, through [`Adapter::OPS`], on a device
    /// made with `T`, with the arguments `struct vdpa_config_ops` documents.
    unsafe extern "C" fn set_vq_ready(v: *mut ffi::vdpa_device, idx: u16, ready: bool) {
        this!(v).set_vq_ready(idx, ready)
    }

    /// # Safety
    ///
    /// Only the vDPA core calls this, through [`Adapter::OPS`], on a device
    /// made with `T`, with the arguments `struct vdpa_config_ops` documents.
    unsafe extern "C" fn get_vq_ready(v: *mut ffi::vdpa_device, idx: u16) -> bool {
        this!(v).vq_ready(idx)
    }

    /// # Safety
    ///
    /// Only the vDPA core calls this, through [`Adapter::OPS`], on a device
    /// made with `T`, with the arguments `struct vdpa_config_ops` documents.
    unsafe extern "C" fn set_vq_state(
        v: *mut ffi::vdpa_device,
        idx: u16,
        state: *const ffi::vdpa_vq_state,
    ) -> c_int {
        from_result(|| {
            // SAFETY: the core passes a valid state; split rings use `split`.
            let avail = unsafe { (*state).__bindgen_anon_1.split.avail_index };
            this!(v).set_vq_state(idx, avail)?;
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Only the vDPA core calls this, through [`Adapter::OPS`], on a device
    /// made with `T`, with the arguments `struct vdpa_config_ops` documents.
    unsafe extern "C" fn get_vq_state(
        v: *mut ffi::vdpa_device,
        idx: u16,
        state: *mut ffi::vdpa_vq_state,
    ) -> c_int {
        from_result(|| {
            let avail = this!(v).vq_state(idx)?;
            // SAFETY: the core passes a writable state.
            unsafe { (*state).__bindgen_anon_1.split.avail_index = avail };
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Only the vDPA core calls this, through [`Adapter::OPS`], on a device
    /// made with `T`, with the arguments `struct vdpa_config_ops` documents.
    unsafe extern "C" fn get_vendor_vq_stats(
        v: *mut ffi::vdpa_device,
        idx: u16,
        msg: *mut ffi::sk_buff,
        _extack: *mut ffi::netlink_ext_ack,
    ) -> c_int {
        from_result(|| {
            this!(v).vq_stats(idx, &mut VqStatsMsg(msg))?;
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Only the vDPA core calls this, through [`Adapter::OPS`], on a device
    /// made with `T`, with the arguments `struct vdpa_config_ops` documents.
    unsafe extern "C" fn get_vq_size(v: *mut ffi::vdpa_device, idx: u16) -> u16 {
        this!(v).vq_size(idx)
    }

    /// # Safety
    ///
    /// Only the vDPA core calls this, through [`Adapter::OPS`], on a device
    /// made with `T`, with the arguments `struct vdpa_config_ops` documents.
    unsafe extern "C" fn get_vq_align(_v: *mut ffi::vdpa_device) -> u32 {
        T::VQ_ALIGN
    }

    /// # Safety
    ///
    /// Only the vDPA core calls this, through [`Adapter::OPS`], on a device
    /// made with `T`, with the arguments `struct vdpa_config_ops` documents.
    unsafe extern "C" fn get_vq_group(v: *mut ffi::vdpa_device, idx: u16) -> u32 {
        this!(v).vq_group(idx)
    }

    /// # Safety
    ///
    /// Only the vDPA core calls this, through [`Adapter::OPS`], on a device
    /// made with `T`, with the arguments `struct vdpa_config_ops` documents.
    unsafe extern "C" fn get_device_features(v: *mut ffi::vdpa_device) -> u64 {
        this!(v).device_features()
    }

    /// # Safety
    ///
    /// Only the vDPA core calls this, through [`Adapter::OPS`], on a device
    /// made with `T`, with the arguments `struct vdpa_config_ops` documents.
    unsafe extern "C" fn set_driver_features(v: *mut ffi::vdpa_device, f: u64) -> c_int {
        from_result(|| {
            this!(v).set_driver_features(f)?;
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Only the vDPA core calls this, through [`Adapter::OPS`], on a device
    /// made with `T`, with the arguments `struct vdpa_config_ops` documents.
    unsafe extern "C" fn get_driver_features(v: *mut ffi::vdpa_device) -> u64 {
        this!(v).driver_features()
    }

    /// # Safety
    ///
    /// Only the vDPA core calls this, through [`Adapter::OPS`], on a device
    /// made with `T`, with the arguments `struct vdpa_config_ops` documents.
    unsafe extern "C" fn set_config_cb(v: *mut ffi::vdpa_device, cb: *mut ffi::vdpa_callback) {
        // SAFETY: the core passes a valid callback (or null).
        this!(v).set_config_cb(unsafe { Callback::from_raw(cb) })
    }

    /// # Safety
    ///
    /// Only the vDPA core calls this, through [`Adapter::OPS`], on a device
    /// made with `T`, with the arguments `struct vdpa_config_ops` documents.
    unsafe extern "C" fn get_vq_num_max(v: *mut ffi::vdpa_device) -> u16 {
        this!(v).vq_num_max()
    }

    /// # Safety
    ///
    /// Only the vDPA core calls this, through [`Adapter::OPS`], on a device
    /// made with `T`, with the arguments `struct vdpa_config_ops` documents.
    unsafe extern "C" fn get_device_id(_v: *mut ffi::vdpa_device) -> u32 {
        T::DEVICE_ID
    }

    /// # Safety
    ///
    /// Only the vDPA core calls this, through [`Adapter::OPS`], on a device
    /// made with `T`, with the arguments `struct vdpa_config_ops` documents.
    unsafe extern "C" fn get_vendor_id(_v: *mut ffi::vdpa_device) -> u32 {
        T::VENDOR_ID
    }

    /// # Safety
    ///
    /// Only the vDPA core calls this, through [`Adapter::OPS`], on a device
    /// made with `T`, with the arguments `struct vdpa_config_ops` documents.
    unsafe extern "C" fn get_status(v: *mut ffi::vdpa_device) -> u8 {
        this!(v).status()
    }

    /// # Safety
    ///
    /// Only the vDPA core calls this, through [`Adapter::OPS`], on a device
    /// made with `T`, with the arguments `struct vdpa_config_ops` documents.
    unsafe extern "C" fn set_status(v: *mut ffi::vdpa_device, status: u8) {
        // SAFETY: the core passes the device the bound driver calls for.
        let driver = if unsafe { ffi::dpaa_vdpa_dev_kernel_driver(v) } {
            Driver::Kernel
        } else {
            Driver::User
        };
        this!(v).set_status(status, driver)
    }

    /// # Safety
    ///
    /// Only the vDPA core calls this, through [`Adapter::OPS`], on a device
    /// made with `T`, with the arguments `struct vdpa_config_ops` documents.
    unsafe extern "C" fn reset(v: *mut ffi::vdpa_device) -> c_int {
        from_result(|| {
            this!(v).reset()?;
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Only the vDPA core calls this, through [`Adapter::OPS`], on a device
    /// made with `T`, with the arguments `struct vdpa_config_ops` documents.
    unsafe extern "C" fn suspend(v: *mut ffi::vdpa_device) -> c_int {
        from_result(|| {
            this!(v).suspend()?;
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Only the vDPA core calls this, through [`Adapter::OPS`], on a device
    /// made with `T`, with the arguments `struct vdpa_config_ops` documents.
    unsafe extern "C" fn resume(v: *mut ffi::vdpa_device) -> c_int {
        from_result(|| {
            this!(v).resume()?;
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Only the vDPA core calls this, through [`Adapter::OPS`], on a device
    /// made with `T`, with the arguments `struct vdpa_config_ops` documents.
    unsafe extern "C" fn get_config_size(_v: *mut ffi::vdpa_device) -> usize {
        T::CONFIG_SIZE
    }

    /// # Safety
    ///
    /// Only the vDPA core calls this, through [`Adapter::OPS`], on a device
    /// made with `T`, with the arguments `struct vdpa_config_ops` documents.
    unsafe extern "C" fn get_config(
        v: *mut ffi::vdpa_device,
        off: c_uint,
        buf: *mut c_void,
        len: c_uint,
    ) {
        let mut cfg = [0u8; 64];
        let cfg = &mut cfg[..T::CONFIG_SIZE.min(64)];
        this!(v).config(cfg);
        let (off, len) = (off as usize, len as usize);
        // SAFETY: the caller gives `len` writable bytes at `buf`.
        let out = unsafe { core::slice::from_raw_parts_mut(buf.cast::<u8>(), len) };
        // Bytes beyond the config space read as zero.
        out.fill(0);
        if off < cfg.len() {
            let n = len.min(cfg.len() - off);
            out[..n].copy_from_slice(&cfg[off..off + n]);
        }
    }

    /// # Safety
    ///
    /// Only the vDPA core calls this, through [`Adapter::OPS`], on a device
    /// made with `T`, with the arguments `struct vdpa_config_ops` documents.
    unsafe extern "C" fn set_config(
        _v: *mut ffi::vdpa_device,
        _off: c_uint,
        _buf: *const c_void,
        _len: c_uint,
    ) {
        // virtio-net's config space is read-only for a VERSION_1 driver.
    }

    /// # Safety
    ///
    /// Only the vDPA core calls this, through [`Adapter::OPS`], on a device
    /// made with `T`, with the arguments `struct vdpa_config_ops` documents.
    unsafe extern "C" fn get_generation(v: *mut ffi::vdpa_device) -> u32 {
        this!(v).generation()
    }

    /// # Safety
    ///
    /// Only the vDPA core calls this, through [`Adapter::OPS`], on a device
    /// made with `T`, with the arguments `struct vdpa_config_ops` documents.
    unsafe extern "C" fn get_iova_range(_v: *mut ffi::vdpa_device) -> ffi::vdpa_iova_range {
        ffi::vdpa_iova_range {
            first: 0,
            last: T::IOVA_LAST,
        }
    }

    /// # Safety
    ///
    /// Only the vDPA core calls this, through [`Adapter::OPS`], on a device
    /// made with `T`, with the arguments `struct vdpa_config_ops` documents.
    unsafe extern "C" fn dma_map(
        v: *mut ffi::vdpa_device,
        asid: c_uint,
        iova: u64,
        size: u64,
        pa: u64,
        perm: u32,
        _opaque: *mut c_void,
    ) -> c_int {
        from_result(|| {
            this!(v).dma_map(asid, iova, size, pa, perm)?;
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Only the vDPA core calls this, through [`Adapter::OPS`], on a device
    /// made with `T`, with the arguments `struct vdpa_config_ops` documents.
    unsafe extern "C" fn dma_unmap(
        v: *mut ffi::vdpa_device,
        asid: c_uint,
        iova: u64,
        size: u64,
    ) -> c_int {
        from_result(|| {
            this!(v).dma_unmap(asid, iova, size)?;
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Only the vDPA core calls this, through [`Adapter::OPS`], on a device
    /// made with `T`, with the arguments `struct vdpa_config_ops` documents.
    unsafe extern "C" fn reset_map(v: *mut ffi::vdpa_device, asid: c_uint) -> c_int {
        from_result(|| {
            this!(v).reset_map(asid)?;
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Only the vDPA core calls this, through [`Adapter::OPS`], on a device
    /// made with `T`, with the arguments `struct vdpa_config_ops` documents.
    unsafe extern "C" fn set_group_asid(
        v: *mut ffi::vdpa_device,
        group: c_uint,
        asid: c_uint,
    ) -> c_int {
        from_result(|| {
            this!(v).set_group_asid(group, asid)?;
            Ok(0)
        })
    }

    const FLAG_OPS: ffi::dpaa_vdpa_flag_ops = ffi::dpaa_vdpa_flag_ops {
        get: Some(Self::flag_get),
        set: Some(Self::flag_set),
    };

    /// # Safety
    ///
    /// Only the sysfs files of a device made with `T` call this (shims.c),
    /// with its `drv`, before `free`.
    unsafe extern "C" fn flag_get(drv: *mut c_void, flag: c_uint) -> c_int {
        let Some(f) = DevFlag::from_raw(flag) else {
            return EINVAL.to_errno();
        };
        // SAFETY: `drv` is the `Arc<T>` of a live device (see above).
        c_int::from(unsafe { &*drv.cast::<T>() }.flag(f))
    }

    /// # Safety
    ///
    /// As [`Adapter::flag_get`].
    unsafe extern "C" fn flag_set(drv: *mut c_void, flag: c_uint, on: bool) -> c_int {
        from_result(|| {
            let f = DevFlag::from_raw(flag).ok_or(EINVAL)?;
            // SAFETY: `drv` is the `Arc<T>` of a live device (see above).
            unsafe { &*drv.cast::<T>() }.set_flag(f, on)?;
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Only the vDPA core calls this, through [`Adapter::OPS`], on a device
    /// made with `T`, with the arguments `struct vdpa_config_ops` documents.
    unsafe extern "C" fn free(v: *mut ffi::vdpa_device) {
        // SAFETY: the last reference is gone; `drv` (if set) is the
        // `Arc<T>` `create` stored, taken exactly once.
        let drv = unsafe { ffi::dpaa_vdpa_dev_take_drv(v) };
        if !drv.is_null() {
            // SAFETY: see above.
            drop(unsafe { Arc::from_raw(drv.cast::<T>()) });
        }
    }
}

/// The management device, as `dev_add` gets it: creates devices.
pub(crate) struct MgmtHandle<'a> {
    mdev: *mut ffi::vdpa_mgmt_dev,
    parent: &'a Device,
}

impl MgmtHandle<'_> {
    pub(crate) fn parent(&self) -> &Device {
        self.parent
    }

    /// Allocates a device named `name` with `nvqs` virtqueues, `ngroups` vq
    /// groups and `nas` address spaces, its operations going to `data`,
    /// and registers it (`_vdpa_register_device`, from `dev_add`).
    pub(crate) fn create<T: VdpaOps>(
        &self,
        name: &CStr,
        nvqs: u32,
        ngroups: u32,
        nas: u32,
        data: Arc<T>,
    ) -> Result {
        let drv = Arc::into_raw(data);
        let mut err = 0;
        // SAFETY: `parent` and `mdev` are live (we are in `dev_add`); the
        // ops table is 'static; on success the device owns `drv`.
        let vdev = unsafe {
            ffi::dpaa_vdpa_dev_alloc(
                self.parent.as_raw(),
                &Adapter::<T>::OPS,
                &Adapter::<T>::FLAG_OPS,
                self.mdev,
                ngroups,
                nas,
                name.as_char_ptr(),
                drv.cast_mut().cast(),
                &mut err,
            )
        };
        if vdev.is_null() {
            // SAFETY: not taken by a device: still ours.
            drop(unsafe { Arc::from_raw(drv) });
            return Err(Error::from_errno(err));
        }
        // SAFETY: a fresh device; on failure the reference is put, which
        // frees `drv` through `free`.
        let r = unsafe { ffi::_vdpa_register_device(vdev, nvqs) };
        if r != 0 {
            // SAFETY: drops the allocation reference (and `drv` via `free`).
            unsafe { ffi::put_device(ffi::dpaa_vdpa_dev_device(vdev)) };
        }
        to_result(r)
    }
}

/// The operations of a management device (`struct vdpa_mgmtdev_ops`).
///
/// The vDPA core calls them with its `vdpa_dev_lock` held for writing, so they
/// never run concurrently with each other.
#[vtable]
pub(crate) trait MgmtDevOps: Send + Sync + Sized {
    /// The devices it creates.
    type Device: VdpaOps;

    /// `vdpa dev add`: create a device named `name` with [`MgmtHandle::create`].
    fn dev_add(&self, mdev: &MgmtHandle<'_>, name: &CStr, config: &DevSetConfig) -> Result;

    /// `vdpa dev del`, and every device still present when the management
    /// device is unregistered: tear it down and [`VdpaDevice::unregister`] it.
    fn dev_del(&self, parent: &Device, dev: VdpaDevice<'_, Self::Device>);

    /// `vdpa dev set`: change attributes of an existing device.
    fn dev_set_attr(
        &self,
        _parent: &Device,
        _dev: &Self::Device,
        _config: &DevSetConfig,
    ) -> Result {
        kernel::build_error(kernel::error::VTABLE_DEFAULT_ERROR)
    }
}

/// A management device registered with the vDPA core; unregistered on drop,
/// which first deletes every device created on it.
///
/// # Invariants
///
/// `mdev` is registered from the end of initialisation until drop, with
/// `device` pointing at `parent` and `ops` at [`MgmtDev::OPS`].
#[pin_data(PinnedDrop)]
pub(crate) struct MgmtDev<T: MgmtDevOps> {
    #[pin]
    mdev: Opaque<ffi::vdpa_mgmt_dev>,
    parent: ARef<Device>,
    ops: T,
    #[pin]
    _pin: PhantomPinned,
}

// SAFETY: the C side only touches `mdev` under `vdpa_dev_lock`; `T` is Send.
unsafe impl<T: MgmtDevOps> Send for MgmtDev<T> {}
// SAFETY: shared access goes through `T: Sync` and the vDPA core's lock.
unsafe impl<T: MgmtDevOps> Sync for MgmtDev<T> {}

/// Device ID table of a single-class management device: `{ id, any vendor }`,
/// then the zero terminator.
struct IdTable<const ID: u32>;

impl<const ID: u32> IdTable<ID> {
    const TABLE: [ffi::virtio_device_id; 2] = [
        ffi::virtio_device_id {
            device: ID,
            vendor: ffi::VIRTIO_DEV_ANY_ID,
        },
        ffi::virtio_device_id {
            device: 0,
            vendor: 0,
        },
    ];
}

impl<T: MgmtDevOps> MgmtDev<T> {
    const OPS: ffi::vdpa_mgmtdev_ops = ffi::vdpa_mgmtdev_ops {
        dev_add: Some(Self::dev_add_callback),
        dev_del: Some(Self::dev_del_callback),
        dev_set_attr: if T::HAS_DEV_SET_ATTR {
            Some(Self::dev_set_attr_callback)
        } else {
            None
        },
    };

    /// Registers a management device of class `virtio_net` on `parent`.
    pub(crate) fn register_net(
        parent: ARef<Device>,
        caps: MgmtDevCaps,
        ops: T,
    ) -> impl PinInit<Self, Error> {
        let id_table: &'static [ffi::virtio_device_id; 2] =
            &IdTable::<{ ffi::VIRTIO_ID_NET }>::TABLE;
        let device = parent.as_raw();
        let mdev_init = move |slot: *mut Opaque<ffi::vdpa_mgmt_dev>| {
            let slot = Opaque::raw_get(slot);
            // SAFETY: `slot` is valid for writes; every field is plain data.
            unsafe {
                slot.write(ffi::vdpa_mgmt_dev {
                    device,
                    ops: &Self::OPS,
                    // The core only reads the table; the pointer is `*mut` in C
                    // for historical reasons.
                    id_table: id_table.as_ptr().cast_mut(),
                    config_attr_mask: caps.config_attrs,
                    list: Default::default(),
                    supported_features: caps.supported_features,
                    max_supported_vqs: caps.max_supported_vqs,
                })
            };
            // SAFETY: `slot` is fully initialised and pinned: it does not move
            // until `drop`, which unregisters it. `device` is kept alive by the
            // `parent` reference stored next to it.
            to_result(unsafe { ffi::vdpa_mgmtdev_register(slot) })
        };
        try_pin_init!(Self {
            parent,
            ops,
            // SAFETY: `mdev_init` fully initialises the slot, or fails having
            // registered nothing.
            mdev <- unsafe { kernel::init::pin_init_from_closure(mdev_init) },
            _pin: PhantomPinned,
        }? Error)
    }

    fn parent(&self) -> &Device {
        &self.parent
    }

    /// # Safety
    ///
    /// `mdev` must be the `mdev` field of a live `MgmtDev<T>`.
    unsafe fn from_mdev<'a>(mdev: *mut ffi::vdpa_mgmt_dev) -> &'a Self {
        // SAFETY: guaranteed by the caller; `Opaque` is transparent, so the
        // `vdpa_mgmt_dev` is at the offset of the `mdev` field.
        unsafe { &*container_of!(mdev.cast::<Opaque<ffi::vdpa_mgmt_dev>>(), Self, mdev) }
    }

    /// # Safety
    ///
    /// Only the vDPA core calls this, through [`MgmtDev::OPS`], with the
    /// arguments `struct vdpa_mgmtdev_ops` documents.
    unsafe extern "C" fn dev_add_callback(
        mdev: *mut ffi::vdpa_mgmt_dev,
        name: *const c_char,
        config: *const ffi::vdpa_dev_set_config,
    ) -> c_int {
        from_result(|| {
            // SAFETY: the core passes the `mdev` registered by `register_net`,
            // which lives until it is unregistered.
            let this = unsafe { Self::from_mdev(mdev) };
            // SAFETY: `name` is a NUL-terminated netlink string valid for the call.
            let name = unsafe { CStr::from_char_ptr(name) };
            // SAFETY: `config` points at a valid, initialised struct for the call.
            let config = DevSetConfig(unsafe { config.read() });
            let h = MgmtHandle {
                mdev,
                parent: this.parent(),
            };
            this.ops.dev_add(&h, name, &config)?;
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Only the vDPA core calls this, through [`MgmtDev::OPS`], with the
    /// arguments `struct vdpa_mgmtdev_ops` documents.
    unsafe extern "C" fn dev_del_callback(
        mdev: *mut ffi::vdpa_mgmt_dev,
        dev: *mut ffi::vdpa_device,
    ) {
        // SAFETY: as in `dev_add_callback`.
        let this = unsafe { Self::from_mdev(mdev) };
        // The core passes a device registered on this management device,
        // i.e. made by `MgmtHandle::create` with `T::Device` (type invariant
        // of `VdpaDevice`).
        let dev = VdpaDevice {
            ptr: dev,
            _p: core::marker::PhantomData,
        };
        this.ops.dev_del(this.parent(), dev);
    }

    /// # Safety
    ///
    /// Only the vDPA core calls this, through [`MgmtDev::OPS`], with the
    /// arguments `struct vdpa_mgmtdev_ops` documents.
    unsafe extern "C" fn dev_set_attr_callback(
        mdev: *mut ffi::vdpa_mgmt_dev,
        dev: *mut ffi::vdpa_device,
        config: *const ffi::vdpa_dev_set_config,
    ) -> c_int {
        from_result(|| {
            // SAFETY: as in `dev_add_callback`.
            let this = unsafe { Self::from_mdev(mdev) };
            // SAFETY: the core passes a device registered on this management
            // device, made with `T::Device`.
            let dev = unsafe { data::<T::Device>(dev) };
            // SAFETY: `config` points at a valid, initialised struct for the call.
            let config = DevSetConfig(unsafe { config.read() });
            this.ops.dev_set_attr(this.parent(), dev, &config)?;
            Ok(0)
        })
    }
}

#[pinned_drop]
impl<T: MgmtDevOps> PinnedDrop for MgmtDev<T> {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: registered since initialisation (type invariant). This
        // deletes the remaining devices through `dev_del`; the core does not
        // use `mdev` after it returns.
        unsafe { ffi::vdpa_mgmtdev_unregister(self.mdev.get()) };
    }
}
