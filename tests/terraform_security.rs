//! Secure by default through real Terraform (1.0.3, and again on a newer `terraform` from PATH when
//! there is one): every cluster uses Entra ID with Azure RBAC, local accounts off, the OIDC issuer and
//! workload identity; the admin kubeconfig is refused and the user one is the `exec` kind, so the
//! state holds no credential. A cluster made the old way (local accounts on, no Entra ID) is brought
//! there in place: an update, never a replacement. An admin group that is not an object ID stops at
//! plan, naming the attribute; local accounts turned back on are warned of by `readiness`. Each admin
//! group holds Azure Kubernetes Service RBAC Cluster Admin on every cluster, revoked when it leaves.

mod support;

use serde_json::{Value, json};
use std::path::Path;
use support::{Harness, SUBSCRIPTION, terraform};

const ADMINS: &str = "6f1a3e1c-2b4d-4c8e-9a7b-1d2e3f405162";

fn shop(access: &str) -> String {
    format!(
        r#"resource "bcdr_topology" "dr" {{
  name = "secure"
  {access}
  region "eastus" {{
    vnet_cidr = "10.1.0.0/16"
    role      = "primary"
  }}
  region "westus" {{
    vnet_cidr = "10.2.0.0/16"
    mode      = "warm"
  }}
  traffic_manager {{
    routing_method = "Priority"
  }}
}}"#
    )
}

fn cluster_id(region: &str) -> String {
    format!(
        "/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-secure-{region}/providers/Microsoft.ContainerService/managedClusters/aks-secure-{region}"
    )
}

const AKS: &str = "2024-09-01";

async fn cluster(h: &Harness, region: &str) -> Value {
    h.arm()
        .get(&cluster_id(region), AKS)
        .await
        .expect("read the cluster")
        .expect("the cluster exists")
}

