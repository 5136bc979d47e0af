//! AKS with Microsoft Entra ID over raw HTTPS: `aadProfile` (tenant filled, nulls as AKS answers
//! them), `disableLocalAccounts`, the OIDC issuer's URL and `securityProfile` echoed; managed Entra
//! ID turned on in place (an update) and never off; the admin credential refused while local
//! accounts are disabled; the user credential of a managed-AAD cluster as kubelogin's `exec` (or the
//! legacy `azure` auth-provider), with no token. Every answer is checked against its operation's
//! spec. Sources: docs/emulator-fidelity.md, "Microsoft Entra ID and local accounts".

mod support;

use base64::Engine as _;
use reqwest::Method;
use serde_json::{Value, json};
use support::{Arm, SUB, code, fast};

/// The tenant the tests' tokens are issued for: the subscription's, as the emulator sees it.
const TENANT: &str = "72f988bf-0000-4000-8000-00000000beef";

const STATIC_REFUSED: &str = "Getting static credential is not allowed because this cluster is set to disable local accounts.";

fn cluster_path(name: &str) -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/g/providers/Microsoft.ContainerService/managedClusters/{name}?api-version=2024-09-01"
    )
}

/// `listClusterUserCredential` (or `listClusterAdminCredential`) of cluster `name`, with `query`.
fn credential_path(name: &str, admin: bool, query: &str) -> String {
    let which = if admin {
        "listClusterAdminCredential"
    } else {
        "listClusterUserCredential"
    };
    format!(
        "/subscriptions/{SUB}/resourceGroups/g/providers/Microsoft.ContainerService/managedClusters/{name}/{which}?api-version=2024-09-01{query}"
    )
}

/// A cluster body with `extra` merged into its properties.
fn cluster(extra: Value) -> Value {
    let mut body = json!({ "location": "eastus", "identity": { "type": "SystemAssigned" },
        "properties": { "dnsPrefix": "c", "enableRBAC": true, "agentPoolProfiles": [
            { "name": "system", "mode": "System", "count": 1, "vmSize": "Standard_D4ds_v5" }] } });
    if let (Some(props), Some(extra)) = (body["properties"].as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            props.insert(k.clone(), v.clone());
        }
    }
    body
}

/// An emulator whose caller holds a token for [`TENANT`], with group `g`.
async fn start() -> Arm {
    let mut arm = Arm::start(fast()).await;
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", "me"),
        ("client_secret", "s"),
        ("scope", "https://management.azure.com/.default"),
    ];
    let token: Value = arm
        .http
        .post(format!(
            "{}/{TENANT}/oauth2/v2.0/token",
            arm.emulator.endpoint()
        ))
        .form(&form)
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    arm.token = token["access_token"].as_str().expect("token").to_owned();
    arm.group("g").await;
    arm
}

/// PUTs cluster `name`, expecting `status`; waits for its operation to succeed; its answer.
async fn put_and_wait(arm: &Arm, name: &str, body: Value, status: u16, state: &str) -> Value {
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
    answer
}

/// The decoded kubeconfig of a credential answer, checked for the envelope AKS answers.
fn kubeconfig(answer: &Value, name: &str) -> String {
    let creds = answer["kubeconfigs"].as_array().expect("kubeconfigs");
    assert_eq!(creds.len(), 1, "{answer}");
    assert_eq!(creds[0]["name"], name, "{answer}");
    let value = creds[0]["value"].as_str().expect("value");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(value)
        .expect("base64");
    String::from_utf8(bytes).expect("utf-8")
}

async fn credential(arm: &Arm, name: &str, admin: bool, query: &str) -> (u16, Value) {
    arm.req(Method::POST, &credential_path(name, admin, query), None)
        .await
}

