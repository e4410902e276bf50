//! Sets of ports per protocol: what a rule allows, what both ends of a connection allow.
//!
//! A named port is resolved against the destination pod's container ports (by name and
//! protocol). Where the destination is not a pod gen renders, its ports are unknown and the name
//! stays a name.

use std::collections::BTreeSet;
use std::fmt;

use k8s_openapi::api::networking::v1::NetworkPolicyPort;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    Tcp,
    Udp,
    Sctp,
}

impl Protocol {
    pub const ALL: [Protocol; 3] = [Protocol::Tcp, Protocol::Udp, Protocol::Sctp];

    /// `TCP` when absent, as Kubernetes defaults it; `None` for a protocol it does not know.
    pub fn parse(text: Option<&str>) -> Option<Protocol> {
        match text.unwrap_or("TCP") {
            "TCP" => Some(Protocol::Tcp),
            "UDP" => Some(Protocol::Udp),
            "SCTP" => Some(Protocol::Sctp),
            _ => None,
        }
    }

    /// Its place in a [`PortSet`] (the order of [`Protocol::ALL`]).
    fn index(self) -> usize {
        self as usize
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
            Protocol::Sctp => "sctp",
        }
    }
}

/// A port a container declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedPort {
    pub name: Option<String>,
    pub number: i32,
    pub protocol: Protocol,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Ports {
    All,
    /// Inclusive ranges, sorted and merged, and names not resolved to numbers.
    Some {
        ranges: Vec<(i32, i32)>,
        names: BTreeSet<String>,
    },
}

/// Ports per protocol, in the order of [`Protocol::ALL`]; a protocol absent allows nothing.
/// Inline, not a map: every edge of the reachability graph holds one, and a map's node was
/// an allocation of about 600 bytes each (5 MB of a 1,000-service render's peak).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PortSet([Option<Ports>; 3]);

impl PortSet {
    pub fn none() -> Self {
        PortSet::default()
    }

    pub fn all() -> Self {
        PortSet(std::array::from_fn(|_| Some(Ports::All)))
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(Option::is_none)
    }

    /// Each protocol that allows something, with its ports.
    fn protocols(&self) -> impl Iterator<Item = (Protocol, &Ports)> {
        Protocol::ALL
            .into_iter()
            .zip(&self.0)
            .filter_map(|(protocol, ports)| Some((protocol, ports.as_ref()?)))
    }

    fn add_all(&mut self, protocol: Protocol) {
        self.0[protocol.index()] = Some(Ports::All);
    }

    fn add_range(&mut self, protocol: Protocol, low: i32, high: i32) {
        if low > high {
            return;
        }
        match self.0[protocol.index()].get_or_insert_with(Ports::empty) {
            Ports::All => {}
            Ports::Some { ranges, .. } => {
                ranges.push((low, high));
                merge(ranges);
            }
        }
    }

    fn add_name(&mut self, protocol: Protocol, name: &str) {
        if let Ports::Some { names, .. } = self.0[protocol.index()].get_or_insert_with(Ports::empty) {
            names.insert(name.to_owned());
        }
    }

    pub fn union(&mut self, other: &PortSet) {
        for (protocol, ports) in other.protocols() {
            match ports {
                Ports::All => self.add_all(protocol),
                Ports::Some { ranges, names } => {
                    for &(low, high) in ranges {
                        self.add_range(protocol, low, high);
                    }
                    for name in names {
                        self.add_name(protocol, name);
                    }
                }
            }
        }
    }

    /// What both allow. A name meets only the same name or "every port".
    pub fn intersect(&self, other: &PortSet) -> PortSet {
        let mut out = PortSet::none();
        for (protocol, a) in self.protocols() {
            let Some(b) = &other.0[protocol.index()] else { continue };
            match (a, b) {
                (Ports::All, x) | (x, Ports::All) => {
                    out.0[protocol.index()] = Some(x.clone());
                }
                (Ports::Some { ranges: ra, names: na }, Ports::Some { ranges: rb, names: nb }) => {
                    for &(a_low, a_high) in ra {
                        for &(b_low, b_high) in rb {
                            out.add_range(protocol, a_low.max(b_low), a_high.min(b_high));
                        }
                    }
                    for name in na.intersection(nb) {
                        out.add_name(protocol, name);
                    }
                }
            }
        }
        out
    }

    /// Whether `number` is allowed over `protocol`.
    pub fn contains(&self, protocol: Protocol, number: i32) -> bool {
        match &self.0[protocol.index()] {
            Some(Ports::All) => true,
            Some(Ports::Some { ranges, .. }) => ranges.iter().any(|&(l, h)| (l..=h).contains(&number)),
            None => false,
        }
    }

    /// The ports in words, one per item: `tcp/5432`, `tcp/8000-8080`, `tcp/http` (a name not
    /// resolved), `udp/*` (every UDP port), or just `any` when every port of every protocol is.
    pub fn labels(&self) -> Vec<String> {
        if *self == PortSet::all() {
            return vec!["any".to_owned()];
        }
        let mut out = Vec::new();
        for (protocol, ports) in self.protocols() {
            let p = protocol.as_str();
            match ports {
                Ports::All => out.push(format!("{p}/*")),
                Ports::Some { ranges, names } => {
                    for &(low, high) in ranges {
                        if low == high {
                            out.push(format!("{p}/{low}"));
                        } else {
                            out.push(format!("{p}/{low}-{high}"));
                        }
                    }
                    out.extend(names.iter().map(|n| format!("{p}/{n}")));
                }
            }
        }
        out
    }
}

