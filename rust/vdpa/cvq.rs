// SPDX-License-Identifier: GPL-2.0

//! The control virtqueue: the driver's commands become classifier changes
//! (MAC address and tables, promiscuous, all-multicast) and the active
//! queue pair count; each is acknowledged with one status byte.
//!
//! The driver may use only the MACs its admin allowed: the device's admin
//! MAC, or, once the admin set `trust`, any MAC no other entity of the port
//! owns (the filters claim it).

use super::net::VdpaNet;
use crate::relay::{
    kick::Kick,
    vq::{Vq, VqDrop, VqState},
    Link, LinkKind,
};
use core::sync::atomic::Ordering::Relaxed;
use dpaa_core::{
    ctrl::{self, Ctrl, ACK_ERR, ACK_OK},
    virtio_net as vn,
    vring::{read_chain, write_chain, Chain},
};

/// Commands one kick runs before the relay yields (and rings its own
/// doorbell for the rest).
const BUDGET: usize = 16;

/// Carries out a decoded command; whether it was.
fn apply(dev: &VdpaNet, c: Ctrl<'_>) -> bool {
    let r = match c {
        Ctrl::Promisc(on) if dev.has(vn::F_CTRL_RX) => dev.update_filters(|f| {
            f.promisc = on;
            Ok(())
        }),
        Ctrl::Allmulti(on) if dev.has(vn::F_CTRL_RX) => dev.update_filters(|f| {
            f.allmulti = on;
            Ok(())
        }),
        // Unicast addresses the driver may not use are left out (and the
        // command acked as failed); the multicast table still applies, so a
        // guest's IPv6 neighbour discovery keeps working.
        Ctrl::MacTable { uc, mc } if dev.has(vn::F_CTRL_RX) => {
            let mut all = true;
            let r = dev.update_filters(|f| {
                all = f.set_tables(uc, mc, |m| dev.allowed(m));
                Ok(())
            });
            return r.is_ok() && all;
        }
        Ctrl::MacAddr(mac) if dev.has(vn::F_CTRL_MAC_ADDR) && mac[0] & 1 == 0 && mac != [0; 6] => {
            dev.update_filters(|f| {
                if !dev.allowed(&mac) {
                    return Err(kernel::error::code::EPERM);
                }
                f.mac = mac;
                Ok(())
            })
        }
        // Unchecked, a pair count beyond the device's is CVE-2022-48864.
        Ctrl::VqPairs(n) if dev.has(vn::F_MQ) && ctrl::check_pairs(n, dev.max_vqp) => dev
            .update_filters(|f| {
                f.pairs = n;
                Ok(())
            }),
        _ => return false,
    };
    r.is_ok()
}

/// A kick of the CVQ: run the commands the driver made available.
pub(crate) fn process(dev: &VdpaNet, vq: &Vq) {
    let mem = dev.space_of(vq.idx);
    let s = &vq.stats;
    let mut c = Chain::<8>::default();
    let mut st = vq.st.lock();
    let r = (|| -> Result<bool, ()> {
        let VqState { ring, link, .. } = &mut *st;
        let (
            Some(ring),
            Some(Link {
                doorbell,
                kind: LinkKind::Ctrl { scratch },
            }),
        ) = (ring.as_mut(), link.as_mut())
        else {
            return Ok(false);
        };
        let mut any = false;
        for n in 0.. {
            if n == BUDGET {
                // More may wait: come back through the doorbell.
                Kick::ring(doorbell);
                break;
            }
            if !ring.pop(mem, &mut c).map_err(|_| ())? {
                // Ask for a kick at the next command (with EVENT_IDX the
                // driver kicks only as far as `avail_event` asks), then look
                // once more: one made available in between would wait.
                ring.set_no_notify(mem, false).map_err(|_| ())?;
                if ring.pending(mem).map_err(|_| ())? == 0 {
                    break;
                }
                continue;
            }
            s.descs.fetch_add(1, Relaxed);
            let fits = !c.truncated && c.read_len <= scratch.len() as u64 && c.write_len >= 1;
            let ack = if fits {
                let n = read_chain(mem, &c, 0, scratch).map_err(|_| ())?;
                match ctrl::parse(&scratch[..n]) {
                    Ok(cmd) if apply(dev, cmd) => ACK_OK,
                    _ => ACK_ERR,
                }
            } else {
                ACK_ERR
            };
            if ack == ACK_OK {
                s.frames.fetch_add(1, Relaxed);
            } else {
                s.drop(VqDrop::BadChain);
            }
            let written = write_chain(mem, &c, &[ack]).map_err(|_| ())?;
            ring.push_used(mem, c.head, written as u32)
                .map_err(|_| ())?;
            s.used.fetch_add(1, Relaxed);
            any = true;
        }
        Ok(any && ring.publish(mem).map_err(|_| ())?)
    })();
    match r {
        Ok(true) => st.notify(s),
        Ok(false) => {}
        Err(()) => {
            drop(st);
            dev.device_error();
        }
    }
}
