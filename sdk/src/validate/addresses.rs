//! What a region's address space must leave to its cluster, checked offline. Clusters run Azure CNI:
//! every node takes an address in the AKS subnet for itself and one for each pod it may run, reserved
//! when the node is made (AKS refuses a cluster or pool that would not fit: 400
//! `InsufficientSubnetSize`, counting an autoscaled pool at its maximum), and an upgrade adds surge
//! nodes. A running cluster that would not fit is an error; a standby that would not fit at its
//! failover size (a warm region scaled up, a cold region's cluster) is a warning, as the quota check
//! is, since it runs today. Kubernetes services take addresses from the clusters' service CIDR, which no VNet of the
//! topology may overlap: AKS refuses it in the cluster's own VNet, and across a peering pods would
//! reach the service range instead of the other region.

use super::{AttributePath, Diagnostic};
use crate::layout::{MAX_PODS, SERVICE_CIDR, subnet_cidr};
use crate::model::{Region, Topology};
use ipnet::Ipv4Net;

/// Addresses Azure keeps in every subnet (network, broadcast and three of its own).
const AZURE_RESERVED: u64 = 5;

/// Addresses one node takes: its own and one per pod.
const PER_NODE: u64 = MAX_PODS as u64 + 1;

/// The nodes a pool may reach: its autoscaler maximum, else its count.
fn most_nodes(count: u32, autoscale: Option<crate::model::Autoscale>) -> u64 {
    u64::from(autoscale.map_or(count, |a| a.max.max(count)))
}

/// Surge nodes an upgrade adds to a pool of `nodes`: AKS's default, 10% rounded up (at least 1).
fn surge(nodes: u64) -> u64 {
    nodes.div_ceil(10).max(1)
}

/// Usable addresses of a subnet.
fn usable(subnet: &Ipv4Net) -> u64 {
    (1u64 << (32 - u32::from(subnet.prefix_len()))).saturating_sub(AZURE_RESERVED)
}

/// The largest VNet prefix (the smallest VNet) whose AKS subnet holds `needed` addresses.
fn prefix_for(needed: u64) -> u8 {
    (8..=24)
        .rev()
        .find(|p: &u8| (1u64 << (31 - u32::from(*p))).saturating_sub(AZURE_RESERVED) >= needed)
        .unwrap_or(8)
}

