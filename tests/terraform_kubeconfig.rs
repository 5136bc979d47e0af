//! Who gets into a cluster, through real Terraform against the emulator's API-server stand-in.
//!
//! - On Terraform 1.0.3 (which knows no ephemeral resources: the schema's new field is ignored), the
//!   topology applies and each region exports what the Kubernetes and Helm providers need (`host`,
//!   `cluster_ca_certificate`, `exec_args`) beside the credential-free `kube_config`. With those
//!   outputs and a token from Entra as kubelogin gets one for a service principal, a principal with
//!   no Azure RBAC role is refused (403) and a member of a group holding "Azure Kubernetes Service
//!   RBAC Cluster Admin" on the cluster (`admin_group_object_ids` gives it) gets in (200): Azure RBAC
//!   decides (issue #19's "done when").
//! - On Terraform >= 1.10 (from PATH; the test fails, loudly, without one), `ephemeral
//!   "bcdr_kubeconfig"` is opened at plan and apply, its token works against the cluster, and neither
//!   the state nor the saved plan holds it.

mod support;

use arm_emulator::{Config, Principal};
use base64::Engine as _;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use support::{Harness, SUBSCRIPTION, terraform};

const AKS_SCOPE: &str = "6dae42f8-4368-4678-94ff-3960e28e3630/.default";
const ADMINS: &str = "6f1a3e1c-2b4d-4c8e-9a7b-1d2e3f405162";
/// The provider's own principal (`client_id = "terraform-e2e"`): a member of [`ADMINS`].
const PROVIDER_OID: &str = "44444444-0000-4000-8000-000000000004";
const MEMBER_OID: &str = "55555555-0000-4000-8000-000000000005";
const NOBODY_OID: &str = "66666666-0000-4000-8000-000000000006";

fn emulator_config() -> Config {
    let principal = |oid: &str, groups: &[&str]| Principal {
        object_id: oid.into(),
        groups: groups.iter().map(|g| (*g).to_owned()).collect(),
    };
    Config {
        latency_scale: 0.0005,
        principals: BTreeMap::from([
            ("terraform-e2e".into(), principal(PROVIDER_OID, &[ADMINS])),
            ("member".into(), principal(MEMBER_OID, &[ADMINS])),
            ("nobody".into(), principal(NOBODY_OID, &[])),
        ]),
        ..Config::default()
    }
}

const TOPOLOGY: &str = r#"resource "bcdr_topology" "shop" {
  name                   = "kc"
  admin_group_object_ids = ["6f1a3e1c-2b4d-4c8e-9a7b-1d2e3f405162"]
  region "eastus" {
    vnet_cidr = "10.1.0.0/16"
    role      = "primary"
  }
  region "westus" {
    vnet_cidr = "10.2.0.0/16"
    mode      = "cold"
  }
}
"#;

const EPHEMERAL: &str = r#"
ephemeral "bcdr_kubeconfig" "east" {
  topology = bcdr_topology.shop.name
  region   = "eastus"

  lifecycle {
    postcondition {
      condition     = self.host == bcdr_topology.shop.region["eastus"].host && self.cluster_ca_certificate == bcdr_topology.shop.region["eastus"].cluster_ca_certificate && length(self.token) > 40 && length(yamldecode(self.kube_config).users) == 1 && self.expires_at != ""
      error_message = "bcdr_kubeconfig did not answer the cluster's host, CA and a token."
    }
  }
}
"#;

fn cluster_id() -> String {
    format!(
        "/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-kc-eastus/providers/Microsoft.ContainerService/managedClusters/aks-kc-eastus"
    )
}

/// The groups holding "Azure Kubernetes Service RBAC Cluster Admin" at the cluster's own scope.
async fn cluster_admin_groups(h: &Harness) -> Vec<String> {
    support::cluster_admins_at(h, &cluster_id())
        .await
        .into_iter()
        .map(|(principal, _)| principal)
        .collect()
}

