// SPDX-License-Identifier: GPL-2.0

//! The virtio-net control virtqueue (virtio 1.2, §5.1.6.5) and the device's
//! config space layout (§5.1.4): what the driver asks and what it reads.

/// `VIRTIO_NET_OK`: the ack byte of a command carried out.
pub const ACK_OK: u8 = 0;
/// `VIRTIO_NET_ERR`: the ack byte of a command refused.
pub const ACK_ERR: u8 = 1;

const CLASS_RX: u8 = 0;
const CLASS_MAC: u8 = 1;
const CLASS_MQ: u8 = 4;
const RX_PROMISC: u8 = 0;
const RX_ALLMULTI: u8 = 1;
const MAC_TABLE_SET: u8 = 0;
const MAC_ADDR_SET: u8 = 1;
const MQ_VQ_PAIRS_SET: u8 = 0;

/// Range of `VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET` (before the device's own
/// `max_virtqueue_pairs`).
pub const VQ_PAIRS_MIN: u16 = 1;
/// `VIRTIO_NET_CTRL_MQ_VQ_PAIRS_MAX`.
pub const VQ_PAIRS_MAX: u16 = 0x8000;

/// A decoded control command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ctrl<'a> {
    /// `RX_PROMISC`: receive every frame.
    Promisc(bool),
    /// `RX_ALLMULTI`: receive every multicast frame.
    Allmulti(bool),
    /// `MAC_TABLE_SET`: unicast and multicast filter tables, 6 bytes per
    /// address.
    MacTable {
        /// Extra unicast addresses.
        uc: &'a [u8],
        /// Multicast groups.
        mc: &'a [u8],
    },
    /// `MAC_ADDR_SET`: the device's MAC.
    MacAddr([u8; 6]),
    /// The raw pair count; [`check_pairs`] validates it.
    VqPairs(u16),
    /// A class/command this device does not implement.
    Unsupported(u8, u8),
}

/// A command that is malformed (short, or tables that overrun the data).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Malformed;

fn mac_table(b: &[u8]) -> Result<(&[u8], &[u8]), Malformed> {
    let n = u32::from_le_bytes(
        b.get(..4)
            .ok_or(Malformed)?
            .try_into()
            .map_err(|_| Malformed)?,
    );
    let len = (n as usize).checked_mul(6).ok_or(Malformed)?;
    let end = len.checked_add(4).ok_or(Malformed)?;
    let t = b.get(4..end).ok_or(Malformed)?;
    Ok((t, &b[end..]))
}

/// Decodes a command: `{ class: u8, command: u8 }` then its data.
pub fn parse(b: &[u8]) -> Result<Ctrl<'_>, Malformed> {
    let (&class, rest) = b.split_first().ok_or(Malformed)?;
    let (&cmd, data) = rest.split_first().ok_or(Malformed)?;
    let flag = || data.first().map(|&v| v != 0).ok_or(Malformed);
    Ok(match (class, cmd) {
        (CLASS_RX, RX_PROMISC) => Ctrl::Promisc(flag()?),
        (CLASS_RX, RX_ALLMULTI) => Ctrl::Allmulti(flag()?),
        (CLASS_MAC, MAC_TABLE_SET) => {
            let (uc, rest) = mac_table(data)?;
            let (mc, _) = mac_table(rest)?;
            Ctrl::MacTable { uc, mc }
        }
        (CLASS_MAC, MAC_ADDR_SET) => Ctrl::MacAddr(
            data.get(..6)
                .ok_or(Malformed)?
                .try_into()
                .map_err(|_| Malformed)?,
        ),
        (CLASS_MQ, MQ_VQ_PAIRS_SET) => Ctrl::VqPairs(u16::from_le_bytes(
            data.get(..2)
                .ok_or(Malformed)?
                .try_into()
                .map_err(|_| Malformed)?,
        )),
        (c, m) => Ctrl::Unsupported(c, m),
    })
}

