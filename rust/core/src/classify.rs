// SPDX-License-Identifier: GPL-2.0

//! The port classifier: exact-match rules from a parsed frame to a target
//! (a frame-queue range and the buffer pool the frame's buffer comes from).
//!
//! Rules match one of a fixed set of keys (destination MAC with or without a
//! VLAN, destination IPv4/IPv6, VLAN, and TCP/UDP destination flows for
//! ntuple rules). Each key kind has its own hash table, so a lookup is one
//! probe per kind: its cost does not grow with the number of rules. When
//! several kinds match, the highest priority wins, then the more specific
//! kind (the order of [`KeyKind`]).
//!
//! Group frames (broadcast, multicast) are not matched against rules: they
//! go to a set of *members* (the port's local entities): all of them for
//! broadcast; for multicast those in allmulti mode and those that joined the
//! group. A promiscuous member gets a copy of what a promiscuous NIC port on
//! a switch would see: every group frame and every unicast frame no rule
//! claimed; only a *trusted* promiscuous member (the admin's choice) also
//! sees unicast that a rule sends to another member.
//!
//! The classifier also keeps who owns which unicast MAC on the port (the
//! host, the wire end, each device: [`Classifier::claim`]), so that an
//! entity can take a MAC only if nobody else has it, whether or not a rule
//! for it is installed at the moment.
//!
//! All-zero memory is a valid, empty classifier (see [`Classifier::new`]):
//! the kernel allocates it zeroed, in place, since it is too big for a stack.

use crate::{
    macfilter::MacFilter,
    parse::{Parsed, L3},
};

/// Most members (local entities) a classifier knows.
pub const MAX_MEMBERS: usize = 32;

/// A set of members, one bit each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MemberSet(pub u32);

impl MemberSet {
    /// Whether member `m` is in the set.
    pub fn contains(self, m: u8) -> bool {
        self.0 & (1 << m) != 0
    }

    /// The set plus member `m`.
    pub fn with(self, m: u8) -> Self {
        Self(self.0 | 1 << m)
    }

    /// The set without member `m`.
    pub fn without(self, m: u8) -> Self {
        Self(self.0 & !(1 << m))
    }

    /// The members, in index order.
    pub fn iter(self) -> impl Iterator<Item = u8> {
        (0..MAX_MEMBERS as u8).filter(move |&m| self.contains(m))
    }
}

/// Where matching frames go: FQs `fqid..fqid + fq_count` (chosen by the flow
/// hash), owned by member `member`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Target {
    /// First FQID of the range.
    pub fqid: u32,
    /// Length of the range (at least 1).
    pub fq_count: u16,
    /// The member (local entity) receiving.
    pub member: u8,
}

/// A rule's match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// Destination MAC on one VLAN (`vlan` 0: untagged frames).
    MacVlan {
        /// Destination MAC.
        mac: [u8; 6],
        /// VLAN ID, 0 for untagged.
        vlan: u16,
    },
    /// Destination MAC, any VLAN.
    Mac([u8; 6]),
    /// TCP/UDP flow to an IPv4 destination address and port.
    Flow4 {
        /// IP protocol (TCP or UDP).
        proto: u8,
        /// Destination address.
        dst: [u8; 4],
        /// Destination port.
        port: u16,
    },
    /// TCP/UDP flow to an IPv6 destination address and port.
    Flow6 {
        /// IP protocol (TCP or UDP).
        proto: u8,
        /// Destination address.
        dst: [u8; 16],
        /// Destination port.
        port: u16,
    },
    /// Destination IPv4 address.
    Ipv4([u8; 4]),
    /// Destination IPv6 address.
    Ipv6([u8; 16]),
    /// VLAN ID.
    Vlan(u16),
}

/// The kinds of keys, most specific first (the tie-break order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum KeyKind {
    /// [`Key::Flow4`] and [`Key::Flow6`].
    Flow,
    /// [`Key::MacVlan`].
    MacVlan,
    /// [`Key::Ipv4`] and [`Key::Ipv6`].
    Ip,
    /// [`Key::Mac`].
    Mac,
    /// [`Key::Vlan`].
    Vlan,
}

impl Key {
    /// The kind of this key.
    pub fn kind(&self) -> KeyKind {
        match self {
            Self::Flow4 { .. } | Self::Flow6 { .. } => KeyKind::Flow,
            Self::MacVlan { .. } => KeyKind::MacVlan,
            Self::Ipv4(_) | Self::Ipv6(_) => KeyKind::Ip,
            Self::Mac(_) => KeyKind::Mac,
            Self::Vlan(_) => KeyKind::Vlan,
        }
    }
}

/// A classification rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// What the rule matches.
    pub key: Key,
    /// Where matching frames go.
    pub target: Target,
    /// Higher wins when rules of several kinds match.
    pub prio: u8,
}

/// Why a classifier change was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClassifyError {
    /// A rule with this key exists.
    Exists,
    /// No rule with this key.
    NotFound,
    /// The key's table is full.
    Full,
    /// Member index out of range, or a multicast key that is not a group
    /// address (or a unicast key that is one).
    Invalid,
}

/// The outcome of a lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Verdict {
    /// The unicast target: a matching rule's, or the default.
    pub target: Option<Target>,
    /// Whether `target` came from a rule (not the default).
    pub matched: bool,
    /// Members that get a copy (group frames, promiscuous members); never
    /// includes `target`'s member.
    pub copies: MemberSet,
}

