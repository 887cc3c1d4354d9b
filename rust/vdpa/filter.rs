// SPDX-License-Identifier: GPL-2.0

//! A device's receive filters (its MAC, the CVQ's MAC tables, promiscuous
//! and all-multicast modes, the active queue pairs) as rules of the port's
//! shared classifier.

use crate::dpaa::sim::fman::CLASSIFIER_SLOTS;
use dpaa_core::classify::{Classifier, ClassifyError, Key, Member, Rule, Target};

/// Extra unicast addresses a device filters exactly; more make it
/// promiscuous (as a NIC whose exact-match table is full).
pub(crate) const MAX_UC: usize = 8;
/// Multicast groups filtered exactly; more make it all-multicast.
pub(crate) const MAX_MC: usize = 32;

type Cls = Classifier<CLASSIFIER_SLOTS>;

/// What a device wants to receive.
#[derive(Clone, Copy)]
pub(crate) struct Filters {
    pub(crate) mac: [u8; 6],
    pub(crate) uc: [[u8; 6]; MAX_UC],
    pub(crate) n_uc: usize,
    pub(crate) mc: [[u8; 6]; MAX_MC],
    pub(crate) n_mc: usize,
    pub(crate) promisc: bool,
    pub(crate) allmulti: bool,
    /// More addresses than the tables hold.
    pub(crate) uc_overflow: bool,
    pub(crate) mc_overflow: bool,
    /// Active queue pairs (RX FQs the hash spreads over).
    pub(crate) pairs: u16,
}

impl Filters {
    pub(crate) fn new(mac: [u8; 6]) -> Self {
        Self {
            mac,
            uc: [[0; 6]; MAX_UC],
            n_uc: 0,
            mc: [[0; 6]; MAX_MC],
            n_mc: 0,
            promisc: false,
            allmulti: false,
            uc_overflow: false,
            mc_overflow: false,
            pairs: 1,
        }
    }

    /// Replaces the MAC tables (6 bytes per address).
    pub(crate) fn set_tables(&mut self, uc: &[u8], mc: &[u8]) {
        self.n_uc = 0;
        self.uc_overflow = false;
        for a in uc.chunks_exact(6) {
            let a: [u8; 6] = a.try_into().unwrap_or_default();
            if a == self.mac || a[0] & 1 != 0 || self.uc[..self.n_uc].contains(&a) {
                continue;
            }
            if self.n_uc == MAX_UC {
                self.uc_overflow = true;
                break;
            }
            self.uc[self.n_uc] = a;
            self.n_uc += 1;
        }
        self.n_mc = 0;
        self.mc_overflow = false;
        for a in mc.chunks_exact(6) {
            let a: [u8; 6] = a.try_into().unwrap_or_default();
            if a[0] & 1 == 0 || self.mc[..self.n_mc].contains(&a) {
                continue;
            }
            if self.n_mc == MAX_MC {
                self.mc_overflow = true;
                break;
            }
            self.mc[self.n_mc] = a;
            self.n_mc += 1;
        }
    }

    fn target(&self, base: Target) -> Target {
        Target {
            fq_count: self.pairs.max(1),
            ..base
        }
    }

    fn install(&self, c: &mut Cls, base: Target) -> Result<(), ClassifyError> {
        let t = self.target(base);
        c.set_member(
            t.member,
            Member {
                target: t,
                promisc: self.promisc || self.uc_overflow,
                allmulti: self.allmulti || self.mc_overflow,
                ..Default::default()
            },
        )?;
        for mac in core::iter::once(&self.mac).chain(&self.uc[..self.n_uc]) {
            c.insert(Rule {
                key: Key::Mac(*mac),
                target: t,
                prio: 0,
            })?;
        }
        for mac in &self.mc[..self.n_mc] {
            c.join(*mac, t.member)?;
        }
        Ok(())
    }

    /// Removes what `install` added (what of it is there).
    fn uninstall(&self, c: &mut Cls, base: Target) {
        let t = self.target(base);
        for mac in core::iter::once(&self.mac).chain(&self.uc[..self.n_uc]) {
            // Only the rules that are ours.
            let mut ours = false;
            c.for_each_rule(|r| ours |= r.key == Key::Mac(*mac) && r.target.member == t.member);
            if ours {
                let _ = c.remove(&Key::Mac(*mac));
            }
        }
        c.remove_member(t.member);
    }
}

/// Moves the classifier from `old` (installed, if any) to `new`, all or
/// nothing: on failure the old filters are back.
pub(crate) fn apply(
    c: &mut Cls,
    base: Target,
    old: Option<&Filters>,
    new: Option<&Filters>,
) -> Result<(), ClassifyError> {
    if let Some(o) = old {
        o.uninstall(c, base);
    }
    let Some(n) = new else {
        return Ok(());
    };
    if let Err(e) = n.install(c, base) {
        n.uninstall(c, base);
        if let Some(o) = old {
            let _ = o.install(c, base);
        }
        return Err(e);
    }
    Ok(())
}
