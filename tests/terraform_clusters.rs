//! Cluster and network settings through real Terraform against the emulator: 1.0.3, and again on a newer
//! `terraform` from PATH when there is one.
//! - Node pools: an autoscaled, zonal system pool and user node pools apply and plan no changes; the
//!   autoscaler moving the count is no change; import rebuilds the pools; moving zones is refused at
//!   plan with the attribute named and no ARM write; removing a pool deletes it.
//! - Hub and spoke: a full mesh becomes hub and spoke in place (spoke-to-spoke peerings deleted);
//!   import rebuilds the hub.
//! - Regions newer than the provider's offline table: looked up in Azure at plan, applied there; a
//!   misspelt one refused at plan.
//! - An access-restricted region (Germany North, the in-country pair of Germany West Central):
//!   refused at plan for a subscription not granted it, applied for one that is.
//! - A cold region without the vCPU quota its cluster needs, or a warm one without the quota to
//!   scale up: a warning at plan, long before the failover that AKS refuses.
//! - The AKS pricing tier: Free warned of by readiness, a change applied in place (one write, the
//!   configuration's spelling kept), a cluster moved back to Free behind Terraform's back repaired.

mod support;

use std::path::Path;

use support::{Harness, terraform};

const POOLED: &str = r#"resource "bcdr_topology" "dr" {
  name = "pools"
  region "eastus" {
    vnet_cidr          = "10.1.0.0/16"
    min_count          = 2
    max_count          = 6
    availability_zones = ["1", "2", "3"]
    node_pool "apps" {
      vm_size            = "Standard_D8ds_v5"
      node_count         = 2
      availability_zones = ["1", "2", "3"]
    }
    node_pool "batch" {
      vm_size   = "Standard_D8ds_v5"
      min_count = 0
      max_count = 10
    }
  }
  region "westus" {
    vnet_cidr = "10.2.0.0/16"
    mode      = "warm"
  }
  traffic_manager {
    routing_method = "Priority"
  }
}"#;

const CLUSTER: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-pools-eastus/providers/Microsoft.ContainerService/managedClusters/aks-pools-eastus";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_pools_autoscale_keep_their_zones_and_come_and_go() {
    for (tf, version) in terraform::each() {
        node_pools_autoscale_keep_their_zones_and_come_and_go_on(&tf, &version).await;
    }
}

