//! The emulator's state: resources keyed by lower-cased ARM id, long-running operations, issued tokens.
//! Time moves on lazily: every request first `settle`s what has finished by then. Saved atomically.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

/// The guard of a mutex, poisoned or not (a handler that panicked left the state consistent: each
/// request writes its changes at the end).
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Where the emulator's clock reads tokio's instead of the system's: the epoch milliseconds and the
/// tokio instant it started from (see [`use_tokio_clock`]).
static TOKIO_CLOCK: std::sync::OnceLock<(u64, tokio::time::Instant)> = std::sync::OnceLock::new();

fn system_ms() -> u64 {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    now.map(|d| d.as_millis() as u64).unwrap_or_default()
}

/// From now on, every emulator in this process tells time by tokio's clock, counted from the
/// system's time now: a runtime whose clock is paused (a simulation) then moves the emulator's
/// operations, tokens and throttling buckets on as it advances, without waiting. Call it from
/// inside that runtime. Once set, it stays.
pub fn use_tokio_clock() {
    let _ = TOKIO_CLOCK.set((system_ms(), tokio::time::Instant::now()));
}

/// Milliseconds since the Unix epoch, by the system's clock or, after [`use_tokio_clock`], tokio's.
pub fn now_ms() -> u64 {
    match TOKIO_CLOCK.get() {
        Some((base, at)) => {
            let since = tokio::time::Instant::now().saturating_duration_since(*at);
            base + u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
        }
        None => system_ms(),
    }
}

/// RFC 3339 text for an epoch-millisecond instant.
pub fn rfc3339(ms: u64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// What kind of resource a record is; decides which hooks run when it settles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    ResourceGroup,
    VirtualNetwork,
    Subnet,
    Peering,
    ManagedCluster,
    PublicIp,
    TrafficManagerProfile,
    TrafficManagerEndpoint,
    RoleAssignment,
    Registry,
    Replication,
    StorageAccount,
    BlobContainer,
    FrontDoorProfile,
    FrontDoorChild,
    WafPolicy,
    AgentPool,
    MaintenanceConfiguration,
    LogAnalyticsWorkspace,
    PrivateEndpoint,
    PrivateDnsZoneGroup,
    PrivateDnsZone,
    PrivateDnsLink,
    PrivateDnsRecordSet,
    BackupVault,
    BackupPolicy,
    BackupInstance,
    BackupJob,
    /// Written by `Emulator::seed`, not through ARM: a record another resource provider's module
    /// owns, for tests of the providers that read it.
    Seeded,
    /// `{cluster}/providers/Microsoft.KubernetesConfiguration/extensions/{name}`.
    ClusterExtension,
    /// `{cluster}/trustedAccessRoleBindings/{name}`.
    TrustedAccessRoleBinding,
    /// `{cluster}/providers/Microsoft.KubernetesConfiguration/fluxConfigurations/{name}`.
    FluxConfiguration,
}

/// An operation still running on a resource.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Pending {
    /// `Creating`, `Updating` or `Deleting`.
    pub state: String,
    pub until_ms: u64,
    pub operation: String,
    /// Properties the resource gains when the operation succeeds (a public IP's address, a
    /// cluster's power state): what Azure only reports once the operation has ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completes: Option<Value>,
}

/// An operation [`State::settle`] finished: the resource it ran on (its body as it ended; for a
/// delete, as it was before it went), and how it ended.
#[derive(Debug, Clone)]
pub struct Finished {
    /// The resource's lower-cased id.
    pub key: String,
    pub kind: Kind,
    pub deleted: bool,
    pub failed: bool,
    pub body: Value,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Resource {
    /// The id in canonical casing, as first created.
    pub id: String,
    pub kind: Kind,
    /// The ARM representation, read-only properties included.
    pub body: Value,
    pub pending: Option<Pending>,
}

impl Resource {
    pub fn provisioning_state(&self) -> &str {
        self.body["properties"]["provisioningState"]
            .as_str()
            .unwrap_or("Succeeded")
    }

    pub fn is_busy(&self) -> bool {
        self.pending.is_some()
    }
}

/// A long-running operation, as its status document reports it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Operation {
    pub id: String,
    pub resource: String,
    pub start_ms: u64,
    pub until_ms: u64,
    /// `None` when it succeeds; the error it ends with otherwise.
    pub error: Option<(String, String)>,
    pub is_delete: bool,
    /// The shape of its status document (its family's).
    #[serde(default)]
    pub doc: crate::contract::profile::Doc,
}