/// The service CIDR overlap and the subnet's room for `region`'s nodes, in `net` (its parsed
/// `vnet_cidr`). A warm region is counted at the size a failover scales it to (`warm_target`).
pub(super) fn check(topology: &Topology, region: &Region, net: Ipv4Net, out: &mut Vec<Diagnostic>) {
    let path = || AttributePath::region(&region.name, Some("vnet_cidr"));
    if let Ok(services) = SERVICE_CIDR.parse::<Ipv4Net>()
        && (services.contains(&net.network()) || net.contains(&services.network()))
    {
        out.push(Diagnostic::error(
            path(),
            "Address space overlaps the Kubernetes service range",
            format!(
                "the VNet's address space {} {} the Kubernetes service range {SERVICE_CIDR}, which every cluster of the topology gives its services: AKS refuses a cluster whose VNet overlaps it, and pods in other regions would reach their own services instead of this region across the peering; choose a vnet_cidr outside {SERVICE_CIDR} (in 10.0.0.0/8, say)",
                region.vnet_cidr,
                if net == services {
                    "is"
                } else if services.contains(&net.network()) {
                    "lies inside"
                } else {
                    "contains"
                },
            ),
        ));
    }
    let Ok(subnet) = subnet_cidr(&region.vnet_cidr).parse::<Ipv4Net>() else {
        return;
    };
    let c = &region.cluster;
    let mut pools = vec![most_nodes(c.node_count, c.autoscale)];
    pools.extend(
        c.user_pools
            .iter()
            .map(|p| most_nodes(p.node_count, p.autoscale)),
    );
    if pools.iter().any(|n| *n > 1000) {
        return; // a pool over AKS's 1000 nodes is an error of its own
    }
    let room = usable(&subnet);
    let needs = |pools: &[u64]| pools.iter().sum::<u64>() * PER_NODE;
    let upgraded = |pools: &[u64]| pools.iter().map(|n| n + surge(*n)).sum::<u64>() * PER_NODE;
    // What a failover makes there: a cold region's whole cluster, a warm one's system pool scaled
    // up to the hot regions' count.
    let mut at_failover = pools.clone();
    if let Some(target) = super::capacity::warm_target(topology, region) {
        at_failover[0] = at_failover[0].max(u64::from(target));
    }
    let nodes = |pools: &[u64]| pools.iter().sum::<u64>();
    let bigger = |pools: &[u64]| prefix_for(upgraded(pools));
    let cidr = &region.vnet_cidr;
    if region.mode.has_cluster() && needs(&pools) > room {
        out.push(Diagnostic::error(
            path(),
            "AKS subnet too small for the cluster",
            format!(
                "the AKS subnet {subnet} (the first half of {cidr}) has {room} usable addresses, but the cluster's pools may reach {} nodes, and Azure CNI reserves {PER_NODE} addresses per node (itself and {MAX_PODS} pods): {}, so AKS would refuse the cluster (InsufficientSubnetSize); use a /{} VNet or larger",
                nodes(&pools),
                needs(&pools),
                bigger(&pools)
            ),
        ));
    } else if needs(&at_failover) > room {
        out.push(Diagnostic::warning(
            path(),
            "AKS subnet too small for a failover",
            format!(
                "a failover to {} makes its cluster reach {} nodes, and Azure CNI reserves {PER_NODE} addresses per node (itself and {MAX_PODS} pods): {}, more than the {room} usable in its AKS subnet {subnet} (the first half of {cidr}), so AKS would refuse it during the outage (InsufficientSubnetSize); use a /{} VNet or larger",
                region.name,
                nodes(&at_failover),
                needs(&at_failover),
                bigger(&at_failover)
            ),
        ));
    } else if upgraded(&at_failover) > room {
        out.push(Diagnostic::warning(
            path(),
            "No room to upgrade the cluster",
            format!(
                "the AKS subnet {subnet} has {room} usable addresses: enough for the cluster's {} nodes ({}), but an upgrade adds surge nodes and needs {}, so AKS would refuse upgrades and node image updates (InsufficientSubnetSize); use a /{} VNet or larger",
                nodes(&at_failover),
                needs(&at_failover),
                upgraded(&at_failover),
                bigger(&at_failover)
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Severity, validate};
    use crate::model::{Autoscale, NodePool, Region, RegionMode, Topology};

    fn pair(east: &str) -> Topology {
        Topology::new("shop")
            .region(Region::new("eastus", east))
            .region(Region::new("westus", "10.2.0.0/16"))
    }

    fn at_cidr(t: &Topology) -> Vec<super::super::Diagnostic> {
        validate(t)
            .into_iter()
            .filter(|d| d.path.to_string() == "region[\"eastus\"].vnet_cidr")
            .collect()
    }

    #[test]
    fn a_vnet_over_the_service_range_is_refused() {
        let d = at_cidr(&pair("172.16.0.0/16"));
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].severity, Severity::Error);
        assert!(
            d[0].detail
                .contains("the VNet's address space 172.16.0.0/16 is the Kubernetes service range 172.16.0.0/16"),
            "{}",
            d[0]
        );
        assert_eq!(at_cidr(&pair("172.16.128.0/20")).len(), 1, "inside it");
        assert_eq!(at_cidr(&pair("172.0.0.0/8")).len(), 1, "around it");
        assert!(at_cidr(&pair("172.17.0.0/16")).is_empty());
    }

    #[test]
    fn three_nodes_fit_a_24_but_not_their_upgrade() {
        // A /24 VNet: a /25 subnet, 123 usable; 3 nodes take 93, with a surge node 124.
        let d = at_cidr(&pair("10.1.0.0/24"));
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].severity, Severity::Warning);
        assert!(
            d[0].detail.contains("10.1.0.0/25 has 123 usable addresses: enough for the cluster's 3 nodes (93), but an upgrade adds surge nodes and needs 124"),
            "{}",
            d[0]
        );
        assert!(d[0].detail.contains("use a /23 VNet or larger"), "{}", d[0]);
        assert!(at_cidr(&pair("10.1.0.0/23")).is_empty());
    }

    #[test]
    fn pools_that_may_outgrow_the_subnet_are_refused_counting_the_autoscaler_maximum() {
        let mut t = pair("10.1.0.0/22");
        t.regions[0].cluster.user_pools.push(NodePool {
            autoscale: Some(Autoscale { min: 1, max: 20 }),
            ..NodePool::new("apps", "Standard_D8ds_v5", 2)
        });
        // A /23 subnet: 507 usable; 3 + 20 nodes take 713.
        let d = at_cidr(&t);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].severity, Severity::Error);
        assert!(
            d[0].detail.contains("may reach 23 nodes") && d[0].detail.contains(": 713,"),
            "{}",
            d[0]
        );
        assert!(d[0].detail.contains("use a /21 VNet or larger"), "{}", d[0]);
    }

    #[test]
    fn a_standby_is_counted_at_its_failover_size_with_a_warning() {
        let mut t = pair("10.1.0.0/16");
        t.regions[0].cluster.node_count = 10;
        t.regions[1].vnet_cidr = "10.2.0.0/23".into();
        t.regions[1].mode = RegionMode::Warm;
        t.regions[1].cluster.node_count = 1;
        // westus: a /24 subnet, 251 usable; at failover 10 nodes take 310.
        let d: Vec<_> = validate(&t)
            .into_iter()
            .filter(|d| d.path.to_string() == "region[\"westus\"].vnet_cidr")
            .collect();
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(
            (d[0].severity, d[0].summary.as_str()),
            (Severity::Warning, "AKS subnet too small for a failover"),
            "it runs today; the failover's scale-up would be refused"
        );
        assert!(
            d[0].detail
                .contains("a failover to westus makes its cluster reach 10 nodes"),
            "{}",
            d[0]
        );
        // A cold region: its whole cluster, made at failover.
        t.regions[1].mode = RegionMode::Cold;
        t.regions[1].cluster.node_count = 10;
        let d: Vec<_> = validate(&t)
            .into_iter()
            .filter(|d| d.path.to_string() == "region[\"westus\"].vnet_cidr")
            .collect();
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].summary, "AKS subnet too small for a failover");
    }
}
