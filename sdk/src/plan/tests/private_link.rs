//! The private network path to the registry and the backup storage: per region an endpoint in the
//! private-endpoint subnet, the region's own zones linked to its VNet, zone groups; the registry and
//! the storage closed to the internet; existing topologies migrated in place; deletes in order.

use super::*;
use crate::layout::PrivateService;
use crate::model::{Backup, RegionMode, Registry};

fn private() -> Topology {
    let mut t = two()
        .registry(Registry::default())
        .backup(Backup::default());
    t.regions[1].mode = RegionMode::Cold;
    t
}

fn body(t: &Topology, key: &ResourceKey) -> serde_json::Value {
    layout::desired(t, SUB)
        .into_iter()
        .find(|d| d.key == *key)
        .map(|d| d.body)
        .unwrap_or_else(|| panic!("{key} is not in the layout"))
}

fn keys(region: &str, service: PrivateService) -> [ResourceKey; 4] {
    let r = region.to_owned();
    [
        ResourceKey::PrivateDnsZone {
            region: r.clone(),
            service,
        },
        ResourceKey::PrivateDnsLink {
            region: r.clone(),
            service,
        },
        ResourceKey::PrivateEndpoint {
            region: r.clone(),
            service,
        },
        ResourceKey::PrivateDnsZoneGroup { region: r, service },
    ]
}

#[test]
fn every_region_cold_ones_included_has_its_own_endpoints_zones_and_links() {
    let t = private();
    let desired = layout::desired(&t, SUB);
    for region in ["eastus", "westus"] {
        let vnet = body(&t, &ResourceKey::VirtualNetwork(region.into()));
        let subnets = vnet["properties"]["subnets"].as_array().expect("subnets");
        assert_eq!(subnets.len(), 2, "{subnets:?}");
        for service in PrivateService::ALL {
            let [zone, link, endpoint, group] = keys(region, service);
            for key in [&zone, &link, &endpoint, &group] {
                assert!(desired.iter().any(|d| d.key == *key), "{key} missing");
            }
            let zone_id = zone.id(SUB, "shop");
            assert_eq!(
                zone_id,
                format!(
                    "/subscriptions/{SUB}/resourceGroups/rg-shop-{region}/providers/Microsoft.Network/privateDnsZones/{}",
                    service.zone()
                ),
                "the zone lives in the region's own group"
            );
            assert_eq!(body(&t, &zone)["location"], "global");
            let link = body(&t, &link);
            assert_eq!(
                link["properties"]["virtualNetwork"]["id"],
                ResourceKey::VirtualNetwork(region.into()).id(SUB, "shop"),
                "each zone is linked to its own region's VNet only"
            );
            assert_eq!(link["properties"]["registrationEnabled"], false);
            let pe = body(&t, &endpoint);
            assert_eq!(pe["location"], region);
            assert_eq!(
                pe["properties"]["subnet"]["id"],
                format!(
                    "{}/subnets/private-endpoints",
                    ResourceKey::VirtualNetwork(region.into()).id(SUB, "shop")
                )
            );
            let connection = &pe["properties"]["privateLinkServiceConnections"][0]["properties"];
            assert_eq!(connection["groupIds"], json!([service.group_id()]));
            assert_eq!(
                connection["privateLinkServiceId"],
                service.target().id(SUB, "shop")
            );
            assert_eq!(
                body(&t, &group)["properties"]["privateDnsZoneConfigs"][0]["properties"]["privateDnsZoneId"],
                zone_id,
                "the endpoint's records go into its own region's zone"
            );
        }
    }
    // Nothing else is shared: no zone outside the regions' groups.
    assert!(desired.iter().all(|d| match &d.key {
        ResourceKey::PrivateDnsZone { region, .. } => d.id.contains(&format!("rg-shop-{region}/")),
        _ => true,
    }));
}

