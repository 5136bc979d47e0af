//! The provider block's credentials besides a client secret, end to end through real Terraform
//! (1.0.3, and a newer one from PATH when there is one) against the emulator: workload identity
//! federation (no secret), the Azure CLI's sign-in, a client certificate, and a managed identity.

mod support;

use std::path::Path;
use support::{Harness, terraform};

const PAIRS: &str = r#"
data "bcdr_regions" "r" {
  names = ["eastus", "westus"]
}

output "pairs" {
  value = data.bcdr_regions.r.recommended_pairs
}
"#;

/// Writes the `PAIRS` configuration with the provider block's credential lines replaced by `auth`.
fn with_auth(h: &Harness, replaced: &[&str], auth: &str) {
    h.config(PAIRS);
    let mut main = std::fs::read_to_string(h.dir.join("main.tf")).expect("main.tf");
    for (n, line) in replaced.iter().enumerate() {
        assert!(main.contains(line), "{line} in {main}");
        main = main.replace(line, if n == 0 { auth } else { "" });
    }
    std::fs::write(h.dir.join("main.tf"), main).expect("write main.tf");
}

async fn pairs(h: &Harness) -> serde_json::Value {
    let out = h.tf_ok(&["output", "-json"]).await;
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    v["pairs"]["value"].clone()
}

/// The provider block with workload identity federation: no client secret, a federated token file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workload_identity_authenticates_without_a_secret() {
    for (tf, version) in terraform::each() {
        workload_identity_authenticates_without_a_secret_on(&tf, &version).await;
    }
}

async fn workload_identity_authenticates_without_a_secret_on(tf: &Path, version: &str) {
    let h = Harness::new(tf, &format!("tf-{version}-oidc")).await;
    let token_file = h.dir.join("federated-token");
    with_auth(
        &h,
        &[r#"client_secret       = "e2e-secret""#],
        &format!(
            "use_oidc             = true\n  oidc_token_file_path = \"{}\"",
            token_file.display()
        ),
    );

    std::fs::write(&token_file, "not a token").expect("token file");
    let refused = h.tf(&["apply", "-auto-approve"]).await;
    assert_ne!(refused.code, 0, "a malformed federated token is refused");
    assert!(
        refused.stderr.contains("AADSTS50027"),
        "Entra's answer reaches the user:\n{}",
        refused.stderr
    );

    std::fs::write(
        &token_file,
        "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJlMmUifQ.c2lnbmF0dXJl",
    )
    .expect("token file");
    h.tf_ok(&["apply", "-auto-approve"]).await;
    assert_eq!(pairs(&h).await, serde_json::json!([["eastus", "westus"]]));
}

/// `use_cli`: tokens come from `az account get-access-token` (here a stand-in `az` on PATH that
/// hands out a token the emulator issued, and records how it was asked).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azure_cli_sign_in_authenticates() {
    for (tf, version) in terraform::each() {
        azure_cli_sign_in_authenticates_on(&tf, &version).await;
    }
}

