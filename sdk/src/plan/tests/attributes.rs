//! Golden plans for an update of each attribute: every change writes exactly the resources that
//! carry the attribute, nothing else.

use super::*;
use crate::model::{
    Backup, FrontDoor, NodePool, RegionMode, Registry, RoutingMethod, StorageRedundancy,
    TrafficManager, Waf, WafMode,
};

fn routed() -> Topology {
    let mut t = two()
        .traffic_manager(TrafficManager::new(RoutingMethod::Priority))
        .registry(Registry::default())
        .backup(Backup::default());
    t.regions[0].cluster =
        ClusterSettings::default().user_pool(NodePool::new("apps", "Standard_D8ds_v5", 2));
    t.regions[1].mode = RegionMode::Warm;
    t
}

fn edge() -> Topology {
    two().front_door(FrontDoor::default().waf(Waf::default()))
}

fn changes(base: fn() -> Topology, change: impl Fn(&mut Topology)) -> Vec<String> {
    let mut t = base();
    change(&mut t);
    summary(&plan(&layout::desired(&t, SUB), &observed_after(&base())))
}

#[test]
fn each_attribute_updates_only_what_carries_it() {
    let cluster = "update AKS cluster (eastus)";
    let profile = "update Traffic Manager profile";
    let cases: Vec<(&str, Vec<String>, Vec<&str>)> = vec![
        (
            "node_count",
            changes(routed, |t| t.regions[0].cluster.node_count = 5),
            vec![cluster],
        ),
        (
            "vm_size",
            changes(routed, |t| {
                t.regions[0].cluster.vm_size = "Standard_D8ds_v5".into()
            }),
            vec![cluster],
        ),
        (
            "kubernetes_version",
            changes(routed, |t| {
                t.regions[0].cluster.kubernetes_version = Some("1.31".into())
            }),
            vec![cluster],
        ),
        (
            "tier",
            changes(routed, |t| {
                t.regions[0].cluster.tier = crate::model::ClusterTier::Premium
            }),
            vec![cluster],
        ),
        (
            "autoscale",
            changes(routed, |t| {
                t.regions[0].cluster.autoscale = Some(crate::model::Autoscale { min: 1, max: 4 })
            }),
            vec![cluster],
        ),
        (
            "node_pool.vm_size",
            changes(routed, |t| {
                t.regions[0].cluster.user_pools[0].vm_size = "Standard_E8ds_v5".into()
            }),
            vec!["update node pool apps (eastus)"],
        ),
        (
            "mode warm -> hot",
            changes(routed, |t| t.regions[1].mode = RegionMode::Hot),
            // The cluster that starts serving is backed up from now on.
            vec!["create backup instance (westus)", profile],
        ),
        (
            "priority",
            changes(routed, |t| t.regions[0].endpoint.priority = Some(9)),
            vec![profile],
        ),
        (
            "traffic_manager.ttl",
            changes(routed, |t| {
                t.traffic_manager
                    .as_mut()
                    .map(|m| m.ttl = 60)
                    .unwrap_or_default()
            }),
            vec![profile],
        ),
        (
            "traffic_manager.probe_path",
            changes(routed, |t| {
                t.traffic_manager
                    .as_mut()
                    .map(|m| m.probe_path = "/ready".into())
                    .unwrap_or_default()
            }),
            vec![profile],
        ),
        (
            "traffic_manager.probing",
            changes(routed, |t| {
                t.traffic_manager = t.traffic_manager.take().map(|m| m.probing(10, 5, 1))
            }),
            vec![profile],
        ),
        (
            "traffic_manager.dns_name",
            changes(routed, |t| {
                t.traffic_manager
                    .as_mut()
                    .map(|m| m.dns_name = Some("shop-global".into()))
                    .unwrap_or_default()
            }),
            vec![profile],
        ),
        (
            "registry.zone_redundancy",
            changes(routed, |t| {
                t.registry
                    .as_mut()
                    .map(|r| r.zone_redundancy = true)
                    .unwrap_or_default()
            }),
            vec![
                "update container registry",
                "update registry replica (westus)",
            ],
        ),
        (
            "backup.redundancy",
            changes(routed, |t| {
                t.backup
                    .as_mut()
                    .map(|b| b.redundancy = StorageRedundancy::RaGzrs)
                    .unwrap_or_default()
            }),
            vec!["update backup storage"],
        ),
        (
            "backup.cross_region_restore",
            changes(routed, |t| {
                t.backup
                    .as_mut()
                    .map(|b| b.cross_region_restore = false)
                    .unwrap_or_default()
            }),
            vec![
                "update Backup vault (eastus)",
                "update Backup vault (westus)",
            ],
        ),
        (
            "backup.retention_days",
            changes(routed, |t| {
                t.backup
                    .as_mut()
                    .map(|b| b.retention_days = 14)
                    .unwrap_or_default()
            }),
            // A new policy (Azure changes no policy in use); the instance moves to it, then the
            // old one goes (plan/tests/aks_backup.rs checks the order).
            vec![
                "create AKS backup policy aks-backup-66132cc7 (eastus)",
                "update backup instance (eastus)",
                "create AKS backup policy aks-backup-66132cc7 (westus)",
                "delete AKS backup policy aks-backup-a156bf5d (eastus)",
                "delete AKS backup policy aks-backup-a156bf5d (westus)",
            ],
        ),
        (
            "front_door.tier",
            changes(edge, |t| {
                t.front_door
                    .as_mut()
                    .map(|f| f.premium = true)
                    .unwrap_or_default()
            }),
            vec!["update Front Door profile", "update WAF policy"],
        ),
        (
            "front_door.probe_interval",
            changes(edge, |t| {
                t.front_door
                    .as_mut()
                    .map(|f| f.probe_interval = 10)
                    .unwrap_or_default()
            }),
            vec!["update Front Door origin group"],
        ),
        (
            "front_door.origin_host_header",
            changes(edge, |t| {
                t.front_door
                    .as_mut()
                    .map(|f| f.origin_host_header = Some("shop.example.com".into()))
                    .unwrap_or_default()
            }),
            vec![
                "update Front Door origin (eastus)",
                "update Front Door origin (westus)",
            ],
        ),
        (
            "front_door.probe_path",
            changes(edge, |t| {
                t.front_door
                    .as_mut()
                    .map(|f| f.probe_path = "/ready".into())
                    .unwrap_or_default()
            }),
            vec!["update Front Door origin group"],
        ),
        (
            "front_door.session_affinity",
            changes(edge, |t| {
                t.front_door
                    .as_mut()
                    .map(|f| f.session_affinity = true)
                    .unwrap_or_default()
            }),
            vec!["update Front Door origin group"],
        ),
        (
            "front_door.waf.mode",
            changes(edge, |t| {
                if let Some(w) = t.front_door.as_mut().and_then(|f| f.waf.as_mut()) {
                    w.mode = WafMode::Detection
                }
            }),
            vec!["update WAF policy"],
        ),
        (
            "stateful_service",
            changes(routed, |t| {
                t.stateful_services.push(crate::model::StatefulService::new(
                    "db",
                    crate::model::StateLocation::InCluster,
                ))
            }),
            vec!["update resource group (global)"],
        ),
    ];
    for (attribute, got, want) in cases {
        assert_eq!(got, want, "{attribute}");
    }
}
