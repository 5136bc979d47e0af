//! States after apply (every unknown filled from what ARM reports), refresh (what ARM reports now,
//! drift listed) and import (the configuration a topology corresponds to, applied).

use super::super::schema::{DEFAULT_MODE, DEFAULT_ROLE};
use super::planned;
use crate::value::Value;
use bcdr::layout::ResourceKey;
use bcdr::{Topology, TopologyStatus, names};
use std::collections::{BTreeMap, BTreeSet};

/// Replaces `map[attr]` by `with` when it is unknown.
fn fill(map: &mut BTreeMap<String, Value>, attr: &str, with: &str) {
    if map.get(attr).is_none_or(Value::is_unknown) {
        map.insert(attr.to_owned(), Value::string(with));
    }
}

/// ARM's value, unless the state's differs from it only in case (ARM compares these without case, and
/// the configuration's spelling must survive a refresh, or every plan would show it changing).
fn mirror(map: &mut BTreeMap<String, Value>, attr: &str, arm: &str) {
    if !map
        .get(attr)
        .and_then(Value::as_str)
        .is_some_and(|s| s.eq_ignore_ascii_case(arm))
    {
        map.insert(attr.to_owned(), Value::string(arm));
    }
}

/// The state after apply: the planned state with every unknown filled from what ARM reports.
pub fn applied(planned: &Value, status: &TopologyStatus) -> Value {
    let mut out = planned.as_map().cloned().unwrap_or_default();
    if planned.get("peerings").is_unknown() {
        out.insert(
            "peerings".into(),
            Value::Map(
                status
                    .peerings
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::string(v)))
                    .collect(),
            ),
        );
    }
    let mut regions = BTreeMap::new();
    for (name, r) in planned.get("region").as_map().into_iter().flatten() {
        let s = status.regions.get(name).cloned().unwrap_or_default();
        let mut r = r.as_map().cloned().unwrap_or_default();
        for (attr, with) in [
            ("resource_group_id", &s.resource_group_id),
            ("vnet_id", &s.vnet_id),
            ("subnet_id", &s.subnet_id),
            ("cluster_id", &s.cluster_id),
            ("cluster_fqdn", &s.cluster_fqdn),
            ("cluster_private_fqdn", &s.cluster_private_fqdn),
            ("kubelet_identity_object_id", &s.kubelet_identity_object_id),
            ("node_resource_group", &s.node_resource_group),
            ("kubernetes_version", &s.kubernetes_version),
            ("ingress_ip_id", &s.ingress_ip_id),
            ("ingress_ip_address", &s.ingress_ip_address),
            ("ingress_fqdn", &s.ingress_fqdn),
            ("endpoint_status", &s.endpoint_status),
            ("mode", &DEFAULT_MODE.to_owned()),
            ("role", &DEFAULT_ROLE.to_owned()),
        ] {
            fill(&mut r, attr, with);
        }
        super::pools::fill_counts(&mut r, &s.pool_node_counts);
        regions.insert(name.clone(), Value::Map(r));
    }
    out.insert("region".into(), Value::Map(regions));
    if let Some(tm) = planned.get("traffic_manager").as_map() {
        let mut tm = tm.clone();
        fill(&mut tm, "fqdn", &status.traffic_manager_fqdn);
        fill(&mut tm, "id", &status.traffic_manager_id);
        out.insert("traffic_manager".into(), Value::Map(tm));
    }
    if let Some(fd) = planned.get("front_door").as_map() {
        let mut fd = fd.clone();
        fill(&mut fd, "host_name", &status.front_door_host);
        fill(&mut fd, "profile_id", &status.front_door_id);
        out.insert("front_door".into(), Value::Map(fd));
    }
    if let Some(backup) = planned.get("backup").as_map() {
        let mut backup = backup.clone();
        fill(
            &mut backup,
            "secondary_region",
            &status.backup_secondary_region,
        );
        fill(&mut backup, "storage_account_id", &status.backup_account_id);
        fill(&mut backup, "blob_endpoint", &status.backup_blob_endpoint);
        fill(
            &mut backup,
            "secondary_blob_endpoint",
            &status.backup_secondary_blob_endpoint,
        );
        super::backup::applied(&mut backup, status);
        out.insert("backup".into(), Value::Map(backup));
    }
    if let Some(reg) = planned.get("registry").as_map() {
        let mut reg = reg.clone();
        fill(&mut reg, "login_server", &status.registry_login_server);
        fill(&mut reg, "id", &status.registry_id);
        let name = status
            .registry_id
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_owned();
        fill(&mut reg, "name", &name);
        out.insert("registry".into(), Value::Map(reg));
    }
    if planned.get("database").as_map().is_some() {
        out.insert(
            "database".into(),
            super::database::applied(planned.get("database"), status),
        );
    }
    fill(&mut out, "id", &status.global_resource_group_id);
    fill(&mut out, "global_group_region", &status.global_group_region);
    Value::Map(out)
}

