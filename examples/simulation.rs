//! The SDK at Azure's recorded latencies, on one virtual clock, side by side with the schedule users
//! run today (see BENCHMARKS.md for the results and how to read them).
//!
//! `cargo run --release --example simulation [-- --rtt-ms 100 --regions 2,4,8,16,32]`
//!
//! **What runs.** The SDK's own engine applies each topology (every region hot, full mesh, Traffic
//! Manager in front) against the ARM emulator in this process: requests go through the SDK's
//! `azure_core` pipeline to a transport that hands them to the emulator (no sockets) and waits one
//! ARM round trip (`--rtt-ms`, 100 ms by default) on tokio's clock. The runtime's clock is paused, so
//! it moves only when every task waits, straight to the next timer: minutes of Azure time take
//! seconds of wall time, and nothing is skipped (every operation is polled at its resource
//! provider's pace until the emulator says it ended; ARM's throttling buckets are on).
//!
//! **Provisioning times** (the emulator's latency table, scale 1.0), from what Azure recorded:
//! - AKS create 5.7 min, polled every 30 s: `az aks create` in the Azure CLI's recordings takes 3.5
//!   min (`azure-recordings/aks-create.json` #0-#7) to 5.7 min (the `test_aks_create_*` recordings);
//!   the longer, as a planning figure. AKS update 3 min (the CLI's `test_aks_update_*` recordings).
//! - VNet, subnet and public IP writes 5 s: `vnet-peering.json` #1-#11 find them `Succeeded` at the
//!   client's first poll, about 10 s in (so at most that; 5 s is a guess within it).
//! - Peering 10 s (`vnet-peering.json` #44-#49, the first poll at about 10 s finds it done).
//! - Resource group delete 61 s (`resource-group.json` #0-#4).
//! - Log Analytics workspace 3 s (the CLI's `test_monitor_log_analytics_workspace_default`).
//! - Role assignments, maintenance configurations, Traffic Manager: synchronous (recorded so).
//!
//! **The schedule users run today**, on the same latencies and round trip, is a *model*, not a run:
//! Terraform with hashicorp/azurerm walks the same dependency graph with at most 10 operations at
//! once (`-parallelism`, default 10: terraform's `internal/command/meta.go` `DefaultParallelism`),
//! and every `azurerm_virtual_network_peering` takes one provider-wide lock
//! (`locks.ByID("azurerm_virtual_network_peering")` in terraform-provider-azurerm's
//! `internal/services/network/virtual_network_peering_resource.go`), so a mesh's N·(N-1) peerings are
//! written one at a time. Each operation costs a PUT round trip, its provisioning time rounded up to
//! azurerm's poll interval (go-azure-sdk's pollers: 10 s when ARM sends no `Retry-After`, as it
//! mostly does not), the poll's round trip, and the read azurerm does after every create. The
//! sequential apply (wiring by hand, one resource after another) is the SDK's engine with one
//! operation at a time, run for real.
//!
//! Also per N: a failover (the primary's traffic moved to another region: one Traffic Manager
//! update) and a no-op refresh, for bcdr (run) and the model (an azurerm failover updates each
//! endpoint's priority, one resource each, 10 at a time; its refresh reads every resource, 10 at a
//! time).

use arm_emulator::{Config, Emulator, Throttle, default_latencies};
use bcdr::arm::transport::{Answer, Exchange, FnTransport, FreshTokens};
use bcdr::clock::TokioSleeper;
use bcdr::engine::CancelSignal;
use bcdr::layout::ResourceKey;
use bcdr::model::{RegionRole, RoutingMethod, TrafficManager};
use bcdr::plan::{Action, Plan};
use bcdr::{ArmClient, ArmConfig, Cloud, Credential, Region, Topology, TopologyClient};
use std::collections::{BTreeMap, VecDeque};
use std::error::Error;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

const SUB: &str = "00000000-0000-0000-0000-000000000001";
const REGIONS: [&str; 32] = [
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
    "westus2",
    "westcentralus",
    "northcentralus",
    "southcentralus",
    "westus3",
    "brazilsouth",
    "francecentral",
    "germanywestcentral",
    "norwayeast",
    "swedencentral",
    "switzerlandnorth",
    "koreacentral",
    "centralindia",
    "southafricanorth",
    "uaenorth",
    "polandcentral",
];