#[tokio::test]
async fn aad_oidc_and_security_profiles_are_echoed_as_aks_answers_them() {
    let arm = start().await;
    // (Read past `call`: the pinned specs do not describe a subscription's GET.)
    let sub: Value = arm
        .http
        .get(format!(
            "{}/subscriptions/{SUB}?api-version=2022-12-01",
            arm.emulator.endpoint()
        ))
        .bearer_auth(&arm.token)
        .send()
        .await
        .expect("subscription")
        .json()
        .await
        .expect("json");
    assert_eq!(sub["tenantId"], TENANT, "{sub}");

    let body = cluster(json!({
        "aadProfile": { "managed": true, "enableAzureRBAC": true },
        "disableLocalAccounts": true,
        "oidcIssuerProfile": { "enabled": true, "issuerURL": "https://client.example/not-this/" },
        "securityProfile": { "workloadIdentity": { "enabled": true } },
    }));
    let created = put_and_wait(&arm, "c", body, 201, "Creating").await;
    let (_, got) = arm.get(&cluster_path("c")).await;
    for answer in [&created, &got] {
        let props = &answer["properties"];
        let aad = &props["aadProfile"];
        assert_eq!(aad["managed"], true, "{aad}");
        assert_eq!(aad["enableAzureRBAC"], true, "{aad}");
        assert_eq!(aad["tenantID"], TENANT, "the subscription's tenant: {aad}");
        assert_eq!(aad["tenantID"], answer["identity"]["tenantId"], "{answer}");
        for key in ["adminGroupObjectIDs", "adminUsers"] {
            assert_eq!(aad.get(key), Some(&Value::Null), "{key} null: {aad}");
        }
        assert_eq!(props["disableLocalAccounts"], true);
        assert_eq!(
            props["securityProfile"],
            json!({ "workloadIdentity": { "enabled": true } })
        );
        let oidc = &props["oidcIssuerProfile"];
        assert_eq!(oidc["enabled"], true, "{oidc}");
        let url = oidc["issuerURL"].as_str().expect("issuerURL filled");
        let rest = url
            .strip_prefix(&format!("https://eastus.oic.prod-aks.azure.com/{TENANT}/"))
            .and_then(|r| r.strip_suffix('/'))
            .unwrap_or_else(|| panic!("issuer URL form: {url}"));
        assert!(uuid::Uuid::parse_str(rest).is_ok(), "a guid: {url}");
    }
    assert_eq!(
        created["properties"]["oidcIssuerProfile"], got["properties"]["oidcIssuerProfile"],
        "the issuer URL is the cluster's for good"
    );

    // A tenant sent is kept, groups echoed, and `enableAzureRBAC` only when sent.
    let body = cluster(json!({ "aadProfile": { "managed": true,
        "adminGroupObjectIDs": ["00000000-0000-0000-0000-000000000001"],
        "tenantID": "00000000-0000-0000-0000-000000000002" } }));
    let (s, _, answer) = arm.put(&cluster_path("d"), body).await;
    assert_eq!(s, 201, "{answer}");
    let aad = &answer["properties"]["aadProfile"];
    assert_eq!(
        aad,
        &json!({ "managed": true, "adminGroupObjectIDs": ["00000000-0000-0000-0000-000000000001"],
            "adminUsers": null, "tenantID": "00000000-0000-0000-0000-000000000002" })
    );

    // Nothing sent: local accounts on, an empty security profile, no AAD, no issuer.
    let (s, _, answer) = arm.put(&cluster_path("e"), cluster(json!({}))).await;
    assert_eq!(s, 201, "{answer}");
    let props = &answer["properties"];
    assert_eq!(props["disableLocalAccounts"], false);
    assert_eq!(props["securityProfile"], json!({}));
    assert!(props.get("aadProfile").is_none(), "{props}");
    assert!(props.get("oidcIssuerProfile").is_none(), "{props}");

    // Disabled, the issuer has no URL.
    let body = cluster(json!({ "oidcIssuerProfile": { "enabled": false } }));
    let (s, _, answer) = arm.put(&cluster_path("f"), body).await;
    assert_eq!(s, 201, "{answer}");
    assert_eq!(
        answer["properties"]["oidcIssuerProfile"],
        json!({ "enabled": false })
    );
}

