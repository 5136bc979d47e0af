//! Every complete example under `examples/terraform/` lives its whole life through real Terraform
//! against the emulator: 1.0.3 always, and the newer terraform on PATH when there is one.

mod support;

use support::{Harness, terraform};

/// Every complete example under `examples/terraform/`, on the emulator, through the whole life the
/// issue asks of it: apply, no changes after; import rebuilds it with no changes; a cluster scaled
/// behind Terraform's back plans a repair and apply restores it; a cluster deleted behind its back is
/// made again with its roles; a peering deleted is made again (its Disconnected other side re-PUT
/// first); a region changes mode; a region is added; destroy leaves nothing. The example's own provider block is replaced by one for the emulator.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_example_lives_its_whole_life() {
    for (name, body) in support::complete_examples() {
        example_life(&terraform::terraform_1_0_3(), "1.0.3", &name, &body).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_example_lives_its_whole_life_on_newer_terraform_from_path() {
    let Some((bin, version)) = terraform::terraform_on_path() else {
        support::log("NOTE: no terraform newer than 1.0.3 on PATH: the examples ran on 1.0.3 only");
        return;
    };
    for (name, body) in support::complete_examples() {
        example_life(&bin, &version, &name, &body).await;
    }
}

/// What marks a credential in a state file: a kubeconfig's bearer token or client key and
/// certificate, a password, a client secret, a storage account key.
const CREDENTIALS: [&str; 7] = [
    "token:",
    "client-key-data",
    "client-certificate-data",
    "password",
    "client_secret",
    "AccountKey=",
    "\"keys\"",
];

/// The state file holds no credential (the kubeconfigs are the `exec` kind: kubelogin gets a token
/// for whoever uses them).
fn no_credential_in_state(h: &Harness, example: &str) {
    let state = std::fs::read_to_string(h.dir.join("terraform.tfstate")).expect("the state file");
    assert!(
        state.contains("kubelogin"),
        "{example}: the state holds the clusters' exec kubeconfigs"
    );
    let found: Vec<&str> = CREDENTIALS
        .iter()
        .copied()
        .filter(|c| state.contains(c))
        .collect();
    assert!(
        found.is_empty(),
        "{example}: credentials in terraform.tfstate: {found:?}"
    );
}

/// The first quoted string after `marker` in `text`.
fn quoted_after<'a>(text: &'a str, marker: &str) -> &'a str {
    let rest = &text[text.find(marker).unwrap_or_else(|| panic!("no {marker}")) + marker.len()..];
    let start = rest.find('"').expect("quote") + 1;
    let end = start + rest[start..].find('"').expect("closing quote");
    &rest[start..end]
}

