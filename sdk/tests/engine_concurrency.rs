//! The engine's concurrency against the emulator: every operation starts the moment its dependencies
//! finish (never before), independent operations overlap, and `with_max_concurrency` bounds how many
//! run at once (1 is a sequential apply).

mod support;

use bcdr::engine::{CancelSignal, Event};
use std::collections::BTreeSet;
use std::sync::Mutex;
use support::*;

#[derive(Default)]
struct Trace {
    in_flight: usize,
    peak: usize,
    finished: BTreeSet<usize>,
    early: Vec<String>,
}

async fn apply_traced(max: Option<usize>) -> Trace {
    let (_emulator, client) = setup(fast()).await;
    let client = match max {
        Some(n) => client.with_max_concurrency(n),
        None => client,
    };
    let trace = Mutex::new(Trace::default());
    let on_event = |e: Event<'_>| {
        let mut t = trace.lock().expect("lock");
        match e {
            Event::Started { op, .. } => {
                t.in_flight += 1;
                t.peak = t.peak.max(t.in_flight);
                let missing: Vec<usize> = op
                    .depends_on
                    .iter()
                    .copied()
                    .filter(|d| !t.finished.contains(d))
                    .collect();
                if !missing.is_empty() {
                    t.early.push(format!("{} before {missing:?}", op.key));
                }
            }
            Event::Finished { index, .. } => {
                t.in_flight -= 1;
                t.finished.insert(index);
            }
            Event::Failed { .. } => t.in_flight -= 1,
            _ => {}
        }
    };
    let t = topology(
        "conc",
        &[
            ("eastus", "10.1.0.0/16"),
            ("westus", "10.2.0.0/16"),
            ("centralus", "10.3.0.0/16"),
        ],
    );
    client
        .apply(&t, CancelSignal::never(), &on_event)
        .await
        .expect("apply");
    trace.into_inner().expect("lock")
}

#[tokio::test]
async fn operations_overlap_after_their_dependencies_and_within_the_bound() {
    let free = apply_traced(None).await;
    assert!(free.early.is_empty(), "{:?}", free.early);
    assert!(
        free.peak >= 3,
        "independent operations overlap: peak {}",
        free.peak
    );
    let bounded = apply_traced(Some(2)).await;
    assert!(bounded.early.is_empty(), "{:?}", bounded.early);
    assert_eq!(bounded.peak, 2, "at most two at once");
    let sequential = apply_traced(Some(1)).await;
    assert_eq!(sequential.peak, 1, "one at a time");
    assert_eq!(
        sequential.finished, free.finished,
        "the same operations, all done"
    );
}

/// Under a bound, a free slot goes to the ready operation with the longest remaining chain
/// (`engine::start_order`), not to whichever the plan lists first: with one slot, every start is the
/// first ready operation in that order.
#[tokio::test]
async fn a_free_slot_goes_to_the_longest_remaining_chain() {
    let (_emulator, client) = setup(fast()).await;
    let client = client.with_max_concurrency(1);
    let t = topology(
        "prio",
        &[("eastus", "10.1.0.0/16"), ("westus", "10.2.0.0/16")],
    )
    .traffic_manager(bcdr::model::TrafficManager::new(
        bcdr::model::RoutingMethod::Priority,
    ));
    let (plan, _) = client.plan(&t).await.expect("plan");
    let order = bcdr::engine::start_order(&plan);
    let starts: Mutex<Vec<usize>> = Mutex::default();
    let finished: Mutex<BTreeSet<usize>> = Mutex::default();
    let misordered: Mutex<Vec<String>> = Mutex::default();
    let on_event = |e: Event<'_>| match e {
        Event::Started { index, op } => {
            let done = finished.lock().expect("lock");
            let mut started = starts.lock().expect("lock");
            let first_ready = order.iter().copied().find(|&i| {
                !started.contains(&i)
                    && !done.contains(&i)
                    && plan.operations[i]
                        .depends_on
                        .iter()
                        .all(|d| done.contains(d))
            });
            if first_ready != Some(index) {
                misordered.lock().expect("lock").push(format!(
                    "{} started while {:?} was ready first",
                    op.key,
                    first_ready.map(|i| plan.operations[i].key.to_string())
                ));
            }
            started.push(index);
        }
        Event::Finished { index, .. } => {
            finished.lock().expect("lock").insert(index);
        }
        _ => {}
    };
    client
        .apply(&t, CancelSignal::never(), &on_event)
        .await
        .expect("apply");
    let misordered = misordered.into_inner().expect("lock");
    assert!(misordered.is_empty(), "{misordered:#?}");
    let starts = starts.into_inner().expect("lock");
    assert_eq!(
        starts.len(),
        plan.changes().count(),
        "every change started once"
    );
    // Both clusters (long chains) start before the Traffic Manager profile (a short tail).
    let profile = starts
        .iter()
        .position(|&i| plan.operations[i].key == bcdr::layout::ResourceKey::TrafficManagerProfile)
        .expect("profile started");
    let last_cluster = starts
        .iter()
        .rposition(|&i| {
            matches!(
                plan.operations[i].key,
                bcdr::layout::ResourceKey::ManagedCluster(_)
            )
        })
        .expect("clusters");
    assert!(last_cluster < profile, "{starts:?}");
}
