//! A region outage as Azure has it (`Emulator::take_region_down`): the region's resources and the
//! operations run there fail (503, or no answer at all in `Hang` mode), writes under groups located
//! there are refused while their reads go on, and everything else is served as usual. Every answer
//! is checked against the real spec of its operation.

mod support;

use arm_emulator::{Config, RegionDown};
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;
use support::{Arm, SUB, code, fast, rg_path};

fn ip_path(rg: &str, name: &str) -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/{rg}/providers/Microsoft.Network/publicIPAddresses/{name}?api-version=2024-03-01"
    )
}

fn ip_body(location: &str, label: &str) -> Value {
    json!({ "location": location, "sku": { "name": "Standard" },
        "properties": { "publicIPAllocationMethod": "Static", "dnsSettings": { "domainNameLabel": label } } })
}

fn tm_path(rg: &str, name: &str) -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/{rg}/providers/Microsoft.Network/trafficmanagerprofiles/{name}?api-version=2022-04-01"
    )
}

fn tm_body(relative: &str) -> Value {
    json!({ "location": "global", "properties": { "trafficRoutingMethod": "Priority",
        "dnsConfig": { "relativeName": relative, "ttl": 30 }, "monitorConfig": { "protocol": "HTTPS", "port": 443, "path": "/" } } })
}

/// Groups `name` in `location`, and a public IP in each region's group.
async fn two_regions(arm: &Arm) {
    for (rg, location) in [("rg-east", "eastus"), ("rg-west", "westus")] {
        let (s, b) = arm
            .req(
                Method::PUT,
                &rg_path(rg),
                Some(json!({ "location": location })),
            )
            .await;
        assert!(s == 201 || s == 200, "{b}");
        let (s, b) = arm
            .req(
                Method::PUT,
                &ip_path(rg, "ip"),
                Some(ip_body(location, &format!("shop-{location}"))),
            )
            .await;
        assert_eq!(s, 201, "{b}");
    }
    arm.settle().await;
}

#[tokio::test]
async fn a_region_that_is_down_fails_its_resources_and_its_operations() {
    let arm = Arm::start(fast()).await;
    two_regions(&arm).await;
    // An operation run in eastus, whose status document lives at …/locations/eastus/operations/….
    let (_, headers, _) = arm
        .put(&ip_path("rg-east", "ip"), ip_body("eastus", "shop-eastus"))
        .await;
    let operation = headers["azure-asyncoperation"]
        .to_str()
        .expect("header")
        .to_owned();
    assert!(operation.contains("/locations/eastus/operations/"));

    arm.emulator.take_region_down("East US", RegionDown::Fail);
    let (s, b) = arm.req(Method::GET, &ip_path("rg-east", "ip"), None).await;
    assert_eq!((s, code(&b)), (503, "ServiceUnavailable"), "{b}");
    let (s, b) = arm.req(Method::GET, &operation, None).await;
    assert_eq!((s, code(&b)), (503, "ServiceUnavailable"), "{b}");
    let (s, b) = arm
        .req(
            Method::PUT,
            &ip_path("rg-west", "new-in-east"),
            Some(ip_body("eastus", "new-in-east")),
        )
        .await;
    assert_eq!(s, 503, "nothing is created in a region that is down: {b}");
    let (s, b) = arm.req(Method::GET, &ip_path("rg-west", "ip"), None).await;
    assert_eq!(s, 200, "the other region is served: {b}");
    let (s, b) = arm
        .req(
            Method::PUT,
            &ip_path("rg-west", "more"),
            Some(ip_body("westus", "more-west")),
        )
        .await;
    assert_eq!(s, 201, "{b}");

    let regions: Value = arm
        .http
        .get(format!("{}/_emulator/regions", arm.emulator.endpoint()))
        .send()
        .await
        .expect("regions")
        .json()
        .await
        .expect("json");
    assert_eq!(regions["down"][0]["region"], "eastus", "{regions}");
    assert_eq!(regions["down"][0]["mode"], "Fail");

    arm.emulator.restore_region("eastus");
    let (s, b) = arm.req(Method::GET, &ip_path("rg-east", "ip"), None).await;
    assert_eq!(s, 200, "{b}");
    let (s, _) = arm.req(Method::GET, &operation, None).await;
    assert_eq!(s, 200);
    let regions: Value = arm
        .http
        .get(format!("{}/_emulator/regions", arm.emulator.endpoint()))
        .send()
        .await
        .expect("regions")
        .json()
        .await
        .expect("json");
    assert_eq!(regions["down"], json!([]));
    assert!(regions["outages"][0]["until"].is_string(), "{regions}");
}