impl fmt::Display for PortSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.labels().join(" "))
    }
}

impl Ports {
    fn empty() -> Ports {
        Ports::Some {
            ranges: Vec::new(),
            names: BTreeSet::new(),
        }
    }
}

fn merge(ranges: &mut Vec<(i32, i32)>) {
    ranges.sort_unstable();
    let mut merged: Vec<(i32, i32)> = Vec::with_capacity(ranges.len());
    for &(low, high) in ranges.iter() {
        match merged.last_mut() {
            Some(last) if low <= last.1.saturating_add(1) => last.1 = last.1.max(high),
            _ => merged.push((low, high)),
        }
    }
    *ranges = merged;
}

/// The ports a rule's `ports` allow towards a destination whose container ports are `known`
/// (`None`: not a pod gen renders). No `ports` (or an empty list) allows every port; a port
/// with only a protocol allows every port of it; `endPort` makes a range; a name resolves to
/// every container port of that name and protocol, and to nothing if the pod has none.
pub fn of_rule(ports: Option<&[NetworkPolicyPort]>, known: Option<&[NamedPort]>) -> PortSet {
    let ports = ports.unwrap_or_default();
    if ports.is_empty() {
        return PortSet::all();
    }
    let mut set = PortSet::none();
    for port in ports {
        let Some(protocol) = Protocol::parse(port.protocol.as_deref()) else {
            continue;
        };
        match (&port.port, known) {
            (None, _) => set.add_all(protocol),
            (Some(IntOrString::Int(number)), _) => {
                set.add_range(protocol, *number, port.end_port.unwrap_or(*number).max(*number));
            }
            (Some(IntOrString::String(name)), Some(known)) => {
                for found in known
                    .iter()
                    .filter(|k| k.protocol == protocol && k.name.as_deref() == Some(name))
                {
                    set.add_range(protocol, found.number, found.number);
                }
            }
            (Some(IntOrString::String(name)), None) => set.add_name(protocol, name),
        }
    }
    set
}

#[cfg(test)]
mod tests {
    use super::*;

    fn port(port: Option<IntOrString>, protocol: Option<&str>, end: Option<i32>) -> NetworkPolicyPort {
        NetworkPolicyPort {
            port,
            protocol: protocol.map(str::to_owned),
            end_port: end,
        }
    }

    #[test]
    fn ranges_protocols_and_names() {
        let known = [NamedPort {
            name: Some("http".into()),
            number: 8000,
            protocol: Protocol::Tcp,
        }];
        let rule = [
            port(Some(IntOrString::Int(5000)), None, Some(5002)),
            port(Some(IntOrString::Int(53)), Some("UDP"), None),
            port(Some(IntOrString::String("http".into())), None, None),
            port(Some(IntOrString::String("http".into())), Some("UDP"), None),
            port(None, Some("SCTP"), None),
        ];
        let set = of_rule(Some(&rule), Some(&known));
        assert_eq!(set.labels(), ["tcp/5000-5002", "tcp/8000", "udp/53", "sctp/*"]);
        assert!(set.contains(Protocol::Tcp, 5001) && !set.contains(Protocol::Udp, 5001));
        let unknown = of_rule(Some(&rule[2..3]), None);
        assert_eq!(unknown.labels(), ["tcp/http"]);
        assert_eq!(of_rule(None, None), PortSet::all());
        assert_eq!(of_rule(Some(&[]), None).labels(), ["any"]);
    }

    #[test]
    fn each_protocol_has_its_own_place_in_the_order_of_all() {
        for (place, protocol) in Protocol::ALL.into_iter().enumerate() {
            assert_eq!(protocol.index(), place, "{protocol:?}");
        }
        assert!(Protocol::ALL.is_sorted(), "labels list protocols in this order");
    }

    #[test]
    fn intersection_and_union() {
        let a = of_rule(Some(&[port(Some(IntOrString::Int(100)), None, Some(200))]), None);
        let b = of_rule(Some(&[port(Some(IntOrString::Int(150)), None, Some(300))]), None);
        assert_eq!(a.intersect(&b).labels(), ["tcp/150-200"]);
        assert_eq!(a.intersect(&PortSet::all()), a);
        let udp = of_rule(Some(&[port(Some(IntOrString::Int(150)), Some("UDP"), None)]), None);
        assert!(a.intersect(&udp).is_empty());
        let mut both = a.clone();
        both.union(&b);
        assert_eq!(both.labels(), ["tcp/100-300"]);
        let name = of_rule(Some(&[port(Some(IntOrString::String("db".into())), None, None)]), None);
        assert!(name.intersect(&a).is_empty());
        assert_eq!(name.intersect(&PortSet::all()).labels(), ["tcp/db"]);
    }
}