fn assert_baseline(c: &Value) {
    let p = &c["properties"];
    assert_eq!(p["aadProfile"]["managed"], true, "{c:#}");
    assert_eq!(p["aadProfile"]["enableAzureRBAC"], true, "{c:#}");
    assert_eq!(
        p["aadProfile"]["adminGroupObjectIDs"],
        json!([ADMINS]),
        "{c:#}"
    );
    assert_eq!(p["disableLocalAccounts"], true, "{c:#}");
    assert_eq!(p["oidcIssuerProfile"]["enabled"], true, "{c:#}");
    assert_eq!(
        p["securityProfile"]["workloadIdentity"]["enabled"], true,
        "{c:#}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clusters_use_entra_id_and_an_old_one_is_brought_there_in_place() {
    for (tf, version) in terraform::each() {
        entra_id_by_default(&tf, &version).await;
    }
}

async fn entra_id_by_default(tf: &Path, version: &str) {
    let h = Harness::new(tf, &format!("tf-{version}-entra")).await;
    let config = shop(&format!("admin_group_object_ids = [\"{ADMINS}\"]"));
    h.config(&config);
    h.tf_ok(&["apply", "-auto-approve"]).await;
    for region in ["eastus", "westus"] {
        assert_baseline(&cluster(&h, region).await);
    }
    let refused = h
        .arm()
        .post(
            &format!("{}/listClusterAdminCredential", cluster_id("eastus")),
            AKS,
            None,
        )
        .await
        .expect_err("no static admin kubeconfig with local accounts off");
    assert!(
        refused.to_string().contains("disable local accounts"),
        "{refused}"
    );
    let state = std::fs::read_to_string(h.dir.join("terraform.tfstate")).expect("state");
    assert!(state.contains("kubelogin"), "the exec kubeconfig");
    assert!(!state.contains("token:"), "no bearer token in the state");

    // East US's cluster as an earlier version made it: local accounts on, no Entra ID.
    let mut old = cluster(&h, "eastus").await;
    let props = old["properties"].as_object_mut().expect("properties");
    for key in ["aadProfile", "oidcIssuerProfile", "securityProfile"] {
        props.remove(key);
    }
    props.insert("disableLocalAccounts".into(), json!(false));
    h.arm()
        .delete(&cluster_id("eastus"), AKS)
        .await
        .expect("delete");
    h.arm()
        .put(&cluster_id("eastus"), AKS, &old, &[])
        .await
        .expect("the old cluster");
    let (code, plan) = h.plan_code().await;
    assert_eq!(code, 2, "the old cluster is drift:\n{}", plan.all());
    assert!(
        plan.stdout.contains("update in-place") && !plan.stdout.contains("must be replaced"),
        "{}",
        plan.stdout
    );
    h.emulator.clear_requests();
    h.tf_ok(&["apply", "-auto-approve"]).await;
    // (The cluster made again above has a new identity: its role assignment is made again too.)
    let deletes: Vec<_> = h
        .writes()
        .into_iter()
        .filter(|r| r.method == "DELETE" && r.path.contains("managedClusters"))
        .collect();
    assert!(deletes.is_empty(), "no cluster replaced: {deletes:#?}");
    assert_baseline(&cluster(&h, "eastus").await);
    assert_eq!(h.plan_code().await.0, 0, "converged");
    h.tf_ok(&["destroy", "-auto-approve"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_admin_group_stops_at_plan_and_local_accounts_are_warned() {
    for (tf, version) in terraform::each() {
        bad_input_and_opt_out(&tf, &version).await;
    }
}

async fn bad_input_and_opt_out(tf: &Path, version: &str) {
    let h = Harness::new(tf, &format!("tf-{version}-access")).await;
    h.config(&shop("admin_group_object_ids = [\"platform-admins\"]"));
    let out = h.tf(&["plan"]).await;
    let text = out.words();
    assert!(
        text.contains("Not an Entra ID object ID")
            && text.contains("\"platform-admins\" is not a group's object ID"),
        "{text}"
    );
    assert!(h.writes().is_empty(), "nothing written");

    h.config(&shop("local_accounts = true"));
    let out = h.tf_ok(&["plan"]).await;
    assert!(
        out.words()
            .contains("WARN local-accounts: local accounts are on"),
        "{}",
        out.all()
    );

    h.config(&shop(
        "api_server_authorized_ip_ranges = [\"203.0.113.0/24\", \"banana\"]",
    ));
    let text = h.tf(&["plan"]).await.words();
    assert!(
        text.contains("Not an IPv4 range") && text.contains("\"banana\" is not an IPv4 address"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_servers_answer_only_the_authorized_ranges() {
    for (tf, version) in terraform::each() {
        authorized_ranges(&tf, &version).await;
    }
}

async fn authorized_ranges(tf: &Path, version: &str) {
    let h = Harness::new(tf, &format!("tf-{version}-ranges")).await;
    let ranges =
        |c: &Value| c["properties"]["apiServerAccessProfile"]["authorizedIPRanges"].clone();
    h.config(&shop(
        "api_server_authorized_ip_ranges = [\"203.0.113.0/24\", \"198.51.100.7\"]",
    ));
    h.tf_ok(&["apply", "-auto-approve"]).await;
    for region in ["eastus", "westus"] {
        assert_eq!(
            ranges(&cluster(&h, region).await),
            json!(["203.0.113.0/24", "198.51.100.7"]),
            "{region}"
        );
    }
    assert_eq!(h.plan_code().await.0, 0, "converged");
    // Opened again to any address: the ranges are sent empty, and cleared.
    h.config(&shop(""));
    let (code, plan) = h.plan_code().await;
    assert_eq!(code, 2, "{}", plan.all());
    h.tf_ok(&["apply", "-auto-approve"]).await;
    let cleared = ranges(&cluster(&h, "eastus").await);
    assert!(cleared.as_array().is_none_or(Vec::is_empty), "{cleared}");
    assert_eq!(h.plan_code().await.0, 0, "converged");
    h.tf_ok(&["destroy", "-auto-approve"]).await;
}

const SRE: &str = "0c9d8e7f-6a5b-4c3d-8e2f-1a0b9c8d7e6f";

/// The groups holding Azure Kubernetes Service RBAC Cluster Admin at a cluster (its own scope).
async fn cluster_admins(h: &Harness, region: &str) -> Vec<String> {
    support::cluster_admins_at(h, &cluster_id(region))
        .await
        .into_iter()
        .map(|(principal, kind)| {
            assert_eq!(kind, "Group", "{principal}");
            principal
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_groups_hold_the_cluster_admin_role_and_lose_it_when_removed() {
    for (tf, version) in terraform::each() {
        admin_roles(&tf, &version).await;
    }
}

async fn admin_roles(tf: &Path, version: &str) {
    let h = Harness::new(tf, &format!("tf-{version}-admins")).await;
    h.config(&shop(&format!(
        "admin_group_object_ids = [\"{ADMINS}\", \"{SRE}\"]"
    )));
    h.tf_ok(&["apply", "-auto-approve"]).await;
    let both = {
        let mut v = vec![ADMINS.to_owned(), SRE.to_owned()];
        v.sort();
        v
    };
    for region in ["eastus", "westus"] {
        assert_eq!(cluster_admins(&h, region).await, both, "{region}");
    }
    assert_eq!(h.plan_code().await.0, 0, "converged");
    // A role granted by hand is not bcdr's: it stays when the group leaves the topology's list.
    let by_hand = format!(
        "{}/providers/Microsoft.Authorization/roleAssignments/{}",
        cluster_id("eastus"),
        "3a1f0c2e-7d4b-4e8a-9c6f-5b2d1e0f9a8c"
    );
    let reader = format!(
        "/subscriptions/{SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/7f6c6a51-bcf8-42ba-9220-52d62157d7db"
    );
    h.arm()
        .put(
            &by_hand,
            "2022-04-01",
            &json!({"properties": {"roleDefinitionId": reader, "principalId": SRE, "principalType": "Group"}}),
            &[],
        )
        .await
        .expect("a reader role granted by hand");

    // SRE leaves: its role is revoked on every cluster, the other group's stays.
    h.config(&shop(&format!("admin_group_object_ids = [\"{ADMINS}\"]")));
    let (code, plan) = h.plan_code().await;
    assert_eq!(code, 2, "{}", plan.all());
    h.tf_ok(&["apply", "-auto-approve"]).await;
    for region in ["eastus", "westus"] {
        assert_eq!(cluster_admins(&h, region).await, [ADMINS], "{region}");
        assert_baseline(&cluster(&h, region).await);
    }
    assert!(
        h.arm()
            .get(&by_hand, "2022-04-01")
            .await
            .expect("read")
            .is_some(),
        "the role granted by hand is left alone"
    );
    assert_eq!(h.plan_code().await.0, 0, "converged");
    h.tf_ok(&["destroy", "-auto-approve"]).await;
}

fn network(c: &Value) -> (Value, Value) {
    (
        c["properties"]["networkProfile"]["networkPolicy"].clone(),
        c["properties"]["apiServerAccessProfile"]["enablePrivateCluster"].clone(),
    )
}

/// Makes a cluster look as an earlier version left it: no network policy engine (removed through
/// ARM, as AKS allows).
async fn without_network_policy(h: &Harness, region: &str) {
    let mut c = cluster(h, region).await;
    c["properties"]["networkProfile"]["networkPolicy"] = json!("none");
    h.arm()
        .put(&cluster_id(region), AKS, &c, &[])
        .await
        .expect("remove the engine");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn network_policy_rolls_region_by_region_and_private_api_servers_come_with_new_clusters() {
    for (tf, version) in terraform::each() {
        network_policy_and_private_clusters(&tf, &version).await;
    }
}

async fn network_policy_and_private_clusters(tf: &Path, version: &str) {
    let h = Harness::new(tf, &format!("tf-{version}-netpol")).await;
    h.config(&shop(""));
    h.tf_ok(&["apply", "-auto-approve"]).await;
    for region in ["eastus", "westus"] {
        assert_eq!(
            network(&cluster(&h, region).await),
            (json!("calico"), json!(false)),
            "{region}"
        );
    }
    // Clusters made before network policy: each gets Calico, the warm standby first, then the
    // primary once the standby's re-image is done, never both at once.
    for region in ["eastus", "westus"] {
        without_network_policy(&h, region).await;
    }
    let (code, plan) = h.plan_code().await;
    assert_eq!(code, 2, "{}", plan.all());
    assert!(!plan.stdout.contains("must be replaced"), "{}", plan.stdout);
    h.emulator.clear_requests();
    h.tf_ok(&["apply", "-auto-approve"]).await;
    let log = h.emulator.requests();
    let put = |region: &str| {
        log.iter()
            .position(|r| {
                r.method == "PUT"
                    && r.path
                        .ends_with(&format!("managedClusters/aks-secure-{region}"))
            })
            .unwrap_or_else(|| panic!("{region}'s cluster is written"))
    };
    let (west, east) = (put("westus"), put("eastus"));
    assert!(west < east, "the standby first");
    let west_done = log
        .iter()
        .rposition(|r| {
            r.method == "GET"
                && r.path
                    .contains("Microsoft.ContainerService/locations/westus/operations")
        })
        .expect("west's operation is polled");
    assert!(west_done < east, "east waits for west's re-image to finish");
    for region in ["eastus", "westus"] {
        assert_eq!(network(&cluster(&h, region).await).0, json!("calico"));
    }
    assert_eq!(h.plan_code().await.0, 0, "converged");

    // Private API servers: the clusters that exist keep theirs (AKS fixes it at create).
    h.config(&shop("private_cluster = true"));
    h.emulator.clear_requests();
    h.tf_ok(&["apply", "-auto-approve"]).await;
    assert!(
        !h.writes()
            .iter()
            .any(|r| r.path.contains("managedClusters")),
        "no cluster written: {:#?}",
        h.writes()
    );
    assert_eq!(network(&cluster(&h, "westus").await).1, json!(false));
    let warned = |text: &str, regions: &str| {
        text.contains("Existing clusters keep their public API servers")
            && text.contains(&format!(
                "the clusters of {regions} were made with public API servers"
            ))
    };
    let text = h.tf_ok(&["plan"]).await.words();
    assert!(warned(&text, "\"eastus\", \"westus\""), "{text}");
    // West made anew behind the primary: cold, then warm again. Its new cluster is private.
    h.config(
        &shop("private_cluster = true").replace("mode      = \"warm\"", "mode      = \"cold\""),
    );
    h.tf_ok(&["apply", "-auto-approve"]).await;
    h.config(&shop("private_cluster = true"));
    h.tf_ok(&["apply", "-auto-approve"]).await;
    let west = cluster(&h, "westus").await;
    assert_eq!(network(&west).1, json!(true), "{west:#}");
    assert!(
        west["properties"]["privateFQDN"]
            .as_str()
            .is_some_and(|f| f.contains(".privatelink.westus.azmk8s.io")),
        "{west:#}"
    );
    assert_eq!(network(&cluster(&h, "eastus").await).1, json!(false));
    let text = h.tf_ok(&["plan"]).await.words();
    assert!(warned(&text, "\"eastus\""), "{text}");
    assert_eq!(h.plan_code().await.0, 0, "converged");

    // An engine AKS does not offer on these clusters stops at plan, naming the attribute.
    h.config(&shop("network_policy = \"cilium\""));
    let text = h.tf(&["plan"]).await.words();
    assert!(
        text.contains("Invalid network policy") && text.contains("network_policy: \"cilium\""),
        "{text}"
    );
    h.config(&shop("private_cluster = true"));
    h.tf_ok(&["destroy", "-auto-approve"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_role_already_granted_by_hand_is_adopted_and_never_deleted() {
    for (tf, version) in terraform::each() {
        granted_by_hand(&tf, &version).await;
    }
}

async fn granted_by_hand(tf: &Path, version: &str) {
    let h = Harness::new(tf, &format!("tf-{version}-by-hand")).await;
    h.config(&shop(&format!("admin_group_object_ids = [\"{ADMINS}\"]")));
    h.tf_ok(&["apply", "-auto-approve"]).await;
    // SRE already administers East US's cluster, by a role someone assigned in the portal.
    let by_hand = format!(
        "{}/providers/Microsoft.Authorization/roleAssignments/9c8b7a6f-5e4d-4c3b-8a2f-1e0d9c8b7a6f",
        cluster_id("eastus")
    );
    let admin_role = format!(
        "/subscriptions/{SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/{}",
        support::CLUSTER_ADMIN
    );
    h.arm()
        .put(
            &by_hand,
            "2022-04-01",
            &json!({"properties": {"roleDefinitionId": admin_role, "principalId": SRE, "principalType": "Group"}}),
            &[],
        )
        .await
        .expect("a Cluster Admin role granted by hand");
    // Naming SRE adopts it there (ARM would refuse a second one: RoleAssignmentExists) and grants
    // it in West US.
    h.config(&shop(&format!(
        "admin_group_object_ids = [\"{ADMINS}\", \"{SRE}\"]"
    )));
    h.tf_ok(&["apply", "-auto-approve"]).await;
    let mut both = vec![ADMINS.to_owned(), SRE.to_owned()];
    both.sort();
    for region in ["eastus", "westus"] {
        assert_eq!(cluster_admins(&h, region).await, both, "{region}");
    }
    assert_eq!(h.plan_code().await.0, 0, "converged");
    // SRE leaves the list: bcdr's role in West US goes, the one granted by hand stays.
    h.config(&shop(&format!("admin_group_object_ids = [\"{ADMINS}\"]")));
    h.tf_ok(&["apply", "-auto-approve"]).await;
    assert_eq!(cluster_admins(&h, "westus").await, [ADMINS]);
    assert_eq!(cluster_admins(&h, "eastus").await, both, "left as it was");
    assert_eq!(h.plan_code().await.0, 0, "converged");
    h.tf_ok(&["destroy", "-auto-approve"]).await;
}
