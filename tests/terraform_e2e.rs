//! End to end: real Terraform (1.0.3 always, and a newer one from PATH when present) drives
//! `terraform-provider-bcdr` against the ARM emulator: plan, apply, a no-op plan, import, drift repair
//! and destroy, with the emulator checked empty afterwards; bad input refused before any ARM call; a
//! new subscription, registered for none of the providers a topology uses.

mod support;

use std::path::Path;

use support::{Harness, log, terraform};

const TWO_REGIONS: &str = r#"
resource "bcdr_topology" "dr" {
  name = "shop"

  region "eastus" {
    vnet_cidr = "10.1.0.0/16"
  }

  region "westus" {
    vnet_cidr = "10.2.0.0/16"
  }
}
"#;

async fn lifecycle(h: &Harness) {
    h.config(TWO_REGIONS);
    let (code, plan) = h.plan_code().await;
    assert_eq!(code, 2, "a fresh plan adds the topology:\n{}", plan.all());
    assert!(
        plan.stdout
            .contains("Plan: 1 to add, 0 to change, 0 to destroy."),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout
            .contains("cluster_fqdn               = (known after apply)"),
        "{}",
        plan.stdout
    );

    h.tf_ok(&["apply", "-auto-approve"]).await;
    let ids = h.emulator.resource_ids();
    let count = |needle: &str| ids.iter().filter(|id| id.contains(needle)).count();
    assert_eq!(count("/virtualNetworkPeerings/"), 2, "{ids:#?}");
    assert_eq!(
        count("/managedClusters/") - count("/maintenanceConfigurations/"),
        2,
        "{ids:#?}"
    );
    assert_eq!(
        count("/maintenanceConfigurations/aksManagedNodeOSUpgradeSchedule"),
        2,
        "a node OS maintenance window per cluster: {ids:#?}"
    );
    assert_eq!(
        ids.iter().filter(|id| id.matches('/').count() == 4).count(),
        3,
        "three resource groups: {ids:#?}"
    );
    let state = h.state_values().await;
    assert!(
        state["region"]["eastus"]["cluster_fqdn"]
            .as_str()
            .is_some_and(|f| f.ends_with(".hcp.eastus.azmk8s.io")),
        "{state:#}"
    );
    assert_eq!(
        state["peerings"]["eastus->westus"], "Connected",
        "{state:#}"
    );
    assert_eq!(
        state["peerings"]["westus->eastus"], "Connected",
        "{state:#}"
    );
    let (code, plan) = h.plan_code().await;
    assert_eq!(code, 0, "a second plan shows no changes:\n{}", plan.all());

    h.tf_ok(&["state", "rm", "bcdr_topology.dr"]).await;
    let id = format!(
        "/subscriptions/{}/resourceGroups/rg-shop-global",
        support::SUBSCRIPTION
    );
    h.tf_ok(&["import", "bcdr_topology.dr", &id]).await;
    let (code, plan) = h.plan_code().await;
    assert_eq!(
        code,
        0,
        "an imported topology plans no changes:\n{}",
        plan.all()
    );

    // Someone scales a cluster behind Terraform's back: the plan shows it, apply repairs it.
    let arm = h.arm();
    let cluster = format!(
        "/subscriptions/{}/resourceGroups/rg-shop-westus/providers/Microsoft.ContainerService/managedClusters/aks-shop-westus",
        support::SUBSCRIPTION
    );
    let mut body = arm
        .get(&cluster, "2024-09-01")
        .await
        .expect("get")
        .expect("cluster exists");
    body["properties"]["agentPoolProfiles"][0]["count"] = 7.into();
    arm.put(&cluster, "2024-09-01", &body, &[])
        .await
        .expect("scale behind terraform's back");
    let (code, plan) = h.plan_code().await;
    assert_eq!(code, 2, "drift shows as an update:\n{}", plan.all());
    assert!(
        plan.stdout.contains("node_count                 = 7 -> 3"),
        "{}",
        plan.stdout
    );
    assert!(plan.stdout.contains("1 to change"), "{}", plan.stdout);
    h.tf_ok(&["apply", "-auto-approve"]).await;
    let repaired = arm
        .get(&cluster, "2024-09-01")
        .await
        .expect("get")
        .expect("cluster");
    assert_eq!(repaired["properties"]["agentPoolProfiles"][0]["count"], 3);
    assert_eq!(h.plan_code().await.0, 0, "repaired: no changes left");

    h.tf_ok(&["destroy", "-auto-approve"]).await;
    assert!(
        h.emulator.resource_ids().is_empty(),
        "destroy leaves nothing behind: {:#?}",
        h.emulator.resource_ids()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lifecycle_on_terraform_1_0_3() {
    let h = Harness::new(&terraform::terraform_1_0_3(), "tf-1.0.3").await;
    lifecycle(&h).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lifecycle_on_newer_terraform_from_path() {
    match terraform::terraform_on_path() {
        Some((bin, version)) => {
            lifecycle(&Harness::new(&bin, &format!("tf-{version}")).await).await
        }
        None => log("NOTE: no terraform newer than 1.0.3 on PATH: the lifecycle ran on 1.0.3 only"),
    }
}

/// Each case: configuration, the attribute line Terraform must point at, and text the detail must hold.
const INVALID: &[(&str, &str, &str)] = &[
    (
        r#"resource "bcdr_topology" "dr" {
  name = "shop"
  region "eastus" {
    vnet_cidr = "10.1.0.0/16"
  }
  region "westus" {
    vnet_cidr = "10.1.128.0/17"
  }
}"#,
        r#"vnet_cidr = "10.1.128.0/17""#,
        "region[\"westus\"].vnet_cidr: 10.1.128.0/17 overlaps region \"eastus\"",
    ),
    (
        r#"resource "bcdr_topology" "dr" {
  name = "shop"
  region "eastus" {
    vnet_cidr = "10.1.0.0/16"
  }
}"#,
        r#"resource "bcdr_topology" "dr""#,
        "region: a BC/DR topology needs 2 to 16 regions",
    ),
    (
        r#"resource "bcdr_topology" "dr" {
  name = "shop"
  region "eastus" {
    vnet_cidr = "10.1.0.0/16"
    mode      = "lukewarm"
  }
  region "westus" {
    vnet_cidr = "10.2.0.0/16"
  }
}"#,
        r#"mode      = "lukewarm""#,
        "region[\"eastus\"].mode: \"lukewarm\" must be hot, warm or cold",
    ),
    (
        r#"resource "bcdr_topology" "dr" {
  name = "shop"
  region "eastus" {
    vnet_cidr = "10.1.0.0/16"
    priority  = 1
  }
  region "westus" {
    vnet_cidr = "10.2.0.0/16"
    priority  = 1
  }
  traffic_manager {
    routing_method = "Priority"
  }
}"#,
        "priority  = 1",
        "region[\"westus\"].priority: priority 1 is also region \"eastus\"'s",
    ),
    (
        r#"resource "bcdr_topology" "dr" {
  name = "shop"
  region "eastus" {
    vnet_cidr = "10.1.0.0/16"
  }
  region "westus" {
    vnet_cidr = "10.2.0.0/16"
  }
  traffic_manager {
    routing_method = "Fastest"
  }
}"#,
        r#"routing_method = "Fastest""#,
        "traffic_manager.routing_method: \"Fastest\" must be one of",
    ),
    (
        r#"resource "bcdr_topology" "dr" {
  name = "shop"
  region "eastus" {
    vnet_cidr = "10.1.0.0/16"
  }
  region "westus" {
    vnet_cidr = "10.2.0.0/16"
  }
  traffic_manager {
    routing_method = "Priority"
  }
  front_door {}
}"#,
        r#"resource "bcdr_topology" "dr""#,
        "front_door: a topology routes with Traffic Manager or Front Door, not both",
    ),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_topologies_are_refused_before_any_arm_call() {
    for (tf, version) in terraform::each() {
        invalid_topologies_are_refused_before_any_arm_call_on(&tf, &version).await;
    }
}

