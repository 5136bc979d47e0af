//! Monitoring over raw HTTPS: Log Analytics workspaces (`Microsoft.OperationalInsights/workspaces`)
//! created, read, updated, listed and deleted as the service answers them, and AKS's `omsagent` and
//! `azurepolicy` add-ons echoed with the user-assigned identities AKS gives them; an add-on enabled
//! on a running cluster is an update; a region that is down takes its workspaces with it. Cluster
//! answers are checked against their operation's spec (Workspaces.json is not among the pinned
//! specs: the workspace's recorded shape is checked here). Sources: docs/emulator-fidelity.md,
//! "Monitoring: Log Analytics workspaces and AKS add-ons".

mod support;

use arm_emulator::RegionDown;
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;
use support::{Arm, SUB, code, fast, rg_path};

fn workspace_id(rg: &str, name: &str) -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/{rg}/providers/Microsoft.OperationalInsights/workspaces/{name}"
    )
}

fn workspace_path(rg: &str, name: &str) -> String {
    format!("{}?api-version=2023-09-01", workspace_id(rg, name))
}

fn cluster_path(name: &str) -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/g/providers/Microsoft.ContainerService/managedClusters/{name}?api-version=2024-09-01"
    )
}

/// A cluster body with `addons` as its `addonProfiles` (none when `null`).
fn cluster(addons: Value) -> Value {
    let mut body = json!({ "location": "eastus", "identity": { "type": "SystemAssigned" },
        "properties": { "dnsPrefix": "c", "enableRBAC": true, "agentPoolProfiles": [
            { "name": "system", "mode": "System", "count": 1, "vmSize": "Standard_D4ds_v5" }] } });
    if !addons.is_null() {
        body["properties"]["addonProfiles"] = addons;
    }
    body
}

fn is_guid(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| uuid::Uuid::parse_str(s).is_ok() && s.len() == 36)
}

