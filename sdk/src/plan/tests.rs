//! Golden plans: create, no-op, reorder, attribute updates, region added and removed, destroy, and the
//! peering schedule's guarantee that no two writes on one VNet can run at once.

use super::*;
use crate::layout::{self, ResourceKey};
use crate::model::{ClusterSettings, Region, Topology};
use serde_json::json;

const SUB: &str = "00000000-0000-0000-0000-000000000001";

fn topo(regions: &[(&str, &str)]) -> Topology {
    regions.iter().fold(Topology::new("shop"), |t, (n, c)| {
        t.region(Region::new(*n, *c))
    })
}

/// What ARM would report after applying `t` (desired bodies plus read-only extras).
fn observed_after(t: &Topology) -> Observed {
    let mut observed = Observed::default();
    for d in layout::desired(t, SUB) {
        let mut body = d.body.clone();
        body["id"] = json!(d.id.to_ascii_lowercase());
        body["properties"]["provisioningState"] = json!("Succeeded");
        observed
            .resources
            .insert(d.key, ObservedResource { id: d.id, body });
    }
    observed
}

fn summary(plan: &Plan) -> Vec<String> {
    plan.changes()
        .map(|o| format!("{} {}", o.action, o.key))
        .collect()
}

fn two() -> Topology {
    topo(&[("eastus", "10.1.0.0/16"), ("westus", "10.2.0.0/16")])
}

#[test]
fn create_from_nothing() {
    let plan = plan(&layout::desired(&two(), SUB), &Observed::default());
    assert_eq!(
        summary(&plan),
        [
            "create resource group (global)",
            "create resource group (eastus)",
            "create resource group (westus)",
            "create virtual network (eastus)",
            "create ingress public IP (eastus)",
            "create virtual network (westus)",
            "create ingress public IP (westus)",
            "create AKS cluster (eastus)",
            "create cluster identity role (eastus)",
            "create AKS cluster (westus)",
            "create cluster identity role (westus)",
            "create peering (eastus -> westus)",
            "create peering (westus -> eastus)",
        ]
    );
    let ops = &plan.operations;
    let at = |key: &str| {
        ops.iter()
            .position(|o| o.key.to_string() == key)
            .expect(key)
    };
    let deps = |key: &str| ops[at(key)].depends_on.clone();
    assert_eq!(
        deps("virtual network (eastus)"),
        [at("resource group (eastus)")],
        "vnet waits for its group"
    );
    assert_eq!(
        deps("AKS cluster (eastus)"),
        [
            at("resource group (eastus)"),
            at("virtual network (eastus)")
        ]
    );
    assert_eq!(
        deps("cluster identity role (eastus)"),
        [at("resource group (eastus)"), at("AKS cluster (eastus)")]
    );
    let role = &ops[at("cluster identity role (eastus)")];
    assert_eq!(
        role.bindings.len(),
        1,
        "the principal is bound at apply time"
    );
    assert_eq!(
        (
            role.bindings[0].source,
            role.bindings[0].source_pointer.as_str()
        ),
        (at("AKS cluster (eastus)"), "/identity/principalId")
    );
    assert_eq!(
        deps("peering (eastus -> westus)"),
        [
            at("virtual network (eastus)"),
            at("virtual network (westus)")
        ]
    );
    let reverse = deps("peering (westus -> eastus)");
    assert!(
        reverse.contains(&at("peering (eastus -> westus)")),
        "the reverse peering waits for the first"
    );
}

#[test]
fn applied_topology_plans_nothing_and_order_does_not_matter() {
    let t = two();
    assert!(!plan(&layout::desired(&t, SUB), &observed_after(&t)).has_changes());
    let reversed = topo(&[("westus", "10.2.0.0/16"), ("eastus", "10.1.0.0/16")]);
    assert!(!plan(&layout::desired(&reversed, SUB), &observed_after(&t)).has_changes());
}

#[test]
fn node_count_change_updates_only_that_cluster() {
    let before = two();
    let mut after = two();
    after.regions[1].cluster = ClusterSettings::default().node_count(5);
    let plan = plan(&layout::desired(&after, SUB), &observed_after(&before));
    assert_eq!(summary(&plan), ["update AKS cluster (westus)"]);
    let op = plan.changes().next().expect("one change");
    assert_eq!(
        op.drift[0].path,
        "properties.agentPoolProfiles[system].count"
    );
    assert!(op.reason.contains("want 5, have 3"), "{}", op.reason);
}

#[test]
fn cidr_change_updates_the_vnet_and_its_peerings_follow() {
    let before = two();
    let mut after = two();
    after.regions[0].vnet_cidr = "10.9.0.0/16".into();
    let plan = plan(&layout::desired(&after, SUB), &observed_after(&before));
    assert_eq!(
        summary(&plan),
        [
            "update virtual network (eastus)",
            "update peering (eastus -> westus)",
            "update peering (westus -> eastus)"
        ]
    );
    let vnet = plan.changes().next().expect("vnet update");
    assert!(plan.changes().skip(1).all(|p| {
        p.depends_on.contains(
            &plan
                .operations
                .iter()
                .position(|o| o.key == vnet.key)
                .expect("vnet"),
        )
    }));
}

#[test]
fn adding_a_region_touches_only_new_resources_and_its_peerings() {
    let before = two();
    let after = topo(&[
        ("eastus", "10.1.0.0/16"),
        ("westus", "10.2.0.0/16"),
        ("centralus", "10.3.0.0/16"),
    ]);
    let changes = summary(&plan(
        &layout::desired(&after, SUB),
        &observed_after(&before),
    ));
    assert_eq!(
        changes,
        [
            "create resource group (centralus)",
            "create virtual network (centralus)",
            "create ingress public IP (centralus)",
            "create AKS cluster (centralus)",
            "create cluster identity role (centralus)",
            "create peering (centralus -> eastus)",
            "create peering (centralus -> westus)",
            "create peering (eastus -> centralus)",
            "create peering (westus -> centralus)",
        ]
    );
}