/// azurerm's poll interval when ARM sends no `Retry-After` (go-azure-sdk's pollers).
const AZURERM_POLL: Duration = Duration::from_secs(10);
/// Terraform's default `-parallelism`.
const TERRAFORM_PARALLELISM: usize = 10;

/// Azure's recorded provisioning times, in ms (see the module's documentation for each source).
fn recorded_latencies() -> BTreeMap<String, u64> {
    let mut l = default_latencies();
    for (key, ms) in [
        ("managedCluster.put", 342_000),
        ("managedCluster.update", 180_000),
        ("virtualNetwork.put", 5_000),
        ("subnet.put", 5_000),
        ("publicIp.put", 5_000),
        ("peering.put", 10_000),
        ("resourceGroup.delete", 61_000),
        ("workspace.put", 3_000),
    ] {
        l.insert(key.to_owned(), ms);
    }
    l
}

/// What the transport saw: the lowest remaining budget ARM reported per bucket (its header name).
#[derive(Debug, Default)]
struct Seen {
    lowest: BTreeMap<String, u64>,
}

struct Sim {
    emulator: Arc<Emulator>,
    seen: Arc<Mutex<Seen>>,
    client: TopologyClient,
}

async fn sim(rtt: Duration) -> Result<Sim, Box<dyn Error>> {
    let emulator = Arc::new(Emulator::in_process(Config {
        latency_scale: 1.0,
        latencies: recorded_latencies(),
        throttle: Some(Throttle::default()),
        ..Config::default()
    })?);
    let seen = Arc::new(Mutex::new(Seen::default()));
    let (to, record) = (emulator.clone(), seen.clone());
    // Each request to the emulator in this process, after one ARM round trip on tokio's clock;
    // the budgets ARM reports are noted on the way back.
    let transport = Arc::new(FnTransport::new(
        move |x: Exchange| {
            let (to, record) = (to.clone(), record.clone());
            Box::pin(async move {
                let a = to.handle(&x.method, &x.url, &x.headers, x.body).await;
                let mut seen = record.lock().unwrap_or_else(|e| e.into_inner());
                for (name, value) in &a.headers {
                    if let Some(bucket) = name.strip_prefix("x-ms-ratelimit-remaining-")
                        && let Ok(left) = value.parse::<u64>()
                    {
                        let low = seen.lowest.entry(bucket.to_owned()).or_insert(left);
                        *low = (*low).min(left);
                    }
                }
                Answer {
                    status: a.status,
                    headers: a.headers,
                    body: a.body,
                }
            }) as futures::future::BoxFuture<'static, Answer>
        },
        rtt,
        Arc::new(TokioSleeper),
    ));
    let endpoint = "https://management.azure.invalid";
    let cloud = Cloud::custom(endpoint, "https://login.azure.invalid")?;
    let arm = ArmClient::new(
        ArmConfig::new(
            SUB,
            cloud,
            Credential::Custom({
                let issuer = emulator.clone();
                // Tokens on the virtual clock: one per request (see `FreshTokens`).
                Arc::new(FreshTokens::new(move || issuer.issue_token()))
            }),
        )
        .sleeper(Arc::new(TokioSleeper))
        .transport(transport),
    )?;
    Ok(Sim {
        emulator,
        seen,
        client: TopologyClient::new(arm),
    })
}

fn topology(n: usize) -> Topology {
    let t = REGIONS[..n]
        .iter()
        .enumerate()
        .fold(Topology::new("sim"), |t, (i, r)| {
            let region = Region::new(*r, format!("10.{}.0.0/16", i + 1));
            t.region(if i == 0 {
                region.role(RegionRole::Primary)
            } else {
                region
            })
        });
    t.traffic_manager(TrafficManager::new(RoutingMethod::Priority))
}

