//! The ARM client: an `azure_core` pipeline (retry and bearer-token policies, reqwest/rustls transport)
//! pointed at a cloud's Resource Manager, with ARM's error bodies and long-running operations, and one
//! module per ARM resource type for its typed model.

pub mod auth;
pub mod breaker;
mod certificate;
pub mod compute;
pub mod container_registry;
pub mod data_protection;
pub mod front_door;
mod interrupt;
pub mod k8s_extension;
pub mod log_analytics;
mod lro;
pub mod managed_cluster;
mod pacing;
pub mod peering;
pub mod postgres;
pub mod private_dns;
pub mod private_endpoint;
pub mod public_ip;
mod registration;
pub mod resource_group;
pub mod role_assignment;
pub mod settings;
pub mod storage;
pub mod traffic_manager;
pub mod transport;
pub mod trusted_access;
pub mod virtual_network;
pub mod waf;

pub use lro::{POLL_DEFAULT_OTHERS, POLL_DEFAULTS};
pub use pacing::{BucketRule, Budget, PACING_LOW_WATER, PacingStats, bucket_rule};

use crate::cancel::CancelSignal;
use crate::clock::{PreciseSleeper, Sleeper};
use crate::error::{Error, Result};
use auth::{Cloud, Credential};
use azure_core::http::headers::HeaderName;
use azure_core::http::policies::Policy;
use azure_core::http::policies::auth::BearerTokenAuthorizationPolicy;
use azure_core::http::{
    ClientOptions, Context, ExponentialRetryOptions, Method, Pipeline, PipelineSendOptions,
    Request, RetryOptions, Transport,
};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

/// How to reach ARM.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ArmConfig {
    /// The Azure subscription every request is made in (a GUID).
    pub subscription_id: String,
    /// The cloud whose Resource Manager and Entra ID the client talks to.
    pub cloud: Cloud,
    /// How the client gets its ARM tokens.
    pub credential: Credential,
    /// Extra PEM root certificates to trust (a private cloud's, or the emulator's).
    pub extra_root_certificates: Vec<String>,
    /// The shortest wait between two polls of a long-running operation, whatever ARM asks.
    pub min_poll_interval: Duration,
    /// Multiplies each resource provider's usual polling interval ([`POLL_DEFAULTS`]), used when ARM
    /// sends no `Retry-After` (as it mostly does not). 1.0 (the default) against Azure; against the
    /// ARM emulator, its latency scale (`arm_emulator::Config::latency_scale`), so that operations it
    /// runs in milliseconds are polled in milliseconds.
    pub poll_interval_scale: f64,
    /// What the client sleeps with between polls and retries (a fake one in tests).
    pub sleeper: Arc<dyn Sleeper>,
    /// Register the subscription for a resource provider when ARM answers a write
    /// `MissingSubscriptionRegistration`, as the Azure CLI does (default true; see `registration`).
    pub register_providers: bool,
    /// How often a request that met a server error, throttling or no answer is sent again before
    /// its error is returned (exponential backoff; `None`: the Azure SDK's default of 8, within a
    /// minute). Lower it to give up sooner on a region that does not answer, as during an outage.
    pub max_retries: Option<u32>,
    /// How requests travel: `None` (the default) is HTTPS through reqwest with the extra roots
    /// above; another `azure_core` transport replaces it (a proxying client, a recorder, or an
    /// in-process emulator in simulations).
    pub transport: Option<Arc<dyn azure_core::http::HttpClient>>,
}

impl ArmConfig {
    /// A configuration for `subscription_id` in `cloud` with `credential`, every other setting at its default.
    pub fn new(subscription_id: impl Into<String>, cloud: Cloud, credential: Credential) -> Self {
        Self {
            subscription_id: subscription_id.into(),
            cloud,
            credential,
            extra_root_certificates: Vec::new(),
            min_poll_interval: Duration::from_millis(20),
            poll_interval_scale: 1.0,
            sleeper: Arc::new(PreciseSleeper),
            register_providers: true,
            max_retries: None,
            transport: None,
        }
    }

