//! How the emulator runs: its latency model, throttling, injected faults and the subscription's
//! situation (registrations, versions, quotas, restricted regions); and the request log's entries.

use serde::Serialize;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;

/// Per-subscription token buckets, as ARM throttles (reads and writes counted apart).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Throttle {
    pub read_burst: f64,
    pub read_per_sec: f64,
    pub write_burst: f64,
    pub write_per_sec: f64,
}

impl Default for Throttle {
    /// ARM's documented subscription limits: reads 250 refilled at 25/s, writes 200 at 10/s.
    fn default() -> Self {
        Self {
            read_burst: 250.0,
            read_per_sec: 25.0,
            write_burst: 200.0,
            write_per_sec: 10.0,
        }
    }
}

/// What an injected fault does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultAction {
    /// Answer the request at once with this status and ARM error code.
    Respond {
        status: u16,
        code: String,
        retry_after: Option<u64>,
    },
    /// Accept the request, then end its long-running operation `Failed` with this error.
    FailAsync { code: String, message: String },
    /// Drop the connection without an answer: before the request is processed, or after it (the
    /// change is made, the client never hears of it).
    Drop { after_processing: bool },
}

/// A fault for requests whose method matches and whose path contains `path_contains`
/// (case-insensitively), applied `remaining` times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultRule {
    pub method: String,
    pub path_contains: String,
    pub action: FaultAction,
    pub remaining: u32,
}

impl FaultRule {
    /// The rules of an outage: every request whose path contains `path_contains` is answered 503
    /// `ServiceUnavailable`, whatever its method, for as long as the emulator runs.
    pub fn outage(path_contains: &str) -> Vec<FaultRule> {
        ["GET", "PUT", "PATCH", "POST", "DELETE"]
            .into_iter()
            .map(|method| FaultRule {
                method: method.into(),
                path_contains: path_contains.into(),
                action: FaultAction::Respond {
                    status: 503,
                    code: "ServiceUnavailable".into(),
                    retry_after: None,
                },
                remaining: u32::MAX,
            })
            .collect()
    }
}

/// One request as the emulator saw it.
#[derive(Debug, Clone, Serialize)]
pub struct LogEntry {
    pub method: String,
    pub path: String,
    pub api_version: Option<String>,
    pub status: u16,
    /// The ARM error code of an error answer.
    pub code: Option<String>,
    pub millis: f64,
}

/// How the emulator runs.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    /// Where state is kept across restarts (and the TLS certificate beside it); in memory when `None`.
    pub state_path: Option<PathBuf>,
    /// Multiplies every provisioning time: 1.0 is Azure-like, 0.001 makes a 5-minute AKS create 0.3 s.
    pub latency_scale: f64,
    /// Provisioning times in milliseconds at scale 1.0, by operation key.
    pub latencies: BTreeMap<String, u64>,
    /// When set, the token endpoint accepts only this client secret.
    pub client_secret: Option<String>,
    pub throttle: Option<Throttle>,
    pub faults: Vec<FaultRule>,
    /// Seeded random server errors on top of the rules in `faults`.
    pub chaos: Option<Chaos>,
    /// Resource provider namespaces (`Microsoft.ContainerService`, ...) every subscription starts
    /// without, as a new subscription does: their requests are answered 409
    /// `MissingSubscriptionRegistration` until the namespace is registered.
    pub unregistered: Vec<String>,
    /// The patch versions of Kubernetes AKS offers in a region (e.g. `westus` → `["1.31.2"]`), for
    /// the regions that do not follow the emulator's table: versions retire and arrive region by region.
    pub kubernetes_versions: BTreeMap<String, Vec<String>>,
    /// The subscription's vCPU quota in a region (its total and each VM family's), for the regions
    /// that do not have the default of 350.
    pub core_quotas: BTreeMap<String, u64>,
    /// Access-restricted regions (Germany North, ...) the subscription was granted: AKS is offered
    /// there as in any region. Without a grant, the `Microsoft.ContainerService` provider does not
    /// list the region and a cluster PUT there is answered `LocationNotAvailableForResourceType`.
    pub restricted_access: Vec<String>,
    /// The subscriptions `GET /subscriptions` lists (besides any that holds resources); every
    /// well-formed subscription id is served.
    pub subscriptions: Vec<String>,
    /// Regions down from the start (`--region-down`), and how they answer: see
    /// `Emulator::take_region_down`.
    pub regions_down: Vec<(String, crate::contract::outage::RegionDown)>,
    /// Entra ID principals by client (application) id (`--principal`): the object id their tokens
    /// carry (`oid`) and the groups they are members of (`groups`). A client not listed gets an
    /// object id derived from its client id and no groups.
    pub principals: BTreeMap<String, Principal>,
}

