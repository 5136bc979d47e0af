//! Every wait honours cancellation, token acquisition included: with every token request dropped by
//! the emulator (the Azure SDK retries each for about a minute, and concurrent reads queue behind it
//! for their token), an apply, a destroy and a read given a cancel signal end within moments of it,
//! saying why the tokens failed. Real clock, generous margins.

mod support;

use arm_emulator::{Config, FaultAction, FaultRule};
use bcdr::engine::{CancelSignal, cancellation};
use bcdr::{ArmClient, Error, Region, Topology, TopologyClient};
use std::time::{Duration, Instant};
use support::*;

const DEADLINE: Duration = Duration::from_millis(500);
/// Far below the minute a single token request's retries take.
const MARGIN: Duration = Duration::from_secs(3);

fn two_regions() -> Topology {
    Topology::new("deadline")
        .region(Region::new("eastus", "10.1.0.0/16"))
        .region(Region::new("westus", "10.2.0.0/16"))
}

/// An emulator that hangs up on every token request, and a client of it with the Azure SDK's
/// default retries.
async fn tokens_dropped() -> (arm_emulator::Emulator, TopologyClient) {
    let emulator = start(fast()).await;
    emulator.add_fault(FaultRule {
        method: "POST".into(),
        path_contains: "/oauth2/v2.0/token".into(),
        action: FaultAction::Drop {
            after_processing: false,
        },
        remaining: u32::MAX,
    });
    let client = TopologyClient::new(ArmClient::new(arm_config(&emulator)).expect("client"));
    (emulator, client)
}

/// A signal that fires after `after`.
fn deadline(after: Duration) -> CancelSignal {
    let (canceller, signal) = cancellation();
    tokio::spawn(async move {
        tokio::time::sleep(after).await;
        canceller.cancel();
    });
    signal
}

fn assert_names_the_token_failure(error: &Error) {
    let Error::Credential(text) = error else {
        panic!("a credential error, got {error:?}");
    };
    assert!(
        text.contains("still failing when the work was stopped"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_apply_whose_tokens_fail_ends_at_its_deadline() {
    let (emulator, client) = tokens_dropped().await;
    let started = Instant::now();
    let failure = client
        .apply(&two_regions(), deadline(DEADLINE), &quiet)
        .await
        .expect_err("no token, no apply");
    let took = started.elapsed();
    assert!(took >= DEADLINE, "{took:?}");
    assert!(took < DEADLINE + MARGIN, "ended {took:?} after the start");
    assert_names_the_token_failure(&failure.error);
    assert!(
        emulator
            .requests()
            .iter()
            .all(|r| !r.path.starts_with("/subscriptions/")),
        "no ARM request went out without a token"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_destroy_and_reads_whose_tokens_fail_end_when_cancelled() {
    let (_emulator, client) = tokens_dropped().await;
    let started = Instant::now();
    let failure = client
        .destroy("deadline", deadline(DEADLINE), &quiet)
        .await
        .expect_err("no token, no destroy");
    assert!(
        started.elapsed() < DEADLINE + MARGIN,
        "{:?}",
        started.elapsed()
    );
    assert_names_the_token_failure(&failure.error);

    // Reads (a refresh, an import) through a client given the signal: Terraform's StopProvider.
    let (stop, signal) = cancellation();
    let stopping = client.with_cancel(&signal);
    let topology = two_regions();
    let started = Instant::now();
    let (refreshed, ()) = tokio::join!(stopping.refresh(&topology), async {
        tokio::time::sleep(DEADLINE).await;
        stop.cancel();
    });
    assert!(
        started.elapsed() < DEADLINE + MARGIN,
        "{:?}",
        started.elapsed()
    );
    assert_names_the_token_failure(&refreshed.expect_err("stopped"));
    assert!(stopping.arm().is_cancelled());
    assert!(
        !client.arm().is_cancelled(),
        "the client it was made from is left alone"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_client_answers_at_once() {
    let emulator = start(fast()).await;
    let (stop, signal) = cancellation();
    stop.cancel();
    let client = ArmClient::new(arm_config(&emulator))
        .expect("client")
        .with_cancel(&signal);
    let started = Instant::now();
    let answer = client
        .get(
            &format!("/subscriptions/{SUB}/resourceGroups/rg-x"),
            "2021-04-01",
        )
        .await;
    assert!(matches!(answer, Err(Error::Cancelled)), "{answer:?}");
    assert!(started.elapsed() < Duration::from_millis(200));
    assert!(emulator.requests().is_empty(), "nothing was sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_secret_fails_at_once_without_retries() {
    let emulator = start(Config {
        client_secret: Some("the-right-one".into()),
        ..fast()
    })
    .await;
    let client = TopologyClient::new(ArmClient::new(arm_config(&emulator)).expect("client"));
    let started = Instant::now();
    let failure = client
        .apply(&two_regions(), CancelSignal::never(), &quiet)
        .await
        .expect_err("refused");
    assert!(started.elapsed() < MARGIN, "{:?}", started.elapsed());
    let text = failure.error.to_string();
    assert!(text.contains("AADSTS7000215"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operations_a_stopped_client_abandons_are_interrupted_not_failed() {
    // Clusters take a while here: the stop lands while they are being made.
    let emulator = start(Config {
        latency_scale: 0.01,
        ..Config::default()
    })
    .await;
    let (stop, signal) = cancellation();
    let client = TopologyClient::new(ArmClient::new(arm_config(&emulator)).expect("client"))
        .with_cancel(&signal);
    let on_event = |e: bcdr::engine::Event<'_>| {
        if let bcdr::engine::Event::Started { op, .. } = e
            && matches!(op.key, bcdr::layout::ResourceKey::ManagedCluster(_))
        {
            stop.cancel();
        }
    };
    let failure = client
        .apply(&two_regions(), CancelSignal::never(), &on_event)
        .await
        .expect_err("stopped");
    assert!(
        matches!(failure.error, Error::Cancelled),
        "{:?}",
        failure.error
    );
    let report = failure.report.expect("a report");
    let count =
        |f: fn(&bcdr::engine::Outcome) -> bool| report.outcomes.iter().filter(|o| f(o)).count();
    assert_eq!(
        count(|o| matches!(o, bcdr::engine::Outcome::Failed(_))),
        0,
        "{report:#?}"
    );
    assert!(
        count(|o| matches!(o, bcdr::engine::Outcome::Interrupted)) >= 1,
        "{report:#?}"
    );
    assert!(
        count(|o| matches!(o, bcdr::engine::Outcome::Done(Some(_)))) >= 1,
        "what finished before the stop is reported: {report:#?}"
    );
}
