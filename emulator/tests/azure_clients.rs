//! Azure's own clients against the emulator, as LocalStack is proven with AWS's: the Azure SDK for
//! Python's management libraries (pinned here at the versions of 2026-12) create, read, update (PUT
//! and PATCH), list and delete every resource type of a BC/DR topology with their own default
//! api-versions and their own pollers, signed in through azure-identity with the emulator as their
//! authority (the script: `tests/clients/python_sdk.py`), over TLS with the emulator's certificate;
//! and the Azure CLI (pinned too), signed in to the emulator registered as a cloud, running the
//! commands a platform team runs for each type (`tests/clients/azure_cli.py`).

mod support;

use arm_emulator::{Config, Emulator};
use std::collections::BTreeSet;
use std::process::Command;

#[path = "support/python.rs"]
mod python;

const PYTHON_SDK: &[&str] = &[
    "azure-identity==1.27.0",
    "azure-mgmt-resource==26.0.0",
    "azure-mgmt-network==33.1.0",
    "azure-mgmt-containerservice==41.8.0",
    "azure-mgmt-containerregistry==15.0.0",
    "azure-mgmt-storage==25.3.0",
    "azure-mgmt-trafficmanager==2.0.0",
    "azure-mgmt-cdn==14.1.0",
    "azure-mgmt-frontdoor==2.0.0",
    "azure-mgmt-authorization==4.0.0",
];

/// An emulator whose state (and so its certificate, beside it) lives in a fresh directory.
async fn emulator(label: &str) -> (Emulator, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("emu-{label}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("state dir");
    let emulator = Emulator::start(Config {
        latency_scale: 0.001,
        state_path: Some(dir.join("state.json")),
        ..Config::default()
    })
    .await
    .expect("starts");
    (emulator, dir)
}

/// Runs a client's script against the emulator; its output, and the requests the emulator refused
/// for an api-version it does not serve.
async fn run_script(
    emulator: &Emulator,
    dir: &std::path::Path,
    bin: std::path::PathBuf,
    script: &str,
    env: &[(&str, String)],
) -> (bool, String, Vec<String>) {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/clients")
        .join(script);
    let mut cmd = Command::new(bin.join("python"));
    cmd.arg(script)
        .env("ARM_ENDPOINT", emulator.endpoint())
        .env("ARM_SUBSCRIPTION_ID", arm_emulator::DEFAULT_SUBSCRIPTION)
        .env("ARM_TENANT_ID", "00000000-0000-0000-0000-00000000aaaa")
        .env("REQUESTS_CA_BUNDLE", dir.join("state.cert.pem"));
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .expect("join")
        .expect("python runs");
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let refused = emulator
        .requests()
        .iter()
        .filter(|r| r.code.as_deref() == Some("InvalidApiVersionParameter"))
        .map(|r| format!("{} {} api-version={:?}", r.method, r.path, r.api_version))
        .collect();
    (
        out.status.success() && text.contains("all ok"),
        text,
        refused,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_python_sdk_manages_every_type_with_its_own_defaults() {
    let bin = python::venv("python-sdk", PYTHON_SDK);
    let (emulator, dir) = emulator("python-sdk").await;
    let (ok, text, refused) = run_script(&emulator, &dir, bin, "python_sdk.py", &[]).await;
    assert!(
        refused.is_empty(),
        "the Python SDK's default api-versions the emulator does not serve:\n{}",
        refused.join("\n")
    );
    assert!(ok, "the Python SDK failed a step:\n{text}");
    // Its own defaults, not the emulator's pinned versions.
    let versions: BTreeSet<String> = emulator
        .requests()
        .iter()
        .filter(|r| {
            r.path
                .contains("/providers/Microsoft.Network/virtualNetworks/")
        })
        .filter_map(|r| r.api_version.clone())
        .collect();
    assert_eq!(
        versions.into_iter().collect::<Vec<_>>(),
        ["2026-03-01"],
        "the Network library's own default"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// The Azure CLI, pinned at the release of 2026-12.
const AZURE_CLI: &[&str] = &["azure-cli==2.91.0"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_azure_cli_signs_in_and_manages_every_type() {
    let bin = python::venv("azure-cli", AZURE_CLI);
    let (emulator, dir) = emulator("azure-cli").await;
    // The CLI's profile lives beside the state: the user's own `~/.azure` is never read or written.
    let config = dir.join("azure-config");
    let (ok, text, refused) = run_script(
        &emulator,
        &dir,
        bin,
        "azure_cli.py",
        &[
            ("AZURE_CONFIG_DIR", config.display().to_string()),
            ("AZURE_CORE_COLLECT_TELEMETRY", "false".into()),
            ("AZURE_CORE_NO_COLOR", "true".into()),
        ],
    )
    .await;
    assert!(
        refused.is_empty(),
        "the Azure CLI's api-versions the emulator does not serve:\n{}",
        refused.join("\n")
    );
    assert!(ok, "the Azure CLI failed a command:\n{text}");
    let requests = emulator.requests();
    let failed: Vec<String> = requests
        .iter()
        .filter(|r| r.status >= 500)
        .map(|r| format!("{} {} -> {}", r.method, r.path, r.status))
        .collect();
    assert!(failed.is_empty(), "server errors:\n{}", failed.join("\n"));
    // `az aks create --vnet-subnet-id` granted the cluster's identity its subnet, as against Azure.
    assert!(
        requests.iter().any(|r| r.method == "PUT"
            && r.path
                .contains("/subnets/aks/providers/Microsoft.Authorization/roleAssignments/")
            && r.status < 300),
        "the CLI assigned Network Contributor on the cluster's subnet"
    );
    let _ = std::fs::remove_dir_all(dir);
}
