// SPDX-License-Identifier: GPL-2.0

//! ethtool for the host interface: driver info, statistics (its FQs, the
//! port's pools and counters) and ntuple rules (`ethtool -N`), which
//! become rules of the port's classifier steering a flow to one RX FQ.

use super::HostIf;
use crate::{
    dpaa::FrameQueue,
    ffi,
    kapi::{
        error::{eopnotsupp, errno},
        netdev::NetDev,
    },
    switch::HOST_MEMBER,
};
use core::{
    fmt::Write,
    sync::atomic::{AtomicU64, Ordering::Relaxed},
};
use dpaa_core::{classify::Key, parse::ipproto};
use kernel::prelude::*;

/// ntuple rule locations.
pub(crate) const MAX_RULES: usize = 64;

const HOST_STATS: [&str; 9] = [
    "rx_packets",
    "rx_bytes",
    "rx_dropped",
    "tx_packets",
    "tx_bytes",
    "tx_dropped",
    "tx_cgr_entries",
    "tx_cgr_exits",
    "tx_cgr_congested",
];
/// Per RX queue: `packets` received on its portal (from the switch or the
/// FQ), then the counters of its FQ.
const RXQ_STATS: [&str; 5] = ["packets", "fqid", "enqueued", "dequeued", "ern"];
const TXQ_STATS: [&str; 3] = ["fqid", "enqueued", "dequeued"];
/// Per pool of the port (`pool<i>_<name>`, smallest buffers first).
const POOL_STATS: [&str; 6] = ["bpid", "size", "count", "acquired", "released", "depleted"];

fn nq(h: &HostIf) -> usize {
    h.sw.fman().qman().nr_portals()
}

fn npools(h: &HostIf) -> usize {
    let mut n = 0;
    h.sw.bufs().for_each(|_, _, _| n += 1);
    n
}

/// How many counters the port has (`port_<dir>_<name>`, last in the set).
fn nr_port_counters(h: &HostIf) -> usize {
    let mut n = 0;
    h.sw.counters(&mut |_, _, _| n += 1);
    n
}

pub(super) fn stats_count(h: &HostIf) -> u32 {
    let n = nq(h);
    (HOST_STATS.len()
        + n * (RXQ_STATS.len() + TXQ_STATS.len())
        + 1
        + npools(h) * POOL_STATS.len()
        + nr_port_counters(h)) as u32
}

/// Writes names into consecutive ETH_GSTRING_LEN slots.
struct Names<'a> {
    out: &'a mut [u8],
    slot: usize,
}

impl Names<'_> {
    fn add(&mut self, args: core::fmt::Arguments<'_>) {
        const L: usize = ffi::ETH_GSTRING_LEN as usize;
        let Some(dst) = self.out.get_mut(self.slot * L..(self.slot + 1) * L) else {
            return;
        };
        dst.fill(0);
        let mut w = SlotWriter { buf: dst, len: 0 };
        let _ = w.write_fmt(args);
        self.slot += 1;
    }
}

struct SlotWriter<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl Write for SlotWriter<'_> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        // Keep the last byte for the NUL.
        let n = s.len().min(self.buf.len() - 1 - self.len);
        self.buf[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
        Ok(())
    }
}

pub(super) fn stats_strings(h: &HostIf, out: &mut [u8]) {
    let mut w = Names { out, slot: 0 };
    HOST_STATS.iter().for_each(|s| w.add(format_args!("{s}")));
    for i in 0..nq(h) {
        RXQ_STATS
            .iter()
            .for_each(|s| w.add(format_args!("rxq{i}_{s}")));
    }
    for i in 0..nq(h) {
        TXQ_STATS
            .iter()
            .for_each(|s| w.add(format_args!("txq{i}_{s}")));
    }
    w.add(format_args!("txconf_dequeued"));
    for i in 0..npools(h) {
        POOL_STATS
            .iter()
            .for_each(|s| w.add(format_args!("pool{i}_{s}")));
    }
    h.sw.counters(&mut |d, s, _| w.add(format_args!("port_{d}_{s}")));
}

