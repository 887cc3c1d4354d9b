// SPDX-License-Identifier: GPL-2.0

//! Flow hash for spreading frames over a frame-queue range (RSS).
//!
//! Toeplitz, as RSS defines it, over (src addr, dst addr, src port, dst port):
//! stable per flow, and the same function a guest configures through
//! virtio-net RSS. The symmetric variant orders the two endpoints first, so
//! both directions of a flow hash alike.

use crate::parse::{Parsed, L3};

/// The default RSS key (Microsoft's verification key, used by most NICs).
pub const DEFAULT_KEY: [u8; 40] = [
    0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
    0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
    0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
];

/// Toeplitz hash of `input` under `key`; `key` must be at least
/// `input.len() + 4` bytes (40 covers IPv6 with ports).
pub fn toeplitz(key: &[u8], input: &[u8]) -> u32 {
    let mut result = 0u32;
    // The 32-bit window of the key that lines up with the current input bit.
    let mut window = u32::from_be_bytes([key[0], key[1], key[2], key[3]]);
    for (i, &byte) in input.iter().enumerate() {
        let next = key.get(i + 4).copied().unwrap_or(0);
        for bit in 0..8 {
            if byte & (0x80 >> bit) != 0 {
                result ^= window;
            }
            window = (window << 1) | ((next >> (7 - bit)) & 1) as u32;
        }
    }
    result
}

/// What the hash covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashConfig {
    /// The RSS key.
    pub key: [u8; 40],
    /// Hash both directions of a flow to the same value.
    pub symmetric: bool,
}

impl Default for HashConfig {
    fn default() -> Self {
        Self {
            key: DEFAULT_KEY,
            symmetric: false,
        }
    }
}

/// The flow hash of a parsed frame: addresses and, when present, ports.
/// Non-IP frames hash to 0 (they all land on the first queue of a range).
pub fn flow_hash(cfg: &HashConfig, p: &Parsed) -> u32 {
    let mut buf = [0u8; 36];
    let (alen, src, dst): (usize, &[u8], &[u8]) = match &p.l3 {
        L3::Ipv4 { src, dst, .. } => (4, src, dst),
        L3::Ipv6 { src, dst, .. } => (16, src, dst),
        _ => return 0,
    };
    let (mut sport, mut dport) = p
        .ports
        .map_or((None, None), |pt| (Some(pt.src), Some(pt.dst)));
    let (mut a, mut b) = (src, dst);
    if cfg.symmetric && (a, sport) > (b, dport) {
        core::mem::swap(&mut a, &mut b);
        core::mem::swap(&mut sport, &mut dport);
    }
    buf[..alen].copy_from_slice(a);
    buf[alen..2 * alen].copy_from_slice(b);
    let mut len = 2 * alen;
    if let (Some(s), Some(d)) = (sport, dport) {
        buf[len..len + 2].copy_from_slice(&s.to_be_bytes());
        buf[len + 2..len + 4].copy_from_slice(&d.to_be_bytes());
        len += 4;
    }
    toeplitz(&cfg.key, &buf[..len])
}

/// The queue of a range of `count` queues a hash selects (`count` > 0).
pub fn pick(hash: u32, count: u16) -> u16 {
    // Multiply-shift rather than modulo: uniform and cheap.
    ((hash as u64 * count as u64) >> 32) as u16
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::{ethertype, ipproto, parse, tests::*};

    fn v4(s: &str) -> [u8; 4] {
        let mut a = [0u8; 4];
        for (i, p) in s.split('.').enumerate() {
            a[i] = p.parse().unwrap();
        }
        a
    }

    // The RSS verification suite: (dst, dport, src, sport, ipv4 hash, ipv4+tcp hash).
    const VECTORS: &[(&str, u16, &str, u16, u32, u32)] = &[
        (
            "161.142.100.80",
            1766,
            "66.9.149.187",
            2794,
            0x323e8fc2,
            0x51ccc178,
        ),
        (
            "65.69.140.83",
            4739,
            "199.92.111.2",
            14230,
            0xd718262a,
            0xc626b0ea,
        ),
        (
            "12.22.207.184",
            38024,
            "24.19.198.95",
            12898,
            0xd2d0a5de,
            0x5c2b394a,
        ),
        (
            "209.142.163.6",
            2217,
            "38.27.205.30",
            48228,
            0x82989176,
            0xafc7327f,
        ),
        (
            "202.188.127.2",
            1303,
            "153.39.163.191",
            44251,
            0x5d1809c5,
            0x10e828a2,
        ),
    ];

    #[test]
    fn rss_verification_vectors() {
        for &(dst, dport, src, sport, h_ip, h_tcp) in VECTORS {
            let mut input = [0u8; 12];
            input[..4].copy_from_slice(&v4(src));
            input[4..8].copy_from_slice(&v4(dst));
            assert_eq!(toeplitz(&DEFAULT_KEY, &input[..8]), h_ip, "{src} -> {dst}");
            input[8..10].copy_from_slice(&sport.to_be_bytes());
            input[10..12].copy_from_slice(&dport.to_be_bytes());
            assert_eq!(
                toeplitz(&DEFAULT_KEY, &input),
                h_tcp,
                "{src}:{sport} -> {dst}:{dport}"
            );
        }
    }

    #[test]
    fn flow_hash_of_parsed_frames_matches_vectors() {
        let (dst, dport, src, sport, _, h_tcp) = VECTORS[0];
        let f =
            Frame::eth(ethertype::IPV4).ipv4(v4(src), v4(dst), ipproto::TCP, &tcp(sport, dport));
        let p = parse(&f.0).unwrap();
        assert_eq!(flow_hash(&HashConfig::default(), &p), h_tcp);
    }

    #[test]
    fn symmetric_hash_is_direction_independent() {
        let cfg = HashConfig {
            symmetric: true,
            ..Default::default()
        };
        for &(dst, dport, src, sport, _, _) in VECTORS {
            let fwd = Frame::eth(ethertype::IPV4).ipv4(
                v4(src),
                v4(dst),
                ipproto::UDP,
                &udp(sport, dport),
            );
            let rev = Frame::eth(ethertype::IPV4).ipv4(
                v4(dst),
                v4(src),
                ipproto::UDP,
                &udp(dport, sport),
            );
            let (pf, pr) = (parse(&fwd.0).unwrap(), parse(&rev.0).unwrap());
            assert_eq!(flow_hash(&cfg, &pf), flow_hash(&cfg, &pr));
            // The plain hash does depend on direction (for these vectors).
            assert_ne!(
                flow_hash(&HashConfig::default(), &pf),
                flow_hash(&HashConfig::default(), &pr)
            );
        }
    }

    #[test]
    fn pick_spreads_evenly() {
        let mut counts = [0u32; 4];
        let cfg = HashConfig::default();
        for port in 0..4000u16 {
            let f = Frame::eth(ethertype::IPV4).ipv4(
                [10, 0, 0, 1],
                [10, 0, 0, 2],
                ipproto::UDP,
                &udp(port, 9),
            );
            let h = flow_hash(&cfg, &parse(&f.0).unwrap());
            counts[pick(h, 4) as usize] += 1;
        }
        for c in counts {
            assert!((800..1200).contains(&c), "{counts:?}");
        }
        assert_eq!(pick(u32::MAX, 1), 0);
        assert_eq!(pick(u32::MAX, 7), 6);
    }
}