/// A per-member setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Member {
    /// Where the member's copies go.
    pub target: Target,
    /// The slot is in use.
    pub present: bool,
    /// Receives every multicast frame.
    pub allmulti: bool,
    /// Receives every group frame and unicast frame no rule claimed.
    pub promisc: bool,
    /// With `promisc`: receives other members' unicast too.
    pub trusted: bool,
}

// ---------------------------------------------------------------------------
// Fixed-capacity open-addressing table with backward-shift deletion.

#[derive(Clone, Copy)]
struct Slot<K, V> {
    used: bool,
    key: K,
    val: V,
}

struct Table<K, V, const N: usize> {
    slots: [Slot<K, V>; N],
    len: usize,
}

fn fnv(bytes: &[u8]) -> u32 {
    let mut h = 0x811c_9dc5u32;
    for &b in bytes {
        h = (h ^ b as u32).wrapping_mul(0x0100_0193);
    }
    // Fold the high bits in: N is a power of two and only low bits index.
    h ^ (h >> 16)
}

trait TableKey: Copy + Eq + Default {
    fn hash(&self) -> u32;
}

macro_rules! table_key_bytes {
    ($($t:ty),*) => {$(
        impl TableKey for $t {
            fn hash(&self) -> u32 {
                fnv(self)
            }
        }
    )*};
}
table_key_bytes!([u8; 4], [u8; 6], [u8; 8], [u8; 16], [u8; 20]);

impl TableKey for u16 {
    fn hash(&self) -> u32 {
        fnv(&self.to_be_bytes())
    }
}

impl<K: TableKey, V: Copy + Default, const N: usize> Table<K, V, N> {
    const MASK: usize = {
        assert!(N.is_power_of_two());
        N - 1
    };

    fn new() -> Self {
        Self {
            slots: [Slot {
                used: false,
                key: K::default(),
                val: V::default(),
            }; N],
            len: 0,
        }
    }

    fn find(&self, key: &K) -> Option<usize> {
        let mut i = key.hash() as usize & Self::MASK;
        for _ in 0..N {
            let s = &self.slots[i];
            if !s.used {
                return None;
            }
            if s.key == *key {
                return Some(i);
            }
            i = (i + 1) & Self::MASK;
        }
        None
    }

    fn get(&self, key: &K) -> Option<&V> {
        self.find(key).map(|i| &self.slots[i].val)
    }

    fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        self.find(key).map(|i| &mut self.slots[i].val)
    }

    fn insert(&mut self, key: K, val: V) -> Result<(), ClassifyError> {
        if self.find(&key).is_some() {
            return Err(ClassifyError::Exists);
        }
        // Keep probe chains short: never fill beyond 3/4.
        if (self.len + 1) * 4 > N * 3 {
            return Err(ClassifyError::Full);
        }
        let mut i = key.hash() as usize & Self::MASK;
        while self.slots[i].used {
            i = (i + 1) & Self::MASK;
        }
        self.slots[i] = Slot {
            used: true,
            key,
            val,
        };
        self.len += 1;
        Ok(())
    }

    fn remove(&mut self, key: &K) -> Option<V> {
        let mut hole = self.find(key)?;
        let val = self.slots[hole].val;
        self.slots[hole].used = false;
        self.len -= 1;
        // Backward shift: move later entries of the chain into the hole when
        // the hole lies between their home slot and where they sit.
        let mut i = (hole + 1) & Self::MASK;
        while self.slots[i].used {
            let home = self.slots[i].key.hash() as usize & Self::MASK;
            let dist_cur = i.wrapping_sub(home) & Self::MASK;
            let dist_hole = i.wrapping_sub(hole) & Self::MASK;
            if dist_cur >= dist_hole {
                self.slots[hole] = self.slots[i];
                self.slots[i].used = false;
                hole = i;
            }
            i = (i + 1) & Self::MASK;
        }
        Some(val)
    }

    fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.slots
            .iter()
            .filter(|s| s.used)
            .map(|s| (&s.key, &s.val))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Action {
    target: Target,
    prio: u8,
}

fn mac_vlan_key(mac: &[u8; 6], vlan: u16) -> [u8; 8] {
    let v = vlan.to_be_bytes();
    [mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], v[0], v[1]]
}

fn flow4_key(proto: u8, dst: &[u8; 4], port: u16) -> [u8; 8] {
    let p = port.to_be_bytes();
    [dst[0], dst[1], dst[2], dst[3], p[0], p[1], proto, 0]
}

fn flow6_key(proto: u8, dst: &[u8; 16], port: u16) -> [u8; 20] {
    let mut k = [0u8; 20];
    k[..16].copy_from_slice(dst);
    k[16..18].copy_from_slice(&port.to_be_bytes());
    k[18] = proto;
    k
}

/// The classifier of a port; `N` (a power of two) is the capacity of each
/// key table, of which at most 3/4 is used.
pub struct Classifier<const N: usize> {
    mac_vlan: Table<[u8; 8], Action, N>,
    mac: Table<[u8; 6], Action, N>,
    flow4: Table<[u8; 8], Action, N>,
    flow6: Table<[u8; 20], Action, N>,
    ipv4: Table<[u8; 4], Action, N>,
    ipv6: Table<[u8; 16], Action, N>,
    vlan: Table<u16, Action, N>,
    mcast: Table<[u8; 6], MemberSet, N>,
    /// Unicast MACs by owning member.
    owners: Table<[u8; 6], u8, N>,
    default: Target,
    has_default: bool,
    members: [Member; MAX_MEMBERS],
    /// Members in promiscuous / allmulti mode, kept in step with `members`.
    promisc: MemberSet,
    /// The promiscuous members that are trusted.
    promisc_trusted: MemberSet,
    allmulti: MemberSet,
    present: MemberSet,
}

