//! Access-restricted regions (Germany North, Switzerland West, ...) in validation and readiness: a
//! country's second region, offered only to subscriptions Microsoft granted access, for in-country
//! disaster recovery. Offline they are a warning; the subscription's own answer decides.
use super::*;
use crate::model::Region;
use crate::regions::{Catalog, DiscoveredRegion};

fn in_germany() -> Topology {
    Topology::new("shop")
        .region(Region::new("germanywestcentral", "10.1.0.0/16"))
        .region(Region::new("germanynorth", "10.2.0.0/16"))
}

/// What the subscription's `locations` and AKS provider say of Germany North.
fn arm_says(granted: bool) -> Catalog {
    Catalog::online(vec![
        DiscoveredRegion {
            name: "germanywestcentral".into(),
            display_name: "Germany West Central".into(),
            paired: vec!["germanynorth".into()],
            aks: true,
            zones: true,
        },
        DiscoveredRegion {
            name: "germanynorth".into(),
            display_name: "Germany North".into(),
            paired: vec!["germanywestcentral".into()],
            aks: granted,
            zones: false,
        },
    ])
}

#[test]
fn offline_a_restricted_region_is_a_warning_that_arm_decides() {
    let d = validate(&in_germany());
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].severity, Severity::Warning);
    assert_eq!(d[0].summary, "Access-restricted region");
    assert_eq!(d[0].path.to_string(), "region[\"germanynorth\"]");
    assert!(
        d[0].detail.contains(
            "\"germanynorth\" is an access-restricted region (the in-country pair of germanywestcentral)"
        ),
        "{}",
        d[0]
    );
    assert!(!crate::regions::decided_offline([
        "germanywestcentral",
        "germanynorth"
    ]));
    assert!(crate::regions::decided_offline([
        "germanywestcentral",
        "westeurope"
    ]));
}

#[test]
fn a_subscription_granted_the_region_may_use_it() {
    assert!(validate_with(&in_germany(), &arm_says(true)).is_empty());
    assert!(
        arm_says(true)
            .names(true)
            .contains(&"germanynorth".to_owned())
    );
}

#[test]
fn a_subscription_not_granted_it_is_refused_with_what_to_do() {
    let e = errors_with(&in_germany(), &arm_says(false));
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(
        e[0].summary,
        "AKS is not offered to this subscription in this region"
    );
    assert_eq!(e[0].path.to_string(), "region[\"germanynorth\"]");
    assert!(
        e[0].detail
            .contains("request access to the region with an Azure support request"),
        "{}",
        e[0]
    );
    assert!(
        !e[0].detail.contains("germanynorth,") && e[0].detail.contains("germanywestcentral"),
        "the regions offered, without the refused one: {}",
        e[0]
    );
    // A subscription whose locations list leaves the region out entirely: the same.
    let e = errors_with(&in_germany(), &Catalog::online(Vec::new()));
    assert_eq!(
        e[0].summary,
        "AKS is not offered to this subscription in this region"
    );
}

#[test]
fn the_pairing_warning_says_the_missing_pair_is_restricted() {
    let t = Topology::new("shop")
        .region(Region::new("germanywestcentral", "10.1.0.0/16"))
        .region(Region::new("westeurope", "10.2.0.0/16"));
    let d: Vec<_> = validate(&t)
        .into_iter()
        .filter(|d| d.path.to_string() == "region[\"germanywestcentral\"]")
        .collect();
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(
        d[0].detail.contains("paired with germanynorth, which is not in this topology (germanynorth is access-restricted: a subscription uses it once Microsoft grants access)"),
        "{}",
        d[0]
    );
}

#[test]
fn readiness_says_a_missing_pair_is_restricted() {
    let t = Topology::new("shop")
        .region(Region::new("germanywestcentral", "10.1.0.0/16"))
        .region(Region::new("westeurope", "10.2.0.0/16"));
    let finding = crate::readiness::report(&t)
        .into_iter()
        .find(|f| f.check == "paired-regions")
        .expect("paired-regions");
    assert!(
        finding.detail.ends_with(
            "; germanynorth (the pair of germanywestcentral) is access-restricted: request access for the subscription, then add it"
        ),
        "{}",
        finding.detail
    );
}
