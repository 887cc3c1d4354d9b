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
use kernel::ffi::{c_char, c_int};
use kernel::{
    container_of,
    error::{from_result, to_result},
    prelude::*,
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

#[allow(dead_code)] // Read by device creation (a later change).
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

/// A vDPA device as seen by its management device (`struct vdpa_device`).
///
/// # Invariants
///
/// The wrapped `struct vdpa_device` is registered for the lifetime of `&VdpaDevice`.
#[repr(transparent)]
pub(crate) struct VdpaDevice(Opaque<ffi::vdpa_device>);

impl VdpaDevice {
    /// # Safety
    ///
    /// `ptr` must point at a registered `struct vdpa_device` valid for `'a`.
    unsafe fn from_raw<'a>(ptr: *mut ffi::vdpa_device) -> &'a Self {
        // SAFETY: transparent wrapper; validity guaranteed by the caller.
        unsafe { &*ptr.cast() }
    }
}

/// The operations of a management device (`struct vdpa_mgmtdev_ops`).
///
/// The vDPA core calls them with its `vdpa_dev_lock` held for writing, so they
/// never run concurrently with each other.
#[vtable]
pub(crate) trait MgmtDevOps: Send + Sync + Sized {
    /// `vdpa dev add`: create a device named `name` and register it with
    /// `_vdpa_register_device()`.
    fn dev_add(&self, parent: &Device, name: &CStr, config: &DevSetConfig) -> Result;

    /// `vdpa dev del`, and every device still present when the management
    /// device is unregistered: unregister `dev` with `_vdpa_unregister_device()`.
    fn dev_del(&self, parent: &Device, dev: &VdpaDevice);

    /// `vdpa dev set`: change attributes of an existing device.
    fn dev_set_attr(&self, _parent: &Device, _dev: &VdpaDevice, _config: &DevSetConfig) -> Result {
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
            this.ops.dev_add(this.parent(), name, &config)?;
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
        // SAFETY: the core passes a device registered on this management device.
        let dev = unsafe { VdpaDevice::from_raw(dev) };
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
            // SAFETY: the core passes a device registered on this management device.
            let dev = unsafe { VdpaDevice::from_raw(dev) };
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
