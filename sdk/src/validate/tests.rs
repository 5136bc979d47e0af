//! One test per validation rule, through its error text and attribute path.
use super::*;
use crate::model::{ClusterSettings, Region};

fn pair() -> Topology {
    Topology::new("shop")
        .region(Region::new("eastus", "10.1.0.0/16"))
        .region(Region::new("westus", "10.2.0.0/16"))
}

fn only(t: &Topology) -> Diagnostic {
    let d = validate(t);
    assert_eq!(d.len(), 1, "{d:?}");
    d.into_iter().next().expect("one diagnostic")
}

#[test]
fn a_paired_couple_is_valid() {
    assert!(validate(&pair()).is_empty());
}

#[test]
fn name_rules() {
    let mut t = pair();
    t.name = "Shop_Prod".into();
    let d = only(&t);
    assert_eq!(d.path.to_string(), "name");
    assert!(d.detail.contains("lowercase"), "{d}");
}

#[test]
fn one_region_is_refused() {
    let t = Topology::new("shop").region(Region::new("eastus", "10.1.0.0/16"));
    let d: Vec<_> = errors(&t);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].path.to_string(), "region");
    assert!(d[0].detail.contains("2 to 16"));
}

/// What ARM's `locations` might report beyond the offline table: a region opened since.
fn arm_knows(aks: bool) -> crate::regions::Catalog {
    crate::regions::Catalog::online(vec![crate::regions::DiscoveredRegion {
        name: "indonesiacentral".into(),
        display_name: "Indonesia Central".into(),
        paired: Vec::new(),
        aks,
        zones: true,
    }])
}

#[test]
fn a_region_the_offline_table_lacks_is_a_warning_with_a_guess() {
    let mut t = pair();
    t.regions[1].name = "japaneest".into();
    let d = validate(&t).remove(0);
    assert_eq!(d.severity, Severity::Warning);
    assert_eq!(d.path.to_string(), "region[\"japaneest\"]");
    assert!(d.detail.contains("did you mean \"japaneast\"?"), "{d}");
    assert!(
        d.detail
            .contains("looked up in the subscription's locations"),
        "{d}"
    );
    assert!(errors(&t).is_empty());
}

#[test]
fn a_region_arm_does_not_know_either_is_refused_and_lists_valid_ones() {
    let mut t = pair();
    t.regions[1].name = "moon-base".into();
    let e = errors_with(&t, &arm_knows(true));
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].summary, "Unknown region");
    assert_eq!(e[0].path.to_string(), "region[\"moon-base\"]");
    assert!(!e[0].detail.contains("did you mean"), "{}", e[0]);
    // The table's regions and ARM's additions, AKS regions only.
    assert!(e[0].detail.contains("westus, "), "{}", e[0]);
    assert!(e[0].detail.contains("indonesiacentral"), "{}", e[0]);
    assert!(!e[0].detail.contains("brazilsoutheast"), "{}", e[0]);
}

#[test]
fn a_region_newer_than_the_table_is_valid_when_arm_reports_it() {
    let mut t = pair();
    t.regions[1].name = "indonesiacentral".into();
    let d = validate_with(&t, &arm_knows(true));
    // Only the pairing advice remains, from ARM's answer (no pair).
    assert_eq!(d.len(), 2, "{d:?}");
    assert!(d.iter().all(|d| d.severity == Severity::Warning), "{d:?}");
    assert!(
        d.iter().any(|d| d
            .detail
            .contains("\"indonesiacentral\" has no Azure paired region")),
        "{d:?}"
    );
    let mut shown = t.clone();
    shown.regions[1].name = "Indonesia Central".into();
    let e = errors_with(&shown, &arm_knows(true));
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].detail
            .contains("use the ARM region name \"indonesiacentral\""),
        "{}",
        e[0]
    );
}

#[test]
fn a_region_arm_reports_without_aks_is_refused() {
    let mut t = pair();
    t.regions[1].name = "indonesiacentral".into();
    let e = errors_with(&t, &arm_knows(false));
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].summary, "AKS is not offered in this region");
    assert_eq!(e[0].path.to_string(), "region[\"indonesiacentral\"]");
}

