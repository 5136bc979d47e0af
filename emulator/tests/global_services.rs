//! Raw HTTPS against the emulator for the global services: geo-replicated container registries,
//! storage accounts with blob containers, and Front Door. Every answer is checked against the real spec
//! of its operation (blob containers excepted: their spec is not among the pinned files).

mod support;

use reqwest::Method;
use serde_json::{Value, json};
use support::{Arm, SUB, code, fast, rg_path};

fn acr_path(name: &str) -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/g/providers/Microsoft.ContainerRegistry/registries/{name}?api-version=2023-07-01"
    )
}

fn replica_path(registry: &str, name: &str) -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/g/providers/Microsoft.ContainerRegistry/registries/{registry}/replications/{name}?api-version=2023-07-01"
    )
}

#[tokio::test]
async fn registries_are_unique_and_replicate_only_on_premium() {
    let arm = Arm::start(fast()).await;
    arm.group("g").await;
    assert_eq!(
        arm.req(
            Method::PUT,
            &acr_path("bad-name"),
            Some(json!({ "location": "eastus", "sku": { "name": "Premium" } }))
        )
        .await
        .0,
        400
    );
    let (s, b) = arm
        .req(
            Method::PUT,
            &acr_path("shopacr01"),
            Some(json!({ "location": "eastus", "sku": { "name": "Standard" } })),
        )
        .await;
    // A registry's create is answered at once, 200 `Succeeded` (acr-replication #0).
    assert_eq!(
        (s, b["properties"]["provisioningState"].as_str()),
        (200, Some("Succeeded")),
        "{b}"
    );
    assert_eq!(b["properties"]["loginServer"], "shopacr01.azurecr.io");
    arm.settle().await;
    let check = format!(
        "/subscriptions/{SUB}/providers/Microsoft.ContainerRegistry/checkNameAvailability?api-version=2023-07-01"
    );
    let (s, b) = arm
        .req(
            Method::POST,
            &check,
            Some(json!({ "name": "shopacr01", "type": "Microsoft.ContainerRegistry/registries" })),
        )
        .await;
    assert_eq!(
        (s, b["nameAvailable"].as_bool(), b["reason"].as_str()),
        (200, Some(false), Some("AlreadyExists"))
    );
    let (s, b) = arm
        .req(
            Method::PUT,
            &replica_path("shopacr01", "westus"),
            Some(json!({ "location": "westus" })),
        )
        .await;
    assert_eq!(s, 400, "Standard registries do not replicate: {b}");
    let (s, _) = arm
        .req(
            Method::PUT,
            &acr_path("shopacr01"),
            Some(json!({ "location": "eastus", "sku": { "name": "Premium" } })),
        )
        .await;
    assert_eq!(s, 200);
    arm.settle().await;
    let (s, b) = arm
        .req(
            Method::PUT,
            &replica_path("shopacr01", "westus"),
            Some(json!({ "location": "westus" })),
        )
        .await;
    assert_eq!(
        (s, b["properties"]["provisioningState"].as_str()),
        (201, Some("Creating"))
    );
    let (s, _) = arm
        .req(
            Method::PUT,
            &replica_path("shopacr01", "eastus"),
            Some(json!({ "location": "eastus" })),
        )
        .await;
    assert_eq!(
        s, 201,
        "Azure accepts a replica in the home region; not asking for one is the client's job"
    );
    arm.settle().await;
    assert_eq!(
        arm.req(Method::GET, &replica_path("shopacr01", "westus"), None)
            .await
            .1["properties"]["provisioningState"],
        "Succeeded"
    );
    assert_eq!(
        arm.req(Method::DELETE, &acr_path("shopacr01"), None)
            .await
            .0,
        202
    );
    arm.settle().await;
    assert_eq!(
        arm.req(Method::GET, &replica_path("shopacr01", "westus"), None)
            .await
            .0,
        404,
        "replicas go with their registry"
    );
}

#[tokio::test]
async fn storage_accounts_answer_202_without_a_body_and_report_their_paired_secondary() {
    let arm = Arm::start(fast()).await;
    arm.group("g").await;
    let account = |name: &str| {
        format!(
            "/subscriptions/{SUB}/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/{name}?api-version=2023-05-01"
        )
    };
    let body =
        json!({ "location": "eastus", "kind": "StorageV2", "sku": { "name": "Standard_GRS" } });
    let (s, b) = arm
        .req(Method::PUT, &account("Bad_Name"), Some(body.clone()))
        .await;
    assert_eq!((s, code(&b)), (400, "AccountNameInvalid"));
    let (s, b) = arm
        .req(Method::PUT, &account("shopbackup01"), Some(body.clone()))
        .await;
    assert_eq!(
        (s, b),
        (202, Value::Null),
        "accepted, no body: the spec's 202"
    );
    arm.settle().await;
    let (s, b) = arm.req(Method::GET, &account("shopbackup01"), None).await;
    assert_eq!(s, 200);
    assert_eq!(
        (
            b["properties"]["primaryLocation"].as_str(),
            b["properties"]["secondaryLocation"].as_str()
        ),
        (Some("eastus"), Some("westus")),
        "GRS replicates to the pair"
    );
    let (s, b) = arm
        .req(Method::PUT, &account("shopbackup01"), Some(body.clone()))
        .await;
    assert_eq!(
        (s, b["name"].as_str()),
        (200, Some("shopbackup01")),
        "an unchanged account answers 200 at once"
    );
    let container = format!(
        "/subscriptions/{SUB}/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/shopbackup01/blobServices/default/containers/velero-eastus?api-version=2023-05-01"
    );
    let resp = arm
        .http
        .put(format!("{}{container}", arm.emulator.endpoint()))
        .bearer_auth(&arm.token)
        .json(&json!({ "properties": { "publicAccess": "None" } }))
        .send()
        .await
        .expect("put");
    assert_eq!(
        resp.status(),
        201,
        "containers are synchronous (their spec, blob.json, is not among the pinned files)"
    );
    assert_eq!(
        arm.req(Method::DELETE, &account("shopbackup01"), None)
            .await
            .0,
        200
    );
    assert_eq!(
        arm.req(Method::DELETE, &account("shopbackup01"), None)
            .await
            .0,
        204,
        "204: the account did not exist"
    );
}