impl Operation {
    pub fn status(&self, now: u64) -> &'static str {
        if now < self.until_ms {
            "InProgress"
        } else if self.error.is_some() {
            "Failed"
        } else {
            "Succeeded"
        }
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct State {
    pub resources: BTreeMap<String, Resource>,
    pub operations: BTreeMap<String, Operation>,
    /// Issued bearer tokens and their expiry (epoch seconds).
    pub tokens: BTreeMap<String, u64>,
    /// The tenant each issued token was issued for.
    #[serde(default)]
    pub token_tenants: BTreeMap<String, String>,
    /// Managed identities the emulator made (principal or object id, lower-cased), and when.
    #[serde(default)]
    pub identities: BTreeMap<String, u64>,
    /// Resource provider registrations requested ("<subscription>/<namespace>", lower-cased), and
    /// when each is `Registered`.
    #[serde(default)]
    pub registrations: BTreeMap<String, u64>,
    /// When each Traffic Manager endpoint (lower-cased id) is first probed: it reads
    /// `CheckingEndpoint` until then, and is probed every interval from then on.
    #[serde(default)]
    pub monitors: BTreeMap<String, u64>,
    /// When each Flux configuration (lower-cased id) is reconciled by its cluster's agent: its
    /// compliance reads `Pending` until then (`rp::kubernetes_configuration::flux`).
    #[serde(default)]
    pub reconciles: BTreeMap<String, u64>,
    /// Regions taken down, and when (see `contract::outage`).
    #[serde(default)]
    pub outages: Vec<crate::contract::outage::Outage>,
    /// What AKS Backup restored into each cluster (lower-cased cluster id): the recovery point ids,
    /// each with the instant its restore job ends (`rp::data_protection`).
    #[serde(default)]
    pub restored: BTreeMap<String, Vec<(String, u64)>>,
    /// The latency scale the emulator runs at (`Config::latency_scale`), for what is computed when
    /// read (probing intervals); set at start, not saved.
    #[serde(skip)]
    pub latency_scale: f64,
    /// Pending operations by when they end: (`until_ms`, lower-cased resource key). Whoever marks a
    /// resource pending adds it ([`State::pending_until`]); [`State::settle`] takes what is due
    /// instead of scanning every resource. An entry whose resource no longer waits for that time is
    /// skipped. Rebuilt from the resources on load.
    #[serde(skip)]
    pub due: BTreeSet<(u64, String)>,
    /// When [`State::prune`] next looks (it runs at most once a minute, not on every write).
    #[serde(skip)]
    pub next_prune: u64,
    /// The emulator's TLS certificate (PEM), which also serves every cluster's API server stand-in:
    /// the CA of the kubeconfigs the clusters hand out. Set at start, not saved.
    #[serde(skip)]
    pub cluster_ca_pem: String,
}

impl State {
    pub fn load(path: &Path) -> std::io::Result<Self> {
        match std::fs::read(path) {
            Ok(bytes) => {
                let mut state: Self =
                    serde_json::from_slice(&bytes).map_err(std::io::Error::other)?;
                state.due = state
                    .resources
                    .iter()
                    .filter_map(|(k, r)| r.pending.as_ref().map(|p| (p.until_ms, k.clone())))
                    .collect();
                Ok(state)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(e),
        }
    }

    /// Writes to a temporary file, syncs it and renames it over `path`: a crash never leaves half a file.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let bytes = serde_json::to_vec(self).map_err(std::io::Error::other)?;
        let tmp = path.with_extension("tmp");
        {
            let mut file = std::fs::File::create(&tmp)?;
            file.write_all(&bytes)?;
            file.sync_all()?;
        }
        std::fs::rename(&tmp, path)
    }