/// A service principal as Entra ID knows it: its object id and its group memberships (object ids).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Principal {
    pub object_id: String,
    pub groups: Vec<String>,
}

/// The subscription every emulator lists (`Config::subscriptions`).
pub const DEFAULT_SUBSCRIPTION: &str = "00000000-0000-0000-0000-000000000001";

/// Seeded random faults: each ARM request fails with probability `rate`, answered 500
/// `InternalServerError` or 503 `ServiceUnavailable` (with `Retry-After`). The same seed fails the
/// same requests of the same sequence, so a failing run can be replayed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Chaos {
    pub rate: f64,
    pub seed: u64,
}

/// Azure-like provisioning times (milliseconds).
pub fn default_latencies() -> BTreeMap<String, u64> {
    [
        ("resourceGroup.delete", 10_000),
        ("virtualNetwork.put", 6_000),
        ("subnet.put", 4_000),
        ("peering.put", 10_000),
        ("network.delete", 8_000),
        ("managedCluster.put", 300_000),
        ("managedCluster.update", 120_000),
        ("managedCluster.delete", 180_000),
        ("agentPool.put", 180_000),
        ("agentPool.delete", 120_000),
        ("publicIp.put", 4_000),
        ("privateEndpoint.put", 15_000),
        ("privateEndpoint.zoneGroup", 5_000),
        ("privateDns.put", 5_000),
        ("privateDns.delete", 5_000),
        ("registry.put", 20_000),
        ("replication.put", 60_000),
        ("registry.delete", 20_000),
        ("storageAccount.put", 25_000),
        ("frontDoor.put", 30_000),
        ("frontDoor.delete", 30_000),
        // A Log Analytics workspace's create: `modifiedDate` 2 s after `createdDate` once it reads
        // `Succeeded` (test_monitor_log_analytics_workspace_default, 2021-12 version).
        ("workspace.put", 3_000),
        // How long a new managed identity takes to reach every Entra ID replica.
        ("identity.replication", 30_000),
        // AKS Backup (guesses, docs/emulator-fidelity.md): a vault, configuring protection of a
        // cluster, a restore job.
        ("backupVault.put", 15_000),
        ("backupVault.delete", 15_000),
        ("backupInstance.put", 60_000),
        ("backupInstance.delete", 30_000),
        ("backupInstance.restore", 300_000),
        // A resource provider registration (`Registering` to `Registered`).
        ("provider.register", 60_000),
        // A cluster extension's install (guess: minutes, as AKS Backup's docs let it take) and
        // removal; a trusted access role binding (recorded still `InProgress` 2.5 min after its
        // create: Az.Aks New-AzAksTrustedAccessRoleBinding), its delete (guess).
        ("clusterExtension.put", 180_000),
        ("clusterExtension.delete", 60_000),
        ("trustedAccess.put", 180_000),
        ("trustedAccess.delete", 60_000),
        // A Flux configuration's write, and its first reconciliation by the cluster's agent after
        // it (guess: Flux's source and kustomization intervals are minutes by default).
        ("fluxConfiguration.put", 30_000),
        ("fluxConfiguration.reconcile", 60_000),
        ("fluxConfiguration.delete", 30_000),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            state_path: None,
            latency_scale: 0.001,
            latencies: default_latencies(),
            client_secret: None,
            throttle: None,
            faults: Vec::new(),
            chaos: None,
            unregistered: Vec::new(),
            kubernetes_versions: BTreeMap::new(),
            core_quotas: BTreeMap::new(),
            restricted_access: Vec::new(),
            subscriptions: vec![crate::contract::config::DEFAULT_SUBSCRIPTION.to_owned()],
            regions_down: Vec::new(),
            principals: BTreeMap::new(),
        }
    }
}