    /// See [`ArmConfig::max_retries`](ArmConfig#structfield.max_retries).
    #[must_use]
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = Some(retries);
        self
    }

    /// Whether to register the subscription for resource providers it lacks (default true). When
    /// false, a write to an unregistered namespace fails with [`Error::Unregistered`].
    #[must_use]
    pub fn register_providers(mut self, register: bool) -> Self {
        self.register_providers = register;
        self
    }

    /// See [`ArmConfig::poll_interval_scale`](ArmConfig#structfield.poll_interval_scale).
    #[must_use]
    pub fn poll_interval_scale(mut self, scale: f64) -> Self {
        self.poll_interval_scale = scale;
        self
    }

    /// See [`ArmConfig::min_poll_interval`](ArmConfig#structfield.min_poll_interval).
    #[must_use]
    pub fn min_poll_interval(mut self, floor: Duration) -> Self {
        self.min_poll_interval = floor;
        self
    }

    /// Trusts one more root certificate (PEM): a private cloud's, or the ARM emulator's.
    #[must_use]
    pub fn trust_root_pem(mut self, pem: impl Into<String>) -> Self {
        self.extra_root_certificates.push(pem.into());
        self
    }

    /// Sleeps with `sleeper` instead of the real clock (tests, simulations).
    #[must_use]
    pub fn sleeper(mut self, sleeper: Arc<dyn Sleeper>) -> Self {
        self.sleeper = sleeper;
        self
    }

    /// See [`ArmConfig::transport`](ArmConfig#structfield.transport).
    #[must_use]
    pub fn transport(mut self, transport: Arc<dyn azure_core::http::HttpClient>) -> Self {
        self.transport = Some(transport);
        self
    }
}

/// A response with its body read.
#[derive(Debug, Clone)]
pub struct ArmResponse {
    /// The HTTP status code.
    pub status: u16,
    /// The response headers, as received.
    pub headers: Vec<(String, String)>,
    /// The JSON body; `None` when there is none (a 202 or a 204, say).
    pub body: Option<Value>,
}

impl ArmResponse {
    /// The value of the header `name` (matched case-insensitively), if ARM sent it.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A client for one subscription. Cheap to clone.
#[derive(Debug, Clone)]
pub struct ArmClient {
    inner: Arc<Inner>,
    /// Ends this client's requests and waits (see [`ArmClient::with_cancel`]).
    cancel: CancelSignal,
}

#[derive(Debug)]
struct Inner {
    pipeline: Pipeline,
    endpoint: Url,
    subscription_id: String,
    pace: lro::Pace,
    sleeper: Arc<dyn Sleeper>,
    /// ARM's budgets as last reported, and which ones each class of requests draws on.
    pacer: pacing::Pacer,
    register_providers: bool,
    /// One gate per resource provider namespace (lower-cased): true once registered.
    registrations: std::sync::Mutex<HashMap<String, Arc<tokio::sync::Mutex<bool>>>>,
    /// How the credential's token requests went.
    token_attempts: Arc<interrupt::TokenAttempts>,
    /// The regions not answering.
    breaker: Arc<breaker::Breaker>,
    /// The configured credential, for tokens to other audiences than ARM (`ArmClient::token_for`).
    credential: Arc<dyn azure_core::credentials::TokenCredential>,
}

impl ArmClient {
    /// Builds the client; fails with [`Error::Config`] on a malformed subscription ID, root certificate or credential.
    pub fn new(config: ArmConfig) -> Result<Self> {
        if let Some(problem) = settings::subscription_problem(&config.subscription_id) {
            return Err(Error::Config(format!("subscription_id: {problem}")));
        }
        let http: Arc<dyn azure_core::http::HttpClient> = match &config.transport {
            Some(transport) => transport.clone(),
            None => {
                let mut builder = reqwest::Client::builder();
                for pem in &config.extra_root_certificates {
                    let cert = reqwest::Certificate::from_pem(pem.as_bytes()).map_err(|e| {
                        Error::Config(format!("extra root certificate is not PEM: {e}"))
                    })?;
                    builder = builder.add_root_certificate(cert);
                }
                Arc::new(
                    builder
                        .build()
                        .map_err(|e| Error::Config(format!("http client: {e}")))?,
                )
            }
        };
        let mut options = ClientOptions {
            transport: Some(Transport::new(http)),
            ..ClientOptions::default()
        };
        if let Some(max_retries) = config.max_retries {
            options.retry = RetryOptions::exponential(ExponentialRetryOptions {
                max_retries,
                ..ExponentialRetryOptions::default()
            });
        }
        // The credential's own pipeline retries as ARM's does, and reports each token request.
        let token_attempts = Arc::new(interrupt::TokenAttempts::default());
        let mut credential_options = options.clone();
        credential_options
            .per_try_policies
            .push(interrupt::TokenAttempts::policy(&token_attempts));
        let credential = config.credential.build(&config.cloud, credential_options)?;
        let auth: Arc<dyn Policy> = Arc::new(BearerTokenAuthorizationPolicy::new(
            credential.clone(),
            [config.cloud.scope.clone()],
        ));
        // Each try reports to the breaker first: a region it has given up on costs no token.
        let breaker = Arc::new(breaker::Breaker::new(config.sleeper.clone()));
        let pipeline = Pipeline::new(
            Some("bcdr"),
            Some(env!("CARGO_PKG_VERSION")),
            options,
            Vec::new(),
            vec![breaker.policy(), auth],
            None,
        );
        Ok(Self {
            inner: Arc::new(Inner {
                pipeline,
                endpoint: config.cloud.resource_manager,
                subscription_id: config.subscription_id,
                pace: lro::Pace {
                    floor: config.min_poll_interval,
                    scale: config.poll_interval_scale,
                },
                sleeper: config.sleeper,
                pacer: pacing::Pacer::default(),
                register_providers: config.register_providers,
                registrations: std::sync::Mutex::default(),
                token_attempts,
                breaker,
                credential,
            }),
            cancel: CancelSignal::never(),
        })
    }

