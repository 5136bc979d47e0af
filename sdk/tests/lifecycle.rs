//! A whole life against the emulator, as the guidance's operators live it: four regions behind
//! Traffic Manager (a primary, a hot, a warm and a cold one) apply, refresh with no drift, have changes
//! made behind their back found attribute by attribute and repaired (a warm endpoint enabled, a cluster
//! scaled, a peering deleted, a VNet deleted with its peerings), and destroy to an empty subscription;
//! a cluster deleted behind the SDK's back made again with its role assignments, and a region's whole
//! resource group deleted rebuilt and rejoined.

mod support;

use bcdr::engine::CancelSignal;
use bcdr::layout::ResourceKey;
use bcdr::{Region, Topology};
use support::*;

/// The plan's changes as "action resource", sorted.
fn sorted_changes(plan: &bcdr::plan::Plan) -> Vec<String> {
    let mut changes: Vec<String> = plan
        .changes()
        .map(|o| format!("{} {}", o.action, o.key))
        .collect();
    changes.sort();
    changes
}

#[tokio::test]
async fn four_regions_behind_traffic_manager_apply_refresh_clean_repair_drift_and_destroy() {
    use bcdr::layout::ResourceKey;
    use bcdr::model::{RegionMode, RegionRole, RoutingMethod, TrafficManager};
    let (emulator, client) = setup(fast()).await;
    let t = Topology::new("four")
        .region(Region::new("eastus", "10.1.0.0/16").role(RegionRole::Primary))
        .region(Region::new("westus", "10.2.0.0/16").mode(RegionMode::Warm))
        .region(Region::new("northeurope", "10.3.0.0/16"))
        .region(Region::new("westeurope", "10.4.0.0/16").mode(RegionMode::Cold))
        .traffic_manager(TrafficManager::new(RoutingMethod::Priority));
    client
        .apply(&t, CancelSignal::never(), &quiet)
        .await
        .expect("apply");
    let (plan, _) = client.plan(&t).await.expect("plan");
    assert!(!plan.has_changes(), "refreshed, nothing drifted");

    // Three changes behind the SDK's back: the warm endpoint enabled, a cluster scaled, a peering gone.
    let arm = client.arm();
    let profile = ResourceKey::TrafficManagerProfile.id(SUB, "four");
    let mut body = arm
        .get(&profile, "2022-04-01")
        .await
        .expect("get")
        .expect("profile");
    for e in body["properties"]["endpoints"]
        .as_array_mut()
        .expect("endpoints")
    {
        if e["name"] == "westus" {
            e["properties"]["endpointStatus"] = "Enabled".into();
        }
    }
    arm.put(&profile, "2022-04-01", &body, &[])
        .await
        .expect("enable by hand");
    let cluster = ResourceKey::ManagedCluster("northeurope".into()).id(SUB, "four");
    let mut body = arm
        .get(&cluster, "2024-09-01")
        .await
        .expect("get")
        .expect("cluster");
    body["properties"]["agentPoolProfiles"][0]["count"] = 7.into();
    arm.put(&cluster, "2024-09-01", &body, &[])
        .await
        .expect("scale by hand");
    let peering = ResourceKey::Peering {
        from: "eastus".into(),
        to: "westeurope".into(),
    }
    .id(SUB, "four");
    delete_by_hand(&client, &peering, "2024-03-01").await;

    let (plan, _) = client.plan(&t).await.expect("plan");
    let mut found: Vec<(String, String)> = plan
        .changes()
        .map(|o| {
            let path = o.drift.first().map_or("", |d| d.path.as_str());
            (o.key.to_string(), path.to_owned())
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            (
                "AKS cluster (northeurope)".to_owned(),
                "properties.agentPoolProfiles[system].count".to_owned()
            ),
            (
                "Traffic Manager profile".to_owned(),
                "properties.endpoints[westus].properties.endpointStatus".to_owned()
            ),
            ("peering (eastus -> westeurope)".to_owned(), String::new()),
            ("peering (westeurope -> eastus)".to_owned(), String::new()),
        ],
        "each drift found, attribute by attribute; the side left Disconnected is written again"
    );
    let at = |from: &str, to: &str| {
        let key = ResourceKey::Peering {
            from: from.into(),
            to: to.into(),
        };
        plan.operations
            .iter()
            .position(|o| o.key == key)
            .expect("planned")
    };
    let (rejoin, recreate) = (at("westeurope", "eastus"), at("eastus", "westeurope"));
    assert!(plan.operations[rejoin].reason.contains("Disconnected"));
    assert!(
        plan.operations[recreate].depends_on.contains(&rejoin),
        "Azure refuses the new side while its remote one is Disconnected"
    );
    let repaired = client
        .apply(&t, CancelSignal::never(), &quiet)
        .await
        .expect("repair");
    assert_eq!(
        repaired.status.regions["westus"].endpoint_status,
        "Disabled"
    );
    assert!(repaired.status.peerings.values().all(|s| s == "Connected"));
    let (plan, _) = client.plan(&t).await.expect("plan");
    assert!(
        !plan.has_changes(),
        "{:?}",
        plan.changes().collect::<Vec<_>>()
    );

    // The cold region's VNet deleted, with its peerings: the three sides pointing at it are left
    // Disconnected, and the plan rebuilds the VNet and rejoins all six.
    let vnet = ResourceKey::VirtualNetwork("westeurope".into()).id(SUB, "four");
    delete_by_hand(&client, &vnet, "2024-03-01").await;
    let (plan, _) = client.plan(&t).await.expect("plan");
    assert_eq!(
        sorted_changes(&plan),
        [
            "create peering (westeurope -> eastus)",
            "create peering (westeurope -> northeurope)",
            "create peering (westeurope -> westus)",
            "create virtual network (westeurope)",
            "update peering (eastus -> westeurope)",
            "update peering (northeurope -> westeurope)",
            "update peering (westus -> westeurope)",
        ]
    );
    let rebuilt = client
        .apply(&t, CancelSignal::never(), &quiet)
        .await
        .expect("rebuild");
    assert_eq!(rebuilt.status.peerings.len(), 12);
    assert!(
        rebuilt.status.peerings.values().all(|s| s == "Connected"),
        "{:?}",
        rebuilt.status.peerings
    );
    let (plan, _) = client.plan(&t).await.expect("plan");
    assert!(
        !plan.has_changes(),
        "{:?}",
        plan.changes().collect::<Vec<_>>()
    );

    destroy_to_nothing(&emulator, &client, "four").await;
}

