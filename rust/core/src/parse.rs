// SPDX-License-Identifier: GPL-2.0

//! Frame parser: what the FMan parser extracts before classification.
//!
//! Ethernet II, up to two VLAN tags (802.1Q, QinQ with 0x88a8 or 0x8100 outer),
//! ARP, IPv4 (options, fragments), IPv6 (extension headers, fragments), and
//! TCP/UDP ports. Every read is bounds-checked against the frame: a
//! truncated or inconsistent header is a [`ParseError`], never a read past
//! the end. Trailing padding after the IP datagram is allowed.

/// Ethertypes the parser knows.
pub mod ethertype {
    /// IPv4.
    pub const IPV4: u16 = 0x0800;
    /// ARP.
    pub const ARP: u16 = 0x0806;
    /// 802.1Q customer VLAN tag.
    pub const VLAN: u16 = 0x8100;
    /// 802.1ad service VLAN tag (QinQ outer tag).
    pub const QINQ: u16 = 0x88a8;
    /// IPv6.
    pub const IPV6: u16 = 0x86dd;
}

/// IP protocol numbers the parser knows.
pub mod ipproto {
    /// IPv6 hop-by-hop options.
    pub const HOPOPTS: u8 = 0;
    /// TCP.
    pub const TCP: u8 = 6;
    /// UDP.
    pub const UDP: u8 = 17;
    /// IPv6 routing header.
    pub const ROUTING: u8 = 43;
    /// IPv6 fragment header.
    pub const FRAGMENT: u8 = 44;
    /// ESP (not looked into).
    pub const ESP: u8 = 50;
    /// Authentication header.
    pub const AH: u8 = 51;
    /// ICMPv6.
    pub const ICMPV6: u8 = 58;
    /// No next header.
    pub const NONE: u8 = 59;
    /// IPv6 destination options.
    pub const DSTOPTS: u8 = 60;
}

/// Most IPv6 extension headers followed before giving up.
pub const MAX_EXT_HEADERS: usize = 8;

/// Why a frame could not be parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParseError {
    /// Shorter than an Ethernet header, or a VLAN tag cut short.
    TruncatedL2,
    /// More than two VLAN tags.
    TooManyVlanTags,
    /// An IP or ARP header cut short by the end of the frame.
    TruncatedL3,
    /// An IP header that contradicts itself (version, IHL, lengths).
    BadL3,
    /// More than [`MAX_EXT_HEADERS`] IPv6 extension headers.
    TooManyExtHeaders,
    /// A TCP or UDP header cut short by the end of the IP payload.
    TruncatedL4,
    /// A TCP header with a data offset below 5.
    BadL4,
}

/// The network layer of a parsed frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum L3 {
    /// An ethertype the parser does not look into.
    Other,
    /// ARP; the target protocol address when it is IPv4 over Ethernet.
    Arp {
        /// ARP operation (1 request, 2 reply).
        op: u16,
        /// Target IPv4 address.
        target: [u8; 4],
    },
    /// IPv4.
    Ipv4 {
        /// Source address.
        src: [u8; 4],
        /// Destination address.
        dst: [u8; 4],
        /// Protocol of the payload.
        proto: u8,
    },
    /// IPv6.
    Ipv6 {
        /// Source address.
        src: [u8; 16],
        /// Destination address.
        dst: [u8; 16],
        /// Protocol after the extension headers.
        proto: u8,
    },
}

/// Transport ports of a TCP or UDP segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ports {
    /// Source port.
    pub src: u16,
    /// Destination port.
    pub dst: u16,
}

/// What the parser found, with the offsets of each layer in the frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parsed {
    /// Destination MAC address.
    pub dst_mac: [u8; 6],
    /// Source MAC address.
    pub src_mac: [u8; 6],
    /// VLAN IDs, outer first; `vlan_count` of them are valid.
    pub vlans: [u16; 2],
    /// Number of VLAN tags (0..=2).
    pub vlan_count: u8,
    /// Ethertype after the VLAN tags.
    pub ethertype: u16,
    /// Offset of the L3 header.
    pub l3_offset: u16,
    /// The L3 header.
    pub l3: L3,
    /// The datagram is a fragment (IPv4 MF/offset or an IPv6 fragment header).
    pub fragment: bool,
    /// Offset of the L4 header, when there is one to look at.
    pub l4_offset: Option<u16>,
    /// TCP/UDP ports (not for non-first fragments).
    pub ports: Option<Ports>,
}

