// SPDX-License-Identifier: GPL-2.0

//! debugfs: `/sys/kernel/debug/dpaa_vdpa/`.
//!
//! ```text
//! qman/fqs            every FQ: fqid state portal depth and its counters
//! qman/portals        per portal: polls, frames, stalled
//! qman/fail_enqueue   (rw) reject the next N enqueues
//! qman/stall_portal   (w) "IDX 1" stalls portal IDX, "IDX 0" resumes it
//! bman/pools          every pool: bpid count capacity room counters
//! bman/deplete        (w) "BPID 1" makes pool BPID act empty, "BPID 0" undoes it
//! dpaa_sim<N>/classifier  members, default target and rules of port N
//! dpaa_sim<N>/stats       port N's counters, RX (from the wire) and TX
//! ```

use crate::{
    dpaa::sim::{
        bman::Bman,
        fman::{DirStats, Fman, DROP_NAMES},
        qman::{FqState, Qman},
    },
    kapi::debugfs::{seq_print, Dir, File, SeqFile, Show},
};
use core::sync::atomic::Ordering::Relaxed;
use dpaa_core::classify::{Key, MAX_MEMBERS};
use kernel::{c_str, fmt, prelude::*, str::CString, sync::Arc};

fn two_numbers(s: &str) -> Result<(u32, u32)> {
    let mut it = s
        .split_whitespace()
        .map(|w| w.parse::<u32>().map_err(|_| EINVAL));
    let a = it.next().ok_or(EINVAL)??;
    let b = it.next().ok_or(EINVAL)??;
    if it.next().is_some() {
        return Err(EINVAL);
    }
    Ok((a, b))
}

struct Fqs(Arc<Qman>);
impl Show for Fqs {
    fn show(&self, m: &SeqFile) {
        seq_print!(
            m,
            "fqid   state     portal depth enqueued dequeued ern_taildrop ern_state ern_fault\n"
        );
        self.0.for_each_fq(|fq| {
            let (state, depth, portal) = fq.snapshot();
            let s = fq.stats();
            let st = match state {
                FqState::Oos => "oos",
                FqState::Parked => "parked",
                FqState::Scheduled => "scheduled",
                FqState::Retired => "retired",
            };
            seq_print!(
                m,
                "{:#06x} {:9} {:6} {:5} {} {} {} {} {}\n",
                fq.fqid(),
                st,
                portal,
                depth,
                s.enqueued.load(Relaxed),
                s.dequeued.load(Relaxed),
                s.ern_taildrop.load(Relaxed),
                s.ern_state.load(Relaxed),
                s.ern_fault.load(Relaxed)
            );
        });
    }
}

struct Portals(Arc<Qman>);
impl Show for Portals {
    fn show(&self, m: &SeqFile) {
        let mode = if self.0.poll_mode() {
            "poll"
        } else {
            "interrupt"
        };
        seq_print!(m, "mode {mode}\nportal polls frames stalled\n");
        for i in 0..self.0.nr_portals() {
            let (polls, frames, stalled) = self.0.portal_stats(i);
            seq_print!(m, "{i} {polls} {frames} {}\n", stalled as u8);
        }
    }
}

struct FailEnqueue(Arc<Qman>);
impl Show for FailEnqueue {
    const WRITABLE: bool = true;
    fn show(&self, m: &SeqFile) {
        seq_print!(m, "{}\n", self.0.fail_enqueue());
    }
    fn write(&self, s: &str) -> Result {
        self.0.set_fail_enqueue(s.parse().map_err(|_| EINVAL)?);
        Ok(())
    }
}

struct StallPortal(Arc<Qman>);
impl Show for StallPortal {
    const WRITABLE: bool = true;
    fn show(&self, m: &SeqFile) {
        seq_print!(m, "write \"PORTAL 1\" to stall, \"PORTAL 0\" to resume\n");
    }
    fn write(&self, s: &str) -> Result {
        let (i, on) = two_numbers(s)?;
        self.0.stall_portal(i as usize, on != 0)
    }
}

struct Pools(Arc<Bman>);
impl Show for Pools {
    fn show(&self, m: &SeqFile) {
        seq_print!(
            m,
            "bpid count capacity room acquired released depleted deplete_fault\n"
        );
        self.0.for_each_pool(|p| {
            seq_print!(
                m,
                "{} {} {} {} {} {} {} {}\n",
                p.bpid(),
                p.count(),
                p.capacity(),
                p.room(),
                p.stats.acquired.load(Relaxed),
                p.stats.released.load(Relaxed),
                p.stats.depleted.load(Relaxed),
                p.depleted_by_fault() as u8
            );
        });
    }
}

struct Deplete(Arc<Bman>);
impl Show for Deplete {
    const WRITABLE: bool = true;
    fn show(&self, m: &SeqFile) {
        seq_print!(m, "write \"BPID 1\" to deplete, \"BPID 0\" to restore\n");
    }
    fn write(&self, s: &str) -> Result {
        let (bpid, on) = two_numbers(s)?;
        self.0
            .set_deplete(u8::try_from(bpid).map_err(|_| EINVAL)?, on != 0)
    }
}