#[test]
fn overlapping_cidrs_name_the_other_region() {
    let mut t = pair();
    t.regions[1].vnet_cidr = "10.1.128.0/17".into();
    let d = only(&t);
    assert_eq!(d.path.to_string(), "region[\"westus\"].vnet_cidr");
    assert!(d.detail.contains("eastus"));
}

#[test]
fn cidr_rules() {
    for (cidr, needle) in [
        ("10.1.0.0/28", "/8 to /24"),
        ("10.1.0.1/16", "host bits"),
        ("banana", "IPv4 CIDR"),
    ] {
        let mut t = pair();
        t.regions[0].vnet_cidr = cidr.into();
        let d = only(&t);
        assert_eq!(d.path.to_string(), "region[\"eastus\"].vnet_cidr");
        assert!(d.detail.contains(needle), "{cidr}: {d}");
    }
}

#[test]
fn duplicate_and_non_canonical_regions() {
    let t = pair().region(Region::new("East US", "10.3.0.0/16"));
    let e = errors(&t);
    assert!(e.iter().any(|d| d.summary == "Duplicate region"), "{e:?}");
    assert!(
        e.iter()
            .any(|d| d.detail.contains("use the ARM region name \"eastus\"")),
        "{e:?}"
    );
}

#[test]
fn region_without_aks_is_refused() {
    let mut t = pair();
    t.regions[1].name = "westindia".into();
    let e = errors(&t);
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].summary, "AKS is not offered in this region");
}

#[test]
fn one_primary_at_most_and_global_resources_with_it() {
    use crate::model::RegionRole::Primary;
    let mut t = pair();
    t.regions[0].role = Primary;
    assert!(validate(&t).is_empty(), "one primary is fine");
    t.regions[1].role = Primary;
    let d = only(&t);
    assert_eq!(d.severity, Severity::Error);
    assert_eq!(d.path.to_string(), "region[\"westus\"].role");
    assert!(
        d.detail
            .contains("\"eastus\" is already the primary region"),
        "{d}"
    );
    let mut t = pair();
    t.regions[0].role = Primary;
    t.home_region = Some("westus".into());
    let d = only(&t);
    assert_eq!(d.severity, Severity::Warning);
    assert_eq!(d.path.to_string(), "home_region");
    assert!(
        d.detail.contains("not in the primary region \"eastus\""),
        "{d}"
    );
}

#[test]
fn unpaired_regions_warn_but_pass() {
    let mut t = pair();
    t.regions[1].name = "northeurope".into();
    let d = validate(&t);
    assert!(d.iter().all(|d| d.severity == Severity::Warning));
    assert_eq!(d.len(), 2);
    assert!(d[0].detail.contains("paired with westus"));
}

#[test]
fn cluster_settings() {
    let mut t = pair();
    t.regions[0].cluster = ClusterSettings::default()
        .node_count(0)
        .kubernetes_version("1.x");
    let e = errors(&t);
    let paths: Vec<String> = e.iter().map(|d| d.path.to_string()).collect();
    assert_eq!(
        paths,
        [
            "region[\"eastus\"].node_count",
            "region[\"eastus\"].kubernetes_version"
        ]
    );
}

mod routing {
    use super::*;
    use crate::model::{EndpointSettings, RegionMode, RoutingMethod, TrafficManager};

    fn routed(method: RoutingMethod) -> Topology {
        pair().traffic_manager(TrafficManager::new(method))
    }

    #[test]
    fn at_least_one_hot_region() {
        let mut t = pair();
        t.regions[0].mode = RegionMode::Warm;
        t.regions[1].mode = RegionMode::Cold;
        let d = only(&t);
        assert_eq!(
            (d.path.to_string(), d.summary.as_str()),
            ("region".to_owned(), "No hot region")
        );
    }

    #[test]
    fn dns_name_and_probe() {
        let mut t = routed(RoutingMethod::Performance);
        let tm = t.traffic_manager.as_mut().expect("tm");
        tm.dns_name = Some("Shop_Global".into());
        tm.probe_path = "healthz".into();
        tm.probe_protocol = "FTP".into();
        let paths: Vec<String> = errors(&t).iter().map(|d| d.path.to_string()).collect();
        assert_eq!(
            paths,
            [
                "traffic_manager.dns_name",
                "traffic_manager.probe_protocol",
                "traffic_manager.probe_path"
            ]
        );
    }

