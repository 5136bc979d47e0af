//! End to end through real Terraform (1.0.3 and the newer one on PATH): a failure never costs the
//! user their topology. A create that Azure refuses part-way saves no state, so Terraform does not
//! taint it, and the next apply plans a create (not a replacement), adopts what exists and converges
//! without a single DELETE. A state that lost the topology (`terraform state rm`, a lost state file)
//! after its Traffic Manager profile exists is adopted too: the profile's global DNS name is the
//! topology's own, not a name someone else holds. And an import rebuilds every attribute, those Azure
//! does not echo included (a cold region's cluster settings, a service's `geo_replicated = false`):
//! the plan after it is empty. The region the global resources live in may leave the topology: they
//! stay where they are (a resource group's location never changes), planned and applied as such.

mod support;

use std::path::Path;

use arm_emulator::{FaultAction, FaultRule};
use support::{Harness, terraform};

const ROUTED: &str = r#"
resource "bcdr_topology" "dr" {
  name = "keep"

  region "eastus" {
    vnet_cidr = "10.1.0.0/16"
    role      = "primary"
  }

  region "westus" {
    vnet_cidr  = "10.2.0.0/16"
    mode       = "warm"
    node_count = 1
  }

  traffic_manager {
    routing_method = "Priority"
  }
}
"#;

/// The plan of `h`'s configuration is a create of the topology, not its replacement.
async fn plans_a_create(h: &Harness) {
    let (code, plan) = h.plan_code().await;
    assert_eq!(code, 2, "{}", plan.all());
    assert!(
        plan.words()
            .contains("Plan: 1 to add, 0 to change, 0 to destroy")
            && !plan.all().contains("must be replaced")
            && !plan.all().contains("tainted"),
        "a create, not a replacement: {}",
        plan.all()
    );
}

/// Applies, and checks that it deleted nothing and converged.
async fn converges_deleting_nothing(h: &Harness) {
    h.emulator.clear_requests();
    h.tf_ok(&["apply", "-auto-approve"]).await;
    let deletes: Vec<String> = h
        .emulator
        .requests()
        .into_iter()
        .filter(|r| r.method == "DELETE")
        .map(|r| r.path)
        .collect();
    assert!(deletes.is_empty(), "the apply deleted {deletes:?}");
    assert_eq!(h.plan_code().await.0, 0, "converged");
}

