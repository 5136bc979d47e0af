//! go-plugin's side of the handshake and the gRPC server: checks the magic cookie and protocol
//! version, binds a loopback port within Terraform's range, prints the handshake line, and serves the
//! Provider, GRPCController and health services, over mutual TLS unless `TF_DISABLE_PLUGIN_TLS` is set.
//!
//! The process ends when Terraform says so (`Shutdown`) or when Terraform is gone (killed, crashed:
//! the provider's parent changes), as go-plugin's own providers do; in debug mode ([`Mode::Debug`],
//! started by hand for `TF_REATTACH_PROVIDERS`) it serves every Terraform run until Ctrl-C.

use crate::proto::plugin::Empty;
use crate::proto::plugin::grpc_controller_server::{GrpcController, GrpcControllerServer};
use crate::proto::tfplugin6::provider_server::ProviderServer;
use crate::server::BcdrProvider;
use crate::tls;
use base64::Engine;
use std::io::Write;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};

pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
const MAX_MESSAGE: usize = 256 << 20;
/// How often the provider checks that Terraform, its parent, is still there.
const PARENT_POLL: std::time::Duration = std::time::Duration::from_millis(200);
/// How long connections may take to close once the server stops, before the process exits anyway.
const DRAIN: std::time::Duration = std::time::Duration::from_secs(1);

/// How the provider was started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// By Terraform (go-plugin's handshake): ends with `Shutdown` or when Terraform is gone.
    Plugin,
    /// By hand (`terraform-provider-bcdr --debug`), for Terraform to reattach to
    /// (`TF_REATTACH_PROVIDERS`, printed at start): no handshake, no TLS, serves every Terraform
    /// run until Ctrl-C.
    Debug,
}

impl Mode {
    /// `--debug` (or `-debug`, as terraform-plugin-go spells it) among the arguments: debug mode.
    pub fn from_args(args: impl IntoIterator<Item = String>) -> Self {
        if args.into_iter().any(|a| a == "--debug" || a == "-debug") {
            Mode::Debug
        } else {
            Mode::Plugin
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(
        "this binary is a Terraform plugin: it is started by Terraform (or OpenTofu), not by hand. Add it to a configuration with source \"example.com/bcdr/bcdr\" instead."
    )]
    NotTerraform,
    #[error(
        "Terraform offered plugin protocol versions {0:?}; this provider speaks protocol 6 (Terraform 1.0 and later)"
    )]
    Protocol(String),
    #[error("no free port between PLUGIN_MIN_PORT and PLUGIN_MAX_PORT: {0}")]
    Bind(std::io::Error),
    #[error("tls setup failed: {0}")]
    Tls(String),
    #[error("grpc server failed: {0}")]
    Grpc(#[from] tonic::transport::Error),
    #[error("Terraform went away before the handshake: {0}")]
    Handshake(std::io::Error),
}

/// A connection tonic can serve (it needs `Connected`; TLS streams do not provide it without a feature).
struct Conn<T>(T);

impl<T: AsyncRead + Unpin> AsyncRead for Conn<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Conn<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.0).poll_write_vectored(cx, bufs)
    }
    fn is_write_vectored(&self) -> bool {
        self.0.is_write_vectored()
    }
}

impl<T> tonic::transport::server::Connected for Conn<T> {
    type ConnectInfo = ();
    fn connect_info(&self) -> Self::ConnectInfo {}
}

/// `plugin.GRPCController`: Terraform's Shutdown stops the server, and the process exits.
struct Controller(watch::Sender<bool>);

#[tonic::async_trait]
impl GrpcController for Controller {
    async fn shutdown(
        &self,
        _: tonic::Request<Empty>,
    ) -> Result<tonic::Response<Empty>, tonic::Status> {
        let _ = self.0.send(true);
        Ok(tonic::Response::new(Empty {}))
    }
}

async fn bind() -> Result<TcpListener, ServeError> {
    let port = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<u16>().ok());
    let (min, max) = (
        port("PLUGIN_MIN_PORT").unwrap_or(0),
        port("PLUGIN_MAX_PORT").unwrap_or(0),
    );
    if min == 0 || max < min {
        return TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(ServeError::Bind);
    }
    let mut last = std::io::Error::other("empty port range");
    for p in min..=max {
        match TcpListener::bind(("127.0.0.1", p)).await {
            Ok(l) => return Ok(l),
            Err(e) => last = e,
        }
    }
    Err(ServeError::Bind(last))
}