/// The module-wide files; dropped before the directories.
pub(crate) struct ModDebugfs {
    _files: KVec<Arc<dyn Send + Sync>>,
    _qman_dir: Dir,
    _bman_dir: Dir,
}

fn file<T: Show + 'static>(
    name: &'static CStr,
    dir: &Dir,
    data: T,
) -> Result<Arc<dyn Send + Sync>> {
    let f: Arc<File<T>> = Arc::pin_init(File::new(name, dir, data), GFP_KERNEL)?;
    Ok(f)
}

impl ModDebugfs {
    pub(crate) fn new(root: &Dir, qman: &Arc<Qman>, bman: &Arc<Bman>) -> Result<Self> {
        let qd = Dir::new(c_str!("qman"), Some(root));
        let bd = Dir::new(c_str!("bman"), Some(root));
        let mut files = KVec::new();
        files.push(file(c_str!("fqs"), &qd, Fqs(qman.clone()))?, GFP_KERNEL)?;
        files.push(
            file(c_str!("portals"), &qd, Portals(qman.clone()))?,
            GFP_KERNEL,
        )?;
        files.push(
            file(c_str!("fail_enqueue"), &qd, FailEnqueue(qman.clone()))?,
            GFP_KERNEL,
        )?;
        files.push(
            file(c_str!("stall_portal"), &qd, StallPortal(qman.clone()))?,
            GFP_KERNEL,
        )?;
        files.push(file(c_str!("pools"), &bd, Pools(bman.clone()))?, GFP_KERNEL)?;
        files.push(
            file(c_str!("deplete"), &bd, Deplete(bman.clone()))?,
            GFP_KERNEL,
        )?;
        Ok(Self {
            _files: files,
            _qman_dir: qd,
            _bman_dir: bd,
        })
    }
}

fn key_text(m: &SeqFile, k: &Key) {
    match k {
        Key::Mac(a) | Key::MacVlan { mac: a, .. } => seq_print!(
            m,
            "mac {:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
            a[0],
            a[1],
            a[2],
            a[3],
            a[4],
            a[5]
        ),
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

struct ClassifierFile(Arc<Fman>);
impl Show for ClassifierFile {
    fn show(&self, m: &SeqFile) {
        self.0.with_classifier(|c| {
            for i in 0..MAX_MEMBERS as u8 {
                if let Some(mb) = c.member(i) {
                    let t = mb.target;
                    seq_print!(
                        m,
                        "member {i}: fqid {:#x}+{} bpid {} allmulti {} promisc {} trusted {}\n",
                        t.fqid,
                        t.fq_count,
                        t.bpid,
                        mb.allmulti as u8,
                        mb.promisc as u8,
                        mb.trusted as u8
                    );
                }
            }
            c.for_each_owner(|mac, member| {
                seq_print!(
                    m,
                    "owner {:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x} member {member}\n",
                    mac[0],
                    mac[1],
                    mac[2],
                    mac[3],
                    mac[4],
                    mac[5]
                );
            });
            c.for_each_rule(|r| {
                seq_print!(m, "rule prio {} ", r.prio);
                key_text(m, &r.key);
                seq_print!(
                    m,
                    " -> member {} fqid {:#x}+{} bpid {}\n",
                    r.target.member,
                    r.target.fqid,
                    r.target.fq_count,
                    r.target.bpid
                );
            });
        });
    }
}

struct StatsFile(Arc<Fman>);
impl Show for StatsFile {
    fn show(&self, m: &SeqFile) {
        for (name, d) in [("rx", &self.0.rx), ("tx", &self.0.tx)] {
            let d: &DirStats = d;
            seq_print!(
                m,
                "{name}_frames {}\n{name}_bytes {}\n{name}_delivered {}\n{name}_to_wire {}\n",
                d.frames.load(Relaxed),
                d.bytes.load(Relaxed),
                d.delivered.load(Relaxed),
                d.to_wire.load(Relaxed)
            );
            for (i, r) in DROP_NAMES.iter().enumerate() {
                seq_print!(m, "{name}_drop_{r} {}\n", d.drops[i].load(Relaxed));
            }
        }
    }
}

/// A port's files; dropped before its directory.
pub(crate) struct PortDebugfs {
    _files: KVec<Arc<dyn Send + Sync>>,
    _dir: Dir,
}

impl PortDebugfs {
    pub(crate) fn new(root: &Dir, index: u32, fman: Arc<Fman>) -> Result<Self> {
        let name = CString::try_from_fmt(fmt!("dpaa_sim{index}"))?;
        let dir = Dir::new(&name, Some(root));
        let mut files = KVec::new();
        files.push(
            file(c_str!("classifier"), &dir, ClassifierFile(fman.clone()))?,
            GFP_KERNEL,
        )?;
        files.push(file(c_str!("stats"), &dir, StatsFile(fman))?, GFP_KERNEL)?;
        Ok(Self {
            _files: files,
            _dir: dir,
        })
    }
}
