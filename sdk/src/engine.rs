//! The apply engine: runs a [`Plan`]'s DAG with maximal concurrency (each operation starts the moment
//! its dependencies finish, the longest remaining chain first: [`start_order`]), retries what is
//! retryable with jittered backoff, reports progress as events, and stops starting work when
//! cancelled. Whatever happens, it returns every operation's outcome, so callers lose nothing.

mod priority;

pub use priority::{start_order, typical_duration};

use crate::arm::ArmClient;
use crate::error::Error;
use crate::plan::{Action, Plan, PlannedOperation};
use futures::stream::{FuturesUnordered, StreamExt};
use serde_json::Value;
use std::time::{Duration, Instant};

pub use crate::cancel::{CancelSignal, Canceller, cancellation};

/// Progress of an apply.
#[derive(Debug)]
#[non_exhaustive]
pub enum Event<'a> {
    /// An operation was sent to ARM.
    Started {
        /// The operation's index in the plan.
        index: usize,
        /// The operation.
        op: &'a PlannedOperation,
    },
    /// An attempt failed with a retryable error; the operation is sent again after `wait`.
    Retrying {
        /// The operation's index in the plan.
        index: usize,
        /// The operation.
        op: &'a PlannedOperation,
        /// What the failed attempt met.
        error: &'a Error,
        /// How many attempts have failed so far (1 after the first).
        attempt: u32,
        /// How long the engine waits before the next attempt.
        wait: Duration,
    },
    /// The operation succeeded (for a long-running one, once ARM reported it done).
    Finished {
        /// The operation's index in the plan.
        index: usize,
        /// The operation.
        op: &'a PlannedOperation,
        /// How long it took, retries included.
        elapsed: Duration,
    },
    /// The operation failed for good: not retryable, or out of attempts.
    Failed {
        /// The operation's index in the plan.
        index: usize,
        /// The operation.
        op: &'a PlannedOperation,
        /// Why it failed.
        error: &'a Error,
        /// How long it took, retries included.
        elapsed: Duration,
    },
    /// The operation was not started because one it depends on failed, was skipped or was interrupted.
    Skipped {
        /// The operation's index in the plan.
        index: usize,
        /// The operation.
        op: &'a PlannedOperation,
    },
}

/// How one operation ended.
#[derive(Debug)]
#[non_exhaustive]
pub enum Outcome {
    /// Done; for creates and updates, the resource as ARM reports it afterwards.
    Done(Option<Value>),
    /// Failed for good: the error of its last attempt.
    Failed(Error),
    /// Not started because a dependency failed or the apply was cancelled.
    Skipped,
    /// Started, then abandoned by cancellation: ARM may still finish it; a re-run adopts the result.
    Interrupted,
}

/// Every operation's outcome, by plan index, with timings.
#[derive(Debug)]
pub struct Report {
    /// How each operation ended, by plan index.
    pub outcomes: Vec<Outcome>,
    /// How long each operation ran, by plan index; `None` for those never sent (no-ops included).
    pub elapsed: Vec<Option<Duration>>,
    /// Whether the apply was cancelled before every operation ended.
    pub cancelled: bool,
}

impl Report {
    /// Whether every operation is done and the apply was not cancelled.
    pub fn is_success(&self) -> bool {
        !self.cancelled && self.outcomes.iter().all(|o| matches!(o, Outcome::Done(_)))
    }

    /// The first error, in plan order.
    pub fn first_error(&self) -> Option<&Error> {
        self.outcomes.iter().find_map(|o| match o {
            Outcome::Failed(e) => Some(e),
            _ => None,
        })
    }
}

/// How the engine runs a plan.
#[derive(Debug, Clone, Copy, Default)]
#[non_exhaustive]
pub struct Options {
    /// How failed operations are retried.
    pub retry: RetryPolicy,
    /// At most this many operations at once; 0 for no limit (the default: each starts when it can).
    pub max_concurrency: usize,
}

/// Retry policy for operations (on top of the pipeline's own HTTP retries).
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts per operation, the first included (6 by default).
    pub max_attempts: u32,
    /// The wait before the second attempt (2 s by default), doubled for each later one, with jitter.
    pub base_delay: Duration,
    /// The longest wait between two attempts (60 s by default).
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 6,
            base_delay: Duration::from_secs(2),
            max_delay: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// Exponential backoff with deterministic jitter (50-100%) spread by operation index and attempt.
    pub fn delay(&self, index: usize, attempt: u32) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(1 << attempt.min(16))
            .min(self.max_delay);
        let spread = (index as u64)
            .wrapping_mul(2_654_435_761)
            .wrapping_add(u64::from(attempt) * 40_503)
            % 1000;
        exp.mul_f64(0.5 + spread as f64 / 2000.0)
    }
}

