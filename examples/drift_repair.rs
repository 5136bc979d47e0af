//! Drift detection and repair on the embedded emulator: someone scales a cluster and disables an
//! endpoint behind the topology's back; the plan lists each difference, attribute by attribute, and
//! applying it restores the topology.
//!
//! `cargo run --release --example drift_repair`

use arm_emulator::{Config, Emulator};
use bcdr::engine::CancelSignal;
use bcdr::model::{RoutingMethod, TrafficManager};
use bcdr::{ArmClient, ArmConfig, Cloud, Credential, Region, Topology, TopologyClient};
use std::error::Error;

const SUB: &str = "00000000-0000-0000-0000-000000000001";

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let config = Config::default();
    // The emulator runs Azure's times scaled down: the client polls at the same scale.
    let scale = config.latency_scale;
    let emulator = Emulator::start(config).await?;
    let cloud = Cloud::custom(&emulator.endpoint(), &emulator.endpoint())?;
    let credential =
        Credential::client_secret("00000000-0000-0000-0000-00000000aaaa", "drift", "x");
    let arm = ArmClient::new(
        ArmConfig::new(SUB, cloud, credential)
            .trust_root_pem(emulator.ca_certificate_pem())
            .poll_interval_scale(scale),
    )?;
    let client = TopologyClient::new(arm.clone());
    let topology = Topology::new("drift")
        .region(Region::new("eastus", "10.1.0.0/16"))
        .region(Region::new("westus", "10.2.0.0/16"))
        .traffic_manager(TrafficManager::new(RoutingMethod::Priority));
    client
        .apply(&topology, CancelSignal::never(), &|_| {})
        .await?;
    println!("Applied. Now someone changes things by hand...");

    let cluster = format!(
        "/subscriptions/{SUB}/resourceGroups/rg-drift-westus/providers/Microsoft.ContainerService/managedClusters/aks-drift-westus"
    );
    let mut body = arm
        .get(&cluster, "2024-09-01")
        .await?
        .ok_or("cluster missing")?;
    body["properties"]["agentPoolProfiles"][0]["count"] = 9.into();
    arm.put(&cluster, "2024-09-01", &body, &[]).await?;
    let profile = format!(
        "/subscriptions/{SUB}/resourceGroups/rg-drift-global/providers/Microsoft.Network/trafficmanagerprofiles/tm-drift"
    );
    let mut tm = arm
        .get(&profile, "2022-04-01")
        .await?
        .ok_or("profile missing")?;
    tm["properties"]["endpoints"][0]["properties"]["endpointStatus"] = "Disabled".into();
    arm.put(&profile, "2022-04-01", &tm, &[]).await?;

    let (plan, _) = client.plan(&topology).await?;
    println!("Drift found:");
    for op in plan.changes() {
        println!("  {} {}", op.action, op.key);
        for d in &op.drift {
            println!("      {d}");
        }
    }
    let repaired = client
        .apply(&topology, CancelSignal::never(), &|_| {})
        .await?;
    println!(
        "Repaired {} resources; a new plan has changes: {}",
        repaired.plan.changes().count(),
        client.plan(&topology).await?.0.has_changes()
    );
    Ok(())
}
