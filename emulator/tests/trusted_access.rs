//! AKS trusted access (`managedClusters/{c}/trustedAccessRoleBindings/{name}` and the roles list,
//! 2024-09-01) over raw HTTPS: a Backup vault bound with the roles its type offers, as AKS answers
//! (recorded), and the refusals. Every answer is checked against the spec (`support::conforms`),
//! every request body this test sends too (`sent`).

mod support;

use arm_emulator::Config;
use reqwest::Method;
use serde_json::{Value, json};
use support::{Arm, SUB, code, fast};

const AKS_API: &str = "2024-09-01";

fn cluster_id(cluster: &str) -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/g/providers/Microsoft.ContainerService/managedClusters/{cluster}"
    )
}

fn cluster_path(cluster: &str) -> String {
    format!("{}?api-version={AKS_API}", cluster_id(cluster))
}
fn binding_path(cluster: &str, name: &str) -> String {
    format!(
        "{}/trustedAccessRoleBindings/{name}?api-version={AKS_API}",
        cluster_id(cluster)
    )
}

fn vault_id() -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/g/providers/Microsoft.DataProtection/backupVaults/vault"
    )
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
/// Scaled-down times, bindings lasting 0.3 s: long enough to be seen running however slow the
/// machine.
fn slow_installs() -> Config {
    let mut config = fast();
    config.latencies.insert("trustedAccess.put".into(), 600_000);
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
/// An emulator whose store holds group `g`, a running cluster `c` and a Backup vault (the Data
/// Protection RP's resource, which this branch does not serve: the vault is written into the saved
/// state, as that provider would store it).
async fn with_vault(tag: &str) -> Arm {
    let dir = std::env::temp_dir().join(format!("emulator-trusted-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("state.json");
    let _ = std::fs::remove_file(&path);
    {
        let arm = Arm::start(Config {
            state_path: Some(path.clone()),
            ..slow_installs()
        })
        .await;
        arm.group("g").await;
        cluster(&arm, "c").await;
    }
    let mut state: Value =
        serde_json::from_slice(&std::fs::read(&path).expect("state")).expect("json");
    let id = vault_id();
    state["resources"][id.to_ascii_lowercase()] = json!({
        "id": id, "kind": "StorageAccount", "pending": null,
        "body": { "id": id, "name": "vault", "type": "Microsoft.DataProtection/backupVaults", "location": "eastus" },
    });
    std::fs::write(&path, serde_json::to_vec(&state).expect("json")).expect("write");
    Arm::start(Config {
        state_path: Some(path),
        ..slow_installs()
    })
    .await
}

#[tokio::test]
async fn a_vault_is_bound_to_a_cluster_with_the_roles_its_type_offers() {
    let arm = with_vault("bind").await;

    // The roles list names the Backup vault's role and its rules (recorded).
    let roles = format!(
        "/subscriptions/{SUB}/providers/Microsoft.ContainerService/locations/eastus/trustedAccessRoles?api-version={AKS_API}"
    );
    let (s, listed) = arm.req(Method::GET, &roles, None).await;
    assert_eq!(s, 200, "{listed}");
    let backup = listed["value"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["sourceResourceType"] == "Microsoft.DataProtection/backupVaults")
        .expect("the vault's role");
    assert_eq!(backup["name"], "backup-operator");
    assert!(backup["rules"][0]["apiGroups"][0] == "clusterbackup.dataprotection.microsoft.com");

    // Create: 201 `Updating` with AKS's operation (recorded).
    let body = json!({ "properties": { "sourceResourceId": vault_id(), "roles": ["Microsoft.DataProtection/backupVaults/backup-operator"] } });
    sent(
        armspec::files::MANAGED_CLUSTERS,
        "PUT",
        &binding_path("c", "backup"),
        &body,
    );
    let (s, headers, created) = arm.put(&binding_path("c", "backup"), body).await;
    assert_eq!(s.as_u16(), 201, "{created}");
    assert_eq!(created["properties"]["provisioningState"], "Updating");
    assert_eq!(
        created["type"],
        "Microsoft.ContainerService/managedClusters/trustedAccessRoleBindings"
    );
    assert!(header(&headers, "location").is_none());
    let op = header(&headers, "azure-asyncoperation")
        .expect("Azure-AsyncOperation")
        .to_owned();
    assert!(
        op.contains("/providers/Microsoft.ContainerService/locations/eastus/operations/"),
        "{op}"
    );
    let (_, running) = arm.get(&op).await;
    assert_eq!(running["status"], "InProgress", "{running}");
    assert_eq!(arm.wait(&op).await["status"], "Succeeded");
    let got = settled(&arm, &binding_path("c", "backup")).await;
    assert_eq!(got["properties"]["sourceResourceId"], vault_id());
    let list = format!(
        "{}/trustedAccessRoleBindings?api-version={AKS_API}",
        cluster_id("c")
    );
    let (s, listed) = arm.req(Method::GET, &list, None).await;
    assert_eq!(
        (s, listed["value"].as_array().map(Vec::len)),
        (200, Some(1)),
        "{listed}"
    );

    // Delete: 202, empty, both headers (recorded); then gone, and again 204.
    let (s, headers, _) = arm
        .call(Method::DELETE, &binding_path("c", "backup"), None)
        .await;
    assert_eq!(s.as_u16(), 202);
    assert!(header(&headers, "location").is_some_and(|l| l.contains("/operationresults/")));
    let op = header(&headers, "azure-asyncoperation")
        .expect("Azure-AsyncOperation")
        .to_owned();
    assert_eq!(arm.wait(&op).await["status"], "Succeeded");
    let (s, _) = arm
        .req(Method::GET, &binding_path("c", "backup"), None)
        .await;
    assert_eq!(s, 404);
    let (s, _) = arm
        .req(Method::DELETE, &binding_path("c", "backup"), None)
        .await;
    assert_eq!(s, 204);
}

#[tokio::test]
async fn a_binding_needs_its_source_and_roles_of_the_sources_type() {
    let arm = with_vault("refuse").await;
    let refused = |body: Value| {
        let arm = &arm;
        async move {
            let (s, answer) = arm
                .req(Method::PUT, &binding_path("c", "backup"), Some(body))
                .await;
            assert_eq!(s, 400, "{answer}");
            answer
        }
    };
    let role = "Microsoft.DataProtection/backupVaults/backup-operator";
    let other = format!(
        "/subscriptions/{SUB}/resourceGroups/g/providers/Microsoft.DataProtection/backupVaults/other"
    );
    let answer =
        refused(json!({ "properties": { "sourceResourceId": other, "roles": [role] } })).await;
    assert_eq!(
        (code(&answer), &answer["target"]),
        (
            "SourceResourceNotFound",
            &json!("properties.sourceResourceId")
        ),
        "{answer}"
    );
    // A role the source's type does not offer (a cluster is no Backup vault: Azure/azure-cli #27174).
    let answer =
        refused(json!({ "properties": { "sourceResourceId": cluster_id("c"), "roles": [role] } }))
            .await;
    assert_eq!(answer["target"], "properties.roles", "{answer}");
    let answer = refused(json!({ "properties": { "sourceResourceId": vault_id(), "roles": ["Microsoft.DataProtection/backupVaults/reader"] } })).await;
    assert_eq!(answer["target"], "properties.roles", "{answer}");
    let answer =
        refused(json!({ "properties": { "sourceResourceId": vault_id(), "roles": [] } })).await;
    assert_eq!(answer["target"], "properties.roles", "{answer}");
    // The name's pattern (spec).
    let bad = json!({ "properties": { "sourceResourceId": vault_id(), "roles": [role] } });
    let (s, answer) = arm
        .req(Method::PUT, &binding_path("c", "no_underscores"), Some(bad))
        .await;
    assert_eq!(
        (s, &answer["target"]),
        (400, &json!("trustedAccessRoleBindingName")),
        "{answer}"
    );
    // No cluster.
    let body = json!({ "properties": { "sourceResourceId": vault_id(), "roles": [role] } });
    let (s, answer) = arm
        .req(Method::PUT, &binding_path("none", "backup"), Some(body))
        .await;
    assert_eq!((s, code(&answer)), (404, "ResourceNotFound"), "{answer}");
}
