//! A transport that hands each request to a function instead of the network: an ARM stand-in in
//! this process (the emulator, in simulations and tests), after a round trip waited on the
//! injected [`Sleeper`], so that on a paused clock the wait costs no time at all; and a credential
//! minting a fresh token for every request ([`FreshTokens`]) for a stand-in on its own clock.

use crate::clock::Sleeper;
use azure_core::http::{AsyncRawResponse, Body, HttpClient, Request, StatusCode, headers::Headers};
use futures::future::BoxFuture;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// A request as the function sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    /// The HTTP method (`GET`, `PUT`, ...).
    pub method: String,
    /// Absolute, with its query.
    pub url: String,
    /// The headers the pipeline set (the bearer token among them), as sent.
    pub headers: Vec<(String, String)>,
    /// The request body (JSON, or empty).
    pub body: Vec<u8>,
}

/// The function's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The HTTP status code.
    pub status: u16,
    /// The answer's headers (`Azure-AsyncOperation`, `Location`, `Retry-After`, the rate limits).
    pub headers: Vec<(String, String)>,
    /// The answer's body.
    pub body: Vec<u8>,
}

type Handler = dyn Fn(Exchange) -> BoxFuture<'static, Answer> + Send + Sync;

/// An `azure_core` transport calling `handler` for every request, half of `round_trip` before and
/// half after it (see [`ArmConfig::transport`](crate::ArmConfig#structfield.transport)).
pub struct FnTransport {
    handler: Arc<Handler>,
    round_trip: Duration,
    sleeper: Arc<dyn Sleeper>,
}

impl FnTransport {
    /// A transport answering every request with `handler`, waiting half of `round_trip` on
    /// `sleeper` before the call and half after it.
    pub fn new(
        handler: impl Fn(Exchange) -> BoxFuture<'static, Answer> + Send + Sync + 'static,
        round_trip: Duration,
        sleeper: Arc<dyn Sleeper>,
    ) -> Self {
        Self {
            handler: Arc::new(handler),
            round_trip,
            sleeper,
        }
    }
}

impl fmt::Debug for FnTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FnTransport")
            .field("round_trip", &self.round_trip)
            .finish_non_exhaustive()
    }
}

#[async_trait::async_trait]
impl HttpClient for FnTransport {
    async fn execute_request(&self, request: &Request) -> azure_core::Result<AsyncRawResponse> {
        let body = match request.body() {
            Body::Bytes(b) => b.to_vec(),
            #[allow(unreachable_patterns)]
            _ => Vec::new(),
        };
        let exchange = Exchange {
            method: request.method().as_str().to_owned(),
            url: request.url().as_str().to_owned(),
            headers: request
                .headers()
                .iter()
                .map(|(k, v)| (k.as_str().to_owned(), v.as_str().to_owned()))
                .collect(),
            body,
        };
        self.sleeper.sleep(self.round_trip / 2).await;
        let answer = (self.handler)(exchange).await;
        self.sleeper.sleep(self.round_trip / 2).await;
        let mut headers = Headers::new();
        for (name, value) in answer.headers {
            headers.insert(name, value);
        }
        Ok(AsyncRawResponse::from_bytes(
            StatusCode::from(answer.status),
            headers,
            answer.body,
        ))
    }
}

/// A credential that asks `mint` for a token on every request, reported to `azure_core` as expiring
/// at once so that it is never cached: for a stand-in whose clock is not the system's (a simulation on
/// a paused clock, where hours of the stand-in's time pass in seconds and a token cached by the system's
/// clock would outlive its hour). Use it through [`Credential::Custom`](crate::Credential::Custom).
pub struct FreshTokens {
    mint: Box<dyn Fn() -> String + Send + Sync>,
}

impl FreshTokens {
    /// A credential whose every token is `mint()`.
    pub fn new(mint: impl Fn() -> String + Send + Sync + 'static) -> Self {
        Self {
            mint: Box::new(mint),
        }
    }
}

impl fmt::Debug for FreshTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FreshTokens(..)")
    }
}

#[async_trait::async_trait]
impl azure_core::credentials::TokenCredential for FreshTokens {
    async fn get_token(
        &self,
        _scopes: &[&str],
        _options: Option<azure_core::credentials::TokenRequestOptions<'_>>,
    ) -> azure_core::Result<azure_core::credentials::AccessToken> {
        Ok(azure_core::credentials::AccessToken::new(
            (self.mint)(),
            azure_core::time::OffsetDateTime::now_utc(),
        ))
    }
}
