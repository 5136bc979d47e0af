//! Readiness of a topology against Microsoft's AKS BC/DR guidance: pure checks of the model, so a plan
//! can show them before anything is built. Each finding says what the guidance asks and what to do.

use crate::model::{RegionMode, RoutingMethod, Topology};
use crate::regions;
use serde::{Deserialize, Serialize};
use std::fmt;

mod access;
mod network;
mod state;

/// How a topology fares on one check against the guidance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Level {
    /// Meets the guidance.
    Pass,
    /// Falls short of the guidance in a way the topology can live with; the detail says what to do.
    Warn,
    /// Misses what the guidance requires for BC/DR (no global routing, say); the detail says what to add.
    Fail,
}

/// One check's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The check's name (`global-routing`, `application-state`, ...).
    pub check: &'static str,
    /// How the topology fares.
    pub level: Level,
    /// What the guidance asks and what to do.
    pub detail: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.level {
            Level::Pass => "PASS",
            Level::Warn => "WARN",
            Level::Fail => "FAIL",
        };
        write!(f, "{level} {}: {}", self.check, self.detail)
    }
}

fn finding(check: &'static str, level: Level, detail: impl Into<String>) -> Finding {
    Finding {
        check,
        level,
        detail: detail.into(),
    }
}

/// Every check, in a fixed order.
pub fn report(t: &Topology) -> Vec<Finding> {
    let mut out = vec![
        paired(t),
        primary(t),
        routing(t),
        global_group(t),
        failback(t),
        registry(t),
        network::registry_network(t),
        backup(t),
        state::state(t),
        cold_start(t),
        warm_capacity(t),
        versions(t),
        api_server_sla(t),
        zone_redundancy(t),
        access::local_accounts(t),
        access::network_policy(t),
        access::api_server(t),
    ];
    out.extend(state::database(t));
    out
}

fn paired(t: &Topology) -> Finding {
    let unpaired: Vec<&str> = t
        .regions
        .iter()
        .filter(|r| {
            !t.regions
                .iter()
                .any(|o| o.name != r.name && regions::paired(&r.name, &o.name))
        })
        .map(|r| r.name.as_str())
        .collect();
    if unpaired.is_empty() {
        finding(
            "paired-regions",
            Level::Pass,
            "every region's Azure pair is in the topology: platform updates are sequenced and recovery prioritised across each pair",
        )
    } else {
        // A missing pair that only subscriptions granted access may use (an in-country pair).
        let restricted: Vec<String> = unpaired
            .iter()
            .flat_map(|r| {
                regions::restricted_pairs(r)
                    .into_iter()
                    .map(move |p| format!("{p} (the pair of {r})"))
            })
            .collect();
        let access = if restricted.is_empty() {
            String::new()
        } else {
            format!(
                "; {} access-restricted: request access for the subscription, then add it",
                restricted.join(", ") + if restricted.len() == 1 { " is" } else { " are" }
            )
        };
        finding(
            "paired-regions",
            Level::Warn,
            format!(
                "{} without its Azure pair: prefer paired regions (see the bcdr_regions data source){access}",
                unpaired.join(", ")
            ),
        )
    }
}

fn primary(t: &Topology) -> Finding {
    const CHECK: &str = "primary-region";
    let Some(primary) = t.primary() else {
        return finding(
            CHECK,
            Level::Pass,
            "no primary region: the regions are peers; mark one role = \"primary\" to say where the topology runs from in normal times",
        );
    };
    let name = primary.name.as_str();
    if primary.mode != RegionMode::Hot {
        return finding(
            CHECK,
            Level::Warn,
            format!(
                "the primary region {name} serves no traffic ({}): failed over? failing back is making it hot again",
                primary.mode.as_str()
            ),
        );
    }
    match t
        .regions
        .iter()
        .find(|r| r.name != name && regions::paired(name, &r.name))
    {
        Some(pair) => finding(
            CHECK,
            Level::Pass,
            format!(
                "{name} is primary and recovers into its Azure pair {}",
                pair.name
            ),
        ),
        None => finding(
            CHECK,
            Level::Warn,
            format!(
                "the primary region {name} has no Azure pair in the topology: the guidance recovers a region into its pair"
            ),
        ),
    }
}

