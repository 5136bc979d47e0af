//! What the SDK sends validates against the real ARM OpenAPI specs: every body of a topology's layout
//! against its PUT operation's request schema (no read-only properties, no unknown ones, right types).

use armspec::{Specs, files};
use bcdr::layout::{self, BackupPart, Grant, ResourceKey};
use bcdr::model::{EndpointSettings, RegionMode, RoutingMethod, TrafficManager};
use bcdr::{ClusterSettings, Region, Topology};

#[test]
fn every_put_body_matches_its_spec() {
    let Some(specs) = Specs::load("every_put_body_matches_its_spec") else {
        return;
    };
    let t = Topology::new("shop")
        .region(
            Region::new("eastus", "10.1.0.0/16").with_cluster(
                ClusterSettings::default()
                    .kubernetes_version("1.30")
                    .node_count(5)
                    .autoscale(2, 6)
                    .zones(["1", "2", "3"])
                    .user_pool(
                        bcdr::model::NodePool::new("apps", "Standard_D8ds_v5", 0)
                            .autoscale(0, 5)
                            .zones(["1"]),
                    ),
            ),
        )
        .region(
            Region::new("westus", "10.2.0.0/16")
                .mode(RegionMode::Warm)
                .endpoint(EndpointSettings::default().priority(7)),
        )
        .region(Region::new("centralus", "10.3.0.0/16").mode(RegionMode::Cold))
        .traffic_manager(TrafficManager::new(RoutingMethod::Priority))
        .registry(bcdr::model::Registry::default())
        .backup(bcdr::model::Backup::default())
        .front_door(bcdr::model::FrontDoor::default().waf(
            bcdr::model::Waf::default().custom_rule(
                bcdr::model::WafCustomRule::new("blockgeo", 1).condition(
                    bcdr::model::WafMatchCondition::new("RemoteAddr", "GeoMatch", ["KP"]),
                ),
            ),
        ));
    let desired = layout::desired(&t, "00000000-0000-0000-0000-000000000001");
    assert_eq!(
        desired.len(),
        1 + 3 + 3 + 3 + 3 + 2 + 2 + 2 + 6 + 1 + 5 + 3 + 7 + 2 + 1 + 2 * 3 * 4 + 2 * (7 + 6 + 6) + 1,
        "groups, vnets, IPs, workspaces, clusters, maintenance windows, roles, peerings, profile (+ registry, 2 replicas, 2 pull roles), per service and region an endpoint, its zone group, a zone and its link, and per running region AKS Backup's 7 resources with its own vault's and its pair's 6 grants (+ the hot cluster's backup instance)"
    );
    for d in desired {
        let spec = match d.key {
            ResourceKey::ResourceGroup(_) => files::RESOURCES,
            ResourceKey::VirtualNetwork(_) | ResourceKey::Peering { .. } => files::VIRTUAL_NETWORK,
            ResourceKey::ManagedCluster(_)
            | ResourceKey::NodePool { .. }
            | ResourceKey::MaintenanceWindow(_) => files::MANAGED_CLUSTERS,
            ResourceKey::PublicIp(_) => files::PUBLIC_IP,
            ResourceKey::RoleAssignment(_) => files::ROLE_ASSIGNMENTS,
            ResourceKey::TrafficManagerProfile => files::TRAFFIC_MANAGER,
            ResourceKey::Registry | ResourceKey::Replication(_) => files::CONTAINER_REGISTRY,
            ResourceKey::RegistryPull(_) => files::ROLE_ASSIGNMENTS,
            ResourceKey::StorageAccount => files::STORAGE,
            ResourceKey::FrontDoorProfile => files::CDN_PROFILES,
            ResourceKey::FrontDoorEndpoint
            | ResourceKey::FrontDoorOriginGroup
            | ResourceKey::FrontDoorOrigin(_)
            | ResourceKey::FrontDoorRoute
            | ResourceKey::FrontDoorSecurityPolicy => files::FRONT_DOOR,
            ResourceKey::WafPolicy => files::FRONT_DOOR_WAF,
            ResourceKey::PrivateEndpoint { .. } | ResourceKey::PrivateDnsZoneGroup { .. } => {
                files::PRIVATE_ENDPOINT
            }
            // privatedns.json is not among the pinned spec files (Azure/azure-rest-api-specs
            // 2024-06-01); the emulator's tests check the shapes.
            ResourceKey::PrivateDnsZone { .. } | ResourceKey::PrivateDnsLink { .. } => continue,
            // Blob containers are specified in blob.json, which is not among the pinned spec files.
            ResourceKey::BackupContainer(_) => continue,
            // Workspaces.json (Microsoft.OperationalInsights) is not among the pinned spec files
            // either; the emulator's tests check its recorded shape.
            ResourceKey::LogWorkspace(_) => continue,
            ResourceKey::AksBackup { ref part, .. } => match part {
                BackupPart::Vault | BackupPart::Policy(_) | BackupPart::Instance => {
                    files::DATA_PROTECTION
                }
                BackupPart::Extension => files::K8S_EXTENSIONS,
                BackupPart::Storage => files::STORAGE,
                BackupPart::Grant {
                    grant: Grant::TrustedAccess,
                    ..
                } => files::MANAGED_CLUSTERS,
                BackupPart::ExtensionBlobData
                | BackupPart::ClusterSnapshots
                | BackupPart::Grant { .. } => files::ROLE_ASSIGNMENTS,
                // blob.json is not among the pinned spec files (as for the global account's).
                BackupPart::Container => continue,
            },
            _ => unreachable!("new resource kinds need their spec here"),
        };
        let errors = specs.check_request(spec, "PUT", &d.id, &d.body);
        assert!(errors.is_empty(), "{}: {errors:#?}\n{:#}", d.key, d.body);
    }
}