/// Reads the workspace until its provisioning state is terminal; that read.
async fn made(arm: &Arm, path: &str) -> Value {
    for _ in 0..400 {
        let (s, body) = arm.get(path).await;
        assert_eq!(s, 200, "{body}");
        if body["properties"]["provisioningState"] != "Creating" {
            return body;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("{path} never left Creating");
}

/// PUTs cluster `name`, expecting `status` and `state`; waits for its operation; its answer and the
/// cluster as read afterwards.
async fn put_cluster(
    arm: &Arm,
    name: &str,
    body: Value,
    status: u16,
    state: &str,
) -> (Value, Value) {
    let (s, headers, answer) = arm.put(&cluster_path(name), body).await;
    assert_eq!(s.as_u16(), status, "{answer}");
    assert_eq!(answer["properties"]["provisioningState"], state, "{answer}");
    let op = headers
        .get("azure-asyncoperation")
        .and_then(|v| v.to_str().ok())
        .expect("an Azure-AsyncOperation header");
    assert_eq!(arm.wait(op).await["status"], "Succeeded");
    let (s, got) = arm.get(&cluster_path(name)).await;
    assert_eq!(s, 200);
    assert_eq!(got["properties"]["provisioningState"], "Succeeded", "{got}");
    (answer, got)
}

/// The recorded shape of a workspace (azure-cli monitor recordings, api-version 2023-09-01).
fn assert_workspace_shape(ws: &Value, id: &str, location: &str) {
    assert_eq!(ws["id"], id, "{ws}");
    assert_eq!(ws["type"], "Microsoft.OperationalInsights/workspaces");
    assert_eq!(ws["location"], location);
    assert!(
        ws["etag"].as_str().is_some_and(|e| e.starts_with('"')),
        "{ws}"
    );
    let p = &ws["properties"];
    assert!(is_guid(&p["customerId"]), "{ws}");
    assert_eq!(
        p["features"],
        json!({ "legacy": 0, "searchVersion": 1, "enableLogAccessUsingOnlyResourcePermissions": true })
    );
    assert_eq!(p["workspaceCapping"]["dailyQuotaGb"], -1.0);
    assert_eq!(p["workspaceCapping"]["dataIngestionStatus"], "RespectQuota");
    assert!(
        p["workspaceCapping"]["quotaNextResetTime"]
            .as_str()
            .is_some_and(|t| t.ends_with(":00:00Z")),
        "{ws}"
    );
    for key in ["createdDate", "modifiedDate"] {
        assert!(p[key].as_str().is_some_and(|d| d.ends_with('Z')), "{ws}");
    }
    assert!(p["sku"]["lastSkuUpdate"].is_string(), "{ws}");
    assert!(p.get("source").is_none(), "2023-09-01 has no source: {ws}");
}

#[tokio::test]
async fn a_workspace_is_created_read_updated_listed_and_deleted_as_the_service_answers() {
    let arm = Arm::start(fast()).await;
    arm.group("g").await;
    let path = workspace_path("g", "ws-prod");
    let id = workspace_id("g", "ws-prod");

    // Create: 201 `Creating`, a `Location` naming the workspace itself, no operation to follow.
    let (s, headers, created) = arm
        .put(
            &path,
            json!({ "location": "eastus", "tags": { "team": "sre" },
                "properties": { "sku": { "name": "pergb2018" }, "retentionInDays": 30 } }),
        )
        .await;
    assert_eq!(s, 201, "{created}");
    assert!(headers.get("azure-asyncoperation").is_none());
    let location = headers["location"].to_str().expect("location");
    assert!(location.ends_with(&path), "{location}");
    assert_eq!(created["properties"]["provisioningState"], "Creating");
    assert_workspace_shape(&created, &id, "eastus");
    assert_eq!(created["properties"]["sku"]["name"], "PerGB2018");
    assert_eq!(created["properties"]["retentionInDays"], 30);
    assert_eq!(
        created["properties"]["publicNetworkAccessForIngestion"],
        "Enabled"
    );
    assert_eq!(
        created["properties"]["publicNetworkAccessForQuery"],
        "Enabled"
    );
    assert_eq!(created["tags"], json!({ "team": "sre" }));

    let read = made(&arm, location).await;
    assert_eq!(
        read["properties"]["provisioningState"], "Succeeded",
        "{read}"
    );
    assert_workspace_shape(&read, &id, "eastus");
    let customer = read["properties"]["customerId"].clone();
    assert_eq!(customer, created["properties"]["customerId"]);

    // Update: 200 `Succeeded` at once; the customer id, creation date and SKU date stay.
    let (s, _, updated) = arm
        .put(
            &path,
            json!({ "location": "eastus", "properties": { "sku": { "name": "PerGB2018" },
                "retentionInDays": 90, "publicNetworkAccessForQuery": "Disabled",
                "features": { "disableLocalAuth": true } } }),
        )
        .await;
    assert_eq!(s, 200, "{updated}");
    assert_eq!(updated["properties"]["provisioningState"], "Succeeded");
    assert_eq!(updated["properties"]["retentionInDays"], 90);
    assert_eq!(
        updated["properties"]["publicNetworkAccessForQuery"],
        "Disabled"
    );
    assert_eq!(updated["properties"]["features"]["disableLocalAuth"], true);
    assert_eq!(updated["properties"]["features"]["searchVersion"], 1);
    assert_eq!(updated["properties"]["customerId"], customer);
    assert_eq!(
        updated["properties"]["createdDate"],
        read["properties"]["createdDate"]
    );
    assert_eq!(
        updated["properties"]["sku"]["lastSkuUpdate"],
        read["properties"]["sku"]["lastSkuUpdate"]
    );
    assert_ne!(updated["etag"], read["etag"]);
    assert!(
        updated.get("tags").is_none(),
        "tags only when sent: {updated}"
    );

    // Defaults: PerGB2018, 30 days, both network accesses enabled.
    let (s, _, plain) = arm
        .put(
            &workspace_path("g", "ws-plain"),
            json!({ "location": "westus" }),
        )
        .await;
    assert_eq!(s, 201, "{plain}");
    assert_eq!(plain["properties"]["sku"]["name"], "PerGB2018");
    assert_eq!(plain["properties"]["retentionInDays"], 30);
    assert_ne!(plain["properties"]["customerId"], customer);

    // Lists, by group and across the subscription; an older api-version is answered too.
    let (s, list) = arm
        .get(&format!(
            "/subscriptions/{SUB}/resourceGroups/g/providers/Microsoft.OperationalInsights/workspaces?api-version=2022-10-01"
        ))
        .await;
    assert_eq!(s, 200, "{list}");
    let names: Vec<&str> = list["value"]
        .as_array()
        .expect("value")
        .iter()
        .filter_map(|w| w["name"].as_str())
        .collect();
    assert_eq!(names, ["ws-plain", "ws-prod"], "{list}");
    let (s, all) = arm
        .get(&format!(
            "/subscriptions/{SUB}/providers/Microsoft.OperationalInsights/workspaces?api-version=2023-09-01"
        ))
        .await;
    assert_eq!(
        (s.as_u16(), all["value"].as_array().map(Vec::len)),
        (200, Some(2))
    );

    // Refusals: the spec's name pattern, an unknown SKU, a location change.
    let (s, bad) = arm
        .req(
            Method::PUT,
            &workspace_path("g", "ab_"),
            Some(json!({ "location": "eastus" })),
        )
        .await;
    assert_eq!((s, code(&bad)), (400, "InvalidParameter"), "{bad}");
    let (s, bad) = arm
        .req(
            Method::PUT,
            &path,
            Some(json!({ "location": "eastus", "properties": { "sku": { "name": "Gold" } } })),
        )
        .await;
    assert_eq!((s, code(&bad)), (400, "InvalidParameter"), "{bad}");
    let (s, bad) = arm
        .req(Method::PUT, &path, Some(json!({ "location": "westus" })))
        .await;
    assert_eq!((s, code(&bad)), (400, "InvalidResourceLocation"), "{bad}");

    // Delete: synchronous 200 with no body; gone at once; again: 204.
    let (s, headers, gone) = arm.call(Method::DELETE, &path, None).await;
    assert_eq!(s, 200, "{gone}");
    assert!(gone.is_null(), "{gone}");
    assert!(headers.get("location").is_none() && headers.get("azure-asyncoperation").is_none());
    let (s, missing) = arm.get(&path).await;
    assert_eq!((s.as_u16(), code(&missing)), (404, "ResourceNotFound"));
    let (s, _) = arm.req(Method::DELETE, &path, None).await;
    assert_eq!(s, 204);

    // A workspace made again under the same id has its customer id back (a recovered workspace).
    let (s, _, again) = arm.put(&path, json!({ "location": "eastus" })).await;
    assert_eq!(s, 201);
    assert_eq!(again["properties"]["customerId"], customer);
}

#[tokio::test]
async fn the_provider_lists_workspaces_with_the_versions_it_answers() {
    let arm = Arm::start(fast()).await;
    let (s, provider) = arm
        .get(&format!(
            "/subscriptions/{SUB}/providers/Microsoft.OperationalInsights?api-version=2024-03-01"
        ))
        .await;
    assert_eq!(s, 200, "{provider}");
    assert_eq!(provider["registrationState"], "Registered");
    let workspaces = provider["resourceTypes"]
        .as_array()
        .expect("resourceTypes")
        .iter()
        .find(|t| t["resourceType"] == "workspaces")
        .expect("workspaces")
        .clone();
    let versions = workspaces["apiVersions"].as_array().expect("apiVersions");
    for v in ["2023-09-01", "2022-10-01"] {
        assert!(versions.iter().any(|x| x == v), "{workspaces}");
    }
    assert!(
        workspaces["locations"]
            .as_array()
            .is_some_and(|l| l.iter().any(|x| x == "East US")),
        "{workspaces}"
    );
    // Every listed version is answered.
    arm.group("g").await;
    for v in versions.iter().filter_map(Value::as_str) {
        let (s, b) = arm
            .get(&format!("{}?api-version={v}", workspace_id("g", "none")))
            .await;
        assert_eq!(
            (s.as_u16(), code(&b)),
            (404, "ResourceNotFound"),
            "{v}: {b}"
        );
    }
    let (s, b) = arm
        .get(&format!(
            "{}?api-version=2019-01-01",
            workspace_id("g", "none")
        ))
        .await;
    assert_eq!(
        (s.as_u16(), code(&b)),
        (400, "InvalidApiVersionParameter"),
        "{b}"
    );
}

/// The identity AKS gives add-on `prefix` of cluster `name` (resource group `g`, East US).
fn assert_addon_identity(identity: &Value, prefix: &str, name: &str) {
    let expected = format!(
        "/subscriptions/{SUB}/resourcegroups/MC_g_{name}_eastus/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{prefix}-{}",
        name.to_ascii_lowercase()
    );
    assert_eq!(identity["resourceId"], expected, "{identity}");
    assert!(is_guid(&identity["clientId"]), "{identity}");
    assert!(is_guid(&identity["objectId"]), "{identity}");
}

#[tokio::test]
async fn a_cluster_with_both_addons_echoes_them_with_their_identities() {
    let arm = Arm::start(fast()).await;
    arm.group("g").await;
    let (s, _, _) = arm
        .put(
            &workspace_path("g", "logs"),
            json!({ "location": "eastus" }),
        )
        .await;
    assert_eq!(s, 201);
    // As `az aks create --enable-addons monitoring,azure-policy` sends it: the id lower-cased.
    let workspace = workspace_id("g", "logs").to_ascii_lowercase();
    let addons = json!({
        "omsagent": { "enabled": true, "config": { "logAnalyticsWorkspaceResourceID": workspace } },
        "azurepolicy": { "enabled": true },
    });
    let (created, got) =
        put_cluster(&arm, "Prod-AKS", cluster(addons.clone()), 201, "Creating").await;

    // The create's answer: the add-ons as sent, no identity yet.
    let answer = &created["properties"]["addonProfiles"];
    assert_eq!(
        answer["omsagent"],
        json!({ "enabled": true, "config": { "logAnalyticsWorkspaceResourceID": workspace } })
    );
    assert_eq!(
        answer["azurepolicy"],
        json!({ "enabled": true, "config": null })
    );
    // Once made: each with its identity in the node resource group.
    let read = &got["properties"]["addonProfiles"];
    assert_eq!(
        read["omsagent"]["config"],
        json!({ "logAnalyticsWorkspaceResourceID": workspace })
    );
    assert_addon_identity(&read["omsagent"]["identity"], "omsagent", "Prod-AKS");
    assert_addon_identity(&read["azurepolicy"]["identity"], "azurepolicy", "Prod-AKS");
    assert_ne!(
        read["omsagent"]["identity"]["objectId"],
        read["azurepolicy"]["identity"]["objectId"]
    );

    // A later update keeps them, already in its answer.
    let (updated, again) = put_cluster(&arm, "Prod-AKS", cluster(addons), 200, "Updating").await;
    assert_eq!(updated["properties"]["addonProfiles"], *read);
    assert_eq!(again["properties"]["addonProfiles"], *read);

    // Container insights with Entra ID authentication has no identity of its own.
    let aad = json!({ "omsagent": { "enabled": true, "config": {
        "logAnalyticsWorkspaceResourceID": workspace, "useAADAuth": "true" } } });
    let (_, got) = put_cluster(&arm, "aad", cluster(aad), 201, "Creating").await;
    let oms = &got["properties"]["addonProfiles"]["omsagent"];
    assert_eq!(oms["config"]["useAADAuth"], "true");
    assert!(oms.get("identity").is_none(), "{oms}");

    // A workspace that does not exist: refused, in AKS's envelope.
    let missing = json!({ "omsagent": { "enabled": true, "config": {
        "logAnalyticsWorkspaceResourceID": workspace_id("g", "nowhere") } } });
    let (s, refused) = arm
        .req(Method::PUT, &cluster_path("c3"), Some(cluster(missing)))
        .await;
    assert_eq!((s, code(&refused)), (400, "BadRequest"), "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("Unable to get log analytics workspace info")),
        "{refused}"
    );
}

#[tokio::test]
async fn an_addon_enabled_on_a_running_cluster_is_an_update() {
    let arm = Arm::start(fast()).await;
    arm.group("g").await;
    let (s, _, _) = arm
        .put(
            &workspace_path("g", "logs"),
            json!({ "location": "eastus" }),
        )
        .await;
    assert_eq!(s, 201);
    let (_, got) = put_cluster(&arm, "c", cluster(Value::Null), 201, "Creating").await;
    assert!(got["properties"].get("addonProfiles").is_none(), "{got}");

    // Enabled: 200 `Updating`, the identity once the operation has ended.
    let monitoring = json!({ "omsagent": { "enabled": true, "config": {
        "logAnalyticsWorkspaceResourceID": workspace_id("g", "logs") } } });
    let (answer, got) = put_cluster(&arm, "c", cluster(monitoring.clone()), 200, "Updating").await;
    assert!(
        answer["properties"]["addonProfiles"]["omsagent"]
            .get("identity")
            .is_none(),
        "{answer}"
    );
    let first = got["properties"]["addonProfiles"]["omsagent"]["identity"].clone();
    assert_addon_identity(&first, "omsagent", "c");

    // Disabled: an update; AKS answers `{"enabled": false, "config": null}`, the identity gone.
    let off = json!({ "omsagent": { "enabled": false } });
    let (answer, got) = put_cluster(&arm, "c", cluster(off), 200, "Updating").await;
    let disabled = json!({ "enabled": false, "config": null });
    assert_eq!(answer["properties"]["addonProfiles"]["omsagent"], disabled);
    assert_eq!(got["properties"]["addonProfiles"]["omsagent"], disabled);

    // Enabled again: a new identity, under the same name.
    let (_, got) = put_cluster(&arm, "c", cluster(monitoring), 200, "Updating").await;
    let second = &got["properties"]["addonProfiles"]["omsagent"]["identity"];
    assert_eq!(second["resourceId"], first["resourceId"]);
    assert_ne!(second["clientId"], first["clientId"]);

    // The workspace deleted under the cluster: the cluster's next write is refused.
    let (s, _) = arm
        .req(Method::DELETE, &workspace_path("g", "logs"), None)
        .await;
    assert_eq!(s, 200);
    let tagged = {
        let mut body = cluster(got["properties"]["addonProfiles"].clone());
        body["tags"] = json!({ "env": "prod" });
        body
    };
    let (s, refused) = arm.req(Method::PUT, &cluster_path("c"), Some(tagged)).await;
    assert_eq!((s, code(&refused)), (400, "BadRequest"), "{refused}");
}

#[tokio::test]
async fn a_workspace_goes_down_with_its_region() {
    let arm = Arm::start(fast()).await;
    let (s, b) = arm
        .req(
            Method::PUT,
            &rg_path("rg-west"),
            Some(json!({ "location": "westus" })),
        )
        .await;
    assert!(s == 201 || s == 200, "{b}");
    for (name, location) in [("ws-east", "eastus"), ("ws-west", "westus")] {
        let (s, _, b) = arm
            .put(
                &workspace_path("rg-west", name),
                json!({ "location": location }),
            )
            .await;
        assert_eq!(s, 201, "{b}");
        made(&arm, &workspace_path("rg-west", name)).await;
    }

    arm.emulator.take_region_down("East US", RegionDown::Fail);
    let (s, b) = arm
        .req(Method::GET, &workspace_path("rg-west", "ws-east"), None)
        .await;
    assert_eq!((s, code(&b)), (503, "ServiceUnavailable"), "{b}");
    let (s, b) = arm
        .req(
            Method::PUT,
            &workspace_path("rg-west", "ws-east"),
            Some(json!({ "location": "eastus" })),
        )
        .await;
    assert_eq!((s, code(&b)), (503, "ServiceUnavailable"), "{b}");
    let (s, b) = arm
        .req(
            Method::PUT,
            &workspace_path("rg-west", "ws-new"),
            Some(json!({ "location": "eastus" })),
        )
        .await;
    assert_eq!(
        (s, code(&b)),
        (503, "ServiceUnavailable"),
        "a create there: {b}"
    );
    // The other region's workspace is served, written too.
    let (s, b) = arm
        .req(Method::GET, &workspace_path("rg-west", "ws-west"), None)
        .await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = arm
        .req(
            Method::PUT,
            &workspace_path("rg-west", "ws-west"),
            Some(json!({ "location": "westus", "properties": { "retentionInDays": 60 } })),
        )
        .await;
    assert_eq!(s, 200, "{b}");

    arm.emulator.restore_region("East US");
    let (s, b) = arm
        .req(Method::GET, &workspace_path("rg-west", "ws-east"), None)
        .await;
    assert_eq!(s, 200, "{b}");
}
