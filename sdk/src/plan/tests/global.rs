//! Golden plans for the global resources: routing, registry, backup storage.

use super::*;

mod routing {
    use super::*;
    use crate::model::{RegionMode, RoutingMethod, TrafficManager};

    fn routed() -> Topology {
        two().traffic_manager(TrafficManager::new(RoutingMethod::Priority))
    }

    fn endpoint(plan: &Plan, region: &str) -> serde_json::Value {
        let profile = plan
            .operations
            .iter()
            .find(|o| o.key == ResourceKey::TrafficManagerProfile)
            .and_then(|o| o.body.clone())
            .expect("profile");
        profile["properties"]["endpoints"]
            .as_array()
            .and_then(|e| e.iter().find(|e| e["name"] == region).cloned())
            .expect("endpoint")
    }

    #[test]
    fn traffic_manager_adds_a_profile_with_an_endpoint_per_region() {
        let plan = plan(&layout::desired(&routed(), SUB), &observed_after(&two()));
        assert_eq!(summary(&plan), ["create Traffic Manager profile"]);
        assert_eq!(endpoint(&plan, "eastus")["properties"]["priority"], 1);
        assert_eq!(endpoint(&plan, "westus")["properties"]["priority"], 2);
        assert!(
            endpoint(&plan, "eastus")["properties"]["targetResourceId"]
                .as_str()
                .is_some_and(|id| id.ends_with("/publicIPAddresses/pip-shop-eastus-ingress"))
        );
    }

    #[test]
    fn traffic_waits_until_a_hot_region_can_serve() {
        let mut t = routed();
        t.regions[1].mode = RegionMode::Cold;
        let p = plan(&layout::desired(&t, SUB), &Observed::default());
        let at = |key: &ResourceKey| {
            p.operations
                .iter()
                .position(|o| &o.key == key)
                .expect("planned")
        };
        let deps = &p.operations[at(&ResourceKey::TrafficManagerProfile)].depends_on;
        // The hot region: its IP, its cluster and the cluster's right to use the IP; the cold one:
        // its IP only (its endpoint is disabled until a failover makes the cluster).
        for key in [
            ResourceKey::PublicIp("eastus".into()),
            ResourceKey::ManagedCluster("eastus".into()),
            ResourceKey::RoleAssignment("eastus".into()),
            ResourceKey::PublicIp("westus".into()),
        ] {
            assert!(deps.contains(&at(&key)), "the profile waits for {key}");
        }
        assert_eq!(deps.len(), 5, "and the global group: {deps:?}");
    }

    #[test]
    fn the_primary_region_comes_first_and_is_home_to_the_global_resources() {
        let mut t = routed();
        t.regions[1].role = crate::model::RegionRole::Primary;
        let desired = layout::desired(&t, SUB);
        let global = desired
            .iter()
            .find(|d| d.key == ResourceKey::ResourceGroup("global".into()))
            .expect("global group");
        assert_eq!(
            layout::global_location(&t).as_deref(),
            Some("westus"),
            "home defaults to the primary"
        );
        assert_eq!(
            global.body["location"], "eastus2",
            "the group outside the topology's regions (the home's pair is one of them), near the home"
        );
        assert_eq!(
            global.body["tags"]["bcdr-primary-region"], "westus",
            "for import"
        );
        let first = plan(&desired, &Observed::default());
        assert_eq!(endpoint(&first, "westus")["properties"]["priority"], 1);
        assert_eq!(endpoint(&first, "eastus")["properties"]["priority"], 2);
        t.regions[1].mode = RegionMode::Warm;
        let failed_over = plan(&layout::desired(&t, SUB), &Observed::default());
        assert_eq!(
            endpoint(&failed_over, "eastus")["properties"]["priority"],
            1,
            "a primary failed over (warm) comes after the hot regions"
        );
    }

    #[test]
    fn a_warm_region_keeps_its_cluster_but_gets_no_traffic() {
        let mut t = routed();
        t.regions[0].mode = RegionMode::Warm;
        let plan = plan(&layout::desired(&t, SUB), &observed_after(&routed()));
        assert_eq!(
            summary(&plan),
            ["update Traffic Manager profile"],
            "one atomic write swaps the priorities"
        );
        assert_eq!(
            endpoint(&plan, "eastus")["properties"]["endpointStatus"],
            "Disabled"
        );
        assert_eq!(
            endpoint(&plan, "eastus")["properties"]["priority"],
            2,
            "hot regions come first"
        );
        assert_eq!(endpoint(&plan, "westus")["properties"]["priority"], 1);
    }

