//! The engine's waits go through the injected [`Sleeper`]: with the production retry policy (seconds of
//! backoff) a recording sleeper makes retries instant, and the test sees exactly the waits asked for.

mod support;

use arm_emulator::{FaultAction, FaultRule};
use bcdr::clock::Sleeper;
use bcdr::engine::{CancelSignal, Event, RetryPolicy};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::*;

/// Returns at once and remembers what it was asked to wait.
#[derive(Debug, Default)]
struct Recording(Mutex<Vec<Duration>>);

#[async_trait::async_trait]
impl Sleeper for Recording {
    async fn sleep(&self, duration: Duration) {
        self.0.lock().expect("lock").push(duration);
    }
}

fn conflicts(path: &str, times: u32) -> FaultRule {
    FaultRule {
        method: "PUT".into(),
        path_contains: path.into(),
        action: FaultAction::Respond {
            status: 409,
            code: "AnotherOperationInProgress".into(),
            retry_after: None,
        },
        remaining: times,
    }
}

const PEERING: &str = "virtualNetworkPeerings/peer-eastus-to-westus";

#[tokio::test]
async fn retries_wait_the_policy_backoff_through_the_injected_sleeper() {
    let emulator = start(fast()).await;
    emulator.add_fault(conflicts(PEERING, 3));
    let sleeper = Arc::new(Recording::default());
    let retry = RetryPolicy::default();
    let client = client(&emulator, retry, Some(sleeper.clone()));
    let waits = Mutex::new(Vec::new());
    let on_event = |e: Event<'_>| {
        if let Event::Retrying {
            index,
            attempt,
            wait,
            ..
        } = e
        {
            waits.lock().expect("lock").push((index, attempt, wait));
        }
    };
    let t = topology(
        "clock",
        &[("eastus", "10.1.0.0/16"), ("westus", "10.2.0.0/16")],
    );
    client
        .apply(&t, CancelSignal::never(), &on_event)
        .await
        .expect("apply succeeds after three conflicts");

    let waits = waits.into_inner().expect("lock");
    assert_eq!(waits.len(), 3, "{waits:?}");
    let slept = sleeper.0.lock().expect("lock").clone();
    for (n, (index, attempt, wait)) in waits.iter().enumerate() {
        assert_eq!(*attempt, n as u32 + 1);
        assert_eq!(
            *wait,
            retry.delay(*index, n as u32),
            "the policy's delay, deterministic"
        );
        let full = retry.base_delay * (1 << n);
        assert!(
            *wait >= full / 2 && *wait <= full,
            "attempt {n}: {wait:?} is 50-100% of {full:?}"
        );
        assert!(
            slept.contains(wait),
            "{wait:?} went through the sleeper: {slept:?}"
        );
    }
    let backoff: Duration = waits.iter().map(|(_, _, w)| *w).sum();
    assert!(
        backoff >= Duration::from_secs(7),
        "seconds of backoff asked for ({backoff:?}), none spent: the sleeper returned at once"
    );
}

#[tokio::test]
async fn a_conflict_that_outlasts_the_attempts_fails_with_partial_progress() {
    let emulator = start(fast()).await;
    emulator.add_fault(conflicts(PEERING, 1_000));
    let sleeper = Arc::new(Recording::default());
    let retry = RetryPolicy {
        max_attempts: 3,
        ..RetryPolicy::default()
    };
    let client = client(&emulator, retry, Some(sleeper.clone()));
    let t = topology(
        "clock",
        &[("eastus", "10.1.0.0/16"), ("westus", "10.2.0.0/16")],
    );
    let failure = client
        .apply(&t, CancelSignal::never(), &quiet)
        .await
        .expect_err("the peering never gets through");
    assert_eq!(
        failure.error.code().unwrap_or_default(),
        "AnotherOperationInProgress"
    );
    let tries = emulator
        .requests()
        .iter()
        .filter(|r| r.method == "PUT" && r.path.contains(PEERING))
        .count();
    assert_eq!(tries, 3, "max_attempts bounds the tries");
    assert_eq!(
        failure.status.regions.keys().collect::<Vec<_>>(),
        ["eastus", "westus"],
        "what was made before the failure is reported, to be saved"
    );
    assert!(
        emulator
            .resource_ids()
            .iter()
            .any(|id| id.ends_with("/virtualNetworks/vnet-clock-westus")),
        "and kept: {:?}",
        emulator.resource_ids()
    );
}

#[tokio::test]
async fn writes_are_paced_on_the_remaining_budget_through_the_sleeper() {
    let emulator = start(arm_emulator::Config {
        throttle: Some(arm_emulator::Throttle {
            // Never refilled: the client, which assumes ARM's 10/s, must not outrun 24 writes.
            write_burst: 24.0,
            write_per_sec: 0.0,
            // The recording sleeper makes polls instant too: reads are not what this measures.
            read_burst: 1e9,
            read_per_sec: 1e9,
        }),
        ..fast()
    })
    .await;
    let sleeper = Arc::new(Recording::default());
    let client = client(&emulator, RetryPolicy::default(), Some(sleeper.clone()));
    let t = topology(
        "paced",
        &[("eastus", "10.1.0.0/16"), ("westus", "10.2.0.0/16")],
    );
    client
        .apply(&t, CancelSignal::never(), &quiet)
        .await
        .expect("apply within the budget");
    let left = client
        .arm()
        .writes_remaining()
        .expect("ARM reported its budget");
    assert!(left < bcdr::arm::PACING_LOW_WATER, "{left} writes left");
    let pacing = client.arm().pacing_stats();
    assert!(
        pacing.waits > 0,
        "below {} writes left, each write first waits for the refill",
        bcdr::arm::PACING_LOW_WATER
    );
    let slept = sleeper.0.lock().expect("lock").clone();
    assert!(
        slept.len() as u64 >= pacing.waits && slept.iter().sum::<Duration>() >= pacing.waited,
        "every pacing wait ({pacing:?}) went through the sleeper: {slept:?}"
    );
    // A write waits at most until the refill lifts the budget from where ARM left it to the floor
    // (10/s), plus one refill interval for each write queued before it.
    let writes = writes(&emulator).len() as u64;
    let longest = Duration::from_millis(100 * (bcdr::arm::PACING_LOW_WATER + 1 + writes));
    assert!(
        pacing.waited <= longest * pacing.waits as u32,
        "{pacing:?} for {writes} writes"
    );
    let throttled: Vec<String> = emulator
        .requests()
        .iter()
        .filter(|r| r.status == 429)
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert!(
        throttled.is_empty(),
        "paced, never throttled: {throttled:#?}"
    );
}
