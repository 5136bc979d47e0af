//! A region's address space under a running cluster. The AKS subnet is the first half of
//! `vnet_cidr` ([`crate::layout::subnet_cidr`]), and its nodes hold addresses in it: Azure refuses to
//! change the address prefix of a subnet with active allocations (400 `InUsePrefixCannotBeDeleted`),
//! so a new `vnet_cidr` that moves that subnet stops at plan, with the way that works. Likewise a
//! private API server asked for on a cluster made public: AKS fixes it at create, and the plan says so.

use super::{AttributePath, Diagnostic};
use crate::model::Topology;

/// An error for each region whose new `vnet_cidr` would move the AKS subnet of a cluster that
/// exists. `in_use(region)` is the AKS subnet's current prefix where the region's cluster exists (as
/// ARM reports it, or as the caller's state remembers it); `None` where there is no cluster, which
/// leaves the region free to renumber (a cold region; its peerings follow the new space).
pub fn renumbering_findings(
    topology: &Topology,
    in_use: impl Fn(&str) -> Option<String>,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for region in &topology.regions {
        let Some(current) = in_use(&region.name) else {
            continue;
        };
        if region.vnet_cidr.parse::<ipnet::Ipv4Net>().is_err() {
            continue; // its own error says why
        }
        let wanted = crate::layout::subnet_cidr(&region.vnet_cidr);
        if wanted == current {
            continue;
        }
        out.push(Diagnostic::error(
            AttributePath::region(&region.name, Some("vnet_cidr")),
            "VNet address space cannot change under a running cluster",
            format!(
                "\"{}\" would move the AKS subnet from {current} to {wanted}, but the cluster's nodes have their addresses in {current}, and Azure refuses to change the address prefix of a subnet in use (InUsePrefixCannotBeDeleted); to renumber \"{}\", set mode = \"cold\" and apply (its cluster is deleted), then change vnet_cidr and apply, then set the mode back",
                region.vnet_cidr, region.name
            ),
        ));
    }
    out
}

/// One warning naming the regions whose cluster exists with a public API server while the topology
/// asks for private ones (`access.private_cluster`): AKS fixes that when it makes a cluster, so the
/// plan leaves them, and says how each region gets there. `private(region)` is whether the region's
/// cluster has a private API server, `None` where it has no cluster.
pub fn private_cluster_findings(
    topology: &Topology,
    private: impl Fn(&str) -> Option<bool>,
) -> Vec<Diagnostic> {
    if !topology.access.private_cluster {
        return Vec::new();
    }
    let public: Vec<String> = topology
        .sorted_regions()
        .into_iter()
        .filter(|r| private(&r.name) == Some(false))
        .map(|r| format!("\"{}\"", r.name))
        .collect();
    if public.is_empty() {
        return Vec::new();
    }
    vec![Diagnostic::warning(
        AttributePath::attr("private_cluster"),
        "Existing clusters keep their public API servers",
        format!(
            "the clusters of {} were made with public API servers, and AKS cannot make one private in place: this plan leaves them as they are. A region's cluster becomes private when it is made anew: move traffic off the region, set its mode = \"cold\" and apply, then set the mode back and apply; one region at a time",
            public.join(", ")
        ),
    )]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Region;

    fn pair(east: &str) -> Topology {
        Topology::new("shop")
            .region(Region::new("eastus", east))
            .region(Region::new("westus", "10.2.0.0/16"))
    }

    fn running(region: &str) -> Option<String> {
        match region {
            "eastus" => Some("10.1.0.0/17".into()),
            _ => None,
        }
    }

    #[test]
    fn the_same_space_is_no_finding() {
        assert!(renumbering_findings(&pair("10.1.0.0/16"), running).is_empty());
    }

    #[test]
    fn a_space_that_moves_a_clusters_subnet_stops_at_vnet_cidr() {
        for cidr in ["10.9.0.0/16", "10.1.0.0/15", "10.1.0.0/17"] {
            let d = renumbering_findings(&pair(cidr), running);
            assert_eq!(d.len(), 1, "{cidr}: {d:?}");
            assert_eq!(d[0].severity, super::super::Severity::Error);
            assert_eq!(d[0].path.to_string(), "region[\"eastus\"].vnet_cidr");
            assert!(
                d[0].detail.contains(&format!(
                    "\"{cidr}\" would move the AKS subnet from 10.1.0.0/17 to {}",
                    crate::layout::subnet_cidr(cidr)
                )),
                "{}",
                d[0]
            );
            assert!(
                d[0].detail.contains("set mode = \"cold\" and apply"),
                "{}",
                d[0]
            );
        }
    }

    #[test]
    fn a_region_without_a_cluster_renumbers_freely() {
        let mut t = pair("10.1.0.0/16");
        t.regions[1].vnet_cidr = "10.20.0.0/16".into();
        assert!(renumbering_findings(&t, running).is_empty());
    }

    #[test]
    fn a_cidr_that_does_not_parse_is_left_to_its_own_error() {
        assert!(renumbering_findings(&pair("banana"), running).is_empty());
    }

    #[test]
    fn a_public_cluster_under_private_cluster_is_warned_with_the_way_there() {
        let mut t = pair("10.1.0.0/16");
        assert!(
            private_cluster_findings(&t, |_| Some(false)).is_empty(),
            "not asked"
        );
        t.access.private_cluster = true;
        let found = private_cluster_findings(&t, |r| match r {
            "eastus" => Some(false),
            "westus" => Some(true),
            _ => None,
        });
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].severity, super::super::Severity::Warning);
        assert_eq!(found[0].path.to_string(), "private_cluster");
        assert!(
            found[0].detail.contains("clusters of \"eastus\" were"),
            "{found:?}"
        );
        assert!(found[0].detail.contains("mode = \"cold\""), "{found:?}");
    }
}
