//! Reliability under systematic failure, through real Terraform against the emulator: a failure never
//! costs the user their topology. A three-region topology (a hot primary, a warm and a cold region,
//! Traffic Manager, a registry, backups) is applied from nothing while
//!
//! - the apply is killed after its k-th ARM write has been answered (kill points counted in the
//!   emulator's request log, not in wall time): Terraform's whole process group (a Terraform crash),
//!   the provider process alone (a provider crash), or Ctrl-C sent to the group;
//! - the emulator fails requests at random on a seeded schedule (chaos), or throttles on tight buckets;
//! - or, after a successful apply, the state is lost (`terraform.tfstate` deleted) or damaged
//!   (truncated or corrupted: Terraform refuses it, and the user restores `terraform.tfstate.backup`,
//!   as Terraform's own advice goes).
//!
//! Every trial then recovers with at most two `terraform apply` runs and asserts: the plan after them
//! is empty; the emulator holds exactly the resources a clean apply makes (none duplicated, none
//! missing); no recovery apply deleted a resource the configuration keeps, and none planned a
//! replacement; `terraform destroy` leaves nothing (no orphan); no provider process outlives its
//! Terraform.
//!
//! Bounded by default (Terraform 1.0.3; three kill points of each kind, two chaos seeds, one throttle
//! schedule, loss and damage). `BCDR_RELIABILITY=full` runs every kill point of each kind, 40 chaos
//! seeds and several throttle schedules on every Terraform (`terraform::each()`). A summary line per
//! category goes to stderr.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use arm_emulator::{Chaos, Config, Throttle};
use support::{Harness, log, terraform};

/// A hot primary, a warm and a cold region behind Traffic Manager, a registry, backups.
const TOPOLOGY: &str = r#"
resource "bcdr_topology" "dr" {
  name = "rely"

  region "eastus" {
    vnet_cidr = "10.1.0.0/16"
    role      = "primary"
  }

  region "westus" {
    vnet_cidr  = "10.2.0.0/16"
    mode       = "warm"
    node_count = 1
  }

  region "centralus" {
    vnet_cidr = "10.3.0.0/16"
    mode      = "cold"
  }

  traffic_manager {
    routing_method = "Priority"
  }

  registry {}

  backup {}
}
"#;

/// How long a kill point may take to come, and Terraform to exit after a kill.
const KILL_POINT_WAIT: Duration = Duration::from_secs(90);
const EXIT_WAIT: Duration = Duration::from_secs(30);
/// The provider exits within a second when its Terraform is gone.
const ORPHAN_WAIT: Duration = Duration::from_secs(3);

fn full() -> bool {
    std::env::var("BCDR_RELIABILITY").is_ok_and(|v| v.eq_ignore_ascii_case("full"))
}

/// The Terraforms a run covers: 1.0.3, and in full mode the newer one on PATH too.
fn terraforms() -> Vec<(PathBuf, String)> {
    if full() {
        terraform::each()
    } else {
        vec![(terraform::terraform_1_0_3(), "1.0.3".to_owned())]
    }
}

fn emulator_config() -> Config {
    Config {
        latency_scale: 0.0005,
        ..Config::default()
    }
}

// ---------------------------------------------------------------------------------------------
// The clean apply every trial is measured against.

/// What one clean apply from nothing does: its ARM writes and the resources it leaves.
#[derive(Debug)]
struct Reference {
    writes: usize,
    ids: BTreeSet<String>,
}

