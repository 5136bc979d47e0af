//! A regional outage through real Terraform (1.0.3, and again on a newer `terraform` from PATH when
//! there is one): East US, the primary and the home of the registry, goes down as Azure has it (the
//! emulator's `take_region_down`: its resources answer 503, and nothing under a group located there
//! can be written). With the default provider settings, the refresh keeps its part of the state as
//! last read and says so once; the failover to West US plans and applies, moving Traffic Manager's
//! traffic (its group lives outside the topology's regions), with no write sent to East US and none
//! refused; the plan after it has no changes.

mod support;

use std::path::Path;
use support::{Harness, terraform};

fn shop(east: &str, west: &str) -> String {
    format!(
        r#"resource "bcdr_topology" "dr" {{
  name = "outage"
  region "eastus" {{
    vnet_cidr = "10.1.0.0/16"
    role      = "primary"
    mode      = "{east}"
  }}
  region "westus" {{
    vnet_cidr = "10.2.0.0/16"
    mode      = "{west}"
  }}
  traffic_manager {{
    routing_method = "Priority"
  }}
  registry {{}}
}}"#
    )
}

const SETTINGS: &str = "";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failover_applies_while_the_primary_region_is_down() {
    for (tf, version) in terraform::each() {
        a_failover_applies_while_the_primary_region_is_down_on(&tf, &version).await;
    }
}

async fn a_failover_applies_while_the_primary_region_is_down_on(tf: &Path, version: &str) {
    let h = Harness::new(tf, &format!("tf-{version}-outage")).await;
    h.config_with(SETTINGS, &shop("hot", "warm"));
    h.tf_ok(&["apply", "-auto-approve"]).await;
    let before = h.state_values().await;

    h.emulator
        .take_region_down("eastus", arm_emulator::RegionDown::Fail);
    h.config_with(SETTINGS, &shop("warm", "hot"));
    let (code, plan) = h.plan_code().await;
    let text = plan.words();
    assert_eq!(code, 2, "the failover plans:\n{}", plan.all());
    assert!(text.contains("Warning: Region did not answer"), "{text}");
    assert!(
        text.contains("region[\"eastus\"]: region eastus is not answering (GET")
            && text.contains("answered 503 Service Unavailable"),
        "{text}"
    );

    h.emulator.clear_requests();
    let out = h.tf_ok(&["apply", "-auto-approve"]).await;
    let text = out.words();
    assert!(
        text.contains("nothing was written there, and its resources were left as they are"),
        "{text}"
    );
    let east_writes: Vec<_> = h
        .writes()
        .into_iter()
        .filter(|r| r.path.to_ascii_lowercase().contains("rg-outage-eastus/"))
        .collect();
    assert!(
        east_writes.is_empty(),
        "nothing sent to East US: {east_writes:#?}"
    );
    let refused: Vec<_> = h.writes().into_iter().filter(|r| r.status >= 400).collect();
    assert!(refused.is_empty(), "no write refused: {refused:#?}");
    assert!(
        text.contains("Global resources in a region that did not answer")
            && text.contains("container registry"),
        "the registry, at home in East US, is left as it is: {text}"
    );
    let state = h.state_values().await;
    assert_eq!(
        state["region"]["eastus"]["endpoint_status"], "Disabled",
        "{state:#}"
    );
    assert_eq!(
        state["region"]["westus"]["endpoint_status"], "Enabled",
        "{state:#}"
    );
    assert_eq!(
        state["region"]["eastus"]["cluster_id"], before["region"]["eastus"]["cluster_id"],
        "East US's part of the state is kept: {state:#}"
    );
    assert_eq!(
        state["peerings"]["eastus->westus"], "Connected",
        "East US's side of the peering, as last read: {state:#}"
    );

    let (code, plan) = h.plan_code().await;
    assert_eq!(code, 0, "no changes after the failover:\n{}", plan.all());
}
