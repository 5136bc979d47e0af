//! The SDK's benchmarks on the embedded ARM emulator (see BENCHMARKS.md for results and reading).
//!
//! `cargo run --release --example benchmarks`
//!
//! For 2, 4, 8 and 16 regions (Traffic Manager in front, every region hot) it measures, side by side in
//! one run, on the emulator's latency model scaled 1:200 (an AKS create takes 1.5 s, a VNet 30 ms, a
//! peering 50 ms):
//! - apply wall time (median of five) against the plan's critical path (emulated provisioning times
//!   along the longest chain of its DAG), and against a naive sequential apply of the same plan;
//! - ARM requests per apply against the minimum ARM's protocol allows (one write per resource; per
//!   long-running one, the polls of its operation at its resource provider's pace, `ceil(duration /
//!   pace)`, and one read of the result), and how many `AnotherOperationInProgress` /
//!   `ReferencedResourceNotProvisioned` answers the schedule ran into;
//! - a no-op refresh against one GET round trip, on loopback (the emulator's CPU) and with every
//!   request waiting a 20 ms network round trip (as against ARM: the refresh's concurrency);
//! - where the apply's time above the critical path goes (the first peering write's start, the mean
//!   peering write beyond its provisioning time), and the 16-region apply again at 1:100;
//! - the 16-region apply with the emulator on worker threads of its own (every other figure: ARM runs
//!   elsewhere) against on the SDK's runtime, alternating;
//!
//! and the emulator's GET throughput on loopback.

use arm_emulator::{Config, Emulator, default_latencies};
use bcdr::engine::{CancelSignal, Event};
use bcdr::layout::ResourceKey;
use bcdr::model::{RoutingMethod, TrafficManager};
use bcdr::plan::{Action, Plan};
use bcdr::{ArmClient, ArmConfig, Cloud, Credential, Region, Topology, TopologyClient};
use std::collections::BTreeMap;
use std::error::Error;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

const SCALE: f64 = 0.005;
/// A second scale, for the 16-region apply only: what above the critical path is fixed, what grows.
const WIDE_SCALE: f64 = 0.01;
/// The network round trip of the refresh measured as against ARM.
const RTT: Duration = Duration::from_millis(20);
const SUB: &str = "00000000-0000-0000-0000-000000000001";
const REGIONS: [&str; 16] = [
    "eastus",
    "westus",
    "eastus2",
    "centralus",
    "northeurope",
    "westeurope",
    "uksouth",
    "ukwest",
    "canadacentral",
    "canadaeast",
    "japaneast",
    "japanwest",
    "australiaeast",
    "australiasoutheast",
    "southeastasia",
    "eastasia",
];

/// ARM runs on machines of its own: the emulator gets worker threads of its own, so its tasks never
/// wait in the SDK's scheduler queue (both still share this machine's two cores).
fn emulator_runtime() -> Result<&'static tokio::runtime::Runtime, Box<dyn Error>> {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    if let Some(rt) = RUNTIME.get() {
        return Ok(rt);
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .thread_name("arm-emulator")
        .enable_all()
        .build()?;
    if let Err(rt) = RUNTIME.set(rt) {
        // Another caller set it first; a runtime must not be dropped inside an async context.
        rt.shutdown_background();
    }
    RUNTIME
        .get()
        .ok_or_else(|| "the emulator's runtime is missing".into())
}

/// Where an emulator runs: on [`emulator_runtime`] (every figure but one), or on the caller's runtime
/// beside the SDK's tasks (measured against it, alternating).
#[derive(Clone, Copy, PartialEq)]
enum Placement {
    OwnThreads,
    Shared,
}

