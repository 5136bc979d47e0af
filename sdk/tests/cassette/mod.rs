//! A cassette server: recorded Azure Resource Manager answers (`shared/azure-recordings`, or
//! `$BCDR_AZURE_RECORDINGS`) served over HTTPS, in order, to the SDK's public ARM client.
//!
//! It answers Entra ID's token request (`POST /{tenant}/oauth2/v2.0/token`) as often as asked, and
//! every other request with the next interaction of its cassette when the method and the path
//! (without query, case-insensitively) are those the cassette expects next; anything else is a
//! mismatch, answered 400 `CassetteMismatch` (which the SDK does not retry) and failing
//! [`Cassette::assert_played`]. Absolute `https://management.azure.com` URLs in `Azure-AsyncOperation`
//! and `Location` headers are rewritten to the server's own address, query strings kept; relative ones
//! resolve against it already. Recorded api-versions are often older than the SDK's pinned ones, so
//! queries are recorded ([`Sent::query`]) but never matched.

use axum::body::Body;
use axum::http::{HeaderValue, Request, Response, StatusCode};
use bcdr::clock::Sleeper;
use bcdr::{ArmClient, ArmConfig, Cloud, Credential};
use serde_json::Value;
use std::collections::VecDeque;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

pub const SUB: &str = "00000000-0000-0000-0000-000000000000";
const AZURE: &str = "https://management.azure.com";

/// One recorded (or, said so, made-up) exchange.
#[derive(Debug, Clone)]
pub struct Interaction {
    /// The interaction's index in its recording; `None` for one a test made up.
    pub index: Option<usize>,
    pub method: String,
    /// As recorded: host removed, query kept.
    pub path: String,
    pub request_body: Option<Value>,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub response_body: Option<Value>,
}

impl Interaction {
    /// The path without its query: what the SDK is given as a resource id.
    pub fn resource(&self) -> &str {
        self.path.split('?').next().unwrap_or(&self.path)
    }

    /// A recorded header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// An exchange no recording holds, made up by a test (which must say why).
    pub fn made_up(
        method: &str,
        path: &str,
        status: u16,
        headers: &[(&str, &str)],
        body: Option<Value>,
    ) -> Self {
        Self {
            index: None,
            method: method.to_owned(),
            path: path.to_owned(),
            request_body: None,
            status,
            headers: headers
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
            response_body: body,
        }
    }
}

/// Where the recordings are: `$BCDR_AZURE_RECORDINGS`, else `shared/azure-recordings` beside the
/// workspace.
pub fn location() -> PathBuf {
    if let Some(p) = std::env::var_os("BCDR_AZURE_RECORDINGS") {
        return PathBuf::from(p);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/azure-recordings")
}

/// One recording file.
#[derive(Debug)]
pub struct Recording {
    pub name: String,
    pub interactions: Vec<Interaction>,
}

impl Recording {
    /// The recording `name`, or `None` with a loud note (a panic under CI, which always has the
    /// recordings) when the recordings are not there: the test then did not run, and says so.
    pub fn load(test: &str, name: &str) -> Option<Self> {
        let path = location().join(name);
        let Ok(text) = std::fs::read_to_string(&path) else {
            let note = format!(
                "AZURE RECORDING TEST DID NOT RUN ({test}): no {}; set BCDR_AZURE_RECORDINGS to a copy of shared/azure-recordings",
                path.display()
            );
            if std::env::var_os("CI").is_some() {
                panic!("{note}");
            }
            let _ = writeln!(std::io::stderr(), "\n*** {note} ***\n");
            return None;
        };
        let doc: Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let interactions = doc["interactions"]
            .as_array()
            .unwrap_or_else(|| panic!("{name}: no interactions"))
            .iter()
            .enumerate()
            .map(|(index, i)| Interaction {
                index: Some(index),
                method: i["method"].as_str().unwrap_or_default().to_owned(),
                path: i["path"].as_str().unwrap_or_default().to_owned(),
                request_body: Some(i["request_body"].clone()).filter(|b| !b.is_null()),
                status: i["status"].as_u64().unwrap_or_default() as u16,
                headers: i["headers"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(n, v)| (n.clone(), v.as_str().unwrap_or_default().to_owned()))
                    .collect(),
                response_body: Some(i["response_body"].clone()).filter(|b| !b.is_null()),
            })
            .collect();
        Some(Self {
            name: name.to_owned(),
            interactions,
        })
    }

    /// Interaction `i`.
    pub fn at(&self, i: usize) -> Interaction {
        self.interactions
            .get(i)
            .cloned()
            .unwrap_or_else(|| panic!("{} has no interaction #{i}", self.name))
    }

    /// Interactions `indices`, in that order.
    pub fn pick(&self, indices: impl IntoIterator<Item = usize>) -> Vec<Interaction> {
        indices.into_iter().map(|i| self.at(i)).collect()
    }
}

/// One request the SDK sent.
#[derive(Debug, Clone)]
pub struct Sent {
    pub method: String,
    pub path: String,
    /// The query, decoded, pair by pair.
    pub query: Vec<(String, String)>,
    pub body: Option<Value>,
    pub authorization: Option<String>,
    /// The interaction that answered it (its recorded index; `None` for a made-up one or a mismatch).
    pub served: Option<usize>,
}

impl Sent {
    pub fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Default)]