async fn invalid_topologies_are_refused_before_any_arm_call_on(tf: &Path, version: &str) {
    let h = Harness::new(tf, &format!("tf-{version}-invalid")).await;
    for (config, line, detail) in INVALID {
        h.emulator.clear_requests();
        h.config(config);
        let out = h.tf(&["plan"]).await;
        assert_eq!(out.code, 1, "plan must fail:\n{}", out.all());
        let text = out.all();
        assert!(text.contains(detail), "diagnostic says {detail:?}:\n{text}");
        assert!(
            text.contains(line),
            "diagnostic points at {line:?}:\n{text}"
        );
        assert!(
            h.emulator.requests().is_empty(),
            "no ARM call for invalid input: {:#?}",
            h.emulator.requests()
        );
    }
}

fn registrations(h: &Harness) -> Vec<String> {
    h.emulator
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/register"))
        .map(|r| r.path)
        .collect()
}

/// A new subscription is registered for few resource providers. With `skip_provider_registration`
/// the apply stops at the first write Azure refuses, names the namespace and how to register it, and
/// keeps what it made in the state; without it, the provider registers each namespace once and the
/// apply converges.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_subscription_is_registered_for_the_providers_it_needs() {
    for (tf, version) in terraform::each() {
        a_new_subscription_is_registered_for_the_providers_it_needs_on(&tf, &version).await;
    }
}