impl Parsed {
    /// The innermost VLAN ID, if the frame is tagged.
    pub fn vlan(&self) -> Option<u16> {
        match self.vlan_count {
            0 => None,
            n => Some(self.vlans[n as usize - 1]),
        }
    }

    /// Destination MAC is broadcast or multicast (group bit).
    pub fn is_multicast(&self) -> bool {
        self.dst_mac[0] & 1 != 0
    }
}

fn be16(f: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*f.get(at)?, *f.get(at + 1)?]))
}

fn array<const N: usize>(f: &[u8], at: usize) -> Option<[u8; N]> {
    f.get(at..at + N)?.try_into().ok()
}

/// Parses `frame` (starting at the destination MAC, no FCS required).
pub fn parse(frame: &[u8]) -> Result<Parsed, ParseError> {
    let dst_mac = array(frame, 0).ok_or(ParseError::TruncatedL2)?;
    let src_mac = array(frame, 6).ok_or(ParseError::TruncatedL2)?;
    let mut off = 12;
    let mut ethertype = be16(frame, off).ok_or(ParseError::TruncatedL2)?;
    let mut vlans = [0u16; 2];
    let mut vlan_count = 0u8;
    while ethertype == ethertype::VLAN || ethertype == ethertype::QINQ {
        if vlan_count == 2 {
            return Err(ParseError::TooManyVlanTags);
        }
        let tci = be16(frame, off + 2).ok_or(ParseError::TruncatedL2)?;
        vlans[vlan_count as usize] = tci & 0x0fff;
        vlan_count += 1;
        off += 4;
        ethertype = be16(frame, off).ok_or(ParseError::TruncatedL2)?;
    }
    off += 2;
    let mut p = Parsed {
        dst_mac,
        src_mac,
        vlans,
        vlan_count,
        ethertype,
        l3_offset: off as u16,
        l3: L3::Other,
        fragment: false,
        l4_offset: None,
        ports: None,
    };
    let l3 = &frame[off..];
    match ethertype {
        ethertype::IPV4 => parse_ipv4(l3, off, &mut p)?,
        ethertype::IPV6 => parse_ipv6(l3, off, &mut p)?,
        ethertype::ARP => p.l3 = parse_arp(l3)?,
        _ => {}
    }
    Ok(p)
}

fn parse_arp(h: &[u8]) -> Result<L3, ParseError> {
    // htype(2) ptype(2) hlen(1) plen(1) op(2), then sha spa tha tpa.
    let op = be16(h, 6).ok_or(ParseError::TruncatedL3)?;
    let (htype, ptype) = (be16(h, 0), be16(h, 2));
    let (hlen, plen) = (h.get(4).copied(), h.get(5).copied());
    if htype != Some(1) || ptype != Some(ethertype::IPV4) || hlen != Some(6) || plen != Some(4) {
        // Not IPv4 over Ethernet: nothing more to look at.
        return Ok(L3::Arp { op, target: [0; 4] });
    }
    let target = array(h, 24).ok_or(ParseError::TruncatedL3)?;
    Ok(L3::Arp { op, target })
}

fn parse_ipv4(h: &[u8], base: usize, p: &mut Parsed) -> Result<(), ParseError> {
    let b0 = *h.first().ok_or(ParseError::TruncatedL3)?;
    if b0 >> 4 != 4 {
        return Err(ParseError::BadL3);
    }
    let ihl = (b0 & 0xf) as usize * 4;
    if ihl < 20 {
        return Err(ParseError::BadL3);
    }
    if h.len() < ihl {
        return Err(ParseError::TruncatedL3);
    }
    let total = be16(h, 2).ok_or(ParseError::TruncatedL3)? as usize;
    if total < ihl {
        return Err(ParseError::BadL3);
    }
    if total > h.len() {
        return Err(ParseError::TruncatedL3);
    }
    let frag = be16(h, 6).ok_or(ParseError::TruncatedL3)?;
    let more_fragments = frag & 0x2000 != 0;
    let frag_offset = frag & 0x1fff;
    let proto = h[9];
    p.l3 = L3::Ipv4 {
        src: array(h, 12).ok_or(ParseError::TruncatedL3)?,
        dst: array(h, 16).ok_or(ParseError::TruncatedL3)?,
        proto,
    };
    p.fragment = more_fragments || frag_offset != 0;
    if frag_offset == 0 {
        parse_l4(&h[ihl..total], proto, base + ihl, p)?;
    }
    Ok(())
}

