// SPDX-License-Identifier: GPL-2.0

//! virtio-net feature bits (virtio 1.2, §5.1.3) and the rules a device offer
//! must follow.
//!
//! The bit numbers are checked against the kernel's uapi headers at build
//! time (`rust/ffi/mod.rs`).

/// virtio device ID of a network device.
pub const VIRTIO_ID_NET: u32 = 1;

/// Device handles packets with partial checksum.
pub const F_CSUM: u32 = 0;
/// Driver handles packets with partial checksum.
pub const F_GUEST_CSUM: u32 = 1;
/// Device reports the maximum MTU in its config space.
pub const F_MTU: u32 = 3;
/// Device has a MAC address in its config space.
pub const F_MAC: u32 = 5;
/// Driver can receive TSOv4.
pub const F_GUEST_TSO4: u32 = 7;
/// Driver can receive TSOv6.
pub const F_GUEST_TSO6: u32 = 8;
/// Driver can receive TSO with ECN.
pub const F_GUEST_ECN: u32 = 9;
/// Driver can receive UFO.
pub const F_GUEST_UFO: u32 = 10;
/// Device can receive TSOv4.
pub const F_HOST_TSO4: u32 = 11;
/// Device can receive TSOv6.
pub const F_HOST_TSO6: u32 = 12;
/// Device can receive TSO with ECN.
pub const F_HOST_ECN: u32 = 13;
/// Device can receive UFO.
pub const F_HOST_UFO: u32 = 14;
/// Driver can merge receive buffers.
pub const F_MRG_RXBUF: u32 = 15;
/// Config space has a link status field.
pub const F_STATUS: u32 = 16;
/// Control virtqueue.
pub const F_CTRL_VQ: u32 = 17;
/// Control channel RX mode (promisc, allmulti, ...).
pub const F_CTRL_RX: u32 = 18;
/// Control channel VLAN filtering.
pub const F_CTRL_VLAN: u32 = 19;
/// Driver can send gratuitous packets.
pub const F_GUEST_ANNOUNCE: u32 = 21;
/// Multiqueue with automatic receive steering.
pub const F_MQ: u32 = 22;
/// MAC address set through the control channel.
pub const F_CTRL_MAC_ADDR: u32 = 23;
/// Compliance with virtio 1.0 and later.
pub const F_VERSION_1: u32 = 32;
/// Device accesses memory through a platform-specific translation (IOTLB).
pub const F_ACCESS_PLATFORM: u32 = 33;
/// Packed virtqueue layout.
pub const F_RING_PACKED: u32 = 34;
/// Buffers are used in the order they were made available.
pub const F_IN_ORDER: u32 = 35;

/// The 64-bit mask of one feature bit.
pub const fn bit(f: u32) -> u64 {
    1u64 << f
}

/// Features the DPAA-backed virtio-net device offers.
///
/// Split ring only, with indirect descriptor tables and event indices
/// (`crate::vring`); no checksum or segmentation offloads yet (the FMan has
/// checksum offload, which a later change models). VERSION_1 and
/// ACCESS_PLATFORM are mandatory: every ring and buffer access is translated
/// through the device's own address space.
pub const DEVICE_FEATURES: u64 = bit(F_VERSION_1)
    | bit(crate::vring::F_INDIRECT_DESC)
    | bit(crate::vring::F_EVENT_IDX)
    | bit(F_ACCESS_PLATFORM)
    | bit(F_MAC)
    | bit(F_MTU)
    | bit(F_STATUS)
    | bit(F_MRG_RXBUF)
    | bit(F_CTRL_VQ)
    | bit(F_CTRL_RX)
    | bit(F_MQ)
    | bit(F_CTRL_MAC_ADDR);

/// Features a device offer must not lack.
pub const MANDATORY_FEATURES: u64 = bit(F_VERSION_1) | bit(F_ACCESS_PLATFORM);