fn routing(t: &Topology) -> Finding {
    if let Some(fd) = &t.front_door {
        let tier = if fd.premium { "Premium" } else { "Standard" };
        let waf = if fd.waf.is_some() {
            ", behind a WAF"
        } else {
            ""
        };
        return finding(
            "global-routing",
            Level::Pass,
            format!("Front Door {tier} with an origin per region's ingress IP{waf}"),
        );
    }
    match &t.traffic_manager {
        Some(tm) => finding(
            "global-routing",
            Level::Pass,
            format!(
                "Traffic Manager ({}) in front of every region's ingress IP",
                tm.routing_method.as_str()
            ),
        ),
        None => finding(
            "global-routing",
            Level::Fail,
            "no global routing: clients cannot be moved to another region; add a traffic_manager or front_door block",
        ),
    }
}

/// Azure keeps a resource group's metadata in the group's region and may refuse writes to its
/// resources while that region is down (learn.microsoft.com, Azure Resource Manager overview,
/// "Resource group location"): the group holding the routing profile must not share a region with
/// the clusters, or losing that region blocks the failover away from it.
fn global_group(t: &Topology) -> Finding {
    const CHECK: &str = "global-group-region";
    let Some(group) = crate::layout::global_group_location(t) else {
        return finding(CHECK, Level::Pass, "no regions yet");
    };
    if t.regions
        .iter()
        .any(|r| r.name.eq_ignore_ascii_case(&group))
    {
        finding(
            CHECK,
            Level::Warn,
            format!(
                "the global resource group is in {group}, one of the topology's regions: while {group} is down Azure may refuse writes to the routing profile, so a failover away from {group} could not move traffic; move the group's resources to a group outside the topology's regions (see the disaster-recovery guide)"
            ),
        )
    } else {
        finding(
            CHECK,
            Level::Pass,
            format!(
                "the global resource group is in {group}, outside the topology's regions: losing any one of them leaves the routing profile writable"
            ),
        )
    }
}

fn failback(t: &Topology) -> Finding {
    let standby = t.regions.iter().any(|r| r.mode != RegionMode::Hot);
    if t.front_door.is_some() {
        return finding(
            "controlled-failback",
            Level::Pass,
            "standby origins are disabled and stay so until their mode changes: failover and failback happen on request",
        );
    }
    match &t.traffic_manager {
        Some(tm) if tm.routing_method == RoutingMethod::Priority && !standby => finding(
            "controlled-failback",
            Level::Warn,
            "every region is hot under Priority routing: Traffic Manager fails back to priority 1 the moment its probe passes; make the standby warm so failback happens only when you change modes",
        ),
        Some(_) => finding(
            "controlled-failback",
            Level::Pass,
            "standby endpoints are disabled and stay so until their mode changes: failover and failback happen on request",
        ),
        None => finding(
            "controlled-failback",
            Level::Warn,
            "without global routing there is nothing to fail over",
        ),
    }
}

fn registry(t: &Topology) -> Finding {
    if t.registry.is_some() {
        finding(
            "registry-replication",
            Level::Pass,
            "a Premium registry replicated into every region: image pulls survive a regional outage",
        )
    } else {
        finding(
            "registry-replication",
            Level::Warn,
            "no geo-replicated registry: if the registry's region fails, no cluster can pull images; add a registry block",
        )
    }
}

fn backup(t: &Topology) -> Finding {
    match &t.backup {
        Some(b) if b.redundancy.readable_secondary() => finding(
            "backup-storage",
            Level::Pass,
            format!(
                "{} storage with a container per cluster: backups survive the loss of the home region and can be restored from its pair's copy while it is down",
                b.redundancy.as_str()
            ),
        ),
        Some(b) => finding(
            "backup-storage",
            Level::Warn,
            format!(
                "{} storage: the copy in the home region's pair can be read only after a storage account failover (started by you, taking time, losing the writes not yet replicated), so restores wait for it; RA-{} reads it at once",
                b.redundancy.as_str(),
                b.redundancy.as_str()
            ),
        ),
        None => finding(
            "backup-storage",
            Level::Warn,
            "no geo-redundant backup storage: back up cluster state (e.g. with Velero) to storage in another region; add a backup block",
        ),
    }
}

fn cold_start(t: &Topology) -> Finding {
    let cold: Vec<&str> = t
        .regions
        .iter()
        .filter(|r| r.mode == RegionMode::Cold)
        .map(|r| r.name.as_str())
        .collect();
    if cold.is_empty() {
        finding(
            "recovery-time",
            Level::Pass,
            "every region runs a cluster: failover only moves traffic",
        )
    } else {
        finding(
            "recovery-time",
            Level::Warn,
            format!(
                "{} cold: its cluster is created on failover, so recovery takes the time of an AKS create (tens of minutes)",
                cold.join(", ")
            ),
        )
    }
}