async fn setup(
    max_concurrency: usize,
    scale: f64,
    placement: Placement,
) -> Result<(Emulator, TopologyClient), Box<dyn Error>> {
    let config = Config {
        latency_scale: scale,
        ..Config::default()
    };
    let emulator = match placement {
        Placement::OwnThreads => emulator_runtime()?.spawn(Emulator::start(config)).await??,
        Placement::Shared => Emulator::start(config).await?,
    };
    let cloud = Cloud::custom(&emulator.endpoint(), &emulator.endpoint())?;
    let credential =
        Credential::client_secret("00000000-0000-0000-0000-00000000aaaa", "bench", "x");
    let arm = ArmClient::new(
        ArmConfig::new(SUB, cloud, credential)
            .trust_root_pem(emulator.ca_certificate_pem())
            .poll_interval_scale(scale),
    )?;
    Ok((
        emulator,
        TopologyClient::new(arm).with_max_concurrency(max_concurrency),
    ))
}

fn topology(n: usize) -> Topology {
    let t = REGIONS[..n]
        .iter()
        .enumerate()
        .fold(Topology::new("bench"), |t, (i, r)| {
            t.region(Region::new(*r, format!("10.{}.0.0/16", i + 1)))
        });
    t.traffic_manager(TrafficManager::new(RoutingMethod::Priority))
}

/// The emulated provisioning time of an operation (synchronous ones take none).
fn duration_ms(
    key: &ResourceKey,
    action: Action,
    latencies: &BTreeMap<String, u64>,
    scale: f64,
) -> f64 {
    let latency = |k: &str| latencies.get(k).copied().unwrap_or_default() as f64 * scale;
    match (key, action) {
        (_, Action::NoOp) => 0.0,
        (ResourceKey::VirtualNetwork(_), _) => latency("virtualNetwork.put"),
        (ResourceKey::PublicIp(_), _) => latency("publicIp.put"),
        (ResourceKey::ManagedCluster(_), Action::Create) => latency("managedCluster.put"),
        (ResourceKey::ManagedCluster(_), _) => latency("managedCluster.update"),
        (ResourceKey::Peering { .. }, _) => latency("peering.put"),
        _ => 0.0,
    }
}

fn long_running(key: &ResourceKey) -> bool {
    matches!(
        key,
        ResourceKey::VirtualNetwork(_)
            | ResourceKey::PublicIp(_)
            | ResourceKey::ManagedCluster(_)
            | ResourceKey::Peering { .. }
    )
}

/// The fewest operation polls ARM's protocol allows a client that polls at each resource provider's
/// usual pace ([`bcdr::arm::POLL_DEFAULTS`]: Azure sends no `Retry-After`): an operation lasting `d`
/// polled every `i` is seen to end at the `ceil(d / i)`-th poll, at the earliest. Scale-free: the
/// emulator's times and the client's pace are scaled alike.
fn minimum_polls(plan: &Plan) -> usize {
    let latencies = default_latencies();
    let pace = |namespace: &str| {
        bcdr::arm::POLL_DEFAULTS
            .iter()
            .find(|(ns, _)| *ns == namespace)
            .map_or(bcdr::arm::POLL_DEFAULT_OTHERS, |(_, d)| *d)
            .as_secs_f64()
            * 1000.0
    };
    plan.changes()
        .filter(|o| long_running(&o.key))
        .map(|o| {
            let d = duration_ms(&o.key, o.action, &latencies, 1.0);
            let namespace = match o.key {
                ResourceKey::ManagedCluster(_) => "Microsoft.ContainerService",
                _ => "Microsoft.Network",
            };
            (d / pace(namespace)).ceil().max(1.0) as usize
        })
        .sum()
}

