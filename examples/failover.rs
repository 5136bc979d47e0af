//! A failover drill on the embedded emulator: East US serves, West US is cold (network and ingress IP
//! only). First, what Azure says about a failover to West US before any is needed (whether its
//! cluster fits the region's VM sizes and vCPU quota); then the drill fails over (West US's
//! cluster is created, then traffic moves) and back, printing each step with its time and the
//! time-to-switch; last, the same failover while East US does not answer at all (a regional outage:
//! every request to its resource group answered 503), which still moves the traffic.
//!
//! `cargo run --release --example failover`

use arm_emulator::{Config, Emulator};
use bcdr::engine::CancelSignal;
use bcdr::failover::Switch;
use bcdr::model::{RegionMode, RoutingMethod, TrafficManager};
use bcdr::{ArmClient, ArmConfig, Cloud, Credential, Region, Topology, TopologyClient};
use std::error::Error;

fn print(title: &str, s: &Switch) {
    println!(
        "{title}: traffic moved after {:.2?} (all done after {:.2?})",
        s.time_to_switch, s.total
    );
    for step in &s.steps {
        println!(
            "  +{:>9.2?} {:<45} {:>9.2?}",
            step.started, step.what, step.took
        );
    }
    for (region, r) in &s.status.regions {
        println!("  {region}: endpoint {}", r.endpoint_status);
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    // Azure-like provisioning times scaled 1:100: an AKS create takes 3 s (and is polled every 0.3 s).
    const SCALE: f64 = 0.01;
    let emulator = Emulator::start(Config {
        latency_scale: SCALE,
        ..Config::default()
    })
    .await?;
    let cloud = Cloud::custom(&emulator.endpoint(), &emulator.endpoint())?;
    let credential =
        Credential::client_secret("00000000-0000-0000-0000-00000000aaaa", "drill", "x");
    let arm = ArmClient::new(
        ArmConfig::new("00000000-0000-0000-0000-000000000001", cloud, credential)
            .trust_root_pem(emulator.ca_certificate_pem())
            .poll_interval_scale(SCALE)
            // Give up on a region that does not answer after one retry, not a minute of them.
            .max_retries(1),
    )?;
    let client = TopologyClient::new(arm);
    let topology = Topology::new("drill")
        .region(Region::new("eastus", "10.1.0.0/16"))
        .region(Region::new("westus", "10.2.0.0/16").mode(RegionMode::Cold))
        .traffic_manager(TrafficManager::new(RoutingMethod::Priority));
    let applied = client
        .apply(&topology, CancelSignal::never(), &|_| {})
        .await?;
    println!(
        "Topology up: {} answers for East US; West US is cold.\n",
        applied.status.traffic_manager_fqdn
    );
    // What only Azure knows, asked before a failover is needed (the provider's plan shows the same).
    let catalog = client.catalog(&topology).await?;
    let findings = bcdr::validate::capacity_findings(&topology, &catalog);
    if findings.is_empty() {
        println!("West US has the VM sizes and the vCPU quota its cluster needs at failover.\n");
    }
    for finding in findings {
        println!("{finding}\n");
    }
    let drill = client.drill(&topology, "eastus", "westus").await?;
    print("Failover eastus -> westus", &drill.failover);
    println!();
    print("Failback westus -> eastus", &drill.failback);
    println!();
    emulator.take_down("/resourceGroups/rg-drill-eastus/");
    let failover = client
        .failover(&topology, "eastus", "westus", CancelSignal::never())
        .await?;
    print("Failover while East US does not answer", &failover);
    for (region, error) in &failover.status.unreachable {
        println!("  {region} was left as it was: {error}");
    }
    Ok(())
}
