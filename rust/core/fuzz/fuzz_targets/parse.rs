// SPDX-License-Identifier: GPL-2.0
//! Any byte string: parse, then hash and classify what parsed. No panic, and
//! every offset the parser reports lies inside the frame.
#![no_main]

use dpaa_core::classify::{Classifier, Key, Member, Rule, Target};
use dpaa_core::hash::{flow_hash, pick, HashConfig};
use dpaa_core::parse::{parse, L3};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn classifier() -> &'static Classifier<64> {
    static C: OnceLock<Box<Classifier<64>>> = OnceLock::new();
    C.get_or_init(|| {
        let mut c = Box::new(Classifier::new());
        let t = |m: u8| Target {
            fqid: 1 + m as u32 * 8,
            fq_count: 8,
            member: m,
        };
        c.set_default(Some(t(0)));
        c.insert(Rule {
            key: Key::Mac([2, 0, 0, 0, 0, 1]),
            target: t(1),
            prio: 0,
        })
        .unwrap();
        c.insert(Rule {
            key: Key::Ipv4([10, 0, 0, 1]),
            target: t(2),
            prio: 0,
        })
        .unwrap();
        c.insert(Rule {
            key: Key::Flow4 {
                proto: 6,
                dst: [10, 0, 0, 1],
                port: 80,
            },
            target: t(3),
            prio: 1,
        })
        .unwrap();
        c.insert(Rule {
            key: Key::Vlan(100),
            target: t(4),
            prio: 0,
        })
        .unwrap();
        for m in 0..5 {
            c.set_member(
                m,
                Member {
                    target: t(m),
                    allmulti: m == 2,
                    ..Default::default()
                },
            )
            .unwrap();
        }
        c
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(p) = parse(data) else { return };
    assert!(p.l3_offset as usize <= data.len());
    if let Some(o) = p.l4_offset {
        assert!((o as usize) >= p.l3_offset as usize && (o as usize) <= data.len());
    }
    if p.ports.is_some() {
        assert!(matches!(p.l3, L3::Ipv4 { .. } | L3::Ipv6 { .. }));
    }
    let sym = HashConfig {
        symmetric: true,
        ..Default::default()
    };
    let h = flow_hash(&HashConfig::default(), &p) ^ flow_hash(&sym, &p);
    let v = classifier().lookup(&p);
    if let Some(t) = v.target {
        assert!(pick(h, t.fq_count) < t.fq_count);
        assert!(!v.copies.contains(t.member));
    }
    assert_eq!(p.is_multicast(), v.target.is_none());
});