async fn a_new_subscription_is_registered_for_the_providers_it_needs_on(tf: &Path, version: &str) {
    let config = arm_emulator::Config {
        latency_scale: 0.0005,
        unregistered: vec![
            "Microsoft.Network".into(),
            "Microsoft.ContainerService".into(),
        ],
        ..arm_emulator::Config::default()
    };
    let h = Harness::with_emulator(tf, &format!("tf-{version}-registration"), config).await;
    h.config_with("  skip_provider_registration = true", TWO_REGIONS);
    let out = h.tf(&["apply", "-auto-approve"]).await;
    let text = out.words();
    assert_eq!(out.code, 1, "{text}");
    assert!(
        text.contains("the subscription is not registered for Microsoft.Network"),
        "{text}"
    );
    assert!(
        text.contains("az provider register --namespace Microsoft.Network"),
        "{text}"
    );
    assert!(registrations(&h).is_empty(), "{:?}", registrations(&h));
    // The create failed: nothing in the state (so nothing tainted), the groups it made stay in
    // Azure, and the next apply adopts them.
    assert_eq!(h.state_values().await, serde_json::Value::Null);
    assert!(
        h.emulator
            .resource_ids()
            .iter()
            .any(|id| id.ends_with("/resourceGroups/rg-shop-eastus")),
        "the groups made stay: {:?}",
        h.emulator.resource_ids()
    );

    h.config(TWO_REGIONS);
    h.tf_ok(&["apply", "-auto-approve"]).await;
    let mut registered = registrations(&h);
    registered.sort();
    assert_eq!(
        registered,
        [
            format!(
                "/subscriptions/{}/providers/Microsoft.ContainerService/register",
                support::SUBSCRIPTION
            ),
            format!(
                "/subscriptions/{}/providers/Microsoft.Network/register",
                support::SUBSCRIPTION
            ),
        ],
        "each namespace once"
    );
    assert_eq!(h.plan_code().await.0, 0, "converged");
    h.tf_ok(&["destroy", "-auto-approve"]).await;
    assert!(h.emulator.resource_ids().is_empty());
}

fn renumbered(west_mode: &str, west_cidr: &str) -> String {
    format!(
        r#"resource "bcdr_topology" "dr" {{
  name = "renumber"
  region "eastus" {{
    vnet_cidr = "10.1.0.0/16"
  }}
  region "westus" {{
    vnet_cidr = "{west_cidr}"
    mode      = "{west_mode}"
  }}
}}"#
    )
}

/// A region's address space moves only without a cluster in it: Azure refuses to change the prefix
/// of a subnet with nodes in it, so a new `vnet_cidr` under a running cluster stops at plan, naming
/// the attribute and the way that works, with no write; taken cold, the region renumbers (its
/// peerings re-synced, both sides Connected), and comes back warm with a cluster in the new subnet.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_region_renumbers_once_its_cluster_is_gone() {
    for (tf, version) in terraform::each() {
        a_region_renumbers_once_its_cluster_is_gone_on(&tf, &version).await;
    }
}

async fn a_region_renumbers_once_its_cluster_is_gone_on(tf: &Path, version: &str) {
    let h = Harness::new(tf, &format!("tf-{version}-renumber")).await;
    h.config(&renumbered("warm", "10.2.0.0/16"));
    h.tf_ok(&["apply", "-auto-approve"]).await;

    h.config(&renumbered("warm", "10.20.0.0/16"));
    h.emulator.clear_requests();
    let out = h.tf(&["plan"]).await;
    let text = out.words();
    assert_eq!(out.code, 1, "{text}");
    assert!(
        text.contains("Error: VNet address space cannot change under a running cluster"),
        "{text}"
    );
    assert!(
        text.contains("region[\"westus\"].vnet_cidr: \"10.20.0.0/16\" would move the AKS subnet from 10.2.0.0/17 to 10.20.0.0/17"),
        "{text}"
    );
    assert!(h.writes().is_empty(), "no write: {:#?}", h.writes());

    h.config(&renumbered("cold", "10.2.0.0/16"));
    h.tf_ok(&["apply", "-auto-approve"]).await;
    h.config(&renumbered("cold", "10.20.0.0/16"));
    h.tf_ok(&["apply", "-auto-approve"]).await;
    h.config(&renumbered("warm", "10.20.0.0/16"));
    h.tf_ok(&["apply", "-auto-approve"]).await;
    let state = h.state_values().await;
    let west = &state["region"]["westus"];
    assert_eq!(west["vnet_cidr"], "10.20.0.0/16", "{state:#}");
    assert!(
        west["cluster_id"].as_str().is_some_and(|id| !id.is_empty()),
        "{state:#}"
    );
    for side in ["eastus->westus", "westus->eastus"] {
        assert_eq!(state["peerings"][side], "Connected", "{side}: {state:#}");
    }
    let (code, plan) = h.plan_code().await;
    assert_eq!(code, 0, "no changes after apply:\n{}", plan.stdout);
    h.tf_ok(&["destroy", "-auto-approve"]).await;
    assert!(h.emulator.resource_ids().is_empty());
}
