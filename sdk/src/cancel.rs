//! Cancellation: a [`Canceller`] fires its [`CancelSignal`]s (Terraform's StopProvider, a deadline,
//! Ctrl-C). A signal may watch several cancellers ([`CancelSignal::or`]) and fires when any of them
//! does. The engine stops starting work on it; an [`ArmClient`](crate::ArmClient) given one
//! ([`with_cancel`](crate::ArmClient::with_cancel)) ends every request and wait with it, token
//! acquisition and its retries included.

use futures::stream::{FuturesUnordered, StreamExt};
use tokio::sync::watch;

/// A handle that cancels an apply from elsewhere (e.g. Terraform's StopProvider).
#[derive(Debug, Clone)]
pub struct Canceller(watch::Sender<bool>);

/// What an apply watches for cancellation: fires when any of its cancellers does.
#[derive(Debug, Clone)]
pub struct CancelSignal(Vec<watch::Receiver<bool>>);

/// A new canceller and the signal it fires.
pub fn cancellation() -> (Canceller, CancelSignal) {
    let (tx, rx) = watch::channel(false);
    (Canceller(tx), CancelSignal(vec![rx]))
}

impl Canceller {
    /// Fires every signal watching this canceller; a second call does nothing more.
    pub fn cancel(&self) {
        let _ = self.0.send(true);
    }
}

impl CancelSignal {
    /// A signal that never fires.
    pub fn never() -> Self {
        Self(Vec::new())
    }

    /// A signal that fires when `self` or `other` does.
    #[must_use]
    pub fn or(&self, other: &CancelSignal) -> Self {
        let mut watched = self.0.clone();
        watched.extend(other.0.iter().cloned());
        Self(watched)
    }

    /// Whether any canceller it watches has fired.
    pub fn is_cancelled(&self) -> bool {
        self.0.iter().any(|rx| *rx.borrow())
    }

    /// Resolves once cancelled (never, if every canceller is dropped without cancelling).
    pub async fn cancelled(&mut self) {
        let mut waits: FuturesUnordered<_> = self
            .0
            .iter_mut()
            .map(|rx| async move { rx.wait_for(|c| *c).await.is_ok() })
            .collect();
        while let Some(fired) = waits.next().await {
            if fired {
                return;
            }
        }
        std::future::pending::<()>().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    async fn fires(mut signal: CancelSignal) -> bool {
        tokio::time::timeout(Duration::from_millis(50), signal.cancelled())
            .await
            .is_ok()
    }

    #[tokio::test]
    async fn a_combined_signal_fires_with_either_canceller() {
        let (first, a) = cancellation();
        let (second, b) = cancellation();
        let both = a.or(&b);
        assert!(!both.is_cancelled());
        assert!(!fires(both.clone()).await);
        second.cancel();
        assert!(both.is_cancelled() && fires(both.clone()).await);
        assert!(!a.is_cancelled(), "the other signal is left alone");
        drop(first);
        assert!(fires(both).await);
    }

    #[tokio::test]
    async fn a_dropped_canceller_never_fires_but_the_others_still_can() {
        let (dropped, a) = cancellation();
        let (kept, b) = cancellation();
        drop(dropped);
        let both = a.or(&b);
        assert!(!fires(both.clone()).await);
        kept.cancel();
        assert!(fires(both).await);
        assert!(!fires(CancelSignal::never()).await);
    }
}