    #[test]
    fn probing_is_what_traffic_manager_allows() {
        let mut t = routed(RoutingMethod::Priority);
        let tm = t.traffic_manager.as_mut().expect("tm");
        *tm = tm.clone().probing(10, 10, 10);
        let found: Vec<(String, String)> = errors(&t)
            .iter()
            .map(|d| (d.path.to_string(), d.detail.clone()))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "traffic_manager.probe_timeout".to_owned(),
                    "10 must be 5 to 9 seconds (below the probe interval of 10)".to_owned()
                ),
                (
                    "traffic_manager.tolerated_failures".to_owned(),
                    "10 must be 0 to 9".to_owned()
                ),
            ]
        );
        let tm = t.traffic_manager.as_mut().expect("tm");
        *tm = tm.clone().probing(20, 10, 0);
        let d = only(&t);
        assert_eq!(d.path.to_string(), "traffic_manager.probe_interval");
        assert!(
            d.detail.contains("30 (seconds, normal probing) or 10"),
            "{}",
            d.detail
        );
        let tm = t.traffic_manager.as_mut().expect("tm");
        *tm = tm.clone().probing(10, 5, 0);
        assert!(errors(&t).is_empty());
        let tm = t.traffic_manager.as_mut().expect("tm");
        *tm = tm
            .clone()
            .probe_header("Host", "shop.example.com")
            .expected_status_codes(["200-299", "301"]);
        assert!(errors(&t).is_empty());
        let tm = t.traffic_manager.as_mut().expect("tm");
        *tm = tm
            .clone()
            .probe_header("Bad Name", "x")
            .expected_status_codes(["299-200", "abc", "404"]);
        let found: Vec<String> = errors(&t).iter().map(|d| d.to_string()).collect();
        assert_eq!(found.len(), 3, "{found:#?}");
        assert!(
            found[0].contains("traffic_manager.probe_headers"),
            "{found:#?}"
        );
        assert!(
            found[1].contains("\"299-200\" must be a status code"),
            "{found:#?}"
        );
        assert!(found[2].contains("\"abc\""), "{found:#?}");
        let tm = t.traffic_manager.as_mut().expect("tm");
        tm.probe_protocol = "TCP".into();
        tm.probe_headers.clear();
        tm.expected_status_codes = vec!["200".into()];
        let d = only(&t);
        assert_eq!(d.summary, "Status codes need HTTP");
        assert_eq!(
            t.traffic_manager.as_ref().map(|tm| tm.failover_seconds()),
            Some(45)
        );
    }

    #[test]
    fn priorities_are_unique_and_in_range() {
        let mut t = routed(RoutingMethod::Priority);
        t.regions[0].endpoint = EndpointSettings::default().priority(1);
        t.regions[1].endpoint = EndpointSettings::default().priority(1);
        let d = only(&t);
        assert_eq!(d.path.to_string(), "region[\"westus\"].priority");
        assert!(d.detail.contains("region \"eastus\""));
        t.regions[1].endpoint = EndpointSettings::default().priority(1001);
        assert_eq!(only(&t).summary, "Invalid priority");
    }

    #[test]
    fn weights_are_in_range() {
        let mut t = routed(RoutingMethod::Weighted);
        t.regions[0].endpoint = EndpointSettings::default().weight(0);
        assert_eq!(only(&t).path.to_string(), "region[\"eastus\"].weight");
    }

    #[test]
    fn geographic_codes_are_required_valid_and_mapped_once() {
        let mut t = routed(RoutingMethod::Geographic);
        t.regions[0].endpoint = EndpointSettings::default().geo_mappings(["GEO-NA", "WORLD"]);
        let d = only(&t);
        assert_eq!(
            (d.path.to_string(), d.summary.as_str()),
            (
                "region[\"westus\"].geo_mappings".to_owned(),
                "Missing geographic mapping"
            )
        );
        t.regions[1].endpoint = EndpointSettings::default().geo_mappings(["WORLD", "Atlantis"]);
        let summaries: Vec<String> = errors(&t).into_iter().map(|d| d.summary).collect();
        assert_eq!(
            summaries,
            ["Geographic code mapped twice", "Invalid geographic code"]
        );
    }

    #[test]
    fn geographic_routing_without_a_catch_all_warns() {
        let mut t = routed(RoutingMethod::Geographic);
        t.regions[0].endpoint = EndpointSettings::default().geo_mappings(["GEO-NA"]);
        t.regions[1].endpoint = EndpointSettings::default().geo_mappings(["GEO-EU", "GEO-AF"]);
        let d = only(&t);
        assert_eq!(
            (d.severity, d.path.to_string(), d.summary.as_str()),
            (
                Severity::Warning,
                "traffic_manager.routing_method".to_owned(),
                "Some clients get no answer"
            )
        );
        assert!(
            d.detail.contains(
                "a client from a place none of GEO-AF, GEO-EU, GEO-NA covers gets no address"
            ),
            "{d}"
        );
        t.regions[1].endpoint = EndpointSettings::default().geo_mappings(["GEO-EU", "WORLD"]);
        assert!(validate(&t).is_empty(), "WORLD catches the rest");
        t.regions[0].endpoint =
            EndpointSettings::default().geo_mappings(["GEO-NA", "GEO-SA", "GEO-AS", "GEO-AP"]);
        t.regions[1].endpoint =
            EndpointSettings::default().geo_mappings(["GEO-EU", "GEO-ME", "GEO-AF", "GEO-AN"]);
        assert!(validate(&t).is_empty(), "every grouping covers the world");
    }

    #[test]
    fn settings_the_method_ignores_warn() {
        let mut t = routed(RoutingMethod::Performance);
        t.regions[0].endpoint = EndpointSettings::default().weight(5);
        let d = only(&t);
        assert_eq!(
            (d.severity, d.path.to_string()),
            (Severity::Warning, "region[\"eastus\"].weight".to_owned())
        );
    }

    #[test]
    fn geographic_routing_needs_codes_for_warm_regions_too() {
        let mut t = routed(RoutingMethod::Geographic);
        t.regions[0].endpoint = EndpointSettings::default().geo_mappings(["WORLD"]);
        t.regions[1].mode = RegionMode::Warm;
        let d = only(&t);
        assert_eq!(d.path.to_string(), "region[\"westus\"].geo_mappings");
        assert!(d.detail.contains("maps the same codes"), "{d}");
    }

    #[test]
    fn a_standby_shares_its_regions_codes_exactly() {
        let mut t = routed(RoutingMethod::Geographic);
        t.regions[0].endpoint = EndpointSettings::default().geo_mappings(["WORLD", "GEO-EU"]);
        t.regions[1].endpoint = EndpointSettings::default().geo_mappings(["GEO-EU", "WORLD"]);
        t.regions[1].mode = RegionMode::Warm;
        assert!(validate(&t).is_empty(), "{:?}", validate(&t));
        t.regions[1].endpoint = EndpointSettings::default().geo_mappings(["WORLD"]);
        let d = only(&t);
        assert_eq!(d.summary, "Geographic code mapped twice");
        assert!(
            d.detail.contains("exactly its codes (GEO-EU, WORLD)"),
            "{d}"
        );
    }

    #[test]
    fn every_area_has_a_hot_region() {
        let mut t = routed(RoutingMethod::Geographic);
        t.regions.push(Region::new("centralus", "10.3.0.0/16"));
        t.regions[0].endpoint = EndpointSettings::default().geo_mappings(["WORLD"]);
        for r in &mut t.regions[1..] {
            r.endpoint = EndpointSettings::default().geo_mappings(["GEO-EU"]);
            r.mode = RegionMode::Warm;
        }
        let d: Vec<Diagnostic> = errors(&t);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].path.to_string(), "region[\"centralus\"].geo_mappings");
        assert_eq!(d[0].summary, "No hot region for these codes");
    }

    #[test]
    fn nested_profile_names_fit_in_dns() {
        let mut t = routed(RoutingMethod::Geographic);
        for r in &mut t.regions {
            r.endpoint = EndpointSettings::default().geo_mappings(["WORLD"]);
        }
        t.traffic_manager = t.traffic_manager.map(|tm| tm.dns_name("a".repeat(60)));
        let d = only(&t);
        assert_eq!(d.path.to_string(), "traffic_manager.dns_name");
        assert!(d.detail.contains("-world.trafficmanager.net"), "{d}");
    }
}

