// SPDX-License-Identifier: GPL-2.0

//! Software model of DPAA: the backend used when no QorIQ hardware is present.

mod port;

pub(crate) use port::Port;
