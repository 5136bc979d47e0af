//! Cluster extensions (`{cluster}/providers/Microsoft.KubernetesConfiguration/extensions/{name}`,
//! 2023-05-01) over raw HTTPS: long-running writes as recorded, the cluster as a precondition, the
//! provider's registration, and the refusals (trusted access: `trusted_access.rs`). Every answer is
//! checked against the spec (`support::conforms`), every request body this test sends too (`sent`).

mod support;

use arm_emulator::{Config, RegionDown};
use reqwest::Method;
use serde_json::{Value, json};
use support::{Arm, SUB, code, fast};

const EXT_API: &str = "2023-05-01";
const AKS_API: &str = "2024-09-01";
const BACKUP: &str = "microsoft.dataprotection.kubernetes";

fn cluster_id(cluster: &str) -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/g/providers/Microsoft.ContainerService/managedClusters/{cluster}"
    )
}

fn cluster_path(cluster: &str) -> String {
    format!("{}?api-version={AKS_API}", cluster_id(cluster))
}

fn ext_id(cluster: &str, name: &str) -> String {
    format!(
        "{}/providers/Microsoft.KubernetesConfiguration/extensions/{name}",
        cluster_id(cluster)
    )
}

fn ext_path(cluster: &str, name: &str) -> String {
    format!("{}?api-version={EXT_API}", ext_id(cluster, name))
}

fn ext_list(cluster: &str) -> String {
    format!(
        "{}/providers/Microsoft.KubernetesConfiguration/extensions?api-version={EXT_API}",
        cluster_id(cluster)
    )
}

/// The backup extension as AKS Backup's docs install it: its storage named in the settings.
fn backup_extension() -> Value {
    json!({ "properties": {
        "extensionType": BACKUP,
        "releaseTrain": "stable",
        "scope": { "cluster": { "releaseNamespace": "dataprotection-microsoft" } },
        "configurationSettings": {
            "configuration.backupStorageLocation.bucket": "backups",
            "configuration.backupStorageLocation.config.storageAccount": "bkpeastus",
            "configuration.backupStorageLocation.config.resourceGroup": "g",
            "configuration.backupStorageLocation.config.subscriptionId": SUB,
            "credentials.tenantId": "00000000-0000-0000-0000-00000000aaaa",
        },
        "configurationProtectedSettings": { "a.secret": "never-answered" },
    } })
}

/// Fails unless `body`, sent as `method` to `path`, is a request the spec allows.
fn sent(spec: &str, method: &str, path: &str, body: &Value) {
    let Some(specs) = armspec::Specs::load("cluster_extensions request bodies") else {
        return;
    };
    let path = path.split('?').next().unwrap_or_default();
    let errors = specs.check_request(spec, method, path, body);
    assert!(errors.is_empty(), "{method} {path}: {errors:#?}\n{body:#}");
}

/// Scaled-down times, installs lasting 0.3 s: long enough to be seen running however slow the
/// machine.
fn slow_installs() -> Config {
    let mut config = fast();
    config
        .latencies
        .insert("clusterExtension.put".into(), 600_000);
    config
}

/// A cluster `name` in eastus, done provisioning.
async fn cluster(arm: &Arm, name: &str) {
    put_cluster(arm, name).await;
    settled(arm, &cluster_path(name)).await;
}

async fn put_cluster(arm: &Arm, name: &str) {
    let body = json!({ "location": "eastus", "identity": { "type": "SystemAssigned" },
        "properties": { "dnsPrefix": name, "agentPoolProfiles": [{ "name": "system", "mode": "System", "count": 1, "vmSize": "Standard_D4ds_v5" }] } });
    let (s, b) = arm.req(Method::PUT, &cluster_path(name), Some(body)).await;
    assert_eq!(s, 201, "{b}");
}

