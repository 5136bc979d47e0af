//! Pinned Kubernetes versions against what AKS offers per region (versions retire and arrive region
//! by region): a failover whose new cluster AKS would refuse stops before anything is written, with
//! the offered versions named; a running cluster keeps a version that retired after it was made
//! (a warning, since a cluster made again there would be refused); an upgrade that skips a minor
//! version stops at the plan.

mod support;

use arm_emulator::Config;
use bcdr::engine::{CancelSignal, RetryPolicy};
use bcdr::model::{ClusterSettings, RegionMode, RoutingMethod, TrafficManager};
use bcdr::validate::{Severity, version_findings};
use bcdr::{Error, Region, Topology};
use support::*;

fn pinned(version: &str, west: RegionMode) -> Topology {
    let pin = || ClusterSettings::default().kubernetes_version(version);
    Topology::new("pinned")
        .region(Region::new("eastus", "10.1.0.0/16").with_cluster(pin()))
        .region(
            Region::new("westus", "10.2.0.0/16")
                .mode(west)
                .with_cluster(pin()),
        )
        .traffic_manager(TrafficManager::new(RoutingMethod::Priority))
}

fn west_retired_1_30() -> Config {
    Config {
        kubernetes_versions: [(
            "westus".to_owned(),
            vec!["1.31.2".to_owned(), "1.31.3".to_owned()],
        )]
        .into_iter()
        .collect(),
        ..fast()
    }
}

#[tokio::test]
async fn a_failover_to_a_region_that_retired_the_version_stops_before_any_write() {
    let (emulator, client) = setup(west_retired_1_30()).await;
    let t = pinned("1.30", RegionMode::Cold);
    client
        .apply(&t, CancelSignal::never(), &quiet)
        .await
        .expect("1.30 is offered where a cluster is made now");
    let catalog = client.catalog(&t).await.expect("catalog");
    let findings = version_findings(&t, &catalog, |_| None);
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(
        findings[0].severity,
        Severity::Warning,
        "cold: no cluster yet"
    );
    assert_eq!(
        findings[0].path.to_string(),
        "region[\"westus\"].kubernetes_version"
    );
    assert!(
        findings[0].detail.contains("would be refused"),
        "{}",
        findings[0]
    );

    emulator.clear_requests();
    let failure = client
        .failover(&t, "eastus", "westus", CancelSignal::never())
        .await
        .expect_err("AKS would refuse the recovery cluster");
    let Error::Invalid(errors) = &failure.error else {
        panic!("{failure}");
    };
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(
        errors[0].path.to_string(),
        "region[\"westus\"].kubernetes_version"
    );
    assert!(
        errors[0]
            .detail
            .starts_with("AKS does not offer 1.30 in westus (it offers 1.31, 1.31.2, 1.31.3;"),
        "{}",
        errors[0]
    );
    let writes = writes(&emulator);
    assert!(writes.is_empty(), "{writes:?}");

    // Pinned to what both regions offer, the failover goes through (East US upgrades in place).
    let t = pinned("1.31", RegionMode::Cold);
    client
        .apply(&t, CancelSignal::never(), &quiet)
        .await
        .expect("upgrade");
    client
        .failover(&t, "eastus", "westus", CancelSignal::never())
        .await
        .expect("failover");
}

#[tokio::test]
async fn a_running_cluster_keeps_a_version_that_retired_after_it_was_made() {
    let dir = std::env::temp_dir().join(format!("sdk-retired-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let state = Some(dir.join("state.json"));
    let t = pinned("1.30", RegionMode::Hot);
    {
        let (_emulator, client) = setup(Config {
            state_path: state.clone(),
            ..fast()
        })
        .await;
        client
            .apply(&t, CancelSignal::never(), &quiet)
            .await
            .expect("apply");
    }
    // Later, 1.30 has retired from West US.
    let emulator = support::start(Config {
        state_path: state,
        ..west_retired_1_30()
    })
    .await;
    let client = support::client(&emulator, RetryPolicy::default(), None);
    let (plan, _) = client
        .plan(&t)
        .await
        .expect("the running cluster keeps its version");
    assert!(!plan.has_changes());

    // Lost, it could not be made again: the repair stops at the plan.
    let cluster = bcdr::layout::ResourceKey::ManagedCluster("westus".into()).id(SUB, "pinned");
    delete_by_hand(&client, &cluster, "2024-09-01").await;
    let Err(Error::Invalid(errors)) = client.plan(&t).await else {
        panic!("a cluster AKS would refuse must not be planned");
    };
    assert_eq!(
        errors[0].path.to_string(),
        "region[\"westus\"].kubernetes_version"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn an_upgrade_that_skips_a_minor_version_stops_at_the_plan() {
    let (emulator, client) = setup(fast()).await;
    client
        .apply(
            &pinned("1.30", RegionMode::Hot),
            CancelSignal::never(),
            &quiet,
        )
        .await
        .expect("apply");
    emulator.clear_requests();
    let Err(Error::Invalid(errors)) = client.plan(&pinned("1.32", RegionMode::Hot)).await else {
        panic!("AKS would refuse 1.30 -> 1.32");
    };
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors[0].detail.contains("so apply 1.31 first, then 1.32"),
        "{}",
        errors[0]
    );
    assert!(writes(&emulator).is_empty());
    let t = pinned("1.31", RegionMode::Hot);
    client
        .apply(&t, CancelSignal::never(), &quiet)
        .await
        .expect("one minor at a time");
    client
        .apply(
            &pinned("1.32", RegionMode::Hot),
            CancelSignal::never(),
            &quiet,
        )
        .await
        .expect("then the next");
}