#[tokio::test]
async fn entra_id_is_turned_on_in_place_and_never_off() {
    let arm = start().await;
    put_and_wait(&arm, "c", cluster(json!({})), 201, "Creating").await;
    let (s, answer) = credential(&arm, "c", true, "").await;
    assert_eq!(s, 200, "local accounts: the admin credential: {answer}");
    let admin = kubeconfig(&answer, "clusterAdmin");
    assert!(admin.contains("- name: clusterAdmin_g_c\n"), "{admin}");
    assert!(admin.contains("    token: "), "{admin}");

    // Managed Entra ID and no local accounts on the running cluster: an update.
    let aad = json!({ "managed": true, "enableAzureRBAC": true,
        "adminGroupObjectIDs": ["00000000-0000-0000-0000-000000000001"] });
    let body = cluster(json!({ "aadProfile": aad, "disableLocalAccounts": true }));
    let updated = put_and_wait(&arm, "c", body, 200, "Updating").await;
    assert_eq!(updated["properties"]["aadProfile"]["managed"], true);
    let (_, got) = arm.get(&cluster_path("c")).await;
    assert_eq!(got["properties"]["disableLocalAccounts"], true, "{got}");
    assert_eq!(got["properties"]["aadProfile"]["tenantID"], TENANT, "{got}");

    let (s, refused) = credential(&arm, "c", true, "").await;
    assert_eq!(s, 400, "{refused}");
    assert_eq!(
        refused,
        json!({ "error": { "code": "BadRequest", "message": STATIC_REFUSED } })
    );
    let (s, answer) = credential(&arm, "c", false, "").await;
    assert_eq!(s, 200, "the user credential still works: {answer}");
    let user = kubeconfig(&answer, "clusterUser");
    assert!(user.contains("command: kubelogin"), "{user}");
    assert!(!user.contains("token:"), "{user}");

    // Local accounts back on: an update too, and the admin credential is served again.
    let body = cluster(json!({ "aadProfile": aad, "disableLocalAccounts": false }));
    put_and_wait(&arm, "c", body, 200, "Updating").await;
    let (s, answer) = credential(&arm, "c", true, "").await;
    assert_eq!(s, 200, "{answer}");
    assert!(kubeconfig(&answer, "clusterAdmin").contains("clusterAdmin_g_c"));

    // Managed Entra ID cannot be dropped, nor set to false; the cluster keeps it.
    for body in [
        cluster(json!({})),
        cluster(json!({ "aadProfile": { "enableAzureRBAC": true } })),
        cluster(json!({ "aadProfile": { "managed": false } })),
    ] {
        let (s, _, refused) = arm.put(&cluster_path("c"), body).await;
        assert_eq!(
            (s.as_u16(), code(&refused)),
            (400, "BadRequest"),
            "{refused}"
        );
    }
    let (_, got) = arm.get(&cluster_path("c")).await;
    assert_eq!(got["properties"]["aadProfile"]["managed"], true, "{got}");
    assert_eq!(got["properties"]["provisioningState"], "Succeeded", "{got}");

    // Azure RBAC, unlike managed Entra ID, can be turned off.
    let body = cluster(json!({ "aadProfile": { "managed": true, "enableAzureRBAC": false } }));
    let answer = put_and_wait(&arm, "c", body, 200, "Updating").await;
    assert_eq!(answer["properties"]["aadProfile"]["enableAzureRBAC"], false);
}

