//! Golden plans for the database: made from nothing in order (the replica after the primary, the
//! endpoint after both), no change once applied, a failover promoting the new hot region's replica
//! (planned, or forced while the old primary's region does not answer) before the traffic moves,
//! failback, and deletes in order.

use super::*;
use crate::model::{Database, RegionMode, RegionRole, RoutingMethod, TrafficManager};

const GROUP: &str = "11111111-2222-3333-4444-555555555555";

fn shop(east: RegionMode, west: RegionMode) -> Topology {
    Topology::new("shop")
        .region(
            Region::new("eastus", "10.1.0.0/16")
                .mode(east)
                .role(RegionRole::Primary),
        )
        .region(Region::new("westus", "10.2.0.0/16").mode(west))
        .traffic_manager(TrafficManager::new(RoutingMethod::Priority))
        .database(Database::new(GROUP, "dba").replica("westus"))
}

fn server(region: &str) -> ResourceKey {
    ResourceKey::DatabaseServer(region.into())
}

/// `t` applied, with `primary`'s server the primary and the other the replica of it (as Azure
/// reports them after a switchover too).
fn applied(t: &Topology, primary: &str) -> Observed {
    let mut observed = observed_after(t);
    let primary_id = server(primary).id(SUB, "shop");
    for region in ["eastus", "westus"] {
        let Some(s) = observed.resources.get_mut(&server(region)) else {
            continue;
        };
        let p = &mut s.body["properties"];
        if region == primary {
            p["replicationRole"] = json!("Primary");
            if let Some(o) = p.as_object_mut() {
                o.remove("sourceServerResourceId");
            }
        } else {
            p["replicationRole"] = json!("GeoAsyncReplica");
            p["sourceServerResourceId"] = json!(primary_id);
            p["replica"] = json!({"role": "GeoAsyncReplica", "replicationState": "Active"});
        }
    }
    observed
}

fn index_of(plan: &Plan, key: &ResourceKey) -> usize {
    plan.operations
        .iter()
        .position(|o| o.key == *key)
        .unwrap_or_else(|| panic!("{key} not planned"))
}

#[test]
fn made_from_nothing_in_order_private_and_entra_only() {
    let t = shop(RegionMode::Hot, RegionMode::Warm);
    let plan = plan(&layout::desired(&t, SUB), &Observed::default());
    let changes = summary(&plan);
    for want in [
        "create database private DNS zone",
        "create database private DNS zone link (eastus)",
        "create database private DNS zone link (westus)",
        "create database server (eastus)",
        "create database server (westus)",
        "create database admin group 11111111-2222-3333-4444-555555555555 (eastus)",
        "create database admin group 11111111-2222-3333-4444-555555555555 (westus)",
        "create database read-write endpoint (eastus)",
    ] {
        assert!(
            changes.contains(&want.to_owned()),
            "{want} missing: {changes:?}"
        );
    }
    let ops = &plan.operations;
    let east = index_of(&plan, &server("eastus"));
    let west = index_of(&plan, &server("westus"));
    assert!(
        ops[west].depends_on.contains(&east),
        "the replica waits for its primary"
    );
    let endpoint = index_of(&plan, &ResourceKey::DatabaseEndpoint("eastus".into()));
    assert!(ops[endpoint].depends_on.contains(&east) && ops[endpoint].depends_on.contains(&west));
    let zone_link = index_of(&plan, &ResourceKey::DatabaseZoneLink("westus".into()));
    assert!(ops[west].depends_on.contains(&zone_link));
    // The primary: made as such, geo-redundant backups, private, Entra only: no password anywhere.
    let p = ops[east].body.as_ref().expect("body");
    assert_eq!(p["properties"]["createMode"], "Create");
    assert_eq!(p["properties"]["backup"]["geoRedundantBackup"], "Enabled");
    assert_eq!(
        p["properties"]["network"]["publicNetworkAccess"],
        "Disabled"
    );
    assert_eq!(p["properties"]["authConfig"]["passwordAuth"], "Disabled");
    assert_eq!(
        p["properties"]["authConfig"]["activeDirectoryAuth"],
        "Enabled"
    );
    assert!(p["properties"].get("administratorLoginPassword").is_none());
    assert!(p["properties"].get("administratorLogin").is_none());
    assert_eq!(p["sku"]["name"], "Standard_D2ds_v5");
    // The replica: made from the primary, in its own region's delegated subnet, the shared zone.
    let r = ops[west].body.as_ref().expect("body");
    assert_eq!(r["properties"]["createMode"], "Replica");
    assert_eq!(
        r["properties"]["sourceServerResourceId"],
        json!(server("eastus").id(SUB, "shop"))
    );
    assert_eq!(r["location"], "westus");
    assert!(
        r["properties"]["network"]["delegatedSubnetResourceId"]
            .as_str()
            .is_some_and(|s| s.ends_with("/virtualNetworks/vnet-shop-westus/subnets/postgres"))
    );
    assert_eq!(
        r["properties"]["network"]["privateDnsZoneArmResourceId"],
        json!(ResourceKey::DatabaseZone.id(SUB, "shop"))
    );
    assert!(
        ResourceKey::DatabaseZone
            .id(SUB, "shop")
            .ends_with("/resourceGroups/rg-shop-global/providers/Microsoft.Network/privateDnsZones/shop.private.postgres.database.azure.com")
    );
    let e = ops[endpoint].body.as_ref().expect("body");
    assert_eq!(e["properties"]["endpointType"], "ReadWrite");
    assert_eq!(
        e["properties"]["members"],
        json!([crate::names::database_server(SUB, "shop", "westus")])
    );
}

