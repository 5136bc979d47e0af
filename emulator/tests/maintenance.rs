//! AKS planned maintenance over raw HTTPS: `managedClusters/{c}/maintenanceConfigurations/{name}`
//! answered at once (PUT 200 with the configuration, DELETE 200, 204 when there is none), listed by
//! cluster; only AKS's three names; a `maintenanceWindow` checked as the spec bounds it; 404 without
//! the cluster, gone with it, and down with its cluster's region. Every answer is checked against its
//! operation's spec.

mod support;

use arm_emulator::RegionDown;
use reqwest::Method;
use serde_json::{Value, json};
use support::{Arm, SUB, code, fast};

fn cluster_path(cluster: &str) -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/g/providers/Microsoft.ContainerService/managedClusters/{cluster}?api-version=2024-09-01"
    )
}

fn config_id(cluster: &str, name: &str) -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/g/providers/Microsoft.ContainerService/managedClusters/{cluster}/maintenanceConfigurations/{name}"
    )
}

fn config_path(cluster: &str, name: &str) -> String {
    format!("{}?api-version=2024-09-01", config_id(cluster, name))
}

fn list_path(cluster: &str) -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/g/providers/Microsoft.ContainerService/managedClusters/{cluster}/maintenanceConfigurations?api-version=2024-09-01"
    )
}

fn weekly() -> Value {
    json!({ "properties": { "maintenanceWindow": {
        "schedule": { "weekly": { "intervalWeeks": 1, "dayOfWeek": "Sunday" } },
        "durationHours": 4, "utcOffset": "+00:00", "startTime": "00:00" } } })
}