/// A plan operation's provisioning time on the recorded latencies (synchronous ones take none).
fn provisioning(key: &ResourceKey, action: Action, l: &BTreeMap<String, u64>) -> Duration {
    let ms = |k: &str| Duration::from_millis(l.get(k).copied().unwrap_or_default());
    match (key, action) {
        (_, Action::NoOp) => Duration::ZERO,
        (ResourceKey::VirtualNetwork(_), _) => ms("virtualNetwork.put"),
        (ResourceKey::PublicIp(_), _) => ms("publicIp.put"),
        (ResourceKey::LogWorkspace(_), _) => ms("workspace.put"),
        (ResourceKey::ManagedCluster(_), Action::Create) => ms("managedCluster.put"),
        (ResourceKey::ManagedCluster(_), _) => ms("managedCluster.update"),
        (ResourceKey::Peering { .. }, _) => ms("peering.put"),
        _ => Duration::ZERO,
    }
}

/// The longest chain of provisioning times through the plan's DAG: no schedule can beat it.
fn critical_path(plan: &Plan, l: &BTreeMap<String, u64>) -> Duration {
    let ops = &plan.operations;
    let mut finish: Vec<Option<Duration>> = vec![None; ops.len()];
    fn visit(
        i: usize,
        plan: &Plan,
        took: &dyn Fn(usize) -> Duration,
        f: &mut [Option<Duration>],
    ) -> Duration {
        if let Some(d) = f[i] {
            return d;
        }
        let start = plan.operations[i]
            .depends_on
            .iter()
            .map(|&d| visit(d, plan, took, f))
            .max()
            .unwrap_or_default();
        let end = start + took(i);
        f[i] = Some(end);
        end
    }
    let took = |i: usize| provisioning(&ops[i].key, ops[i].action, l);
    (0..ops.len())
        .map(|i| visit(i, plan, &took, &mut finish))
        .max()
        .unwrap_or_default()
}

/// The fewest requests ARM's protocol allows the SDK's polling: one write per change; per
/// long-running one, `ceil(duration / pace)` polls at its resource provider's usual pace and one
/// read of the result; one list of the groups to observe.
fn minimum_requests(plan: &Plan, l: &BTreeMap<String, u64>) -> usize {
    let pace = |ns: &str| {
        bcdr::arm::POLL_DEFAULTS
            .iter()
            .find(|(n, _)| *n == ns)
            .map_or(bcdr::arm::POLL_DEFAULT_OTHERS, |(_, d)| *d)
    };
    let polls: usize = plan
        .changes()
        .map(|o| {
            let d = provisioning(&o.key, o.action, l);
            if d.is_zero() {
                return 0;
            }
            let (ns, read) = match o.key {
                ResourceKey::ManagedCluster(_) => ("Microsoft.ContainerService", 1),
                // Its create answers 201 with `Location` the workspace itself: the poll that
                // finds it `Succeeded` is the read.
                ResourceKey::LogWorkspace(_) => ("Microsoft.OperationalInsights", 0),
                _ => ("Microsoft.Network", 1),
            };
            (d.as_secs_f64() / pace(ns).as_secs_f64()).ceil().max(1.0) as usize + read
        })
        .sum();
    plan.changes().count() + polls + 1
}