fn warm_capacity(t: &Topology) -> Finding {
    let hot = t.largest_hot_node_count();
    let small: Vec<String> = t
        .regions
        .iter()
        .filter(|r| r.mode == RegionMode::Warm && r.cluster.node_count < hot)
        .map(|r| format!("{} ({} of {hot} nodes)", r.name, r.cluster.node_count))
        .collect();
    if small.is_empty() {
        finding(
            "standby-capacity",
            Level::Pass,
            "standby clusters can take the hot regions' load as they are",
        )
    } else {
        finding(
            "standby-capacity",
            Level::Warn,
            format!(
                "{}: scale up (node_count) when failing over, or enable the cluster autoscaler",
                small.join(", ")
            ),
        )
    }
}

/// Every region counts, a cold one too: its cluster is made at failover, with the tier it has here.
fn api_server_sla(t: &Topology) -> Finding {
    let free: Vec<&str> = t
        .regions
        .iter()
        .filter(|r| !r.cluster.tier.has_sla())
        .map(|r| r.name.as_str())
        .collect();
    if free.is_empty() {
        finding(
            "api-server-sla",
            Level::Pass,
            "every cluster's API server has an uptime SLA (Standard or Premium tier)",
        )
    } else {
        finding(
            "api-server-sla",
            Level::Warn,
            format!(
                "{} on the Free tier: no uptime SLA for the API server that a failover goes through, and Microsoft does not recommend it for production; use the Standard tier",
                free.join(", ")
            ),
        )
    }
}

/// Pools on fewer than two zones, in regions that have zones (a cold region's cluster counts: it is
/// made at failover as the model says).
fn zone_redundancy(t: &Topology) -> Finding {
    let mut single: Vec<String> = Vec::new();
    for r in t
        .regions
        .iter()
        .filter(|r| crate::validate::has_zones(&r.name))
    {
        let c = &r.cluster;
        let pools: Vec<&str> = std::iter::once(("system", &c.zones))
            .chain(c.user_pools.iter().map(|p| (p.name.as_str(), &p.zones)))
            .filter(|(_, zones)| zones.len() < 2)
            .map(|(name, _)| name)
            .collect();
        if !pools.is_empty() {
            single.push(format!("{} ({})", r.name, pools.join(", ")));
        }
    }
    if single.is_empty() {
        finding(
            "zone-redundancy",
            Level::Pass,
            "every pool spreads over availability zones where its region has them: a zone outage is not a failover",
        )
    } else {
        finding(
            "zone-redundancy",
            Level::Warn,
            format!(
                "{}: not spread over availability zones, so one zone's outage can take the pool down and force a regional failover; set availability_zones = [\"1\", \"2\", \"3\"] (fixed once a pool exists: a new pool, or a cold region, takes it)",
                single.join(", ")
            ),
        )
    }
}