impl<const N: usize> Default for Classifier<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> Classifier<N> {
    /// An empty classifier: no rules, no default, no members. Its memory is
    /// all zeroes, so zeroed memory is an empty classifier too.
    pub fn new() -> Self {
        Self {
            mac_vlan: Table::new(),
            mac: Table::new(),
            flow4: Table::new(),
            flow6: Table::new(),
            ipv4: Table::new(),
            ipv6: Table::new(),
            vlan: Table::new(),
            mcast: Table::new(),
            owners: Table::new(),
            default: Target::default(),
            has_default: false,
            members: [Member::default(); MAX_MEMBERS],
            promisc: MemberSet(0),
            promisc_trusted: MemberSet(0),
            allmulti: MemberSet(0),
            present: MemberSet(0),
        }
    }

    /// Adds a rule. Keys on group MACs are refused: group frames go by membership.
    pub fn insert(&mut self, rule: Rule) -> Result<(), ClassifyError> {
        let a = Action {
            target: rule.target,
            prio: rule.prio,
        };
        match rule.key {
            Key::MacVlan { mac, .. } | Key::Mac(mac) if mac[0] & 1 != 0 => {
                Err(ClassifyError::Invalid)
            }
            Key::MacVlan { mac, vlan } => self.mac_vlan.insert(mac_vlan_key(&mac, vlan), a),
            Key::Mac(mac) => self.mac.insert(mac, a),
            Key::Flow4 { proto, dst, port } => self.flow4.insert(flow4_key(proto, &dst, port), a),
            Key::Flow6 { proto, dst, port } => self.flow6.insert(flow6_key(proto, &dst, port), a),
            Key::Ipv4(a4) => self.ipv4.insert(a4, a),
            Key::Ipv6(a6) => self.ipv6.insert(a6, a),
            Key::Vlan(v) => self.vlan.insert(v, a),
        }
    }

    /// Removes the rule with `key` if it sends frames to `member`: an
    /// entity never removes another's rule.
    pub fn remove_owned(&mut self, key: &Key, member: u8) -> Result<Rule, ClassifyError> {
        let r = self.get(key).ok_or(ClassifyError::NotFound)?;
        if r.target.member != member {
            return Err(ClassifyError::NotFound);
        }
        self.remove(key)
    }

    /// The rule with `key`.
    pub fn get(&self, key: &Key) -> Option<Rule> {
        let a = match *key {
            Key::MacVlan { mac, vlan } => self.mac_vlan.get(&mac_vlan_key(&mac, vlan)),
            Key::Mac(mac) => self.mac.get(&mac),
            Key::Flow4 { proto, dst, port } => self.flow4.get(&flow4_key(proto, &dst, port)),
            Key::Flow6 { proto, dst, port } => self.flow6.get(&flow6_key(proto, &dst, port)),
            Key::Ipv4(a4) => self.ipv4.get(&a4),
            Key::Ipv6(a6) => self.ipv6.get(&a6),
            Key::Vlan(v) => self.vlan.get(&v),
        }?;
        Some(Rule {
            key: *key,
            target: a.target,
            prio: a.prio,
        })
    }

    /// Member `member` takes the unicast MAC `mac`: refused if another
    /// member owns it (taking one's own again is fine).
    pub fn claim(&mut self, mac: [u8; 6], member: u8) -> Result<(), ClassifyError> {
        if mac[0] & 1 != 0 || mac == [0; 6] || member as usize >= MAX_MEMBERS {
            return Err(ClassifyError::Invalid);
        }
        match self.owners.get(&mac) {
            Some(&m) if m == member => Ok(()),
            Some(_) => Err(ClassifyError::Exists),
            None => self.owners.insert(mac, member),
        }
    }

    /// Member `member` gives `mac` up (if it has it).
    pub fn release(&mut self, mac: [u8; 6], member: u8) {
        if self.owners.get(&mac) == Some(&member) {
            self.owners.remove(&mac);
        }
    }

    /// Who owns the unicast MAC `mac`.
    pub fn owner(&self, mac: &[u8; 6]) -> Option<u8> {
        self.owners.get(mac).copied()
    }

    /// Every owned MAC and its member (in table order).
    pub fn for_each_owner(&self, mut f: impl FnMut(&[u8; 6], u8)) {
        for (mac, &m) in self.owners.iter() {
            f(mac, m);
        }
    }

    /// Member `member` gives up every MAC it owns.
    pub fn release_all(&mut self, member: u8) {
        // Removal shifts entries back: collect first (at most N).
        loop {
            let mine = self
                .owners
                .iter()
                .find(|(_, &m)| m == member)
                .map(|(k, _)| *k);
            match mine {
                Some(mac) => {
                    self.owners.remove(&mac);
                }
                None => break,
            }
        }
    }