#[test]
fn the_validator_catches_what_arm_would_refuse() {
    let Some(specs) = Specs::load("the_validator_catches_what_arm_would_refuse") else {
        return;
    };
    let id = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v";
    let bad = serde_json::json!({ "location": "eastus", "properties": { "addressSpace": { "addressPrefixes": "10.0.0.0/16" }, "provisioningState": "Succeeded", "bogus": 1 } });
    let errors = specs.check_request(files::VIRTUAL_NETWORK, "PUT", id, &bad);
    assert!(
        errors
            .iter()
            .any(|e| e.contains("addressPrefixes: expected an array")),
        "{errors:#?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.contains("provisioningState: read-only")),
        "{errors:#?}"
    );
    assert!(
        errors.iter().any(|e| e.contains("bogus: not in the spec")),
        "{errors:#?}"
    );
}

/// The restore requests `TopologyClient::restore` sends: the vault's own restore (operational
/// tier), the listing of the paired copy's recovery points, and Cross Region Restore (Vault tier,
/// staged in the target region).
#[test]
fn every_restore_request_matches_its_spec() {
    use bcdr::arm::data_protection as dp;
    let Some(specs) = Specs::load("every_restore_request_matches_its_spec") else {
        return;
    };
    let sub = "00000000-0000-0000-0000-000000000001";
    let key = |region: &str, part| ResourceKey::AksBackup {
        region: region.into(),
        part,
    };
    let instance = key("eastus", BackupPart::Instance).id(sub, "shop");
    let group = ResourceKey::ResourceGroup("westus".into()).id(sub, "shop");
    let storage = key("westus", BackupPart::Storage).id(sub, "shop");
    let same = dp::restore_request(&dp::RestoreInto {
        recovery_point: "rp1",
        source_store: "OperationalStore",
        location: "eastus",
        cluster_id: &ResourceKey::ManagedCluster("eastus".into()).id(sub, "shop"),
        staging_group_id: None,
        staging_account_id: None,
    });
    let errors = specs.check_request(
        files::DATA_PROTECTION,
        "POST",
        &dp::restore_path(&instance),
        &same,
    );
    assert!(errors.is_empty(), "{errors:#?}\n{same:#}");
    let fetch = dp::secondary_recovery_points_request(&instance, "eastus");
    let errors = specs.check_request(
        files::DATA_PROTECTION,
        "POST",
        &dp::secondary_recovery_points_path(&group, "westus"),
        &fetch,
    );
    assert!(errors.is_empty(), "{errors:#?}");
    let cross = dp::cross_region_restore_request(
        dp::restore_request(&dp::RestoreInto {
            recovery_point: "rp1",
            source_store: "VaultStore",
            location: "westus",
            cluster_id: &ResourceKey::ManagedCluster("westus".into()).id(sub, "shop"),
            staging_group_id: Some(&group),
            staging_account_id: Some(&storage),
        }),
        &instance,
        "eastus",
    );
    let errors = specs.check_request(
        files::DATA_PROTECTION,
        "POST",
        &dp::cross_region_restore_path(&group, "westus"),
        &cross,
    );
    assert!(errors.is_empty(), "{errors:#?}\n{cross:#}");
}
