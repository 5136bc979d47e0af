//! The SDK against the emulator for the global resources: Traffic Manager and failover by modes, the
//! geo-replicated registry, backup storage, drills, and Front Door.

mod support;

use bcdr::engine::CancelSignal;
use bcdr::{Region, Topology};
use support::*;

#[tokio::test]
async fn traffic_manager_routes_to_hot_regions_and_a_mode_swap_is_one_write() {
    use bcdr::model::{RegionMode, RoutingMethod, TrafficManager};
    let (emulator, client) = setup(fast()).await;
    let t = |east: RegionMode, west: RegionMode| {
        Topology::new("route")
            .region(Region::new("eastus", "10.1.0.0/16").mode(east))
            .region(Region::new("westus", "10.2.0.0/16").mode(west))
            .traffic_manager(TrafficManager::new(RoutingMethod::Priority))
    };
    let applied = client
        .apply(
            &t(RegionMode::Hot, RegionMode::Warm),
            CancelSignal::never(),
            &quiet,
        )
        .await
        .expect("apply");
    let s = &applied.status;
    assert_eq!(s.traffic_manager_fqdn, "bcdr-route.trafficmanager.net");
    assert_eq!(
        (
            s.regions["eastus"].endpoint_status.as_str(),
            s.regions["westus"].endpoint_status.as_str()
        ),
        ("Enabled", "Disabled")
    );
    assert_eq!(
        s.regions["eastus"].ingress_fqdn,
        "route-eastus.eastus.cloudapp.azure.com"
    );
    assert!(
        !s.regions["westus"].cluster_fqdn.is_empty(),
        "a warm region runs its cluster"
    );
    let roles: Vec<String> = emulator
        .resource_ids()
        .into_iter()
        .filter(|id| id.contains("roleAssignments"))
        .collect();
    assert_eq!(
        roles.len(),
        2,
        "each cluster identity may use its ingress IP: {roles:?}"
    );

    // Fail over by swapping modes: one atomic profile write moves traffic.
    emulator.clear_requests();
    let swapped = client
        .apply(
            &t(RegionMode::Warm, RegionMode::Hot),
            CancelSignal::never(),
            &quiet,
        )
        .await
        .expect("swap");
    assert_eq!(
        swapped
            .plan
            .changes()
            .map(|o| o.key.to_string())
            .collect::<Vec<_>>(),
        ["Traffic Manager profile"]
    );
    let writes: Vec<String> = emulator
        .requests()
        .into_iter()
        .filter(|r| r.method != "GET")
        .map(|r| r.path)
        .collect();
    assert_eq!(writes.len(), 1, "{writes:?}");
    assert_eq!(swapped.status.regions["westus"].endpoint_status, "Enabled");

    // A cold region keeps its network and IP, not its cluster.
    let cold = client
        .apply(
            &t(RegionMode::Hot, RegionMode::Cold),
            CancelSignal::never(),
            &quiet,
        )
        .await
        .expect("cold");
    assert!(cold.status.regions["westus"].cluster_id.is_empty());
    assert!(!cold.status.regions["westus"].ingress_ip_address.is_empty());
    let imported = client
        .import("route")
        .await
        .expect("import")
        .expect("found");
    assert_eq!(
        imported
            .regions
            .iter()
            .map(|r| (r.name.as_str(), r.mode))
            .collect::<Vec<_>>(),
        [("eastus", RegionMode::Hot), ("westus", RegionMode::Cold)]
    );
    assert_eq!(
        imported
            .traffic_manager
            .as_ref()
            .map(|tm| tm.routing_method),
        Some(RoutingMethod::Priority)
    );

    destroy_to_nothing(&emulator, &client, "route").await;
}

#[tokio::test]
async fn the_registry_is_geo_replicated_and_every_kubelet_identity_may_pull() {
    let (emulator, client) = setup(fast()).await;
    let t = topology(
        "reg",
        &[
            ("eastus", "10.1.0.0/16"),
            ("westus", "10.2.0.0/16"),
            ("centralus", "10.3.0.0/16"),
        ],
    )
    .registry(bcdr::model::Registry::default());
    let applied = client
        .apply(&t, CancelSignal::never(), &quiet)
        .await
        .expect("apply");
    let s = &applied.status;
    assert!(
        s.registry_login_server.starts_with("bcdrreg")
            && s.registry_login_server.ends_with(".azurecr.io"),
        "{}",
        s.registry_login_server
    );
    assert_eq!(
        s.registry_replicas.keys().collect::<Vec<_>>(),
        ["eastus", "westus"],
        "centralus is home (first by name)"
    );
    let pulls: Vec<String> = emulator
        .resource_ids()
        .into_iter()
        .filter(|id| id.contains("/registries/") && id.contains("roleAssignments"))
        .collect();
    assert_eq!(pulls.len(), 3, "{pulls:?}");
    assert!(
        !client.plan(&t).await.expect("plan").0.has_changes(),
        "the kubelet principals were bound: no drift"
    );
    let imported = client.import("reg").await.expect("import").expect("found");
    assert!(imported.registry.is_some());
    destroy_to_nothing(&emulator, &client, "reg").await;
}