#[test]
fn removing_a_region_deletes_its_group_after_the_peerings_to_it() {
    let before = topo(&[
        ("eastus", "10.1.0.0/16"),
        ("westus", "10.2.0.0/16"),
        ("centralus", "10.3.0.0/16"),
    ]);
    let plan = plan(&layout::desired(&two(), SUB), &observed_after(&before));
    assert_eq!(
        summary(&plan),
        [
            "delete peering (eastus -> centralus)",
            "delete peering (westus -> centralus)",
            "delete resource group (centralus)"
        ]
    );
    let rg = plan.operations.last().expect("rg delete");
    assert_eq!(rg.depends_on.len(), 2);
}

#[test]
fn out_of_sync_peering_is_resynced() {
    let t = two();
    let mut observed = observed_after(&t);
    let key = ResourceKey::Peering {
        from: "westus".into(),
        to: "eastus".into(),
    };
    observed.resources.get_mut(&key).expect("peering").body["properties"]["peeringSyncLevel"] =
        json!("RemoteNotInSync");
    let plan = plan(&layout::desired(&t, SUB), &observed);
    assert_eq!(summary(&plan), ["update peering (westus -> eastus)"]);
    assert!(
        plan.changes()
            .next()
            .expect("one")
            .reason
            .contains("RemoteNotInSync")
    );
}

#[test]
fn destroy_deletes_every_group() {
    let plan = destroy(&observed_after(&two()));
    assert_eq!(
        summary(&plan),
        [
            "delete resource group (eastus)",
            "delete resource group (global)",
            "delete resource group (westus)"
        ]
    );
}

/// Whether `a` is reachable from `b` through depends_on.
fn ordered_before(ops: &[PlannedOperation], a: usize, b: usize) -> bool {
    let mut stack = vec![b];
    let mut seen = BTreeSet::new();
    while let Some(n) = stack.pop() {
        for &d in &ops[n].depends_on {
            if d == a {
                return true;
            }
            if seen.insert(d) {
                stack.push(d);
            }
        }
    }
    false
}

#[test]
fn no_two_peering_writes_on_one_vnet_can_overlap() {
    for n in 2..=8 {
        let regions = [
            "eastus",
            "westus",
            "centralus",
            "eastus2",
            "northeurope",
            "westeurope",
            "uksouth",
            "ukwest",
        ];
        let t = regions[..n]
            .iter()
            .enumerate()
            .fold(Topology::new("shop"), |t, (i, r)| {
                t.region(Region::new(*r, format!("10.{}.0.0/16", i + 1)))
            });
        let plan = plan(&layout::desired(&t, SUB), &Observed::default());
        let peerings: Vec<usize> = plan
            .operations
            .iter()
            .enumerate()
            .filter(|(_, o)| matches!(o.key, ResourceKey::Peering { .. }))
            .map(|(i, _)| i)
            .collect();
        assert_eq!(peerings.len(), n * (n - 1));
        let touches = |i: usize| match &plan.operations[i].key {
            ResourceKey::Peering { from, to } => [from.clone(), to.clone()],
            _ => unreachable!(),
        };
        for (x, &a) in peerings.iter().enumerate() {
            for &b in &peerings[x + 1..] {
                if touches(a).iter().any(|v| touches(b).contains(v)) {
                    let ops = &plan.operations;
                    assert!(
                        ordered_before(ops, a, b) || ordered_before(ops, b, a),
                        "{} and {} may overlap",
                        ops[a].key,
                        ops[b].key
                    );
                }
            }
        }
    }
}

#[test]
fn round_robin_pairs_every_region_once_per_round() {
    let regions: Vec<String> = (0..6).map(|i| format!("r{i}")).collect();
    let rounds = round_robin(&regions);
    assert_eq!(rounds.len(), 15);
    for r in 0..5 {
        let in_round: Vec<_> = rounds
            .iter()
            .filter(|(_, v)| **v == r)
            .flat_map(|((a, b), _)| [a.clone(), b.clone()])
            .collect();
        let unique: BTreeSet<_> = in_round.iter().collect();
        assert_eq!(in_round.len(), unique.len());
        assert_eq!(in_round.len(), 6);
    }
}

#[test]
fn drift_is_case_insensitive_and_ignores_extras() {
    let want = json!({"location": "eastus", "properties": {"networkProfile": {"loadBalancerSku": "standard"}}});
    let have = json!({"location": "EastUS", "extra": 1, "properties": {"networkProfile": {"loadBalancerSku": "Standard", "x": 2}}});
    assert!(drift(&want, &have).is_empty());
    let have = json!({"location": "westus"});
    let d = drift(&want, &have);
    assert_eq!(d.len(), 2);
    assert_eq!(d[0].path, "location");
}

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
            Action::Update,
            "the observed assignment has another principal"
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
                "create registry pull role (westus)"
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
    fn dropping_the_registry_deletes_it_alone() {
        let plan = plan(
            &layout::desired(&two(), SUB),
            &observed_after(&with_registry()),
        );
        assert_eq!(summary(&plan), ["delete container registry"]);
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
            "Standard_GRS"
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
    fn dropping_backup_deletes_the_account_alone() {
        let plan = plan(
            &layout::desired(&two(), SUB),
            &observed_after(&two().backup(Backup::default())),
        );
        assert_eq!(summary(&plan), ["delete backup storage"]);
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
