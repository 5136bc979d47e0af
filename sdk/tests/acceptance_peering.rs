//! Acceptance probe: may a VNet start a peering write of its own while another VNet's peering write
//! that references it is still running?
//!
//! The emulator says yes: it checks a remote VNet only when a write arrives. If Azure agrees, each
//! VNet's peering chain could shrink from 2·(N-1) writes to about N-1, which would take the peerings
//! off a 16-region apply's critical path. `../shared/notes` does not say. Until this probe has passed
//! against real Azure, the planner's schedule keeps the conservative rule: no write starts while either
//! of its VNets takes part in another.
//!
//! - `probe_against_azure` runs it against the ARM the `ARM_*` environment names
//!   (`ArmConfig::from_env`), in the first of `BCDR_ACCEPTANCE_REGIONS` (default `eastus2`): one
//!   resource group with three small VNets and two peerings, deleted at the end whatever happens. It
//!   says loudly that it did not run when `ARM_SUBSCRIPTION_ID` or a credential is missing.
//! - `probe_against_the_emulator` runs it in every test run.

mod support;

use arm_emulator::Config;
use azure_core::http::Method;
use bcdr::arm::{peering, resource_group, settings, virtual_network};
use bcdr::{ArmClient, ArmConfig, ConnectionSettings};
use serde_json::{Value, json};
use std::io::Write;
use std::time::{Duration, Instant};

/// What a probe found, or why it could not tell.
type Found = Result<(), String>;

fn state(body: &Value, key: &str) -> String {
    body["properties"][key]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Reads `id` until its provisioning state is terminal (five minutes at most).
async fn settled(arm: &ArmClient, id: &str) -> Result<Value, String> {
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let body = arm
            .get(id, peering::API_VERSION)
            .await
            .map_err(|e| format!("reading {id}: {e}"))?
            .ok_or_else(|| format!("{id} is gone"))?;
        let s = state(&body, "provisioningState");
        if ["Succeeded", "Failed", "Canceled"].contains(&s.as_str()) {
            return Ok(body);
        }
        if Instant::now() > deadline {
            return Err(format!("{id} still {s} after five minutes"));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn peering_body(remote: &str) -> Value {
    json!({ "properties": {
        "remoteVirtualNetwork": { "id": remote },
        "allowVirtualNetworkAccess": true,
        "allowForwardedTraffic": false,
        "allowGatewayTransit": false,
        "useRemoteGateways": false,
    }})
}

/// The probe, in `group` (which it creates; the caller deletes it).
async fn probe(arm: &ArmClient, group: &str, location: &str) -> Found {
    let sub = arm.subscription_id().to_owned();
    let group_id = resource_group::id(&sub, group);
    arm.put(
        &group_id,
        resource_group::API_VERSION,
        &json!({ "location": location, "tags": { "bcdr-probe": "peering" } }),
        &[],
    )
    .await
    .map_err(|e| format!("creating {group}: {e}"))?;
    let vnet = |name: &str| virtual_network::id(&sub, group, name);
    let (a, b, c) = (vnet("a"), vnet("b"), vnet("c"));
    for (id, cidr) in [
        (&a, "10.71.0.0/16"),
        (&b, "10.72.0.0/16"),
        (&c, "10.73.0.0/16"),
    ] {
        let body = json!({ "location": location,
            "properties": { "addressSpace": { "addressPrefixes": [cidr] } } });
        arm.put(id, virtual_network::API_VERSION, &body, &[])
            .await
            .map_err(|e| format!("creating {id}: {e}"))?;
    }
    let (a_to_b, b_to_c) = (peering::id(&a, "a-to-b"), peering::id(&b, "b-to-c"));
    let send = |id: String, remote: String| async move {
        arm.send(
            Method::Put,
            &id,
            Some(peering::API_VERSION),
            &[],
            Some(&peering_body(&remote)),
        )
        .await
        .map_err(|e| format!("PUT {id}: {e}"))
    };
    send(a_to_b.clone(), b.clone()).await?;
    // b is only referenced by the write on a: may it start one of its own now?
    let answer = send(b_to_c.clone(), c.clone()).await.map_err(|e| {
        format!(
            "Azure refuses a VNet's own peering write while a peering write that references it runs \
             (the schedule must stay conservative): {e}"
        )
    })?;
    let first = arm
        .get(&a_to_b, peering::API_VERSION)
        .await
        .map_err(|e| format!("reading {a_to_b}: {e}"))?
        .unwrap_or_default();
    if state(&first, "provisioningState") == "Succeeded" {
        return Err(format!(
            "inconclusive: {a_to_b} had finished before {b_to_c} was answered ({}), so the writes did \
             not overlap",
            answer.status
        ));
    }
    for id in [&a_to_b, &b_to_c] {
        let body = settled(arm, id).await?;
        let (provisioning, peering) = (
            state(&body, "provisioningState"),
            state(&body, "peeringState"),
        );
        if provisioning != "Succeeded" || peering != "Initiated" {
            return Err(format!(
                "{id} ended {provisioning} / {peering}, not Succeeded / Initiated"
            ));
        }
    }
    Ok(())
}

/// Runs the probe in a fresh group and deletes the group whatever the probe found.
async fn probe_and_clean_up(arm: &ArmClient, location: &str) -> Found {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let group = format!("rg-bcdr-probe-{:08x}", nanos as u64 & 0xffff_ffff);
    let found = probe(arm, &group, location).await;
    let id = resource_group::id(arm.subscription_id(), &group);
    let deleted = arm.delete(&id, resource_group::API_VERSION).await;
    found?;
    deleted.map_err(|e| format!("deleting {group}: {e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probe_against_azure() {
    if !ConnectionSettings::from_env().names_a_connection() {
        let credentials: Vec<&str> = settings::CREDENTIAL_SETTINGS
            .iter()
            .filter_map(|s| settings::env_var(s))
            .collect();
        // Past the test harness's capture, so that it shows.
        let _ = writeln!(
            std::io::stderr(),
            "\n*** PEERING PROBE AGAINST AZURE DID NOT RUN: set ARM_SUBSCRIPTION_ID and a credential ({}) to run it ***\n",
            credentials.join(", ")
        );
        return;
    }
    let config = ArmConfig::from_env().unwrap_or_else(|e| panic!("{e}"));
    let arm = ArmClient::new(config).unwrap_or_else(|e| panic!("{e}"));
    let location = std::env::var("BCDR_ACCEPTANCE_REGIONS")
        .ok()
        .and_then(|r| r.split(',').next().map(|s| s.trim().to_owned()))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "eastus2".to_owned());
    if let Err(found) = probe_and_clean_up(&arm, &location).await {
        panic!("{found}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probe_against_the_emulator() {
    // Peerings take 100 ms: long enough for the second write to arrive while the first runs.
    let config = Config {
        latency_scale: 0.01,
        ..Config::default()
    };
    let emulator = support::start(config).await;
    let arm = ArmClient::new(support::arm_config(&emulator)).expect("client");
    if let Err(found) = probe_and_clean_up(&arm, "eastus2").await {
        panic!("{found}");
    }
    let left: Vec<String> = emulator
        .requests()
        .iter()
        .filter(|r| r.status >= 400)
        .map(|r| format!("{} {} {}", r.method, r.path, r.status))
        .collect();
    assert!(left.is_empty(), "error answers: {left:?}");
}