/// A cluster `c` in eastus, done provisioning.
async fn cluster(arm: &Arm, name: &str) {
    let body = json!({ "location": "eastus", "identity": { "type": "SystemAssigned" },
        "properties": { "dnsPrefix": name, "agentPoolProfiles": [{ "name": "system", "mode": "System", "count": 1, "vmSize": "Standard_D4ds_v5" }] } });
    let (s, b) = arm.req(Method::PUT, &cluster_path(name), Some(body)).await;
    assert_eq!(s, 201, "{b}");
    for _ in 0..400 {
        let (_, b) = arm.req(Method::GET, &cluster_path(name), None).await;
        if b["properties"]["provisioningState"] == "Succeeded" {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    panic!("the cluster never settled");
}

fn today() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!(
        "{:04}-{:02}-{:02}",
        now.year(),
        u8::from(now.month()),
        now.day()
    )
}

#[tokio::test]
async fn a_configuration_is_written_read_listed_and_deleted_at_once() {
    let arm = Arm::start(fast()).await;
    arm.group("g").await;
    cluster(&arm, "c").await;

    let (s, empty) = arm.req(Method::GET, &list_path("c"), None).await;
    assert_eq!((s, empty), (200, json!({ "value": [] })));

    // Answered at once, 200 with the configuration as recorded (no `type` nor `systemData` for the
    // aksManaged* names, the day it was written as its `startDate`).
    let (s, headers, put) = arm
        .put(&config_path("c", "aksManagedAutoUpgradeSchedule"), weekly())
        .await;
    assert_eq!(s.as_u16(), 200, "{put}");
    assert!(headers.get("azure-asyncoperation").is_none());
    let mut expected = weekly();
    expected["id"] = json!(config_id("c", "aksManagedAutoUpgradeSchedule"));
    expected["name"] = json!("aksManagedAutoUpgradeSchedule");
    expected["properties"]["maintenanceWindow"]["startDate"] = json!(today());
    assert_eq!(put, expected);

    let (s, got) = arm
        .req(
            Method::GET,
            &config_path("c", "aksManagedAutoUpgradeSchedule"),
            None,
        )
        .await;
    assert_eq!((s, &got), (200, &expected));

    // An update replaces it; a startDate sent is kept.
    let mut update = weekly();
    update["properties"]["maintenanceWindow"]["startDate"] = json!("2123-01-01");
    update["properties"]["maintenanceWindow"]["schedule"] = json!({ "relativeMonthly": { "intervalMonths": 1, "weekIndex": "Last", "dayOfWeek": "Tuesday" } });
    let (s, b) = arm
        .req(
            Method::PUT,
            &config_path("c", "aksManagedAutoUpgradeSchedule"),
            Some(update.clone()),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["properties"], update["properties"]);

    // The `default` configuration's own shape (timeInWeek, notAllowedTime) is kept as sent.
    let default = json!({ "properties": { "timeInWeek": [{ "day": "Monday", "hourSlots": [1, 2] }],
        "notAllowedTime": [{ "start": "2020-11-26T03:00:00Z", "end": "2020-11-30T12:00:00Z" }] } });
    let (s, b) = arm
        .req(
            Method::PUT,
            &config_path("c", "default"),
            Some(default.clone()),
        )
        .await;
    assert_eq!((s, &b["properties"]), (200, &default["properties"]), "{b}");
    // `default` alone shows its type and systemData (the spec's examples; MicrosoftDocs #108655).
    assert_eq!(
        b["type"],
        "Microsoft.ContainerService/managedClusters/maintenanceConfigurations"
    );
    let created = b["systemData"]["createdAt"].clone();
    assert!(
        created.as_str().is_some_and(|t| t.starts_with(&today())),
        "{b}"
    );
    let (_, again) = arm
        .req(Method::PUT, &config_path("c", "default"), Some(default))
        .await;
    assert_eq!(again["systemData"]["createdAt"], created, "{again}");

    let (s, list) = arm.req(Method::GET, &list_path("c"), None).await;
    assert_eq!(s, 200, "{list}");
    let names: Vec<&str> = list["value"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(names, ["aksManagedAutoUpgradeSchedule", "default"]);

    let (s, headers, b) = arm
        .call(
            Method::DELETE,
            &config_path("c", "aksManagedAutoUpgradeSchedule"),
            None,
        )
        .await;
    assert_eq!((s.as_u16(), &b), (200, &Value::Null));
    assert!(headers.get("location").is_none());
    let (s, b) = arm
        .req(
            Method::GET,
            &config_path("c", "aksManagedAutoUpgradeSchedule"),
            None,
        )
        .await;
    assert_eq!((s, code(&b)), (404, "NotFound"), "{b}");
    let (s, _) = arm
        .req(
            Method::DELETE,
            &config_path("c", "aksManagedAutoUpgradeSchedule"),
            None,
        )
        .await;
    assert_eq!(s, 204);
}

#[tokio::test]
async fn only_aks_names_and_windows_within_the_spec_are_accepted() {
    let arm = Arm::start(fast()).await;
    arm.group("g").await;
    cluster(&arm, "c").await;

    let (s, b) = arm
        .req(Method::PUT, &config_path("c", "nightly"), Some(weekly()))
        .await;
    assert_eq!((s, code(&b)), (400, "InvalidParameter"), "{b}");
    assert!(
        b["message"]
            .as_str()
            .is_some_and(|m| m.contains("configNames"))
    );

    let name = "aksManagedNodeOSUpgradeSchedule";
    let bad: [(&str, Value); 8] = [
        ("durationHours", json!(3)),
        ("durationHours", json!(25)),
        ("durationHours", Value::Null),
        ("startTime", json!("9:00")),
        ("startTime", json!("24:00")),
        ("utcOffset", json!("05:30")),
        (
            "schedule",
            json!({ "daily": { "intervalDays": 1 }, "weekly": { "intervalWeeks": 1, "dayOfWeek": "Sunday" } }),
        ),
        ("schedule", json!({})),
    ];
    for (field, value) in bad {
        let mut body = weekly();
        body["properties"]["maintenanceWindow"][field] = value.clone();
        let (s, b) = arm
            .req(Method::PUT, &config_path("c", name), Some(body))
            .await;
        assert_eq!(
            (s, code(&b)),
            (400, "InvalidParameter"),
            "{field} = {value}: {b}"
        );
    }
    let mut body = weekly();
    body["properties"]["maintenanceWindow"]["schedule"] =
        json!({ "weekly": { "intervalWeeks": 5, "dayOfWeek": "Sunday" } });
    let (s, b) = arm
        .req(Method::PUT, &config_path("c", name), Some(body))
        .await;
    assert_eq!((s, code(&b)), (400, "InvalidParameter"), "{b}");
    assert_eq!(
        b["target"],
        "properties.maintenanceWindow.schedule.weekly.intervalWeeks"
    );
    // Nothing was written.
    let (s, list) = arm.req(Method::GET, &list_path("c"), None).await;
    assert_eq!((s, list), (200, json!({ "value": [] })));
}

#[tokio::test]
async fn a_configuration_needs_its_cluster_and_goes_with_it() {
    let arm = Arm::start(fast()).await;
    arm.group("g").await;

    let (s, b) = arm
        .req(Method::PUT, &config_path("nope", "default"), Some(weekly()))
        .await;
    assert_eq!((s, code(&b)), (404, "ResourceNotFound"), "{b}");
    let (s, b) = arm
        .req(Method::GET, &config_path("nope", "default"), None)
        .await;
    assert_eq!((s, code(&b)), (404, "ResourceNotFound"), "{b}");
    let (s, b) = arm.req(Method::GET, &list_path("nope"), None).await;
    assert_eq!((s, code(&b)), (404, "ParentResourceNotFound"), "{b}");

    cluster(&arm, "c").await;
    let (s, b) = arm
        .req(Method::PUT, &config_path("c", "default"), Some(weekly()))
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(
        arm.req(Method::DELETE, &cluster_path("c"), None).await.0,
        202
    );
    arm.gone(&cluster_path("c")).await;
    // A new cluster of the same name has none.
    cluster(&arm, "c").await;
    let (s, b) = arm
        .req(Method::GET, &config_path("c", "default"), None)
        .await;
    assert_eq!((s, code(&b)), (404, "NotFound"), "{b}");
    let (s, list) = arm.req(Method::GET, &list_path("c"), None).await;
    assert_eq!((s, list), (200, json!({ "value": [] })));
}

#[tokio::test]
async fn a_configuration_is_down_with_its_clusters_region() {
    let arm = Arm::start(fast()).await;
    arm.group("g").await;
    cluster(&arm, "c").await;
    let (s, b) = arm
        .req(Method::PUT, &config_path("c", "default"), Some(weekly()))
        .await;
    assert_eq!(s, 200, "{b}");

    arm.emulator.take_region_down("eastus", RegionDown::Fail);
    let (s, b) = arm
        .req(Method::GET, &config_path("c", "default"), None)
        .await;
    assert_eq!((s, code(&b)), (503, "ServiceUnavailable"), "{b}");
    let (s, b) = arm
        .req(Method::PUT, &config_path("c", "default"), Some(weekly()))
        .await;
    assert_eq!((s, code(&b)), (503, "ServiceUnavailable"), "{b}");

    arm.emulator.restore_region("eastus");
    let (s, b) = arm
        .req(Method::GET, &config_path("c", "default"), None)
        .await;
    assert_eq!(s, 200, "{b}");
}
