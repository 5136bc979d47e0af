//! Flux configurations (`{cluster}/providers/Microsoft.KubernetesConfiguration/fluxConfigurations/{name}`,
//! 2023-05-01) over raw HTTPS: only on a cluster whose `microsoft.flux` extension is installed,
//! written as long-running operations, `complianceState` `Pending` until the cluster's agent
//! reconciles them on the emulator's clock, then `Compliant` with a status per Flux object; the
//! refusals. Every answer is checked against the kept spec (`support::conforms`), every request
//! body this test sends too.

mod support;

use reqwest::Method;
use serde_json::{Value, json};
use support::{Arm, SUB, code, fast};

const API: &str = "2023-05-01";

fn cluster_id() -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/g/providers/Microsoft.ContainerService/managedClusters/c"
    )
}

fn flux_path(name: &str) -> String {
    format!(
        "{}/providers/Microsoft.KubernetesConfiguration/fluxConfigurations/{name}?api-version={API}",
        cluster_id()
    )
}

fn flux_list() -> String {
    format!(
        "{}/providers/Microsoft.KubernetesConfiguration/fluxConfigurations?api-version={API}",
        cluster_id()
    )
}

fn extension_path() -> String {
    format!(
        "{}/providers/Microsoft.KubernetesConfiguration/extensions/flux?api-version={API}",
        cluster_id()
    )
}

/// A configuration as the GitOps docs write one: a Git source, infrastructure then apps.
fn config() -> Value {
    json!({ "properties": {
        "scope": "cluster",
        "namespace": "cluster-config",
        "sourceKind": "GitRepository",
        "gitRepository": { "url": "https://github.com/Azure/gitops-flux2-kustomize-helm-mt", "repositoryRef": { "branch": "main" } },
        "kustomizations": {
            "infra": { "path": "./infrastructure", "prune": true },
            "apps": { "path": "./apps/staging", "prune": true, "dependsOn": ["infra"] },
        },
    } })
}

fn sent(method: &str, path: &str, body: &Value) {
    let Some(specs) = armspec::Specs::load("flux_configurations request bodies") else {
        return;
    };
    let path = path.split('?').next().unwrap_or_default();
    let errors = specs.check_request(armspec::files::K8S_FLUX_CONFIGURATIONS, method, path, body);
    assert!(errors.is_empty(), "{method} {path}: {errors:#?}\n{body:#}");
}