/// Whether `VQ_PAIRS_SET(pairs)` is valid on a device with `max` pairs.
/// Unchecked, this is CVE-2022-48864 (a queue index beyond the device's).
pub fn check_pairs(pairs: u16, max: u16) -> bool {
    (VQ_PAIRS_MIN..=VQ_PAIRS_MAX).contains(&pairs) && pairs <= max
}

/// `VIRTIO_NET_S_LINK_UP`.
pub const STATUS_LINK_UP: u16 = 1;
/// Bytes of the config space this device exposes: mac, status,
/// max_virtqueue_pairs, mtu (the fields its features cover).
pub const CONFIG_SIZE: usize = 12;

/// The config space, little-endian (VERSION_1).
pub fn config_space(mac: [u8; 6], status: u16, max_vqp: u16, mtu: u16) -> [u8; CONFIG_SIZE] {
    let mut c = [0u8; CONFIG_SIZE];
    c[..6].copy_from_slice(&mac);
    c[6..8].copy_from_slice(&status.to_le_bytes());
    c[8..10].copy_from_slice(&max_vqp.to_le_bytes());
    c[10..12].copy_from_slice(&mtu.to_le_bytes());
    c
}

/// Index of the control queue: after all pairs with MQ, else 2.
pub fn cvq_index(mq: bool, max_vqp: u16) -> u16 {
    if mq {
        2 * max_vqp
    } else {
        2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_decode() {
        assert_eq!(parse(&[0, 0, 1]), Ok(Ctrl::Promisc(true)));
        assert_eq!(parse(&[0, 1, 0]), Ok(Ctrl::Allmulti(false)));
        assert_eq!(
            parse(&[1, 1, 2, 0, 0, 0, 0, 9]),
            Ok(Ctrl::MacAddr([2, 0, 0, 0, 0, 9]))
        );
        assert_eq!(parse(&[4, 0, 4, 0]), Ok(Ctrl::VqPairs(4)));
        assert_eq!(parse(&[5, 0]), Ok(Ctrl::Unsupported(5, 0)));
        let mut t = vec![1, 0];
        t.extend_from_slice(&1u32.to_le_bytes());
        t.extend_from_slice(&[2, 1, 1, 1, 1, 1]);
        t.extend_from_slice(&2u32.to_le_bytes());
        t.extend_from_slice(&[1, 0, 0x5e, 0, 0, 1, 0x33, 0x33, 0, 0, 0, 1]);
        assert_eq!(
            parse(&t),
            Ok(Ctrl::MacTable {
                uc: &[2, 1, 1, 1, 1, 1],
                mc: &[1, 0, 0x5e, 0, 0, 1, 0x33, 0x33, 0, 0, 0, 1]
            })
        );
    }

    #[test]
    fn malformed_commands_are_refused() {
        assert_eq!(parse(&[]), Err(Malformed));
        assert_eq!(parse(&[0]), Err(Malformed));
        assert_eq!(parse(&[0, 0]), Err(Malformed));
        assert_eq!(parse(&[1, 1, 2, 0]), Err(Malformed));
        assert_eq!(parse(&[4, 0, 4]), Err(Malformed));
        // A table claiming more entries than there are bytes.
        let mut t = vec![1, 0];
        t.extend_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(parse(&t), Err(Malformed));
        let mut t = vec![1, 0];
        t.extend_from_slice(&0u32.to_le_bytes());
        assert_eq!(parse(&t), Err(Malformed), "no multicast table");
    }

    #[test]
    fn pair_counts_are_bounded() {
        assert!(!check_pairs(0, 4));
        assert!(check_pairs(1, 4));
        assert!(check_pairs(4, 4));
        assert!(!check_pairs(5, 4));
        assert!(!check_pairs(0x8001, u16::MAX));
    }

    #[test]
    fn config_layout() {
        let c = config_space([1, 2, 3, 4, 5, 6], STATUS_LINK_UP, 4, 1500);
        assert_eq!(c, [1, 2, 3, 4, 5, 6, 1, 0, 4, 0, 0xdc, 0x05]);
        assert_eq!(cvq_index(true, 4), 8);
        assert_eq!(cvq_index(false, 4), 2);
    }
}
