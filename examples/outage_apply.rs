//! A failover apply through Terraform while the region it leaves does not answer, against the same
//! apply with every region up, with the default provider settings (retries, timeouts). East US (hot,
//! primary, home of the registry) and West US (warm), Traffic Manager; the failover swaps the modes.
//! East US is either up, down answering 503 (`RegionDown::Fail`), or down leaving every request
//! unanswered (`RegionDown::Hang`, as `arm-emulator --region-down eastus:hang`). Each case runs five
//! times on fresh emulators and working directories; `terraform apply -auto-approve` of the failover
//! is timed (its refresh, plan and apply), the median reported. Terraform 1.0.3 from PyPI.
//!
//! `cargo build --release -p terraform-provider-bcdr && cargo run --release --example outage_apply`
//! (`BENCH_TF_LOG=/tmp/tf.log` keeps Terraform's debug log of every run, the provider's included).

#[path = "../tests/support/terraform.rs"]
#[allow(dead_code)]
mod terraform;

use arm_emulator::{Config, Emulator, RegionDown};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The emulator's latency model at 1:2000: long enough that operations are polled, short enough
/// that the apply's own time is the client's.
const SCALE: f64 = 0.0005;
const RUNS: usize = 5;

fn config(emulator: &Emulator, dir: &Path, east: &str, west: &str) -> String {
    format!(
        r#"terraform {{
  required_providers {{
    bcdr = {{ source = "example.com/bcdr/bcdr" }}
  }}
}}

provider "bcdr" {{
  subscription_id     = "00000000-0000-0000-0000-000000000001"
  tenant_id           = "00000000-0000-0000-0000-00000000aaaa"
  client_id           = "bench"
  client_secret       = "bench-secret"
  endpoint            = "{}"
  ca_certificate_file = "{}"
  poll_interval_scale = {SCALE}
}}

resource "bcdr_topology" "dr" {{
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
}}
"#,
        emulator.endpoint(),
        dir.join("emulator.cert.pem").display()
    )
}

fn terraform(tf: &Path, dir: &Path, args: &[&str]) -> Result<(), String> {
    let out = Command::new(tf)
        .args(args)
        .arg("-no-color")
        .current_dir(dir)
        .env("TF_CLI_CONFIG_FILE", dir.join("cli.tfrc"))
        .env("CHECKPOINT_DISABLE", "1")
        .env("TF_IN_AUTOMATION", "1")
        .envs(
            std::env::var("BENCH_TF_LOG")
                .ok()
                .map(|p| ("TF_LOG_PATH", p)),
        )
        .envs(
            std::env::var("BENCH_TF_LOG")
                .ok()
                .map(|_| ("TF_LOG", "DEBUG")),
        )
        .output()
        .map_err(|e| format!("terraform: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "terraform {args:?} failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// One failover apply with East US as `down` says, timed.
async fn failover(
    tf: &Path,
    provider: &Path,
    down: Option<RegionDown>,
    run: usize,
) -> Result<Duration, String> {
    let root = terraform::workspace_root();
    let dir = root.join(format!(
        "target/bench/outage-{}-{down:?}-{run}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("plugins")).map_err(|e| e.to_string())?;
    std::os::unix::fs::symlink(provider, dir.join("plugins/terraform-provider-bcdr"))
        .map_err(|e| e.to_string())?;
    std::fs::write(
        dir.join("cli.tfrc"),
        format!(
            "provider_installation {{\n  dev_overrides {{\n    \"example.com/bcdr/bcdr\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
            dir.join("plugins").display()
        ),
    )
    .map_err(|e| e.to_string())?;
    let emulator = Emulator::start(Config {
        latency_scale: SCALE,
        ..Config::default()
    })
    .await
    .map_err(|e| e.to_string())?;
    std::fs::write(dir.join("emulator.cert.pem"), emulator.ca_certificate_pem())
        .map_err(|e| e.to_string())?;
    let write = |east: &str, west: &str| {
        std::fs::write(dir.join("main.tf"), config(&emulator, &dir, east, west))
            .map_err(|e| e.to_string())
    };
    write("hot", "warm")?;
    terraform(tf, &dir, &["apply", "-auto-approve"])?;
    if let Some(how) = down {
        emulator.take_region_down("eastus", how);
    }
    write("warm", "hot")?;
    let began = Instant::now();
    terraform(tf, &dir, &["apply", "-auto-approve"])?;
    let took = began.elapsed();
    let _ = std::fs::remove_dir_all(&dir);
    Ok(took)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let root = terraform::workspace_root();
    let provider: PathBuf = root.join("target/release/terraform-provider-bcdr");
    if !provider.is_file() {
        return Err(format!(
            "{} is missing: cargo build --release -p terraform-provider-bcdr",
            provider.display()
        ));
    }
    let tf = terraform::terraform_1_0_3();
    let cases = [
        ("every region up", None),
        ("East US answers 503", Some(RegionDown::Fail)),
        ("East US does not answer", Some(RegionDown::Hang)),
    ];
    let mut medians = Vec::new();
    println!("| East US | failover apply (median of {RUNS}) | fastest | slowest |");
    println!("|---|---:|---:|---:|");
    for (label, down) in cases {
        let mut times = Vec::new();
        for run in 0..RUNS {
            times.push(failover(&tf, &provider, down, run).await?);
        }
        let (fastest, slowest) = (
            times.iter().min().copied().unwrap_or_default(),
            times.iter().max().copied().unwrap_or_default(),
        );
        let m = median(times);
        medians.push(m);
        println!(
            "| {label} | {:.2} s | {:.2} s | {:.2} s |",
            m.as_secs_f64(),
            fastest.as_secs_f64(),
            slowest.as_secs_f64()
        );
    }
    println!(
        "\nEast US not answering costs {:.2} s over every region up (target: at most 10 s).",
        medians[2].as_secs_f64() - medians[0].as_secs_f64()
    );
    Ok(())
}