async fn example_life(terraform: &std::path::Path, version: &str, example: &str, body: &str) {
    let h = Harness::new(terraform, &format!("example-{version}-{example}")).await;
    let label = quoted_after(body, "resource \"bcdr_topology\"");
    let address = format!("bcdr_topology.{label}");
    let topology = quoted_after(body, "name ");
    let first_region = quoted_after(body, "region ");
    h.config(body);
    h.tf_ok(&["apply", "-auto-approve"]).await;
    assert_eq!(
        h.plan_code().await.0,
        0,
        "{example}: no changes after apply"
    );
    no_credential_in_state(&h, example);

    h.tf_ok(&["state", "rm", &address]).await;
    h.tf_ok(&["import", &address, topology]).await;
    let (code, plan) = h.plan_code().await;
    // Outputs are not in the imported state until an apply saves them: only they may change.
    assert!(
        code == 0 || !plan.stdout.contains("# bcdr_topology."),
        "{example}: import plans no changes:\n{}",
        plan.all()
    );
    h.tf_ok(&["apply", "-auto-approve"]).await;

    let arm = h.arm();
    let cluster = format!(
        "/subscriptions/{}/resourceGroups/rg-{topology}-{first_region}/providers/Microsoft.ContainerService/managedClusters/aks-{topology}-{first_region}",
        support::SUBSCRIPTION
    );
    let mut aks = arm
        .get(&cluster, "2024-09-01")
        .await
        .expect("get")
        .expect("cluster");
    let nodes = aks["properties"]["agentPoolProfiles"][0]["count"].clone();
    aks["properties"]["agentPoolProfiles"][0]["count"] = 9.into();
    arm.put(&cluster, "2024-09-01", &aks, &[])
        .await
        .expect("drift");
    assert_eq!(h.plan_code().await.0, 2, "{example}: drift plans a repair");
    h.tf_ok(&["apply", "-auto-approve"]).await;
    let repaired = arm
        .get(&cluster, "2024-09-01")
        .await
        .expect("get")
        .expect("cluster");
    assert_eq!(
        repaired["properties"]["agentPoolProfiles"][0]["count"], nodes,
        "{example}"
    );
    assert_eq!(h.plan_code().await.0, 0, "{example}: repaired");

    // The cluster deleted: apply makes it again, with role assignments for its new identities (an
    // assignment still naming the old one would show as drift in the next plan), and the state holds
    // the new cluster's FQDN, identity and kubeconfig, not the old one's.
    let region = |state: &serde_json::Value, attr: &str| {
        state["region"][first_region][attr]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    let old = h.state_values().await;
    arm.delete(&cluster, "2024-09-01")
        .await
        .expect("delete by hand");
    assert_eq!(
        h.plan_code().await.0,
        2,
        "{example}: a deleted cluster plans a change"
    );
    h.tf_ok(&["apply", "-auto-approve"]).await;
    let (code, plan) = h.plan_code().await;
    assert_eq!(
        code,
        0,
        "{example}: the cluster and its roles are whole again:\n{}",
        plan.all()
    );
    let new = h.state_values().await;
    for attr in ["cluster_fqdn", "kubelet_identity_object_id", "kube_config"] {
        assert!(
            !region(&new, attr).is_empty() && region(&new, attr) != region(&old, attr),
            "{example}: {attr} is the new cluster's"
        );
    }

    // A peering deleted: its other side is left Disconnected, and Azure refuses to make the deleted
    // side again until that one is re-PUT; apply does both, in that order.
    let second_region = quoted_after(
        &body[body.find("region ").expect("region") + 7..],
        "region ",
    );
    let peering = format!(
        "/subscriptions/{}/resourceGroups/rg-{topology}-{first_region}/providers/Microsoft.Network/virtualNetworks/vnet-{topology}-{first_region}/virtualNetworkPeerings/peer-{first_region}-to-{second_region}",
        support::SUBSCRIPTION
    );
    arm.delete(&peering, "2024-03-01")
        .await
        .expect("delete by hand");
    assert_eq!(
        h.plan_code().await.0,
        2,
        "{example}: a deleted peering plans a change"
    );
    h.tf_ok(&["apply", "-auto-approve"]).await;
    assert_eq!(h.plan_code().await.0, 0, "{example}: peerings whole again");
    let peerings = h.state_values().await["peerings"].clone();
    assert!(
        peerings
            .as_object()
            .is_some_and(|p| !p.is_empty() && p.values().all(|s| s == "Connected")),
        "{example}: {peerings}"
    );

    // A mode change: the first warm region turns hot, or (all hot) the last region turns warm.
    let moded = if body.contains("\"warm\"") {
        body.replacen("\"warm\"", "\"hot\"", 1)
    } else {
        let last = body.rfind("  region \"").expect("a region");
        let open = last + body[last..].find('{').expect("block") + 1;
        format!("{}\n    mode = \"warm\"{}", &body[..open], &body[open..])
    };
    h.config(&moded);
    assert_eq!(
        h.plan_code().await.0,
        2,
        "{example}: a mode change is a change"
    );
    h.tf_ok(&["apply", "-auto-approve"]).await;
    assert_eq!(h.plan_code().await.0, 0, "{example}: mode applied");

    // A region is added (under Geographic routing, as a warm standby for WORLD).
    let geo = if body.contains("Geographic") {
        "\n    mode         = \"warm\"\n    geo_mappings = [\"WORLD\"]"
    } else {
        ""
    };
    let at = moded.find("  region \"").expect("a region");
    let grown = format!(
        "{}  region \"uksouth\" {{\n    vnet_cidr    = \"10.99.0.0/16\"{geo}\n  }}\n\n{}",
        &moded[..at],
        &moded[at..]
    );
    h.config(&grown);
    let (code, plan) = h.plan_code().await;
    assert_eq!(code, 2, "{example}: adding a region:\n{}", plan.all());
    assert!(
        plan.stdout.contains("1 to change"),
        "{example}: in place:\n{}",
        plan.stdout
    );
    h.tf_ok(&["apply", "-auto-approve"]).await;
    assert_eq!(h.plan_code().await.0, 0, "{example}: region added");

    h.tf_ok(&["destroy", "-auto-approve"]).await;
    assert!(
        h.emulator.resource_ids().is_empty(),
        "{example}: {:#?}",
        h.emulator.resource_ids()
    );
}
