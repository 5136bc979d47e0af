//! Where state lives, against the guidance ("remove service state from inside containers: use a PaaS
//! that supports multiregion replication"): the declared stateful services, a database replica in
//! every region that can become hot, and the managed stateful services bcdr does not manage.

use super::{Finding, Level, finding};
use crate::model::{RegionMode, StateLocation, Topology};

/// The `application-state` check: state kept in-cluster, or managed in one region only.
pub(super) fn state(t: &Topology) -> Finding {
    let in_cluster: Vec<&str> = t
        .stateful_services
        .iter()
        .filter(|s| s.location == StateLocation::InCluster)
        .map(|s| s.name.as_str())
        .collect();
    let single_region: Vec<&str> = t
        .stateful_services
        .iter()
        .filter(|s| {
            s.location
                == StateLocation::Managed {
                    geo_replicated: false,
                }
        })
        .map(|s| s.name.as_str())
        .collect();
    if t.stateful_services.is_empty() {
        finding(
            "application-state",
            Level::Pass,
            "no stateful services declared: the application keeps no state the topology should know of",
        )
    } else if !in_cluster.is_empty() {
        let backed = if t.backup.is_some() {
            "back it up to the backup storage and restore it on failover, or"
        } else {
            "add backup storage and back it up, or"
        };
        finding(
            "application-state",
            Level::Warn,
            format!(
                "{} kept in-cluster: it is lost with its region; {backed} move it to a geo-replicated managed service",
                in_cluster.join(", ")
            ),
        )
    } else if !single_region.is_empty() {
        finding(
            "application-state",
            Level::Warn,
            format!(
                "{}: managed but not geo-replicated, so unavailable when its region is",
                single_region.join(", ")
            ),
        )
    } else {
        finding(
            "application-state",
            Level::Pass,
            "every stateful service is managed and geo-replicated",
        )
    }
}

/// The database checks: `database-replicas` with a database, `unmanaged-state` for managed
/// stateful services declared without one.
pub(super) fn database(t: &Topology) -> Vec<Finding> {
    let mut out = Vec::new();
    if t.database.is_some() {
        let regions = crate::layout::database_regions(t);
        let without: Vec<String> = t
            .sorted_regions()
            .into_iter()
            .filter(|r| r.mode != RegionMode::Hot && !regions.contains(&r.name))
            .map(|r| format!("{} ({})", r.name, r.mode.as_str()))
            .collect();
        out.push(if without.is_empty() {
            finding(
                "database-replicas",
                Level::Pass,
                "every region that can become hot holds a database replica, promoted before the traffic moves to it",
            )
        } else {
            finding(
                "database-replicas",
                Level::Warn,
                format!(
                    "{} can become hot without a database replica: a failover there leaves the application writing across regions to a primary that may be down; add {} to database.replica_regions",
                    without.join(", "),
                    if without.len() == 1 { "it" } else { "them" }
                ),
            )
        });
    } else {
        let managed: Vec<&str> = t
            .stateful_services
            .iter()
            .filter(|s| matches!(s.location, StateLocation::Managed { .. }))
            .map(|s| s.name.as_str())
            .collect();
        if !managed.is_empty() {
            out.push(finding(
                "unmanaged-state",
                Level::Warn,
                format!(
                    "{} declared as managed but not managed by bcdr: nothing promotes its replica or moves its connection string at failover; for a PostgreSQL database, add a database block (a replica per recovery region, promoted before the traffic moves)",
                    managed.join(", ")
                ),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::model::{
        Database, Region, RegionMode, RegionRole, StateLocation, StatefulService, Topology,
    };
    use crate::readiness::{Level, report};

    fn level(t: &Topology, check: &str) -> Option<Level> {
        report(t)
            .into_iter()
            .find(|f| f.check == check)
            .map(|f| f.level)
    }

    fn two() -> Topology {
        Topology::new("shop")
            .region(Region::new("eastus", "10.1.0.0/16").role(RegionRole::Primary))
            .region(Region::new("westus", "10.2.0.0/16").mode(RegionMode::Warm))
    }

    #[test]
    fn a_standby_without_a_replica_is_warned_of() {
        let g = "11111111-2222-3333-4444-555555555555";
        let t = two().database(Database::new(g, "dba"));
        assert_eq!(level(&t, "database-replicas"), Some(Level::Warn));
        let t = two().database(Database::new(g, "dba").replica("westus"));
        assert_eq!(level(&t, "database-replicas"), Some(Level::Pass));
        assert_eq!(level(&two(), "database-replicas"), None);
    }

    #[test]
    fn a_managed_service_bcdr_does_not_manage_is_warned_of() {
        let t = two().stateful_service(StatefulService::new(
            "orders-db",
            StateLocation::Managed {
                geo_replicated: true,
            },
        ));
        let f = report(&t)
            .into_iter()
            .find(|f| f.check == "unmanaged-state")
            .expect("the check runs");
        assert_eq!(f.level, Level::Warn);
        assert!(f.detail.contains("orders-db") && f.detail.contains("database block"));
        assert_eq!(level(&two(), "unmanaged-state"), None);
    }
}