/// Runs the plugin until Terraform shuts it down or goes away (or, in debug mode, until Ctrl-C).
pub async fn run(mode: Mode) -> Result<(), ServeError> {
    if mode == Mode::Plugin {
        if std::env::var(MAGIC_COOKIE_KEY).as_deref() != Ok(MAGIC_COOKIE_VALUE) {
            return Err(ServeError::NotTerraform);
        }
        let versions = std::env::var("PLUGIN_PROTOCOL_VERSIONS").unwrap_or_else(|_| "6".into());
        if !versions.split(',').any(|v| v.trim() == "6") {
            return Err(ServeError::Protocol(versions));
        }
    }
    // The provider's parent (Terraform), read early: gone before this, the handshake's write to
    // its pipe fails; gone after, the watch sees the parent change.
    let parent = std::os::unix::process::parent_id();
    let plaintext =
        mode == Mode::Debug || std::env::var("TF_DISABLE_PLUGIN_TLS").is_ok_and(|v| !v.is_empty());
    let listener = bind().await?;
    let addr = listener.local_addr().map_err(ServeError::Bind)?;
    let (incoming_tx, mut incoming_rx) =
        mpsc::channel::<Result<Conn<Box<dyn Io>>, std::io::Error>>(64);
    let cert_field = if plaintext {
        spawn_accept(listener, None, incoming_tx);
        String::new()
    } else {
        let client_pem = std::env::var("PLUGIN_CLIENT_CERT").map_err(|_| {
            ServeError::Tls(
                "PLUGIN_CLIENT_CERT is not set (and TF_DISABLE_PLUGIN_TLS is not)".into(),
            )
        })?;
        let identity = tls::server_identity().map_err(ServeError::Tls)?;
        let config = tls::server_config(&identity, &client_pem).map_err(ServeError::Tls)?;
        spawn_accept(
            listener,
            Some(tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(config))),
            incoming_tx,
        );
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(identity.cert_der.as_ref())
    };
    let announcement = match mode {
        Mode::Plugin => format!("1|6|tcp|{addr}|grpc|{cert_field}\n"),
        Mode::Debug => debug_banner(addr),
    };
    {
        let mut out = std::io::stdout().lock();
        out.write_all(announcement.as_bytes())
            .and_then(|()| out.flush())
            .map_err(ServeError::Handshake)?;
    }
    let (stop_tx, stop_rx) = watch::channel(false);
    let provider = std::sync::Arc::new(BcdrProvider::default());
    match mode {
        Mode::Plugin => {
            tokio::spawn(async {
                // Terraform forwards Ctrl-C as StopProvider; the server itself stays up until
                // Shutdown.
                while tokio::signal::ctrl_c().await.is_ok() {
                    tracing::debug!("ignoring SIGINT");
                }
            });
            let (provider, stop_tx) = (provider.clone(), stop_tx.clone());
            watch_parent(parent, move || {
                tracing::info!(parent, "Terraform is gone: stopping");
                provider.stop();
                let _ = stop_tx.send(true);
            });
        }
        Mode::Debug => {
            let (provider, stop_tx) = (provider.clone(), stop_tx.clone());
            tokio::spawn(async move {
                if tokio::signal::ctrl_c().await.is_ok() {
                    provider.stop();
                    let _ = stop_tx.send(true);
                }
            });
        }
    }
    let (health, health_service) = tonic_health::server::health_reporter();
    health
        .set_service_status("plugin", tonic_health::ServingStatus::Serving)
        .await;
    let provider = ProviderServer::from_arc(provider)
        .max_decoding_message_size(MAX_MESSAGE)
        .max_encoding_message_size(MAX_MESSAGE);
    let incoming = futures::stream::poll_fn(move |cx| incoming_rx.poll_recv(cx));
    let (mut stopped, mut draining) = (stop_rx.clone(), stop_rx);
    let server = tonic::transport::Server::builder()
        .add_service(provider)
        .add_service(GrpcControllerServer::new(Controller(stop_tx)))
        .add_service(health_service)
        .serve_with_incoming_shutdown(incoming, async move {
            let _ = stopped.wait_for(|s| *s).await;
        });
    tokio::select! {
        served = server => served?,
        () = async {
            let _ = draining.wait_for(|s| *s).await;
            tokio::time::sleep(DRAIN).await;
        } => tracing::debug!("connections still open after shutdown: exiting anyway"),
    }
    Ok(())
}

/// What debug mode prints: where it listens, as `TF_REATTACH_PROVIDERS` wants it (Terraform 1.0
/// needs `ProtocolVersion` and `Test`).
fn debug_banner(addr: std::net::SocketAddr) -> String {
    let reattach = serde_json::json!({
        "example.com/bcdr/bcdr": {
            "Protocol": "grpc",
            "ProtocolVersion": 6,
            "Pid": std::process::id(),
            "Test": true,
            "Addr": { "Network": "tcp", "String": addr.to_string() },
        }
    });
    format!(
        "terraform-provider-bcdr is running in debug mode. In the shell that runs Terraform, set:\n\n\
         \texport TF_REATTACH_PROVIDERS='{reattach}'\n\n\
         It serves every Terraform run until Ctrl-C here.\n"
    )
}

/// Calls `on_gone` once the process that started the provider is gone (the provider is then
/// re-parented, to init or a subreaper): Terraform killed or crashed never sends Shutdown, and its
/// stdin is the user's, which does not close. `parent` is the parent read at start.
fn watch_parent(parent: u32, on_gone: impl FnOnce() + Send + 'static) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(PARENT_POLL);
        loop {
            tick.tick().await;
            if std::os::unix::process::parent_id() != parent {
                on_gone();
                return;
            }
        }
    });
}

trait Io: AsyncRead + AsyncWrite + Unpin + Send + 'static {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + 'static> Io for T {}

fn spawn_accept(
    listener: TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    tx: mpsc::Sender<Result<Conn<Box<dyn Io>>, std::io::Error>>,
) {
    tokio::spawn(async move {
        loop {
            let Ok((stream, peer)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            let (tls, tx) = (tls.clone(), tx.clone());
            tokio::spawn(async move {
                let conn: Box<dyn Io> = match tls {
                    None => Box::new(stream),
                    Some(acceptor) => match acceptor.accept(stream).await {
                        Ok(s) => Box::new(s),
                        Err(e) => {
                            tracing::warn!(%peer, error = %e, "refused a connection without Terraform's client certificate");
                            return;
                        }
                    },
                };
                let _ = tx.send(Ok(Conn(conn))).await;
            });
        }
    });
}