struct State {
    queue: VecDeque<Interaction>,
    sent: Vec<Sent>,
    mismatches: Vec<String>,
    tokens: usize,
    base: String,
}

/// A running cassette server.
pub struct Cassette {
    addr: SocketAddr,
    cert_pem: String,
    state: Arc<Mutex<State>>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

/// Waits nothing: each wait is recorded, and moves a virtual clock forward by as much (the pacer
/// reads the clock, so its refill counts the waits as if they had passed).
#[derive(Debug)]
pub struct VirtualClock {
    start: Instant,
    waits: Mutex<Vec<Duration>>,
}

impl Default for VirtualClock {
    fn default() -> Self {
        Self {
            start: Instant::now(),
            waits: Mutex::default(),
        }
    }
}

impl VirtualClock {
    pub fn waits(&self) -> Vec<Duration> {
        self.waits.lock().expect("waits").clone()
    }
}

#[async_trait::async_trait]
impl Sleeper for VirtualClock {
    async fn sleep(&self, duration: Duration) {
        self.waits.lock().expect("waits").push(duration);
    }

    fn now(&self) -> Instant {
        self.start + self.waits().iter().sum::<Duration>()
    }
}

impl Cassette {
    /// Serves `interactions`, in order, on a new HTTPS port.
    pub async fn serve(interactions: Vec<Interaction>) -> Self {
        let made = rcgen::generate_simple_self_signed(vec![
            "127.0.0.1".to_owned(),
            "localhost".to_owned(),
        ])
        .expect("certificate");
        let cert_pem = made.cert.pem();
        let acceptor = acceptor(&cert_pem, &made.signing_key.serialize_pem());
        let tcp = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = tcp.local_addr().expect("address");
        let state = Arc::new(Mutex::new(State {
            queue: interactions.into(),
            base: format!("https://{addr}"),
            ..State::default()
        }));
        let handler_state = state.clone();
        let router = axum::Router::new().fallback(move |request: Request<Body>| {
            let state = handler_state.clone();
            async move { answer(&state, request).await }
        });
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let listener = Tls { tcp, acceptor };
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Self {
            addr,
            cert_pem,
            state,
            shutdown: Some(tx),
        }
    }

