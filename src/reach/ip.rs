//! Address sets for `ipBlock` peers: a CIDR minus its `except` CIDRs, IPv4 and IPv6 kept apart.

use std::net::IpAddr;

use k8s_openapi::api::networking::v1::IPBlock;

/// A set of addresses as inclusive ranges; IPv4 addresses live in their own space.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpSet {
    /// (is IPv6, first, last), sorted.
    ranges: Vec<(bool, u128, u128)>,
}

impl IpSet {
    /// Every IPv4 and IPv6 address: "anywhere".
    pub fn anywhere() -> IpSet {
        IpSet {
            ranges: vec![(false, 0, u128::from(u32::MAX)), (true, 0, u128::MAX)],
        }
    }

    /// The addresses an `ipBlock` names; `None` if its CIDR does not parse.
    pub fn of_block(block: &IPBlock) -> Option<IpSet> {
        let whole = cidr(&block.cidr)?;
        let mut ranges = vec![whole];
        for except in block.except.iter().flatten() {
            let Some(cut) = cidr(except) else { continue };
            ranges = ranges.into_iter().flat_map(|r| subtract(r, cut)).collect();
        }
        ranges.sort_unstable();
        Some(IpSet { ranges })
    }

    /// Whether every address of `self` is in `other`.
    pub fn is_subset(&self, other: &IpSet) -> bool {
        self.ranges.iter().all(|&(v6, low, high)| {
            // `other`'s ranges are disjoint, so a covered range lies inside one of them, or is
            // covered by adjacent ones: walk them in order.
            let mut next = low;
            for &(o6, o_low, o_high) in &other.ranges {
                if o6 != v6 || o_high < next || o_low > next {
                    continue;
                }
                if o_high >= high {
                    return true;
                }
                next = o_high + 1;
            }
            false
        })
    }
}

/// `10.0.0.0/8` as a range; host bits set are ignored, as the API server would refuse them.
fn cidr(text: &str) -> Option<(bool, u128, u128)> {
    let (address, bits) = text.split_once('/')?;
    let bits: u32 = bits.parse().ok()?;
    let (v6, value, width) = match address.parse::<IpAddr>().ok()? {
        IpAddr::V4(a) => (false, u128::from(u32::from(a)), 32),
        IpAddr::V6(a) => (true, u128::from(a), 128),
    };
    if bits > width {
        return None;
    }
    let host = width - bits;
    let mask = if host == 128 { u128::MAX } else { (1u128 << host) - 1 };
    Some((v6, value & !mask, (value & !mask) | mask))
}

fn subtract(range: (bool, u128, u128), cut: (bool, u128, u128)) -> Vec<(bool, u128, u128)> {
    let (v6, low, high) = range;
    if cut.0 != v6 || cut.2 < low || cut.1 > high {
        return vec![range];
    }
    let mut out = Vec::new();
    if cut.1 > low {
        out.push((v6, low, cut.1 - 1));
    }
    if cut.2 < high {
        out.push((v6, cut.2 + 1, high));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(cidr: &str, except: &[&str]) -> IpSet {
        IpSet::of_block(&IPBlock {
            cidr: cidr.into(),
            except: Some(except.iter().map(|e| (*e).to_owned()).collect()),
        })
        .unwrap()
    }

    #[test]
    fn except_carves_holes() {
        let outside = block("0.0.0.0/0", &["10.0.0.0/8"]);
        assert!(block("8.8.8.0/24", &[]).is_subset(&outside));
        assert!(!block("10.1.0.0/16", &[]).is_subset(&outside));
        assert!(!block("0.0.0.0/0", &[]).is_subset(&outside));
        assert!(outside.is_subset(&block("0.0.0.0/0", &[])));
        // The same hole on both sides.
        assert!(outside.is_subset(&block("0.0.0.0/0", &["10.0.0.0/8"])));
        assert!(
            !block("fd00::/8", &[]).is_subset(&outside),
            "IPv6 is not in an IPv4 block"
        );
        assert!(block("fd00::/8", &[]).is_subset(&IpSet::anywhere()));
        assert!(!IpSet::anywhere().is_subset(&block("0.0.0.0/0", &[])));
        assert!(
            IpSet::of_block(&IPBlock {
                cidr: "nonsense".into(),
                except: None
            })
            .is_none()
        );
    }
}
