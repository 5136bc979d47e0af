//! End to end through real Terraform (1.0.3 and the newer one on PATH): a failure never costs the
//! user their topology. A create that Azure refuses part-way saves no state, so Terraform does not
//! taint it, and the next apply plans a create (not a replacement), adopts what exists and converges
//! without a single DELETE. A state that lost the topology (`terraform state rm`, a lost state file)
//! after its Traffic Manager profile exists is adopted too: the profile's global DNS name is the
//! topology's own, not a name someone else holds.

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