    pub fn endpoint(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// The SDK's ARM client pointed at this server (ARM and Entra ID both), waiting on `clock`, its
    /// polling defaults times `scale`.
    pub fn client(&self, scale: f64, clock: Arc<VirtualClock>) -> ArmClient {
        let cloud = Cloud::custom(&self.endpoint(), &self.endpoint()).expect("cloud");
        let credential =
            Credential::client_secret("00000000-0000-0000-0000-00000000aaaa", "cassette", "x");
        ArmClient::new(
            ArmConfig::new(SUB, cloud, credential)
                .trust_root_pem(&self.cert_pem)
                .poll_interval_scale(scale)
                .sleeper(clock)
                // A mismatch is a 400, never retried; a recorded 5xx would be, so keep it short.
                .max_retries(0),
        )
        .expect("client")
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().expect("cassette")
    }

    /// What the SDK sent to ARM (token requests aside), in order.
    pub fn sent(&self) -> Vec<Sent> {
        self.state().sent.clone()
    }

    /// `METHOD /path` of each request, paths without query.
    pub fn requests(&self) -> Vec<String> {
        self.sent()
            .iter()
            .map(|s| format!("{} {}", s.method, s.path))
            .collect()
    }

    /// The recorded index that answered each request, in order.
    pub fn served(&self) -> Vec<Option<usize>> {
        self.sent().iter().map(|s| s.served).collect()
    }

    /// How many tokens the SDK asked Entra ID for.
    pub fn tokens(&self) -> usize {
        self.state().tokens
    }

    /// Panics unless every request was the one expected next and every interaction was played.
    pub fn assert_played(&self) {
        let state = self.state();
        assert!(
            state.mismatches.is_empty(),
            "requests the cassette did not expect: {:#?}",
            state.mismatches
        );
        let left: Vec<String> = state
            .queue
            .iter()
            .map(|i| format!("#{:?} {} {}", i.index, i.method, i.resource()))
            .collect();
        assert!(left.is_empty(), "never asked for: {left:#?}");
    }
}

impl Drop for Cassette {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

fn acceptor(cert_pem: &str, key_pem: &str) -> TlsAcceptor {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let cert = CertificateDer::from_pem_slice(cert_pem.as_bytes()).expect("certificate");
    let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).expect("key");
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocols")
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .expect("server config");
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    TlsAcceptor::from(Arc::new(config))
}

/// TCP connections whose TLS handshake completed.
struct Tls {
    tcp: TcpListener,
    acceptor: TlsAcceptor,
}

impl axum::serve::Listener for Tls {
    type Io = tokio_rustls::server::TlsStream<tokio::net::TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((stream, peer)) = self.tcp.accept().await else {
                continue;
            };
            if let Ok(tls) = self.acceptor.accept(stream).await {
                return (tls, peer);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

fn json(status: u16, body: &Value) -> Response<Body> {
    let mut response = Response::new(Body::from(body.to_string()));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    response.headers_mut().insert(
        "content-type",
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

async fn answer(state: &Mutex<State>, request: Request<Body>) -> Response<Body> {
    let method = request.method().as_str().to_owned();
    let path = request.uri().path().to_owned();
    let query: Vec<(String, String)> =
        url::form_urlencoded::parse(request.uri().query().unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let authorization = request
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let bytes = axum::body::to_bytes(request.into_body(), usize::MAX)
        .await
        .unwrap_or_default();
    if method == "POST" && path.ends_with("/oauth2/v2.0/token") {
        state.lock().expect("cassette").tokens += 1;
        return json(
            200,
            &serde_json::json!({
                "token_type": "Bearer",
                "expires_in": 3600,
                "ext_expires_in": 3600,
                "access_token": "cassette-token",
            }),
        );
    }
    let body = serde_json::from_slice::<Value>(&bytes).ok();
    let mut state = state.lock().expect("cassette");
    let expected = state.queue.front().cloned();
    let matches = expected.as_ref().is_some_and(|e| {
        e.method.eq_ignore_ascii_case(&method) && e.resource().eq_ignore_ascii_case(&path)
    });
    let mut sent = Sent {
        method: method.clone(),
        path: path.clone(),
        query,
        body,
        authorization,
        served: None,
    };
    let Some(next) = expected.filter(|_| matches) else {
        let wanted = state
            .queue
            .front()
            .map_or("nothing (the cassette is played)".to_owned(), |e| {
                format!("#{:?} {} {}", e.index, e.method, e.resource())
            });
        let text = format!("{method} {path}, where the cassette expected {wanted}");
        state.mismatches.push(text.clone());
        state.sent.push(sent);
        return json(
            400,
            &serde_json::json!({ "error": { "code": "CassetteMismatch", "message": text } }),
        );
    };
    state.queue.pop_front();
    sent.served = next.index;
    state.sent.push(sent);
    let mut response = match &next.response_body {
        Some(body) => json(next.status, body),
        None => {
            let mut r = Response::new(Body::empty());
            *r.status_mut() = StatusCode::from_u16(next.status).unwrap_or(StatusCode::OK);
            r
        }
    };
    for (name, value) in &next.headers {
        let value = if name.eq_ignore_ascii_case("azure-asyncoperation")
            || name.eq_ignore_ascii_case("location")
        {
            value.replacen(AZURE, &state.base, 1)
        } else {
            value.clone()
        };
        if let (Ok(n), Ok(v)) = (
            axum::http::HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            response.headers_mut().append(n, v);
        }
    }
    response
}