#[tokio::test]
async fn backup_storage_replicates_to_the_home_regions_pair() {
    let (emulator, client) = setup(fast()).await;
    let t = topology(
        "bk",
        &[("eastus", "10.1.0.0/16"), ("westus", "10.2.0.0/16")],
    )
    .backup(bcdr::model::Backup::default());
    let applied = client
        .apply(&t, CancelSignal::never(), &quiet)
        .await
        .expect("apply");
    assert_eq!(
        applied.status.backup_secondary_region, "westus",
        "GRS from East US replicates to West US"
    );
    assert_eq!(
        applied
            .status
            .backup_containers
            .values()
            .collect::<Vec<_>>(),
        ["backup-eastus", "backup-westus"]
    );
    assert!(!client.plan(&t).await.expect("plan").0.has_changes());
    assert!(
        client
            .import("bk")
            .await
            .expect("import")
            .expect("found")
            .backup
            .is_some()
    );
    destroy_to_nothing(&emulator, &client, "bk").await;
}

#[tokio::test]
async fn a_drill_fails_over_to_a_cold_region_and_back_with_timed_steps() {
    use bcdr::model::{RegionMode, RoutingMethod, TrafficManager};
    let (_emulator, client) = setup(fast()).await;
    let t = Topology::new("drill")
        .region(Region::new("eastus", "10.1.0.0/16"))
        .region(Region::new("westus", "10.2.0.0/16").mode(RegionMode::Cold))
        .traffic_manager(TrafficManager::new(RoutingMethod::Priority));
    client
        .apply(&t, CancelSignal::never(), &quiet)
        .await
        .expect("apply");
    let drill = client.drill(&t, "eastus", "westus").await.expect("drill");
    let steps: Vec<&str> = drill
        .failover
        .steps
        .iter()
        .map(|s| s.what.as_str())
        .collect();
    assert_eq!(
        steps,
        [
            "create AKS cluster (westus)",
            "create cluster identity role (westus)",
            "create node OS maintenance window (westus)",
            "update Traffic Manager profile"
        ]
    );
    let cluster = &drill.failover.steps[0];
    assert!(
        drill.failover.time_to_switch >= cluster.started + cluster.took,
        "traffic moved only once the cluster existed"
    );
    assert_eq!(
        drill.failover.status.regions["westus"].endpoint_status,
        "Enabled"
    );
    assert_eq!(
        drill
            .failback
            .steps
            .iter()
            .map(|s| s.what.as_str())
            .collect::<Vec<_>>(),
        ["update Traffic Manager profile"],
        "failback is one write"
    );
    assert_eq!(
        drill.failback.status.regions["eastus"].endpoint_status,
        "Enabled"
    );
}

