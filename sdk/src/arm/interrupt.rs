//! How a request ends early: a client given a [`CancelSignal`] ([`ArmClient::with_cancel`]) races
//! every request (token acquisition and the retries of both pipelines inside it), every wait for a
//! budget and every pause between polls against the signal, so a deadline or Terraform's
//! StopProvider ends the work within moments, not after the Azure SDK's retries (a minute per token
//! request, the token requests of concurrent reads queued behind each other).
//!
//! The credential's pipeline reports each token request's outcome to [`TokenAttempts`]: a request
//! cut short while tokens kept failing says why ([`Error::Credential`], Entra's or the transport's
//! last words) instead of only that it was cancelled.

use super::ArmClient;
use crate::cancel::CancelSignal;
use crate::error::{Error, Result};
use azure_core::http::policies::{Policy, PolicyResult};
use azure_core::http::{Context, Request};
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How the credential's latest token request went: `None` once one succeeded.
#[derive(Debug, Default)]
pub(crate) struct TokenAttempts(Mutex<Option<String>>);

impl TokenAttempts {
    fn set(&self, failure: Option<String>) {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = failure;
    }

    pub(crate) fn last_failure(&self) -> Option<String> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// A policy for each try of the credential's pipeline, reporting to `attempts`.
    pub(crate) fn policy(attempts: &Arc<TokenAttempts>) -> Arc<dyn Policy> {
        Arc::new(Observe(attempts.clone()))
    }
}

#[derive(Debug)]
struct Observe(Arc<TokenAttempts>);

#[async_trait::async_trait]
impl Policy for Observe {
    async fn send(
        &self,
        ctx: &Context,
        request: &mut Request,
        next: &[Arc<dyn Policy>],
    ) -> PolicyResult {
        let result = match next.split_first() {
            Some((first, rest)) => first.send(ctx, request, rest).await,
            None => {
                return Err(azure_core::Error::with_message(
                    azure_core::error::ErrorKind::Other,
                    "no transport after the token observer",
                ));
            }
        };
        self.0.set(match &result {
            Ok(response) if response.status().is_success() => None,
            Ok(response) => Some(format!(
                "the token endpoint answered {}",
                u16::from(response.status())
            )),
            Err(e) => Some(super::with_causes(e)),
        });
        result
    }
}

impl ArmClient {
    /// This client, whose requests and waits also end (with an error) once `signal` fires: a
    /// deadline's, Terraform's StopProvider's. Signals add up: the client's earlier ones still count.
    #[must_use]
    pub fn with_cancel(&self, signal: &CancelSignal) -> Self {
        Self {
            inner: self.inner.clone(),
            cancel: self.cancel.or(signal),
        }
    }

    /// Whether this client's cancel signal has fired.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }

    /// `work`, unless the cancel signal fires first.
    pub(crate) async fn interruptible<T>(&self, work: impl Future<Output = T>) -> Result<T> {
        if self.cancel.is_cancelled() {
            return Err(self.interrupted());
        }
        let mut cancel = self.cancel.clone();
        tokio::select! {
            done = work => Ok(done),
            () = cancel.cancelled() => Err(self.interrupted()),
        }
    }

    /// Waits `wait` on the client's sleeper, unless the cancel signal fires first.
    pub(crate) async fn wait(&self, wait: Duration) -> Result<()> {
        if wait.is_zero() {
            return Ok(());
        }
        self.interruptible(self.inner.sleeper.sleep(wait)).await
    }

    /// Why work was cut short: tokens failing, or only the signal.
    pub(crate) fn interrupted(&self) -> Error {
        match self.inner.token_attempts.last_failure() {
            Some(failure) => Error::Credential(format!(
                "{failure} (still failing when the work was stopped)"
            )),
            None => Error::Cancelled,
        }
    }
}
