//! The SDK against the emulator for Geographic routing with standbys: each area of regions sharing
//! codes gets a Priority child profile nested under the Geographic parent; failing over inside an
//! area writes only that area's profile; import rebuilds the codes; destroy leaves nothing.

mod support;

use bcdr::engine::CancelSignal;
use bcdr::layout::ResourceKey;
use bcdr::model::{EndpointSettings, RegionMode, RoutingMethod, TrafficManager};
use bcdr::{Region, Topology};
use support::*;

fn geo(codes: &[&str]) -> EndpointSettings {
    EndpointSettings::default().geo_mappings(codes.iter().copied())
}

#[tokio::test]
async fn geographic_areas_with_warm_standbys_fail_over_inside_their_area() {
    let (emulator, client) = setup(fast()).await;
    let t = Topology::new("geo")
        .region(Region::new("northeurope", "10.1.0.0/16").endpoint(geo(&["GEO-EU", "GEO-AF"])))
        .region(
            Region::new("westeurope", "10.2.0.0/16")
                .mode(RegionMode::Warm)
                .endpoint(geo(&["GEO-EU", "GEO-AF"])),
        )
        .region(Region::new("eastus", "10.3.0.0/16").endpoint(geo(&["WORLD"])))
        .region(
            Region::new("westus", "10.4.0.0/16")
                .mode(RegionMode::Warm)
                .endpoint(geo(&["WORLD"])),
        )
        .traffic_manager(TrafficManager::new(RoutingMethod::Geographic));
    let applied = client
        .apply(&t, CancelSignal::never(), &quiet)
        .await
        .expect("apply");
    let status = |s: &bcdr::topology::TopologyStatus| -> Vec<(String, String)> {
        s.regions
            .iter()
            .map(|(r, st)| (r.clone(), st.endpoint_status.clone()))
            .collect()
    };
    assert_eq!(
        status(&applied.status),
        [
            ("eastus".to_owned(), "Enabled".to_owned()),
            ("northeurope".to_owned(), "Enabled".to_owned()),
            ("westeurope".to_owned(), "Disabled".to_owned()),
            ("westus".to_owned(), "Disabled".to_owned()),
        ]
    );
    let ids = emulator.resource_ids();
    assert!(
        ids.iter().any(|id| id
            .to_ascii_lowercase()
            .ends_with("/trafficmanagerprofiles/tm-geo-geo-af")),
        "{ids:#?}"
    );
    assert!(!client.plan(&t).await.expect("plan").0.has_changes());

    emulator.clear_requests();
    let switch = client
        .failover(&t, "northeurope", "westeurope", CancelSignal::never())
        .await
        .expect("failover");
    let writes: Vec<String> = emulator
        .requests()
        .iter()
        .filter(|r| r.method == "PUT")
        .map(|r| r.path.clone())
        .collect();
    assert_eq!(writes.len(), 1, "{writes:#?}");
    assert!(writes[0].contains("/tm-geo-geo-af"), "{writes:#?}");
    assert_eq!(
        switch.status.regions["westeurope"].endpoint_status,
        "Enabled"
    );
    assert_eq!(
        switch.status.regions["northeurope"].endpoint_status,
        "Disabled"
    );
    assert_eq!(switch.status.regions["eastus"].endpoint_status, "Enabled");

    let imported = client.import("geo").await.expect("import").expect("found");
    assert!(
        !bcdr::topology::plan_against(&imported, &observe(&client, &switch.topology).await, SUB)
            .has_changes(),
        "import rebuilds areas and modes: {imported:#?}"
    );
    let europe: Vec<_> = imported
        .regions
        .iter()
        .filter(|r| r.name.ends_with("europe"))
        .map(|r| r.endpoint.geo_mappings.clone())
        .collect();
    assert_eq!(europe, [vec!["GEO-EU", "GEO-AF"], vec!["GEO-EU", "GEO-AF"]]);

    // Dissolving an area: West US takes its own codes; the WORLD area profile goes after the parent
    // stops pointing at it.
    let mut split = switch.topology.clone();
    for r in &mut split.regions {
        if r.name == "westus" {
            r.endpoint = geo(&["GEO-SA"]);
            r.mode = RegionMode::Hot;
        }
    }
    client
        .apply(&split, CancelSignal::never(), &quiet)
        .await
        .expect("split");
    assert!(
        !emulator
            .resource_ids()
            .iter()
            .any(|id| id.ends_with("/tm-geo-world")),
        "{:#?}",
        emulator.resource_ids()
    );
    assert!(!client.plan(&split).await.expect("plan").0.has_changes());
    destroy_to_nothing(&emulator, &client, "geo").await;
    let _ = ResourceKey::TrafficManagerProfile;
}

async fn observe(client: &bcdr::TopologyClient, t: &Topology) -> bcdr::plan::Observed {
    client.observe(t).await.expect("observe")
}