async fn node_pools_autoscale_keep_their_zones_and_come_and_go_on(tf: &Path, version: &str) {
    let h = Harness::new(tf, &format!("tf-{version}-pools")).await;
    h.config(POOLED);
    let (code, plan) = h.plan_code().await;
    assert_eq!(code, 2, "{}", plan.all());
    h.tf_ok(&["apply", "-auto-approve"]).await;
    let (code, plan) = h.plan_code().await;
    assert_eq!(code, 0, "no changes after apply:\n{}", plan.stdout);
    let state = h.state_values().await;
    assert_eq!(state["region"]["eastus"]["node_count"], 2.0, "{state:#}");
    let kube = state["region"]["eastus"]["kube_config"]
        .as_str()
        .unwrap_or_default();
    let fqdn = state["region"]["eastus"]["cluster_fqdn"]
        .as_str()
        .unwrap_or_default();
    assert!(
        kube.contains(&format!("server: https://{fqdn}:443")),
        "the cluster's kubeconfig: {kube}"
    );
    assert_eq!(
        state["region"]["eastus"]["node_pool"]["batch"]["node_count"],
        1.0
    );

    // The autoscaler grows the system pool: the state follows, the plan stays empty.
    let arm = h.arm();
    let mut aks = arm
        .get(CLUSTER, "2024-09-01")
        .await
        .expect("get")
        .expect("cluster");
    aks["properties"]["agentPoolProfiles"] =
        serde_json::json!([aks["properties"]["agentPoolProfiles"][0].clone()]);
    aks["properties"]["agentPoolProfiles"][0]["count"] = 5.into();
    arm.put(CLUSTER, "2024-09-01", &aks, &[])
        .await
        .expect("autoscale");
    let (code, plan) = h.plan_code().await;
    assert_eq!(
        code,
        0,
        "the autoscaler's count is no change:\n{}",
        plan.all()
    );

    h.tf_ok(&["state", "rm", "bcdr_topology.dr"]).await;
    h.tf_ok(&["import", "bcdr_topology.dr", "pools"]).await;
    let (code, plan) = h.plan_code().await;
    assert_eq!(code, 0, "import rebuilds the pools:\n{}", plan.all());
    let imported = h.state_values().await;
    assert_eq!(
        imported["region"]["westus"]["kube_config"], state["region"]["westus"]["kube_config"],
        "import reads the kubeconfigs too"
    );

    h.emulator.clear_requests();
    h.config(&POOLED.replacen(r#"["1", "2", "3"]"#, r#"["1", "2"]"#, 1));
    let out = h.tf(&["plan"]).await;
    assert_eq!(out.code, 1, "{}", out.all());
    let text = out.all();
    assert!(
        !text.contains("token: "),
        "the kubeconfig never shows:\n{text}"
    );
    assert!(
        text.contains("Availability zones cannot change")
            && text.contains(r#"region["eastus"].availability_zones"#),
        "{text}"
    );
    assert!(
        text.contains("availability_zones = [\"1\", \"2\"]"),
        "points at the attribute:\n{text}"
    );
    assert!(
        h.emulator
            .requests()
            .iter()
            .all(|r| !matches!(r.method.as_str(), "PUT" | "PATCH" | "DELETE")),
        "no ARM write: {:#?}",
        h.emulator.requests()
    );

    let start = POOLED.find("    node_pool \"batch\"").expect("batch");
    let end = start + POOLED[start..].find("    }\n").expect("end") + 6;
    h.config(&format!("{}{}", &POOLED[..start], &POOLED[end..]));
    h.tf_ok(&["apply", "-auto-approve"]).await;
    assert!(
        !h.emulator
            .resource_ids()
            .iter()
            .any(|id| id.ends_with("/agentPools/batch")),
        "{:#?}",
        h.emulator.resource_ids()
    );
    assert_eq!(h.plan_code().await.0, 0);
    h.tf_ok(&["destroy", "-auto-approve"]).await;
    assert!(h.emulator.resource_ids().is_empty());
}

const MESH: &str = r#"resource "bcdr_topology" "net" {
  name = "net"
  region "eastus" {
    vnet_cidr = "10.1.0.0/16"
  }
  region "westus" {
    vnet_cidr = "10.2.0.0/16"
    mode      = "cold"
  }
  region "centralus" {
    vnet_cidr = "10.3.0.0/16"
    mode      = "cold"
  }
}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mesh_becomes_hub_and_spoke_in_place() {
    for (tf, version) in terraform::each() {
        a_mesh_becomes_hub_and_spoke_in_place_on(&tf, &version).await;
    }
}

async fn a_mesh_becomes_hub_and_spoke_in_place_on(tf: &Path, version: &str) {
    let h = Harness::new(tf, &format!("tf-{version}-hub")).await;
    h.config(MESH);
    h.tf_ok(&["apply", "-auto-approve"]).await;
    let peerings = |h: &Harness| {
        h.emulator
            .resource_ids()
            .into_iter()
            .filter(|id| id.contains("/virtualNetworkPeerings/"))
            .count()
    };
    assert_eq!(peerings(&h), 6, "a full mesh of three");
    let hub = MESH.replacen(
        "  name = \"net\"",
        "  name = \"net\"\n  peering_hub = \"eastus\"",
        1,
    );
    h.config(&hub);
    let (code, plan) = h.plan_code().await;
    assert_eq!(code, 2, "{}", plan.all());
    assert!(
        plan.stdout.contains("1 to change"),
        "in place:\n{}",
        plan.stdout
    );
    h.tf_ok(&["apply", "-auto-approve"]).await;
    assert_eq!(peerings(&h), 4, "{:#?}", h.emulator.resource_ids());
    let state = h.state_values().await;
    assert!(
        state["peerings"].get("westus->centralus").is_none(),
        "{state:#}"
    );
    assert_eq!(
        state["peerings"]["westus->eastus"], "Connected",
        "{state:#}"
    );
    assert_eq!(h.plan_code().await.0, 0);
    h.tf_ok(&["state", "rm", "bcdr_topology.net"]).await;
    h.tf_ok(&["import", "bcdr_topology.net", "net"]).await;
    let (code, plan) = h.plan_code().await;
    assert_eq!(code, 0, "import rebuilds the hub:\n{}", plan.all());
    h.tf_ok(&["destroy", "-auto-approve"]).await;
    assert!(h.emulator.resource_ids().is_empty());
}

fn newer(region: &str) -> String {
    format!(
        r#"resource "bcdr_topology" "dr" {{
  name = "newer"
  region "southeastasia" {{
    vnet_cidr = "10.1.0.0/16"
  }}
  region "{region}" {{
    vnet_cidr = "10.2.0.0/16"
  }}
}}"#
    )
}

