//! Recovery capacity: a cold region's cluster is made at failover, and a warm one smaller than the
//! hot regions is scaled up then, so whether that fits the subscription's vCPU quota there, in VM
//! sizes the region offers, is asked at plan, long before the failover; a failover into too little
//! quota is refused by AKS and keeps what it did.

mod support;

use arm_emulator::Config;
use bcdr::engine::CancelSignal;
use bcdr::model::{ClusterSettings, RegionMode, RoutingMethod, TrafficManager};
use bcdr::validate::{Severity, capacity_findings};
use bcdr::{Error, Region, Topology};
use support::*;

fn standby(size: &str) -> Topology {
    Topology::new("standby")
        .region(Region::new("eastus", "10.1.0.0/16"))
        .region(
            Region::new("westus", "10.2.0.0/16")
                .mode(RegionMode::Cold)
                .with_cluster(ClusterSettings::default().vm_size(size)),
        )
        .traffic_manager(TrafficManager::new(RoutingMethod::Priority))
}

#[tokio::test]
async fn a_cold_region_without_the_quota_to_fail_over_is_found_at_plan() {
    let (emulator, client) = setup(Config {
        core_quotas: [("westus".to_owned(), 8)].into_iter().collect(),
        ..fast()
    })
    .await;
    let t = standby("Standard_D4ds_v5");
    client
        .apply(&t, CancelSignal::never(), &quiet)
        .await
        .expect("apply");
    let catalog = client.catalog(&t).await.expect("catalog");
    let findings = capacity_findings(&t, &catalog);
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert!(findings.iter().all(|f| f.severity == Severity::Warning));
    assert_eq!(findings[0].path.to_string(), "region[\"westus\"]");
    assert!(
        findings[0].detail.starts_with("a failover to westus makes its cluster (3 × Standard_D4ds_v5) with 12 vCPUs of the regional total, which has 8 of 8 left, and 12 vCPUs of standardDDSv5Family, which has 8 of 8 left;"),
        "{}",
        findings[0]
    );
    assert!(
        capacity_findings(&standby("Standard_D2ds_v5"), &catalog).is_empty(),
        "6 vCPUs fit"
    );
    let odd = capacity_findings(&standby("Standard_Q64"), &catalog);
    assert_eq!(odd[0].summary, "VM size not offered in this region");
    assert_eq!(odd[0].path.to_string(), "region[\"westus\"].vm_size");

    // The failover itself: AKS refuses the cluster; what the failover did is kept.
    let failure = client
        .failover(&t, "eastus", "westus", CancelSignal::never())
        .await
        .expect_err("no quota");
    assert!(
        matches!(&failure.error, Error::Arm { status: 400, code, .. } if code == "QuotaExceeded"),
        "{failure}"
    );
    assert!(!failure.status.regions["westus"].vnet_id.is_empty());
    drop(emulator);
}

#[tokio::test]
async fn a_warm_region_without_the_quota_to_scale_up_is_found_at_plan() {
    let (emulator, client) = setup(Config {
        core_quotas: [("westus".to_owned(), 14)].into_iter().collect(),
        ..fast()
    })
    .await;
    // East US hot on `hot` nodes, West US warm on one (4 of its 14 vCPUs).
    let warm = |hot: u32| {
        Topology::new("standby")
            .region(
                Region::new("eastus", "10.1.0.0/16")
                    .with_cluster(ClusterSettings::default().node_count(hot)),
            )
            .region(
                Region::new("westus", "10.2.0.0/16")
                    .mode(RegionMode::Warm)
                    .with_cluster(ClusterSettings::default().node_count(1)),
            )
            .traffic_manager(TrafficManager::new(RoutingMethod::Priority))
    };
    let t = warm(4);
    client
        .apply(&t, CancelSignal::never(), &quiet)
        .await
        .expect("apply");
    let findings = capacity_findings(&t, &client.catalog(&t).await.expect("catalog"));
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0].path.to_string(), "region[\"westus\"]");
    assert!(
        findings[0].detail.starts_with("a failover to westus that scales its system pool from 1 to the hot regions' 4 nodes adds (3 × Standard_D4ds_v5) with 12 vCPUs of the regional total, which has 10 of 14 left"),
        "{}",
        findings[0]
    );
    let t = warm(3);
    let catalog = client.catalog(&t).await.expect("catalog");
    assert!(
        capacity_findings(&t, &catalog).is_empty(),
        "2 more nodes (8 vCPUs) fit in the 10 left"
    );
    let t = warm(1);
    let catalog = client.catalog(&t).await.expect("catalog");
    assert!(
        catalog.capacity("westus").is_none(),
        "a standby as large as the hot regions costs no read"
    );
    drop(emulator);
}