/// The refreshed state: `prior` with what ARM reports now. Regions whose group is gone drop out (the
/// plan adds them back); attributes read back from ARM show drift as plan diffs; `drift` lists the rest.
pub fn refreshed(
    prior: &Value,
    status: &TopologyStatus,
    observed: &bcdr::plan::Observed,
    drift: Vec<String>,
) -> Value {
    let mut out = prior.as_map().cloned().unwrap_or_default();
    let mut regions = BTreeMap::new();
    let present: BTreeSet<&String> = observed
        .resources
        .keys()
        .filter_map(|k| {
            if let ResourceKey::ResourceGroup(r) = k {
                Some(r)
            } else {
                None
            }
        })
        .collect();
    for (name, r) in prior.get("region").as_map().into_iter().flatten() {
        if status.unreachable.contains_key(name) {
            // Nothing was read of it: its part of the state stays as last known.
            regions.insert(name.clone(), r.clone());
            continue;
        }
        if !present.contains(name) {
            continue;
        }
        let mut r = r.as_map().cloned().unwrap_or_default();
        if let Some(s) = status.regions.get(name) {
            if !s.vnet_cidr.is_empty() {
                r.insert("vnet_cidr".into(), Value::string(&s.vnet_cidr));
            }
            // What only ARM says mirrors it, gone included: a value kept for a cluster or IP that no
            // longer exists would be carried through the next apply as if still true.
            let replaced = r.get("cluster_fqdn").and_then(Value::as_str) != Some(&s.cluster_fqdn);
            for (attr, v) in [
                ("cluster_fqdn", &s.cluster_fqdn),
                ("cluster_private_fqdn", &s.cluster_private_fqdn),
                ("kubelet_identity_object_id", &s.kubelet_identity_object_id),
                ("node_resource_group", &s.node_resource_group),
                ("kubernetes_version", &s.kubernetes_version),
                ("ingress_ip_address", &s.ingress_ip_address),
                ("ingress_fqdn", &s.ingress_fqdn),
                ("endpoint_status", &s.endpoint_status),
            ] {
                r.insert(attr.into(), Value::string(v));
            }
            if replaced {
                // Another cluster (or none): its kubeconfig is read again at the next apply.
                r.insert("kube_config".into(), Value::string(""));
                r.insert("host".into(), Value::string(""));
                r.insert("cluster_ca_certificate".into(), Value::string(""));
                r.insert("exec_args".into(), Value::List(Vec::new()));
            }
        }
        let pool = observed
            .body(&ResourceKey::ManagedCluster(name.clone()))
            .and_then(|c| {
                c["properties"]["agentPoolProfiles"]
                    .as_array()
                    .and_then(|p| {
                        p.iter()
                            .find(|p| {
                                p["mode"]
                                    .as_str()
                                    .is_some_and(|m| m.eq_ignore_ascii_case("system"))
                            })
                            .cloned()
                    })
            });
        if let Some(pool) = pool {
            if let Some(count) = pool["count"].as_f64() {
                r.insert("node_count".into(), Value::Number(count));
            }
            if let Some(size) = pool["vmSize"].as_str() {
                mirror(&mut r, "vm_size", size);
            }
        }
        if let Some(tier) = status
            .regions
            .get(name)
            .map(|s| s.cluster_tier.as_str())
            .filter(|t| !t.is_empty())
        {
            mirror(&mut r, "sku_tier", tier);
        }
        regions.insert(name.clone(), Value::Map(r));
    }
    let extras: Vec<String> = present
        .iter()
        .filter(|r| r.as_str() != names::GLOBAL && !regions.contains_key(r.as_str()))
        .map(|r| (*r).clone())
        .collect();
    for extra in extras {
        regions.insert(
            extra,
            Value::Map(BTreeMap::from([("vnet_cidr".into(), Value::string(""))])),
        );
    }
    out.insert("region".into(), Value::Map(regions));
    // Where the global group is, as Azure has it (an older state does not say).
    if !status.global_group_region.is_empty() {
        mirror(&mut out, "global_group_region", &status.global_group_region);
    }
    // The global resources' names from ARM mirror it too (a Front Door endpoint made again gets a
    // new host name).
    for (block, attr, value) in [
        ("traffic_manager", "fqdn", &status.traffic_manager_fqdn),
        ("front_door", "host_name", &status.front_door_host),
        (
            "backup",
            "secondary_region",
            &status.backup_secondary_region,
        ),
        ("backup", "blob_endpoint", &status.backup_blob_endpoint),
        (
            "backup",
            "secondary_blob_endpoint",
            &status.backup_secondary_blob_endpoint,
        ),
        ("registry", "login_server", &status.registry_login_server),
    ] {
        // What could not be read (its region down) stays as last known.
        let unread = |key: ResourceKey| status.unreadable.contains_key(&key.to_string());
        if (block == "registry" && unread(ResourceKey::Registry))
            || (block == "backup" && unread(ResourceKey::StorageAccount))
        {
            continue;
        }
        if let Some(map) = prior.get(block).as_map() {
            let mut map = map.clone();
            map.insert(attr.into(), Value::string(value));
            out.insert(block.into(), Value::Map(map));
        }
    }
    // The peerings an unreachable region's VNet holds were not read: kept as last known.
    let mut peerings: BTreeMap<String, Value> = prior
        .get("peerings")
        .as_map()
        .into_iter()
        .flatten()
        .filter(|(k, _)| {
            k.split_once("->")
                .is_some_and(|(from, _)| status.unreachable.contains_key(from))
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    peerings.extend(
        status
            .peerings
            .iter()
            .map(|(k, v)| (k.clone(), Value::string(v))),
    );
    out.insert("peerings".into(), Value::Map(peerings));
    if prior.get("database").as_map().is_some() {
        out.insert(
            "database".into(),
            super::database::refreshed(prior.get("database"), status),
        );
    }
    out.insert(
        "drift".into(),
        Value::List(drift.into_iter().map(Value::String).collect()),
    );
    Value::Map(out)
}

/// The configuration a topology corresponds to (what `import` writes before filling computed values).
fn config_of(topology: &Topology) -> Value {
    let mut regions = BTreeMap::new();
    for region in topology.sorted_regions() {
        let c = &region.cluster;
        let e = &region.endpoint;
        let opt_number = |n: Option<u32>| n.map_or(Value::Null, |n| Value::Number(f64::from(n)));
        let r = BTreeMap::from([
            ("vnet_cidr".to_owned(), Value::string(&region.vnet_cidr)),
            ("mode".to_owned(), Value::string(region.mode.as_str())),
            ("role".to_owned(), Value::string(region.role.as_str())),
            (
                "kubernetes_version".to_owned(),
                c.kubernetes_version
                    .clone()
                    .map_or(Value::Null, Value::String),
            ),
            (
                "node_count".to_owned(),
                // Under the autoscaler the count is AKS's: the plan leaves it to the status.
                if c.autoscale.is_some() {
                    Value::Null
                } else {
                    Value::Number(f64::from(c.node_count))
                },
            ),
            ("vm_size".to_owned(), Value::string(&c.vm_size)),
            ("sku_tier".to_owned(), Value::string(c.tier.as_str())),
            ("priority".to_owned(), opt_number(e.priority)),
            ("weight".to_owned(), opt_number(e.weight)),
            (
                "geo_mappings".to_owned(),
                if e.geo_mappings.is_empty() {
                    Value::Null
                } else {
                    Value::List(e.geo_mappings.iter().map(Value::string).collect())
                },
            ),
        ]);
        let mut r = r;
        r.extend(super::pools::config(c));
        regions.insert(region.name.clone(), Value::Map(r));
    }
    let tm = topology.traffic_manager.as_ref().map_or(Value::Null, |tm| {
        Value::Map(BTreeMap::from([
            (
                "routing_method".to_owned(),
                Value::string(tm.routing_method.as_str()),
            ),
            (
                "dns_name".to_owned(),
                Value::string(tm.relative_name(&topology.name)),
            ),
            ("ttl".to_owned(), Value::Number(f64::from(tm.ttl))),
            (
                "probe_protocol".to_owned(),
                Value::string(&tm.probe_protocol),
            ),
            (
                "probe_port".to_owned(),
                Value::Number(f64::from(tm.probe_port)),
            ),
            ("probe_path".to_owned(), Value::string(&tm.probe_path)),
            (
                "probe_interval".to_owned(),
                Value::Number(f64::from(tm.probe_interval)),
            ),
            (
                "probe_timeout".to_owned(),
                Value::Number(f64::from(tm.probe_timeout)),
            ),
            (
                "tolerated_failures".to_owned(),
                Value::Number(f64::from(tm.tolerated_failures)),
            ),
            (
                "probe_headers".to_owned(),
                if tm.probe_headers.is_empty() {
                    Value::Null
                } else {
                    Value::Map(
                        tm.probe_headers
                            .iter()
                            .map(|(k, v)| (k.clone(), Value::string(v)))
                            .collect(),
                    )
                },
            ),
            (
                "expected_status_codes".to_owned(),
                if tm.expected_status_codes.is_empty() {
                    Value::Null
                } else {
                    Value::List(tm.expected_status_codes.iter().map(Value::string).collect())
                },
            ),
        ]))
    });
    // Declared services come back from the global group's tag; a managed one's `geo_replicated` as
    // the tag says (planned `false` when unset).
    let services = topology
        .stateful_services
        .iter()
        .map(|s| {
            let (kind, geo) = match s.location {
                bcdr::model::StateLocation::InCluster => ("in-cluster", Value::Null),
                bcdr::model::StateLocation::Managed { geo_replicated } => {
                    ("managed", Value::Bool(geo_replicated))
                }
            };
            let block = BTreeMap::from([
                ("kind".to_owned(), Value::string(kind)),
                ("geo_replicated".to_owned(), geo),
            ]);
            (s.name.clone(), Value::Map(block))
        })
        .collect();
    Value::Map(BTreeMap::from([
        ("name".into(), Value::string(&topology.name)),
        ("region".into(), Value::Map(regions)),
        ("stateful_service".into(), Value::Map(services)),
        ("traffic_manager".into(), tm),
        (
            "registry".into(),
            topology.registry.as_ref().map_or(Value::Null, |r| {
                Value::Map(BTreeMap::from([
                    ("zone_redundancy".to_owned(), Value::Bool(r.zone_redundancy)),
                    (
                        "public_network_access".to_owned(),
                        Value::Bool(r.public_network_access),
                    ),
                ]))
            }),
        ),
        (
            "home_region".into(),
            topology
                .home_region
                .clone()
                .map_or(Value::Null, Value::String),
        ),
        (
            "global_group_region".into(),
            topology
                .global_group_region
                .clone()
                .map_or(Value::Null, Value::String),
        ),
        (
            "peering_hub".into(),
            topology
                .peering_hub
                .clone()
                .map_or(Value::Null, Value::String),
        ),
        (
            "admin_group_object_ids".into(),
            if topology.access.admin_group_object_ids.is_empty() {
                Value::Null
            } else {
                Value::List(
                    topology
                        .access
                        .admin_group_object_ids
                        .iter()
                        .map(Value::string)
                        .collect(),
                )
            },
        ),
        (
            "api_server_authorized_ip_ranges".into(),
            if topology.access.authorized_ip_ranges.is_empty() {
                Value::Null
            } else {
                Value::List(
                    topology
                        .access
                        .authorized_ip_ranges
                        .iter()
                        .map(Value::string)
                        .collect(),
                )
            },
        ),
        (
            "local_accounts".into(),
            if topology.access.local_accounts {
                Value::Bool(true)
            } else {
                Value::Null
            },
        ),
        (
            "network_policy".into(),
            Value::string(topology.access.network_policy.as_str()),
        ),
        (
            "private_cluster".into(),
            if topology.access.private_cluster {
                Value::Bool(true)
            } else {
                Value::Null
            },
        ),
        (
            "front_door".into(),
            topology.front_door.as_ref().map_or(Value::Null, |f| {
                Value::Map(BTreeMap::from([
                    (
                        "tier".to_owned(),
                        Value::string(if f.premium { "Premium" } else { "Standard" }),
                    ),
                    ("probe_path".to_owned(), Value::string(&f.probe_path)),
                    (
                        "probe_protocol".to_owned(),
                        Value::string(&f.probe_protocol),
                    ),
                    (
                        "probe_interval".to_owned(),
                        Value::Number(f64::from(f.probe_interval)),
                    ),
                    (
                        "origin_host_header".to_owned(),
                        f.origin_host_header
                            .clone()
                            .map_or(Value::Null, Value::String),
                    ),
                    (
                        "session_affinity".to_owned(),
                        Value::Bool(f.session_affinity),
                    ),
                    (
                        "waf".to_owned(),
                        f.waf.as_ref().map_or(Value::Null, super::waf::config),
                    ),
                ]))
            }),
        ),
        (
            "database".into(),
            topology
                .database
                .as_ref()
                .map_or(Value::Null, super::database::config),
        ),
        (
            "backup".into(),
            topology.backup.as_ref().map_or(Value::Null, |b| {
                let mut block = BTreeMap::from([(
                    "redundancy".to_owned(),
                    Value::string(b.redundancy.as_str()),
                )]);
                block.extend(super::backup::config(b));
                Value::Map(block)
            }),
        ),
    ]))
}

/// State for an imported topology.
pub fn imported(topology: &Topology, status: &TopologyStatus, subscription: &str) -> Value {
    applied(
        &planned(&config_of(topology), &Value::Null, Some(subscription)),
        status,
    )
}