/// A region Azure opened after the provider's offline table (Indonesia Central: the emulator has it,
/// as Azure does today): `validate` warns, the plan looks it up in the subscription's locations and
/// the topology applies there; a misspelling is refused at plan with a guess, after reads only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_region_newer_than_the_offline_table_is_looked_up_in_azure() {
    for (tf, version) in terraform::each() {
        a_region_newer_than_the_offline_table_is_looked_up_in_azure_on(&tf, &version).await;
    }
}

async fn a_region_newer_than_the_offline_table_is_looked_up_in_azure_on(tf: &Path, version: &str) {
    let h = Harness::new(tf, &format!("tf-{version}-new-region")).await;
    h.config(&newer("indonesiacentrl"));
    h.emulator.clear_requests();
    let out = h.tf(&["plan"]).await;
    let text = out.words();
    assert_eq!(out.code, 1, "{text}");
    assert!(text.contains("Error: Unknown region"), "{text}");
    assert!(
        text.contains("\"indonesiacentrl\" is not a region of this subscription (did you mean"),
        "{text}"
    );
    assert!(
        text.contains("region[\"indonesiacentrl\"]: \"indonesiacentrl\" is not a region"),
        "names the region:\n{text}"
    );
    let writes = h.writes();
    assert!(writes.is_empty(), "reads only: {writes:#?}");

    h.config(&newer("indonesiacentral"));
    let out = h.tf(&["validate"]).await;
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        out.all()
            .contains("Warning: Region not in the offline table"),
        "{}",
        out.all()
    );
    h.tf_ok(&["apply", "-auto-approve"]).await;
    let state = h.state_values().await;
    let cluster = state["region"]["indonesiacentral"]["cluster_id"]
        .as_str()
        .unwrap_or_default();
    assert!(
        cluster.ends_with("/aks-newer-indonesiacentral"),
        "{state:#}"
    );
    let (code, plan) = h.plan_code().await;
    assert_eq!(code, 0, "no changes after apply:\n{}", plan.stdout);
    h.tf_ok(&["destroy", "-auto-approve"]).await;
    assert!(h.emulator.resource_ids().is_empty());
}

const IN_GERMANY: &str = r#"resource "bcdr_topology" "dr" {
  name = "de"
  region "germanywestcentral" {
    vnet_cidr = "10.1.0.0/16"
    role      = "primary"
  }
  region "germanynorth" {
    vnet_cidr = "10.2.0.0/16"
  }
  traffic_manager {
    routing_method = "Priority"
  }
}"#;

/// Data that must stay in Germany recovers into Germany North, which Azure offers only to
/// subscriptions granted access. Not granted: `terraform plan` stops at the region, saying how to
/// get access, after reads only. Granted: the topology applies there, plans no changes, and readiness
/// finds the primary's pair.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_access_restricted_region_is_used_where_the_subscription_was_granted_it() {
    for (tf, version) in terraform::each() {
        an_access_restricted_region_is_used_where_the_subscription_was_granted_it_on(&tf, &version)
            .await;
    }
}

