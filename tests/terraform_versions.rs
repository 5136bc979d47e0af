//! Kubernetes versions through real Terraform against the emulator: 1.0.3, and again on a newer
//! `terraform` from PATH when there is one.
//! - Pinned versions AKS does not offer in a region: a warning for a cold region, an error at plan
//!   for the failover that would make its cluster; an upgrade skipping a minor version is an error at
//!   plan.
//! - `bcdr_regions` reads the versions AKS offers in each region and those all of them offer: a
//!   topology pins the newest common one in every region, and its clusters run the same Kubernetes.
//! - An upgrade rolls across the regions: the standby first, the serving region after it succeeded;
//!   a standby whose upgrade fails stops the apply before the serving region is touched.

mod support;

use std::path::Path;

use support::{Harness, terraform};

fn pinned(east: &str, west: &str) -> String {
    format!(
        r#"resource "bcdr_topology" "dr" {{
  name = "pinned"
  region "eastus" {{
    vnet_cidr          = "10.1.0.0/16"
    kubernetes_version = "1.30"
    mode               = "{east}"
  }}
  region "westus" {{
    vnet_cidr          = "10.2.0.0/16"
    kubernetes_version = "1.30"
    mode               = "{west}"
  }}
  traffic_manager {{
    routing_method = "Priority"
  }}
}}"#
    )
}

/// 1.30 has retired from West US: the cold region is a warning at plan (its cluster would be refused
/// at failover), and the failover itself stops at `terraform plan`, naming the versions AKS offers
/// there, after reads only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failover_to_a_region_without_the_pinned_version_stops_at_plan() {
    for (tf, version) in terraform::each() {
        a_failover_to_a_region_without_the_pinned_version_stops_at_plan_on(&tf, &version).await;
    }
}

async fn a_failover_to_a_region_without_the_pinned_version_stops_at_plan_on(
    tf: &Path,
    version: &str,
) {
    let config = arm_emulator::Config {
        latency_scale: 0.0005,
        kubernetes_versions: [("westus".to_owned(), vec!["1.31.2".to_owned()])]
            .into_iter()
            .collect(),
        ..arm_emulator::Config::default()
    };
    let h = Harness::with_emulator(tf, &format!("tf-{version}-versions"), config).await;
    h.config(&pinned("hot", "cold"));
    let out = h.tf_ok(&["apply", "-auto-approve"]).await;
    let text = out.words();
    assert!(
        text.contains("Warning: Kubernetes version not offered in this region"),
        "{text}"
    );

    h.config(&pinned("warm", "hot"));
    h.emulator.clear_requests();
    let out = h.tf(&["plan"]).await;
    let text = out.words();
    assert_eq!(out.code, 1, "{text}");
    assert!(
        text.contains("Error: Kubernetes version not offered in this region"),
        "{text}"
    );
    assert!(
        text.contains("region[\"westus\"].kubernetes_version: AKS does not offer 1.30 in westus (it offers 1.31, 1.31.2;"),
        "{text}"
    );
    let writes = h.writes();
    assert!(writes.is_empty(), "reads only: {writes:#?}");

    // Nor may an upgrade skip a minor version: 1.30 -> 1.32 in East US.
    h.config(&pinned("hot", "cold").replacen("\"1.30\"", "\"1.32\"", 1));
    let out = h.tf(&["plan"]).await;
    let text = out.words();
    assert_eq!(out.code, 1, "{text}");
    assert!(
        text.contains("Error: Kubernetes upgrade AKS does not allow"),
        "{text}"
    );
    assert!(
        text.contains("region[\"eastus\"].kubernetes_version: AKS upgrades one minor version at a time: eastus runs 1.30, so apply 1.31 first"),
        "{text}"
    );
    h.config(&pinned("hot", "cold"));
    h.tf_ok(&["destroy", "-auto-approve"]).await;
    assert!(h.emulator.resource_ids().is_empty());
}

const ALIGNED: &str = r#"data "bcdr_regions" "r" {
  names = ["eastus", "westus"]
}

locals {
  newest_common = reverse(data.bcdr_regions.r.common_kubernetes_versions)[0]
}

resource "bcdr_topology" "dr" {
  name = "aligned"
  region "eastus" {
    vnet_cidr          = "10.1.0.0/16"
    kubernetes_version = local.newest_common
  }
  region "westus" {
    vnet_cidr          = "10.2.0.0/16"
    mode               = "warm"
    kubernetes_version = local.newest_common
  }
  traffic_manager {
    routing_method = "Priority"
  }
}

output "offered" {
  value = data.bcdr_regions.r.kubernetes_versions
}

output "common" {
  value = data.bcdr_regions.r.common_kubernetes_versions
}"#;

/// West US lags East US by a minor version: the data source says what each offers and what both do,
/// and both clusters are made with the newest both offer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_topology_pins_the_newest_version_every_region_offers() {
    for (tf, version) in terraform::each() {
        a_topology_pins_the_newest_version_every_region_offers_on(&tf, &version).await;
    }
}