/// A token from the emulator's Entra endpoint for `client`, as `kubelogin get-token --login spn`
/// asks for one (client credentials, AKS's server application scope).
async fn kubelogin_token(h: &Harness, client: &str) -> String {
    let http = reqwest::Client::builder()
        .add_root_certificate(
            reqwest::Certificate::from_pem(h.emulator.ca_certificate_pem().as_bytes())
                .expect("pem"),
        )
        .build()
        .expect("client");
    let answer: Value = http
        .post(format!(
            "{}/00000000-0000-0000-0000-00000000aaaa/oauth2/v2.0/token",
            h.emulator.endpoint()
        ))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", client),
            ("client_secret", "s"),
            ("scope", AKS_SCOPE),
        ])
        .send()
        .await
        .expect("token request")
        .json()
        .await
        .expect("json");
    answer["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

/// `GET host/path` with `token`, reaching the cluster's fqdn at the emulator and trusting only `ca`
/// (the base64 PEM of `cluster_ca_certificate`).
async fn api_get(h: &Harness, host: &str, ca: &str, token: &str, path: &str) -> u16 {
    let fqdn = host
        .trim_start_matches("https://")
        .split(':')
        .next()
        .expect("a host");
    let pem = base64::engine::general_purpose::STANDARD
        .decode(ca)
        .expect("base64 CA");
    let client = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).expect("PEM"))
        .resolve(fqdn, h.emulator.addr())
        .build()
        .expect("client");
    client
        .get(format!("https://{fqdn}:{}{path}", h.emulator.addr().port()))
        .bearer_auth(token)
        .send()
        .await
        .expect("the API server answers")
        .status()
        .as_u16()
}

#[tokio::test]
async fn azure_rbac_decides_who_gets_in_with_the_topologys_outputs_on_terraform_1_0_3() {
    let h =
        Harness::with_emulator(&terraform::terraform_1_0_3(), "kc-103", emulator_config()).await;
    h.config(TOPOLOGY);
    h.tf_ok(&["apply", "-auto-approve"]).await;
    let values = h.state_values().await;
    let east = &values["region"]["eastus"];
    let host = east["host"].as_str().expect("host");
    let ca = east["cluster_ca_certificate"].as_str().expect("CA");
    assert!(
        host.starts_with("https://") && host.ends_with(".azmk8s.io:443"),
        "{east:#}"
    );
    assert!(!ca.is_empty(), "{east:#}");
    let args: Vec<&str> = east["exec_args"]
        .as_array()
        .expect("exec_args")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        args.starts_with(&["get-token"]) && args.contains(&"6dae42f8-4368-4678-94ff-3960e28e3630"),
        "{args:?}"
    );
    let west = &values["region"]["westus"];
    assert_eq!(west["host"], "", "a cold region has no cluster: {west:#}");
    assert_eq!(west["exec_args"], json!([]), "{west:#}");
    // A re-plan is quiet: the new attributes are carried.
    let (code, out) = h.plan_code().await;
    assert_eq!(code, 0, "{}", out.all());

    let nobody = kubelogin_token(&h, "nobody").await;
    let member = kubelogin_token(&h, "member").await;
    assert_eq!(
        api_get(&h, host, ca, &nobody, "/api/v1/namespaces").await,
        403
    );
    // The admin group holds its role on the cluster: `admin_group_object_ids` made it.
    assert_eq!(cluster_admin_groups(&h).await, [ADMINS]);
    assert_eq!(
        api_get(&h, host, ca, &member, "/api/v1/namespaces").await,
        200
    );
    assert_eq!(
        api_get(&h, host, ca, &nobody, "/api/v1/namespaces").await,
        403
    );
}

