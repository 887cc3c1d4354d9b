// SPDX-License-Identifier: GPL-2.0

//! CPUs (`include/linux/smp.h`, `include/linux/cpumask.h`).

use crate::ffi;

/// The CPU this runs on (`raw_smp_processor_id()`): a hint where
/// preemption is on, exact where it is off (BH or IRQ context).
pub(crate) fn current() -> usize {
    // SAFETY: a plain read, any context.
    unsafe { ffi::dpaa_vdpa_cpu() as usize }
}

/// CPUs online now (`num_online_cpus()`).
pub(crate) fn online() -> usize {
    // SAFETY: a plain read, any context.
    unsafe { ffi::dpaa_vdpa_nr_cpus() as usize }
}
