//! Regions Azure opened after the SDK's offline table: a topology in one is looked up in the
//! subscription's `locations` and applied; a name neither the table nor ARM knows is refused before
//! anything is written; a topology the table knows entirely costs no lookup. An access-restricted
//! region is used where the subscription was granted it, and refused before any write elsewhere. A
//! region's address space moves only without a cluster in it.

mod support;

use bcdr::engine::CancelSignal;
use bcdr::{Error, Region, Topology};
use support::*;

fn with(second: &str) -> Topology {
    Topology::new("newer")
        .region(Region::new("southeastasia", "10.1.0.0/16"))
        .region(Region::new(second, "10.2.0.0/16"))
}

fn region_lookups(emulator: &arm_emulator::Emulator) -> usize {
    emulator
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/locations"))
        .count()
}

#[tokio::test]
async fn a_region_newer_than_the_offline_table_is_looked_up_and_applied() {
    // The emulator, as Azure today, has Indonesia Central; the SDK's table (January 2025) does not.
    assert!(bcdr::regions::lookup("indonesiacentral").is_none());
    let (emulator, client) = setup(fast()).await;
    let t = with("indonesiacentral");
    let offline = bcdr::validate::validate(&t);
    assert!(
        offline
            .iter()
            .any(|d| d.path.to_string() == "region[\"indonesiacentral\"]"
                && d.severity == bcdr::validate::Severity::Warning),
        "{offline:?}"
    );
    let applied = client
        .apply(&t, CancelSignal::never(), &quiet)
        .await
        .expect("apply in a region ARM reports");
    assert!(
        !applied.status.regions["indonesiacentral"]
            .cluster_id
            .is_empty()
    );
    assert_eq!(region_lookups(&emulator), 1, "one look at the locations");
    let (plan, _) = client.plan(&t).await.expect("plan");
    assert!(!plan.has_changes());
    destroy_to_nothing(&emulator, &client, "newer").await;
}

#[tokio::test]
async fn a_region_arm_does_not_know_is_refused_before_any_write() {
    let (emulator, client) = setup(fast()).await;
    let Err(Error::Invalid(errors)) = client.plan(&with("indonesiacentrl")).await else {
        panic!("a misspelt region must be refused");
    };
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].path.to_string(), "region[\"indonesiacentrl\"]");
    assert_eq!(errors[0].summary, "Unknown region");
    assert!(
        errors[0]
            .detail
            .contains("(did you mean \"indonesiacentral\"?)"),
        "{}",
        errors[0]
    );
    let writes = writes(&emulator);
    assert!(writes.is_empty(), "nothing written: {writes:?}");
}

#[tokio::test]
async fn regions_the_table_knows_cost_no_lookup() {
    let (emulator, client) = setup(fast()).await;
    client.plan(&with("eastasia")).await.expect("plan");
    assert_eq!(region_lookups(&emulator), 0);
}

fn in_germany() -> Topology {
    Topology::new("de")
        .region(Region::new("germanywestcentral", "10.1.0.0/16"))
        .region(Region::new("germanynorth", "10.2.0.0/16"))
}

#[tokio::test]
async fn an_access_restricted_region_is_used_only_where_it_was_granted() {
    let (emulator, client) = setup(fast()).await;
    let Err(Error::Invalid(errors)) = client.plan(&in_germany()).await else {
        panic!("a region the subscription was not granted must be refused");
    };
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].path.to_string(), "region[\"germanynorth\"]");
    assert_eq!(
        errors[0].summary,
        "AKS is not offered to this subscription in this region"
    );
    assert!(writes(&emulator).is_empty());

    let (emulator, client) = setup(arm_emulator::Config {
        restricted_access: vec!["germanynorth".into()],
        ..fast()
    })
    .await;
    let applied = client
        .apply(&in_germany(), CancelSignal::never(), &quiet)
        .await
        .expect("apply where access was granted");
    assert!(!applied.status.regions["germanynorth"].cluster_id.is_empty());
    destroy_to_nothing(&emulator, &client, "de").await;
}

#[tokio::test]
async fn a_new_address_space_under_a_running_cluster_is_refused_before_any_write() {
    let (emulator, client) = setup(fast()).await;
    let t = with("eastasia");
    client
        .apply(&t, CancelSignal::never(), &quiet)
        .await
        .expect("apply");
    emulator.clear_requests();
    let mut moved = t.clone();
    moved.regions[1].vnet_cidr = "10.20.0.0/16".into();
    let Err(Error::Invalid(errors)) = client.plan(&moved).await else {
        panic!("the AKS subnet of a running cluster cannot move");
    };
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].path.to_string(), "region[\"eastasia\"].vnet_cidr");
    assert!(
        errors[0]
            .detail
            .contains("from 10.2.0.0/17 to 10.20.0.0/17"),
        "{}",
        errors[0]
    );
    assert!(writes(&emulator).is_empty());
    destroy_to_nothing(&emulator, &client, "newer").await;
}