#[test]
fn the_database_subnet_fits_beside_the_existing_ones() {
    let t = shop(RegionMode::Hot, RegionMode::Warm);
    let vnet = layout::desired(&t, SUB)
        .into_iter()
        .find(|d| d.key == ResourceKey::VirtualNetwork("eastus".into()))
        .expect("vnet")
        .body;
    let subnets: Vec<(String, String)> = vnet["properties"]["subnets"]
        .as_array()
        .expect("subnets")
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap_or_default().to_owned(),
                s["properties"]["addressPrefix"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect();
    assert_eq!(
        subnets,
        [
            ("aks".to_owned(), "10.1.0.0/17".to_owned()),
            ("private-endpoints".to_owned(), "10.1.255.192/26".to_owned()),
            ("postgres".to_owned(), "10.1.255.128/26".to_owned()),
        ]
    );
    assert_eq!(
        vnet["properties"]["subnets"][2]["properties"]["delegations"][0]["properties"]["serviceName"],
        "Microsoft.DBforPostgreSQL/flexibleServers"
    );
    // The smallest VNet the topology takes (a /24) still has room for it.
    assert_eq!(
        layout::database_subnet_cidr("10.9.0.0/24").as_deref(),
        Some("10.9.0.128/26")
    );
    // An existing topology adding the database: its VNet gains the subnet, nothing is renumbered.
    let before = Topology::new("shop")
        .region(Region::new("eastus", "10.1.0.0/16").role(RegionRole::Primary))
        .region(Region::new("westus", "10.2.0.0/16").mode(RegionMode::Warm))
        .traffic_manager(TrafficManager::new(RoutingMethod::Priority));
    let plan = plan(&layout::desired(&t, SUB), &observed_after(&before));
    let vnet = &plan.operations[index_of(&plan, &ResourceKey::VirtualNetwork("eastus".into()))];
    assert_eq!(vnet.action, Action::Update);
    assert!(
        vnet.drift
            .iter()
            .all(|d| d.path == "properties.subnets[postgres]"),
        "{:?}",
        vnet.drift
    );
}

#[test]
fn applied_it_plans_no_change() {
    let t = shop(RegionMode::Hot, RegionMode::Warm);
    let plan = plan(&layout::desired(&t, SUB), &applied(&t, "eastus"));
    assert_eq!(summary(&plan), Vec::<String>::new());
}

#[test]
fn a_failover_promotes_the_replica_before_the_traffic_moves() {
    let before = shop(RegionMode::Hot, RegionMode::Warm);
    let after = shop(RegionMode::Warm, RegionMode::Hot);
    let plan = plan(&layout::desired(&after, SUB), &applied(&before, "eastus"));
    let promote = index_of(&plan, &ResourceKey::DatabasePromotion("westus".into()));
    let op = &plan.operations[promote];
    assert_eq!(op.action, Action::Promote);
    assert_eq!(op.id, server("westus").id(SUB, "shop"));
    assert_eq!(
        op.body,
        Some(
            json!({"properties": {"replica": {"promoteMode": "switchover", "promoteOption": "planned"}}})
        )
    );
    assert!(op.reason.contains("planned switchover"), "{}", op.reason);
    let profile = index_of(&plan, &ResourceKey::TrafficManagerProfile);
    assert_eq!(plan.operations[profile].action, Action::Update);
    assert!(
        plan.operations[profile].depends_on.contains(&promote),
        "the traffic moves after the promotion"
    );
    let endpoint = index_of(&plan, &ResourceKey::DatabaseEndpoint("westus".into()));
    assert!(plan.operations[endpoint].depends_on.contains(&promote));
    // Seen through the replica (Azure serves it under every server of the set), the endpoint names
    // the replica: the switchover itself makes its members the old primary, so it is not written.
    let mut observed = applied(&before, "eastus");
    let mut seen = observed.resources[&ResourceKey::DatabaseEndpoint("eastus".into())].clone();
    seen.id = ResourceKey::DatabaseEndpoint("westus".into()).id(SUB, "shop");
    observed
        .resources
        .insert(ResourceKey::DatabaseEndpoint("westus".into()), seen);
    let again = super::plan(&layout::desired(&after, SUB), &observed);
    let op = &again.operations[index_of(&again, &ResourceKey::DatabaseEndpoint("westus".into()))];
    assert_eq!(op.action, Action::NoOp, "{}", op.reason);
    // The old primary is never deleted: it becomes the new primary's replica.
    assert!(
        !plan.changes().any(|o| o.action == Action::Delete
            && matches!(
                o.key,
                ResourceKey::DatabaseServer(_) | ResourceKey::DatabaseEndpoint(_)
            )),
        "{:?}",
        summary(&plan)
    );
}

#[test]
fn a_failover_while_the_primary_does_not_answer_forces_the_promotion() {
    let before = shop(RegionMode::Hot, RegionMode::Warm);
    let after = shop(RegionMode::Warm, RegionMode::Hot);
    let mut observed = applied(&before, "eastus");
    observed
        .resources
        .retain(|k, _| k.group_region() != "eastus" || matches!(k, ResourceKey::ResourceGroup(_)));
    observed
        .unreachable
        .insert("eastus".into(), "503 ServiceUnavailable".into());
    let plan = plan(&layout::desired(&after, SUB), &observed);
    let promote = index_of(&plan, &ResourceKey::DatabasePromotion("westus".into()));
    let op = &plan.operations[promote];
    assert_eq!(
        op.body
            .as_ref()
            .map(|b| b["properties"]["replica"]["promoteOption"].clone()),
        Some(json!("forced"))
    );
    assert!(op.reason.contains("eastus did not answer"), "{}", op.reason);
    let profile = index_of(&plan, &ResourceKey::TrafficManagerProfile);
    assert!(plan.operations[profile].depends_on.contains(&promote));
    let east = &plan.operations[index_of(&plan, &server("eastus"))];
    assert_eq!(east.action, Action::NoOp, "{}", east.reason);
}

#[test]
fn failback_on_request_promotes_the_old_primary_back() {
    let failed_over = shop(RegionMode::Warm, RegionMode::Hot);
    let back = shop(RegionMode::Hot, RegionMode::Warm);
    // Nothing happens to the database until the modes are swapped back.
    let plan_same = plan(
        &layout::desired(&failed_over, SUB),
        &applied(&failed_over, "westus"),
    );
    assert_eq!(summary(&plan_same), Vec::<String>::new());
    let plan = plan(
        &layout::desired(&back, SUB),
        &applied(&failed_over, "westus"),
    );
    let promote = index_of(&plan, &ResourceKey::DatabasePromotion("eastus".into()));
    assert_eq!(
        plan.operations[promote]
            .body
            .as_ref()
            .map(|b| b["properties"]["replica"]["promoteOption"].clone()),
        Some(json!("planned"))
    );
}

#[test]
fn a_database_removed_goes_in_order() {
    let with = shop(RegionMode::Hot, RegionMode::Warm);
    let mut without = with.clone();
    without.database = None;
    let plan = plan(&layout::desired(&without, SUB), &applied(&with, "eastus"));
    let ops = &plan.operations;
    let endpoint = index_of(&plan, &ResourceKey::DatabaseEndpoint("eastus".into()));
    let replica = index_of(&plan, &server("westus"));
    let primary = index_of(&plan, &server("eastus"));
    let zone = index_of(&plan, &ResourceKey::DatabaseZone);
    let link = index_of(&plan, &ResourceKey::DatabaseZoneLink("westus".into()));
    for i in [endpoint, replica, primary, zone, link] {
        assert_eq!(ops[i].action, Action::Delete, "{}", ops[i].key);
    }
    assert!(ops[replica].depends_on.contains(&endpoint));
    assert!(
        ops[primary].depends_on.contains(&replica),
        "replicas before the primary"
    );
    assert!(ops[link].depends_on.contains(&primary));
    assert!(
        ops[zone].depends_on.contains(&link),
        "links before the zone"
    );
}

#[test]
fn a_destroy_deletes_the_servers_before_their_groups() {
    let t = shop(RegionMode::Hot, RegionMode::Warm);
    let all = applied(&t, "eastus");
    let observed = Observed {
        resources: all
            .resources
            .into_iter()
            .filter(|(k, _)| {
                matches!(
                    k,
                    ResourceKey::ResourceGroup(_)
                        | ResourceKey::DatabaseServer(_)
                        | ResourceKey::DatabaseEndpoint(_)
                )
            })
            .collect(),
        ..Observed::default()
    };
    let plan = destroy(&observed);
    let ops = &plan.operations;
    let replica = index_of(&plan, &server("westus"));
    let primary = index_of(&plan, &server("eastus"));
    let group = index_of(&plan, &ResourceKey::ResourceGroup("eastus".into()));
    assert!(ops[primary].depends_on.contains(&replica));
    assert!(ops[group].depends_on.contains(&primary));
}

/// Every operation's dependencies come before it in some order: no cycle (the engine ranks them
/// recursively).
fn acyclic(plan: &Plan) -> bool {
    let n = plan.operations.len();
    let mut state = vec![0u8; n];
    fn visit(i: usize, plan: &Plan, state: &mut [u8]) -> bool {
        match state[i] {
            1 => return false,
            2 => return true,
            _ => {}
        }
        state[i] = 1;
        for &d in &plan.operations[i].depends_on {
            if !visit(d, plan, state) {
                return false;
            }
        }
        state[i] = 2;
        true
    }
    (0..n).all(|i| visit(i, plan, &mut state))
}

#[test]
fn no_plan_waits_on_itself() {
    let hot_home = shop(RegionMode::Hot, RegionMode::Warm);
    let failed_over = shop(RegionMode::Warm, RegionMode::Hot);
    for (t, primary) in [
        (&hot_home, "eastus"),
        (&failed_over, "westus"),
        (&failed_over, "eastus"),
    ] {
        let p = plan(&layout::desired(t, SUB), &applied(&hot_home, primary));
        assert!(acyclic(&p), "{:?}", summary(&p));
        let p = plan(&layout::desired(t, SUB), &Observed::default());
        assert!(acyclic(&p), "{:?}", summary(&p));
    }
    // Made from nothing already failed over: the home is made the primary, West US its replica
    // (the next plan promotes it).
    let p = plan(&layout::desired(&failed_over, SUB), &Observed::default());
    let west = &p.operations[index_of(&p, &server("westus"))];
    assert_eq!(
        west.body.as_ref().expect("body")["properties"]["createMode"],
        "Replica"
    );
    assert!(west.depends_on.contains(&index_of(&p, &server("eastus"))));
    let east = &p.operations[index_of(&p, &server("eastus"))];
    assert_eq!(
        east.body.as_ref().expect("body")["properties"]["createMode"],
        "Create"
    );
}
