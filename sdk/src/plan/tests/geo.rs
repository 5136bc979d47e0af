//! Golden plans for Geographic routing with standbys: an area's child profile under the parent, a
//! failover inside an area writing only that area's profile, an area dissolving.

use super::*;
use crate::model::{EndpointSettings, RegionMode, RoutingMethod, TrafficManager};

fn geo(codes: &[&str]) -> EndpointSettings {
    EndpointSettings::default().geo_mappings(codes.iter().copied())
}

/// Europe: North hot, West warm; the rest of the world: East US alone.
fn areas() -> Topology {
    Topology::new("shop")
        .region(Region::new("northeurope", "10.1.0.0/16").endpoint(geo(&["GEO-EU"])))
        .region(
            Region::new("westeurope", "10.2.0.0/16")
                .mode(RegionMode::Warm)
                .endpoint(geo(&["GEO-EU"])),
        )
        .region(Region::new("eastus", "10.3.0.0/16").endpoint(geo(&["WORLD"])))
        .traffic_manager(TrafficManager::new(RoutingMethod::Geographic))
}

fn body(plan: &Plan, key: &ResourceKey) -> serde_json::Value {
    plan.operations
        .iter()
        .find(|o| &o.key == key)
        .and_then(|o| o.body.clone())
        .expect("body")
}

#[test]
fn an_area_with_a_standby_gets_a_priority_child_profile_nested_in_the_parent() {
    let t = areas();
    let plan = plan(&layout::desired(&t, SUB), &Observed::default());
    let child_key = ResourceKey::TrafficManagerChild("geo-eu".into());
    let child = body(&plan, &child_key);
    assert_eq!(child["properties"]["trafficRoutingMethod"], "Priority");
    assert_eq!(
        child["properties"]["dnsConfig"]["relativeName"],
        "bcdr-shop-geo-eu"
    );
    let status: Vec<(String, String, u64)> = child["properties"]["endpoints"]
        .as_array()
        .expect("endpoints")
        .iter()
        .map(|e| {
            (
                e["name"].as_str().unwrap_or_default().to_owned(),
                e["properties"]["endpointStatus"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                e["properties"]["priority"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        status,
        [
            ("northeurope".to_owned(), "Enabled".to_owned(), 1),
            ("westeurope".to_owned(), "Disabled".to_owned(), 2)
        ]
    );
    let parent = body(&plan, &ResourceKey::TrafficManagerProfile);
    let endpoints = parent["properties"]["endpoints"]
        .as_array()
        .expect("endpoints");
    assert_eq!(endpoints.len(), 2, "{endpoints:#?}");
    let nested = endpoints
        .iter()
        .find(|e| e["name"] == "geo-eu")
        .expect("nested");
    assert_eq!(
        nested["type"],
        "Microsoft.Network/trafficManagerProfiles/nestedEndpoints"
    );
    assert_eq!(nested["properties"]["geoMapping"], json!(["GEO-EU"]));
    assert!(
        nested["properties"]["targetResourceId"]
            .as_str()
            .is_some_and(|id| id.ends_with("/trafficmanagerprofiles/tm-shop-geo-eu"))
    );
    let parent_op = plan
        .operations
        .iter()
        .position(|o| o.key == ResourceKey::TrafficManagerProfile)
        .expect("parent");
    let child_op = plan
        .operations
        .iter()
        .position(|o| o.key == child_key)
        .expect("child");
    assert!(plan.operations[parent_op].depends_on.contains(&child_op));
}

#[test]
fn failing_over_inside_an_area_writes_only_its_profile() {
    let mut after = areas();
    after.regions[0].mode = RegionMode::Warm;
    after.regions[1].mode = RegionMode::Hot;
    let plan = plan(&layout::desired(&after, SUB), &observed_after(&areas()));
    assert_eq!(
        summary(&plan),
        ["update Traffic Manager area profile (geo-eu)"]
    );
}

#[test]
fn an_area_losing_its_standby_deletes_its_profile_after_the_parent_update() {
    let mut after = areas();
    after.regions[1].endpoint = geo(&["GEO-AF"]);
    after.regions[1].mode = RegionMode::Hot;
    let plan = plan(&layout::desired(&after, SUB), &observed_after(&areas()));
    assert_eq!(
        summary(&plan),
        [
            "update Traffic Manager profile",
            "delete Traffic Manager area profile (geo-eu)"
        ]
    );
    let parent = plan
        .operations
        .iter()
        .position(|o| o.key == ResourceKey::TrafficManagerProfile)
        .expect("parent");
    let child = plan
        .operations
        .iter()
        .find(|o| o.key == ResourceKey::TrafficManagerChild("geo-eu".into()))
        .expect("child delete");
    assert_eq!(child.depends_on, [parent]);
}