/// The clean apply on `tf`, run once per Terraform however many tests ask.
async fn reference(tf: &Path, version: &str) -> Arc<Reference> {
    type Cells = std::collections::HashMap<String, Arc<tokio::sync::OnceCell<Arc<Reference>>>>;
    static CELLS: std::sync::Mutex<Option<Cells>> = std::sync::Mutex::new(None);
    let cell = CELLS
        .lock()
        .expect("reference cells")
        .get_or_insert_with(Default::default)
        .entry(version.to_owned())
        .or_default()
        .clone();
    cell.get_or_init(|| async {
        let h =
            Harness::with_emulator(tf, &format!("rel-{version}-clean"), emulator_config()).await;
        h.config(TOPOLOGY);
        let started = Instant::now();
        h.tf_ok(&["apply", "-auto-approve"]).await;
        let took = started.elapsed();
        let writes = h.writes().len();
        let ids = ids(&h);
        let (code, plan) = h.plan_code().await;
        assert_eq!(code, 0, "a clean apply converges:\n{}", plan.all());
        h.tf_ok(&["destroy", "-auto-approve"]).await;
        assert!(
            h.emulator.resource_ids().is_empty(),
            "a clean destroy leaves nothing: {:?}",
            h.emulator.resource_ids()
        );
        log(&format!(
            "[reliability] {version} clean apply: {writes} ARM writes, {} resources, {took:.2?}",
            ids.len()
        ));
        assert!(writes >= 20, "a three-region topology: {writes} writes");
        remove(h);
        Arc::new(Reference { writes, ids })
    })
    .await
    .clone()
}

fn ids(h: &Harness) -> BTreeSet<String> {
    h.emulator
        .resource_ids()
        .into_iter()
        .map(|id| id.to_ascii_lowercase())
        .collect()
}

/// Drops the harness (its emulator stops) and removes its working directory.
fn remove(h: Harness) {
    let dir = h.dir.clone();
    drop(h);
    let _ = std::fs::remove_dir_all(dir);
}

// ---------------------------------------------------------------------------------------------
// Trials.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kill {
    /// SIGKILL to Terraform's process group: Terraform and its provider die at once.
    Terraform,
    /// SIGKILL to the provider process alone: Terraform sees its plugin crash.
    Provider,
    /// SIGINT to the process group, as a terminal's Ctrl-C: Terraform stops the provider.
    Interrupt,
}

impl Kill {
    const ALL: [Kill; 3] = [Kill::Terraform, Kill::Provider, Kill::Interrupt];