    #[test]
    fn a_region_going_cold_loses_its_cluster_after_its_role() {
        let mut t = routed();
        t.regions[1].mode = RegionMode::Cold;
        let plan = plan(&layout::desired(&t, SUB), &observed_after(&routed()));
        assert_eq!(
            summary(&plan),
            [
                // The group keeps the cluster's settings in its tags, for import.
                "update resource group (westus)",
                "update Traffic Manager profile",
                "delete cluster identity role (westus)",
                "delete AKS cluster (westus)"
            ]
        );
        let ops = &plan.operations;
        let cluster = ops
            .iter()
            .find(|o| o.key == ResourceKey::ManagedCluster("westus".into()))
            .expect("cluster delete");
        assert_eq!(
            ops[cluster.depends_on[0]].key,
            ResourceKey::RoleAssignment("westus".into())
        );
    }

    #[test]
    fn dropping_traffic_manager_deletes_the_profile() {
        let plan = plan(&layout::desired(&two(), SUB), &observed_after(&routed()));
        assert_eq!(summary(&plan), ["delete Traffic Manager profile"]);
    }

    #[test]
    fn removing_a_region_drops_its_endpoint_before_its_group() {
        let three = || routed().region(Region::new("centralus", "10.3.0.0/16"));
        let plan = plan(&layout::desired(&routed(), SUB), &observed_after(&three()));
        let profile = plan
            .operations
            .iter()
            .find(|o| o.key == ResourceKey::TrafficManagerProfile)
            .expect("profile");
        assert_eq!(profile.action, Action::Update);
        assert!(
            profile.reason.contains("properties.endpoints[centralus]"),
            "{}",
            profile.reason
        );
        let rg = plan
            .operations
            .iter()
            .find(|o| o.key == ResourceKey::ResourceGroup("centralus".into()))
            .expect("rg delete");
        assert!(
            rg.depends_on
                .iter()
                .any(|&d| plan.operations[d].key == ResourceKey::TrafficManagerProfile)
        );
    }

    #[test]
    fn a_known_principal_is_bound_at_plan_time() {
        let t = two();
        let mut observed = observed_after(&t);
        let cluster = ResourceKey::ManagedCluster("eastus".into());
        observed.resources.get_mut(&cluster).expect("cluster").body["identity"]["principalId"] =
            "p-1".into();
        let plan = plan(&layout::desired(&t, SUB), &observed);
        let role = plan
            .operations
            .iter()
            .find(|o| o.key == ResourceKey::RoleAssignment("eastus".into()))
            .expect("role");
        assert_eq!(
            role.action,
            Action::Replace,
            "the observed assignment has another principal, which Azure does not update in place"
        );
        assert_eq!(
            role.body.as_ref().expect("body")["properties"]["principalId"],
            "p-1"
        );
        assert!(role.bindings.is_empty());
    }
}

mod registry {
    use super::*;
    use crate::model::{RegionMode, Registry};

    fn with_registry() -> Topology {
        two().registry(Registry::default())
    }

    #[test]
    fn a_registry_replicates_into_every_other_region_and_clusters_may_pull() {
        let plan = plan(
            &layout::desired(&with_registry(), SUB),
            &observed_after(&two()),
        );
        assert_eq!(
            summary(&plan),
            [
                "create container registry",
                "create registry replica (westus)",
                "create registry pull role (eastus)",
                "create registry pull role (westus)",
                "create registry private DNS zone (eastus)",
                "create registry private DNS zone link (eastus)",
                "create registry private endpoint (eastus)",
                "create registry private endpoint DNS records (eastus)",
                "create registry private DNS zone (westus)",
                "create registry private DNS zone link (westus)",
                "create registry private endpoint (westus)",
                "create registry private endpoint DNS records (westus)",
            ]
        );
        let registry = &plan.operations[plan
            .operations
            .iter()
            .position(|o| o.key == ResourceKey::Registry)
            .expect("registry")];
        assert_eq!(
            registry.body.as_ref().expect("body")["location"],
            "eastus",
            "home: the global group's region, never replicated to"
        );
        assert_eq!(
            registry.body.as_ref().expect("body")["sku"]["name"],
            "Premium"
        );
        let pull = plan
            .operations
            .iter()
            .find(|o| o.key == ResourceKey::RegistryPull("westus".into()))
            .expect("pull");
        assert!(
            pull.id
                .contains("/providers/Microsoft.ContainerRegistry/registries/bcdrshop"),
            "{}",
            pull.id
        );
        assert!(
            pull.body.as_ref().expect("body")["properties"]["roleDefinitionId"]
                .as_str()
                .is_some_and(|r| r.ends_with(crate::arm::role_assignment::ACR_PULL))
        );
    }

    #[test]
    fn a_region_going_cold_loses_both_roles_before_its_cluster() {
        let mut t = with_registry();
        t.regions[1].mode = RegionMode::Cold;
        let plan = plan(&layout::desired(&t, SUB), &observed_after(&with_registry()));
        let cluster = plan
            .operations
            .iter()
            .find(|o| o.key == ResourceKey::ManagedCluster("westus".into()))
            .expect("cluster delete");
        let mut waits: Vec<String> = cluster
            .depends_on
            .iter()
            .map(|&d| plan.operations[d].key.to_string())
            .collect();
        waits.sort();
        assert_eq!(
            waits,
            [
                "cluster identity role (westus)",
                "registry pull role (westus)"
            ]
        );
    }