async fn azure_cli_sign_in_authenticates_on(tf: &Path, version: &str) {
    let h = Harness::new(tf, &format!("tf-{version}-cli")).await;
    with_auth(
        &h,
        &[
            r#"client_id           = "terraform-e2e""#,
            r#"client_secret       = "e2e-secret""#,
        ],
        "use_cli             = true",
    );
    let bin = h.dir.join("bin");
    std::fs::create_dir_all(&bin).expect("bin");
    let az = bin.join("az");
    let args = h.dir.join("az-args");
    let write_az = |body: &str| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::write(
            &az,
            format!("#!/bin/sh\necho \"$@\" >> \"{}\"\n{body}\n", args.display()),
        )
        .expect("az");
        std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    };
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    h.env.lock().expect("env").push(("PATH".into(), path));

    write_az("echo \"ERROR: Please run 'az login' to setup account.\" >&2\nexit 1");
    let refused = h.tf(&["apply", "-auto-approve"]).await;
    assert_ne!(refused.code, 0, "no one is signed in");
    let words = refused
        .stderr
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        words.contains("Please run 'az login'"),
        "the CLI's own words reach the user:\n{}",
        refused.stderr
    );

    let token = h.emulator.issue_token();
    write_az(&format!(
        "cat <<'JSON'\n{{\"accessToken\":\"{token}\",\"expiresOn\":\"2099-01-01 00:00:00.000000\",\"expires_on\":4070908800,\"tokenType\":\"Bearer\"}}\nJSON"
    ));
    h.tf_ok(&["apply", "-auto-approve"]).await;
    assert_eq!(pairs(&h).await, serde_json::json!([["eastus", "westus"]]));
    let asked = std::fs::read_to_string(&args).expect("az was run");
    assert!(
        asked.contains("account get-access-token")
            && asked.contains("--scope https://management.azure.com/.default")
            && asked.contains("--tenant 00000000-0000-0000-0000-00000000aaaa"),
        "{asked}"
    );
}

/// `client_certificate_path`: a PEM file with the certificate and its RSA key; each token request
/// carries an assertion signed with the key.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_certificate_authenticates() {
    for (tf, version) in terraform::each() {
        client_certificate_authenticates_on(&tf, &version).await;
    }
}

async fn client_certificate_authenticates_on(tf: &Path, version: &str) {
    let h = Harness::new(tf, &format!("tf-{version}-cert")).await;
    let pem = h.dir.join("sp.pem");
    with_auth(
        &h,
        &[r#"client_secret       = "e2e-secret""#],
        &format!("client_certificate_path = \"{}\"", pem.display()),
    );
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).expect("rsa key");
    let cert = rcgen::CertificateParams::new(vec!["terraform-e2e".into()])
        .expect("params")
        .self_signed(&key)
        .expect("cert");

    std::fs::write(&pem, cert.pem()).expect("certificate only");
    let refused = h.tf(&["apply", "-auto-approve"]).await;
    assert_ne!(refused.code, 0, "a certificate without its key is refused");
    let words = refused
        .stderr
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(words.contains("sp.pem: no private key"), "{words}");

    std::fs::write(&pem, format!("{}{}", cert.pem(), key.serialize_pem())).expect("pem");
    h.tf_ok(&["apply", "-auto-approve"]).await;
    assert_eq!(pairs(&h).await, serde_json::json!([["eastus", "westus"]]));
}

/// `use_msi`: the host's managed identity, here through an App Service-style identity endpoint
/// (`IDENTITY_ENDPOINT`, `IDENTITY_HEADER`) that the emulator serves; `client_id` picks a
/// user-assigned identity.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn managed_identity_authenticates() {
    for (tf, version) in terraform::each() {
        managed_identity_authenticates_on(&tf, &version).await;
    }
}

async fn managed_identity_authenticates_on(tf: &Path, version: &str) {
    let h = Harness::new(tf, &format!("tf-{version}-msi")).await;
    with_auth(
        &h,
        &[r#"client_secret       = "e2e-secret""#],
        "use_msi             = true",
    );
    let endpoint = format!("{}/_msi/token", h.emulator.endpoint());
    h.env.lock().expect("env").extend([
        ("IDENTITY_ENDPOINT".to_owned(), endpoint),
        ("IDENTITY_HEADER".to_owned(), String::new()),
    ]);
    let refused = h.tf(&["apply", "-auto-approve"]).await;
    assert_ne!(refused.code, 0, "the identity endpoint wants its header");
    let words = refused
        .stderr
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        words.contains("X-IDENTITY-HEADER header is missing"),
        "{words}"
    );

    h.env.lock().expect("env")[1].1 = "e2e-identity-header".into();
    h.tf_ok(&["apply", "-auto-approve"]).await;
    assert_eq!(pairs(&h).await, serde_json::json!([["eastus", "westus"]]));
}
