//! Injected time: everything that waits (polling, backoff) goes through a [`Sleeper`], so tests can run
//! on tokio's paused clock or record the waits they asked for.

use std::fmt::Debug;
use std::time::Duration;

#[async_trait::async_trait]
pub trait Sleeper: Send + Sync + Debug {
    async fn sleep(&self, duration: Duration);
}

/// Sleeps on tokio's timer (which tests may pause and advance).
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioSleeper;

#[async_trait::async_trait]
impl Sleeper for TokioSleeper {
    async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration).await;
    }
}
