//! Issue #21's whole story through real Terraform (1.0.3, and again on a newer `terraform` from PATH
//! when there is one), against the emulator: a 2-region topology across the Azure pair East US / West
//! US with both `backup` (AKS Backup) and `database` (PostgreSQL flexible server, a replica in West
//! US). It applies; East US goes down; the failover (modes swapped, a `restore` block asking for East
//! US's latest backup in West US) promotes West US's replica before the traffic moves and restores
//! East US's latest backup into West US's cluster from the copy Azure keeps in the pair; East US comes
//! back; failback on request promotes East US again before the traffic moves back; destroy leaves the
//! emulator empty. Each step's apply is timed in the test's log.

mod support;

use std::path::Path;
use std::time::Instant;
use support::{Harness, SUBSCRIPTION, terraform};

const GROUP: &str = "6a1b3c4d-0000-4000-8000-00000000d021";

fn orders(east: &str, west: &str, restore: &str) -> String {
    format!(
        r#"resource "bcdr_topology" "dr" {{
  name = "orders"
  region "eastus" {{
    vnet_cidr = "10.1.0.0/16"
    role      = "primary"
    mode      = "{east}"
  }}
  region "westus" {{
    vnet_cidr  = "10.2.0.0/16"
    mode       = "{west}"
    node_count = 1
  }}
  traffic_manager {{
    routing_method = "Priority"
  }}
  backup {{
    {restore}
  }}
  database {{
    replica_regions       = ["westus"]
    admin_group_object_id = "{GROUP}"
    admin_group_name      = "orders-dba"
  }}
}}"#
    )
}

const RESTORE: &str = "restore {\n      from_region = \"eastus\"\n      into_region = \"westus\"\n      request     = \"drill-1\"\n    }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_survives_the_loss_of_the_primary_region() {
    for (tf, version) in terraform::each() {
        state_survives_on(&tf, &version).await;
    }
}

/// Where the request `what` is in the log, by method and a path test.
fn position(
    log: &[arm_emulator::LogEntry],
    what: &str,
    method: &str,
    path: impl Fn(&str) -> bool,
) -> usize {
    log.iter()
        .position(|r| r.method == method && path(&r.path.to_ascii_lowercase()) && r.status < 300)
        .unwrap_or_else(|| panic!("{what}: {log:#?}"))
}

fn server(region: &str) -> String {
    bcdr::names::database_server(SUBSCRIPTION, "orders", region).to_ascii_lowercase()
}

async fn state_survives_on(tf: &Path, version: &str) {
    let h = Harness::new(tf, &format!("tf-{version}-state-survives")).await;
    let timed = Instant::now();
    h.config(&orders("hot", "warm", ""));
    h.tf_ok(&["apply", "-auto-approve"]).await;
    support::log(&format!("[{version}] apply: {:?}", timed.elapsed()));
    let state = h.state_values().await;
    assert_eq!(state["database"]["primary_region"], "eastus", "{state:#}");
    for r in ["eastus", "westus"] {
        assert!(
            state["backup"]["vault_ids"][r].as_str().is_some(),
            "{state:#}"
        );
    }
    let (code, plan) = h.plan_code().await;
    assert_eq!(code, 0, "no changes once applied:\n{}", plan.all());

    // East US down: fail over, and restore East US's latest backup into West US.
    h.emulator
        .take_region_down("eastus", arm_emulator::RegionDown::Fail);
    h.config(&orders("warm", "hot", RESTORE));
    h.emulator.clear_requests();
    let timed = Instant::now();
    h.tf_ok(&["apply", "-auto-approve"]).await;
    support::log(&format!(
        "[{version}] failover with East US down, and the restore: {:?}",
        timed.elapsed()
    ));
    let log = h.emulator.requests();
    let west = server("westus");
    let promotion = position(&log, "West US's replica promoted", "PATCH", |p| {
        p.ends_with(&format!("/flexibleservers/{west}"))
    });
    let traffic = position(&log, "the traffic moves", "PUT", |p| {
        p.contains("/trafficmanagerprofiles/")
    });
    assert!(
        promotion < traffic,
        "the database is promoted before the traffic moves: {log:#?}"
    );
    let restore = position(&log, "the restore", "POST", |p| {
        p.ends_with("/locations/westus/crossregionrestore")
    });
    assert!(
        traffic < restore,
        "the restore runs after the topology is applied: {log:#?}"
    );
    let state = h.state_values().await;
    assert_eq!(state["database"]["primary_region"], "westus", "{state:#}");
    let record = &state["backup"]["restore"];
    assert_eq!(record["cross_region"], true, "{record:#}");
    let point = record["recovery_point"].as_str().unwrap_or_default();
    assert!(!point.is_empty(), "{record:#}");
    let cluster =
        bcdr::layout::ResourceKey::ManagedCluster("westus".into()).id(SUBSCRIPTION, "orders");
    let restored = h.emulator.restored_into(&cluster);
    assert!(
        restored.iter().any(|p| p.ends_with(point)),
        "West US's cluster holds East US's backup {point}: {restored:?}"
    );
    let (code, plan) = h.plan_code().await;
    assert_eq!(code, 0, "no changes after the failover:\n{}", plan.all());

    // East US back; then failback on request.
    h.emulator.restore_region("eastus");
    h.tf_ok(&["apply", "-auto-approve"]).await;
    assert_eq!(h.plan_code().await.0, 0, "converged with East US back");
    h.config(&orders("hot", "warm", RESTORE));
    h.emulator.clear_requests();
    let timed = Instant::now();
    h.tf_ok(&["apply", "-auto-approve"]).await;
    support::log(&format!("[{version}] failback: {:?}", timed.elapsed()));
    let log = h.emulator.requests();
    let east = server("eastus");
    let promotion = position(&log, "East US promoted back", "PATCH", |p| {
        p.ends_with(&format!("/flexibleservers/{east}"))
    });
    let traffic = position(&log, "the traffic moves back", "PUT", |p| {
        p.contains("/trafficmanagerprofiles/")
    });
    assert!(promotion < traffic, "{log:#?}");
    assert!(
        !log.iter()
            .any(|r| r.method == "POST" && r.path.ends_with("crossRegionRestore")),
        "the same restore request does not restore again: {log:#?}"
    );
    let state = h.state_values().await;
    assert_eq!(state["database"]["primary_region"], "eastus", "{state:#}");
    assert_eq!(h.plan_code().await.0, 0, "no changes after failback");

    h.tf_ok(&["destroy", "-auto-approve"]).await;
    assert!(
        h.emulator.resource_ids().is_empty(),
        "destroy leaves nothing behind: {:#?}",
        h.emulator.resource_ids()
    );
}
