//! A failover drill on the embedded emulator: East US serves, West US is cold (network and ingress IP
//! only). First, what Azure says about a failover to West US before any is needed (whether its
//! cluster fits the region's VM sizes and vCPU quota); then the drill fails over (West US's
//! cluster is created, then traffic moves) and back, printing each step with its time and the
//! time-to-switch. Last, a region is lost (the emulator's regional outage: East US's resources do
//! not answer, its endpoints fail their probes) and the recovery is timed on the emulator's clock,
//! against the floor `(tolerated_failures + 1) × probe_interval + ttl`: until Traffic Manager marks
//! East US `Degraded`, until DNS answers the recovery region, until the failover guard has pinned
//! the failover, and, with a cold standby, until its cluster serves.
//!
//! `cargo run --release --example failover`
use arm_emulator::{Config, Emulator, RegionDown};
use bcdr::engine::CancelSignal;
use bcdr::failover::Switch;
use bcdr::failover::guard::{Guard, Look};
use bcdr::layout::ResourceKey;
use bcdr::model::{RegionMode, RegionRole, RoutingMethod, TrafficManager};
use bcdr::{ArmClient, ArmConfig, Cloud, Credential, Region, Topology, TopologyClient};
use std::error::Error;
use std::time::{Duration, Instant};

/// Azure-like provisioning times scaled 1:100: an AKS create takes 3 s (and is polled every 0.3 s),
/// a 30 s probe interval 0.3 s.
const SCALE: f64 = 0.01;
const SUBSCRIPTION: &str = "00000000-0000-0000-0000-000000000001";

fn print(title: &str, s: &Switch) {
    println!(
        "{title}: traffic moved after {:.2?} (all done after {:.2?})",
        s.time_to_switch, s.total
    );
    for step in &s.steps {
        println!(
            "  +{:>9.2?} {:<45} {:>9.2?}",
            step.started, step.what, step.took
        );
    }
    for (region, r) in &s.status.regions {
        println!("  {region}: endpoint {}", r.endpoint_status);
    }
}

fn client(emulator: &Emulator) -> Result<TopologyClient, Box<dyn Error>> {
    let cloud = Cloud::custom(&emulator.endpoint(), &emulator.endpoint())?;
    let credential =
        Credential::client_secret("00000000-0000-0000-0000-00000000aaaa", "drill", "x");
    // The default retries: a region that does not answer is learnt once (the circuit breaker).
    let arm = ArmClient::new(
        ArmConfig::new(SUBSCRIPTION, cloud, credential)
            .trust_root_pem(emulator.ca_certificate_pem())
            .poll_interval_scale(SCALE),
    )?;
    Ok(TopologyClient::new(arm))
}

async fn emulator() -> Result<Emulator, Box<dyn Error>> {
    Ok(Emulator::start(Config {
        latency_scale: SCALE,
        ..Config::default()
    })
    .await?)
}

/// Seconds on the emulator's clock since `since`.
fn emulated(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() / SCALE
}

/// What the emulator's DNS answers for `fqdn` now.
async fn resolve(http: &reqwest::Client, emulator: &Emulator, fqdn: &str) -> String {
    let url = format!("{}/_emulator/dns/{fqdn}", emulator.endpoint());
    let answer: serde_json::Value = match http.get(url).send().await {
        Ok(r) => serde_json::from_str(&r.text().await.unwrap_or_default()).unwrap_or_default(),
        Err(_) => serde_json::Value::Null,
    };
    answer["answers"][0]["target"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// East US's endpoint monitor status, as Traffic Manager reports it.
async fn monitor_status(client: &TopologyClient, topology: &str) -> String {
    let key = ResourceKey::TrafficManagerProfile;
    let id = key.id(SUBSCRIPTION, topology);
    let profile = client.arm().get(&id, key.api_version()).await;
    let endpoints = profile.ok().flatten().unwrap_or_default()["properties"]["endpoints"].clone();
    endpoints
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| e["name"] == "eastus")
        .and_then(|e| e["properties"]["endpointMonitorStatus"].as_str())
        .unwrap_or_default()
        .to_owned()
}

/// One region loss, timed: seconds on the emulator's clock since East US was lost, but for the
/// pin's own time, which is the client's (its retries wait real seconds).
#[derive(Debug, Default)]
struct Timeline {
    degraded: f64,
    answered: f64,
    /// When the guard began the pin (on the emulator's clock), and how long it took (real).
    pin_began: f64,
    pin_took: Duration,
    /// How long a cold standby's cluster took to create (the emulator's clock).
    cluster: Option<f64>,
}

/// East US is lost `phase` of a probe interval after one of its probes passed (0: the worst case,
/// a whole interval until the next probe) while `standby` waits in West US; the guard watches.
async fn region_loss(
    tm: &TrafficManager,
    standby: RegionMode,
    phase: f64,
) -> Result<Timeline, Box<dyn Error>> {
    let emulator = emulator().await?;
    let client = client(&emulator)?;
    let name = "loss";
    let topology = Topology::new(name)
        .region(Region::new("eastus", "10.1.0.0/16").role(RegionRole::Primary))
        .region(Region::new("westus", "10.2.0.0/16").mode(standby))
        .traffic_manager(tm.clone());
    let fqdn = client
        .apply(&topology, CancelSignal::never(), &|_| {})
        .await?
        .status
        .traffic_manager_fqdn;
    let http = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(
            emulator.ca_certificate_pem().as_bytes(),
        )?)
        .build()?;
    // Probes run every interval from the endpoint's write: the first passes as it turns Online.
    while monitor_status(&client, name).await != "Online" {
        tokio::time::sleep(Duration::from_secs_f64(0.1 * SCALE)).await;
    }
    let interval = f64::from(tm.probe_interval);
    tokio::time::sleep(Duration::from_secs_f64(phase * interval * SCALE)).await;
    let lost = Instant::now();
    emulator.take_region_down("eastus", RegionDown::Fail);

    // The guard looks every second (the emulator's), beside the measurements.
    let mut guard = Guard::new(&client, topology)?;
    let guard_loop = async {
        while emulated(lost) < 3600.0 {
            let (began, start) = (emulated(lost), Instant::now());
            if let Ok(Look::Pinned { switch, .. }) = guard.look(CancelSignal::never()).await {
                return Some((began, start.elapsed(), *switch));
            }
            tokio::time::sleep(Duration::from_secs_f64(SCALE)).await;
        }
        None
    };
    let measure = async {
        let mut t = Timeline::default();
        while (t.degraded == 0.0 || t.answered == 0.0) && emulated(lost) < 3600.0 {
            if t.degraded == 0.0 && monitor_status(&client, name).await == "Degraded" {
                t.degraded = emulated(lost);
            }
            if t.answered == 0.0 && resolve(&http, &emulator, &fqdn).await.contains("westus") {
                t.answered = emulated(lost);
            }
            tokio::time::sleep(Duration::from_secs_f64(0.1 * SCALE)).await;
        }
        t
    };
    let (pin, mut t) = tokio::join!(guard_loop, measure);
    if let Some((began, took, switch)) = pin {
        (t.pin_began, t.pin_took) = (began, took);
        t.cluster = switch
            .steps
            .iter()
            .find(|s| s.what.contains("AKS cluster"))
            .map(|s| s.took.as_secs_f64() / SCALE);
    }
    Ok(t)
}