#[tokio::test]
async fn the_ephemeral_kubeconfig_is_opened_and_never_stored() {
    let Some((terraform, version)) = terraform::terraform_on_path() else {
        panic!(
            "terraform_kubeconfig needs Terraform >= 1.10 on PATH for ephemeral resources; none found (install one, e.g. 1.11.4)"
        );
    };
    let minor: u32 = version
        .split('.')
        .nth(1)
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    assert!(
        version.starts_with("1.") && minor >= 10,
        "terraform_kubeconfig needs Terraform >= 1.10 on PATH for ephemeral resources; found {version}"
    );
    let h = Harness::with_emulator(&terraform, "kc-eph", emulator_config()).await;
    h.config(TOPOLOGY);
    h.tf_ok(&["apply", "-auto-approve"]).await;
    assert_eq!(
        cluster_admin_groups(&h).await,
        [ADMINS],
        "made by the apply"
    );

    // A cold region has no cluster: the error names the attribute.
    h.config(&format!(
        "{TOPOLOGY}\nephemeral \"bcdr_kubeconfig\" \"west\" {{\n  topology = bcdr_topology.shop.name\n  region   = \"westus\"\n}}\n"
    ));
    let out = h.tf(&["plan"]).await;
    assert_ne!(out.code, 0, "{}", out.all());
    assert!(
        out.words().contains("Region has no cluster")
            && out.words().contains("region = \"westus\""),
        "{}",
        out.all()
    );

    h.config(&format!("{TOPOLOGY}{EPHEMERAL}"));
    h.emulator.clear_requests();
    h.tf_ok(&["plan", "-out=tfplan"]).await;
    let opened = h
        .emulator
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/listClusterUserCredential"))
        .count();
    assert!(opened >= 1, "Terraform opened bcdr_kubeconfig at plan");
    h.tf_ok(&["apply", "-auto-approve", "tfplan"]).await;

    // The tokens the emulator issued for AKS's server application: the ones the provider opened.
    let emulator_state: Value = serde_json::from_slice(
        &std::fs::read(h.dir.join("emulator.json")).expect("emulator state"),
    )
    .expect("json");
    let aks_tokens: Vec<String> = emulator_state["tokens"]
        .as_object()
        .expect("tokens")
        .keys()
        .filter(|t| t.matches('.').count() == 2 && !t.starts_with("emu."))
        .cloned()
        .collect();
    assert!(!aks_tokens.is_empty(), "no token for AKS was issued");

    // Its token gets in (the provider's principal is in the admin group)... (The state is read as
    // a file: `terraform show -json` of 1.11.4 panics on an ephemeral resource's postcondition,
    // "unsupported resource mode 69", in its checks report.)
    let state = std::fs::read_to_string(h.dir.join("terraform.tfstate")).expect("state");
    let parsed: Value = serde_json::from_str(&state).expect("state is JSON");
    let east = &parsed["resources"][0]["instances"][0]["attributes"]["region"]["eastus"];
    let (host, ca) = (
        east["host"].as_str().expect("host"),
        east["cluster_ca_certificate"].as_str().expect("CA"),
    );
    let mut statuses = Vec::new();
    for t in &aks_tokens {
        statuses.push(api_get(&h, host, ca, t, "/api/v1/namespaces").await);
    }
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");

    // ... and rests nowhere: not in the state, not in the saved plan (a zip: every member read).
    let plan = std::process::Command::new("python3")
        .args([
            "-c",
            "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); sys.stdout.buffer.write(b''.join(z.read(n) for n in z.namelist()))",
        ])
        .arg(h.dir.join("tfplan"))
        .output()
        .expect("python3 reads the plan file");
    assert!(
        plan.status.success() && !plan.stdout.is_empty(),
        "the plan file is a zip"
    );
    let plan = String::from_utf8_lossy(&plan.stdout);
    for t in &aks_tokens {
        let payload = t.split('.').nth(1).unwrap_or_default();
        assert!(!state.contains(payload), "a token in the state");
        assert!(!plan.contains(payload), "a token in the plan");
    }
    let resources = parsed["resources"].as_array().expect("resources");
    assert!(
        resources.iter().all(|r| r["type"] == "bcdr_topology"),
        "only the topology rests in the state: {resources:?}"
    );
    // Only its postcondition's verdict is kept: it held (host and CA as the topology's, a token, a
    // kubeconfig with one user).
    let checks = parsed["check_results"].as_array().expect("check results");
    assert!(
        checks
            .iter()
            .any(|c| c["config_addr"] == "ephemeral.bcdr_kubeconfig.east" && c["status"] == "pass"),
        "{checks:?}"
    );
}