    fn category(self) -> &'static str {
        match self {
            Kill::Terraform => "terraform killed",
            Kill::Provider => "provider killed",
            Kill::Interrupt => "Ctrl-C",
        }
    }

    fn short(self) -> &'static str {
        match self {
            Kill::Terraform => "tfkill",
            Kill::Provider => "provkill",
            Kill::Interrupt => "ctrlc",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Damage {
    /// `terraform.tfstate` deleted.
    Lost,
    /// `terraform.tfstate` cut in half.
    Truncated,
    /// Bytes in the middle of `terraform.tfstate` overwritten.
    Corrupted,
}

/// What goes wrong in a trial.
#[derive(Debug, Clone, Copy)]
enum Disruption {
    /// The first apply is killed once its `at`-th ARM write has been answered.
    Kill { kind: Kill, at: usize },
    /// Every apply runs under the emulator's schedule (chaos, throttling), the first from nothing.
    Schedule,
    /// After a successful apply, the state is lost or damaged.
    State(Damage),
}

/// One trial's findings.
#[derive(Debug, Default)]
struct Findings {
    /// The recovery applies it took to converge (`None`: not within two).
    converged: Option<usize>,
    /// Resources after recovery that the clean apply does not make (duplicates), and the reverse.
    extra: Vec<String>,
    missing: Vec<String>,
    /// Resources left after `terraform destroy`.
    orphans: Vec<String>,
    /// DELETE requests a recovery apply sent to a resource the configuration keeps.
    deleted_kept: Vec<String>,
    /// Anything else that went wrong (a plan that replaces, a provider left running, ...).
    problems: Vec<String>,
}

/// The tally of a category.
#[derive(Debug, Default)]
struct Tally {
    trials: usize,
    in_one: usize,
    in_two: usize,
    duplicated: usize,
    orphaned: usize,
    deleted_kept: usize,
    failures: Vec<String>,
}

impl Tally {
    fn add(&mut self, category: &str, point: &str, dir: &Path, f: &Findings) {
        self.trials += 1;
        match f.converged {
            Some(0 | 1) => self.in_one += 1,
            Some(2) => self.in_two += 1,
            _ => {}
        }
        self.duplicated += f.extra.len();
        self.orphaned += f.orphans.len();
        self.deleted_kept += f.deleted_kept.len();
        let mut found = Vec::new();
        if f.converged.is_none() {
            found.push("did not converge within two applies".to_owned());
        }
        if !f.extra.is_empty() {
            found.push(format!(
                "duplicated (not in the clean apply): {:?}",
                f.extra
            ));
        }
        if !f.missing.is_empty() {
            found.push(format!(
                "missing (made by the clean apply): {:?}",
                f.missing
            ));
        }
        if !f.deleted_kept.is_empty() {
            found.push(format!(
                "a recovery apply deleted resources the configuration keeps: {:?}",
                f.deleted_kept
            ));
        }
        if !f.orphans.is_empty() {
            found.push(format!("orphaned after destroy: {:?}", f.orphans));
        }
        found.extend(f.problems.iter().cloned());
        if !found.is_empty() {
            self.failures.push(format!(
                "{category}, {point} (work dir kept: {}):\n  {}",
                dir.display(),
                found.join("\n  ")
            ));
        }
    }

    fn summary(&self, version: &str, category: &str) {
        log(&format!(
            "[reliability] {version} {category}: {} trials, converged in 1 apply: {}, in 2: {}, \
             duplicated: {}, orphaned: {}, kept resources deleted: {}, failed trials: {}",
            self.trials,
            self.in_one,
            self.in_two,
            self.duplicated,
            self.orphaned,
            self.deleted_kept,
            self.failures.len()
        ));
    }
}

/// The trials on one Terraform, against its clean apply.
#[derive(Debug)]
struct Suite {
    tf: PathBuf,
    version: String,
    reference: Arc<Reference>,
}

impl Suite {
    async fn new(tf: PathBuf, version: String) -> Self {
        let reference = reference(&tf, &version).await;
        Self {
            tf,
            version,
            reference,
        }
    }

    /// Runs one trial in a working directory and emulator of its own; removes them unless it
    /// failed.
    async fn trial(
        &self,
        category: &str,
        point: &str,
        config: Config,
        disruption: Disruption,
        tally: &mut Tally,
    ) {
        let (tf, version, reference) = (&self.tf, &self.version, &self.reference);
        let label = format!(
            "rel-{version}-{}",
            point.replace(|c: char| !c.is_ascii_alphanumeric(), "")
        );
        let h = Harness::with_emulator(tf, &label, config).await;
        h.config(TOPOLOGY);
        let mut f = Findings::default();
        disrupt(&h, disruption, &mut f).await;
        recover(&h, reference, &mut f).await;
        destroy(&h, &mut f).await;
        leftover_providers(&h, &mut f).await;
        let failed = f.converged.is_none()
            || !f.extra.is_empty()
            || !f.missing.is_empty()
            || !f.orphans.is_empty()
            || !f.deleted_kept.is_empty()
            || !f.problems.is_empty();
        tally.add(category, point, &h.dir, &f);
        if failed {
            log(&format!(
                "[reliability] {version} {category} {point}: FAILED: {f:?}"
            ));
        } else {
            remove(h);
        }
    }
}

async fn disrupt(h: &Harness, disruption: Disruption, f: &mut Findings) {
    match disruption {
        Disruption::Kill { kind, at } => kill_at(h, kind, at, f).await,
        // The applies under the schedule are the recovery's: the first of them from nothing.
        Disruption::Schedule => {}
        Disruption::State(damage) => {
            // A damaged state is restored from the backup Terraform keeps of the state it last
            // replaced: a topology applied twice (West US at two nodes, then at one) has one, a
            // state one apply old.
            let mut configs = vec![TOPOLOGY.to_owned()];
            if damage != Damage::Lost {
                configs.insert(0, TOPOLOGY.replace("node_count = 1", "node_count = 2"));
            }
            for config in &configs {
                h.config(config);
                let out = h.tf(&["apply", "-auto-approve"]).await;
                if out.code != 0 {
                    f.problems.push(format!(
                        "the apply before the state loss failed:\n{}",
                        tail(&out.all())
                    ));
                    return;
                }
            }
            let state = h.dir.join("terraform.tfstate");
            let backup = h.dir.join("terraform.tfstate.backup");
            match damage {
                Damage::Lost => std::fs::remove_file(&state).expect("delete the state"),
                Damage::Truncated | Damage::Corrupted => {
                    let mut bytes = std::fs::read(&state).expect("read the state");
                    if damage == Damage::Truncated {
                        bytes.truncate(bytes.len() / 2);
                    } else {
                        let mid = bytes.len() / 2;
                        let end = (mid + 64).min(bytes.len());
                        bytes[mid..end].fill(0);
                    }
                    std::fs::write(&state, bytes).expect("damage the state");
                    // Terraform refuses the damaged state: nothing runs on it.
                    let out = h.tf(&["plan"]).await;
                    if out.code == 0 || !out.all().contains("Unsupported state file format") {
                        f.problems.push(format!(
                            "Terraform did not refuse the {damage:?} state (exit {}):\n{}",
                            out.code,
                            tail(&out.all())
                        ));
                    }
                    // What a user does: put the last backup back (Terraform keeps the state it
                    // replaced), or, without one, start from no state.
                    let refusal = out
                        .all()
                        .lines()
                        .find(|l| l.contains("Unsupported state file format"))
                        .unwrap_or_default()
                        .trim()
                        .to_owned();
                    let action = if backup.is_file() {
                        std::fs::copy(&backup, &state).expect("restore the backup");
                        let text = std::fs::read_to_string(&backup).unwrap_or_default();
                        let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
                        format!(
                            "restored terraform.tfstate.backup (serial {}, {} resources)",
                            v["serial"],
                            v["resources"].as_array().map_or(0, Vec::len)
                        )
                    } else {
                        std::fs::remove_file(&state).expect("delete the state");
                        "no backup: deleted it".to_owned()
                    };
                    log(&format!(
                        "[{}] state {damage:?}: terraform refused it ({refusal}); {action}",
                        h.label
                    ));
                }
            }
        }
    }
}

/// Starts `terraform apply`, waits until the emulator has answered its `at`-th ARM write, and kills
/// it as `kind` says; then waits for Terraform to exit (reaping it) and for its providers to go.
async fn kill_at(h: &Harness, kind: Kill, at: usize, f: &mut Findings) {
    let child = h.spawn(&["apply", "-auto-approve"]);
    let pid = child.id();
    let mut waiter = tokio::task::spawn_blocking(move || child.wait_with_output());
    let started = Instant::now();
    let mut reached = false;
    while started.elapsed() < KILL_POINT_WAIT && !waiter.is_finished() {
        if h.writes().len() >= at {
            reached = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    if !reached {
        if waiter.is_finished() {
            f.problems.push(format!(
                "the apply ended before its write #{at} ({} writes)",
                h.writes().len()
            ));
        } else {
            f.problems.push(format!(
                "write #{at} not answered within {KILL_POINT_WAIT:?} ({} writes)",
                h.writes().len()
            ));
            signal("-KILL", &format!("-{pid}"));
        }
    } else {
        match kind {
            Kill::Terraform => signal("-KILL", &format!("-{pid}")),
            Kill::Interrupt => signal("-INT", &format!("-{pid}")),
            Kill::Provider => {
                let providers = group_providers(pid);
                for p in &providers {
                    signal("-KILL", &p.pid.to_string());
                }
                if providers.is_empty() && !waiter.is_finished() {
                    f.problems.push(format!(
                        "no provider process under terraform {pid} at write #{at}"
                    ));
                }
                // The leftover check finds providers by their working directory: it must be this.
                let dir = std::fs::canonicalize(&h.dir).unwrap_or_else(|_| h.dir.clone());
                if providers
                    .iter()
                    .any(|p| p.cwd.as_deref() != Some(dir.as_path()))
                {
                    f.problems.push(format!(
                        "the harness cannot tell this trial's providers by directory: {providers:?}"
                    ));
                }
            }
        }
    }
    let killed = Instant::now();
    let out = match tokio::time::timeout(EXIT_WAIT, &mut waiter).await {
        Ok(done) => Some(done.expect("join").expect("terraform exits")),
        Err(_) => {
            f.problems.push(format!(
                "terraform did not exit within {EXIT_WAIT:?} of the {kind:?} kill at write #{at}"
            ));
            signal("-KILL", &format!("-{pid}"));
            waiter.await.expect("join").ok()
        }
    };
    let exited = killed.elapsed();
    let code = out.as_ref().and_then(|o| o.status.code());
    let all = out.map_or_else(String::new, |out| {
        format!(
            "{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    if all.contains("panic:") {
        f.problems.push(format!(
            "terraform panicked after the kill:\n{}",
            tail(&all)
        ));
    }
    let error = all
        .lines()
        .find(|l| l.contains("Error: "))
        .unwrap_or_default()
        .trim()
        .to_owned();
    log(&format!(
        "[{}] terraform apply {} at write #{at} -> exit {code:?} {exited:.2?} after ({error}); \
         {} writes, {} resources, {} in the state",
        h.label,
        kind.category(),
        h.writes().len(),
        h.emulator.resource_ids().len(),
        state_resources(h)
    ));
    leftover_providers(h, f).await;
}

/// Up to two `terraform apply` runs, each followed by `terraform plan -detailed-exitcode`; records
/// the DELETE requests to kept resources, replacements planned, and what exists afterwards.
async fn recover(h: &Harness, reference: &Reference, f: &mut Findings) {
    h.emulator.clear_requests();
    for run in 1..=2 {
        let out = h.tf(&["apply", "-auto-approve"]).await;
        replacement(&out.all(), &format!("recovery apply {run}"), f);
        let plan = h.tf(&["plan", "-detailed-exitcode"]).await;
        replacement(
            &plan.all(),
            &format!("the plan after recovery apply {run}"),
            f,
        );
        if out.code == 0 && plan.code == 0 {
            f.converged = Some(run);
            break;
        }
        if run == 2 {
            f.problems.push(format!(
                "after two recovery applies (the last exit {}), the plan (exit {}):\n{}\n{}",
                out.code,
                plan.code,
                tail(&out.all()),
                tail(&plan.all())
            ));
        }
    }
    f.deleted_kept = deletes_of(&reference.ids, &h.emulator.requests());
    let served = h.emulator.requests();
    let refused = |status: &[u16]| served.iter().filter(|r| status.contains(&r.status)).count();
    log(&format!(
        "[{}] recovery: {} ARM requests, {} answered 500/503, {} answered 429",
        h.label,
        served.len(),
        refused(&[500, 503]),
        refused(&[429])
    ));
    let now = ids(h);
    f.extra = now.difference(&reference.ids).cloned().collect();
    f.missing = reference.ids.difference(&now).cloned().collect();
}

/// The DELETE requests in `log` to a resource of `kept` (or to a parent of one: a group).
fn deletes_of(kept: &BTreeSet<String>, log: &[arm_emulator::LogEntry]) -> Vec<String> {
    log.iter()
        .filter(|r| r.method == "DELETE")
        .filter(|r| {
            let path = r.path.to_ascii_lowercase();
            let parent = format!("{path}/");
            kept.iter().any(|id| *id == path || id.starts_with(&parent))
        })
        .map(|r| format!("DELETE {} -> {}", r.path, r.status))
        .collect()
}

/// `terraform destroy` (a second one if the first fails: chaos may outlast the retries), then what
/// the emulator still holds. The destroy's DELETEs are the check that [`deletes_of`] sees deletes.
async fn destroy(h: &Harness, f: &mut Findings) {
    let existing = ids(h);
    h.emulator.clear_requests();
    for run in 1..=2 {
        let out = h.tf(&["destroy", "-auto-approve"]).await;
        if out.code == 0 {
            break;
        }
        if run == 2 {
            f.problems.push(format!(
                "terraform destroy failed twice:\n{}",
                tail(&out.all())
            ));
        }
    }
    f.orphans = h.emulator.resource_ids();
    if !existing.is_empty() && deletes_of(&existing, &h.emulator.requests()).is_empty() {
        f.problems.push(format!(
            "the harness saw none of the destroy's DELETEs as deletes of what existed: {:?}",
            h.emulator.requests()
        ));
    }
}

/// How many resources `terraform.tfstate` holds (0 without one).
fn state_resources(h: &Harness) -> usize {
    let text = std::fs::read_to_string(h.dir.join("terraform.tfstate")).unwrap_or_default();
    serde_json::from_str::<serde_json::Value>(&text).unwrap_or_default()["resources"]
        .as_array()
        .map_or(0, Vec::len)
}

fn replacement(text: &str, what: &str, f: &mut Findings) {
    if text.contains("must be replaced") || text.contains("tainted") {
        f.problems
            .push(format!("{what} plans a replacement:\n{}", tail(text)));
    }
}

/// The last 4000 characters of a Terraform output.
fn tail(text: &str) -> String {
    let start = text.char_indices().rev().nth(4000).map_or(0, |(i, _)| i);
    text[start..].to_owned()
}

// ---------------------------------------------------------------------------------------------
// Processes.

fn signal(sig: &str, target: &str) {
    let _ = std::process::Command::new("kill")
        .args([sig, "--", target])
        .stderr(std::process::Stdio::null())
        .status();
}

/// A provider process: `terraform-provider-bcdr...` as its program.
#[derive(Debug)]
struct ProviderProcess {
    pid: u32,
    ppid: u32,
    pgrp: u32,
    cwd: Option<PathBuf>,
}

fn provider_processes() -> Vec<ProviderProcess> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return out;
    };
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(cmdline) = std::fs::read(format!("/proc/{pid}/cmdline")) else {
            continue;
        };
        let program = cmdline.split(|b| *b == 0).next().unwrap_or_default();
        let program = String::from_utf8_lossy(program);
        let name = program.rsplit('/').next().unwrap_or_default();
        if !name.starts_with("terraform-provider-bcdr") {
            continue;
        }
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // `pid (comm) state ppid ...`: the fields after the last ')'.
        let mut fields = stat
            .rsplit_once(')')
            .map(|(_, rest)| rest)
            .unwrap_or_default()
            .split_whitespace();
        let state = fields.next().unwrap_or_default();
        let ppid = fields.next().and_then(|p| p.parse().ok()).unwrap_or(0);
        let pgrp = fields.next().and_then(|p| p.parse().ok()).unwrap_or(0);
        if state == "Z" {
            continue;
        }
        out.push(ProviderProcess {
            pid,
            ppid,
            pgrp,
            cwd: std::fs::read_link(format!("/proc/{pid}/cwd")).ok(),
        });
    }
    out
}

/// The provider processes of the Terraform started as `pid` (in a process group of its own): the
/// outer process runs Terraform proper as its child (panicwrap), which starts the providers.
fn group_providers(pid: u32) -> Vec<ProviderProcess> {
    provider_processes()
        .into_iter()
        .filter(|p| p.pgrp == pid)
        .collect()
}

/// Provider processes still running in `h`'s directory once no Terraform runs there: their Terraform
/// is gone, so they must exit (within a second). Any left after [`ORPHAN_WAIT`] is a finding (and
/// is killed).
async fn leftover_providers(h: &Harness, f: &mut Findings) {
    let dir = std::fs::canonicalize(&h.dir).unwrap_or_else(|_| h.dir.clone());
    let started = Instant::now();
    loop {
        let left: Vec<ProviderProcess> = provider_processes()
            .into_iter()
            .filter(|p| p.cwd.as_deref() == Some(dir.as_path()))
            .collect();
        if left.is_empty() {
            return;
        }
        if started.elapsed() > ORPHAN_WAIT {
            for p in &left {
                signal("-KILL", &p.pid.to_string());
            }
            let left: Vec<String> = left
                .iter()
                .map(|p| format!("pid {} (parent {})", p.pid, p.ppid))
                .collect();
            f.problems.push(format!(
                "provider processes outlived their terraform by {ORPHAN_WAIT:?}: {left:?}"
            ));
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

// ---------------------------------------------------------------------------------------------
// The categories.

/// The kill points: every write in full mode; else the first, the middle and the last.
fn kill_points(writes: usize) -> Vec<usize> {
    if full() {
        (1..=writes).collect()
    } else {
        let mut points = vec![1, writes.div_ceil(2), writes];
        points.dedup();
        points
    }
}

fn chaos_seeds() -> Vec<u64> {
    if full() {
        (1..=40).collect()
    } else {
        vec![1, 2]
    }
}

/// Chaos rates cycle over the seeds.
fn chaos_rate(seed: u64) -> f64 {
    [0.05, 0.10, 0.15][(seed % 3) as usize]
}

/// Tight throttling schedules, by name. ARM's write bucket holds 200 and refills at 10/s; these hold
/// a few writes (fewer than the SDK's pacing floor: it waits for the refill before most writes) and
/// refill at a fraction of that rate (the SDK assumes 10/s: some writes are answered 429).
fn throttle_schedules() -> Vec<(&'static str, Throttle)> {
    let writes = |burst: f64, per_sec: f64| Throttle {
        read_burst: 10_000.0,
        read_per_sec: 10_000.0,
        write_burst: burst,
        write_per_sec: per_sec,
    };
    let mut all = vec![("writes 4 + 2/s", writes(4.0, 2.0))];
    if full() {
        all.push(("writes 2 + 5/s", writes(2.0, 5.0)));
        all.push(("writes 10 + 5/s", writes(10.0, 5.0)));
        all.push(("writes 40 + 2/s", writes(40.0, 2.0)));
        all.push((
            "reads 40 + 20/s, writes 10 + 5/s",
            Throttle {
                read_burst: 40.0,
                read_per_sec: 20.0,
                write_burst: 10.0,
                write_per_sec: 5.0,
            },
        ));
    }
    all
}

/// Panics with every failure of the categories, after their summary lines.
fn conclude(version: &str, tallies: &[(&str, Tally)]) {
    for (category, tally) in tallies {
        tally.summary(version, category);
    }
    let failures: Vec<&String> = tallies.iter().flat_map(|(_, t)| &t.failures).collect();
    assert!(
        failures.is_empty(),
        "{} failed trials on Terraform {version}:\n{}",
        failures.len(),
        failures
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_or_interrupted_apply_recovers_without_duplicates_orphans_or_deletes() {
    for (tf, version) in terraforms() {
        let suite = Suite::new(tf, version).await;
        let writes = suite.reference.writes;
        let mut tallies: Vec<(&str, Tally)> = Kill::ALL
            .iter()
            .map(|k| (k.category(), Tally::default()))
            .collect();
        for at in kill_points(writes) {
            for (kind, (_, tally)) in Kill::ALL.into_iter().zip(&mut tallies) {
                suite
                    .trial(
                        kind.category(),
                        &format!("{} at write {at} of {writes}", kind.short()),
                        emulator_config(),
                        Disruption::Kill { kind, at },
                        tally,
                    )
                    .await;
            }
        }
        conclude(&suite.version, &tallies);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn applies_under_seeded_chaos_and_throttling_recover() {
    for (tf, version) in terraforms() {
        let suite = Suite::new(tf, version).await;
        let mut chaos = Tally::default();
        for seed in chaos_seeds() {
            let rate = chaos_rate(seed);
            let config = Config {
                chaos: Some(Chaos { rate, seed }),
                ..emulator_config()
            };
            let point = format!("chaos seed {seed} rate {rate}");
            suite
                .trial("chaos", &point, config, Disruption::Schedule, &mut chaos)
                .await;
        }
        let mut throttled = Tally::default();
        for (name, throttle) in throttle_schedules() {
            let config = Config {
                throttle: Some(throttle),
                ..emulator_config()
            };
            let point = format!("throttle {name}");
            suite
                .trial(
                    "throttling",
                    &point,
                    config,
                    Disruption::Schedule,
                    &mut throttled,
                )
                .await;
        }
        conclude(
            &suite.version,
            &[("chaos", chaos), ("throttling", throttled)],
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_or_damaged_state_is_adopted() {
    for (tf, version) in terraforms() {
        let suite = Suite::new(tf, version).await;
        let mut lost = Tally::default();
        let mut damaged = Tally::default();
        for damage in [Damage::Lost, Damage::Truncated, Damage::Corrupted] {
            let (category, tally) = match damage {
                Damage::Lost => ("state lost", &mut lost),
                _ => ("state damaged", &mut damaged),
            };
            suite
                .trial(
                    category,
                    &format!("state {damage:?}"),
                    emulator_config(),
                    Disruption::State(damage),
                    tally,
                )
                .await;
        }
        conclude(
            &suite.version,
            &[("state lost", lost), ("state damaged", damaged)],
        );
    }
}