async fn region_losses(title: &str, tm: &TrafficManager) -> Result<(), Box<dyn Error>> {
    let floor = f64::from(tm.failover_seconds());
    println!(
        "{title}: probe every {} s (timeout {} s), {} failures tolerated, TTL {} s; floor {floor:.0} s",
        tm.probe_interval, tm.probe_timeout, tm.tolerated_failures, tm.ttl
    );
    println!(
        "  lost after a probe | Degraded | DNS answers West US | + TTL   | of the floor | guard pins (real)"
    );
    for phase in [0.0, 0.5, 0.95] {
        let t = region_loss(tm, RegionMode::Hot, phase).await?;
        let resolved = t.answered + f64::from(tm.ttl);
        println!(
            "  {:>16.1} s | {:>6.1} s | {:>17.1} s | {resolved:>5.1} s | {:>+11.1}% | {:>5.1} s then {:.2?}",
            phase * f64::from(tm.probe_interval),
            t.degraded,
            t.answered,
            (resolved - floor) / floor * 100.0,
            t.pin_began,
            t.pin_took
        );
    }
    println!();
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let emulator = emulator().await?;
    let client = client(&emulator)?;
    let topology = Topology::new("drill")
        .region(Region::new("eastus", "10.1.0.0/16"))
        .region(Region::new("westus", "10.2.0.0/16").mode(RegionMode::Cold))
        .traffic_manager(TrafficManager::new(RoutingMethod::Priority));
    let applied = client
        .apply(&topology, CancelSignal::never(), &|_| {})
        .await?;
    println!(
        "Topology up: {} answers for East US; West US is cold.\n",
        applied.status.traffic_manager_fqdn
    );
    // What only Azure knows, asked before a failover is needed (the provider's plan shows the same).
    let catalog = client.catalog(&topology).await?;
    let findings = bcdr::validate::capacity_findings(&topology, &catalog);
    if findings.is_empty() {
        println!("West US has the VM sizes and the vCPU quota its cluster needs at failover.\n");
    }
    for finding in findings {
        println!("{finding}\n");
    }
    let drill = client.drill(&topology, "eastus", "westus").await?;
    print("Failover eastus -> westus", &drill.failover);
    println!();
    print("Failback westus -> eastus", &drill.failback);
    println!();

    println!("East US is lost: seconds on the emulator's clock since the loss, West US hot.\n");
    let mut fast = TrafficManager::new(RoutingMethod::Priority).probing(10, 9, 1);
    fast.ttl = 10;
    region_losses("Fast probing", &fast).await?;
    let default = TrafficManager::new(RoutingMethod::Priority);
    region_losses("Default probing", &default).await?;
    let t = region_loss(&default, RegionMode::Cold, 0.0).await?;
    let cluster = t.cluster.unwrap_or_default();
    // The pin's time beyond the cluster's create is the client's own (reads and retries), real.
    let client_time = t.pin_took.as_secs_f64() - cluster * SCALE;
    println!(
        "West US cold, default probing, lost after a probe: Degraded at {:.1} s; the guard begins the pin at {:.1} s; \
         West US's cluster is created in {cluster:.1} s, the rest of the pin takes {client_time:.2} s (real); \
         DNS answers West US at {:.1} s, every client resolves it by {:.1} s",
        t.degraded,
        t.pin_began,
        t.pin_began + cluster + client_time,
        t.pin_began + cluster + client_time + f64::from(default.ttl),
    );
    Ok(())
}
