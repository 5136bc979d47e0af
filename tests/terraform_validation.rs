//! Every validation rule, through real Terraform (1.0.3, and a newer one from PATH when there
//! is one): each invalid configuration stops
//! `terraform plan` with the rule's diagnostic, naming the attribute's path, before any ARM call;
//! each warning shows at `terraform validate`. One case per rule of the SDK's validation and of the
//! provider's own translation (values the SDK's model cannot hold).

mod support;

use std::path::Path;

use support::{Harness, terraform};

#[path = "terraform_validation/cases.rs"]
mod cases;
#[path = "terraform_validation/more_cases.rs"]
mod more_cases;
use cases::warnings;

/// Every error case.
fn errors() -> Vec<(String, &'static str, &'static str)> {
    let mut all = cases::errors();
    all.extend(more_cases::errors());
    all
}

/// Terraform wraps details inside its diagnostic box: compare words.
fn words(s: &str) -> String {
    s.replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_rule_stops_plan_at_its_attribute_before_any_arm_call() {
    for (tf, version) in terraform::each() {
        every_rule_stops_plan_at_its_attribute_before_any_arm_call_on(&tf, &version).await;
    }
}

async fn every_rule_stops_plan_at_its_attribute_before_any_arm_call_on(tf: &Path, version: &str) {
    let h = Harness::new(tf, &format!("tf-{version}-validation")).await;
    let mut failures = Vec::new();
    for (config, summary, detail) in errors() {
        h.emulator.clear_requests();
        h.config(&config);
        let out = h.tf(&["plan"]).await;
        let text = words(&out.all());
        if out.code != 1
            || !text.contains(&format!("Error: {summary}"))
            || !text.contains(&words(detail))
        {
            failures.push(format!("{summary} / {detail}:\n{}\n{}", config, out.all()));
        }
        assert!(
            h.emulator.requests().is_empty(),
            "{summary}: no ARM call for invalid input: {:#?}",
            h.emulator.requests()
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The operations guide's configurations, as written: each plans against the emulator with no
/// error (reads only).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_guide_configuration_plans() {
    for (tf, version) in terraform::each() {
        every_guide_configuration_plans_on(&tf, &version).await;
    }
}

async fn every_guide_configuration_plans_on(tf: &Path, version: &str) {
    let guide = std::fs::read_to_string(
        terraform::workspace_root().join("docs/guides/disaster-recovery.md"),
    )
    .expect("guide");
    let blocks: Vec<&str> = guide
        .split("```terraform\n")
        .skip(1)
        .filter_map(|b| b.split("```").next())
        .collect();
    assert_eq!(blocks.len(), 3, "the guide's configurations");
    let h = Harness::new(tf, &format!("tf-{version}-guide")).await;
    for block in blocks {
        h.config(block);
        let (code, out) = h.plan_code().await;
        assert_eq!(code, 2, "{block}\n{}", out.all());
        assert!(!out.all().contains("Error"), "{}", out.all());
        assert!(h.writes().is_empty(), "reads only");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_warning_shows_at_validate() {
    for (tf, version) in terraform::each() {
        every_warning_shows_at_validate_on(&tf, &version).await;
    }
}

async fn every_warning_shows_at_validate_on(tf: &Path, version: &str) {
    let h = Harness::new(tf, &format!("tf-{version}-warnings")).await;
    let mut failures = Vec::new();
    for (config, summary, detail) in warnings() {
        h.config(&config);
        let out = h.tf(&["validate"]).await;
        let text = words(&out.all());
        if out.code != 0
            || !text.contains(&format!("Warning: {summary}"))
            || !text.contains(&words(detail))
        {
            failures.push(format!("{summary} / {detail}:\n{}\n{}", config, out.all()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// A finding about a whole region block (an unknown region here) lands in that block: Terraform
/// quotes the block's own line, not the resource's first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_region_finding_points_at_its_block() {
    for (tf, version) in terraform::each() {
        let h = Harness::new(&tf, &format!("tf-{version}-region-line")).await;
        h.config(
            r#"
resource "bcdr_topology" "t" {
  name = "lines"

  region "eastus" {
    vnet_cidr = "10.1.0.0/16"
  }

  region "atlantis" {
    vnet_cidr = "10.9.0.0/16"
  }
}
"#,
        );
        let out = h.tf(&["plan"]).await;
        assert_eq!(out.code, 1, "{}", out.all());
        let text = out.all();
        let quoted = text
            .lines()
            .find(|l| l.contains("vnet_cidr = \"10.9.0.0/16\""))
            .is_some();
        assert!(
            quoted,
            "the diagnostic quotes the atlantis block's line:\n{text}"
        );
    }
}
