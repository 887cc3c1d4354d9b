// SPDX-License-Identifier: GPL-2.0

//! `struct device`: borrowed references, log messages, root devices.
//!
//! C headers: `include/linux/device.h`, `include/linux/dev_printk.h`.

use crate::ffi;
use core::{fmt, ptr::NonNull};
use kernel::{
    c_str,
    error::from_err_ptr,
    prelude::*,
    types::{AlwaysRefCounted, Opaque},
};

/// A `struct device` owned by the C side, borrowed for the lifetime of `&Device`.
///
/// # Invariants
///
/// The wrapped `struct device` is initialised and stays valid for as long as a
/// `&Device` to it exists.
#[repr(transparent)]
pub(crate) struct Device(Opaque<ffi::device>);

// SAFETY: the driver core synchronises `struct device` internally; the methods
// here (logging, taking its address) are safe from any thread.
unsafe impl Send for Device {}
// SAFETY: as above.
unsafe impl Sync for Device {}

/// A kernel log level for [`Device::printk`].
#[derive(Clone, Copy)]
pub(crate) enum Level {
    Err,
    Info,
}

impl Device {
    /// Borrows a C `struct device`.
    ///
    /// # Safety
    ///
    /// `ptr` must point at an initialised `struct device` that stays valid for `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut ffi::device) -> &'a Self {
        // SAFETY: `Device` is a transparent wrapper of `struct device`; the caller
        // guarantees validity for `'a`.
        unsafe { &*ptr.cast() }
    }

    pub(crate) fn as_raw(&self) -> *mut ffi::device {
        self.0.get()
    }

    /// Logs `args` prefixed with the driver and device name, as `dev_err()` & co.
    pub(crate) fn printk(&self, level: Level, args: fmt::Arguments<'_>) {
        let level = match level {
            Level::Err => c_str!("\x013"),
            Level::Info => c_str!("\x016"),
        };
        // SAFETY: `self` is a valid device (type invariant); `%pA` makes vsprintf
        // format the `fmt::Arguments` passed by pointer, which outlives the call.
        unsafe {
            ffi::_dev_printk(
                level.as_char_ptr(),
                self.as_raw(),
                c_str!("%pA").as_char_ptr(),
                core::ptr::from_ref(&args).cast::<kernel::ffi::c_void>(),
            )
        };
    }
}

// SAFETY: `get_device`/`put_device` are the reference count of `struct
// device`; the last `put_device` frees it through its release callback.
unsafe impl AlwaysRefCounted for Device {
    fn inc_ref(&self) {
        // SAFETY: `self` is valid (type invariant), so its count is non-zero.
        unsafe { ffi::get_device(self.as_raw()) };
    }

    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: the caller owns one reference.
        unsafe { ffi::put_device(obj.cast().as_ptr()) };
    }
}

/// `dev_err!(dev, "fmt", args...)`: an error message about `dev`.
macro_rules! dev_err {
    ($dev:expr, $($arg:tt)*) => {
        $dev.printk($crate::kapi::device::Level::Err, format_args!($($arg)*))
    };
}

/// `dev_info!(dev, "fmt", args...)`: an informational message about `dev`.
macro_rules! dev_info {
    ($dev:expr, $($arg:tt)*) => {
        $dev.printk($crate::kapi::device::Level::Info, format_args!($($arg)*))
    };
}

pub(crate) use {dev_err, dev_info};

/// A root device, `/sys/devices/<name>`: the parent of a software port's
/// management device. Unregistered on drop.
///
/// # Invariants
///
/// `self.0` was returned by a successful `root_device_register()` and has not
/// been unregistered.
pub(crate) struct RootDevice(NonNull<ffi::device>);

// SAFETY: a registered device may be used and unregistered from any thread.
unsafe impl Send for RootDevice {}
// SAFETY: `&RootDevice` only hands out `&Device`, which is `Sync`-safe to use.
unsafe impl Sync for RootDevice {}

impl RootDevice {
    pub(crate) fn register(name: &CStr) -> Result<Self> {
        // SAFETY: `name` is NUL-terminated; the driver core copies it.
        let dev = from_err_ptr(unsafe { ffi::dpaa_vdpa_root_device_register(name.as_char_ptr()) })?;
        // Type invariant: registration succeeded.
        Ok(Self(NonNull::new(dev).ok_or(ENOMEM)?))
    }

    pub(crate) fn device(&self) -> &Device {
        // SAFETY: registered devices stay valid until `drop` (type invariant).
        unsafe { Device::from_raw(self.0.as_ptr()) }
    }
}

impl Drop for RootDevice {
    fn drop(&mut self) {
        // SAFETY: registered and not yet unregistered (type invariant).
        unsafe { ffi::root_device_unregister(self.0.as_ptr()) };
    }
}
