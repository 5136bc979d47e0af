//! Azure's own clients against the emulator, as LocalStack is proven with AWS's: the Azure SDK for
//! Python's management libraries (pinned here at the versions of 2026-12) create, read, update (PUT
//! and PATCH), list and delete every resource type of a BC/DR topology with their own default
//! api-versions and their own pollers, signed in through azure-identity with the emulator as their
//! authority (the script: `tests/clients/python_sdk.py`), over TLS with the emulator's certificate.

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_python_sdk_manages_every_type_with_its_own_defaults() {
    let bin = python::venv("python-sdk", PYTHON_SDK);
    let (emulator, dir) = emulator("python-sdk").await;
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients/python_sdk.py");
    let endpoint = emulator.endpoint();
    let cert = dir.join("state.cert.pem");
    let out = tokio::task::spawn_blocking(move || {
        Command::new(bin.join("python"))
            .arg(script)
            .env("ARM_ENDPOINT", endpoint)
            .env("ARM_SUBSCRIPTION_ID", arm_emulator::DEFAULT_SUBSCRIPTION)
            .env("ARM_TENANT_ID", "00000000-0000-0000-0000-00000000aaaa")
            .env("REQUESTS_CA_BUNDLE", cert)
            .output()
    })
    .await
    .expect("join")
    .expect("python runs");
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let refused: Vec<String> = emulator
        .requests()
        .iter()
        .filter(|r| r.code.as_deref() == Some("InvalidApiVersionParameter"))
        .map(|r| format!("{} {} api-version={:?}", r.method, r.path, r.api_version))
        .collect();
    assert!(
        refused.is_empty(),
        "the Python SDK's default api-versions the emulator does not serve:\n{}",
        refused.join("\n")
    );
    assert!(
        out.status.success() && text.contains("all ok"),
        "the Python SDK failed a step:\n{text}"
    );
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