    #[test]
    fn removing_a_region_deletes_its_replica_and_pull_role_explicitly() {
        let three = || with_registry().region(Region::new("centralus", "10.3.0.0/16"));
        // centralus is the registry's home (first by name): removing it must not move the registry.
        let plan = crate::topology::plan_against(&with_registry(), &observed_after(&three()), SUB);
        let changes = summary(&plan);
        assert!(
            changes.contains(&"delete registry pull role (centralus)".to_owned()),
            "{changes:?}"
        );
        assert!(
            !changes
                .iter()
                .any(|c| c.contains("replica") || c.contains("container registry")),
            "the home stays, replicas too: {changes:?}"
        );
        // A region that is not the home takes its replica with it.
        let without_west = three();
        let mut without_west = without_west;
        without_west.regions.retain(|r| r.name != "westus");
        let plan = crate::topology::plan_against(&without_west, &observed_after(&three()), SUB);
        let changes = summary(&plan);
        for expected in [
            "delete registry replica (westus)",
            "delete registry pull role (westus)",
            "delete resource group (westus)",
        ] {
            assert!(changes.contains(&expected.to_owned()), "{changes:?}");
        }
    }

    #[test]
    fn dropping_the_registry_deletes_it_and_its_private_path_alone() {
        let plan = plan(
            &layout::desired(&two(), SUB),
            &observed_after(&with_registry()),
        );
        assert_eq!(
            summary(&plan),
            [
                "delete container registry",
                "delete registry private endpoint (eastus)",
                "delete registry private endpoint (westus)",
                "delete registry private DNS zone link (eastus)",
                "delete registry private DNS zone link (westus)",
                "delete registry private DNS zone (eastus)",
                "delete registry private DNS zone (westus)",
            ]
        );
    }
}

mod backup {
    use super::*;
    use crate::model::{Backup, RegionMode};

    #[test]
    fn backup_storage_has_a_container_per_cluster() {
        let mut t = two().backup(Backup::default());
        t.regions[1].mode = RegionMode::Cold;
        let plan = plan(&layout::desired(&t, SUB), &observed_after(&two()));
        let changes = summary(&plan);
        assert!(
            changes.starts_with(&[
                "update resource group (westus)".to_owned(),
                "create backup storage".to_owned(),
                "create backup container (eastus)".to_owned()
            ]),
            "{changes:?}"
        );
        assert!(
            !changes.contains(&"create backup container (westus)".to_owned()),
            "a cold region has no cluster to back up"
        );
        let account = plan
            .operations
            .iter()
            .find(|o| o.key == ResourceKey::StorageAccount)
            .expect("account");
        assert_eq!(
            account.body.as_ref().expect("body")["sku"]["name"],
            "Standard_RAGRS",
            "readable in the pair while the home region is down"
        );
        assert!(
            account.id.rsplit('/').next().is_some_and(|n| n.len() <= 24
                && n.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())),
            "{}",
            account.id
        );
    }

    #[test]
    fn dropping_backup_deletes_the_account_and_its_private_path_alone() {
        let plan = plan(
            &layout::desired(&two(), SUB),
            &observed_after(&two().backup(Backup::default())),
        );
        // AKS Backup's own deletes are plan/tests/aks_backup.rs's.
        let changes: Vec<String> = plan
            .changes()
            .filter(|o| !matches!(o.key, ResourceKey::AksBackup { .. }))
            .map(|o| format!("{} {}", o.action, o.key))
            .collect();
        assert_eq!(changes.len(), 7, "{changes:?}");
        assert_eq!(changes[0], "delete backup storage");
        assert!(
            changes[1..]
                .iter()
                .all(|c| c.starts_with("delete backup blob private")),
            "{changes:?}"
        );
    }
}

#[test]
fn traffic_moves_to_a_cold_region_only_after_its_cluster_exists() {
    use crate::model::{RegionMode, RoutingMethod, TrafficManager};
    let before = two().traffic_manager(TrafficManager::new(RoutingMethod::Priority));
    let mut before = before;
    before.regions[1].mode = RegionMode::Cold;
    let mut after = before.clone();
    after.regions[0].mode = RegionMode::Cold;
    after.regions[1].mode = RegionMode::Hot;
    let plan = plan(&layout::desired(&after, SUB), &observed_after(&before));
    let at = |key: ResourceKey| {
        plan.operations
            .iter()
            .position(|o| o.key == key)
            .expect("op")
    };
    let profile = &plan.operations[at(ResourceKey::TrafficManagerProfile)];
    assert_eq!(profile.action, Action::Update);
    assert!(
        profile
            .depends_on
            .contains(&at(ResourceKey::ManagedCluster("westus".into()))),
        "the endpoint is enabled after the cluster is created"
    );
}