async fn an_access_restricted_region_is_used_where_the_subscription_was_granted_it_on(
    tf: &Path,
    version: &str,
) {
    let h = Harness::new(tf, &format!("tf-{version}-restricted")).await;
    h.config(IN_GERMANY);
    let out = h.tf(&["plan"]).await;
    let text = out.words();
    assert_eq!(out.code, 1, "{text}");
    assert!(text.contains("Warning: Access-restricted region"), "{text}");
    assert!(
        text.contains("Error: AKS is not offered to this subscription in this region"),
        "{text}"
    );
    assert!(
        text.contains("region[\"germanynorth\"]: \"germanynorth\" is an access-restricted region (the in-country pair of germanywestcentral), and this subscription has not been granted it"),
        "{text}"
    );
    assert!(h.writes().is_empty(), "reads only: {:#?}", h.writes());

    let config = arm_emulator::Config {
        latency_scale: 0.0005,
        restricted_access: vec!["germanynorth".to_owned()],
        ..arm_emulator::Config::default()
    };
    let h = Harness::with_emulator(tf, &format!("tf-{version}-restricted-granted"), config).await;
    h.config(IN_GERMANY);
    h.tf_ok(&["apply", "-auto-approve"]).await;
    let state = h.state_values().await;
    let cluster = state["region"]["germanynorth"]["cluster_id"]
        .as_str()
        .unwrap_or_default();
    assert!(cluster.ends_with("/aks-de-germanynorth"), "{state:#}");
    let readiness = state["readiness"].to_string();
    assert!(
        readiness.contains(
            "germanywestcentral is primary and recovers into its Azure pair germanynorth"
        ),
        "{readiness}"
    );
    let (code, plan) = h.plan_code().await;
    assert_eq!(code, 0, "no changes after apply:\n{}", plan.stdout);
    h.tf_ok(&["destroy", "-auto-approve"]).await;
    assert!(h.emulator.resource_ids().is_empty());
}

fn standby(east: &str, west: &str) -> String {
    let nodes = if west == "warm" {
        "\n    node_count = 1"
    } else {
        ""
    };
    format!(
        r#"resource "bcdr_topology" "dr" {{
  name = "standby"
  region "eastus" {{
    vnet_cidr = "10.1.0.0/16"
    mode      = "{east}"
  }}
  region "westus" {{
    vnet_cidr = "10.2.0.0/16"
    mode      = "{west}"{nodes}
  }}
  traffic_manager {{
    routing_method = "Priority"
  }}
}}"#
    )
}

/// West US has 8 vCPUs of quota. Warm on one node (4 vCPUs), a failover would scale it to East US's 3
/// (8 more); cold, its cluster needs 12: `terraform plan` says so long before a failover, and the
/// failover itself is refused by AKS with the quota named.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cold_region_without_quota_to_fail_over_is_a_warning_at_plan() {
    for (tf, version) in terraform::each() {
        a_cold_region_without_quota_to_fail_over_is_a_warning_at_plan_on(&tf, &version).await;
    }
}