    pub fn get(&self, id: &str) -> Option<&Resource> {
        self.resources.get(&id.to_ascii_lowercase())
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut Resource> {
        self.resources.get_mut(&id.to_ascii_lowercase())
    }

    pub fn insert(&mut self, resource: Resource) {
        self.resources
            .insert(resource.id.to_ascii_lowercase(), resource);
    }

    /// Records of everything below `id` (its children, or a group's contents).
    pub fn children_of(&self, id: &str) -> Vec<String> {
        // Ids sort their children right after them: a range, not a scan.
        let prefix = format!("{}/", id.to_ascii_lowercase());
        self.resources
            .range(prefix.clone()..)
            .map(|(k, _)| k)
            .take_while(|k| k.starts_with(&prefix))
            .cloned()
            .collect()
    }

    /// Finishes every pending operation whose time has come: provisioning states become terminal
    /// (and what the operation promised on success, [`Pending::completes`], is merged into the
    /// resource's properties), deleted resources (and what they contain) disappear. Returns what
    /// finished, for the resource types' own consequences (a peering's remote side, say).
    pub fn settle(&mut self, now: u64) -> Vec<Finished> {
        let mut due = Vec::new();
        while let Some(first) = self.due.first()
            && first.0 <= now
        {
            if let Some((until, key)) = self.due.pop_first()
                && self
                    .resources
                    .get(&key)
                    .and_then(|r| r.pending.as_ref())
                    .is_some_and(|p| p.until_ms == until)
            {
                due.push(key);
            }
        }
        let mut finished = Vec::with_capacity(due.len());
        for key in due {
            let Some(resource) = self.resources.get_mut(&key) else {
                continue;
            };
            let Some(pending) = resource.pending.take() else {
                continue;
            };
            let failed = self
                .operations
                .get(&pending.operation)
                .is_some_and(|o| o.error.is_some());
            let deleted = pending.state == "Deleting" && !failed;
            if deleted {
                let id = resource.id.clone();
                let kind = resource.kind;
                let body = std::mem::take(&mut resource.body);
                for child in self.children_of(&id) {
                    self.resources.remove(&child);
                }
                self.resources.remove(&key);
                finished.push(Finished {
                    key,
                    kind,
                    deleted,
                    failed,
                    body,
                });
                continue;
            }
            resource.body["properties"]["provisioningState"] =
                json!(if failed { "Failed" } else { "Succeeded" });
            if !failed && let Some(Value::Object(props)) = pending.completes {
                for (k, v) in props {
                    resource.body["properties"][k.as_str()] = v;
                }
            }
            finished.push(Finished {
                key,
                kind: resource.kind,
                deleted,
                failed,
                body: resource.body.clone(),
            });
        }
        finished
    }

    /// Notes that the resource `id` was marked pending until `until_ms`.
    pub fn pending_until(&mut self, id: &str, until_ms: u64) {
        self.due.insert((until_ms, id.to_ascii_lowercase()));
    }

    /// Drops finished operations older than an hour (and outages ended a day ago, probe schedules
    /// of endpoints that are gone), so the state file does not grow forever.
    pub fn prune(&mut self, now: u64) {
        if now < self.next_prune {
            return;
        }
        self.next_prune = now + 60_000;
        self.operations.retain(|_, o| o.until_ms + 3_600_000 > now);
        let secs = now / 1000;
        self.tokens.retain(|_, exp| *exp > secs);
        let tokens = &self.tokens;
        self.token_tenants.retain(|t, _| tokens.contains_key(t));
        let resources = &self.resources;
        self.monitors.retain(|id, _| resources.contains_key(id));
        crate::contract::outage::prune(&mut self.outages, now, 86_400_000);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending(state: &mut State, id: &str, until_ms: u64) {
        state.insert(Resource {
            id: id.to_owned(),
            kind: Kind::PublicIp,
            body: json!({ "properties": { "provisioningState": "Creating" } }),
            pending: Some(Pending {
                state: "Creating".into(),
                until_ms,
                operation: format!("op-{until_ms}"),
                completes: None,
            }),
        });
        state.pending_until(id, until_ms);
    }

    fn provisioning(state: &State, id: &str) -> String {
        state.get(id).map_or("missing".into(), |r| {
            r.body["properties"]["provisioningState"].to_string()
        })
    }

    #[test]
    fn settle_finishes_what_is_due_and_nothing_else() {
        let mut state = State::default();
        pending(&mut state, "/A", 10);
        pending(&mut state, "/B", 20);
        // Re-marked for later: the first entry is stale and must not finish it early.
        pending(&mut state, "/C", 5);
        pending(&mut state, "/C", 30);
        assert!(state.settle(4).is_empty());
        assert_eq!(state.settle(10).len(), 1);
        assert_eq!(provisioning(&state, "/a"), "\"Succeeded\"");
        assert_eq!(provisioning(&state, "/b"), "\"Creating\"");
        assert_eq!(provisioning(&state, "/c"), "\"Creating\"");
        assert_eq!(state.settle(30).len(), 2);
        assert_eq!(provisioning(&state, "/b"), "\"Succeeded\"");
        assert_eq!(provisioning(&state, "/c"), "\"Succeeded\"");
        assert!(state.settle(1_000).is_empty());
    }

    #[test]
    fn a_loaded_state_still_finishes_its_pending_operations() -> std::io::Result<()> {
        let dir = std::env::temp_dir().join(format!("emu-store-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let path = dir.join("state.json");
        let mut state = State::default();
        pending(&mut state, "/A", 10);
        state.save(&path)?;
        let mut loaded = State::load(&path)?;
        assert_eq!(loaded.settle(10).len(), 1);
        assert_eq!(provisioning(&loaded, "/a"), "\"Succeeded\"");
        std::fs::remove_dir_all(&dir)
    }
}