#[tokio::test]
async fn a_managed_aad_user_credential_is_kubelogins_without_a_token() {
    let arm = start().await;
    let body = cluster(
        json!({ "aadProfile": { "managed": true, "enableAzureRBAC": true },
        "disableLocalAccounts": true }),
    );
    let created = put_and_wait(&arm, "c", body, 201, "Creating").await;
    let fqdn = created["properties"]["fqdn"].as_str().expect("fqdn");

    for query in ["", "&format=exec", "&format=Exec"] {
        let (s, answer) = credential(&arm, "c", false, query).await;
        assert_eq!(s, 200, "{query}: {answer}");
        let config = kubeconfig(&answer, "clusterUser");
        assert!(!config.contains("token:"), "no token: {config}");
        assert!(!config.contains("client-key"), "no key: {config}");
        assert!(
            config.contains(&format!("server: https://{fqdn}:443\n")),
            "{config}"
        );
        assert!(config.contains("certificate-authority-data: "), "{config}");
        assert!(
            config.contains("user: clusterUser_g_c\n")
                && config.contains("- name: clusterUser_g_c\n"),
            "{config}"
        );
        assert!(
            config.contains("apiVersion: client.authentication.k8s.io/v1beta1\n"),
            "{config}"
        );
        assert!(config.contains("command: kubelogin\n"), "{config}");
        let args: Vec<&str> = config
            .lines()
            .skip_while(|l| l.trim() != "args:")
            .skip(1)
            .map_while(|l| l.trim().strip_prefix("- "))
            .collect();
        // kubelogin's arguments, compared as flag/value pairs: AKS's order has changed over time.
        assert_eq!(args.first(), Some(&"get-token"), "{config}");
        let mut pairs: Vec<(&str, &str)> = args[1..]
            .chunks(2)
            .map(|p| (p[0], p.get(1).copied().unwrap_or_default()))
            .collect();
        pairs.sort_unstable();
        assert_eq!(
            pairs,
            vec![
                ("--client-id", "80faf920-1908-4b52-b5ef-a8e7bedfc67a"),
                ("--environment", "AzurePublicCloud"),
                ("--login", "devicecode"),
                ("--server-id", "6dae42f8-4368-4678-94ff-3960e28e3630"),
                ("--tenant-id", TENANT),
            ],
            "{config}"
        );
    }

    let (s, answer) = credential(&arm, "c", false, "&format=azure").await;
    assert_eq!(s, 200, "{answer}");
    let config = kubeconfig(&answer, "clusterUser");
    assert!(!config.contains("token:"), "{config}");
    for line in [
        "auth-provider:",
        "apiserver-id: 6dae42f8-4368-4678-94ff-3960e28e3630",
        "client-id: 80faf920-1908-4b52-b5ef-a8e7bedfc67a",
        &format!("tenant-id: {TENANT}"),
        "name: azure",
    ] {
        assert!(config.contains(line), "{line}: {config}");
    }

    let (s, refused) = credential(&arm, "c", false, "&format=yaml").await;
    assert_eq!((s, code(&refused)), (400, "InvalidParameter"), "{refused}");
}

#[tokio::test]
async fn a_cluster_without_managed_aad_keeps_its_token_kubeconfigs() {
    let arm = start().await;
    put_and_wait(&arm, "c", cluster(json!({})), 201, "Creating").await;
    let mut tokens = Vec::new();
    for (admin, name, user) in [
        (false, "clusterUser", "clusterUser_g_c"),
        (true, "clusterAdmin", "clusterAdmin_g_c"),
    ] {
        // `format` applies to AAD clusters only.
        for query in ["", "&format=exec"] {
            let (s, answer) = credential(&arm, "c", admin, query).await;
            assert_eq!(s, 200, "{answer}");
            let config = kubeconfig(&answer, name);
            assert!(config.contains(&format!("- name: {user}\n")), "{config}");
            assert!(!config.contains("kubelogin"), "{config}");
            let token = config
                .lines()
                .find_map(|l| l.trim().strip_prefix("token: "))
                .unwrap_or_else(|| panic!("a token: {config}"))
                .to_owned();
            tokens.push(token);
        }
    }
    assert_eq!(tokens[0], tokens[1], "stable per cluster");
    assert_ne!(tokens[0], tokens[2], "the admin's is another");

    // Local accounts disabled without Entra ID: every credential is a static one.
    let body = cluster(json!({ "disableLocalAccounts": true }));
    put_and_wait(&arm, "c", body, 200, "Updating").await;
    for admin in [true, false] {
        let (s, refused) = credential(&arm, "c", admin, "").await;
        assert_eq!(s, 400, "{refused}");
        assert_eq!(refused["error"]["code"], "BadRequest", "{refused}");
        assert_eq!(refused["error"]["message"], STATIC_REFUSED, "{refused}");
    }
}