#[test]
fn the_private_endpoint_subnet_is_the_last_26_clear_of_the_aks_subnet() {
    use ipnet::Ipv4Net;
    for (vnet, expected) in [
        ("10.1.0.0/16", "10.1.255.192/26"),
        ("10.8.0.0/24", "10.8.0.192/26"),
        ("10.0.0.0/8", "10.255.255.192/26"),
    ] {
        let pe = layout::private_endpoint_subnet_cidr(vnet).expect("fits");
        assert_eq!(pe, expected);
        let aks: Ipv4Net = layout::subnet_cidr(vnet).parse().expect("aks");
        let pe: Ipv4Net = pe.parse().expect("pe");
        assert!(!aks.contains(&pe.network()) && !pe.contains(&aks.network()));
    }
    assert_eq!(layout::private_endpoint_subnet_cidr("10.8.0.0/26"), None);
    // A VNet too small for both subnets is refused at its attribute, saying why.
    let t = topo(&[("eastus", "10.1.0.0/25"), ("westus", "10.2.0.0/16")]);
    let errors = crate::validate::errors(&t);
    let error = errors
        .iter()
        .find(|d| d.path.to_string() == "region[\"eastus\"].vnet_cidr")
        .expect("refused");
    assert!(
        error.detail.contains("private endpoints"),
        "{}",
        error.detail
    );
}

#[test]
fn the_registry_and_the_storage_are_closed_to_the_internet_by_default() {
    let t = private();
    let registry = body(&t, &ResourceKey::Registry);
    assert_eq!(registry["properties"]["publicNetworkAccess"], "Disabled");
    assert_eq!(registry["properties"]["adminUserEnabled"], false);
    assert!(
        registry["properties"].get("anonymousPullEnabled").is_none(),
        "not in 2023-07-01: off"
    );
    let storage = body(&t, &ResourceKey::StorageAccount);
    assert_eq!(
        storage["properties"]["networkAcls"],
        json!({ "defaultAction": "Deny", "bypass": "AzureServices" })
    );
    let mut open = t.clone();
    if let Some(r) = open.registry.as_mut() {
        r.public_network_access = true;
    }
    assert_eq!(
        body(&open, &ResourceKey::Registry)["properties"]["publicNetworkAccess"],
        "Enabled"
    );
}

#[test]
fn endpoints_wait_for_their_subnet_and_target_and_records_for_endpoint_and_zone() {
    let t = private();
    let plan = plan(&layout::desired(&t, SUB), &Observed::default());
    let at = |key: &ResourceKey| {
        plan.operations
            .iter()
            .position(|o| o.key == *key)
            .unwrap_or_else(|| panic!("{key}"))
    };
    let deps = |key: &ResourceKey| plan.operations[at(key)].depends_on.clone();
    for region in ["eastus", "westus"] {
        let vnet = ResourceKey::VirtualNetwork(region.into());
        for service in PrivateService::ALL {
            let [zone, link, endpoint, group] = keys(region, service);
            assert!(deps(&link).contains(&at(&zone)) && deps(&link).contains(&at(&vnet)));
            assert!(deps(&endpoint).contains(&at(&vnet)));
            assert!(deps(&endpoint).contains(&at(&service.target())));
            assert!(deps(&group).contains(&at(&endpoint)) && deps(&group).contains(&at(&zone)));
        }
        // The registry's endpoints carry every replica's data endpoint: they wait for the replicas.
        let [.., endpoint, _] = keys(region, PrivateService::Registry);
        assert!(deps(&endpoint).contains(&at(&ResourceKey::Replication("westus".into()))));
    }
}

#[test]
fn an_applied_private_topology_plans_nothing() {
    let t = private();
    let plan = plan(&layout::desired(&t, SUB), &observed_after(&t));
    assert!(!plan.has_changes(), "{:?}", summary(&plan));
}

/// What a topology applied by an earlier release looks like: no private path, the VNets with their
/// AKS subnet alone, the registry and the storage open.
fn before_private_networks(t: &Topology) -> Observed {
    let mut observed = observed_after(t);
    observed.resources.retain(|k, _| {
        !matches!(
            k,
            ResourceKey::PrivateEndpoint { .. }
                | ResourceKey::PrivateDnsZoneGroup { .. }
                | ResourceKey::PrivateDnsZone { .. }
                | ResourceKey::PrivateDnsLink { .. }
        )
    });
    for (key, found) in &mut observed.resources {
        let properties = &mut found.body["properties"];
        match key {
            ResourceKey::VirtualNetwork(_) => {
                if let Some(subnets) = properties["subnets"].as_array_mut() {
                    subnets.retain(|s| s["name"] == "aks");
                }
            }
            ResourceKey::Registry => {
                if let Some(p) = properties.as_object_mut() {
                    p.remove("publicNetworkAccess");
                    p.remove("anonymousPullEnabled");
                }
                properties["publicNetworkAccess"] = json!("Enabled");
            }
            ResourceKey::StorageAccount => {
                properties["networkAcls"] =
                    json!({ "defaultAction": "Allow", "bypass": "AzureServices" });
            }
            _ => {}
        }
    }
    observed
}

