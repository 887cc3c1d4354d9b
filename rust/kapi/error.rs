// SPDX-License-Identifier: GPL-2.0

//! Error codes the 6.12 `kernel::error::code` lacks.

use crate::ffi;
use kernel::error::Error;

/// `-EOPNOTSUPP`: operation not supported (what netlink users expect, unlike
/// the kernel-internal `ENOTSUPP`).
pub(crate) fn eopnotsupp() -> Error {
    Error::from_errno(-(ffi::EOPNOTSUPP as i32))
}

/// An error code from the kernel's errno list (for codes the 6.12
/// `kernel::error::code` does not name).
pub(crate) fn errno(code: u32) -> Error {
    Error::from_errno(-(code as i32))
}