fn parse_ipv6(h: &[u8], base: usize, p: &mut Parsed) -> Result<(), ParseError> {
    let b0 = *h.first().ok_or(ParseError::TruncatedL3)?;
    if b0 >> 4 != 6 {
        return Err(ParseError::BadL3);
    }
    if h.len() < 40 {
        return Err(ParseError::TruncatedL3);
    }
    let payload = be16(h, 4).ok_or(ParseError::TruncatedL3)? as usize;
    // A jumbogram (payload length 0) needs a hop-by-hop option we don't parse.
    if payload == 0 {
        return Err(ParseError::BadL3);
    }
    if 40 + payload > h.len() {
        return Err(ParseError::TruncatedL3);
    }
    let end = 40 + payload;
    let mut next = h[6];
    let src = array(h, 8).ok_or(ParseError::TruncatedL3)?;
    let dst = array(h, 24).ok_or(ParseError::TruncatedL3)?;
    let mut off = 40;
    let mut first_fragment = true;
    let mut n = 0;
    loop {
        let len = match next {
            ipproto::HOPOPTS | ipproto::ROUTING | ipproto::DSTOPTS => {
                (*h[..end].get(off + 1).ok_or(ParseError::TruncatedL3)? as usize + 1) * 8
            }
            ipproto::AH => {
                (*h[..end].get(off + 1).ok_or(ParseError::TruncatedL3)? as usize + 2) * 4
            }
            ipproto::FRAGMENT => {
                let fo = be16(&h[..end], off + 2).ok_or(ParseError::TruncatedL3)?;
                p.fragment = true;
                first_fragment = fo & 0xfff8 == 0;
                8
            }
            _ => break,
        };
        n += 1;
        if n > MAX_EXT_HEADERS {
            return Err(ParseError::TooManyExtHeaders);
        }
        if off + len > end {
            return Err(ParseError::TruncatedL3);
        }
        next = h[off];
        off += len;
    }
    p.l3 = L3::Ipv6 {
        src,
        dst,
        proto: next,
    };
    if first_fragment {
        parse_l4(&h[off..end], next, base + off, p)?;
    }
    Ok(())
}