/// The longest chain of emulated provisioning times through the plan's DAG.
fn critical_path_ms(plan: &Plan, scale: f64) -> f64 {
    let latencies = default_latencies();
    let ops = &plan.operations;
    let mut finish: Vec<Option<f64>> = vec![None; ops.len()];
    fn visit(
        i: usize,
        plan: &Plan,
        took: &dyn Fn(usize) -> f64,
        finish: &mut [Option<f64>],
    ) -> f64 {
        if let Some(f) = finish[i] {
            return f;
        }
        let start = plan.operations[i]
            .depends_on
            .iter()
            .map(|&d| visit(d, plan, took, finish))
            .fold(0.0, f64::max);
        let f = start + took(i);
        finish[i] = Some(f);
        f
    }
    let took = |i: usize| duration_ms(&ops[i].key, ops[i].action, &latencies, scale);
    (0..ops.len())
        .map(|i| visit(i, plan, &took, &mut finish))
        .fold(0.0, f64::max)
}

/// From an apply's event timeline: when the first peering write started, and the mean time a
/// peering write took beyond its emulated provisioning time.
fn peering_timings(plan: &Plan, timeline: &[(usize, bool, Duration)]) -> (f64, f64) {
    let peering = latency_ms("peering.put", SCALE);
    let mut start = vec![None; plan.operations.len()];
    let (mut first, mut over, mut count) = (f64::MAX, 0.0, 0);
    for &(i, started, at) in timeline {
        let ms = at.as_secs_f64() * 1000.0;
        if !matches!(plan.operations[i].key, ResourceKey::Peering { .. }) {
            continue;
        }
        if started {
            start[i] = Some(ms);
            first = first.min(ms);
        } else if let Some(s) = start[i] {
            over += ms - s - peering;
            count += 1;
        }
    }
    (first, over / count.max(1) as f64)
}

fn latency_ms(key: &str, scale: f64) -> f64 {
    default_latencies().get(key).copied().unwrap_or_default() as f64 * scale
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

struct Row {
    /// When the first peering write started, ms after the apply began (its VNets' 30 ms on the
    /// critical path).
    peerings_start: f64,
    /// How much longer than its emulated 50 ms a peering write took on average (its PUT and the read
    /// that saw it end, on a machine running 2N chains of them and the emulator).
    peering_overhead: f64,
    n: usize,
    resources: usize,
    wall: Duration,
    /// The fastest and the slowest of the five applies whose median is `wall`.
    fastest: Duration,
    slowest: Duration,
    critical: f64,
    sequential: Duration,
    requests: usize,
    minimum: usize,
    /// GETs: the list, the operation polls and the one read that follows each long-running PUT.
    reads: usize,
    conflicts: usize,
    refresh: Duration,
    one_get: Duration,
    net_refresh: Duration,
    net_get: Duration,
}

async fn measure(n: usize) -> Result<Row, Box<dyn Error>> {
    let t = topology(n);
    let (emulator, client) = setup(0, SCALE, Placement::OwnThreads).await?;
    let (plan, _) = client.plan(&t).await?;
    emulator.clear_requests();
    let started = Instant::now();
    let timeline: Mutex<Vec<(usize, bool, Duration)>> = Mutex::default();
    let record = |e: Event<'_>| {
        let (index, start) = match e {
            Event::Started { index, .. } => (index, true),
            Event::Finished { index, .. } => (index, false),
            _ => return,
        };
        if let Ok(mut t) = timeline.lock() {
            t.push((index, start, started.elapsed()));
        }
    };
    client.apply(&t, CancelSignal::never(), &record).await?;
    let wall = started.elapsed();
    let (peerings_start, peering_overhead) = peering_timings(&plan, &timeline.into_inner()?);
    let log = emulator.requests();
    let writes = plan.changes().count();
    let lro = plan.changes().filter(|o| long_running(&o.key)).count();
    let conflicts = log
        .iter()
        .filter(|r| {
            matches!(
                r.code.as_deref(),
                Some("AnotherOperationInProgress" | "ReferencedResourceNotProvisioned")
            )
        })
        .count();
    let reads = log.iter().filter(|r| r.method == "GET").count();
    // The wall time is the median of five applies from nothing (four more on fresh emulators): this
    // machine is shared and noisy, and one slow run must not set the figure.
    let mut walls = vec![wall];
    for _ in 0..4 {
        walls.push(Duration::from_secs_f64(
            apply_at(n, SCALE, Placement::OwnThreads).await?.0 / 1000.0,
        ));
    }
    let fastest = walls.iter().min().copied().unwrap_or_default();
    let slowest = walls.iter().max().copied().unwrap_or_default();
    let wall = median(walls);

    let mut refreshes = Vec::new();
    for _ in 0..5 {
        let t0 = Instant::now();
        client.refresh(&t).await?;
        refreshes.push(t0.elapsed());
    }
    let group = format!("/subscriptions/{SUB}/resourceGroups/rg-bench-global");
    let mut gets = Vec::new();
    for _ in 0..21 {
        let t0 = Instant::now();
        client.arm().get(&group, "2024-03-01").await?;
        gets.push(t0.elapsed());
    }
    // The same on a network: every request waits a round trip (waiting, not CPU), as against ARM.
    emulator.set_request_latency(RTT);
    let (mut net_refreshes, mut net_gets) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        let t0 = Instant::now();
        client.refresh(&t).await?;
        net_refreshes.push(t0.elapsed());
        let t0 = Instant::now();
        client.arm().get(&group, "2024-03-01").await?;
        net_gets.push(t0.elapsed());
    }
    emulator.set_request_latency(Duration::ZERO);

    let (_baseline_emulator, sequential_client) = setup(1, SCALE, Placement::OwnThreads).await?;
    let started = Instant::now();
    sequential_client
        .apply(&t, CancelSignal::never(), &|_| {})
        .await?;
    let sequential = started.elapsed();

    Ok(Row {
        peerings_start,
        peering_overhead,
        n,
        resources: plan.operations.len(),
        wall,
        fastest,
        slowest,
        critical: critical_path_ms(&plan, SCALE),
        sequential,
        requests: log.len(),
        minimum: writes + lro + minimum_polls(&plan),
        reads,
        conflicts,
        refresh: median(refreshes),
        one_get: median(gets),
        net_refresh: median(net_refreshes),
        net_get: median(net_gets),
    })
}

