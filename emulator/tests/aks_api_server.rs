//! Entra tokens for AKS's server application (audience, `oid`, `groups`) and the API-server stand-in
//! every running cluster has at its `fqdn`: 401 without a token or with one for another audience,
//! 403 for a principal with no Azure RBAC role for Kubernetes on the cluster, 200 for one with a role
//! (its own or a group's, at the cluster or above it), the static token of a cluster with local
//! accounts. Reached without DNS: the client resolves the fqdn to the emulator and checks the
//! certificate against the CA of the cluster's kubeconfig.

mod support;

use arm_emulator::{Config, Principal};
use base64::Engine as _;
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use support::{Arm, SUB, fast};

const AKS_SCOPE: &str = "6dae42f8-4368-4678-94ff-3960e28e3630/.default";
const CLUSTER_ADMIN: &str = "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b";
const RBAC_READER: &str = "7f6c6a51-bcf8-42ba-9220-52d62157d7db";
const ADMINS_GROUP: &str = "aaaaaaaa-0000-4000-8000-000000000001";
const ADMIN_OID: &str = "11111111-0000-4000-8000-000000000001";
const NOBODY_OID: &str = "22222222-0000-4000-8000-000000000002";
const READER_OID: &str = "33333333-0000-4000-8000-000000000003";

fn config() -> Config {
    let principal = |oid: &str, groups: &[&str]| Principal {
        object_id: oid.into(),
        groups: groups.iter().map(|g| (*g).to_owned()).collect(),
    };
    Config {
        principals: BTreeMap::from([
            ("admin-app".into(), principal(ADMIN_OID, &[ADMINS_GROUP])),
            ("nobody-app".into(), principal(NOBODY_OID, &[])),
            ("reader-app".into(), principal(READER_OID, &[])),
        ]),
        ..fast()
    }
}

fn cluster_id(rg: &str, name: &str) -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/{rg}/providers/Microsoft.ContainerService/managedClusters/{name}"
    )
}

/// A token from the emulator's Entra endpoint for `client` and `scope`.
async fn token(arm: &Arm, client: &str, scope: &str) -> String {
    let answer: Value = arm
        .http
        .post(format!(
            "{}/tenant/oauth2/v2.0/token",
            arm.emulator.endpoint()
        ))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", client),
            ("client_secret", "s"),
            ("scope", scope),
        ])
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    answer["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("json claims")
}

/// Creates cluster `name` in group `rg` with `props` merged in, waits until it runs, and returns
/// its fqdn and kubeconfig (user credential, or admin's).
async fn running_cluster(
    arm: &Arm,
    rg: &str,
    name: &str,
    props: Value,
    admin: bool,
) -> (String, String) {
    arm.group(rg).await;
    let mut body = json!({ "location": "eastus", "identity": { "type": "SystemAssigned" },
        "properties": { "dnsPrefix": name, "enableRBAC": true, "agentPoolProfiles": [
            { "name": "system", "mode": "System", "count": 1, "vmSize": "Standard_D4ds_v5" }] } });
    for (k, v) in props.as_object().expect("object") {
        body["properties"][k] = v.clone();
    }
    let path = format!("{}?api-version=2024-09-01", cluster_id(rg, name));
    let (status, _, answer) = arm.put(&path, body).await;
    assert!(status == 200 || status == 201, "{status} {answer}");
    let mut fqdn = String::new();
    for _ in 0..400 {
        let (_, got) = arm.get(&path).await;
        if got["properties"]["provisioningState"] == "Succeeded" {
            fqdn = got["properties"]["fqdn"].as_str().expect("fqdn").to_owned();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    assert!(!fqdn.is_empty(), "the cluster never ran");
    let which = if admin {
        "listClusterAdminCredential"
    } else {
        "listClusterUserCredential"
    };
    let (status, answer) = arm
        .req(
            Method::POST,
            &format!("{}/{which}?api-version=2024-09-01", cluster_id(rg, name)),
            None,
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    let encoded = answer["kubeconfigs"][0]["value"].as_str().expect("value");
    let kubeconfig = String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .expect("base64"),
    )
    .expect("utf-8");
    (fqdn, kubeconfig)
}

/// Assigns `role` to `principal` at `scope`.
async fn assign(arm: &Arm, scope: &str, role: &str, principal: &str, kind: &str) {
    let name = uuid::Uuid::new_v4();
    let (status, answer) = arm
        .req(
            Method::PUT,
            &format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{name}?api-version=2022-04-01"),
            Some(json!({ "properties": {
                "roleDefinitionId": format!("/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/{role}"),
                "principalId": principal, "principalType": kind } })),
        )
        .await;
    assert_eq!(status, 201, "{answer}");
}

/// A client that reaches `fqdn` at the emulator and trusts only the kubeconfig's CA.
fn api_client(arm: &Arm, fqdn: &str, kubeconfig: &str) -> reqwest::Client {
    let ca = kubeconfig
        .lines()
        .find_map(|l| l.trim().strip_prefix("certificate-authority-data:"))
        .expect("a CA")
        .trim();
    let pem = base64::engine::general_purpose::STANDARD
        .decode(ca)
        .expect("base64 CA");
    reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).expect("the CA is PEM"))
        .resolve(fqdn, arm.emulator.addr())
        .build()
        .expect("client")
}