    /// Removes the rule with `key` and returns it.
    pub fn remove(&mut self, key: &Key) -> Result<Rule, ClassifyError> {
        let a = match *key {
            Key::MacVlan { mac, vlan } => self.mac_vlan.remove(&mac_vlan_key(&mac, vlan)),
            Key::Mac(mac) => self.mac.remove(&mac),
            Key::Flow4 { proto, dst, port } => self.flow4.remove(&flow4_key(proto, &dst, port)),
            Key::Flow6 { proto, dst, port } => self.flow6.remove(&flow6_key(proto, &dst, port)),
            Key::Ipv4(a4) => self.ipv4.remove(&a4),
            Key::Ipv6(a6) => self.ipv6.remove(&a6),
            Key::Vlan(v) => self.vlan.remove(&v),
        }
        .ok_or(ClassifyError::NotFound)?;
        Ok(Rule {
            key: *key,
            target: a.target,
            prio: a.prio,
        })
    }

    /// Number of rules.
    pub fn len(&self) -> usize {
        self.mac_vlan.len
            + self.mac.len
            + self.flow4.len
            + self.flow6.len
            + self.ipv4.len
            + self.ipv6.len
            + self.vlan.len
    }

    /// Whether there are no rules.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// What the port's MAC filter must pass for this classifier to see
    /// every frame it would deliver (`ignore`: a member whose MACs are not
    /// received, the link partner's). Exact match on one unicast address
    /// is possible only with no default target, no promiscuous member,
    /// and rules on that MAC alone; else promiscuous. Multicast: every
    /// group joined goes in the hash; an all-multicast member makes it
    /// all-multicast.
    pub fn port_filter(&self, ignore: u8) -> MacFilter {
        let mut f = MacFilter::default();
        let mut unicast: Option<[u8; 6]> = None;
        let mut many = false;
        // The MACs rules are installed for (an owner with none, a stopped
        // device or the host while down, receives nothing).
        let mut see = |mac: &[u8; 6]| {
            if mac[0] & 1 == 0 {
                many |= unicast.is_some_and(|u| u != *mac);
                unicast = Some(*mac);
            }
        };
        let mut other_keys = false;
        self.for_each_rule(|r| match r.key {
            Key::Mac(mac) | Key::MacVlan { mac, .. } => {
                if r.target.member != ignore {
                    see(&mac);
                }
            }
            _ => other_keys = true,
        });
        f.promisc = self.has_default || self.promisc.0 != 0 || other_keys || many;
        f.addr = unicast.unwrap_or_default();
        f.allmulti = self.allmulti.0 != 0;
        for (mac, _) in self.mcast.iter() {
            // Only group addresses are joined (`join` checks).
            let _ = f.add_hash(mac);
        }
        f
    }

    /// The group addresses members joined.
    pub fn groups(&self) -> impl Iterator<Item = &[u8; 6]> {
        self.mcast.iter().map(|(mac, _)| mac)
    }

    /// Every rule (in table order), e.g. to dump the table.
    pub fn for_each_rule(&self, mut f: impl FnMut(&Rule)) {
        let mut emit = |key: Key, a: &Action| {
            f(&Rule {
                key,
                target: a.target,
                prio: a.prio,
            })
        };
        for (k, a) in self.flow4.iter() {
            emit(
                Key::Flow4 {
                    proto: k[6],
                    dst: [k[0], k[1], k[2], k[3]],
                    port: u16::from_be_bytes([k[4], k[5]]),
                },
                a,
            );
        }
        for (k, a) in self.flow6.iter() {
            let mut dst = [0u8; 16];
            dst.copy_from_slice(&k[..16]);
            emit(
                Key::Flow6 {
                    proto: k[18],
                    dst,
                    port: u16::from_be_bytes([k[16], k[17]]),
                },
                a,
            );
        }
        for (k, a) in self.mac_vlan.iter() {
            let mac = [k[0], k[1], k[2], k[3], k[4], k[5]];
            emit(
                Key::MacVlan {
                    mac,
                    vlan: u16::from_be_bytes([k[6], k[7]]),
                },
                a,
            );
        }
        for (k, a) in self.ipv4.iter() {
            emit(Key::Ipv4(*k), a);
        }
        for (k, a) in self.ipv6.iter() {
            emit(Key::Ipv6(*k), a);
        }
        for (k, a) in self.mac.iter() {
            emit(Key::Mac(*k), a);
        }
        for (k, a) in self.vlan.iter() {
            emit(Key::Vlan(*k), a);
        }
    }

    /// Sets (or clears) the target of frames no rule matches.
    pub fn set_default(&mut self, target: Option<Target>) {
        self.has_default = target.is_some();
        self.default = target.unwrap_or_default();
    }

    /// Adds or updates member `m`.
    pub fn set_member(&mut self, m: u8, member: Member) -> Result<(), ClassifyError> {
        let slot = self
            .members
            .get_mut(m as usize)
            .ok_or(ClassifyError::Invalid)?;
        *slot = Member {
            present: true,
            ..member
        };
        self.present = self.present.with(m);
        self.promisc = if member.promisc {
            self.promisc.with(m)
        } else {
            self.promisc.without(m)
        };
        self.promisc_trusted = if member.promisc && member.trusted {
            self.promisc_trusted.with(m)
        } else {
            self.promisc_trusted.without(m)
        };
        self.allmulti = if member.allmulti {
            self.allmulti.with(m)
        } else {
            self.allmulti.without(m)
        };
        Ok(())
    }

    /// Member `m`, if present.
    pub fn member(&self, m: u8) -> Option<&Member> {
        self.members.get(m as usize).filter(|mb| mb.present)
    }

