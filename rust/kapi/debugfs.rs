// SPDX-License-Identifier: GPL-2.0

//! debugfs directories and files whose contents come from Rust.
//!
//! debugfs is a debugging aid: when it is missing or a file cannot be made,
//! the driver goes on without it (as the C API intends).

use crate::ffi;
use core::{fmt, marker::PhantomPinned, ptr::NonNull};
use kernel::{
    c_str,
    ffi::{c_char, c_int, c_void},
    prelude::*,
    sync::Arc,
    types::Opaque,
};

fn valid(d: *mut ffi::dentry) -> Option<NonNull<ffi::dentry>> {
    // debugfs returns ERR_PTR values on failure.
    if d.is_null() || (d as isize) < 0 && (d as isize) >= -4095 {
        None
    } else {
        NonNull::new(d)
    }
}

/// A debugfs directory, removed (with everything in it) on drop.
pub(crate) struct Dir(Option<NonNull<ffi::dentry>>);

// SAFETY: dentries may be used and removed from any thread.
unsafe impl Send for Dir {}
// SAFETY: as above.
unsafe impl Sync for Dir {}

impl Dir {
    pub(crate) fn new(name: &CStr, parent: Option<&Dir>) -> Self {
        let parent = parent
            .and_then(|p| p.0)
            .map_or(core::ptr::null_mut(), |p| p.as_ptr());
        // SAFETY: `name` is NUL-terminated; `parent` is NULL or a live dentry.
        Self(valid(unsafe {
            ffi::debugfs_create_dir(name.as_char_ptr(), parent)
        }))
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        if let Some(d) = self.0 {
            // SAFETY: created by us and not removed yet; removal waits for
            // the files' open users.
            unsafe { ffi::debugfs_remove(d.as_ptr()) };
        }
    }
}

/// The `seq_file` a [`Show::show`] writes to.
#[repr(transparent)]
pub(crate) struct SeqFile(Opaque<ffi::seq_file>);

impl SeqFile {
    pub(crate) fn print(&self, args: fmt::Arguments<'_>) {
        // SAFETY: a live seq_file during `show`; `%pA` formats the
        // `fmt::Arguments` passed by pointer.
        unsafe {
            ffi::seq_printf(
                self.0.get(),
                c_str!("%pA").as_char_ptr(),
                core::ptr::from_ref(&args).cast::<c_void>(),
            )
        };
    }
}

/// `seq_print!(m, "fmt", args...)`.
macro_rules! seq_print {
    ($m:expr, $($arg:tt)*) => { $m.print(format_args!($($arg)*)) };
}
pub(crate) use seq_print;

/// The contents of a debugfs file.
pub(crate) trait Show: Send + Sync {
    /// Writes the file's text.
    fn show(&self, m: &SeqFile);
    /// Takes a line written to the file (files with `WRITABLE`).
    fn write(&self, _input: &str) -> Result {
        Err(EPERM)
    }
    /// The file accepts writes.
    const WRITABLE: bool = false;
}

/// A debugfs file backed by `T`, removed on drop.
///
/// # Invariants
///
/// `file.data` points at `self`; `dentry`, when set, is a file created with
/// `file` as private data and not yet removed.
#[pin_data(PinnedDrop)]
pub(crate) struct File<T: Show> {
    #[pin]
    file: Opaque<ffi::dpaa_vdpa_dbg_file>,
    dentry: Option<NonNull<ffi::dentry>>,
    data: T,
    #[pin]
    _pin: PhantomPinned,
}

// SAFETY: the dentry may be removed from any thread; `T` is Send + Sync.
unsafe impl<T: Show> Send for File<T> {}
// SAFETY: as above.
unsafe impl<T: Show> Sync for File<T> {}

impl<T: Show> File<T> {
    /// Creates file `name` in `dir`. The file must be dropped before `dir`.
    pub(crate) fn new<'a>(name: &'a CStr, dir: &Dir, data: T) -> impl PinInit<Self, Error> + 'a
    where
        T: 'a,
    {
        let parent = dir.0;
        // SAFETY: the closure initialises every field; the C struct points at
        // the pinned `Self`, whose address is final.
        unsafe {
            kernel::init::pin_init_from_closure(move |this: *mut Self| {
                let file = Opaque::raw_get(core::ptr::addr_of!((*this).file));
                file.write(ffi::dpaa_vdpa_dbg_file {
                    show: Some(Self::show_cb),
                    write: if T::WRITABLE {
                        Some(Self::write_cb)
                    } else {
                        None
                    },
                    data: this.cast::<c_void>(),
                });
                core::ptr::addr_of_mut!((*this).data).write(data);
                let dentry = parent.and_then(|p| {
                    valid(ffi::dpaa_vdpa_debugfs_file(
                        name.as_char_ptr(),
                        p.as_ptr(),
                        file,
                    ))
                });
                core::ptr::addr_of_mut!((*this).dentry).write(dentry);
                Ok::<(), Error>(())
            })
        }
    }

    /// # Safety
    ///
    /// Called by seq_file with the `data` set up in `new`.
    unsafe extern "C" fn show_cb(m: *mut ffi::seq_file, _v: *mut c_void) -> c_int {
        // SAFETY: single_open() stored our `data` in `private`: the live
        // `File<T>` (type invariant); removal of the dentry waits for
        // readers before the file is freed.
        let this = unsafe { &*(*m).private.cast::<Self>() };
        // SAFETY: transparent wrapper of a live seq_file.
        this.data.show(unsafe { &*m.cast::<SeqFile>() });
        0
    }

    /// # Safety
    ///
    /// Called by the shim with the `data` set up in `new` and a
    /// NUL-terminated copy of what was written.
    unsafe extern "C" fn write_cb(data: *mut c_void, buf: *const c_char, len: usize) -> isize {
        // SAFETY: as in `show_cb`.
        let this = unsafe { &*data.cast::<Self>() };
        // SAFETY: the shim passes `len` readable bytes.
        let bytes = unsafe { core::slice::from_raw_parts(buf.cast::<u8>(), len) };
        let Ok(s) = core::str::from_utf8(bytes) else {
            return -(ffi::EINVAL as isize);
        };
        match this.data.write(s.trim()) {
            Ok(()) => len as isize,
            Err(e) => e.to_errno() as isize,
        }
    }
}

#[pinned_drop]
impl<T: Show> PinnedDrop for File<T> {
    fn drop(self: Pin<&mut Self>) {
        if let Some(d) = self.dentry {
            // SAFETY: created by us, not removed (type invariant). Waits for
            // open files' active operations.
            unsafe { ffi::debugfs_remove(d.as_ptr()) };
        }
    }
}

/// A file `name` in `dir` showing `data`, kept as a type-erased handle
/// (a list of them owns a directory's files; dropping one removes it).
pub(crate) fn file<T: Show + 'static>(
    name: &'static CStr,
    dir: &Dir,
    data: T,
) -> Result<Arc<dyn Send + Sync>> {
    let f: Arc<File<T>> = Arc::pin_init(File::new(name, dir, data), GFP_KERNEL)?;
    Ok(f)
}
