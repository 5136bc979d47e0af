//! `TF_LOG=TRACE` through real Terraform (1.0.3, and a newer `terraform` from PATH when there is
//! one): an apply, a plan and an import against the emulator, every line the provider logs read by
//! Terraform's go-plugin (which crashed on a line whose `@message` was not a string), and no secret
//! anywhere in the output: not the provider block's client secret, not a bearer token the emulator
//! issued, not a cluster's kubeconfig (the `exec` kind, which holds no token).

mod support;

use std::path::Path;
use support::{Harness, Output, terraform};

const TOPOLOGY: &str = r#"
resource "bcdr_topology" "dr" {
  name = "traced"

  region "eastus" {
    vnet_cidr = "10.1.0.0/16"
  }

  region "westus" {
    vnet_cidr = "10.2.0.0/16"
  }
}
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trace_logs_neither_crash_terraform_nor_show_secrets() {
    for (tf, version) in terraform::each() {
        trace_logs_neither_crash_terraform_nor_show_secrets_on(&tf, &version).await;
    }
}

/// What a `TF_LOG=TRACE` run must show: success, the provider's own lines parsed as log entries
/// (go-plugin prints a line it cannot parse raw, `@message` and all), and no panic.
fn assert_traced(h: &Harness, what: &str, out: &Output) {
    let all = out.all();
    // Kept for whoever reads a failure.
    std::fs::write(h.dir.join(format!("trace-{what}.log")), &all).expect("write the trace");
    assert!(
        !all.contains("panic:") && !all.contains("interface conversion"),
        "{what}: Terraform crashed:\n{}",
        tail(&all)
    );
    assert!(
        all.contains("[TRACE] provider.terraform-provider-bcdr"),
        "{what}: the provider's trace reached Terraform's log:\n{}",
        tail(&all)
    );
    let raw: Vec<&str> = all.lines().filter(|l| l.contains("\"@message\"")).collect();
    assert!(
        raw.is_empty(),
        "{what}: lines go-plugin could not read as log entries: {raw:#?}"
    );
}

fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(60)..].join("\n")
}

/// The bearer tokens the emulator has issued, from its state (`GET /_emulator/state`).
async fn issued_tokens(h: &Harness) -> Vec<String> {
    let state = h
        .arm()
        .send(
            azure_core::http::Method::Get,
            "/_emulator/state",
            None,
            &[],
            None,
        )
        .await
        .expect("emulator state")
        .body
        .expect("a body");
    state["tokens"]
        .as_object()
        .expect("a tokens map")
        .keys()
        .cloned()
        .collect()
}

async fn trace_logs_neither_crash_terraform_nor_show_secrets_on(tf: &Path, version: &str) {
    let h = Harness::new(tf, &format!("tf-{version}-trace")).await;
    h.config(TOPOLOGY);
    let secret = format!("trace-secret-{}", std::process::id());
    let main = std::fs::read_to_string(h.dir.join("main.tf")).expect("main.tf");
    assert!(main.contains("\"e2e-secret\""), "{main}");
    std::fs::write(
        h.dir.join("main.tf"),
        main.replace("\"e2e-secret\"", &format!("\"{secret}\"")),
    )
    .expect("write main.tf");
    h.env
        .lock()
        .expect("env")
        .push(("TF_LOG".into(), "TRACE".into()));

    let mut outputs = Vec::new();
    let apply = h.tf(&["apply", "-auto-approve"]).await;
    assert_eq!(
        apply.code,
        0,
        "apply under TF_LOG=TRACE:\n{}",
        tail(&apply.all())
    );
    assert_traced(&h, "apply", &apply);
    outputs.push(apply);
    let plan = h.tf(&["plan", "-detailed-exitcode"]).await;
    assert_eq!(plan.code, 0, "no changes:\n{}", tail(&plan.all()));
    assert_traced(&h, "plan", &plan);
    outputs.push(plan);
    h.tf_ok(&["state", "rm", "bcdr_topology.dr"]).await;
    let id = format!(
        "/subscriptions/{}/resourceGroups/rg-traced-global",
        support::SUBSCRIPTION
    );
    let import = h.tf(&["import", "bcdr_topology.dr", &id]).await;
    assert_eq!(import.code, 0, "import:\n{}", tail(&import.all()));
    assert_traced(&h, "import", &import);
    outputs.push(import);

    h.env.lock().expect("env").clear();
    let state = h.state_values().await;
    let mut secrets = vec![("the provider block's client secret".to_owned(), secret)];
    for region in ["eastus", "westus"] {
        let kube_config = state["region"][region]["kube_config"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        // The exec kubeconfig holds no token (kubelogin gets one); it is sensitive all the same.
        assert!(
            kube_config.contains("kubelogin") && !kube_config.contains("token: "),
            "{region}'s kubeconfig is the exec kind: {kube_config:?}"
        );
        secrets.push((format!("{region}'s kube_config"), kube_config));
    }
    let tokens = issued_tokens(&h).await;
    assert!(!tokens.is_empty(), "the emulator issued tokens");
    secrets.extend(
        tokens
            .into_iter()
            .map(|t| ("a bearer token the emulator issued".to_owned(), t)),
    );
    for out in &outputs {
        let all = out.all();
        for (what, value) in &secrets {
            assert!(
                !all.contains(value.as_str()),
                "{what} is in the trace output"
            );
        }
    }
}