#[tokio::test]
async fn front_door_profiles_endpoints_origins_and_routes() {
    let arm = Arm::start(fast()).await;
    arm.group("g").await;
    let base = format!("/subscriptions/{SUB}/resourceGroups/g/providers/Microsoft.Cdn/profiles/fd");
    let at = |rest: &str| format!("{base}{rest}?api-version=2024-09-01");
    let (s, b) = arm
        .req(
            Method::PUT,
            &at(""),
            Some(json!({ "location": "global", "sku": { "name": "Premium_AzureFrontDoor" } })),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    arm.settle().await;
    let (s, _) = arm
        .req(
            Method::PUT,
            &at("/originGroups/g1/origins/o1"),
            Some(json!({ "properties": { "hostName": "a.example.com" } })),
        )
        .await;
    assert_eq!(s, 404, "an origin needs its group");
    let (s, b) = arm
        .req(
            Method::PUT,
            &at("/afdEndpoints/shop"),
            Some(json!({ "location": "global", "properties": { "enabledState": "Enabled" } })),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    assert!(
        b["properties"]["hostName"]
            .as_str()
            .is_some_and(|h| h.starts_with("shop-") && h.ends_with(".z01.azurefd.net"))
    );
    let probe = json!({ "probePath": "/healthz", "probeProtocol": "Https", "probeRequestType": "HEAD", "probeIntervalInSeconds": 30 });
    let (s, _) = arm.req(Method::PUT, &at("/originGroups/g1"), Some(json!({ "properties": { "healthProbeSettings": probe, "sessionAffinityState": "Enabled" } }))).await;
    assert_eq!(s, 201);
    arm.settle().await;
    let (s, b) = arm.req(Method::PUT, &at("/originGroups/g1/origins/eastus"), Some(json!({ "properties": { "hostName": "shop-eastus.eastus.cloudapp.azure.com", "enabledState": "Disabled", "priority": 9 } }))).await;
    assert_eq!(s, 400, "priority 1-5: {b}");
    let (s, b) = arm.req(Method::PUT, &at("/originGroups/g1/origins/eastus"), Some(json!({ "properties": { "hostName": "shop-eastus.eastus.cloudapp.azure.com", "enabledState": "Disabled" } }))).await;
    assert_eq!(
        (s, b["properties"]["enabledState"].as_str()),
        (201, Some("Disabled"))
    );
    let group = format!("{base}/origingroups/g1");
    let (s, b) = arm
        .req(
            Method::PUT,
            &at("/afdEndpoints/shop/routes/all"),
            Some(json!({ "properties": { "originGroup": { "id": group } } })),
        )
        .await;
    assert_eq!(s, 201);
    assert_eq!(
        b["properties"]["linkToDefaultDomain"], "Disabled",
        "Azure's default: the route does not serve the azurefd.net host"
    );
    arm.settle().await;
    assert_eq!(arm.req(Method::DELETE, &at(""), None).await.0, 202);
    arm.settle().await;
    assert_eq!(
        arm.req(Method::GET, &at("/originGroups/g1"), None).await.0,
        404,
        "children go with the profile"
    );
}

/// `az storage account create` asks first whether the name is free: invalid, taken or free.
#[tokio::test]
async fn storage_names_are_checked_before_a_create() {
    let arm = Arm::start(fast()).await;
    arm.req(
        Method::PUT,
        &rg_path("s"),
        Some(json!({ "location": "eastus" })),
    )
    .await;
    let (status, body) = arm
        .req(
            Method::PUT,
            &format!("/subscriptions/{SUB}/resourceGroups/s/providers/Microsoft.Storage/storageAccounts/bcdrbackup01?api-version=2023-05-01"),
            Some(json!({ "location": "eastus", "sku": { "name": "Standard_RAGRS" }, "kind": "StorageV2" })),
        )
        .await;
    assert_eq!(status, 202, "{body}");
    let check = format!(
        "/subscriptions/{SUB}/providers/Microsoft.Storage/checkNameAvailability?api-version=2025-01-01"
    );
    for (name, available, reason) in [
        ("bcdrbackup01", false, Some("AlreadyExists")),
        ("Not-Valid", false, Some("AccountNameInvalid")),
        ("bcdrfree01", true, None),
    ] {
        let (status, answer) = arm
            .req(
                Method::POST,
                &check,
                Some(json!({ "name": name, "type": "Microsoft.Storage/storageAccounts" })),
            )
            .await;
        assert_eq!(
            (
                status,
                answer["nameAvailable"].as_bool(),
                answer["reason"].as_str()
            ),
            (200, Some(available), reason),
            "{name}: {answer}"
        );
    }
}
