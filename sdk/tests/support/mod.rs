//! What the SDK's emulator tests share: an emulator with a client, topologies, quiet events.

#![allow(dead_code)]

use arm_emulator::{Config, Emulator};
use bcdr::engine::{Event, Outcome, RetryPolicy};
use bcdr::{ArmClient, ArmConfig, Cloud, Credential, Region, Topology, TopologyClient};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

pub const SUB: &str = "00000000-0000-0000-0000-000000000001";

/// The latency scale of each emulator [`start`] started, by endpoint.
fn scales() -> &'static Mutex<HashMap<String, f64>> {
    static SCALES: OnceLock<Mutex<HashMap<String, f64>>> = OnceLock::new();
    SCALES.get_or_init(Mutex::default)
}

/// Starts an emulator and remembers its latency scale: every client of it ([`arm_config`]) polls at
/// that scale, as the emulator runs Azure's times scaled and sends no `Retry-After` where Azure sends
/// none.
pub async fn start(config: Config) -> Emulator {
    let scale = config.latency_scale;
    let emulator = Emulator::start(config).await.expect("emulator");
    scales()
        .lock()
        .expect("scales")
        .insert(emulator.endpoint(), scale);
    emulator
}

/// The latency scale `emulator` runs at (it must have been started by [`start`]).
pub fn latency_scale(emulator: &Emulator) -> f64 {
    scales()
        .lock()
        .expect("scales")
        .get(&emulator.endpoint())
        .copied()
        .expect("an emulator started by support::start, whose latency scale its clients poll at")
}

/// How a client reaches `emulator`: its endpoint, its certificate, and polling at its latency scale.
pub fn arm_config(emulator: &Emulator) -> ArmConfig {
    let cloud = Cloud::custom(&emulator.endpoint(), &emulator.endpoint()).expect("cloud");
    let credential =
        Credential::client_secret("00000000-0000-0000-0000-00000000aaaa", "sdk-tests", "x");
    ArmConfig::new(SUB, cloud, credential)
        .trust_root_pem(emulator.ca_certificate_pem())
        .poll_interval_scale(latency_scale(emulator))
}

pub async fn setup(config: Config) -> (Emulator, TopologyClient) {
    let emulator = start(config).await;
    let retry = RetryPolicy {
        max_attempts: 40,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(50),
    };
    let client = client(&emulator, retry, None);
    (emulator, client)
}

/// A client of `emulator` with `retry`, waiting through `sleeper` when one is given.
pub fn client(
    emulator: &Emulator,
    retry: RetryPolicy,
    sleeper: Option<std::sync::Arc<dyn bcdr::clock::Sleeper>>,
) -> TopologyClient {
    let mut arm = arm_config(emulator);
    if let Some(sleeper) = sleeper {
        arm = arm.sleeper(sleeper);
    }
    TopologyClient::new(ArmClient::new(arm).expect("client")).with_retry(retry)
}

pub fn fast() -> Config {
    Config {
        latency_scale: 0.0005,
        ..Config::default()
    }
}

pub fn topology(name: &str, regions: &[(&str, &str)]) -> Topology {
    regions.iter().fold(Topology::new(name), |t, (r, c)| {
        t.region(Region::new(*r, *c))
    })
}

pub fn quiet(_: Event<'_>) {}

/// The ARM writes `emulator` has logged (token requests and name checks aside).
pub fn writes(emulator: &Emulator) -> Vec<arm_emulator::LogEntry> {
    emulator
        .requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/subscriptions/") && is_write(r))
        .collect()
}

/// The keys of the plan operations whose outcome `pick` selects (plans from scratch share one order).
pub fn keys(
    t: &Topology,
    report: &bcdr::engine::Report,
    pick: impl Fn(&Outcome) -> bool,
) -> Vec<String> {
    let plan = bcdr::plan::plan(
        &bcdr::layout::desired(t, SUB),
        &bcdr::plan::Observed::default(),
    );
    plan.operations
        .iter()
        .zip(&report.outcomes)
        .filter(|(_, o)| pick(o))
        .map(|(op, _)| op.key.to_string())
        .collect()
}

/// Destroys topology `name` and checks that the emulator holds nothing afterwards.
pub async fn destroy_to_nothing(emulator: &Emulator, client: &TopologyClient, name: &str) {
    client
        .destroy(name, bcdr::engine::CancelSignal::never(), &quiet)
        .await
        .expect("destroy");
    assert!(
        emulator.resource_ids().is_empty(),
        "{:?}",
        emulator.resource_ids()
    );
}

/// Deletes the resource `id` as another ARM user would, behind the SDK's back.
pub async fn delete_by_hand(client: &TopologyClient, id: &str, api_version: &str) {
    client
        .arm()
        .delete(id, api_version)
        .await
        .expect("delete by hand");
}

/// Whether a logged request changes anything: not a read, and not a POST that only asks
/// (`checkNameAvailability` and the like).
pub fn is_write(r: &arm_emulator::LogEntry) -> bool {
    match r.method.as_str() {
        "GET" | "HEAD" => false,
        "POST" => !r.path.to_ascii_lowercase().contains("/check"),
        _ => true,
    }
}

/// What the emulator's DNS answers for `fqdn` now: the first answer's target (Traffic Manager) or
/// host name (Front Door).
pub async fn resolve(emulator: &Emulator, fqdn: &str) -> String {
    let http = reqwest::Client::builder()
        .add_root_certificate(
            reqwest::Certificate::from_pem(emulator.ca_certificate_pem().as_bytes())
                .expect("certificate"),
        )
        .build()
        .expect("http client");
    let text = http
        .get(format!("{}/_emulator/dns/{fqdn}", emulator.endpoint()))
        .send()
        .await
        .expect("dns")
        .text()
        .await
        .expect("dns answer");
    let answer: serde_json::Value = serde_json::from_str(&text).expect("dns answer is JSON");
    let first = &answer["answers"][0];
    first["target"]
        .as_str()
        .or(first["hostName"].as_str())
        .unwrap_or_default()
        .to_owned()
}
