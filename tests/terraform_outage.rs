//! A regional outage through real Terraform (1.0.3, and again on a newer `terraform` from PATH when
//! there is one): East US, the primary and the home of the registry, goes down as Azure has it (the
//! emulator's `take_region_down`: its resources answer 503, and nothing under a group located there
//! can be written). With the default provider settings, the refresh keeps its part of the state as
//! last read and says so once; the failover to West US plans and applies, moving Traffic Manager's
//! traffic (its group lives outside the topology's regions), with no write sent to East US and none
//! refused; the plan after it has no changes.
//!
//! Then the failover guard (automatic failover, manual failback): East US goes down under a
//! topology Terraform applied; the guard, adopting it from Azure, pins the failover once Traffic
//! Manager marks East US `Degraded`; the next plan says so (the configuration would fail back) and
//! the configuration written to match converges. Each step is timed on the emulator's clock.

mod support;

use bcdr::engine::CancelSignal;
use bcdr::failover::guard::{Guard, Look};
use std::path::Path;
use std::time::{Duration, Instant};
use support::{Harness, terraform};

fn shop(east: &str, west: &str) -> String {
    shop_probing(east, west, "")
}

/// Fast probing: East US is Degraded (1 + 1) × 10 s after it fails, clients follow 10 s later.
const FAST: &str =
    "probe_interval = 10\n    probe_timeout = 9\n    tolerated_failures = 1\n    ttl = 10";

fn shop_probing(east: &str, west: &str, probing: &str) -> String {
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
    {probing}
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_guard_pins_a_failover_and_the_plan_says_so() {
    for (tf, version) in terraform::each() {
        the_guard_pins_a_failover_on(&tf, &version).await;
    }
}

async fn the_guard_pins_a_failover_on(tf: &Path, version: &str) {
    // 1:100, so that the probes' seconds can be measured: a 10 s interval is 0.1 s.
    const SCALE: f64 = 0.01;
    let h = Harness::with_emulator(
        tf,
        &format!("tf-{version}-guard"),
        arm_emulator::Config {
            latency_scale: SCALE,
            ..arm_emulator::Config::default()
        },
    )
    .await;
    h.config(&shop_probing("hot", "warm", FAST));
    h.tf_ok(&["apply", "-auto-approve"]).await;
    let client = bcdr::TopologyClient::new(h.arm());
    let mut guard = Guard::adopt(&client, "outage")
        .await
        .expect("the guard adopts the topology Terraform applied");

    let lost = Instant::now();
    let emulated = || lost.elapsed().as_secs_f64() / SCALE;
    h.emulator
        .take_region_down("eastus", arm_emulator::RegionDown::Fail);
    let pinned = loop {
        let (seen, look_began) = (emulated(), Instant::now());
        match guard.look(CancelSignal::never()).await.expect("look") {
            Look::Healthy if emulated() < 600.0 => {
                tokio::time::sleep(Duration::from_secs_f64(0.5 * SCALE)).await;
            }
            Look::Pinned { from, to, .. } => break (from, to, seen, look_began.elapsed()),
            other => panic!("the guard did not pin within 600 s: {other:?}"),
        }
    };
    assert_eq!(
        (pinned.0.as_str(), pinned.1.as_deref()),
        ("eastus", Some("westus"))
    );
    // Degraded (1 + 1) probes at 10 s after the loss, the last known 9 s after it was sent.
    assert!(
        pinned.2 < 60.0,
        "the guard saw East US Degraded {:.1} s after the loss",
        pinned.2
    );
    support::log(&format!(
        "[tf-{version}-guard] East US lost; the guard saw it Degraded after {:.1} s on the emulator's clock (failover_seconds 39 s, TTL included) and pinned the failover in {:.2?}",
        pinned.2, pinned.3
    ));

    let began = Instant::now();
    let (code, plan) = h.plan_code().await;
    let text = plan.words();
    assert_eq!(code, 2, "the pin is drift:\n{}", plan.all());
    assert!(
        text.contains("Warning: Failover pinned by the guard")
            && text.contains("applying it fails back to \"eastus\"")
            && text.contains(
                "set mode = \"warm\" in region \"eastus\" and mode = \"hot\" in region \"westus\""
            ),
        "{text}"
    );
    h.config(&shop_probing("warm", "hot", FAST));
    h.tf_ok(&["apply", "-auto-approve"]).await;
    let (code, plan) = h.plan_code().await;
    assert_eq!(
        code,
        0,
        "the configuration keeps the failover:\n{}",
        plan.all()
    );
    assert!(!plan.words().contains("Failover pinned"), "{}", plan.all());
    support::log(&format!(
        "[tf-{version}-guard] the plan that warns, the apply of the configuration written to match and the plan without changes took {:.2?}",
        began.elapsed()
    ));
    h.emulator.restore_region("eastus");
    h.tf_ok(&["destroy", "-auto-approve"]).await;
}