fn versions(t: &Topology) -> Finding {
    let mut seen: Vec<String> = t
        .regions
        .iter()
        .filter(|r| r.mode.has_cluster())
        .map(|r| {
            r.cluster
                .kubernetes_version
                .clone()
                .unwrap_or_else(|| "AKS default".into())
        })
        .collect();
    seen.sort();
    seen.dedup();
    if seen.len() <= 1 {
        finding(
            "consistent-versions",
            Level::Pass,
            "every cluster runs the same Kubernetes version: workloads behave the same after failover",
        )
    } else {
        finding(
            "consistent-versions",
            Level::Warn,
            format!(
                "clusters run different Kubernetes versions ({}): upgrade regions one at a time, then align",
                seen.join(", ")
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ClusterSettings, Region, Registry, TrafficManager};

    fn level(t: &Topology, check: &str) -> Level {
        report(t)
            .into_iter()
            .find(|f| f.check == check)
            .map(|f| f.level)
            .expect("check")
    }

    fn good() -> Topology {
        Topology::new("shop")
            .region(
                Region::new("eastus", "10.1.0.0/16")
                    .with_cluster(ClusterSettings::default().zones(["1", "2", "3"])),
            )
            .region(Region::new("westus", "10.2.0.0/16").mode(RegionMode::Warm))
            .traffic_manager(TrafficManager::new(RoutingMethod::Priority))
            .registry(Registry::default())
            .backup(crate::model::Backup::default())
    }

    #[test]
    fn a_guidance_topology_passes_but_for_its_small_standby() {
        let t = good();
        for f in report(&t) {
            assert_eq!(f.level, Level::Pass, "{f}");
        }
        let mut t = t;
        t.regions[1].cluster = ClusterSettings::default().node_count(1);
        assert_eq!(level(&t, "standby-capacity"), Level::Warn);
    }

    #[test]
    fn front_door_counts_as_global_routing() {
        let mut t = good();
        t.traffic_manager = None;
        t.front_door = Some(crate::model::FrontDoor::default());
        let routing = report(&t)
            .into_iter()
            .find(|f| f.check == "global-routing")
            .expect("check");
        assert_eq!(routing.level, Level::Pass, "{routing}");
        assert!(routing.detail.contains("Front Door Standard"), "{routing}");
        assert_eq!(level(&t, "controlled-failback"), Level::Pass);
    }

    #[test]
    fn each_check_flags_its_problem() {
        let mut t = good();
        t.traffic_manager = None;
        assert_eq!(level(&t, "global-routing"), Level::Fail);
        assert_eq!(level(&good(), "global-group-region"), Level::Pass);
        let inside = good().global_group_region(good().regions[0].name.clone());
        assert_eq!(level(&inside, "global-group-region"), Level::Warn);
        let mut t = good();
        t.regions[1].mode = RegionMode::Hot;
        assert_eq!(level(&t, "controlled-failback"), Level::Warn);
        let mut t = good();
        t.registry = None;
        assert_eq!(level(&t, "registry-replication"), Level::Warn);
        let mut t = good();
        t.backup =
            Some(crate::model::Backup::default().redundancy(crate::model::StorageRedundancy::Gzrs));
        assert_eq!(
            level(&t, "backup-storage"),
            Level::Warn,
            "restores would wait for a storage account failover"
        );
        let mut t = good();
        t.regions[1].mode = RegionMode::Cold;
        assert_eq!(level(&t, "recovery-time"), Level::Warn);
        let mut t = good();
        t.regions[1].name = "northeurope".into();
        assert_eq!(level(&t, "paired-regions"), Level::Warn);
        let mut t = good();
        t.regions[0].cluster = ClusterSettings::default().kubernetes_version("1.30");
        assert_eq!(level(&t, "consistent-versions"), Level::Warn);
        let mut t = good();
        t.regions[1].mode = RegionMode::Cold;
        t.regions[1].cluster = ClusterSettings::default().tier(crate::model::ClusterTier::Free);
        let sla = report(&t)
            .into_iter()
            .find(|f| f.check == "api-server-sla")
            .expect("check");
        assert_eq!(sla.level, Level::Warn, "a cold region's cluster counts too");
        assert!(sla.detail.starts_with("westus on the Free tier"), "{sla}");
        t.regions[1].cluster.tier = crate::model::ClusterTier::Premium;
        assert_eq!(level(&t, "api-server-sla"), Level::Pass);
        let mut t = good();
        t.regions[0].cluster = ClusterSettings::default().zones(["1"]).user_pool(
            crate::model::NodePool::new("apps", "Standard_D8ds_v5", 3).zones(["1", "2"]),
        );
        let zones = report(&t)
            .into_iter()
            .find(|f| f.check == "zone-redundancy")
            .expect("check");
        assert_eq!(zones.level, Level::Warn);
        assert!(
            zones.detail.starts_with("eastus (system): not spread"),
            "westus has no zones, apps has two: {zones}"
        );
        use crate::model::{StateLocation, StatefulService};
        let t = good().stateful_service(StatefulService::new(
            "orders-db",
            StateLocation::Managed {
                geo_replicated: true,
            },
        ));
        assert_eq!(level(&t, "application-state"), Level::Pass);
        let mut t = good();
        t.regions[0].role = crate::model::RegionRole::Primary;
        assert_eq!(level(&t, "primary-region"), Level::Pass);
        t.regions[1].name = "northeurope".into();
        assert_eq!(level(&t, "primary-region"), Level::Warn, "no pair");
        let mut t = good();
        t.regions[1].role = crate::model::RegionRole::Primary;
        assert_eq!(
            level(&t, "primary-region"),
            Level::Warn,
            "the primary is warm"
        );
        let t = good().stateful_service(StatefulService::new("redis", StateLocation::InCluster));
        assert_eq!(level(&t, "application-state"), Level::Warn);
        assert!(
            report(&t)
                .iter()
                .any(|f| f.detail.starts_with("redis kept in-cluster"))
        );
    }
}