#[test]
fn a_pinned_version_aks_does_not_offer_is_an_error_where_a_cluster_takes_it() {
    let offered = crate::regions::OfferedVersions {
        minors: vec!["1.31".into()],
        patches: vec!["1.31.2".into()],
    };
    let catalog = crate::regions::Catalog::offline().with_versions("westus", offered);
    let mut t = pair();
    for r in &mut t.regions {
        r.cluster = ClusterSettings::default().kubernetes_version("1.30");
    }
    // East US: nothing known of its versions, nothing said.
    let made = version_findings(&t, &catalog, |_| None);
    assert_eq!(made.len(), 1, "{made:?}");
    assert_eq!(made[0].severity, Severity::Error);
    assert_eq!(
        made[0].path.to_string(),
        "region[\"westus\"].kubernetes_version"
    );
    assert!(
        made[0]
            .detail
            .contains("AKS does not offer 1.30 in westus (it offers 1.31, 1.31.2;"),
        "{}",
        made[0]
    );
    let running = version_findings(&t, &catalog, |_| Some("1.30".into()));
    assert_eq!(
        running[0].severity,
        Severity::Warning,
        "a running cluster keeps it"
    );
    let moving = version_findings(&t, &catalog, |_| Some("1.29".into()));
    assert_eq!(
        moving[0].severity,
        Severity::Error,
        "an upgrade to it would be refused"
    );
    t.regions[1].mode = crate::model::RegionMode::Cold;
    let cold = version_findings(&t, &catalog, |_| None);
    assert_eq!(cold[0].severity, Severity::Warning);
    assert!(cold[0].detail.contains("at failover"), "{}", cold[0]);
    t.regions[1].cluster = ClusterSettings::default().kubernetes_version("1.31.2");
    assert!(version_findings(&t, &catalog, |_| None).is_empty());
}