/// One apply of `n` regions from nothing at `scale`, the emulator placed as `placement`: (wall ms,
/// critical path ms).
async fn apply_at(
    n: usize,
    scale: f64,
    placement: Placement,
) -> Result<(f64, f64), Box<dyn Error>> {
    let t = topology(n);
    let (_emulator, client) = setup(0, scale, placement).await?;
    let (plan, _) = client.plan(&t).await?;
    let started = Instant::now();
    client.apply(&t, CancelSignal::never(), &|_| {}).await?;
    Ok((
        started.elapsed().as_secs_f64() * 1000.0,
        critical_path_ms(&plan, scale),
    ))
}

async fn get_throughput() -> Result<f64, Box<dyn Error>> {
    let (_emulator, client) = setup(0, SCALE, Placement::OwnThreads).await?;
    client
        .apply(&topology(2), CancelSignal::never(), &|_| {})
        .await?;
    let arm = client.arm().clone();
    let count = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(2);
    let group = format!("/subscriptions/{SUB}/resourceGroups/rg-bench-global");
    let tasks: Vec<_> = (0..32)
        .map(|_| {
            let (arm, count, group) = (arm.clone(), count.clone(), group.clone());
            tokio::spawn(async move {
                while Instant::now() < deadline {
                    if arm.get(&group, "2024-03-01").await.is_ok() {
                        count.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    for t in tasks {
        t.await?;
    }
    Ok(count.load(Ordering::Relaxed) as f64 / 2.0)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    println!(
        "Emulator latency model scaled 1:{:.0}; every figure below comes from this one run.\n",
        1.0 / SCALE
    );
    println!(
        "| regions | resources | apply (median of 5) | critical path | apply / critical | sequential apply | sequential / apply | ARM requests | minimum | requests / minimum | conflicts answered | no-op refresh | one GET | refresh / GET | refresh, 20 ms RTT | GET, 20 ms RTT | refresh / GET at 20 ms |"
    );
    println!(
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    let mut rows = Vec::new();
    for n in [2, 4, 8, 16] {
        let r = measure(n).await?;
        let wall_ms = r.wall.as_secs_f64() * 1000.0;
        println!(
            "| {} | {} | {:.0} ms | {:.0} ms | {:.3} | {:.0} ms | {:.1}x | {} ({} GETs) | {} | {:.2} | {} | {:.1} ms | {:.1} ms | {:.2} | {:.1} ms | {:.1} ms | {:.2} |",
            r.n,
            r.resources,
            wall_ms,
            r.critical,
            wall_ms / r.critical,
            r.sequential.as_secs_f64() * 1000.0,
            r.sequential.as_secs_f64() / r.wall.as_secs_f64(),
            r.requests,
            r.reads,
            r.minimum,
            r.requests as f64 / r.minimum as f64,
            r.conflicts,
            r.refresh.as_secs_f64() * 1000.0,
            r.one_get.as_secs_f64() * 1000.0,
            r.refresh.as_secs_f64() / r.one_get.as_secs_f64(),
            r.net_refresh.as_secs_f64() * 1000.0,
            r.net_get.as_secs_f64() * 1000.0,
            r.net_refresh.as_secs_f64() / r.net_get.as_secs_f64(),
        );
        rows.push(r);
    }
    println!(
        "\nWhere the apply's time above the critical path goes (the median apply; the timings from the first):\n\n| regions | above critical | apply / critical, fastest to slowest of 5 | first peering write starts (critical: {:.0} ms) | peering writes per VNet | mean peering write beyond its {:.0} ms |\n|---:|---:|---:|---:|---:|---:|",
        latency_ms("virtualNetwork.put", SCALE),
        latency_ms("peering.put", SCALE),
    );
    for r in &rows {
        println!(
            "| {} | {:.0} ms | {:.3} to {:.3} | {:.1} ms | {} | {:.2} ms |",
            r.n,
            r.wall.as_secs_f64() * 1000.0 - r.critical,
            r.fastest.as_secs_f64() * 1000.0 / r.critical,
            r.slowest.as_secs_f64() * 1000.0 / r.critical,
            r.peerings_start,
            2 * (r.n - 1),
            r.peering_overhead,
        );
    }
    let (wall, critical) = apply_at(16, WIDE_SCALE, Placement::OwnThreads).await?;
    println!(
        "\nThe same 16-region apply at 1:{:.0} (every provisioning time twice as long): {wall:.0} ms against a critical path of {critical:.0} ms, apply / critical {:.3}, {:.0} ms above it.",
        1.0 / WIDE_SCALE,
        wall / critical,
        wall - critical,
    );
    // Where the emulator runs, side by side: five applies each, alternating.
    let (mut own, mut shared, mut critical) = (Vec::new(), Vec::new(), 0.0);
    for _ in 0..5 {
        for (placement, walls) in [
            (Placement::OwnThreads, &mut own),
            (Placement::Shared, &mut shared),
        ] {
            let (wall, c) = apply_at(16, SCALE, placement).await?;
            walls.push(Duration::from_secs_f64(wall / 1000.0));
            critical = c;
        }
    }
    let (own, shared) = (
        median(own).as_secs_f64() * 1000.0,
        median(shared).as_secs_f64() * 1000.0,
    );
    println!(
        "\nThe 16-region apply with the emulator on threads of its own against on the SDK's runtime (five each, alternating, medians): {own:.0} ms ({:.3}) against {shared:.0} ms ({:.3}).",
        own / critical,
        shared / critical,
    );
    println!(
        "\nEmulator GET throughput (32 concurrent SDK clients, 2 s): {:.0} GETs/s",
        get_throughput().await?
    );
    Ok(())
}