    /// Removes member `m` and its multicast memberships (not its rules);
    /// a group nobody is left in goes from the table.
    pub fn remove_member(&mut self, m: u8) {
        if (m as usize) < MAX_MEMBERS {
            self.members[m as usize] = Member::default();
            self.present = self.present.without(m);
            self.promisc = self.promisc.without(m);
            self.promisc_trusted = self.promisc_trusted.without(m);
            self.allmulti = self.allmulti.without(m);
            // Removal shifts entries back: look again after each.
            loop {
                let mac = self
                    .mcast
                    .iter()
                    .find(|(_, set)| set.contains(m))
                    .map(|(k, _)| *k);
                match mac {
                    Some(mac) => {
                        let _ = self.leave(mac, m);
                    }
                    None => break,
                }
            }
        }
    }

    /// Member `m` receives frames to the group address `mac`.
    pub fn join(&mut self, mac: [u8; 6], m: u8) -> Result<(), ClassifyError> {
        if mac[0] & 1 == 0 || m as usize >= MAX_MEMBERS {
            return Err(ClassifyError::Invalid);
        }
        match self.mcast.get_mut(&mac) {
            Some(set) => *set = set.with(m),
            None => self.mcast.insert(mac, MemberSet::default().with(m))?,
        }
        Ok(())
    }

    /// Member `m` leaves the group address `mac`.
    pub fn leave(&mut self, mac: [u8; 6], m: u8) -> Result<(), ClassifyError> {
        let set = self.mcast.get_mut(&mac).ok_or(ClassifyError::NotFound)?;
        if !set.contains(m) {
            return Err(ClassifyError::NotFound);
        }
        *set = set.without(m);
        if set.0 == 0 {
            self.mcast.remove(&mac);
        }
        Ok(())
    }

    /// Classifies a parsed frame from the wire.
    pub fn lookup(&self, p: &Parsed) -> Verdict {
        self.lookup_from(p, true)
    }

    /// Classifies a parsed frame a member sent: unicast no member owns
    /// goes out on the wire, as on a switch, not to untrusted promiscuous
    /// members.
    pub fn lookup_local(&self, p: &Parsed) -> Verdict {
        self.lookup_from(p, false)
    }

