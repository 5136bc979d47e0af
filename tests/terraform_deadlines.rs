//! Deadlines are deadlines, through real Terraform (1.0.3, and a newer `terraform` from PATH when
//! there is one): with `timeouts { create = "3s" }`, an apply whose every token request fails its
//! certificate check (the Azure SDK retries each for about a minute, and the reads behind it queue for
//! their token) fails at the deadline, naming the timeout and the certificate error; one whose client
//! secret Entra refuses fails at once with Entra's words.

mod support;

use arm_emulator::{Config, Emulator};
use std::path::Path;
use std::time::{Duration, Instant};
use support::{Harness, terraform};

const TOPOLOGY: &str = r#"
resource "bcdr_topology" "dr" {
  name = "deadline"

  region "eastus" {
    vnet_cidr = "10.1.0.0/16"
  }

  region "westus" {
    vnet_cidr = "10.2.0.0/16"
  }

  timeouts {
    create = "3s"
  }
}
"#;

/// The deadline, plus what Terraform takes besides the apply (its start, the plan, three provider
/// processes), plus a generous margin for a loaded machine: seconds, where it took minutes.
const BOUND: Duration = Duration::from_secs(15);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_apply_whose_tokens_fail_ends_at_its_deadline() {
    for (tf, version) in terraform::each() {
        an_apply_whose_tokens_fail_ends_at_its_deadline_on(&tf, &version).await;
    }
}

async fn an_apply_whose_tokens_fail_ends_at_its_deadline_on(tf: &Path, version: &str) {
    // The token endpoint is another emulator's, whose certificate the provider does not trust.
    let untrusted = Emulator::start(Config::default())
        .await
        .expect("second emulator");
    let h = Harness::new(tf, &format!("tf-{version}-deadline-tls")).await;
    h.config_with(
        &format!("  authority_host      = \"{}\"", untrusted.endpoint()),
        TOPOLOGY,
    );
    let started = Instant::now();
    let out = h.tf(&["apply", "-auto-approve"]).await;
    let took = started.elapsed();
    let text = out.words();
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        took < BOUND,
        "failed after {took:.2?}, not near the 3s deadline"
    );
    assert!(text.contains("timed out after 3s"), "{text}");
    assert!(
        text.to_ascii_lowercase().contains("certificate"),
        "the cause is named: {text}"
    );
    assert!(
        untrusted.requests().is_empty(),
        "no token request got through the TLS check"
    );
    assert!(
        h.writes().is_empty(),
        "nothing was written: {:#?}",
        h.writes()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_apply_with_a_wrong_client_secret_fails_at_once() {
    for (tf, version) in terraform::each() {
        an_apply_with_a_wrong_client_secret_fails_at_once_on(&tf, &version).await;
    }
}

async fn an_apply_with_a_wrong_client_secret_fails_at_once_on(tf: &Path, version: &str) {
    let h = Harness::with_emulator(
        tf,
        &format!("tf-{version}-deadline-secret"),
        Config {
            latency_scale: 0.0005,
            client_secret: Some("not-what-terraform-sends".into()),
            ..Config::default()
        },
    )
    .await;
    h.config(TOPOLOGY);
    let started = Instant::now();
    let out = h.tf(&["apply", "-auto-approve"]).await;
    let took = started.elapsed();
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(took < BOUND, "failed after {took:.2?}");
    assert!(out.words().contains("AADSTS7000215"), "{}", out.all());
    assert!(
        h.writes().is_empty(),
        "nothing was written: {:#?}",
        h.writes()
    );
}