async fn a_topology_pins_the_newest_version_every_region_offers_on(tf: &Path, version: &str) {
    let config = arm_emulator::Config {
        latency_scale: 0.0005,
        kubernetes_versions: [(
            "westus".to_owned(),
            vec!["1.30.7".to_owned(), "1.31.3".to_owned()],
        )]
        .into_iter()
        .collect(),
        ..arm_emulator::Config::default()
    };
    let h = Harness::with_emulator(tf, &format!("tf-{version}-aligned"), config).await;
    h.config(ALIGNED);
    h.tf_ok(&["apply", "-auto-approve"]).await;
    let out = h.tf_ok(&["output", "-json"]).await;
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(
        v["offered"]["value"],
        serde_json::json!({ "eastus": ["1.30", "1.31", "1.32"], "westus": ["1.30", "1.31"] }),
        "{v:#}"
    );
    assert_eq!(v["common"]["value"], serde_json::json!(["1.30", "1.31"]));
    let state = h.state_values().await;
    for region in ["eastus", "westus"] {
        assert_eq!(
            state["region"][region]["kubernetes_version"], "1.31",
            "{region}: {state:#}"
        );
    }
    assert!(
        state["readiness"]
            .as_array()
            .is_some_and(|r| r.iter().any(|l| l
                .as_str()
                .is_some_and(|l| l.starts_with("PASS consistent-versions")))),
        "{state:#}"
    );
    assert_eq!(h.plan_code().await.0, 0);
    h.tf_ok(&["destroy", "-auto-approve"]).await;
    assert!(h.emulator.resource_ids().is_empty());
}

fn rolling(version: &str) -> String {
    format!(
        r#"resource "bcdr_topology" "dr" {{
  name = "rolling"
  region "eastus" {{
    vnet_cidr          = "10.1.0.0/16"
    role               = "primary"
    kubernetes_version = "{version}"
  }}
  region "westus" {{
    vnet_cidr          = "10.2.0.0/16"
    mode               = "warm"
    kubernetes_version = "{version}"
  }}
  traffic_manager {{
    routing_method = "Priority"
  }}
}}"#
    )
}

const ROLLING: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-rolling-REGION/providers/Microsoft.ContainerService/managedClusters/aks-rolling-REGION";

/// Both regions move to 1.31 in one apply: West US (warm) is upgraded first, East US (serving) only
/// once that succeeded. When West US's upgrade fails, East US keeps running 1.30 untouched, and the
/// next apply finishes the roll.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upgrade_rolls_standby_first_and_stops_at_a_failure() {
    for (tf, version) in terraform::each() {
        an_upgrade_rolls_standby_first_and_stops_at_a_failure_on(&tf, &version).await;
    }
}

async fn an_upgrade_rolls_standby_first_and_stops_at_a_failure_on(tf: &Path, version: &str) {
    let h = Harness::new(tf, &format!("tf-{version}-rolling")).await;
    let arm = h.arm();
    let cluster = |region: &str| ROLLING.replace("REGION", region);
    let version = |region: &'static str| {
        let arm = &arm;
        let id = cluster(region);
        async move {
            arm.get(&id, "2024-09-01")
                .await
                .expect("get")
                .expect("cluster")["properties"]["kubernetesVersion"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        }
    };
    h.config(&rolling("1.30"));
    h.tf_ok(&["apply", "-auto-approve"]).await;

    h.emulator.add_fault(arm_emulator::FaultRule {
        method: "PUT".into(),
        path_contains: "managedClusters/aks-rolling-westus".into(),
        action: arm_emulator::FaultAction::FailAsync {
            code: "UpgradeFailed".into(),
            message: "the upgrade of the nodes failed".into(),
        },
        remaining: 1,
    });
    h.emulator.clear_requests();
    h.config(&rolling("1.31"));
    let out = h.tf(&["apply", "-auto-approve"]).await;
    let text = out.words();
    assert_eq!(out.code, 1, "{text}");
    assert!(text.contains("UpgradeFailed"), "{text}");
    let touched: Vec<String> = h.writes().iter().map(|w| w.path.clone()).collect();
    assert_eq!(touched, [cluster("westus")], "East US is not touched");
    assert_eq!(version("eastus").await, "1.30");

    h.emulator.clear_requests();
    h.tf_ok(&["apply", "-auto-approve"]).await;
    let touched: Vec<String> = h.writes().iter().map(|w| w.path.clone()).collect();
    assert_eq!(
        touched,
        [cluster("westus"), cluster("eastus")],
        "the standby first, the serving region after it"
    );
    assert_eq!(version("westus").await, "1.31");
    assert_eq!(version("eastus").await, "1.31");
    assert_eq!(h.plan_code().await.0, 0);
    h.tf_ok(&["destroy", "-auto-approve"]).await;
    assert!(h.emulator.resource_ids().is_empty());
}
