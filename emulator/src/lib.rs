//! `arm-emulator`: a local stand-in for Azure Resource Manager. It speaks the ARM REST contract
//! (URLs, api-versions, status codes, long-running operations, error bodies, throttling headers) for
//! the resources a BC/DR AKS topology uses, plus Entra ID's client-credentials token endpoint, over
//! HTTPS. It knows nothing of any client's types.
//!
//! Run it as a binary (`arm-emulator --listen 127.0.0.1:8443 --state state.json`) or in-process:
//!
//! ```no_run
//! # async fn demo() -> Result<(), arm_emulator::EmulatorError> {
//! let emulator = arm_emulator::Emulator::start(arm_emulator::Config::default()).await?;
//! println!("ARM at {}, trust {}", emulator.endpoint(), emulator.ca_certificate_pem());
//! # Ok(()) }
//! ```

mod agent_pool;
mod aks;
mod auth;
mod authorization;
mod cni;
mod compute;
mod error;
mod front_door;
mod http;
mod kubernetes_versions;
mod lro;
mod network;
mod peering;
mod public_ip;
pub mod regions;
mod registration;
mod registry;
mod resources;
mod routes;
mod storage;
mod store;
mod subnet;
mod tls;
mod traffic_manager;
mod waf;

pub use error::ArmError;

use http::{App, lock};
use serde::Serialize;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// Pinned api-versions (see `shared/arm-specs/versions.json`); any other is refused with 400.
pub const API_RESOURCES: &str = "2024-03-01";
pub const API_SUBSCRIPTIONS: &str = "2022-12-01";
pub const API_NETWORK: &str = "2024-03-01";
pub const API_AKS: &str = "2024-09-01";
pub const API_TRAFFIC_MANAGER: &str = "2022-04-01";
pub const API_AUTHORIZATION: &str = "2022-04-01";
pub const API_REGISTRY: &str = "2023-07-01";
pub const API_STORAGE: &str = "2023-05-01";
pub const API_CDN: &str = "2024-09-01";
pub const API_FRONT_DOOR_WAF: &str = "2024-02-01";
pub const API_COMPUTE_USAGES: &str = "2024-07-01";
pub const API_COMPUTE_SKUS: &str = "2021-07-01";

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EmulatorError {
    #[error("emulator i/o failed: {0}")]
    Io(#[from] std::io::Error),
    #[error("emulator tls setup failed: {0}")]
    Tls(String),
}

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
}

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
        ("registry.put", 20_000),
        ("replication.put", 60_000),
        ("registry.delete", 20_000),
        ("storageAccount.put", 25_000),
        ("frontDoor.put", 30_000),
        ("frontDoor.delete", 30_000),
        // How long a new managed identity takes to reach every Entra ID replica.
        ("identity.replication", 30_000),
        // A resource provider registration (`Registering` to `Registered`).
        ("provider.register", 60_000),
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
        }
    }
}

/// A running emulator; dropping it stops the server.
#[derive(Debug)]
pub struct Emulator {
    addr: SocketAddr,
    identity: tls::Identity,
    app: Arc<App>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Emulator {
    /// Binds, loads state (if any) and serves HTTPS in the background.
    pub async fn start(config: Config) -> Result<Self, EmulatorError> {
        let state = match &config.state_path {
            Some(path) => store::State::load(path)?,
            None => store::State::default(),
        };
        let identity = tls::identity(config.state_path.as_deref())?;
        let acceptor = tls::acceptor(&identity)?;
        let tcp = tokio::net::TcpListener::bind(config.listen).await?;
        let listener = tls::TlsListener::new(tcp, acceptor)?;
        let addr = axum::serve::Listener::local_addr(&listener)?;
        let app = Arc::new(App {
            state: Mutex::new(state),
            faults: Mutex::new(config.faults.clone()),
            chaos: Mutex::new(config.chaos.map_or(0, |c| c.seed)),
            request_latency_ms: std::sync::atomic::AtomicU64::new(0),
            config,
            log: Mutex::new(Vec::new()),
            buckets: Mutex::new(Default::default()),
        });
        let router_app = app.clone();
        let router = axum::Router::new()
            .fallback(move |req: axum::extract::Request| http::handle(router_app.clone(), req));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let serve = axum::serve(listener, router).with_graceful_shutdown(async {
                let _ = rx.await;
            });
            if let Err(e) = serve.await {
                tracing::error!(error = %e, "emulator server stopped");
            }
        });
        Ok(Self {
            addr,
            identity,
            app,
            shutdown: Some(tx),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `https://127.0.0.1:PORT`: both the ARM endpoint and the Entra ID authority host.
    pub fn endpoint(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// The server certificate clients must trust (self-signed).
    pub fn ca_certificate_pem(&self) -> &str {
        &self.identity.cert_pem
    }

    /// Every ARM request served so far (token requests and admin endpoints excluded).
    pub fn requests(&self) -> Vec<LogEntry> {
        lock(&self.app.log).clone()
    }

    /// Makes every ARM request wait `latency` before its answer, as a network round trip would
    /// (zero, the default, answers at once). Waiting costs no CPU: concurrent requests overlap.
    pub fn set_request_latency(&self, latency: std::time::Duration) {
        self.app.request_latency_ms.store(
            u64::try_from(latency.as_millis()).unwrap_or(u64::MAX),
            std::sync::atomic::Ordering::Relaxed,
        );
    }

    pub fn clear_requests(&self) {
        lock(&self.app.log).clear();
    }

    /// Ids of every resource that exists (resource groups included), after finishing due operations.
    pub fn resource_ids(&self) -> Vec<String> {
        let mut state = lock(&self.app.state);
        state.settle(store::now_ms());
        state.resources.values().map(|r| r.id.clone()).collect()
    }

    /// A bearer token this emulator accepts for an hour, as a signed-in Azure CLI would hand out
    /// (`az account get-access-token`); for tests of credentials that do not talk to Entra themselves.
    pub fn issue_token(&self) -> String {
        auth::mint(&self.app)
    }

    pub fn add_fault(&self, rule: FaultRule) {
        lock(&self.app.faults).push(rule);
    }

    /// A regional outage, as far as ARM's callers see it: from now on every request whose path
    /// contains `path_contains` (a region's resource group, say) is answered 503
    /// `ServiceUnavailable`.
    pub fn take_down(&self, path_contains: &str) {
        lock(&self.app.faults).extend(FaultRule::outage(path_contains));
    }

    /// Stops serving.
    pub fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.stop();
    }
}