pub(super) fn stats_values(h: &HostIf, out: &mut [u64]) {
    let mut v = out.iter_mut();
    let mut put = |x: u64| {
        if let Some(o) = v.next() {
            *o = x;
        }
    };
    let l = |a: &AtomicU64| a.load(Relaxed);
    let s = &h.stats;
    for a in [
        &s.rx_packets,
        &s.rx_bytes,
        &s.rx_dropped,
        &s.tx_packets,
        &s.tx_bytes,
        &s.tx_dropped,
        &s.tx_cgr_entries,
        &s.tx_cgr_exits,
    ] {
        put(l(a));
    }
    // ethtool runs under RTNL, so `Running` cannot change meanwhile.
    let rt = h.running();
    put(rt.is_some_and(|rt| rt.cgr.congested()) as u64);
    for i in 0..nq(h) {
        put(s.rxq_packets.get(i).map_or(0, l));
        match rt {
            Some(rt) => {
                let fq = rt.rx.get(i);
                let st = fq.stats();
                put(fq.fqid() as u64);
                put(l(&st.enqueued));
                put(l(&st.dequeued));
                put(l(&st.ern_taildrop) + l(&st.ern_state) + l(&st.ern_fault));
            }
            None => (1..RXQ_STATS.len()).for_each(|_| put(0)),
        }
    }
    for i in 0..nq(h) {
        match rt {
            Some(rt) => {
                let fq = rt.tx.get(i);
                put(fq.fqid() as u64);
                put(l(&fq.stats().enqueued));
                put(l(&fq.stats().dequeued));
            }
            None => (0..TXQ_STATS.len()).for_each(|_| put(0)),
        }
    }
    put(rt.map_or(0, |rt| l(&rt.conf.get(0).stats().dequeued)));
    h.sw.bufs().for_each(|bpid, size, p| {
        put(bpid as u64);
        put(size as u64);
        put(p.count() as u64);
        put(l(&p.stats.acquired));
        put(l(&p.stats.released));
        put(l(&p.stats.depleted));
    });
    h.sw.counters(&mut |_, _, x| put(x));
}

pub(super) fn drvinfo(h: &HostIf, _dev: &NetDev, info: &mut ffi::ethtool_drvinfo) {
    for (d, s) in info.driver.iter_mut().zip(b"dpaa_vdpa\0") {
        *d = *s as _;
    }
    let bus = h.sw.fman().bus_info().as_bytes_with_nul();
    for (d, s) in info.bus_info.iter_mut().zip(bus) {
        *d = *s as _;
    }
}

fn be32_bytes(v: u32) -> [u8; 4] {
    // The field holds network-order bytes.
    v.to_ne_bytes()
}

fn ip6(words: &[u32; 4]) -> [u8; 16] {
    let mut a = [0u8; 16];
    for (i, w) in words.iter().enumerate() {
        a[i * 4..i * 4 + 4].copy_from_slice(&w.to_ne_bytes());
    }
    a
}

