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

mod contract;
mod rp;
mod server;

pub use contract::config::{
    Chaos, Config, DEFAULT_SUBSCRIPTION, FaultAction, FaultRule, LogEntry, Principal, Throttle,
    default_latencies,
};
pub use contract::error::{ArmError, EmulatorError};
pub use contract::outage::RegionDown;
pub use contract::regions;
pub use contract::store::use_tokio_clock;
pub use contract::versions::*;

use contract::store;
use contract::store::lock;
use server::http::{self, App};
use server::tls;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

/// An answer of [`Emulator::handle`]: status, headers as sent, body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
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
    /// The state and the shared application an emulator serves, from `config`.
    fn app(config: Config) -> Result<(tls::Identity, Arc<App>), EmulatorError> {
        let mut state = match &config.state_path {
            Some(path) => store::State::load(path)?,
            None => store::State::default(),
        };
        state.latency_scale = config.latency_scale;
        server::outage::at_start(&mut state, &config, store::now_ms());
        let identity = tls::identity(config.state_path.as_deref())?;
        state.cluster_ca_pem = identity.cert_pem.clone();
        let app = Arc::new(App {
            state: Mutex::new(state),
            faults: Mutex::new(config.faults.clone()),
            chaos: Mutex::new(config.chaos.map_or(0, |c| c.seed)),
            request_latency_ms: std::sync::atomic::AtomicU64::new(0),
            config,
            log: Mutex::new(Vec::new()),
            buckets: Default::default(),
            regions: Default::default(),
        });
        Ok((identity, app))
    }

    /// An emulator that listens on no socket: requests reach it through [`Emulator::handle`], in
    /// this process (simulations: with [`use_tokio_clock`] and a paused runtime, minutes of Azure's
    /// time pass in no time). `addr` is unspecified.
    pub fn in_process(config: Config) -> Result<Self, EmulatorError> {
        let (identity, app) = Self::app(config)?;
        Ok(Self {
            addr: SocketAddr::from(([0, 0, 0, 0], 0)),
            identity,
            app,
            shutdown: None,
        })
    }

    /// Serves one request as if it had come over HTTPS (the same handler, the same log, throttling
    /// and faults): `url` absolute (its host is the `Host`), `headers` as sent.
    pub async fn handle(
        &self,
        method: &str,
        url: &str,
        headers: &[(String, String)],
        body: Vec<u8>,
    ) -> Answer {
        let mut request = axum::http::Request::builder().method(method).uri(url);
        let uri: Option<axum::http::Uri> = url.parse().ok();
        if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host"))
            && let Some(authority) = uri.as_ref().and_then(axum::http::Uri::authority)
        {
            request = request.header("host", authority.as_str());
        }
        for (name, value) in headers {
            request = request.header(name.as_str(), value.as_str());
        }
        let request = match request.body(axum::body::Body::from(body)) {
            Ok(r) => r,
            Err(e) => {
                return Answer {
                    status: 400,
                    headers: Vec::new(),
                    body: format!("bad request: {e}").into_bytes(),
                };
            }
        };
        let response = http::handle(self.app.clone(), request).await;
        let (parts, body) = response.into_parts();
        let body = axum::body::to_bytes(body, usize::MAX)
            .await
            .map(|b| b.to_vec())
            .unwrap_or_default();
        Answer {
            status: parts.status.as_u16(),
            headers: parts
                .headers
                .iter()
                .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
                .collect(),
            body,
        }
    }

    /// Binds, loads state (if any) and serves HTTPS in the background.
    pub async fn start(config: Config) -> Result<Self, EmulatorError> {
        let listen = config.listen;
        let (identity, app) = Self::app(config)?;
        let acceptor = tls::acceptor(&identity)?;
        let tcp = tokio::net::TcpListener::bind(listen).await?;
        let listener = tls::TlsListener::new(tcp, acceptor)?;
        let addr = axum::serve::Listener::local_addr(&listener)?;
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
        rp::settle(&mut state, store::now_ms());
        state.resources.values().map(|r| r.id.clone()).collect()
    }

    /// What Azure DNS (168.63.129.16) answers a machine in the VNet `vnet_id` for `fqdn` from the
    /// private DNS zones linked to that VNet: the A record's addresses, or `None` when no linked zone
    /// holds the name (a real resolver would then answer from public DNS).
    pub fn resolve(&self, vnet_id: &str, fqdn: &str) -> Option<Vec<String>> {
        let mut state = lock(&self.app.state);
        rp::settle(&mut state, store::now_ms());
        rp::private_dns::resolve(&state, vnet_id, fqdn)
    }

    /// A bearer token this emulator accepts for an hour, as a signed-in Azure CLI would hand out
    /// (`az account get-access-token`); for tests of credentials that do not talk to Entra themselves.
    pub fn issue_token(&self) -> String {
        rp::identity::mint(
            &self.app.state,
            &self.app.config,
            rp::identity::DEFAULT_TENANT,
        )
    }

    /// What AKS Backup restored into the cluster `cluster_id` (its ARM id, any casing): the
    /// recovery point id of every restore and cross-region restore whose job has completed by now,
    /// oldest first. The observable effect of a restore, for tests.
    pub fn restored_into(&self, cluster_id: &str) -> Vec<String> {
        let mut state = lock(&self.app.state);
        let now = store::now_ms();
        rp::settle(&mut state, now);
        rp::data_protection::restored_into(&state, cluster_id, now)
    }

    /// Writes `body` as the resource `id` straight into the store, not through ARM: a record another
    /// resource provider owns (a cluster extension, a trusted access role binding), for tests of the
    /// providers that read it. Its `properties.provisioningState` is as given.
    pub fn seed(&self, id: &str, body: serde_json::Value) {
        let mut state = lock(&self.app.state);
        state.insert(store::Resource {
            id: id.to_owned(),
            kind: store::Kind::Seeded,
            body,
            pending: None,
        });
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

    /// A region outage as Azure has it, from now until [`restore_region`](Self::restore_region):
    /// every request for a resource located in `region` (its children, the operations run there)
    /// fails — at once with 503 `ServiceUnavailable` ([`RegionDown::Fail`]), or never answered while
    /// the region is down ([`RegionDown::Hang`]) — and every write under a resource group located in
    /// `region` is refused, global resources (Traffic Manager, Front Door) included; reads of those
    /// go on. Probes of endpoints there (Traffic Manager, Front Door origins) fail from now on.
    pub fn take_region_down(&self, region: &str, how: RegionDown) {
        self.change_region(region, |outages, region, now| {
            contract::outage::begin(outages, region, how, now);
        });
    }

    /// Ends an outage of `region`: requests held by it are answered as usual, probes pass again.
    pub fn restore_region(&self, region: &str) {
        self.change_region(region, |outages, region, now| {
            contract::outage::end(outages, region, now);
        });
    }

    fn change_region(
        &self,
        region: &str,
        change: impl FnOnce(&mut Vec<contract::outage::Outage>, &str, u64),
    ) {
        let region = server::outage::region_name(region);
        let mut state = lock(&self.app.state);
        change(&mut state.outages, &region, store::now_ms());
        if let Some(path) = &self.app.config.state_path
            && let Err(e) = state.save(path)
        {
            tracing::error!(error = %e, "could not save emulator state");
        }
        drop(state);
        self.app.regions.changed();
    }

    /// Stops serving.
    pub fn stop(&mut self) {
        self.app.regions.stop();
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