    fn lookup_from(&self, p: &Parsed, from_wire: bool) -> Verdict {
        if p.is_multicast() {
            let members = if p.dst_mac == [0xff; 6] {
                self.present
            } else {
                MemberSet(self.allmulti.0 | self.mcast.get(&p.dst_mac).map_or(0, |s| s.0))
            };
            return Verdict {
                target: None,
                matched: false,
                copies: MemberSet(members.0 | self.promisc.0),
            };
        }
        let mut best: Option<Action> = None;
        let mut consider = |a: Option<&Action>| {
            if let Some(a) = a {
                // Strictly greater: on equal priority the earlier (more
                // specific) kind stays.
                if best.map_or(true, |b| a.prio > b.prio) {
                    best = Some(*a);
                }
            }
        };
        match (&p.l3, p.ports) {
            (L3::Ipv4 { dst, proto, .. }, Some(pt)) => {
                consider(self.flow4.get(&flow4_key(*proto, dst, pt.dst)))
            }
            (L3::Ipv6 { dst, proto, .. }, Some(pt)) => {
                consider(self.flow6.get(&flow6_key(*proto, dst, pt.dst)))
            }
            _ => {}
        }
        consider(
            self.mac_vlan
                .get(&mac_vlan_key(&p.dst_mac, p.vlan().unwrap_or(0))),
        );
        match &p.l3 {
            L3::Ipv4 { dst, .. } => consider(self.ipv4.get(dst)),
            L3::Ipv6 { dst, .. } => consider(self.ipv6.get(dst)),
            _ => {}
        }
        consider(self.mac.get(&p.dst_mac));
        if let Some(v) = p.vlan() {
            consider(self.vlan.get(&v));
        }
        let (target, matched) = match best {
            Some(a) => (Some(a.target), true),
            None => (self.has_default.then_some(self.default), false),
        };
        // A rule's unicast is its member's, and so is unicast to a MAC a
        // member owns with no rule installed right now (a stopped device,
        // the host while down): untrusted promiscuous members see neither.
        let claimed = matched || !from_wire || self.owners.get(&p.dst_mac).is_some();
        let promisc = if claimed {
            self.promisc_trusted
        } else {
            self.promisc
        };
        let copies = match target {
            Some(t) => promisc.without(t.member),
            None => promisc,
        };
        Verdict {
            target,
            matched,
            copies,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::{ethertype, ipproto, parse, tests::*};
    use crate::testutil::Rng;

    fn t(member: u8) -> Target {
        Target {
            fqid: 100 * member as u32 + 1,
            fq_count: 4,
            member,
        }
    }

    fn frame_to(dst: [u8; 6], ip: [u8; 4], port: u16) -> Parsed {
        let mut f =
            Frame::eth(ethertype::IPV4).ipv4([10, 0, 0, 9], ip, ipproto::TCP, &tcp(999, port));
        f.0[0..6].copy_from_slice(&dst);
        parse(&f.0).unwrap()
    }

    const M1: [u8; 6] = [2, 0, 0, 0, 0, 1];
    const M2: [u8; 6] = [2, 0, 0, 0, 0, 2];
    const IP: [u8; 4] = [192, 168, 1, 5];

    #[test]
    fn port_filter_is_exact_only_for_one_mac() {
        const WIRE: u8 = 31;
        let g = [0x01, 0x00, 0x5e, 0, 0, 7];
        let mut c: Box<Classifier<64>> = Box::default();
        assert_eq!(
            c.port_filter(WIRE),
            MacFilter::default(),
            "nothing to receive"
        );
        // The link partner's MAC is not received, nor one with no rule.
        c.claim([2, 9, 9, 9, 9, 9], WIRE).unwrap();
        c.claim(M1, 1).unwrap();
        c.claim(M2, 2).unwrap();
        assert_eq!(c.port_filter(WIRE), MacFilter::default());
        c.insert(Rule {
            key: Key::Mac(M1),
            target: t(1),
            prio: 0,
        })
        .unwrap();
        let f = c.port_filter(WIRE);
        assert!(!f.promisc && !f.allmulti);
        assert_eq!(f.addr, M1);
        assert!(f.accepts(&M1) && !f.accepts(&M2) && !f.accepts(&[2, 9, 9, 9, 9, 9]));
        assert!(!f.accepts(&g));
        c.join(g, 1).unwrap();
        assert!(
            c.port_filter(WIRE).accepts(&g),
            "a joined group is in the hash"
        );
        // A second MAC (owned, or only a rule's): promiscuous.
        c.insert(Rule {
            key: Key::MacVlan { mac: M2, vlan: 5 },
            target: t(2),
            prio: 0,
        })
        .unwrap();
        assert!(c.port_filter(WIRE).promisc);
        c.remove(&Key::MacVlan { mac: M2, vlan: 5 }).unwrap();
        assert!(!c.port_filter(WIRE).promisc);
        // A rule on anything but a MAC can match any destination.
        c.insert(Rule {
            key: Key::Ipv4(IP),
            target: t(1),
            prio: 0,
        })
        .unwrap();
        assert!(c.port_filter(WIRE).promisc);
        c.remove(&Key::Ipv4(IP)).unwrap();
        // A default target (the host's) takes unknown unicast.
        c.set_default(Some(t(0)));
        assert!(c.port_filter(WIRE).promisc);
        c.set_default(None);
        // Promiscuous and all-multicast members.
        let m = |promisc, allmulti| Member {
            target: t(1),
            present: true,
            promisc,
            allmulti,
            trusted: false,
        };
        c.set_member(1, m(false, true)).unwrap();
        let f = c.port_filter(WIRE);
        assert!(f.allmulti && !f.promisc);
        c.set_member(1, m(true, false)).unwrap();
        assert!(c.port_filter(WIRE).promisc);
        c.set_member(1, m(false, false)).unwrap();
        assert_eq!(c.port_filter(WIRE).addr, M1);
        assert!(!c.port_filter(WIRE).promisc);
    }

    #[test]
    fn zeroed_memory_is_an_empty_classifier() {
        // SAFETY: every field is an integer, a bool or an array of them, for
        // which zero is valid; this is what the kernel relies on.
        let mut c: Box<Classifier<64>> = unsafe { Box::new_zeroed().assume_init() };
        assert!(c.is_empty());
        assert_eq!(c.lookup(&frame_to(M1, IP, 80)), Verdict::default());
        assert_eq!(c.lookup(&frame_to([0xff; 6], IP, 80)), Verdict::default());
        c.insert(Rule {
            key: Key::Mac(M1),
            target: t(1),
            prio: 0,
        })
        .unwrap();
        assert_eq!(c.lookup(&frame_to(M1, IP, 80)).target, Some(t(1)));
    }

    #[test]
    fn mac_rule_default_and_remove() {
        let mut c = Classifier::<64>::new();
        c.set_default(Some(t(0)));
        c.insert(Rule {
            key: Key::Mac(M1),
            target: t(1),
            prio: 0,
        })
        .unwrap();
        assert_eq!(
            c.insert(Rule {
                key: Key::Mac(M1),
                target: t(2),
                prio: 0
            }),
            Err(ClassifyError::Exists)
        );
        let v = c.lookup(&frame_to(M1, IP, 80));
        assert_eq!((v.target, v.matched), (Some(t(1)), true));
        let v = c.lookup(&frame_to(M2, IP, 80));
        assert_eq!((v.target, v.matched), (Some(t(0)), false));
        assert_eq!(c.remove(&Key::Mac(M1)).unwrap().target, t(1));
        assert_eq!(c.remove(&Key::Mac(M1)), Err(ClassifyError::NotFound));
        assert_eq!(c.lookup(&frame_to(M1, IP, 80)).target, Some(t(0)));
        c.set_default(None);
        assert_eq!(c.lookup(&frame_to(M1, IP, 80)).target, None);
    }

    #[test]
    fn priorities_and_specificity() {
        let mut c = Classifier::<64>::new();
        c.insert(Rule {
            key: Key::Mac(M1),
            target: t(1),
            prio: 0,
        })
        .unwrap();
        c.insert(Rule {
            key: Key::Ipv4(IP),
            target: t(2),
            prio: 0,
        })
        .unwrap();
        // Equal priority: the IP rule is more specific than the MAC rule.
        assert_eq!(c.lookup(&frame_to(M1, IP, 80)).target, Some(t(2)));
        c.insert(Rule {
            key: Key::Flow4 {
                proto: ipproto::TCP,
                dst: IP,
                port: 22,
            },
            target: t(3),
            prio: 0,
        })
        .unwrap();
        assert_eq!(c.lookup(&frame_to(M1, IP, 22)).target, Some(t(3)));
        assert_eq!(c.lookup(&frame_to(M1, IP, 23)).target, Some(t(2)));
        // A higher priority MAC rule beats both.
        c.remove(&Key::Mac(M1)).unwrap();
        c.insert(Rule {
            key: Key::Mac(M1),
            target: t(1),
            prio: 9,
        })
        .unwrap();
        assert_eq!(c.lookup(&frame_to(M1, IP, 22)).target, Some(t(1)));
        assert_eq!(c.len(), 3);
    }

    #[test]
    fn vlan_keys() {
        let mut c = Classifier::<64>::new();
        c.insert(Rule {
            key: Key::MacVlan { mac: M1, vlan: 10 },
            target: t(1),
            prio: 0,
        })
        .unwrap();
        c.insert(Rule {
            key: Key::Vlan(20),
            target: t(2),
            prio: 0,
        })
        .unwrap();
        let f =
            Frame::vlan(&[10], ethertype::IPV4).ipv4([1, 1, 1, 1], IP, ipproto::UDP, &udp(1, 2));
        let mut p = parse(&f.0).unwrap();
        p.dst_mac = M1;
        assert_eq!(c.lookup(&p).target, Some(t(1)));
        let f =
            Frame::vlan(&[20], ethertype::IPV4).ipv4([1, 1, 1, 1], IP, ipproto::UDP, &udp(1, 2));
        assert_eq!(c.lookup(&parse(&f.0).unwrap()).target, Some(t(2)));
        // Untagged frames to M1 match MacVlan only with vlan 0.
        assert_eq!(c.lookup(&frame_to(M1, IP, 1)).target, None);
    }

    #[test]
    fn group_frames_and_promisc() {
        let mut c = Classifier::<64>::new();
        for m in 0..3 {
            c.set_member(
                m,
                Member {
                    target: t(m),
                    ..Default::default()
                },
            )
            .unwrap();
        }
        c.set_member(
            1,
            Member {
                target: t(1),
                allmulti: true,
                ..Default::default()
            },
        )
        .unwrap();
        let bcast = c.lookup(&frame_to([0xff; 6], IP, 1));
        assert_eq!((bcast.target, bcast.copies), (None, MemberSet(0b111)));
        let group = [0x01, 0, 0x5e, 0, 0, 1];
        assert_eq!(c.lookup(&frame_to(group, IP, 1)).copies, MemberSet(0b010));
        c.join(group, 2).unwrap();
        assert_eq!(c.lookup(&frame_to(group, IP, 1)).copies, MemberSet(0b110));
        c.leave(group, 2).unwrap();
        assert_eq!(c.leave(group, 2), Err(ClassifyError::NotFound));
        assert_eq!(c.join(M1, 2), Err(ClassifyError::Invalid));
        assert_eq!(
            c.insert(Rule {
                key: Key::Mac(group),
                target: t(1),
                prio: 0
            }),
            Err(ClassifyError::Invalid)
        );
        // Promiscuous member 2 gets a copy of unicast for others, not of its own.
        c.insert(Rule {
            key: Key::Mac(M1),
            target: t(0),
            prio: 0,
        })
        .unwrap();
        c.insert(Rule {
            key: Key::Mac(M2),
            target: t(2),
            prio: 0,
        })
        .unwrap();
        c.set_member(
            2,
            Member {
                target: t(2),
                promisc: true,
                ..Default::default()
            },
        )
        .unwrap();
        // An untrusted promiscuous member sees what no rule claimed (unknown
        // unicast, group frames), never another member's unicast.
        assert_eq!(c.lookup(&frame_to(M1, IP, 1)).copies, MemberSet(0));
        assert_eq!(c.lookup(&frame_to(M2, IP, 1)).copies, MemberSet(0));
        let stranger = [2, 0, 0, 0, 0, 9];
        assert_eq!(
            c.lookup(&frame_to(stranger, IP, 1)).copies,
            MemberSet(0b100)
        );
        // Unicast a member sends to nobody's MAC goes to the wire: not to
        // them.
        assert_eq!(
            c.lookup_local(&frame_to(stranger, IP, 1)).copies,
            MemberSet(0)
        );
        // Owned without a rule (its owner is stopped): not for them either.
        c.claim(stranger, 1).unwrap();
        assert_eq!(c.lookup(&frame_to(stranger, IP, 1)).copies, MemberSet(0));
        c.release(stranger, 1);
        assert_eq!(
            c.lookup(&frame_to([0xff; 6], IP, 1)).copies,
            MemberSet(0b111)
        );
        // A trusted one sees every frame but its own.
        c.set_member(
            2,
            Member {
                target: t(2),
                promisc: true,
                trusted: true,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(c.lookup(&frame_to(M1, IP, 1)).copies, MemberSet(0b100));
        assert_eq!(c.lookup(&frame_to(M2, IP, 1)).copies, MemberSet(0));
        assert_eq!(
            c.lookup(&frame_to(stranger, IP, 1)).copies,
            MemberSet(0b100)
        );
        c.remove_member(2);
        assert_eq!(c.lookup(&frame_to(M1, IP, 1)).copies, MemberSet(0));
        assert_eq!(
            c.lookup(&frame_to([0xff; 6], IP, 1)).copies,
            MemberSet(0b011)
        );
        assert_eq!(
            c.set_member(32, Member::default()),
            Err(ClassifyError::Invalid)
        );
    }

    #[test]
    fn groups_go_with_their_last_member() {
        let mut c = Classifier::<16>::new();
        // More distinct groups over time than the table holds at once.
        for round in 0..20u8 {
            for k in 0..4u8 {
                c.join([0x33, 0x33, 0xff, 0, round, k], 1).unwrap();
            }
            c.join([0x33, 0x33, 0, 0, 0, 1], 2).unwrap_or(());
            c.remove_member(1);
        }
        assert_eq!(c.mcast.len, 1);
    }

    #[test]
    fn mac_owners_and_owned_rules() {
        let mut c = Classifier::<64>::new();
        assert_eq!(c.claim(M1, 1), Ok(()));
        assert_eq!(c.claim(M1, 1), Ok(()));
        assert_eq!(c.claim(M1, 2), Err(ClassifyError::Exists));
        assert_eq!(c.claim([0xff; 6], 2), Err(ClassifyError::Invalid));
        assert_eq!(c.claim([0; 6], 2), Err(ClassifyError::Invalid));
        assert_eq!(c.owner(&M1), Some(1));
        c.release(M1, 2);
        assert_eq!(c.owner(&M1), Some(1));
        c.claim(M2, 1).unwrap();
        c.claim([2, 0, 0, 0, 0, 3], 3).unwrap();
        c.release_all(1);
        assert_eq!((c.owner(&M1), c.owner(&M2)), (None, None));
        assert_eq!(c.owner(&[2, 0, 0, 0, 0, 3]), Some(3));
        assert_eq!(c.claim(M1, 2), Ok(()));
        // A rule goes only with its own member.
        c.insert(Rule {
            key: Key::Mac(M1),
            target: t(2),
            prio: 0,
        })
        .unwrap();
        assert_eq!(
            c.remove_owned(&Key::Mac(M1), 0),
            Err(ClassifyError::NotFound)
        );
        assert_eq!(c.get(&Key::Mac(M1)).map(|r| r.target), Some(t(2)));
        assert!(c.remove_owned(&Key::Mac(M1), 2).is_ok());
        assert_eq!(c.get(&Key::Mac(M1)), None);
    }

    #[test]
    fn table_capacity() {
        let mut c = Classifier::<16>::new();
        for i in 0..12u8 {
            c.insert(Rule {
                key: Key::Ipv4([10, 0, 0, i]),
                target: t(1),
                prio: 0,
            })
            .unwrap();
        }
        assert_eq!(
            c.insert(Rule {
                key: Key::Ipv4([10, 0, 1, 0]),
                target: t(1),
                prio: 0
            }),
            Err(ClassifyError::Full)
        );
        // Other kinds have their own tables.
        c.insert(Rule {
            key: Key::Mac(M1),
            target: t(1),
            prio: 0,
        })
        .unwrap();
    }

    /// Random inserts and removes against a model (a plain Vec): every key
    /// stays findable across backward-shift deletions.
    #[test]
    fn table_matches_model_under_churn() {
        let mut rng = Rng::new(3);
        let mut c = Classifier::<64>::new();
        let mut model: Vec<([u8; 4], u8)> = Vec::new();
        for _ in 0..50_000 {
            let ip = [10, 0, 0, rng.below(80) as u8];
            if rng.below(2) == 0 {
                let r = c.insert(Rule {
                    key: Key::Ipv4(ip),
                    target: t(ip[3] % 8),
                    prio: 0,
                });
                match model.iter().position(|(k, _)| *k == ip) {
                    Some(_) => assert_eq!(r, Err(ClassifyError::Exists)),
                    None if model.len() < 48 => {
                        assert_eq!(r, Ok(()));
                        model.push((ip, ip[3] % 8));
                    }
                    None => assert_eq!(r, Err(ClassifyError::Full)),
                }
            } else {
                let r = c.remove(&Key::Ipv4(ip));
                match model.iter().position(|(k, _)| *k == ip) {
                    Some(i) => {
                        assert_eq!(r.map(|r| r.target.member), Ok(model[i].1));
                        model.swap_remove(i);
                    }
                    None => assert_eq!(r, Err(ClassifyError::NotFound)),
                }
            }
            assert_eq!(c.len(), model.len());
        }
        for (ip, m) in &model {
            assert_eq!(
                c.lookup(&frame_to(M1, *ip, 1)).target.map(|t| t.member),
                Some(*m)
            );
        }
        let mut n = 0;
        c.for_each_rule(|_| n += 1);
        assert_eq!(n, model.len());
    }

    #[test]
    fn rules_round_trip_through_for_each() {
        let mut c = Classifier::<64>::new();
        let rules = [
            Rule {
                key: Key::Flow4 {
                    proto: 6,
                    dst: IP,
                    port: 80,
                },
                target: t(1),
                prio: 1,
            },
            Rule {
                key: Key::Flow6 {
                    proto: 17,
                    dst: [7; 16],
                    port: 53,
                },
                target: t(2),
                prio: 2,
            },
            Rule {
                key: Key::MacVlan { mac: M1, vlan: 5 },
                target: t(3),
                prio: 3,
            },
            Rule {
                key: Key::Ipv4(IP),
                target: t(4),
                prio: 4,
            },
            Rule {
                key: Key::Ipv6([9; 16]),
                target: t(5),
                prio: 5,
            },
            Rule {
                key: Key::Mac(M2),
                target: t(6),
                prio: 6,
            },
            Rule {
                key: Key::Vlan(7),
                target: t(7),
                prio: 7,
            },
        ];
        for r in rules {
            c.insert(r).unwrap();
        }
        let mut seen = Vec::new();
        c.for_each_rule(|r| seen.push(*r));
        assert_eq!(seen, rules);
    }
}
