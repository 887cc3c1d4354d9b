// SPDX-License-Identifier: GPL-2.0

//! debugfs: `/sys/kernel/debug/dpaa_vdpa/`.
//!
//! ```text
//! qman/, bman/            the backend's files (`dpaa::DpaaDebugfs`)
//! <port>/classifier       members, default target and rules of the port
//! <port>/stats            the port's counters, RX (from the wire) and TX
//! <port>/mac              the port MAC's filter (promisc, allmulti, address)
//! ```
//!
//! `<port>` is the name the backend gives the port (`dpaa::Port::name`).

use crate::{
    kapi::debugfs::{file, seq_print, Dir, SeqFile, Show},
    switch::Switch,
};
use dpaa_core::classify::{Key, MAX_MEMBERS};
use kernel::{c_str, prelude::*, sync::Arc};

/// A MAC address as `aa:bb:cc:dd:ee:ff`.
struct Mac<'a>(&'a [u8; 6]);

impl core::fmt::Display for Mac<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let a = self.0;
        write!(
            f,
            "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
            a[0], a[1], a[2], a[3], a[4], a[5]
        )
    }
}

fn key_text(m: &SeqFile, k: &Key) {
    match k {
        Key::Mac(a) | Key::MacVlan { mac: a, .. } => seq_print!(m, "mac {}", Mac(a)),
        Key::Ipv4(a) => seq_print!(m, "ipv4 {}.{}.{}.{}", a[0], a[1], a[2], a[3]),
        Key::Ipv6(a) => seq_print!(m, "ipv6 {:02x?}", a),
        Key::Vlan(v) => seq_print!(m, "vlan {v}"),
        Key::Flow4 {
            proto,
            dst: a,
            port,
        } => {
            seq_print!(
                m,
                "flow4 proto {proto} {}.{}.{}.{}:{port}",
                a[0],
                a[1],
                a[2],
                a[3]
            )
        }
        Key::Flow6 { proto, dst, port } => seq_print!(m, "flow6 proto {proto} {:02x?}:{port}", dst),
    }
    if let Key::MacVlan { vlan, .. } = k {
        seq_print!(m, " vlan {vlan}");
    }
}

struct ClassifierFile(Arc<Switch>);
impl Show for ClassifierFile {
    fn show(&self, m: &SeqFile) {
        self.0.with_classifier(|c| {
            for i in 0..MAX_MEMBERS as u8 {
                if let Some(mb) = c.member(i) {
                    let t = mb.target;
                    seq_print!(
                        m,
                        "member {i}: fqid {:#x}+{} allmulti {} promisc {} trusted {}\n",
                        t.fqid,
                        t.fq_count,
                        mb.allmulti as u8,
                        mb.promisc as u8,
                        mb.trusted as u8
                    );
                }
            }
            c.for_each_owner(|mac, member| {
                seq_print!(m, "owner {} member {member}\n", Mac(mac));
            });
            c.for_each_rule(|r| {
                seq_print!(m, "rule prio {} ", r.prio);
                key_text(m, &r.key);
                seq_print!(
                    m,
                    " -> member {} fqid {:#x}+{}\n",
                    r.target.member,
                    r.target.fqid,
                    r.target.fq_count
                );
            });
        });
    }
}

struct MacFile(Arc<Switch>);
impl Show for MacFile {
    fn show(&self, m: &SeqFile) {
        let f = self.0.fman().mac_filter();
        seq_print!(
            m,
            "promisc {} allmulti {} addr {}\n",
            f.promisc as u8,
            f.allmulti as u8,
            Mac(&f.addr)
        );
    }
}

struct StatsFile(Arc<Switch>);
impl Show for StatsFile {
    fn show(&self, m: &SeqFile) {
        self.0
            .counters(&mut |dir, name, v| seq_print!(m, "{dir}_{name} {v}\n"));
    }
}

/// A port's files; dropped before its directory.
pub(crate) struct PortDebugfs {
    _files: KVec<Arc<dyn Send + Sync>>,
    _dir: Dir,
}

impl PortDebugfs {
    /// The files of port `name` (the backend's name of the port).
    pub(crate) fn new(root: &Dir, name: &CStr, sw: Arc<Switch>) -> Result<Self> {
        let dir = Dir::new(name, Some(root));
        let mut files = KVec::new();
        files.push(
            file(c_str!("classifier"), &dir, ClassifierFile(sw.clone()))?,
            GFP_KERNEL,
        )?;
        files.push(file(c_str!("mac"), &dir, MacFile(sw.clone()))?, GFP_KERNEL)?;
        files.push(file(c_str!("stats"), &dir, StatsFile(sw))?, GFP_KERNEL)?;
        Ok(Self {
            _files: files,
            _dir: dir,
        })
    }
}