#[tokio::test]
async fn front_door_premium_over_three_regions_applies_repairs_drift_fails_over_and_destroys() {
    use bcdr::model::{
        FrontDoor, RegionMode, Waf, WafCustomRule, WafManagedRuleSet, WafMatchCondition,
    };
    let (emulator, client) = setup(fast()).await;
    let waf = Waf::default()
        .custom_rule(
            WafCustomRule::new("limitlogin", 10)
                .rate_limit(100, 1)
                .condition(WafMatchCondition::new(
                    "RequestUri",
                    "BeginsWith",
                    ["/login"],
                )),
        )
        .managed_rule_set(WafManagedRuleSet::new("Microsoft_DefaultRuleSet", "2.1"));
    let mut fd = FrontDoor::default().waf(waf.clone());
    fd.premium = true;
    fd.session_affinity = true;
    let t = Topology::new("edge")
        .region(Region::new("eastus", "10.1.0.0/16"))
        .region(Region::new("westus", "10.2.0.0/16").mode(RegionMode::Warm))
        .region(Region::new("centralus", "10.3.0.0/16"))
        .front_door(fd);
    let applied = client
        .apply(&t, CancelSignal::never(), &quiet)
        .await
        .expect("apply");
    let s = &applied.status;
    assert!(
        s.front_door_host.starts_with("edge-") && s.front_door_host.ends_with(".z01.azurefd.net"),
        "{}",
        s.front_door_host
    );
    assert_eq!(s.regions["westus"].endpoint_status, "Disabled");
    assert_eq!(s.regions["eastus"].endpoint_status, "Enabled");
    assert!(
        s.waf_policy_id
            .ends_with("/FrontDoorWebApplicationFirewallPolicies/bcdredgewaf"),
        "{}",
        s.waf_policy_id
    );
    assert!(
        !client.plan(&t).await.expect("plan").0.has_changes(),
        "origins bound to the ingress IPs' names: no drift"
    );

    // Someone turns the WAF to detection only: the plan puts it back in prevention.
    let policy = bcdr::layout::ResourceKey::WafPolicy.id(SUB, "edge");
    let mut body = client
        .arm()
        .get(&policy, "2024-02-01")
        .await
        .expect("get")
        .expect("policy");
    body["properties"]["policySettings"]["mode"] = "Detection".into();
    for readonly in [
        "provisioningState",
        "resourceState",
        "securityPolicyLinks",
        "frontendEndpointLinks",
        "routingRuleLinks",
    ] {
        body["properties"]
            .as_object_mut()
            .map(|p| p.remove(readonly));
    }
    client
        .arm()
        .put(&policy, "2024-02-01", &body, &[])
        .await
        .expect("drift");
    let (plan, _) = client.plan(&t).await.expect("plan");
    let changes: Vec<_> = plan.changes().collect();
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].drift[0].path, "properties.policySettings.mode");
    client
        .apply(&t, CancelSignal::never(), &quiet)
        .await
        .expect("repair");

    // Someone enables the warm origin by hand: the plan repairs it.
    let origin = bcdr::layout::ResourceKey::FrontDoorOrigin("westus".into()).id(SUB, "edge");
    let mut body = client
        .arm()
        .get(&origin, "2024-09-01")
        .await
        .expect("get")
        .expect("origin");
    body["properties"]["enabledState"] = "Enabled".into();
    client
        .arm()
        .put(&origin, "2024-09-01", &body, &[])
        .await
        .expect("drift");
    let (plan, _) = client.plan(&t).await.expect("plan");
    assert_eq!(
        plan.changes()
            .map(|o| o.key.to_string())
            .collect::<Vec<_>>(),
        ["Front Door origin (westus)"]
    );
    client
        .apply(&t, CancelSignal::never(), &quiet)
        .await
        .expect("repair");

    let switch = client
        .failover(&t, "eastus", "westus", CancelSignal::never())
        .await
        .expect("failover");
    assert_eq!(switch.status.regions["westus"].endpoint_status, "Enabled");
    assert_eq!(switch.status.regions["eastus"].endpoint_status, "Disabled");
    let imported = client.import("edge").await.expect("import").expect("found");
    assert!(
        imported
            .front_door
            .as_ref()
            .is_some_and(|f| f.premium && f.session_affinity && f.waf.as_ref() == Some(&waf)),
        "{:?}",
        imported.front_door
    );
    destroy_to_nothing(&emulator, &client, "edge").await;
}

#[tokio::test]
async fn removing_a_region_leaves_no_replica_pull_role_or_origin_behind() {
    let (emulator, client) = setup(fast()).await;
    let three = topology(
        "orph",
        &[
            ("eastus", "10.1.0.0/16"),
            ("westus", "10.2.0.0/16"),
            ("centralus", "10.3.0.0/16"),
        ],
    )
    .registry(bcdr::model::Registry::default())
    .front_door(bcdr::model::FrontDoor::default());
    client
        .apply(&three, CancelSignal::never(), &quiet)
        .await
        .expect("apply three");
    let mut two = three.clone();
    two.regions.retain(|r| r.name != "westus");
    client
        .apply(&two, CancelSignal::never(), &quiet)
        .await
        .expect("remove westus");
    let left: Vec<String> = emulator
        .resource_ids()
        .into_iter()
        .filter(|id| id.to_ascii_lowercase().contains("westus"))
        .collect();
    assert!(
        left.is_empty(),
        "nothing of westus may be orphaned outside its group: {left:#?}"
    );
    assert!(!client.plan(&two).await.expect("plan").0.has_changes());
    client
        .destroy("orph", CancelSignal::never(), &quiet)
        .await
        .expect("destroy");
    assert!(emulator.resource_ids().is_empty());
}