    /// The write budget ARM last reported (`x-ms-ratelimit-remaining-subscription-writes`), if it
    /// reported one.
    pub fn writes_remaining(&self) -> Option<u64> {
        self.budget("subscription-writes").map(|b| b.remaining)
    }

    /// Budget `name` as ARM last reported it: `subscription-writes`, `subscription-deletes`,
    /// `subscription-resource-requests`, ... (or the whole `x-ms-ratelimit-remaining-*` header name).
    pub fn budget(&self, name: &str) -> Option<Budget> {
        self.inner.pacer.budget(name)
    }

    /// Every budget ARM has reported to this client, by name.
    pub fn budgets(&self) -> Vec<Budget> {
        self.inner.pacer.budgets()
    }

    /// The budgets a `method` request to `path` waits on when they run low: those the last answer
    /// of its class (method kind, provider, resource type) reported.
    pub fn budgets_for(&self, method: Method, path: &str) -> Vec<String> {
        self.inner.pacer.budgets_of(&pacing::class(&method, path))
    }

    /// How often, and how long in all, requests waited for ARM's budgets to refill.
    pub fn pacing_stats(&self) -> PacingStats {
        self.inner.pacer.stats()
    }

    pub(crate) fn pace(&self) -> lro::Pace {
        self.inner.pace
    }

    /// The breakers of the regions this client writes to (see [`breaker`]).
    pub fn breaker(&self) -> &breaker::Breaker {
        &self.inner.breaker
    }

    /// The subscription this client works in.
    pub fn subscription_id(&self) -> &str {
        &self.inner.subscription_id
    }

    /// A token for `scope` (e.g. [`auth::AKS_SCOPE`]) from this client's own credential, as
    /// kubelogin gets one with a service principal; the token never reaches a log.
    pub async fn token_for(&self, scope: &str) -> Result<auth::AccessToken> {
        let token = self
            .inner
            .credential
            .get_token(&[scope], None)
            .await
            .map_err(|e| Error::Credential(format!("a token for {scope}: {e}")))?;
        tracing::debug!(scope, expires_on = %token.expires_on, "token acquired");
        Ok(auth::AccessToken::new(
            token.token.secret().to_owned(),
            token.expires_on,
        ))
    }

    pub(crate) fn sleeper(&self) -> &Arc<dyn Sleeper> {
        &self.inner.sleeper
    }

    fn registration_gate(&self, namespace: &str) -> Arc<tokio::sync::Mutex<bool>> {
        let mut gates = self
            .inner
            .registrations
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        gates
            .entry(namespace.to_ascii_lowercase())
            .or_default()
            .clone()
    }

    fn url(
        &self,
        path_or_url: &str,
        api_version: Option<&str>,
        query: &[(&str, &str)],
    ) -> Result<Url> {
        let mut url =
            if path_or_url.starts_with("https://") || path_or_url.starts_with("http://") {
                Url::parse(path_or_url)
            } else {
                self.inner.endpoint.join(path_or_url)
            }
            .map_err(|e| Error::Config(format!("bad url {path_or_url}: {e}")))?;
        {
            let mut pairs = url.query_pairs_mut();
            if let Some(v) = api_version {
                pairs.append_pair("api-version", v);
            }
            for (k, v) in query {
                pairs.append_pair(k, v);
            }
        }
        Ok(url)
    }

