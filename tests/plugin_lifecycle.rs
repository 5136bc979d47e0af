//! When the provider process ends: when Terraform is killed (the provider notices its parent is gone
//! and exits within moments, as go-plugin's providers do), when Terraform says Shutdown (at once); and
//! in debug mode (`--debug`, for `TF_REATTACH_PROVIDERS`) not until Ctrl-C, serving every Terraform
//! run meanwhile (1.0.3, and a newer `terraform` from PATH when there is one).

mod support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::{Harness, log, terraform};

const BIN: &str = env!("CARGO_BIN_EXE_terraform-provider-bcdr");
const COOKIE: (&str, &str) = (
    "TF_PLUGIN_MAGIC_COOKIE",
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
);

/// Terraform's environment for a provider: the cookie, protocol versions, port range and the client
/// certificate (ECDSA P-521, as Terraform's).
fn as_terraform_does(cmd: &mut Command) -> &mut Command {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).expect("p-521 key");
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).expect("params");
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let cert = params.self_signed(&key).expect("self-signed");
    cmd.env(COOKIE.0, COOKIE.1)
        .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
        .env("PLUGIN_MIN_PORT", "10000")
        .env("PLUGIN_MAX_PORT", "25000")
        .env("PLUGIN_CLIENT_CERT", cert.pem())
        .env_remove("TF_DISABLE_PLUGIN_TLS")
        .env_remove("TF_LOG")
        .env_remove("TF_LOG_PROVIDER")
}

/// Whether process `pid` still runs (a zombie has ended: only its exit status is left).
fn running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        stat.rsplit_once(") ")
            .is_some_and(|(_, rest)| !rest.starts_with('Z') && !rest.starts_with('X'))
    })
}

