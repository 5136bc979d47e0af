//! End to end through real Terraform, the operations beyond the lifecycle: failover and failback as
//! mode changes (1.0.3 and a newer Terraform on PATH), the regions data source, timeouts and Ctrl-C
//! keeping partial progress, every complete HCL example applied; backup storage moving from GRS to
//! RA-GRS, its secondary endpoint known once it is readable. (The provider block's other credentials
//! are in `terraform_credentials.rs`.)

mod support;

use std::path::Path;

use support::{Harness, log, terraform};

const ROUTED: &str = r#"
resource "bcdr_topology" "dr" {
  name = "web"

  region "eastus" {
    vnet_cidr = "10.1.0.0/16"
    mode      = "EAST_MODE"
  }

  region "westus" {
    vnet_cidr  = "10.2.0.0/16"
    mode       = "WEST_MODE"
    node_count = 1
  }

    traffic_manager {
    routing_method = "Priority"
  }

    registry {}

  backup {}
}
"#;

fn routed(east: &str, west: &str) -> String {
    ROUTED.replace("EAST_MODE", east).replace("WEST_MODE", west)
}

/// Traffic Manager in front of a hot and a warm region; failover and failback as mode changes.
async fn failover(h: &Harness) {
    h.config(&routed("hot", "warm"));
    let (_, plan) = h.plan_code().await;
    assert!(
        plan.stdout
            .contains("endpoint_status            = \"Disabled\""),
        "the plan says westus gets no traffic:\n{}",
        plan.stdout
    );
    h.tf_ok(&["apply", "-auto-approve"]).await;
    let state = h.state_values().await;
    assert_eq!(
        state["traffic_manager"]["fqdn"], "bcdr-web.trafficmanager.net",
        "{state:#}"
    );
    assert_eq!(state["region"]["eastus"]["endpoint_status"], "Enabled");
    assert_eq!(state["region"]["westus"]["endpoint_status"], "Disabled");
    assert_eq!(state["region"]["eastus"]["priority"], 1.0);
    assert_eq!(
        state["region"]["eastus"]["ingress_fqdn"],
        "web-eastus.eastus.cloudapp.azure.com"
    );
    assert_eq!(
        state["region"]["westus"]["ingress_resource_group"],
        "rg-web-westus"
    );
    assert!(
        state["registry"]["login_server"]
            .as_str()
            .is_some_and(|l| l.starts_with("bcdrweb") && l.ends_with(".azurecr.io")),
        "{state:#}"
    );
    assert_eq!(state["home_region"], "eastus");
    assert_eq!(
        state["backup"]["secondary_region"], "westus",
        "backups replicate to East US's pair"
    );
    assert_eq!(state["backup"]["containers"]["westus"], "backup-westus");
    let secondary = state["backup"]["secondary_blob_endpoint"]
        .as_str()
        .unwrap_or_default();
    assert!(
        secondary.starts_with("https://")
            && secondary.ends_with("-secondary.blob.core.windows.net/"),
        "RA-GRS by default: West US restores from the copy while East US is down: {state:#}"
    );
    let readiness: Vec<&str> = state["readiness"]
        .as_array()
        .expect("readiness")
        .iter()
        .filter_map(|l| l.as_str())
        .collect();
    assert!(
        readiness.contains(
            &"PASS global-routing: Traffic Manager (Priority) in front of every region's ingress IP"
        ),
        "{readiness:#?}"
    );
    assert!(
        readiness
            .iter()
            .any(|l| l.starts_with("WARN standby-capacity: westus (1 of 3 nodes)")),
        "{readiness:#?}"
    );
    assert!(
        readiness
            .iter()
            .any(|l| l.starts_with("WARN zone-redundancy: eastus (system): not spread")),
        "East US has zones, West US none: {readiness:#?}"
    );
    assert!(
        state["diagram"]
            .as_str()
            .is_some_and(|d| d.starts_with("flowchart TB") && d.contains("westus (warm)")),
        "{state:#}"
    );
    assert_eq!(h.plan_code().await.0, 0, "no changes after apply");

    // Fail over: westus takes the traffic, eastus keeps running without it.
    h.config(&routed("warm", "hot"));
    let (code, plan) = h.plan_code().await;
    assert_eq!(code, 2);
    assert!(
        plan.stdout
            .contains("endpoint_status            = \"Enabled\" -> \"Disabled\""),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout
            .contains("endpoint_status            = \"Disabled\" -> \"Enabled\""),
        "{}",
        plan.stdout
    );
    h.emulator.clear_requests();
    h.tf_ok(&["apply", "-auto-approve"]).await;
    let writes: Vec<String> = h
        .emulator
        .requests()
        .into_iter()
        .filter(|r| r.method == "PUT" || r.method == "DELETE")
        .map(|r| r.path)
        .collect();
    // The cluster that starts serving is backed up from now on (its backup instance, beside the
    // traffic write, which does not wait for it).
    let (backups, traffic): (Vec<&String>, Vec<&String>) =
        writes.iter().partition(|p| p.contains("/backupInstances/"));
    assert_eq!(
        traffic.len(),
        1,
        "failover is one profile write: {writes:?}"
    );
    assert!(
        backups.len() == 1 && backups[0].ends_with("/backupInstances/aks-web-westus"),
        "{writes:?}"
    );
    let state = h.state_values().await;
    assert_eq!(
        (
            state["region"]["westus"]["endpoint_status"].as_str(),
            state["region"]["westus"]["priority"].as_f64()
        ),
        (Some("Enabled"), Some(1.0))
    );
    assert_eq!(h.plan_code().await.0, 0);

    h.tf_ok(&["state", "rm", "bcdr_topology.dr"]).await;
    h.tf_ok(&["import", "bcdr_topology.dr", "web"]).await;
    let (code, plan) = h.plan_code().await;
    assert_eq!(
        code,
        0,
        "import rebuilds modes and routing:\n{}",
        plan.all()
    );

    h.tf_ok(&["destroy", "-auto-approve"]).await;
    assert!(
        h.emulator.resource_ids().is_empty(),
        "{:#?}",
        h.emulator.resource_ids()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failover_on_terraform_1_0_3() {
    failover(&Harness::new(&terraform::terraform_1_0_3(), "tf-1.0.3-failover").await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failover_on_newer_terraform_from_path() {
    match terraform::terraform_on_path() {
        Some((bin, version)) => {
            failover(&Harness::new(&bin, &format!("tf-{version}-failover")).await).await
        }
        None => log("NOTE: no terraform newer than 1.0.3 on PATH: failover ran on 1.0.3 only"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regions_data_source_reads_pairs_and_aks_availability_from_arm() {
    for (tf, version) in terraform::each() {
        regions_data_source_reads_pairs_and_aks_availability_from_arm_on(&tf, &version).await;
    }
}

async fn regions_data_source_reads_pairs_and_aks_availability_from_arm_on(
    tf: &Path,
    version: &str,
) {
    let h = Harness::new(tf, &format!("tf-{version}-regions")).await;
    h.config(
        r#"
data "bcdr_regions" "r" {
  names = ["eastus", "westus", "francecentral", "francesouth", "italynorth"]
}

output "pairs" {
  value = data.bcdr_regions.r.recommended_pairs
}

output "aks" {
  value = data.bcdr_regions.r.aks_available
}

output "paired" {
  value = data.bcdr_regions.r.paired_regions["eastus"]
}

output "zones" {
  value = data.bcdr_regions.r.availability_zones
}

output "restricted" {
  value = data.bcdr_regions.r.access_restricted
}
"#,
    );
    h.tf_ok(&["apply", "-auto-approve"]).await;
    let out = h.tf_ok(&["output", "-json"]).await;
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(
        v["pairs"]["value"],
        serde_json::json!([["eastus", "westus"]]),
        "France South has no AKS; Italy North no pair: {v:#}"
    );
    assert_eq!(v["aks"]["value"]["francesouth"], false);
    assert_eq!(
        (
            &v["restricted"]["value"]["francesouth"],
            &v["restricted"]["value"]["francecentral"]
        ),
        (&serde_json::json!(true), &serde_json::json!(false)),
        "France South is France Central's in-country pair, offered on request: {v:#}"
    );
    assert_eq!(v["paired"]["value"], serde_json::json!(["westus"]));
    assert_eq!(
        (
            &v["zones"]["value"]["eastus"],
            &v["zones"]["value"]["westus"]
        ),
        (&serde_json::json!(true), &serde_json::json!(false)),
        "East US has availability zones, West US none: {v:#}"
    );
    let locations = h
        .emulator
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/locations"))
        .count();
    assert!(locations >= 1, "the data source asks ARM, not a table");
}

/// Every provisioning time short but the cluster's: 3 s to create or update. Times are given at
/// Azure's scale and scaled 1:1000, the scale the provider polls at (no `Retry-After`, as Azure).
fn slow_clusters() -> arm_emulator::Config {
    let mut latencies: std::collections::BTreeMap<String, u64> = arm_emulator::default_latencies()
        .into_keys()
        .map(|k| (k, 5_000))
        .collect();
    latencies.insert("managedCluster.put".into(), 3_000_000);
    latencies.insert("managedCluster.update".into(), 3_000_000);
    arm_emulator::Config {
        latency_scale: 0.001,
        latencies,
        ..arm_emulator::Config::default()
    }
}

const SLOW: &str = r#"
resource "bcdr_topology" "dr" {
  name = "slow"

  region "eastus" {
    vnet_cidr  = "10.1.0.0/16"
    node_count = NODES
  }

  region "westus" {
    vnet_cidr = "10.2.0.0/16"
  }
  TIMEOUTS
}
"#;

fn slow(nodes: u32, timeouts: &str) -> String {
    SLOW.replace("NODES", &nodes.to_string())
        .replace("TIMEOUTS", timeouts)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timed_out_and_interrupted_applies_keep_partial_progress() {
    for (tf, version) in terraform::each() {
        timed_out_and_interrupted_applies_keep_partial_progress_on(&tf, &version).await;
    }
}

async fn timed_out_and_interrupted_applies_keep_partial_progress_on(tf: &Path, version: &str) {
    let h = Harness::with_emulator(tf, &format!("tf-{version}-stop"), slow_clusters()).await;

    // A create that runs out of time: what finished stays in Azure, and nothing is saved to the
    // state (a partial state would be tainted, and the next apply would destroy the topology to create
    // it again). The next apply plans a create, adopts what exists and converges, deleting nothing.
    h.config(&slow(3, "timeouts {\n    create = \"1s\"\n  }"));
    let started = std::time::Instant::now();
    let out = h.tf(&["apply", "-auto-approve"]).await;
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        started.elapsed() < std::time::Duration::from_millis(2_900),
        "stopped at the deadline, not after the clusters"
    );
    assert!(out.all().contains("timed out after 1s"), "{}", out.all());
    assert!(
        out.words()
            .contains("the next terraform apply adopts what exists"),
        "{}",
        out.all()
    );
    assert_eq!(
        h.state_values().await,
        serde_json::Value::Null,
        "no partial (tainted) state"
    );
    assert!(
        h.emulator
            .resource_ids()
            .iter()
            .any(|id| id.ends_with("/virtualNetworks/vnet-slow-eastus")),
        "what finished stays in Azure"
    );
    h.config(&slow(3, ""));
    let (code, plan) = h.plan_code().await;
    assert_eq!(code, 2);
    assert!(
        plan.words().contains("1 to add, 0 to change, 0 to destroy")
            && !plan.all().contains("must be replaced"),
        "a create, not a replacement: {}",
        plan.all()
    );
    h.emulator.clear_requests();
    h.tf_ok(&["apply", "-auto-approve"]).await;
    assert!(
        !h.emulator.requests().iter().any(|r| r.method == "DELETE"),
        "the re-run deleted nothing"
    );
    assert_eq!(h.plan_code().await.0, 0, "the re-run converged");

    // An update interrupted with Ctrl-C: Terraform sends StopProvider, the provider stops starting work
    // and returns what it has; the next apply finishes the job.
    h.config(&slow(5, ""));
    h.emulator.clear_requests();
    let child = h.spawn(&["apply", "-auto-approve"]);
    let pid = child.id().to_string();
    for _ in 0..200 {
        if h.emulator
            .requests()
            .iter()
            .any(|r| r.method == "PUT" && r.path.contains("managedClusters/aks-slow-eastus"))
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let started = std::time::Instant::now();
    std::process::Command::new("kill")
        .args(["-INT", "--", &format!("-{pid}")])
        .status()
        .expect("kill the process group");
    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .expect("join")
        .expect("terraform exits");
    let all = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    log(&format!(
        "[tf-1.0.3-stop] terraform apply interrupted -> exit {:?} {:.2?} after SIGINT",
        out.status.code(),
        started.elapsed()
    ));
    assert_ne!(out.status.code(), Some(0), "{all}");
    assert!(
        started.elapsed() < std::time::Duration::from_millis(2_500),
        "the provider stopped promptly: {all}"
    );
    assert!(all.contains("cancelled"), "{all}");
    h.tf_ok(&["apply", "-auto-approve"]).await;
    let state = h.state_values().await;
    assert_eq!(state["region"]["eastus"]["node_count"], 5.0);
    assert_eq!(h.plan_code().await.0, 0);
    h.tf_ok(&["destroy", "-auto-approve"]).await;
}

fn backed_up(redundancy: &str) -> String {
    format!(
        r#"resource "bcdr_topology" "dr" {{
  name = "backups"
  region "eastus" {{
    vnet_cidr = "10.1.0.0/16"
  }}
  region "westus" {{
    vnet_cidr = "10.2.0.0/16"
    mode      = "warm"
  }}
  traffic_manager {{
    routing_method = "Priority"
  }}
  backup {{
    redundancy = "{redundancy}"
  }}
}}"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backups_become_readable_in_the_pair_in_place() {
    for (tf, version) in terraform::each() {
        backups_become_readable_in_the_pair_in_place_on(&tf, &version).await;
    }
}

async fn backups_become_readable_in_the_pair_in_place_on(tf: &Path, version: &str) {
    let h = Harness::new(tf, &format!("tf-{version}-backups")).await;
    h.config(&backed_up("GRS"));
    h.tf_ok(&["apply", "-auto-approve"]).await;
    let state = h.state_values().await;
    assert_eq!(state["backup"]["secondary_blob_endpoint"], "", "{state:#}");
    assert!(
        state["readiness"]
            .as_array()
            .is_some_and(|r| r.iter().any(|l| l
                .as_str()
                .is_some_and(|l| l.starts_with("WARN backup-storage: GRS")))),
        "{state:#}"
    );
    assert_eq!(h.plan_code().await.0, 0, "no changes");
    h.config(&backed_up("RA-GRS"));
    h.emulator.clear_requests();
    h.tf_ok(&["apply", "-auto-approve"]).await;
    assert_eq!(
        h.writes().len(),
        1,
        "the account's SKU, in place: {:#?}",
        h.writes()
    );
    let state = h.state_values().await;
    let secondary = state["backup"]["secondary_blob_endpoint"]
        .as_str()
        .unwrap_or_default();
    assert!(
        secondary.ends_with("-secondary.blob.core.windows.net/"),
        "{state:#}"
    );
    assert_eq!(h.plan_code().await.0, 0, "no changes");
    h.tf_ok(&["destroy", "-auto-approve"]).await;
    assert!(h.emulator.resource_ids().is_empty());
}
