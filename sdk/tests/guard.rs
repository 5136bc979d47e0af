//! The failover guard: automatic failover, manual failback. A region goes down; once Traffic Manager
//! marks it `Degraded` the guard pins the failover (the region warm, its endpoint disabled, the
//! standby hot) and tags the profile; when the region comes back and its probes pass, traffic stays
//! on the standby until the topology is changed back on purpose.

mod support;

use arm_emulator::RegionDown;
use bcdr::engine::CancelSignal;
use bcdr::failover::guard::{Guard, Look, pinned_region};
use bcdr::layout::ResourceKey;
use bcdr::model::{FrontDoor, RegionMode, RegionRole, RoutingMethod, TrafficManager};
use bcdr::{ArmClient, Region, Topology, TopologyClient, names};
use std::time::Duration;
use support::*;

fn topology() -> Topology {
    let mut tm = TrafficManager::new(RoutingMethod::Priority);
    // Fast probing: a failed region is Degraded after (1 + 1) × 10 s, scaled.
    (tm.probe_interval, tm.probe_timeout, tm.tolerated_failures) = (10, 9, 1);
    Topology::new("guarded")
        .region(Region::new("eastus", "10.1.0.0/16").role(RegionRole::Primary))
        .region(Region::new("westus", "10.2.0.0/16").mode(RegionMode::Warm))
        .traffic_manager(tm)
}

fn modes(t: &Topology) -> Vec<(String, RegionMode)> {
    t.regions.iter().map(|r| (r.name.clone(), r.mode)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_guard_pins_the_failover_and_traffic_stays_when_the_region_returns() {
    let emulator = start(fast()).await;
    let client = TopologyClient::new(ArmClient::new(arm_config(&emulator)).expect("client"));
    let applied = client
        .apply(&topology(), CancelSignal::never(), &quiet)
        .await
        .expect("apply");
    let fqdn = applied.status.traffic_manager_fqdn.clone();
    let mut guard = Guard::new(&client, topology()).expect("a Traffic Manager topology");
    assert!(
        matches!(guard.look(CancelSignal::never()).await, Ok(Look::Healthy)),
        "nothing is degraded yet"
    );

    emulator.take_region_down("eastus", RegionDown::Fail);
    let mut pinned = None;
    for _ in 0..500 {
        match guard.look(CancelSignal::never()).await.expect("look") {
            Look::Healthy => tokio::time::sleep(Duration::from_millis(5)).await,
            other => {
                pinned = Some(other);
                break;
            }
        }
    }
    let Some(Look::Pinned { from, to, switch }) = pinned else {
        panic!("the guard never pinned: {pinned:?}");
    };
    assert_eq!((from.as_str(), to.as_deref()), ("eastus", Some("westus")));
    let want = vec![
        ("eastus".to_owned(), RegionMode::Warm),
        ("westus".to_owned(), RegionMode::Hot),
    ];
    assert_eq!(modes(&switch.topology), want);
    assert_eq!(
        modes(guard.topology()),
        want,
        "the guard keeps the pinned topology"
    );
    let key = ResourceKey::TrafficManagerProfile;
    let profile = client
        .arm()
        .get(&key.id(SUB, "guarded"), key.api_version())
        .await
        .expect("read the profile")
        .expect("the profile");
    let tag = profile["tags"][names::TAG_PINNED]
        .as_str()
        .expect("the pin tag");
    assert_eq!(pinned_region(tag), Some("eastus"), "{tag}");
    assert!(
        resolve(&emulator, &fqdn).await.contains("westus"),
        "DNS answers the standby"
    );

    // East US is back and its probes pass: traffic stays in West US, nothing more is pinned.
    emulator.restore_region("eastus");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        matches!(guard.look(CancelSignal::never()).await, Ok(Look::Healthy)),
        "a pinned region is not pinned again"
    );
    let target = resolve(&emulator, &fqdn).await;
    assert!(target.contains("westus"), "no automatic failback: {target}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_guard_refuses_front_door() {
    let emulator = start(fast()).await;
    let client = TopologyClient::new(ArmClient::new(arm_config(&emulator)).expect("client"));
    let mut t = topology();
    t.traffic_manager = None;
    let t = t.front_door(FrontDoor::default());
    let err = Guard::new(&client, t).expect_err("Front Door has no endpoint health in ARM");
    assert!(err.to_string().contains("Azure Monitor"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_watch_reports_each_look_until_cancelled() {
    let emulator = start(fast()).await;
    let client = TopologyClient::new(ArmClient::new(arm_config(&emulator)).expect("client"));
    client
        .apply(&topology(), CancelSignal::never(), &quiet)
        .await
        .expect("apply");
    let mut guard = Guard::adopt(&client, "guarded")
        .await
        .expect("the guard adopts the applied topology");
    emulator.take_region_down("eastus", RegionDown::Fail);
    let (stop, stopped) = bcdr::cancel::cancellation();
    let seen = std::sync::Mutex::new(Vec::new());
    let on_look = |look: &bcdr::Result<Look>| {
        let what = match look {
            Ok(Look::Healthy) => "healthy".to_owned(),
            Ok(Look::Pinned { from, .. }) => {
                stop.cancel();
                format!("pinned {from}")
            }
            other => format!("{other:?}"),
        };
        seen.lock().expect("seen").push(what);
    };
    tokio::time::timeout(
        Duration::from_secs(30),
        guard.watch(Duration::from_millis(2), stopped, &on_look),
    )
    .await
    .expect("the watch ends once cancelled");
    let seen = seen.into_inner().expect("seen");
    assert_eq!(seen.last().map(String::as_str), Some("pinned eastus"));
    assert!(
        seen[..seen.len() - 1].iter().all(|s| s == "healthy"),
        "{seen:?}"
    );
    assert_eq!(
        modes(guard.topology()),
        vec![
            ("eastus".to_owned(), RegionMode::Warm),
            ("westus".to_owned(), RegionMode::Hot)
        ]
    );
}