/// Terraform + azurerm's schedule for `plan`'s operations (a model: see the module documentation):
/// the same DAG, at most [`TERRAFORM_PARALLELISM`] at once, peerings one at a time, each operation a
/// PUT round trip, its provisioning time rounded up to azurerm's poll interval plus the poll's round
/// trip, and a read after every create. Ready operations take free slots first come, first served.
fn azurerm_model(plan: &Plan, l: &BTreeMap<String, u64>, rtt: Duration) -> Duration {
    let ops: Vec<_> = plan
        .operations
        .iter()
        .filter(|o| o.action != Action::NoOp)
        .collect();
    let index: BTreeMap<usize, usize> = plan
        .operations
        .iter()
        .enumerate()
        .filter(|(_, o)| o.action != Action::NoOp)
        .enumerate()
        .map(|(new, (old, _))| (old, new))
        .collect();
    let deps: Vec<Vec<usize>> = plan
        .operations
        .iter()
        .filter(|o| o.action != Action::NoOp)
        .map(|o| {
            o.depends_on
                .iter()
                .filter_map(|d| index.get(d).copied())
                .collect()
        })
        .collect();
    let took = |i: usize| {
        let d = provisioning(&ops[i].key, ops[i].action, l);
        let polled = if d.is_zero() {
            Duration::ZERO
        } else {
            AZURERM_POLL * (d.as_secs_f64() / AZURERM_POLL.as_secs_f64()).ceil() as u32 + rtt
        };
        let read = if ops[i].action == Action::Create {
            rtt
        } else {
            Duration::ZERO
        };
        rtt + polled + read
    };
    let peering = |i: usize| matches!(ops[i].key, ResourceKey::Peering { .. });
    let n = ops.len();
    let mut done: Vec<Option<Duration>> = vec![None; n];
    let mut started = vec![false; n];
    let mut running: Vec<(Duration, usize)> = Vec::new();
    let mut ready: VecDeque<usize> = VecDeque::new();
    let mut now = Duration::ZERO;
    let mut lock_held = false;
    loop {
        for i in 0..n {
            if !started[i] && !ready.contains(&i) && deps[i].iter().all(|&d| done[d].is_some()) {
                ready.push_back(i);
            }
        }
        // Fill free slots, first come first served; a peering waits while another holds the lock.
        let mut waiting = VecDeque::new();
        while running.len() < TERRAFORM_PARALLELISM {
            let Some(i) = ready.pop_front() else { break };
            if peering(i) && lock_held {
                waiting.push_back(i);
                continue;
            }
            lock_held |= peering(i);
            started[i] = true;
            running.push((now + took(i), i));
        }
        waiting.extend(ready.drain(..));
        ready = waiting;
        let Some(&(end, _)) = running.iter().min_by_key(|(e, _)| *e) else {
            break;
        };
        now = end;
        running.retain(|&(e, i)| {
            if e == end {
                done[i] = Some(end);
                if peering(i) {
                    lock_held = false;
                }
                false
            } else {
                true
            }
        });
    }
    now
}

/// The model's no-op refresh (`terraform plan`: a read of every resource, 10 at a time) and failover
/// (`terraform apply`: that refresh, then one endpoint priority update per region, 10 at a time, each
/// a synchronous PUT).
fn azurerm_failover_and_refresh(
    plan: &Plan,
    regions: usize,
    rtt: Duration,
) -> (Duration, Duration) {
    let waves = |count: usize| rtt * count.div_ceil(TERRAFORM_PARALLELISM) as u32;
    let refresh = waves(plan.operations.len());
    (refresh + waves(regions), refresh)
}

struct Row {
    n: usize,
    resources: usize,
    apply: Duration,
    critical: Duration,
    sequential: Duration,
    azurerm: Duration,
    requests: usize,
    minimum: usize,
    throttled: usize,
    lowest: BTreeMap<String, u64>,
    failover: Duration,
    refresh: Duration,
    azurerm_failover: Duration,
    azurerm_refresh: Duration,
    wall: std::time::Duration,
}

/// The SDK's apply without its validation (the topology's limit is 16 regions; the engine's
/// schedule is measured beyond it): observe, plan (upgrades rolled), execute. Its virtual duration,
/// the plan, and whether every operation succeeded.
async fn apply(
    client: &TopologyClient,
    t: &Topology,
    max_concurrency: usize,
) -> Result<(Duration, Plan), Box<dyn Error>> {
    let started = Instant::now();
    let observed = client.observe(t).await?;
    let mut plan = bcdr::plan::plan(&bcdr::layout::desired(t, SUB), &observed);
    bcdr::plan::roll_upgrades(&mut plan, &bcdr::plan::upgrade_waves(t));
    let mut options = bcdr::engine::Options::default();
    options.max_concurrency = max_concurrency;
    let report =
        bcdr::engine::execute(client.arm(), &plan, options, CancelSignal::never(), &|_| {}).await;
    if !report.is_success() {
        return Err(format!("the apply failed: {:?}", report.first_error()).into());
    }
    Ok((started.elapsed(), plan))
}