/// How long `pid` took to end, if it did within `limit`.
fn ends_within(pid: u32, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if !running(pid) {
            return Some(started.elapsed());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

#[test]
fn the_provider_exits_when_terraform_is_killed() {
    // A stand-in for Terraform: a shell that starts the provider as Terraform does, says its pid,
    // and waits; then it is SIGKILLed, as an OOM killer or `kill -9` would.
    let mut host = Command::new("sh");
    as_terraform_does(&mut host)
        .args(["-c", "\"$0\" & echo \"pid $!\"; wait", BIN])
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut host = host.spawn().expect("sh starts");
    let mut lines = BufReader::new(host.stdout.take().expect("stdout")).lines();
    let (mut pid, mut handshake) = (None, None);
    while pid.is_none() || handshake.is_none() {
        let line = lines
            .next()
            .expect("the provider and the shell speak")
            .expect("line");
        if let Some(p) = line.strip_prefix("pid ") {
            pid = Some(p.trim().parse::<u32>().expect("a pid"));
        } else if line.starts_with("1|6|tcp|") {
            handshake = Some(line);
        }
    }
    let pid = pid.expect("pid");
    assert!(running(pid), "the provider serves");
    std::thread::sleep(Duration::from_millis(300));
    assert!(running(pid), "and keeps serving while its host lives");

    host.kill().expect("SIGKILL the host");
    let _ = host.wait();
    let took = ends_within(pid, Duration::from_secs(5));
    log(&format!(
        "[lifecycle] provider {pid} ended {took:.2?} after its host was killed"
    ));
    if took.is_none() {
        let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
    }
    assert!(
        took.is_some_and(|t| t < Duration::from_secs(3)),
        "the provider outlived Terraform: {took:?}"
    );
}

/// A gRPC call over plaintext HTTP/2 (what Terraform sends, without TLS): `path` with an empty
/// message; the gRPC status of the answer.
async fn grpc_empty_call(addr: &str, path: &str) -> String {
    let tcp = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let (mut client, connection) = h2::client::handshake(tcp).await.expect("h2 handshake");
    tokio::spawn(connection);
    let request = http::Request::post(format!("http://{addr}{path}"))
        .header("content-type", "application/grpc")
        .header("te", "trailers")
        .body(())
        .expect("request");
    let (response, mut body) = client.send_request(request, false).expect("send");
    // An empty protobuf message: not compressed, length 0.
    body.send_data(bytes::Bytes::from_static(&[0, 0, 0, 0, 0]), true)
        .expect("body");
    let response = response.await.expect("response");
    let status = response
        .headers()
        .get("grpc-status")
        .map(|v| v.to_str().unwrap_or_default().to_owned());
    let mut body = response.into_body();
    while let Some(chunk) = body.data().await {
        let _ = chunk.expect("data");
    }
    let trailers = body.trailers().await.expect("trailers");
    status
        .or_else(|| {
            trailers
                .and_then(|t| t.get("grpc-status").cloned())
                .map(|v| v.to_str().unwrap_or_default().to_owned())
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn shutdown_ends_the_process_at_once() {
    let mut cmd = Command::new(BIN);
    as_terraform_does(&mut cmd)
        .env("TF_DISABLE_PLUGIN_TLS", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = cmd.spawn().expect("provider starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("handshake");
    let addr = line.split('|').nth(3).expect("address").to_owned();
    let status = grpc_empty_call(&addr, "/plugin.GRPCController/Shutdown").await;
    assert_eq!(status, "0", "Shutdown answered OK");
    let started = Instant::now();
    let exited = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break Some(status);
        }
        if started.elapsed() > Duration::from_secs(3) {
            break None;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    log(&format!(
        "[lifecycle] provider exited {:.2?} after Shutdown",
        started.elapsed()
    ));
    if exited.is_none() {
        let _ = child.kill();
    }
    assert!(
        exited.is_some_and(|s| s.success()),
        "exits, cleanly, well before Terraform's 2 s: {exited:?}"
    );
}

const PAIRS: &str = r#"
data "bcdr_regions" "r" {
  names = ["eastus", "westus"]
}

output "pairs" {
  value = data.bcdr_regions.r.recommended_pairs
}
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn debug_mode_serves_terraform_runs_until_ctrl_c() {
    for (tf, version) in terraform::each() {
        debug_mode_serves_terraform_runs_until_ctrl_c_on(&tf, &version).await;
    }
}

async fn debug_mode_serves_terraform_runs_until_ctrl_c_on(tf: &Path, version: &str) {
    let h = Harness::new(tf, &format!("tf-{version}-debug")).await;
    h.config(PAIRS);
    let mut provider = Command::new(BIN)
        .arg("--debug")
        .env_remove(COOKIE.0)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("provider starts by hand");
    let pid = provider.id();
    let mut reattach = None;
    for line in BufReader::new(provider.stdout.take().expect("stdout")).lines() {
        let line = line.expect("line");
        if let Some(json) = line.trim().strip_prefix("export TF_REATTACH_PROVIDERS=") {
            reattach = Some(json.trim_matches('\'').to_owned());
            break;
        }
    }
    let reattach = reattach.expect("the banner says how to reattach");
    let parsed: serde_json::Value = serde_json::from_str(&reattach).expect("reattach JSON");
    assert_eq!(parsed["example.com/bcdr/bcdr"]["Pid"], pid);
    h.env
        .lock()
        .expect("env")
        .push(("TF_REATTACH_PROVIDERS".into(), reattach));

    for _ in 0..2 {
        let out = h.tf_ok(&["apply", "-auto-approve"]).await;
        assert!(out.stdout.contains("eastus"), "{}", out.all());
        assert!(
            running(pid),
            "the debug provider outlives each Terraform run"
        );
    }

    Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .expect("Ctrl-C");
    let took = ends_within(pid, Duration::from_secs(5));
    let status = provider.wait().expect("wait");
    assert!(
        took.is_some() && status.success(),
        "Ctrl-C ends debug mode cleanly: {took:?} {status:?}"
    );
}