async fn run_one(
    client: &ArmClient,
    retry: RetryPolicy,
    index: usize,
    op: &PlannedOperation,
    body: Option<Value>,
    on_event: &(dyn Fn(Event<'_>) + Send + Sync),
) -> Result<Option<Value>, Error> {
    let api = op.key.api_version();
    let body = body.unwrap_or(Value::Null);
    let mut attempt = 0;
    loop {
        let sync: &[(&str, &str)] = if matches!(op.key, crate::layout::ResourceKey::Peering { .. })
        {
            &[("syncRemoteAddressSpace", "true")]
        } else {
            &[]
        };
        let result = match op.action {
            Action::Create | Action::Update => {
                let query = if op.action == Action::Update {
                    sync
                } else {
                    &[]
                };
                client.put(&op.id, api, &body, query).await.map(Some)
            }
            Action::Delete => client.delete(&op.id, api).await.map(|()| None),
            Action::Replace => match client.delete(&op.id, api).await {
                Ok(()) => client.put(&op.id, api, &body, &[]).await.map(Some),
                Err(e) => Err(e),
            },
            Action::Promote => client.patch(&op.id, api, &body).await.map(Some),
            Action::NoOp => Ok(None),
        };
        match result {
            Err(e) if e.is_retryable() && attempt + 1 < retry.max_attempts => {
                let wait = retry.delay(index, attempt);
                on_event(Event::Retrying {
                    index,
                    op,
                    error: &e,
                    attempt: attempt + 1,
                    wait,
                });
                client.sleeper().sleep(wait).await;
                attempt += 1;
            }
            other => return other,
        }
    }
}

/// The operation's body with the values its bindings take from finished operations.
fn bound_body(op: &PlannedOperation, outcomes: &[Option<Outcome>]) -> Option<Value> {
    let mut body = op.body.clone()?;
    for b in &op.bindings {
        let value = match outcomes.get(b.source) {
            Some(Some(Outcome::Done(Some(result)))) => result.pointer(&b.source_pointer).cloned(),
            _ => None,
        };
        if let (Some(v), Some(slot)) = (value, body.pointer_mut(&b.target)) {
            *slot = v;
        }
    }
    Some(body)
}

/// Runs `plan` against ARM.
pub async fn execute(
    client: &ArmClient,
    plan: &Plan,
    options: Options,
    mut cancel: CancelSignal,
    on_event: &(dyn Fn(Event<'_>) + Send + Sync),
) -> Report {
    let ops = &plan.operations;
    let n = ops.len();
    let retry = options.retry;
    let limit = if options.max_concurrency == 0 {
        usize::MAX
    } else {
        options.max_concurrency
    };
    let mut outcomes: Vec<Option<Outcome>> = (0..n).map(|_| None).collect();
    let mut elapsed: Vec<Option<Duration>> = vec![None; n];
    let mut started = vec![false; n];
    let mut running = FuturesUnordered::new();
    let mut cancelled = cancel.is_cancelled();
    let order = start_order(plan);
    loop {
        // Start (or skip) everything whose dependencies have settled, longest remaining chain first.
        let mut progressed = true;
        while progressed && !cancelled {
            progressed = false;
            for &i in &order {
                if started[i] || outcomes[i].is_some() {
                    continue;
                }
                let deps = &ops[i].depends_on;
                if deps.iter().any(|&d| {
                    matches!(
                        outcomes[d],
                        Some(Outcome::Failed(_) | Outcome::Skipped | Outcome::Interrupted)
                    )
                }) {
                    outcomes[i] = Some(Outcome::Skipped);
                    on_event(Event::Skipped {
                        index: i,
                        op: &ops[i],
                    });
                    progressed = true;
                } else if deps
                    .iter()
                    .all(|&d| matches!(outcomes[d], Some(Outcome::Done(_))))
                {
                    if ops[i].action != Action::NoOp && running.len() >= limit {
                        continue;
                    }
                    if ops[i].action == Action::NoOp {
                        outcomes[i] = Some(Outcome::Done(None));
                        progressed = true;
                        continue;
                    }
                    started[i] = true;
                    on_event(Event::Started {
                        index: i,
                        op: &ops[i],
                    });
                    let op = &ops[i];
                    let body = bound_body(op, &outcomes);
                    running.push(async move {
                        let t0 = Instant::now();
                        let result = run_one(client, retry, i, op, body, on_event).await;
                        (i, result, t0.elapsed())
                    });
                }
            }
        }
        if running.is_empty() {
            break;
        }
        // Cancellation first: an operation whose client watches the same signal must not end as
        // failed when it is abandoned.
        tokio::select! {
            biased;
            () = cancel.cancelled(), if !cancelled => {
                cancelled = true;
                drop(std::mem::take(&mut running));
                break;
            }
            Some((i, result, took)) = running.next() => {
                elapsed[i] = Some(took);
                match result {
                    Ok(body) => {
                        on_event(Event::Finished { index: i, op: &ops[i], elapsed: took });
                        outcomes[i] = Some(Outcome::Done(body));
                    }
                    // Its client was cancelled (by a signal of its own): abandoned, not failed.
                    Err(Error::Cancelled) => outcomes[i] = Some(Outcome::Interrupted),
                    Err(e) => {
                        on_event(Event::Failed { index: i, op: &ops[i], error: &e, elapsed: took });
                        outcomes[i] = Some(Outcome::Failed(e));
                    }
                }
            }
        }
    }
    let outcomes = outcomes
        .into_iter()
        .enumerate()
        .map(|(i, o)| {
            o.unwrap_or(if started[i] {
                Outcome::Interrupted
            } else {
                Outcome::Skipped
            })
        })
        .collect();
    Report {
        outcomes,
        elapsed,
        cancelled,
    }
}

#[cfg(test)]
mod tests {
    use super::RetryPolicy;
    use std::time::Duration;

    #[test]
    fn backoff_doubles_within_jitter_and_stops_at_the_cap() {
        let p = RetryPolicy::default();
        for index in 0..50 {
            for attempt in 0..20 {
                let full = p
                    .base_delay
                    .saturating_mul(1 << attempt.min(16))
                    .min(p.max_delay);
                let d = p.delay(index, attempt);
                assert!(
                    d >= full / 2 && d <= full,
                    "{index}/{attempt}: {d:?} of {full:?}"
                );
                assert_eq!(d, p.delay(index, attempt), "deterministic");
            }
        }
        assert!(p.delay(0, 30) <= Duration::from_secs(60));
        let spread: std::collections::BTreeSet<_> = (0..20).map(|i| p.delay(i, 0)).collect();
        assert!(
            spread.len() > 10,
            "operations retrying together spread out: {spread:?}"
        );
    }
}
