// SPDX-License-Identifier: GPL-2.0
//! A byte string as a sequence of rule inserts and removes on a small
//! classifier, checked against a plain list after every step.
#![no_main]

use dpaa_core::classify::{Classifier, ClassifyError, Key, Rule, Target};
use libfuzzer_sys::fuzz_target;

const CAP: usize = 16;

fuzz_target!(|data: &[u8]| {
    let mut c = Box::new(Classifier::<CAP>::new());
    let mut model: Vec<Rule> = Vec::new();
    for op in data.chunks_exact(3) {
        let key = match op[1] % 3 {
            0 => Key::Ipv4([10, 0, 0, op[2] % 40]),
            1 => Key::Mac([2, 0, 0, 0, 0, op[2] % 40]),
            _ => Key::Vlan((op[2] % 40) as u16),
        };
        let kind_len = model.iter().filter(|r| r.key.kind() == key.kind()).count();
        let pos = model.iter().position(|r| r.key == key);
        if op[0] & 1 == 0 {
            let rule = Rule {
                key,
                target: Target {
                    fqid: op[2] as u32,
                    fq_count: 1,
                    member: 0,
                },
                prio: op[0] >> 1,
            };
            match (c.insert(rule), pos) {
                (Err(ClassifyError::Exists), Some(_)) => {}
                (Ok(()), None) => model.push(rule),
                (Err(ClassifyError::Full), None) => assert!(kind_len >= CAP * 3 / 4),
                (r, p) => panic!("insert {rule:?}: {r:?} with model position {p:?}"),
            }
        } else {
            match (c.remove(&key), pos) {
                (Ok(r), Some(i)) => assert_eq!(r, model.swap_remove(i)),
                (Err(ClassifyError::NotFound), None) => {}
                (r, p) => panic!("remove {key:?}: {r:?} with model position {p:?}"),
            }
        }
        assert_eq!(c.len(), model.len());
    }
    let mut seen = 0;
    c.for_each_rule(|r| {
        assert!(model.contains(r));
        seen += 1;
    });
    assert_eq!(seen, model.len());
});