#[tokio::test]
async fn a_cluster_deleted_behind_the_sdks_back_is_made_again_with_its_roles() {
    let (emulator, client) = setup(fast()).await;
    let t = topology(
        "redo",
        &[("eastus", "10.1.0.0/16"), ("westus", "10.2.0.0/16")],
    )
    .registry(bcdr::model::Registry::default());
    client
        .apply(&t, CancelSignal::never(), &quiet)
        .await
        .expect("apply");
    let cluster = ResourceKey::ManagedCluster("westus".into()).id(SUB, "redo");
    delete_by_hand(&client, &cluster, "2024-09-01").await;

    // The new cluster has new identities, and an assignment's principal cannot change (Azure answers
    // 409 RoleAssignmentUpdateNotPermitted): both roles are deleted and made again.
    let (plan, _) = client.plan(&t).await.expect("plan");
    assert_eq!(
        sorted_changes(&plan),
        [
            "create AKS cluster (westus)",
            "create node OS maintenance window (westus)",
            "replace cluster identity role (westus)",
            "replace registry pull role (westus)"
        ]
    );
    let applied = client
        .apply(&t, CancelSignal::never(), &quiet)
        .await
        .expect("converges");
    let (plan, _) = client.plan(&t).await.expect("plan");
    assert!(
        !plan.has_changes(),
        "{:?}",
        plan.changes().collect::<Vec<_>>()
    );
    let kubelet = &applied.status.regions["westus"].kubelet_identity_object_id;
    let pull = ResourceKey::RegistryPull("westus".into()).id(SUB, "redo");
    let role = client
        .arm()
        .get(&pull, "2022-04-01")
        .await
        .expect("get")
        .expect("pull role");
    assert_eq!(
        role["properties"]["principalId"].as_str(),
        Some(kubelet.as_str()),
        "the new kubelet identity may pull"
    );
    assert!(
        !emulator
            .requests()
            .iter()
            .any(|r| r.code.as_deref() == Some("RoleAssignmentUpdateNotPermitted")),
        "no assignment was updated in place"
    );
}

#[tokio::test]
async fn a_regions_group_deleted_behind_the_sdks_back_is_rebuilt_and_rejoined() {
    use bcdr::model::{Registry, RoutingMethod, TrafficManager};
    let (_emulator, client) = setup(fast()).await;
    let t = topology(
        "gone",
        &[
            ("eastus", "10.1.0.0/16"),
            ("westus", "10.2.0.0/16"),
            ("centralus", "10.3.0.0/16"),
        ],
    )
    .registry(Registry::default())
    .traffic_manager(TrafficManager::new(RoutingMethod::Priority));
    client
        .apply(&t, CancelSignal::never(), &quiet)
        .await
        .expect("apply");
    let group = ResourceKey::ResourceGroup("westus".into()).id(SUB, "gone");
    delete_by_hand(&client, &group, "2024-03-01").await;

    // Everything in the group is made again; the two peerings left Disconnected towards it are re-PUT
    // first; the registry pull role (outside the group) follows the new kubelet identity.
    let (plan, _) = client.plan(&t).await.expect("plan");
    assert_eq!(
        sorted_changes(&plan),
        [
            "create AKS cluster (westus)",
            "create cluster identity role (westus)",
            "create ingress public IP (westus)",
            "create monitoring workspace (westus)",
            "create node OS maintenance window (westus)",
            "create peering (westus -> centralus)",
            "create peering (westus -> eastus)",
            "create registry private DNS zone (westus)",
            "create registry private DNS zone link (westus)",
            "create registry private endpoint (westus)",
            "create registry private endpoint DNS records (westus)",
            "create resource group (westus)",
            "create virtual network (westus)",
            "replace registry pull role (westus)",
            "update peering (centralus -> westus)",
            "update peering (eastus -> westus)",
        ]
    );
    let rebuilt = client
        .apply(&t, CancelSignal::never(), &quiet)
        .await
        .expect("rebuild");
    assert!(
        rebuilt.status.peerings.values().all(|s| s == "Connected"),
        "{:?}",
        rebuilt.status.peerings
    );
    let (plan, _) = client.plan(&t).await.expect("plan");
    assert!(
        !plan.has_changes(),
        "{:?}",
        plan.changes().collect::<Vec<_>>()
    );
}