/// "Feature A requires feature B" (virtio 1.2, §5.1.3.1).
pub const DEPENDENCIES: &[(u32, u32)] = &[
    (F_GUEST_TSO4, F_GUEST_CSUM),
    (F_GUEST_TSO6, F_GUEST_CSUM),
    (F_GUEST_ECN, F_GUEST_TSO4),
    (F_GUEST_UFO, F_GUEST_CSUM),
    (F_HOST_TSO4, F_CSUM),
    (F_HOST_TSO6, F_CSUM),
    (F_HOST_ECN, F_HOST_TSO4),
    (F_HOST_UFO, F_CSUM),
    (F_CTRL_RX, F_CTRL_VQ),
    (F_CTRL_VLAN, F_CTRL_VQ),
    (F_GUEST_ANNOUNCE, F_CTRL_VQ),
    (F_MQ, F_CTRL_VQ),
    (F_CTRL_MAC_ADDR, F_CTRL_VQ),
];

/// Why a requested feature set cannot be offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeatureError {
    /// Bits the device does not support.
    Unsupported(u64),
    /// Mandatory bits that are missing.
    MissingMandatory(u64),
    /// Feature `.0` is requested without feature `.1` it depends on.
    MissingDependency(u32, u32),
}

/// Checks a feature set a user asked for (`vdpa dev add ... device_features`)
/// against what the device supports and the spec's dependency rules, and
/// returns it as the device's offer.
pub fn validate_offer(requested: u64, supported: u64) -> Result<u64, FeatureError> {
    let unsupported = requested & !supported;
    if unsupported != 0 {
        return Err(FeatureError::Unsupported(unsupported));
    }
    let missing = MANDATORY_FEATURES & !requested;
    if missing != 0 {
        return Err(FeatureError::MissingMandatory(missing));
    }
    for &(f, needs) in DEPENDENCIES {
        if requested & bit(f) != 0 && requested & bit(needs) == 0 {
            return Err(FeatureError::MissingDependency(f, needs));
        }
    }
    Ok(requested)
}

/// Number of virtqueues of a device with `max_vqp` queue pairs and a control
/// queue: an RX and a TX queue per pair, then the CVQ.
pub const fn max_vqs(max_vqp: u16) -> u32 {
    2 * max_vqp as u32 + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_features_are_a_valid_offer() {
        assert_eq!(
            validate_offer(DEVICE_FEATURES, DEVICE_FEATURES),
            Ok(DEVICE_FEATURES)
        );
    }

    #[test]
    fn every_dependency_of_the_offer_is_offered() {
        for &(f, needs) in DEPENDENCIES {
            if DEVICE_FEATURES & bit(f) != 0 {
                assert_ne!(DEVICE_FEATURES & bit(needs), 0, "feature {f} needs {needs}");
            }
        }
    }

    #[test]
    fn minimal_offer_is_the_mandatory_set() {
        assert_eq!(
            validate_offer(MANDATORY_FEATURES, DEVICE_FEATURES),
            Ok(MANDATORY_FEATURES)
        );
    }

    #[test]
    fn unsupported_bits_are_named() {
        let req = DEVICE_FEATURES | bit(F_HOST_TSO4) | bit(F_CSUM);
        assert_eq!(
            validate_offer(req, DEVICE_FEATURES),
            Err(FeatureError::Unsupported(bit(F_HOST_TSO4) | bit(F_CSUM)))
        );
    }

    #[test]
    fn mandatory_bits_are_required() {
        let req = DEVICE_FEATURES & !bit(F_ACCESS_PLATFORM);
        assert_eq!(
            validate_offer(req, DEVICE_FEATURES),
            Err(FeatureError::MissingMandatory(bit(F_ACCESS_PLATFORM)))
        );
    }

    #[test]
    fn each_dependency_is_enforced() {
        let all = u64::MAX;
        for &(f, needs) in DEPENDENCIES {
            let req = MANDATORY_FEATURES | bit(f);
            assert_eq!(
                validate_offer(req, all),
                Err(FeatureError::MissingDependency(f, needs)),
                "feature {f}"
            );
            // With the dependency (and its own dependencies) present it passes.
            let mut closed = req | bit(needs);
            for &(g, n) in DEPENDENCIES {
                if closed & bit(g) != 0 {
                    closed |= bit(n);
                }
            }
            assert_eq!(validate_offer(closed, all), Ok(closed), "feature {f}");
        }
    }

    #[test]
    fn vq_count() {
        assert_eq!(max_vqs(1), 3);
        assert_eq!(max_vqs(8), 17);
        assert_eq!(max_vqs(u16::MAX), 131_071);
    }
}