    /// Sends one request through the pipeline (retries and auth included) and reads the answer; an
    /// error status is an [`Error::Arm`]. A PUT or PATCH answered `MissingSubscriptionRegistration`
    /// registers the namespace and is sent again (unless `ArmConfig::register_providers` is false);
    /// reads and checks (GET, POST) never register anything.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        api_version: Option<&str>,
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<ArmResponse> {
        let mut response = self
            .exchange(method, path, api_version, query, body)
            .await?;
        if matches!(method, Method::Put | Method::Patch)
            && let Some(namespace) = registration::missing(&response, path)
        {
            if !self.inner.register_providers {
                return Err(Error::Unregistered {
                    detail: format!(
                        "bcdr was told not to register resource providers (skip_provider_registration); register it with `az provider register --namespace {namespace}`, or let bcdr do it"
                    ),
                    namespace,
                });
            }
            registration::register(self, &namespace).await?;
            response = self
                .exchange(method, path, api_version, query, body)
                .await?;
        }
        checked(&method, path, response)
    }

    /// One exchange: the answer, whatever its status. First waits, when a budget this request draws
    /// on runs low, for ARM to refill it; then reads the budgets the answer reports.
    async fn exchange(
        &self,
        method: Method,
        path: &str,
        api_version: Option<&str>,
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<ArmResponse> {
        let url = self.url(path, api_version, query)?;
        // A region given up on answers at once, before any budget or token is spent on it.
        let region = self
            .inner
            .breaker
            .region_of(url.path(), !matches!(method, Method::Get));
        if let Some(open) = region.as_deref().and_then(|r| self.inner.breaker.open(r)) {
            return Err(
                match (open, self.inner.breaker.metadata_group(url.path())) {
                    (Error::Unreachable { region, detail }, Some(group)) => Error::Unreachable {
                        detail: format!(
                            "{detail}; Azure keeps resource group {group}'s metadata in {region} and refuses writes to its resources while {region} is down: {method} {} was not sent",
                            url.path()
                        ),
                        region,
                    },
                    (open, _) => open,
                },
            );
        }
        let class = pacing::class(&method, url.path());
        let (wait, ticket) = self.inner.pacer.admit(&class, self.inner.sleeper.now());
        self.wait(wait).await?;
        let mut request = Request::new(url, method);
        request.insert_header(HeaderName::from_static("accept"), "application/json");
        // Our own id, so ARM's logs and ours correlate; also spares azure_core's request-id policy an
        // error (and, with RUST_BACKTRACE set, a captured backtrace) on every request.
        request.insert_header(
            HeaderName::from_static("x-ms-client-request-id"),
            uuid::Uuid::new_v4().to_string(),
        );
        if let Some(body) = body {
            request.insert_header(HeaderName::from_static("content-type"), "application/json");
            request.set_body(serde_json::to_vec(body).map_err(|e| Error::Config(e.to_string()))?);
        }
        let options = PipelineSendOptions {
            skip_checks: true,
            ..Default::default()
        };
        let context = Context::new();
        let send = self
            .inner
            .pipeline
            .send(&context, &mut request, Some(options));
        // Once the region's breaker opens, its requests end, those waiting between retries included.
        let given_up = async {
            match &region {
                Some(r) => self.inner.breaker.until_open(r).await,
                None => std::future::pending().await,
            }
        };
        let response = self
            .interruptible(async {
                tokio::select! {
                    sent = send => sent.map_err(|e| {
                        region
                            .as_deref()
                            .and_then(|r| self.inner.breaker.open(r))
                            .unwrap_or_else(|| classify(e))
                    }),
                    open = given_up => Err(open),
                }
            })
            .await??;
        let (status, headers, body) = response.deconstruct();
        let headers: Vec<(String, String)> = headers
            .iter()
            .map(|(n, v)| (n.as_str().to_owned(), v.as_str().to_owned()))
            .collect();
        self.inner
            .pacer
            .observe(ticket, &class, &headers, self.inner.sleeper.now());
        let status = u16::from(status);
        let body = if body.is_empty() {
            None
        } else {
            Some(
                serde_json::from_slice::<Value>(&body).map_err(|e| Error::Decode {
                    path: path.to_owned(),
                    detail: e.to_string(),
                })?,
            )
        };
        let response = ArmResponse {
            status,
            headers,
            body,
        };
        Ok(response)
    }

    /// GET a resource; `None` when ARM answers 404, or says the subscription is not registered for
    /// the resource's provider (nothing can exist there).
    pub async fn get(&self, id: &str, api_version: &str) -> Result<Option<Value>> {
        match self
            .send(Method::Get, id, Some(api_version), &[], None)
            .await
        {
            Ok(r) => Ok(r.body),
            Err(Error::Arm { status: 404, .. }) => Ok(None),
            Err(Error::Arm { code, .. }) if code == registration::CODE => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// PUT a resource, follow its long-running operation to the end, and return the resource as ARM
    /// then reports it: the synchronous answer itself, else one GET once the operation ended (or the
    /// `Location` poll's final body). See the `lro` module for the rules.
    pub async fn put(
        &self,
        id: &str,
        api_version: &str,
        body: &Value,
        query: &[(&str, &str)],
    ) -> Result<Value> {
        self.write(Method::Put, id, api_version, body, query).await
    }

    /// PATCH a resource (tags, say), following its operation as [`put`](Self::put) does.
    pub async fn patch(&self, id: &str, api_version: &str, body: &Value) -> Result<Value> {
        self.write(Method::Patch, id, api_version, body, &[]).await
    }

    async fn write(
        &self,
        method: Method,
        id: &str,
        api_version: &str,
        body: &Value,
        query: &[(&str, &str)],
    ) -> Result<Value> {
        let response = self
            .send(method, id, Some(api_version), query, Some(body))
            .await?;
        Ok(lro::follow(self, method, id, api_version, response)
            .await?
            .unwrap_or(Value::Null))
    }

    /// POST an action and follow its operation: the synchronous answer's body, else the body of the
    /// operation's `Location` once it ended (`None` when there is none).
    pub async fn post(
        &self,
        path: &str,
        api_version: &str,
        body: Option<&Value>,
    ) -> Result<Option<Value>> {
        self.post_with(path, api_version, &[], body).await
    }

    /// [`post`](Self::post) with query parameters beside `api-version`.
    pub async fn post_with(
        &self,
        path: &str,
        api_version: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<Option<Value>> {
        let response = self
            .send(Method::Post, path, Some(api_version), query, body)
            .await?;
        lro::follow(self, Method::Post, path, api_version, response).await
    }

    /// DELETE a resource and follow its operation until ARM reports it done (at once when the
    /// resource was never there).
    pub async fn delete(&self, id: &str, api_version: &str) -> Result<()> {
        match self
            .send(Method::Delete, id, Some(api_version), &[], None)
            .await
        {
            Ok(response) => lro::follow(self, Method::Delete, id, api_version, response)
                .await
                .map(|_| ()),
            Err(Error::Arm { status: 404, .. }) => Ok(()),
            // Nothing exists in a namespace the subscription is not registered for.
            Err(Error::Arm { code, .. }) if code == registration::CODE => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// The `value` array of a list call.
    pub async fn list(
        &self,
        path: &str,
        api_version: &str,
        query: &[(&str, &str)],
    ) -> Result<Vec<Value>> {
        let response = self
            .send(Method::Get, path, Some(api_version), query, None)
            .await?;
        Ok(response
            .body
            .and_then(|b| b.get("value").and_then(Value::as_array).cloned())
            .unwrap_or_default())
    }
}

/// The error's message with its causes, so that Entra's own answer (an `AADSTS` code and its
/// description) reaches the user rather than only the outermost wrapper's words.
fn with_causes(e: &azure_core::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        let next = cause.to_string();
        if !next.is_empty() && !text.contains(&next) {
            text.push_str(": ");
            text.push_str(&next);
        }
        source = cause.source();
    }
    text
}

fn classify(e: azure_core::Error) -> Error {
    match e.kind() {
        azure_core::error::ErrorKind::Credential => Error::Credential(with_causes(&e)),
        _ => Error::Transport(with_causes(&e)),
    }
}

/// `response` as it is, or an [`Error::Arm`] when its status is an error.
fn checked(method: &Method, path: &str, response: ArmResponse) -> Result<ArmResponse> {
    if response.status >= 400 {
        return Err(arm_error(method, path, &response));
    }
    Ok(response)
}

fn arm_error(method: &Method, path: &str, response: &ArmResponse) -> Error {
    let error = response.body.as_ref().map(|b| b.get("error").unwrap_or(b));
    let text = |key: &str| {
        error
            .and_then(|e| e.get(key))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    Error::Arm {
        method: method.to_string(),
        path: path.split('?').next().unwrap_or(path).to_owned(),
        status: response.status,
        code: text("code").unwrap_or_else(|| format!("Http{}", response.status)),
        message: text("message").unwrap_or_default(),
    }
}
