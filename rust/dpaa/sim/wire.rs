// SPDX-License-Identifier: GPL-2.0

//! The wire end of a software port: the far end of its Ethernet cable.
//!
//! A plain Ethernet device: what it transmits arrives at the port's RX, and
//! what the port sends to the wire is received on it. Tests move it into
//! another network namespace and use it with ordinary tools.

use super::fman::Fman;
use crate::{
    ffi,
    kapi::{
        netdev::{NetDev, NetDevOps, TxDone},
        skb::Skb,
    },
};
use core::sync::atomic::Ordering::Relaxed;
use kernel::{prelude::*, sync::Arc};

/// The wire device's state.
pub(crate) struct WireDev {
    pub(crate) fman: Arc<Fman>,
}

#[vtable]
impl NetDevOps for WireDev {
    fn open(&self, dev: &NetDev) -> Result {
        dev.carrier_on();
        dev.start_queue();
        Ok(())
    }

    fn stop(&self, dev: &NetDev) -> Result {
        dev.stop_queue();
        dev.carrier_off();
        Ok(())
    }

    fn start_xmit(&self, _dev: &NetDev, skb: Skb) -> TxDone {
        // No SG feature: the stack hands over linear skbs.
        self.fman.rx_from_wire(skb.head());
        TxDone
    }

    fn get_stats64(&self, _dev: &NetDev, st: &mut ffi::rtnl_link_stats64) {
        // What the wire sent is what the port received, and the other way round.
        st.tx_packets = self.fman.rx.frames.load(Relaxed);
        st.tx_bytes = self.fman.rx.bytes.load(Relaxed);
        st.rx_packets = self.fman.tx.to_wire.load(Relaxed);
    }
}