/// The classifier key of an ethtool flow spec: only exact destination
/// matches are supported (what the FMan classifier can match).
fn key_of(fs: &ffi::ethtool_rx_flow_spec) -> Result<Key> {
    let ft = fs.flow_type & !(ffi::FLOW_EXT | ffi::FLOW_MAC_EXT | ffi::FLOW_RSS);
    // SAFETY: the union member read is the one `flow_type` selects.
    unsafe {
        let (h, m) = (&fs.h_u, &fs.m_u);
        match ft {
            ffi::TCP_V4_FLOW | ffi::UDP_V4_FLOW => {
                let (h, m) = (&h.tcp_ip4_spec, &m.tcp_ip4_spec);
                if m.ip4src != 0 || m.psrc != 0 || m.tos != 0 || m.ip4dst != !0 || m.pdst != !0 {
                    return Err(eopnotsupp());
                }
                let proto = if ft == ffi::TCP_V4_FLOW {
                    ipproto::TCP
                } else {
                    ipproto::UDP
                };
                Ok(Key::Flow4 {
                    proto,
                    dst: be32_bytes(h.ip4dst),
                    port: u16::from_be(h.pdst),
                })
            }
            ffi::TCP_V6_FLOW | ffi::UDP_V6_FLOW => {
                let (h, m) = (&h.tcp_ip6_spec, &m.tcp_ip6_spec);
                if m.ip6src != [0; 4]
                    || m.psrc != 0
                    || m.tclass != 0
                    || m.ip6dst != [!0; 4]
                    || m.pdst != !0
                {
                    return Err(eopnotsupp());
                }
                let proto = if ft == ffi::TCP_V6_FLOW {
                    ipproto::TCP
                } else {
                    ipproto::UDP
                };
                Ok(Key::Flow6 {
                    proto,
                    dst: ip6(&h.ip6dst),
                    port: u16::from_be(h.pdst),
                })
            }
            ffi::IPV4_USER_FLOW => {
                let (h, m) = (&h.usr_ip4_spec, &m.usr_ip4_spec);
                if m.ip4src != 0
                    || m.l4_4_bytes != 0
                    || m.tos != 0
                    || m.proto != 0
                    || m.ip4dst != !0
                {
                    return Err(eopnotsupp());
                }
                Ok(Key::Ipv4(be32_bytes(h.ip4dst)))
            }
            ffi::ETHER_FLOW => {
                let (h, m) = (&h.ether_spec, &m.ether_spec);
                if m.h_source != [0; 6] || m.h_proto != 0 || m.h_dest != [0xff; 6] {
                    return Err(eopnotsupp());
                }
                Ok(Key::Mac(h.h_dest))
            }
            _ => Err(eopnotsupp()),
        }
    }
}

/// Fills `fs` back from a stored rule (`ethtool -n`).
fn spec_of(fs: &mut ffi::ethtool_rx_flow_spec, key: &Key, queue: u16) {
    // SAFETY: all-zero is valid for the spec; then the member matching the
    // flow type is written.
    unsafe {
        let loc = fs.location;
        *fs = core::mem::zeroed();
        fs.location = loc;
        fs.ring_cookie = queue as u64;
        let (h, m) = (&mut fs.h_u, &mut fs.m_u);
        match *key {
            Key::Flow4 { proto, dst, port } => {
                fs.flow_type = if proto == ipproto::TCP {
                    ffi::TCP_V4_FLOW
                } else {
                    ffi::UDP_V4_FLOW
                };
                h.tcp_ip4_spec.ip4dst = u32::from_ne_bytes(dst);
                h.tcp_ip4_spec.pdst = port.to_be();
                m.tcp_ip4_spec.ip4dst = !0;
                m.tcp_ip4_spec.pdst = !0;
            }
            Key::Flow6 { proto, dst, port } => {
                fs.flow_type = if proto == ipproto::TCP {
                    ffi::TCP_V6_FLOW
                } else {
                    ffi::UDP_V6_FLOW
                };
                for i in 0..4 {
                    h.tcp_ip6_spec.ip6dst[i] = u32::from_ne_bytes([
                        dst[i * 4],
                        dst[i * 4 + 1],
                        dst[i * 4 + 2],
                        dst[i * 4 + 3],
                    ]);
                }
                h.tcp_ip6_spec.pdst = port.to_be();
                m.tcp_ip6_spec.ip6dst = [!0; 4];
                m.tcp_ip6_spec.pdst = !0;
            }
            Key::Ipv4(a) => {
                fs.flow_type = ffi::IPV4_USER_FLOW;
                h.usr_ip4_spec.ip4dst = u32::from_ne_bytes(a);
                h.usr_ip4_spec.ip_ver = 4;
                m.usr_ip4_spec.ip4dst = !0;
            }
            Key::Mac(mac) => {
                fs.flow_type = ffi::ETHER_FLOW;
                h.ether_spec.h_dest = mac;
                m.ether_spec.h_dest = [0xff; 6];
            }
            _ => {}
        }
    }
}

