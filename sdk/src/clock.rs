//! Injected time: everything that waits (polling, backoff, pacing on ARM's budgets) goes through a
//! [`Sleeper`], and the pacing reads its clock from it too, so tests can run on tokio's paused clock,
//! or on a virtual clock that each recorded wait moves forward.

use std::fmt::Debug;
use std::time::{Duration, Instant};

/// How the SDK waits: polls, backoff and pacing all sleep through one, so tests can control time.
#[async_trait::async_trait]
pub trait Sleeper: Send + Sync + Debug {
    /// Waits `duration` (on this sleeper's clock).
    async fn sleep(&self, duration: Duration);

    /// The time on this sleeper's clock (the system's monotonic clock unless the sleeper keeps its own).
    fn now(&self) -> Instant {
        Instant::now()
    }
}

/// Sleeps on a timer thread that wakes within a fraction of a millisecond (futures-timer), the
/// default. tokio's timer wheel ticks in whole milliseconds and overshoots each sleep by about one:
/// nothing against minutes-long operations, but a chain of short ones (the peering writes on one VNet,
/// each polled at its exact `Retry-After`) would pay it at every link.
#[derive(Debug, Clone, Copy, Default)]
pub struct PreciseSleeper;

#[async_trait::async_trait]
impl Sleeper for PreciseSleeper {
    async fn sleep(&self, duration: Duration) {
        futures_timer::Delay::new(duration).await;
    }
}

/// Sleeps on tokio's timer (which tests may pause and advance).
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioSleeper;

#[async_trait::async_trait]
impl Sleeper for TokioSleeper {
    async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration).await;
    }

    fn now(&self) -> Instant {
        tokio::time::Instant::now().into_std()
    }
}