async fn a_cold_region_without_quota_to_fail_over_is_a_warning_at_plan_on(
    tf: &Path,
    version: &str,
) {
    let config = arm_emulator::Config {
        latency_scale: 0.0005,
        core_quotas: [("westus".to_owned(), 8)].into_iter().collect(),
        ..arm_emulator::Config::default()
    };
    let h = Harness::with_emulator(tf, &format!("tf-{version}-capacity"), config).await;
    h.config(&standby("hot", "warm"));
    h.tf_ok(&["apply", "-auto-approve"]).await;
    // Now that its node counts against the quota.
    let out = h.tf_ok(&["plan"]).await;
    let text = out.words();
    assert!(
        text.contains("region[\"westus\"]: a failover to westus that scales its system pool from 1 to the hot regions' 3 nodes adds (2 × Standard_D4ds_v5) with 8 vCPUs of the regional total, which has 4 of 8 left"),
        "{text}"
    );
    h.config(&standby("hot", "cold"));
    let out = h.tf_ok(&["apply", "-auto-approve"]).await;
    let text = out.words();
    assert!(
        text.contains("Warning: Not enough vCPU quota to fail over"),
        "{text}"
    );
    assert!(
        text.contains("region[\"westus\"]: a failover to westus makes its cluster (3 × Standard_D4ds_v5) with 12 vCPUs"),
        "{text}"
    );

    h.config(&standby("warm", "hot"));
    let out = h.tf(&["apply", "-auto-approve"]).await;
    let text = out.words();
    assert_eq!(out.code, 1, "{text}");
    assert!(text.contains("QuotaExceeded"), "{text}");
    h.config(&standby("hot", "cold"));
    h.tf_ok(&["destroy", "-auto-approve"]).await;
    assert!(h.emulator.resource_ids().is_empty());
}

fn tiered(east: &str) -> String {
    format!(
        r#"resource "bcdr_topology" "dr" {{
  name = "tiers"
  region "eastus" {{
    vnet_cidr = "10.1.0.0/16"
    {east}
  }}
  region "westus" {{
    vnet_cidr = "10.2.0.0/16"
    mode      = "cold"
  }}
  traffic_manager {{
    routing_method = "Priority"
  }}
}}"#
    )
}

const TIERED: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-tiers-eastus/providers/Microsoft.ContainerService/managedClusters/aks-tiers-eastus";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clusters_pricing_tier_changes_in_place_and_is_repaired() {
    for (tf, version) in terraform::each() {
        a_clusters_pricing_tier_changes_in_place_and_is_repaired_on(&tf, &version).await;
    }
}

async fn a_clusters_pricing_tier_changes_in_place_and_is_repaired_on(tf: &Path, version: &str) {
    let h = Harness::new(tf, &format!("tf-{version}-tier")).await;
    let arm = h.arm();
    let tier = || async {
        arm.get(TIERED, "2024-09-01")
            .await
            .expect("get")
            .expect("cluster")["sku"]["tier"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    h.config(&tiered("sku_tier  = \"Free\""));
    h.tf_ok(&["apply", "-auto-approve"]).await;
    assert_eq!(tier().await, "Free");
    let readiness = h.state_values().await["readiness"].clone();
    assert!(
        readiness.as_array().is_some_and(|r| r.iter().any(|l| l
            .as_str()
            .is_some_and(|l| l.starts_with("WARN api-server-sla: eastus on the Free tier")))),
        "{readiness}"
    );

    h.config(&tiered("sku_tier  = \"standard\""));
    h.emulator.clear_requests();
    h.tf_ok(&["apply", "-auto-approve"]).await;
    let writes: Vec<String> = h
        .writes()
        .iter()
        .map(|w| format!("{} {}", w.method, w.path))
        .collect();
    assert_eq!(
        writes,
        [format!("PUT {TIERED}")],
        "in place, the cluster only"
    );
    assert_eq!(tier().await, "Standard");
    let (code, plan) = h.plan_code().await;
    assert_eq!(code, 0, "ARM's spelling is no change:\n{}", plan.all());

    let mut aks = arm
        .get(TIERED, "2024-09-01")
        .await
        .expect("get")
        .expect("cluster");
    aks["sku"]["tier"] = "Free".into();
    arm.put(TIERED, "2024-09-01", &aks, &[])
        .await
        .expect("drift");
    let (code, plan) = h.plan_code().await;
    let text = plan.words();
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("~ sku_tier = \"Free\" -> \"standard\""),
        "{text}"
    );
    h.tf_ok(&["apply", "-auto-approve"]).await;
    assert_eq!(tier().await, "Standard");

    h.config(&tiered(""));
    let (code, plan) = h.plan_code().await;
    assert_eq!(code, 0, "Standard is the default:\n{}", plan.all());
    h.tf_ok(&["destroy", "-auto-approve"]).await;
    assert!(h.emulator.resource_ids().is_empty());
}