#[test]
fn an_upgrade_may_not_skip_a_minor_version_nor_go_back() {
    let offered = crate::regions::OfferedVersions {
        minors: vec!["1.30".into(), "1.31".into(), "1.32".into()],
        patches: vec!["1.30.6".into(), "1.31.2".into(), "1.32.0".into()],
    };
    let catalog = crate::regions::Catalog::offline()
        .with_versions("eastus", offered.clone())
        .with_versions("westus", offered);
    let mut t = pair();
    for r in &mut t.regions {
        r.cluster = ClusterSettings::default().kubernetes_version("1.32");
    }
    let skip = version_findings(&t, &catalog, |_| Some("1.30.6".into()));
    assert_eq!(skip.len(), 2, "{skip:?}");
    assert_eq!(skip[0].summary, "Kubernetes upgrade AKS does not allow");
    assert_eq!(
        skip[0].path.to_string(),
        "region[\"eastus\"].kubernetes_version"
    );
    assert!(
        skip[0].detail.contains("apply 1.31 first, then 1.32"),
        "{}",
        skip[0]
    );
    assert!(version_findings(&t, &catalog, |_| Some("1.31.2".into())).is_empty());
    // From a version AKS no longer offers, it lets a cluster catch up at once.
    assert!(version_findings(&t, &catalog, |_| Some("1.29.9".into())).is_empty());
    for r in &mut t.regions {
        r.cluster = ClusterSettings::default().kubernetes_version("1.30");
    }
    let back = version_findings(&t, &catalog, |_| Some("1.31.2".into()));
    assert!(back[0].detail.contains("never downgrades"), "{}", back[0]);
}

#[test]
fn admin_groups_are_entra_id_object_ids() {
    let t = pair().access(
        crate::model::ClusterAccess::default()
            .admin_group("6f1a3e1c-2b4d-4c8e-9a7b-1d2e3f405162")
            .admin_group("platform-admins"),
    );
    let d = only(&t);
    assert_eq!(d.path.to_string(), "admin_group_object_ids[1]");
    assert!(
        d.detail
            .contains("\"platform-admins\" is not a group's object ID"),
        "{d}"
    );
}

#[test]
fn authorized_ranges_are_ipv4_addresses_or_cidrs() {
    let t = pair().access(
        crate::model::ClusterAccess::default()
            .authorized_range("203.0.113.0/24")
            .authorized_range("198.51.100.7")
            .authorized_range("2001:db8::/32"),
    );
    let d = only(&t);
    assert_eq!(d.path.to_string(), "api_server_authorized_ip_ranges[2]");
    assert!(d.detail.contains("IPv4 ranges only"), "{d}");
}