#[test]
fn an_existing_topology_migrates_in_place() {
    let t = private();
    let plan = plan(&layout::desired(&t, SUB), &before_private_networks(&t));
    let changes = summary(&plan);
    assert!(
        plan.changes()
            .all(|o| matches!(o.action, Action::Create | Action::Update)),
        "nothing is deleted or replaced: {changes:?}"
    );
    let updates: Vec<&String> = changes.iter().filter(|c| c.starts_with("update")).collect();
    assert_eq!(
        updates,
        [
            "update virtual network (eastus)",
            "update virtual network (westus)",
            "update container registry",
            "update backup storage",
        ],
        "{changes:?}"
    );
    let registry = plan
        .operations
        .iter()
        .find(|o| o.key == ResourceKey::Registry)
        .expect("registry");
    assert_eq!(
        registry
            .drift
            .iter()
            .map(|d| d.path.as_str())
            .collect::<Vec<_>>(),
        ["properties.publicNetworkAccess"]
    );
    let creates = changes.iter().filter(|c| c.starts_with("create")).count();
    assert_eq!(
        creates, 16,
        "4 resources x 2 services x 2 regions: {changes:?}"
    );
    assert!(
        changes
            .iter()
            .all(|c| c.starts_with("update") || c.contains("private"))
    );
}

#[test]
fn a_removed_regions_private_path_goes_with_its_group() {
    let t = private();
    let mut smaller = t.clone();
    smaller.regions.retain(|r| r.name == "eastus");
    let mut observed = observed_after(&t);
    // The group the removed region's resources live in, as the tag-filtered list reports it.
    observed.resources.insert(
        ResourceKey::ResourceGroup("westus".into()),
        ObservedResource {
            id: ResourceKey::ResourceGroup("westus".into()).id(SUB, "shop"),
            body: json!({}),
        },
    );
    let plan = plan(&layout::desired(&smaller, SUB), &observed);
    let deletes: Vec<String> = plan
        .changes()
        .filter(|o| o.action == Action::Delete)
        .map(|o| o.key.to_string())
        .collect();
    assert!(
        deletes.contains(&"resource group (westus)".to_owned()),
        "{deletes:?}"
    );
    assert!(
        deletes.iter().all(|d| !d.contains("private")),
        "nothing of the private path is deleted on its own: {deletes:?}"
    );
}

#[test]
fn a_removed_registry_goes_after_its_endpoints_and_each_zone_after_its_link() {
    let t = private();
    let mut without = t.clone();
    without.registry = None;
    let plan = plan(&layout::desired(&without, SUB), &observed_after(&t));
    let at = |key: &ResourceKey| {
        plan.operations
            .iter()
            .position(|o| o.key == *key && o.action == Action::Delete)
            .unwrap_or_else(|| panic!("no delete of {key}"))
    };
    let registry = &plan.operations[at(&ResourceKey::Registry)];
    for region in ["eastus", "westus"] {
        let [zone, link, endpoint, group] = keys(region, PrivateService::Registry);
        assert!(registry.depends_on.contains(&at(&endpoint)));
        let zone_deps = &plan.operations[at(&zone)].depends_on;
        assert!(zone_deps.contains(&at(&link)) && zone_deps.contains(&at(&endpoint)));
        assert!(
            !plan.operations.iter().any(|o| o.key == group),
            "the zone group goes with its endpoint"
        );
    }
    assert!(
        plan.changes()
            .all(|o| !o.key.to_string().contains("backup")),
        "the backup storage's path stays"
    );
}