async fn recovery(tf: &Path, version: &str) {
    let h = Harness::new(tf, &format!("tf-{version}-recovery")).await;
    h.config(ROUTED);

    // Azure refuses the second region's cluster: the create fails after the first resources exist.
    h.emulator.add_fault(FaultRule {
        method: "PUT".into(),
        path_contains: "managedClusters/aks-keep-westus".into(),
        action: FaultAction::Respond {
            status: 403,
            code: "AuthorizationFailed".into(),
            retry_after: None,
        },
        remaining: 1,
    });
    let out = h.tf(&["apply", "-auto-approve"]).await;
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(out.all().contains("AuthorizationFailed"), "{}", out.all());
    assert!(
        out.words()
            .contains("Nothing was saved in the state: the next apply continues"),
        "{}",
        out.all()
    );
    assert_eq!(
        h.state_values().await,
        serde_json::Value::Null,
        "no partial state for Terraform to taint"
    );
    let made = h.emulator.resource_ids().len();
    assert!(made > 5, "what was made stays: {made} resources");
    plans_a_create(&h).await;
    converges_deleting_nothing(&h).await;

    // The state loses the topology (terraform state rm, a lost state file) after its Traffic
    // Manager profile exists: the next plan adopts it instead of calling its DNS name taken.
    let before = h.emulator.resource_ids().len();
    h.tf_ok(&["state", "rm", "bcdr_topology.dr"]).await;
    plans_a_create(&h).await;
    converges_deleting_nothing(&h).await;
    assert_eq!(
        h.emulator.resource_ids().len(),
        before,
        "adopted, nothing duplicated"
    );
    let state = h.state_values().await;
    assert_eq!(
        state["traffic_manager"]["fqdn"], "bcdr-keep.trafficmanager.net",
        "{state:#}"
    );
    h.tf_ok(&["destroy", "-auto-approve"]).await;
    assert!(
        h.emulator.resource_ids().is_empty(),
        "destroy removed all: {:?}",
        h.emulator.resource_ids()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_create_and_a_lost_state_are_adopted_never_replaced() {
    for (tf, version) in terraform::each() {
        recovery(&tf, &version).await;
    }
}

/// What Azure holds no trace of: a cold region's cluster (its node count, size and tier), a managed
/// service explicitly not geo-replicated, one left unset, one in the clusters.
const UNECHOED: &str = r#"
resource "bcdr_topology" "dr" {
  name = "echo"

  region "eastus" {
    vnet_cidr = "10.1.0.0/16"
    role      = "primary"
  }

  region "westus" {
    vnet_cidr  = "10.2.0.0/16"
    mode       = "cold"
    node_count = 5
    vm_size    = "Standard_D8ds_v5"
    sku_tier   = "Free"
  }

  traffic_manager {
    routing_method = "Priority"
  }

  stateful_service "orders" {
    kind           = "managed"
    geo_replicated = false
  }

  stateful_service "sessions" {
    kind = "managed"
  }

  stateful_service "uploads" {
    kind = "in-cluster"
  }
}
"#;

async fn import_round_trip(tf: &Path, version: &str) {
    let h = Harness::new(tf, &format!("tf-{version}-unechoed")).await;
    h.config(UNECHOED);
    h.tf_ok(&["apply", "-auto-approve"]).await;
    assert_eq!(h.plan_code().await.0, 0, "no changes after apply");
    h.tf_ok(&["state", "rm", "bcdr_topology.dr"]).await;
    h.tf_ok(&["import", "bcdr_topology.dr", "echo"]).await;
    let state = h.state_values().await;
    let west = &state["region"]["westus"];
    assert_eq!(
        (
            &west["mode"],
            &west["node_count"],
            &west["vm_size"],
            &west["sku_tier"]
        ),
        (
            &serde_json::json!("cold"),
            &serde_json::json!(5),
            &serde_json::json!("Standard_D8ds_v5"),
            &serde_json::json!("Free")
        ),
        "{state:#}"
    );
    assert_eq!(
        state["stateful_service"]["orders"]["geo_replicated"], false,
        "{state:#}"
    );
    let (code, plan) = h.plan_code().await;
    assert!(
        code == 0 || !plan.stdout.contains("# bcdr_topology."),
        "import plans no changes:\n{}",
        plan.all()
    );
    h.tf_ok(&["destroy", "-auto-approve"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_rebuilds_what_azure_does_not_echo() {
    for (tf, version) in terraform::each() {
        import_round_trip(&tf, &version).await;
    }
}

const HOMED: &str = r#"
resource "bcdr_topology" "dr" {
  name = "home"

  region "eastus" {
    vnet_cidr = "10.1.0.0/16"
    role      = "primary"
  }

  region "westus" {
    vnet_cidr = "10.2.0.0/16"
  }

  region "centralus" {
    vnet_cidr = "10.3.0.0/16"
  }

  traffic_manager {
    routing_method = "Priority"
  }
}
"#;

async fn home_leaves(tf: &Path, version: &str) {
    let h = Harness::new(tf, &format!("tf-{version}-home")).await;
    h.config(HOMED);
    h.tf_ok(&["apply", "-auto-approve"]).await;
    let first = h.state_values().await;
    assert_eq!(first["home_region"], "eastus");
    // Outside the topology's regions: East US's pair is West US (taken), West US's is East
    // US, Central US's is East US 2.
    assert_eq!(first["global_group_region"], "eastus2", "{first:#}");
    // East US leaves; West US becomes the primary. The registry and backups stay in East
    // US, the global group in East US 2.
    let without_east = HOMED
        .replace(
            "  region \"eastus\" {\n    vnet_cidr = \"10.1.0.0/16\"\n    role      = \"primary\"\n  }\n",
            "",
        )
        .replace(
            "    vnet_cidr = \"10.2.0.0/16\"\n",
            "    vnet_cidr = \"10.2.0.0/16\"\n    role      = \"primary\"\n",
        );
    assert!(!without_east.contains("eastus"), "{without_east}");
    h.config(&without_east);
    let (code, plan) = h.plan_code().await;
    assert_eq!(code, 2, "{}", plan.all());
    h.tf_ok(&["apply", "-auto-approve"]).await;
    assert_eq!(h.plan_code().await.0, 0, "converged");
    let state = h.state_values().await;
    assert_eq!(state["home_region"], "eastus", "{state:#}");
    assert_eq!(state["global_group_region"], "eastus2", "{state:#}");
    let global = h
        .arm()
        .get(state["id"].as_str().unwrap_or_default(), "2024-03-01")
        .await
        .expect("read the global group")
        .expect("the global group stays");
    assert_eq!(global["location"], "eastus2");
    h.tf_ok(&["destroy", "-auto-approve"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_home_region_may_leave_the_topology() {
    for (tf, version) in terraform::each() {
        home_leaves(&tf, &version).await;
    }
}

/// Front Door Premium with a WAF, a registry and backups: every globally named resource.
const GLOBAL_NAMES: &str = r#"
resource "bcdr_topology" "dr" {
  name = "fdkeep"

  region "northeurope" {
    vnet_cidr = "10.1.0.0/16"
  }

  region "westeurope" {
    vnet_cidr  = "10.2.0.0/16"
    mode       = "warm"
    node_count = 1
  }

  front_door {
    tier = "Premium"

    waf {
      mode = "Prevention"
      managed_rule_set "Microsoft_DefaultRuleSet" {
        version = "2.1"
      }
    }
  }

  registry {}

  backup {}
}
"#;

async fn front_door_state_lost(tf: &Path, version: &str) {
    let h = Harness::new(tf, &format!("tf-{version}-fdkeep")).await;
    h.config(GLOBAL_NAMES);
    h.tf_ok(&["apply", "-auto-approve"]).await;
    let before = h.emulator.resource_ids().len();
    h.tf_ok(&["state", "rm", "bcdr_topology.dr"]).await;
    plans_a_create(&h).await;
    converges_deleting_nothing(&h).await;
    assert_eq!(
        h.emulator.resource_ids().len(),
        before,
        "adopted, nothing duplicated"
    );
    h.tf_ok(&["destroy", "-auto-approve"]).await;
    assert!(h.emulator.resource_ids().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_state_with_front_door_a_registry_and_backups_is_adopted() {
    for (tf, version) in terraform::each() {
        front_door_state_lost(&tf, &version).await;
    }
}