pub(super) fn get_rxnfc(h: &HostIf, cmd: &mut ffi::ethtool_rxnfc, locs: &mut [u32]) -> Result {
    // SAFETY: ethtool calls under RTNL.
    let rules = unsafe { h.rules.get() };
    let count = rules.iter().flatten().count() as u32;
    match cmd.cmd {
        ffi::ETHTOOL_GRXRINGS => cmd.data = nq(h) as u64,
        ffi::ETHTOOL_GRXCLSRLCNT => {
            cmd.__bindgen_anon_1.rule_cnt = count;
            cmd.data = MAX_RULES as u64 | ffi::RX_CLS_LOC_SPECIAL as u64;
        }
        ffi::ETHTOOL_GRXCLSRULE => {
            let loc = cmd.fs.location as usize;
            let (key, q) = rules.get(loc).copied().flatten().ok_or(ENOENT)?;
            spec_of(&mut cmd.fs, &key, q);
        }
        ffi::ETHTOOL_GRXCLSRLALL => {
            let mut n = 0;
            for (loc, _) in rules.iter().enumerate().filter(|(_, r)| r.is_some()) {
                *locs.get_mut(n).ok_or(errno(ffi::EMSGSIZE))? = loc as u32;
                n += 1;
            }
            cmd.__bindgen_anon_1.rule_cnt = n as u32;
            cmd.data = MAX_RULES as u64;
        }
        _ => return Err(eopnotsupp()),
    }
    Ok(())
}

pub(super) fn set_rxnfc(h: &HostIf, cmd: &mut ffi::ethtool_rxnfc) -> Result {
    // SAFETY: ethtool calls under RTNL; the rules have no datapath reader.
    let rules = unsafe { h.rules.get_mut() };
    match cmd.cmd {
        ffi::ETHTOOL_SRXCLSRLINS => {
            let key = key_of(&cmd.fs)?;
            if cmd.fs.ring_cookie == ffi::RX_CLS_FLOW_DISC as u64
                || cmd.fs.ring_cookie >= nq(h) as u64
            {
                return Err(EINVAL);
            }
            let q = cmd.fs.ring_cookie as u16;
            let loc = match cmd.fs.location {
                l if l & ffi::RX_CLS_LOC_SPECIAL != 0 => {
                    rules.iter().position(Option::is_none).ok_or(ENOSPC)?
                }
                l if (l as usize) < MAX_RULES => l as usize,
                _ => return Err(EINVAL),
            };
            if rules[loc].is_some() || rules.iter().flatten().any(|(k, _)| *k == key) {
                return Err(EEXIST);
            }
            // A MAC another entity of the port owns is its traffic.
            if let Key::Mac(mac) | Key::MacVlan { mac, .. } = key {
                let owner = h.sw.with_classifier(|c| c.owner(&mac));
                if owner.is_some_and(|m| m != HOST_MEMBER) {
                    return Err(errno(ffi::EADDRINUSE));
                }
            }
            if h.running().is_some() {
                h.install_rule(&key, q)?;
            }
            rules[loc] = Some((key, q));
            cmd.fs.location = loc as u32;
            Ok(())
        }
        ffi::ETHTOOL_SRXCLSRLDEL => {
            let loc = cmd.fs.location as usize;
            let (key, _) = rules.get(loc).copied().flatten().ok_or(ENOENT)?;
            // Only the host's own rule (it may have failed to install).
            h.sw.with_classifier(|c| {
                let _ = c.remove_owned(&key, HOST_MEMBER);
            });
            rules[loc] = None;
            Ok(())
        }
        _ => Err(eopnotsupp()),
    }
}