fn parse_l4(h: &[u8], proto: u8, base: usize, p: &mut Parsed) -> Result<(), ParseError> {
    match proto {
        ipproto::TCP => {
            if h.len() < 20 {
                return Err(ParseError::TruncatedL4);
            }
            let doff = (h[12] >> 4) as usize * 4;
            if doff < 20 {
                return Err(ParseError::BadL4);
            }
            if doff > h.len() {
                return Err(ParseError::TruncatedL4);
            }
        }
        ipproto::UDP => {
            if h.len() < 8 {
                return Err(ParseError::TruncatedL4);
            }
        }
        _ => {
            p.l4_offset = Some(base as u16);
            return Ok(());
        }
    }
    p.l4_offset = Some(base as u16);
    p.ports = Some(Ports {
        src: u16::from_be_bytes([h[0], h[1]]),
        dst: u16::from_be_bytes([h[2], h[3]]),
    });
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::testutil::Rng;

    pub(crate) const DST: [u8; 6] = [0x02, 0, 0, 0, 0, 0x01];
    pub(crate) const SRC: [u8; 6] = [0x02, 0, 0, 0, 0, 0x02];

    /// A frame builder for tests (std is available under `cfg(test)`).
    pub(crate) struct Frame(pub(crate) Vec<u8>);

    impl Frame {
        pub(crate) fn eth(ethertype: u16) -> Self {
            let mut v = Vec::new();
            v.extend_from_slice(&DST);
            v.extend_from_slice(&SRC);
            v.extend_from_slice(&ethertype.to_be_bytes());
            Self(v)
        }

        pub(crate) fn vlan(vids: &[u16], ethertype: u16) -> Self {
            let mut v = Vec::new();
            v.extend_from_slice(&DST);
            v.extend_from_slice(&SRC);
            for (i, vid) in vids.iter().enumerate() {
                let tpid = if i == 0 && vids.len() > 1 {
                    ethertype::QINQ
                } else {
                    ethertype::VLAN
                };
                v.extend_from_slice(&tpid.to_be_bytes());
                v.extend_from_slice(&(0x2000 | vid).to_be_bytes());
            }
            v.extend_from_slice(&ethertype.to_be_bytes());
            Self(v)
        }

        pub(crate) fn ipv4(
            mut self,
            src: [u8; 4],
            dst: [u8; 4],
            proto: u8,
            payload: &[u8],
        ) -> Self {
            let total = 20 + payload.len();
            let mut h = [0u8; 20];
            h[0] = 0x45;
            h[2..4].copy_from_slice(&(total as u16).to_be_bytes());
            h[8] = 64;
            h[9] = proto;
            h[12..16].copy_from_slice(&src);
            h[16..20].copy_from_slice(&dst);
            self.0.extend_from_slice(&h);
            self.0.extend_from_slice(payload);
            self
        }

        pub(crate) fn ipv6(
            mut self,
            src: [u8; 16],
            dst: [u8; 16],
            next: u8,
            payload: &[u8],
        ) -> Self {
            let mut h = [0u8; 40];
            h[0] = 0x60;
            h[4..6].copy_from_slice(&(payload.len() as u16).to_be_bytes());
            h[6] = next;
            h[7] = 64;
            h[8..24].copy_from_slice(&src);
            h[24..40].copy_from_slice(&dst);
            self.0.extend_from_slice(&h);
            self.0.extend_from_slice(payload);
            self
        }
    }

    pub(crate) fn udp(src: u16, dst: u16) -> Vec<u8> {
        let mut v = vec![0u8; 8 + 4];
        v[0..2].copy_from_slice(&src.to_be_bytes());
        v[2..4].copy_from_slice(&dst.to_be_bytes());
        v[4..6].copy_from_slice(&12u16.to_be_bytes());
        v
    }

    pub(crate) fn tcp(src: u16, dst: u16) -> Vec<u8> {
        let mut v = vec![0u8; 20];
        v[0..2].copy_from_slice(&src.to_be_bytes());
        v[2..4].copy_from_slice(&dst.to_be_bytes());
        v[12] = 5 << 4;
        v
    }

    const A4: [u8; 4] = [10, 0, 0, 1];
    const B4: [u8; 4] = [10, 0, 0, 2];
    const A6: [u8; 16] = [0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    const B6: [u8; 16] = [0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];

    #[test]
    fn ipv4_tcp() {
        let f = Frame::eth(ethertype::IPV4).ipv4(A4, B4, ipproto::TCP, &tcp(1234, 80));
        let p = parse(&f.0).unwrap();
        assert_eq!((p.dst_mac, p.src_mac, p.vlan_count), (DST, SRC, 0));
        assert_eq!(
            p.l3,
            L3::Ipv4 {
                src: A4,
                dst: B4,
                proto: ipproto::TCP
            }
        );
        assert_eq!((p.l3_offset, p.l4_offset), (14, Some(34)));
        assert_eq!(p.ports, Some(Ports { src: 1234, dst: 80 }));
        assert!(!p.fragment && !p.is_multicast());
    }

    #[test]
    fn ipv4_options_and_padding() {
        let mut f = Frame::eth(ethertype::IPV4).ipv4(A4, B4, ipproto::UDP, &udp(5, 6));
        // Grow IHL to 6 with a 4-byte NOP option block.
        f.0[14] = 0x46;
        let total = u16::from_be_bytes([f.0[16], f.0[17]]) + 4;
        f.0[16..18].copy_from_slice(&total.to_be_bytes());
        f.0.splice(34..34, [1, 1, 1, 1]);
        f.0.extend_from_slice(&[0; 10]); // Ethernet padding after the datagram
        let p = parse(&f.0).unwrap();
        assert_eq!(p.l4_offset, Some(38));
        assert_eq!(p.ports, Some(Ports { src: 5, dst: 6 }));
    }

    #[test]
    fn ipv4_fragments() {
        let mut f = Frame::eth(ethertype::IPV4).ipv4(A4, B4, ipproto::UDP, &udp(5, 6));
        f.0[20] = 0x20; // MF, offset 0: first fragment keeps its ports
        let p = parse(&f.0).unwrap();
        assert!(p.fragment);
        assert_eq!(p.ports, Some(Ports { src: 5, dst: 6 }));
        f.0[20] = 0x00;
        f.0[21] = 0x10; // offset 16 * 8: no L4 header here
        let p = parse(&f.0).unwrap();
        assert!(p.fragment);
        assert_eq!((p.ports, p.l4_offset), (None, None));
    }

    #[test]
    fn vlan_and_qinq() {
        let f = Frame::vlan(&[100], ethertype::IPV4).ipv4(A4, B4, ipproto::UDP, &udp(1, 2));
        let p = parse(&f.0).unwrap();
        assert_eq!((p.vlan(), p.vlan_count, p.l3_offset), (Some(100), 1, 18));
        let f = Frame::vlan(&[200, 300], ethertype::IPV6).ipv6(A6, B6, ipproto::TCP, &tcp(1, 2));
        let p = parse(&f.0).unwrap();
        assert_eq!(
            (p.vlans, p.vlan(), p.l3_offset),
            ([200, 300], Some(300), 22)
        );
        assert_eq!(p.ports, Some(Ports { src: 1, dst: 2 }));
        let f = Frame::vlan(&[1, 2, 3], ethertype::IPV4);
        assert_eq!(parse(&f.0), Err(ParseError::TooManyVlanTags));
    }

    #[test]
    fn ipv6_extension_headers() {
        // hop-by-hop (8 bytes) -> dstopts (16 bytes) -> UDP
        let mut payload = vec![ipproto::DSTOPTS, 0, 1, 4, 0, 0, 0, 0];
        payload.extend_from_slice(&[ipproto::UDP, 1, 1, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        payload.extend_from_slice(&udp(53, 5353));
        let f = Frame::eth(ethertype::IPV6).ipv6(A6, B6, ipproto::HOPOPTS, &payload);
        let p = parse(&f.0).unwrap();
        assert_eq!(
            p.l3,
            L3::Ipv6 {
                src: A6,
                dst: B6,
                proto: ipproto::UDP
            }
        );
        assert_eq!(p.l4_offset, Some(14 + 40 + 24));
        assert_eq!(p.ports, Some(Ports { src: 53, dst: 5353 }));
    }

    #[test]
    fn ipv6_fragments() {
        let mut payload = vec![ipproto::TCP, 0, 0, 1, 0, 0, 0, 7]; // offset 0, M=1
        payload.extend_from_slice(&tcp(10, 20));
        let f = Frame::eth(ethertype::IPV6).ipv6(A6, B6, ipproto::FRAGMENT, &payload);
        let p = parse(&f.0).unwrap();
        assert!(p.fragment);
        assert_eq!(p.ports, Some(Ports { src: 10, dst: 20 }));
        let mut payload = vec![ipproto::TCP, 0, 0x01, 0x00, 0, 0, 0, 7]; // offset 32
        payload.extend_from_slice(&[0; 20]);
        let f = Frame::eth(ethertype::IPV6).ipv6(A6, B6, ipproto::FRAGMENT, &payload);
        let p = parse(&f.0).unwrap();
        assert!(p.fragment);
        assert_eq!(p.ports, None);
    }

    #[test]
    fn too_many_extension_headers() {
        let mut payload = Vec::new();
        for _ in 0..=MAX_EXT_HEADERS {
            payload.extend_from_slice(&[ipproto::DSTOPTS, 0, 1, 4, 0, 0, 0, 0]);
        }
        let f = Frame::eth(ethertype::IPV6).ipv6(A6, B6, ipproto::DSTOPTS, &payload);
        assert_eq!(parse(&f.0), Err(ParseError::TooManyExtHeaders));
    }

    #[test]
    fn arp() {
        let mut arp = vec![0, 1, 8, 0, 6, 4, 0, 1];
        arp.extend_from_slice(&SRC);
        arp.extend_from_slice(&A4);
        arp.extend_from_slice(&[0; 6]);
        arp.extend_from_slice(&B4);
        let mut f = Frame::eth(ethertype::ARP);
        f.0[0..6].copy_from_slice(&[0xff; 6]);
        f.0.extend_from_slice(&arp);
        let p = parse(&f.0).unwrap();
        assert_eq!(p.l3, L3::Arp { op: 1, target: B4 });
        assert!(p.is_multicast());
        assert_eq!(parse(&f.0[..14 + 20]), Err(ParseError::TruncatedL3));
    }

    #[test]
    fn malformed_headers() {
        let good = Frame::eth(ethertype::IPV4)
            .ipv4(A4, B4, ipproto::TCP, &tcp(1, 2))
            .0;
        let mut f = good.clone();
        f[14] = 0x44; // IHL 4
        assert_eq!(parse(&f), Err(ParseError::BadL3));
        let mut f = good.clone();
        f[14] = 0x65; // version 6 in an IPv4 ethertype
        assert_eq!(parse(&f), Err(ParseError::BadL3));
        let mut f = good.clone();
        f[16..18].copy_from_slice(&10u16.to_be_bytes()); // total < IHL
        assert_eq!(parse(&f), Err(ParseError::BadL3));
        let mut f = good.clone();
        f[16..18].copy_from_slice(&100u16.to_be_bytes()); // total beyond the frame
        assert_eq!(parse(&f), Err(ParseError::TruncatedL3));
        let mut f = good.clone();
        f[34 + 12] = 4 << 4; // TCP data offset 4
        assert_eq!(parse(&f), Err(ParseError::BadL4));
        let mut f = good;
        f[34 + 12] = 15 << 4; // data offset beyond the segment
        assert_eq!(parse(&f), Err(ParseError::TruncatedL4));
        let f = Frame::eth(ethertype::IPV6)
            .ipv6(A6, B6, ipproto::UDP, &[])
            .0;
        assert_eq!(parse(&f), Err(ParseError::BadL3)); // payload length 0
    }

    #[test]
    fn every_truncation_is_an_error_not_a_panic() {
        let frames = [
            Frame::eth(ethertype::IPV4)
                .ipv4(A4, B4, ipproto::TCP, &tcp(1, 2))
                .0,
            Frame::vlan(&[7, 8], ethertype::IPV6)
                .ipv6(A6, B6, ipproto::UDP, &udp(1, 2))
                .0,
        ];
        for f in frames {
            assert!(parse(&f).is_ok());
            for len in 0..f.len() {
                assert!(parse(&f[..len]).is_err(), "len {len} of {}", f.len());
            }
        }
        assert_eq!(parse(&[0; 13]), Err(ParseError::TruncatedL2));
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut rng = Rng::new(7);
        let mut buf = [0u8; 128];
        for i in 0..200_000 {
            let len = rng.below(buf.len() as u64 + 1) as usize;
            for b in buf.iter_mut().take(len) {
                *b = rng.next() as u8;
            }
            // Steer a share of the inputs into the interesting ethertypes.
            if len >= 14 && i % 2 == 0 {
                let et = [
                    ethertype::IPV4,
                    ethertype::IPV6,
                    ethertype::VLAN,
                    ethertype::ARP,
                ][i % 4];
                buf[12..14].copy_from_slice(&et.to_be_bytes());
                if len > 14 {
                    buf[14] = if et == ethertype::IPV6 { 0x60 } else { 0x45 };
                }
            }
            if let Ok(p) = parse(&buf[..len]) {
                assert!((p.l3_offset as usize) <= len);
                assert!(p.l4_offset.map_or(true, |o| (o as usize) <= len));
            }
        }
    }
}
