// SPDX-License-Identifier: GPL-2.0

//! The DPAA API the driver uses: frame queues, portals, buffer pools, ports.
//!
//! One interface, two backends: `sim` (a software model of QMan/BMan/FMan, the
//! default and what the QEMU tests run) and, later, `qbman` (QorIQ hardware
//! through the upstream qman.h/bman.h drivers).

pub(crate) mod sim;

/// What a port can back; the vDPA layer sizes its devices by it.
pub(crate) struct PortCaps {
    /// Queue pairs one vDPA device may have: the length of its RX FQ range
    /// and its number of TX FQs.
    pub(crate) max_vqp_per_device: u16,
}