async fn measure(n: usize, rtt: Duration) -> Result<Row, Box<dyn Error>> {
    let wall = std::time::Instant::now();
    let l = recorded_latencies();
    let t = topology(n);
    let s = sim(rtt).await?;
    let (apply_time, plan) = apply(&s.client, &t, 0).await?;
    // ARM's requests as the emulator logged them (token requests are Entra's, not counted).
    let log = s.emulator.requests();
    let requests = log.len();
    let throttled = log.iter().filter(|r| r.status == 429).count();
    let lowest = s
        .seen
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .lowest
        .clone();
    // Failover: the primary's traffic goes to the second region.
    let moved = bcdr::failover::switched(&t, REGIONS[0], REGIONS[1])?;
    let (failover, _) = apply(&s.client, &moved, 0).await?;
    let started = Instant::now();
    s.client.refresh(&moved).await?;
    let refresh = started.elapsed();

    let seq = sim(rtt).await?;
    let (sequential, _) = apply(&seq.client, &t, 1).await?;

    let (azurerm_failover, azurerm_refresh) = azurerm_failover_and_refresh(&plan, n, rtt);
    Ok(Row {
        n,
        resources: plan.operations.len(),
        apply: apply_time,
        critical: critical_path(&plan, &l),
        sequential,
        azurerm: azurerm_model(&plan, &l, rtt),
        requests,
        minimum: minimum_requests(&plan, &l),
        throttled,
        lowest,
        failover,
        refresh,
        azurerm_failover,
        azurerm_refresh,
        wall: wall.elapsed(),
    })
}

fn min(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() / 60.0)
}

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1).cloned())
    };
    let rtt = Duration::from_millis(arg("--rtt-ms").map_or(Ok(100), |v| v.parse())?);
    let sizes: Vec<usize> = arg("--regions")
        .unwrap_or_else(|| "2,4,8,16,32".into())
        .split(',')
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    if sizes.iter().any(|&n| n < 2 || n > REGIONS.len()) {
        return Err(format!("--regions: each between 2 and {}", REGIONS.len()).into());
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()?;
    let rows: Vec<Row> = runtime.block_on(async {
        // Every timer of the SDK and the emulator on tokio's clock, paused: it advances when all
        // tasks wait, to the next timer.
        arm_emulator::use_tokio_clock();
        let mut rows = Vec::new();
        for &n in &sizes {
            rows.push(measure(n, rtt).await?);
        }
        Ok::<_, Box<dyn Error>>(rows)
    })?;
    println!(
        "ARM round trip {} ms; Azure's recorded provisioning times; minutes of virtual time\n",
        rtt.as_millis()
    );
    println!("Stand up a full mesh (every region hot, Traffic Manager):\n");
    println!(
        "| regions | resources | critical path | bcdr | bcdr / critical | azurerm model | sequential |"
    );
    println!("|---|---|---|---|---|---|---|");
    for r in &rows {
        println!(
            "| {} | {} | {} | {} | {:.3} | {} | {} |",
            r.n,
            r.resources,
            min(r.critical),
            min(r.apply),
            r.apply.as_secs_f64() / r.critical.as_secs_f64(),
            min(r.azurerm),
            min(r.sequential)
        );
    }
    println!("\nRequests and ARM's throttling (the bcdr apply):\n");
    println!(
        "| regions | requests | minimum | requests / minimum | 429s | lowest budget left, by bucket |"
    );
    println!("|---|---|---|---|---|---|");
    for r in &rows {
        let buckets: Vec<String> = r
            .lowest
            .iter()
            .map(|(b, left)| format!("{} {left}", b.trim_start_matches("subscription-")))
            .collect();
        println!(
            "| {} | {} | {} | {:.2} | {} | {} |",
            r.n,
            r.requests,
            r.minimum,
            r.requests as f64 / r.minimum as f64,
            r.throttled,
            buckets.join(", ")
        );
    }
    println!("\nFailover (traffic to another region) and a no-op refresh, seconds:\n");
    println!(
        "| regions | bcdr failover | azurerm failover (model) | bcdr refresh | azurerm refresh (model) | wall time of the row |"
    );
    println!("|---|---|---|---|---|---|");
    for r in &rows {
        println!(
            "| {} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} s |",
            r.n,
            r.failover.as_secs_f64(),
            r.azurerm_failover.as_secs_f64(),
            r.refresh.as_secs_f64(),
            r.azurerm_refresh.as_secs_f64(),
            r.wall.as_secs_f64()
        );
    }
    Ok(())
}
