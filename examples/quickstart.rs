//! Quick start: deploys a two-region AKS BC/DR slice (East US + West US, a paired couple) through the
//! SDK onto the embedded ARM emulator, whose state is kept under `target/quickstart/`. Run it twice:
//! the second run finds everything in place and changes nothing.
//!
//! `cargo run --release --example quickstart`

use arm_emulator::{Config, Emulator};
use bcdr::engine::{CancelSignal, Event};
use bcdr::{ArmClient, ArmConfig, Cloud, Credential, Region, Severity, Topology, TopologyClient};
use std::error::Error;

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/quickstart");
    std::fs::create_dir_all(&dir)?;
    let emulator_config = Config {
        state_path: Some(dir.join("emulator-state.json")),
        ..Config::default()
    };
    // The emulator runs Azure's times scaled down: the client polls at the same scale.
    let scale = emulator_config.latency_scale;
    let emulator = Emulator::start(emulator_config).await?;
    println!(
        "ARM emulator at {} (state in {})",
        emulator.endpoint(),
        dir.display()
    );

    let cloud = Cloud::custom(&emulator.endpoint(), &emulator.endpoint())?;
    let credential = Credential::client_secret(
        "00000000-0000-0000-0000-00000000aaaa",
        "quickstart",
        "not-a-real-secret",
    );
    let config = ArmConfig::new("00000000-0000-0000-0000-000000000001", cloud, credential)
        .trust_root_pem(emulator.ca_certificate_pem())
        .poll_interval_scale(scale);
    let client = TopologyClient::new(ArmClient::new(config)?);

    let topology = Topology::new("quickstart")
        .region(Region::new("eastus", "10.1.0.0/16"))
        .region(Region::new("westus", "10.2.0.0/16"));
    for d in bcdr::validate::validate(&topology) {
        let level = if d.severity == Severity::Error {
            "error"
        } else {
            "warning"
        };
        println!("{level}: {d}");
    }

    let (plan, _) = client.plan(&topology).await?;
    if !plan.has_changes() {
        println!(
            "No changes: all {} resources of topology \"{}\" are up to date.",
            plan.operations.len(),
            topology.name
        );
    } else {
        println!("Plan:");
        for op in plan.changes() {
            println!(
                "  {:<7} {:<32} ({})",
                op.action.to_string(),
                op.key.to_string(),
                op.reason
            );
        }
    }
    let started = std::time::Instant::now();
    let applied = client
        .apply(&topology, CancelSignal::never(), &|event| match event {
            Event::Finished { op, elapsed, .. } => {
                println!("  done    {:<32} in {:>6.0?}", op.key.to_string(), elapsed)
            }
            Event::Failed { op, error, .. } => {
                println!("  failed  {:<32} {error}", op.key.to_string())
            }
            Event::Retrying {
                op, error, attempt, ..
            } => println!(
                "  retry   {:<32} #{attempt} after {error}",
                op.key.to_string()
            ),
            _ => {}
        })
        .await?;
    if applied.plan.has_changes() {
        println!(
            "Applied {} changes in {:.2?}.",
            applied.plan.changes().count(),
            started.elapsed()
        );
    }
    println!("Topology \"{}\":", topology.name);
    for (region, s) in &applied.status.regions {
        println!(
            "  {region}: cluster {} ({}), vnet {} [{}]",
            s.cluster_fqdn, s.provisioning_state, s.vnet_cidr, s.vnet_id
        );
    }
    for (link, state) in &applied.status.peerings {
        println!("  peering {link}: {state}");
    }
    Ok(())
}