/// Waits until the resource at `path` reads `Succeeded`; returns it.
async fn settled(arm: &Arm, path: &str) -> Value {
    for _ in 0..400 {
        let (_, b) = arm.req(Method::GET, path, None).await;
        if b["properties"]["provisioningState"] == "Succeeded" {
            return b;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    panic!("{path} never settled");
}

fn header<'h>(headers: &'h reqwest::header::HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn an_extension_installs_updates_and_uninstalls_as_long_running_operations() {
    let arm = Arm::start(slow_installs()).await;
    arm.group("g").await;
    cluster(&arm, "c").await;
    let (s, empty) = arm.req(Method::GET, &ext_list("c"), None).await;
    assert_eq!((s, empty), (200, json!({ "value": [] })));

    // Create: 201 `Creating`, `Azure-AsyncOperation` under the extension and `Location` naming it
    // (recorded: test_k8s_extension).
    let body = backup_extension();
    sent(
        armspec::files::K8S_EXTENSIONS,
        "PUT",
        &ext_path("c", "backup"),
        &body,
    );
    let (s, headers, created) = arm.put(&ext_path("c", "backup"), body).await;
    assert_eq!(s.as_u16(), 201, "{created}");
    let p = &created["properties"];
    assert_eq!(p["provisioningState"], "Creating", "{created}");
    assert_eq!(created["id"], ext_id("c", "backup"));
    assert_eq!(
        created["type"],
        "Microsoft.KubernetesConfiguration/extensions"
    );
    assert_eq!(p["extensionType"], BACKUP);
    assert_eq!(p["autoUpgradeMinorVersion"], true, "the spec's default");
    assert!(
        p.get("configurationProtectedSettings").is_none(),
        "secrets are never answered: {created}"
    );
    let principal = p["aksAssignedIdentity"]["principalId"]
        .as_str()
        .expect("an identity")
        .to_owned();
    assert!(uuid::Uuid::parse_str(&principal).is_ok(), "{principal}");
    assert_eq!(p["aksAssignedIdentity"]["type"], "SystemAssigned");
    let op = header(&headers, "azure-asyncoperation")
        .expect("Azure-AsyncOperation")
        .to_owned();
    assert!(
        op.contains(&format!("{}/operations/", ext_id("c", "backup"))),
        "{op}"
    );
    assert!(op.contains(&format!("api-version={EXT_API}")), "{op}");
    let location = header(&headers, "location").expect("Location");
    assert!(
        location.contains(&ext_id("c", "backup")) && !location.contains("/operations/"),
        "{location}"
    );

    let (s, running) = arm.get(&op).await;
    assert_eq!(
        (s.as_u16(), &running["status"]),
        (200, &json!("InProgress")),
        "{running}"
    );
    let done = arm.wait(&op).await;
    assert_eq!(done["status"], "Succeeded", "{done}");
    assert!(
        done["id"].as_str().is_some_and(|id| id.ends_with(&format!(
            "/operations/{}",
            done["name"].as_str().unwrap_or("?")
        ))),
        "{done}"
    );
    let got = settled(&arm, &ext_path("c", "backup")).await;
    assert_eq!(
        got["properties"]["aksAssignedIdentity"]["principalId"],
        principal.as_str()
    );
    let (_, list) = arm.req(Method::GET, &ext_list("c"), None).await;
    assert_eq!(list["value"].as_array().map(Vec::len), Some(1), "{list}");

    // The extension's identity is one the authorization RP takes role assignments for (AKS Backup:
    // Storage Blob Data Contributor on its storage account).
    let assignment = format!(
        "/subscriptions/{SUB}/resourceGroups/g/providers/Microsoft.Authorization/roleAssignments/{}?api-version=2022-04-01",
        uuid::Uuid::new_v4()
    );
    let grant = json!({ "properties": {
        "roleDefinitionId": format!("/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/ba92f5b4-2d11-453d-a403-e96b0029c9fe"),
        "principalId": principal, "principalType": "ServicePrincipal" } });
    let (s, granted) = arm.req(Method::PUT, &assignment, Some(grant)).await;
    assert_eq!(s, 201, "{granted}");

    // PATCH: 202 `Updating` with its operation; the identity stays.
    let patch = json!({ "properties": { "configurationSettings": {
        "configuration.backupStorageLocation.bucket": "backups2",
        "configuration.backupStorageLocation.config.storageAccount": "bkpeastus",
        "configuration.backupStorageLocation.config.resourceGroup": "g",
        "configuration.backupStorageLocation.config.subscriptionId": SUB } } });
    sent(
        armspec::files::K8S_EXTENSIONS,
        "PATCH",
        &ext_path("c", "backup"),
        &patch,
    );
    let (s, headers, patched) = arm
        .call(Method::PATCH, &ext_path("c", "backup"), Some(patch))
        .await;
    assert_eq!(s.as_u16(), 202, "{patched}");
    assert_eq!(patched["properties"]["provisioningState"], "Updating");
    let op = header(&headers, "azure-asyncoperation")
        .expect("Azure-AsyncOperation")
        .to_owned();
    assert_eq!(arm.wait(&op).await["status"], "Succeeded");
    let got = settled(&arm, &ext_path("c", "backup")).await;
    assert_eq!(
        got["properties"]["configurationSettings"]["configuration.backupStorageLocation.bucket"],
        "backups2"
    );
    assert_eq!(
        got["properties"]["aksAssignedIdentity"]["principalId"],
        principal.as_str()
    );

    // PUT again: an update, 200 `Updating`.
    let (s, _, updated) = arm.put(&ext_path("c", "backup"), backup_extension()).await;
    assert_eq!(
        (s.as_u16(), &updated["properties"]["provisioningState"]),
        (200, &json!("Updating")),
        "{updated}"
    );
    settled(&arm, &ext_path("c", "backup")).await;

    // DELETE: 202 with its operation (spec's example), then gone; again, 204.
    let (s, headers, _) = arm
        .call(Method::DELETE, &ext_path("c", "backup"), None)
        .await;
    assert_eq!(s.as_u16(), 202);
    assert!(header(&headers, "location").is_none());
    let op = header(&headers, "azure-asyncoperation")
        .expect("Azure-AsyncOperation")
        .to_owned();
    assert_eq!(arm.wait(&op).await["status"], "Succeeded");
    let (s, gone) = arm.req(Method::GET, &ext_path("c", "backup"), None).await;
    assert_eq!((s, code(&gone)), (404, "ResourceNotFound"), "{gone}");
    let (s, _) = arm
        .req(Method::DELETE, &ext_path("c", "backup"), None)
        .await;
    assert_eq!(s, 204);
}

#[tokio::test]
async fn an_extension_needs_a_registered_type_its_settings_and_a_running_cluster() {
    let arm = Arm::start(slow_installs()).await;
    arm.group("g").await;

    // No cluster.
    let (s, missing) = arm
        .req(
            Method::PUT,
            &ext_path("none", "flux"),
            Some(json!({ "properties": { "extensionType": "microsoft.flux" } })),
        )
        .await;
    assert_eq!((s, code(&missing)), (404, "ResourceNotFound"), "{missing}");
    let (s, missing) = arm.req(Method::GET, &ext_list("none"), None).await;
    assert_eq!(s, 404, "{missing}");

    // A cluster still being created.
    put_cluster(&arm, "c").await;
    let (s, early) = arm
        .req(
            Method::PUT,
            &ext_path("c", "flux"),
            Some(json!({ "properties": { "extensionType": "microsoft.flux" } })),
        )
        .await;
    assert_eq!((s, code(&early)), (400, "ClusterNotRunning"), "{early}");
    settled(&arm, &cluster_path("c")).await;

    // A type nobody registered (learn.microsoft.com troubleshooting's words).
    let (s, unknown) = arm
        .req(
            Method::PUT,
            &ext_path("c", "x"),
            Some(json!({ "properties": { "extensionType": "contoso.nosuch" } })),
        )
        .await;
    assert_eq!(
        (s, code(&unknown)),
        (400, "ExtensionTypeRegistrationGetFailed"),
        "{unknown}"
    );
    assert_eq!(
        unknown["error"]["message"],
        "Extension type contoso.nosuch is not registered."
    );

    // The backup extension without its storage.
    let mut body = backup_extension();
    if let Some(settings) = body["properties"]["configurationSettings"].as_object_mut() {
        settings.remove("configuration.backupStorageLocation.config.storageAccount");
    }
    let (s, refused) = arm
        .req(Method::PUT, &ext_path("c", "backup"), Some(body))
        .await;
    assert_eq!(s, 400, "{refused}");
    assert_eq!(
        refused["error"]["target"],
        "properties.configurationSettings"
    );
    assert!(
        refused["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("config.storageAccount")),
        "{refused}"
    );

    // A pinned version needs auto-upgrade off (the spec's rule).
    let pinned = json!({ "properties": { "extensionType": "microsoft.flux", "version": "1.8.2" } });
    let (s, refused) = arm
        .req(Method::PUT, &ext_path("c", "flux"), Some(pinned))
        .await;
    assert_eq!(
        (s, &refused["error"]["target"]),
        (400, &json!("properties.version")),
        "{refused}"
    );
    let pinned = json!({ "properties": { "extensionType": "microsoft.flux", "version": "1.8.2", "autoUpgradeMinorVersion": false } });
    sent(
        armspec::files::K8S_EXTENSIONS,
        "PUT",
        &ext_path("c", "flux"),
        &pinned,
    );
    let (s, flux) = arm
        .req(Method::PUT, &ext_path("c", "flux"), Some(pinned))
        .await;
    assert_eq!(s, 201, "{flux}");
    assert_eq!(
        flux["properties"]["scope"]["cluster"]["releaseNamespace"],
        "flux-system"
    );
    settled(&arm, &ext_path("c", "flux")).await;

    // An installed extension keeps its type.
    let (s, refused) = arm
        .req(
            Method::PUT,
            &ext_path("c", "flux"),
            Some(json!({ "properties": { "extensionType": "microsoft.dapr" } })),
        )
        .await;
    assert_eq!(
        (s, &refused["error"]["target"]),
        (400, &json!("properties.extensionType")),
        "{refused}"
    );

    // `forceDelete=true` removes it at once (recorded: 200).
    let (s, _) = arm
        .req(
            Method::DELETE,
            &format!("{}&forceDelete=true", ext_path("c", "flux")),
            None,
        )
        .await;
    assert_eq!(s, 200);
    let (s, _) = arm.req(Method::GET, &ext_path("c", "flux"), None).await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn extensions_need_their_provider_registered_and_go_with_their_cluster() {
    let arm = Arm::start(Config {
        unregistered: vec!["Microsoft.KubernetesConfiguration".into()],
        ..slow_installs()
    })
    .await;
    arm.group("g").await;
    cluster(&arm, "c").await;
    let (s, refused) = arm
        .req(
            Method::PUT,
            &ext_path("c", "backup"),
            Some(backup_extension()),
        )
        .await;
    assert_eq!(
        (s, code(&refused)),
        (409, "MissingSubscriptionRegistration"),
        "{refused}"
    );
    assert_eq!(
        refused["error"]["details"][0]["target"],
        "Microsoft.KubernetesConfiguration"
    );

    let register = format!(
        "/subscriptions/{SUB}/providers/Microsoft.KubernetesConfiguration/register?api-version=2024-03-01"
    );
    let (s, state) = arm.req(Method::POST, &register, None).await;
    assert_eq!(
        (s, &state["registrationState"]),
        (200, &json!("Registering")),
        "{state}"
    );
    let provider = format!(
        "/subscriptions/{SUB}/providers/Microsoft.KubernetesConfiguration?api-version=2024-03-01"
    );
    for _ in 0..400 {
        if arm.req(Method::GET, &provider, None).await.1["registrationState"] == "Registered" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let (s, created) = arm
        .req(
            Method::PUT,
            &ext_path("c", "backup"),
            Some(backup_extension()),
        )
        .await;
    assert_eq!(s, 201, "{created}");
    settled(&arm, &ext_path("c", "backup")).await;

    // Down with its cluster's region.
    arm.emulator.take_region_down("eastus", RegionDown::Fail);
    let (s, down) = arm.req(Method::GET, &ext_path("c", "backup"), None).await;
    assert_eq!((s, code(&down)), (503, "ServiceUnavailable"), "{down}");
    arm.emulator.restore_region("eastus");

    // Gone with its cluster.
    let (s, _) = arm.req(Method::DELETE, &cluster_path("c"), None).await;
    assert_eq!(s, 202);
    arm.gone(&cluster_path("c")).await;
    let ids = arm.emulator.resource_ids();
    assert!(
        !ids.iter()
            .any(|id| id.to_ascii_lowercase().contains("/extensions/")),
        "{ids:#?}"
    );
}