/// Waits until `path`'s `properties.{field}` reads `want`; returns the resource.
async fn until(arm: &Arm, path: &str, field: &str, want: &str) -> Value {
    for _ in 0..1000 {
        let (_, b) = arm.req(Method::GET, path, None).await;
        if b["properties"][field] == want {
            return b;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    panic!("{path} never read {field} {want}");
}

/// Group `g` and a running cluster `c`, with the Flux extension when `flux`.
async fn setup(flux: bool) -> Arm {
    // The agent's reconciliation well after the write, and the extension's install, 0.5 s each at
    // this scale: a provisioned configuration is seen `Pending`, an installing extension installing,
    // however slow the machine.
    let mut config = fast();
    for key in ["fluxConfiguration.reconcile", "clusterExtension.put"] {
        config.latencies.insert(key.into(), 1_000_000);
    }
    let arm = Arm::start(config).await;
    arm.group("g").await;
    let cluster = json!({ "location": "eastus", "identity": { "type": "SystemAssigned" },
        "properties": { "dnsPrefix": "c", "agentPoolProfiles": [{ "name": "system", "mode": "System", "count": 1, "vmSize": "Standard_D4ds_v5" }] } });
    let path = format!("{}?api-version=2024-09-01", cluster_id());
    let (s, b) = arm.req(Method::PUT, &path, Some(cluster)).await;
    assert_eq!(s, 201, "{b}");
    until(&arm, &path, "provisioningState", "Succeeded").await;
    if flux {
        let ext = json!({ "properties": { "extensionType": "microsoft.flux" } });
        let (s, b) = arm.req(Method::PUT, &extension_path(), Some(ext)).await;
        assert_eq!(s, 201, "{b}");
        until(&arm, &extension_path(), "provisioningState", "Succeeded").await;
    }
    arm
}

#[tokio::test]
async fn a_configuration_is_provisioned_then_reconciled_on_the_clusters_clock() {
    let arm = setup(true).await;
    let body = config();
    sent("PUT", &flux_path("cluster-config"), &body);
    let (s, headers, created) = arm.put(&flux_path("cluster-config"), body).await;
    assert_eq!(s.as_u16(), 201, "{created}");
    let p = &created["properties"];
    assert_eq!(p["provisioningState"], "Creating");
    assert_eq!(p["complianceState"], "Pending");
    assert_eq!(p["statuses"], json!([]));
    assert_eq!(
        p["gitRepository"]["timeoutInSeconds"], 600,
        "the spec's default"
    );
    assert_eq!(p["kustomizations"]["apps"]["name"], "apps");
    assert_eq!(p["kustomizations"]["apps"]["dependsOn"], json!(["infra"]));
    let op = headers
        .get("azure-asyncoperation")
        .and_then(|v| v.to_str().ok())
        .expect("Azure-AsyncOperation")
        .to_owned();
    assert!(
        op.contains("/fluxConfigurations/cluster-config/operations/"),
        "{op}"
    );
    assert_eq!(arm.wait(&op).await["status"], "Succeeded");

    // Provisioned before it is reconciled (the agent pulls after the write).
    let (_, provisioned) = arm
        .req(Method::GET, &flux_path("cluster-config"), None)
        .await;
    assert_eq!(provisioned["properties"]["provisioningState"], "Succeeded");
    assert_eq!(
        provisioned["properties"]["complianceState"], "Pending",
        "{provisioned}"
    );

    let done = until(
        &arm,
        &flux_path("cluster-config"),
        "complianceState",
        "Compliant",
    )
    .await;
    let statuses = done["properties"]["statuses"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let named: Vec<(&str, &str)> = statuses
        .iter()
        .map(|s| {
            (
                s["kind"].as_str().unwrap_or(""),
                s["name"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        named,
        [
            ("GitRepository", "cluster-config"),
            ("Kustomization", "cluster-config-apps"),
            ("Kustomization", "cluster-config-infra")
        ]
    );
    assert!(statuses.iter().all(
        |s| s["complianceState"] == "Compliant" && s["statusConditions"][0]["type"] == "Ready"
    ));
    let revision = done["properties"]["sourceSyncedCommitId"]
        .as_str()
        .unwrap_or_default();
    assert!(
        revision.starts_with("main/") && revision.len() == "main/".len() + 40,
        "{revision}"
    );
    assert!(done["properties"]["sourceUpdatedAt"].is_string());
    let (_, list) = arm.req(Method::GET, &flux_list(), None).await;
    assert_eq!(list["value"].as_array().map(Vec::len), Some(1), "{list}");

    // Suspended: a PATCH, then `Suspended` once the agent has it.
    let patch = json!({ "properties": { "suspend": true } });
    sent("PATCH", &flux_path("cluster-config"), &patch);
    let (s, _, patched) = arm
        .call(Method::PATCH, &flux_path("cluster-config"), Some(patch))
        .await;
    assert_eq!(s.as_u16(), 202, "{patched}");
    assert_eq!(patched["properties"]["complianceState"], "Pending");
    until(
        &arm,
        &flux_path("cluster-config"),
        "complianceState",
        "Suspended",
    )
    .await;

    // Scope and namespace are set at creation only (spec: x-ms-mutability create, read).
    let mut moved = config();
    moved["properties"]["namespace"] = json!("elsewhere");
    let (s, refused) = arm
        .req(Method::PUT, &flux_path("cluster-config"), Some(moved))
        .await;
    assert_eq!(
        (s, &refused["error"]["target"]),
        (400, &json!("properties.namespace")),
        "{refused}"
    );

    // Delete: 202 with its operation, then gone; again 204.
    let (s, headers, _) = arm
        .call(Method::DELETE, &flux_path("cluster-config"), None)
        .await;
    assert_eq!(s.as_u16(), 202);
    let op = headers
        .get("azure-asyncoperation")
        .and_then(|v| v.to_str().ok())
        .expect("op")
        .to_owned();
    assert_eq!(arm.wait(&op).await["status"], "Succeeded");
    let (s, _) = arm
        .req(Method::GET, &flux_path("cluster-config"), None)
        .await;
    assert_eq!(s, 404);
    let (s, _) = arm
        .req(Method::DELETE, &flux_path("cluster-config"), None)
        .await;
    assert_eq!(s, 204);
}

#[tokio::test]
async fn waiting_for_reconciliation_makes_the_write_last_until_it() {
    let arm = setup(true).await;
    let mut body = config();
    body["properties"]["waitForReconciliation"] = json!(true);
    body["properties"]["reconciliationWaitDuration"] = json!("PT30M");
    sent("PUT", &flux_path("waits"), &body);
    let (s, headers, _) = arm.put(&flux_path("waits"), body).await;
    assert_eq!(s.as_u16(), 201);
    let op = headers
        .get("azure-asyncoperation")
        .and_then(|v| v.to_str().ok())
        .expect("op")
        .to_owned();
    assert_eq!(arm.wait(&op).await["status"], "Succeeded");
    let (_, done) = arm.req(Method::GET, &flux_path("waits"), None).await;
    assert_eq!(
        (
            &done["properties"]["provisioningState"],
            &done["properties"]["complianceState"]
        ),
        (&json!("Succeeded"), &json!("Compliant")),
        "{done}"
    );
}

#[tokio::test]
async fn a_configuration_needs_the_flux_extension_and_a_whole_source() {
    let arm = setup(false).await;
    let (s, refused) = arm
        .req(Method::PUT, &flux_path("cfg"), Some(config()))
        .await;
    assert_eq!(
        (s, code(&refused)),
        (400, "FluxExtensionNotInstalled"),
        "{refused}"
    );

    let ext = json!({ "properties": { "extensionType": "microsoft.flux" } });
    let (s, _) = arm.req(Method::PUT, &extension_path(), Some(ext)).await;
    assert_eq!(s, 201);
    // Still installing: refused the same.
    let (s, refused) = arm
        .req(Method::PUT, &flux_path("cfg"), Some(config()))
        .await;
    assert_eq!(
        (s, code(&refused)),
        (400, "FluxExtensionNotInstalled"),
        "{refused}"
    );
    until(&arm, &extension_path(), "provisioningState", "Succeeded").await;

    let mut no_url = config();
    no_url["properties"]["gitRepository"] = json!({ "repositoryRef": { "branch": "main" } });
    let (s, refused) = arm.req(Method::PUT, &flux_path("cfg"), Some(no_url)).await;
    assert_eq!(
        (s, &refused["error"]["target"]),
        (400, &json!("properties.gitRepository.url")),
        "{refused}"
    );

    let mut bad_dependency = config();
    bad_dependency["properties"]["kustomizations"]["apps"]["dependsOn"] = json!(["nope"]);
    let (s, refused) = arm
        .req(Method::PUT, &flux_path("cfg"), Some(bad_dependency))
        .await;
    assert_eq!(
        (s, &refused["error"]["target"]),
        (400, &json!("properties.kustomizations.apps.dependsOn")),
        "{refused}"
    );

    let mut bad_namespace = config();
    bad_namespace["properties"]["namespace"] = json!("Cluster_Config");
    let (s, refused) = arm
        .req(Method::PUT, &flux_path("cfg"), Some(bad_namespace))
        .await;
    assert_eq!(
        (s, &refused["error"]["target"]),
        (400, &json!("properties.namespace")),
        "{refused}"
    );

    // A blob source keeps no secret.
    let blob = json!({ "properties": { "sourceKind": "AzureBlob",
        "azureBlob": { "url": "https://acct.blob.core.windows.net", "containerName": "manifests", "accountKey": "secret-key" },
        "configurationProtectedSettings": { "k": "v" } } });
    sent("PUT", &flux_path("blob"), &blob);
    let (s, created) = arm.req(Method::PUT, &flux_path("blob"), Some(blob)).await;
    assert_eq!(s, 201, "{created}");
    assert!(
        created["properties"]["azureBlob"]
            .get("accountKey")
            .is_none(),
        "{created}"
    );
    assert!(
        created["properties"]
            .get("configurationProtectedSettings")
            .is_none(),
        "{created}"
    );
}
