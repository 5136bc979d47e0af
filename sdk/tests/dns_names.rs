//! Traffic Manager DNS names are global: a topology whose profile would answer at a name another
//! profile holds (another team's, another subscription's) stops at the plan, before anything is
//! written, with the attribute to change; a topology's own profile is never asked about again.

mod support;

use bcdr::engine::CancelSignal;
use bcdr::model::{RoutingMethod, TrafficManager};
use bcdr::{Error, Topology};
use serde_json::json;
use support::*;

fn checks(emulator: &arm_emulator::Emulator) -> usize {
    emulator
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/checkTrafficManagerNameAvailabilityV2"))
        .count()
}

fn shop(dns_name: Option<&str>) -> Topology {
    let mut tm = TrafficManager::new(RoutingMethod::Priority);
    tm.dns_name = dns_name.map(str::to_owned);
    topology(
        "shop",
        &[("eastus", "10.1.0.0/16"), ("westus", "10.2.0.0/16")],
    )
    .traffic_manager(tm)
}

#[tokio::test]
async fn a_taken_dns_name_stops_the_plan_and_a_topologys_own_is_not_asked_about_again() {
    let (emulator, client) = setup(fast()).await;
    // Another team's profile, outside the topology, already answers at bcdr-shop.trafficmanager.net.
    let arm = client.arm();
    arm.put(
        "/subscriptions/00000000-0000-0000-0000-000000000001/resourcegroups/theirs",
        "2024-03-01",
        &json!({ "location": "eastus" }),
        &[],
    )
    .await
    .expect("group");
    let theirs = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/theirs/providers/Microsoft.Network/trafficmanagerprofiles/web";
    let body = json!({ "location": "global", "properties": { "trafficRoutingMethod": "Priority",
        "dnsConfig": { "relativeName": "bcdr-shop", "ttl": 30 },
        "monitorConfig": { "protocol": "HTTPS", "port": 443, "path": "/" } } });
    arm.put(theirs, "2022-04-01", &body, &[])
        .await
        .expect("their profile");
    emulator.clear_requests();

    let failure = client
        .apply(&shop(None), CancelSignal::never(), &quiet)
        .await
        .expect_err("the default name is taken");
    let Error::Invalid(errors) = &failure.error else {
        panic!("{failure}");
    };
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].path.to_string(), "traffic_manager.dns_name");
    assert!(errors[0].detail.starts_with("bcdr-shop.trafficmanager.net is taken (Domain name bcdr-shop.trafficmanager.net already exists"), "{}", errors[0]);
    assert!(writes(&emulator).is_empty(), "{:?}", writes(&emulator));

    let t = shop(Some("shop-dr-7f3a"));
    client
        .apply(&t, CancelSignal::never(), &quiet)
        .await
        .expect("a name of its own");
    emulator.clear_requests();
    let (plan, _) = client.plan(&t).await.expect("plan");
    assert!(!plan.has_changes());
    assert_eq!(
        checks(&emulator),
        0,
        "its own profile's name is not asked about"
    );
}