async fn call(
    client: &reqwest::Client,
    arm: &Arm,
    fqdn: &str,
    path: &str,
    token: Option<&str>,
) -> (u16, Value) {
    let url = format!("https://{fqdn}:{}{path}", arm.emulator.addr().port());
    let mut req = client.get(url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.expect("the API server answers");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn an_aks_token_carries_the_audience_oid_and_groups_and_arm_refuses_it() {
    let arm = Arm::start(config()).await;
    let aks = token(&arm, "admin-app", AKS_SCOPE).await;
    let c = claims(&aks);
    assert_eq!(c["aud"], "6dae42f8-4368-4678-94ff-3960e28e3630");
    assert_eq!(c["oid"], ADMIN_OID);
    assert_eq!(c["groups"], json!([ADMINS_GROUP]));
    assert_eq!(c["appid"], "admin-app");
    assert!(c["exp"].as_u64() > c["iat"].as_u64(), "{c}");
    let nobody = claims(&token(&arm, "nobody-app", AKS_SCOPE).await);
    assert_eq!(nobody["oid"], NOBODY_OID);
    assert!(
        nobody.get("groups").is_none(),
        "no memberships, no claim: {nobody}"
    );

    let (status, answer) = arm
        .http
        .get(format!(
            "{}/subscriptions/{SUB}/resourcegroups?api-version=2024-03-01",
            arm.emulator.endpoint()
        ))
        .bearer_auth(&aks)
        .send()
        .await
        .map(|r| (r.status().as_u16(), r))
        .expect("send");
    assert_eq!(status, 401);
    let body: Value = answer.json().await.expect("json");
    assert_eq!(body["error"]["code"], "InvalidAuthenticationTokenAudience");
}

#[tokio::test]
async fn the_api_server_lets_in_whom_azure_rbac_lets_in() {
    let arm = Arm::start(config()).await;
    let props = json!({ "aadProfile": { "managed": true, "enableAzureRBAC": true }, "disableLocalAccounts": true });
    let (fqdn, kubeconfig) = running_cluster(&arm, "g", "c", props, false).await;
    assert!(fqdn.ends_with(".hcp.eastus.azmk8s.io"), "{fqdn}");
    let client = api_client(&arm, &fqdn, &kubeconfig);
    let namespaces = "/api/v1/namespaces";

    // No token, or a token for ARM: 401.
    assert_eq!(call(&client, &arm, &fqdn, "/version", None).await.0, 401);
    assert_eq!(
        call(&client, &arm, &fqdn, namespaces, Some(&arm.token))
            .await
            .0,
        401
    );

    // No role: discovery is open to every authenticated caller, the cluster's objects are not.
    let nobody = token(&arm, "nobody-app", AKS_SCOPE).await;
    assert_eq!(
        call(&client, &arm, &fqdn, "/version", Some(&nobody))
            .await
            .0,
        200
    );
    assert_eq!(
        call(&client, &arm, &fqdn, "/api", Some(&nobody)).await.0,
        200
    );
    let (status, body) = call(&client, &arm, &fqdn, namespaces, Some(&nobody)).await;
    assert_eq!(status, 403, "{body}");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains(NOBODY_OID) && m.contains("Update role assignment")),
        "{body}"
    );

    // A member of a group holding Cluster Admin at the cluster: in.
    let admin = token(&arm, "admin-app", AKS_SCOPE).await;
    assert_eq!(
        call(&client, &arm, &fqdn, namespaces, Some(&admin)).await.0,
        403
    );
    assign(
        &arm,
        &cluster_id("g", "c"),
        CLUSTER_ADMIN,
        ADMINS_GROUP,
        "Group",
    )
    .await;
    let (status, body) = call(&client, &arm, &fqdn, namespaces, Some(&admin)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["kind"], "NamespaceList");
    assert_eq!(
        call(&client, &arm, &fqdn, namespaces, Some(&nobody))
            .await
            .0,
        403
    );

    // A role at the resource group counts for the cluster inside it.
    let reader = token(&arm, "reader-app", AKS_SCOPE).await;
    assert_eq!(
        call(&client, &arm, &fqdn, namespaces, Some(&reader))
            .await
            .0,
        403
    );
    assign(
        &arm,
        &format!("/subscriptions/{SUB}/resourceGroups/g"),
        RBAC_READER,
        READER_OID,
        "ServicePrincipal",
    )
    .await;
    assert_eq!(
        call(&client, &arm, &fqdn, namespaces, Some(&reader))
            .await
            .0,
        200
    );

    // A SelfSubjectAccessReview answers in its own shape: Reader may list pods, not create them.
    let review = |verb: &str| {
        json!({ "apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
        "spec": { "resourceAttributes": { "verb": verb, "resource": "pods", "namespace": "default" } } })
    };
    let url = format!(
        "https://{fqdn}:{}/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
        arm.emulator.addr().port()
    );
    for (verb, allowed) in [("list", true), ("create", false)] {
        let resp = client
            .post(&url)
            .bearer_auth(&reader)
            .json(&review(verb))
            .send()
            .await
            .expect("send");
        assert_eq!(resp.status().as_u16(), 201);
        let body: Value = resp.json().await.expect("json");
        assert_eq!(body["status"]["allowed"], allowed, "{verb}: {body}");
    }
}

#[tokio::test]
async fn a_cluster_with_local_accounts_takes_its_static_token() {
    let arm = Arm::start(config()).await;
    let (fqdn, kubeconfig) = running_cluster(&arm, "g", "local", json!({}), true).await;
    let token = kubeconfig
        .lines()
        .find_map(|l| l.trim().strip_prefix("token:"))
        .expect("a static token")
        .trim()
        .to_owned();
    let client = api_client(&arm, &fqdn, &kubeconfig);
    let (status, body) = call(&client, &arm, &fqdn, "/api/v1/namespaces", Some(&token)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        call(
            &client,
            &arm,
            &fqdn,
            "/api/v1/namespaces",
            Some("not-the-token")
        )
        .await
        .0,
        401
    );
}