#[tokio::test]
async fn a_region_that_hangs_holds_its_requests_until_it_is_restored() {
    let arm = Arm::start(fast()).await;
    two_regions(&arm).await;
    arm.emulator.take_region_down("eastus", RegionDown::Hang);
    let url = |rg: &str| format!("{}{}", arm.emulator.endpoint(), ip_path(rg, "ip"));
    let given_up = arm
        .http
        .get(url("rg-east"))
        .bearer_auth(&arm.token)
        .timeout(Duration::from_millis(300))
        .send()
        .await;
    assert!(
        given_up.as_ref().is_err_and(reqwest::Error::is_timeout),
        "the client gives up first: {given_up:?}"
    );
    // Held requests block nothing else.
    let (s, _) = arm.req(Method::GET, &ip_path("rg-west", "ip"), None).await;
    assert_eq!(s, 200);

    let held = tokio::spawn({
        let (http, token, url) = (arm.http.clone(), arm.token.clone(), url("rg-east"));
        async move { http.get(url).bearer_auth(token).send().await }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!held.is_finished(), "still held");
    arm.emulator.restore_region("eastus");
    let answered = tokio::time::timeout(Duration::from_secs(10), held)
        .await
        .expect("answered once restored")
        .expect("task")
        .expect("response");
    assert_eq!(
        answered.status(),
        200,
        "answered as usual after the restore"
    );
}

#[tokio::test]
async fn a_held_request_does_not_keep_the_emulator_from_stopping() {
    let mut arm = Arm::start(fast()).await;
    two_regions(&arm).await;
    arm.emulator.take_region_down("eastus", RegionDown::Hang);
    let held = tokio::spawn({
        let url = format!("{}{}", arm.emulator.endpoint(), ip_path("rg-east", "ip"));
        let (http, token) = (arm.http.clone(), arm.token.clone());
        async move { http.get(url).bearer_auth(token).send().await }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    arm.emulator.stop();
    let outcome = tokio::time::timeout(Duration::from_secs(10), held)
        .await
        .expect("the stop ends the held request")
        .expect("task");
    assert!(outcome.is_err(), "dropped, not answered: {outcome:?}");
}

#[tokio::test]
async fn writes_under_a_group_in_a_region_that_is_down_are_refused_and_reads_go_on() {
    let arm = Arm::start(fast()).await;
    for (rg, location) in [("rg-global-east", "eastus"), ("rg-global-west", "westus")] {
        arm.req(
            Method::PUT,
            &rg_path(rg),
            Some(json!({ "location": location })),
        )
        .await;
    }
    for (rg, relative) in [("rg-global-east", "shop-e"), ("rg-global-west", "shop-w")] {
        let (s, b) = arm
            .req(Method::PUT, &tm_path(rg, "tm"), Some(tm_body(relative)))
            .await;
        assert_eq!(s, 201, "{b}");
    }
    arm.emulator.take_region_down("eastus", RegionDown::Fail);

    // The profile is global, but its group's metadata lives in eastus.
    let (s, b) = arm
        .req(
            Method::PUT,
            &tm_path("rg-global-east", "tm"),
            Some(tm_body("shop-e")),
        )
        .await;
    assert_eq!((s, code(&b)), (503, "ServiceUnavailable"), "{b}");
    let endpoint = tm_path("rg-global-east", "tm").replace("?", "/externalEndpoints/dr?");
    let (s, _) = arm
        .req(
            Method::PUT,
            &endpoint,
            Some(json!({ "properties": { "target": "dr.westus.cloudapp.azure.com", "priority": 2 } })),
        )
        .await;
    assert_eq!(s, 503, "an endpoint is a write under the group too");
    let (s, _) = arm
        .req(Method::DELETE, &tm_path("rg-global-east", "tm"), None)
        .await;
    assert_eq!(s, 503);
    let (s, b) = arm
        .req(Method::GET, &tm_path("rg-global-east", "tm"), None)
        .await;
    assert_eq!(s, 200, "reads go on: {b}");
    let (s, _) = arm.req(Method::GET, &rg_path("rg-global-east"), None).await;
    assert_eq!(s, 200, "so does the group's own");
    let (s, _) = arm
        .req(
            Method::PUT,
            &rg_path("rg-global-east"),
            Some(json!({ "location": "eastus", "tags": { "a": "b" } })),
        )
        .await;
    assert_eq!(s, 503, "the group itself is not updated");
    let (s, _) = arm
        .req(
            Method::PUT,
            &rg_path("rg-new-east"),
            Some(json!({ "location": "eastus" })),
        )
        .await;
    assert_eq!(s, 503, "nor is a group created there");

    // A group located elsewhere is written as usual.
    let (s, b) = arm
        .req(
            Method::PUT,
            &tm_path("rg-global-west", "tm"),
            Some(tm_body("shop-w")),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    arm.emulator.restore_region("eastus");
    let (s, b) = arm
        .req(
            Method::PUT,
            &tm_path("rg-global-east", "tm"),
            Some(tm_body("shop-e")),
        )
        .await;
    assert_eq!(s, 200, "{b}");
}

#[tokio::test]
async fn regions_down_from_the_start_and_the_path_outage_still_work() {
    let arm = Arm::start(Config {
        regions_down: vec![("westus".to_owned(), RegionDown::Fail)],
        ..fast()
    })
    .await;
    arm.req(
        Method::PUT,
        &rg_path("rg-west"),
        Some(json!({ "location": "westus" })),
    )
    .await;
    let (s, _) = arm
        .req(
            Method::PUT,
            &rg_path("rg-east"),
            Some(json!({ "location": "eastus" })),
        )
        .await;
    assert_eq!(s, 201);
    let (s, _) = arm.req(Method::GET, &rg_path("rg-west"), None).await;
    assert_eq!(
        s, 404,
        "the group could not be created while its region was down"
    );
    arm.emulator.take_down("/resourceGroups/rg-east");
    let (s, b) = arm
        .req(
            Method::PUT,
            &ip_path("rg-east", "ip"),
            Some(ip_body("eastus", "shop-east")),
        )
        .await;
    assert_eq!((s, code(&b)), (503, "ServiceUnavailable"));
}
