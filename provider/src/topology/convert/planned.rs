//! The planned state: the configuration with defaults filled in, deterministic ids known, endpoint
//! states following the modes, readiness and diagram computed, and what only ARM can say carried over
//! from the prior state or left unknown.

use super::super::schema::{
    DEFAULT_MODE, DEFAULT_NODE_COUNT, DEFAULT_ROLE, DEFAULT_SKU_TIER, DEFAULT_VM_SIZE,
};
use super::homes::{global_group_region, home_region};
use super::{mode_of, or_default, topology, unknown_paths};
use crate::value::Value;
use bcdr::layout::ResourceKey;
use bcdr::model::{RegionMode, RoutingMethod};
use bcdr::names;
use std::collections::BTreeMap;

pub(super) fn id_of(key: ResourceKey, subscription: Option<&str>, name: &Value) -> Value {
    match (subscription, name.as_str()) {
        (Some(sub), Some(n)) => Value::string(key.id(sub, n)),
        _ => Value::Unknown,
    }
}

/// `prior`'s value when it is a known, non-empty list; otherwise unknown (apply will tell).
fn carried_list(prior: &Value) -> Value {
    match prior {
        Value::List(items) if !items.is_empty() => prior.clone(),
        _ => Value::Unknown,
    }
}

/// The value of a cluster attribute in a region without a cluster.
fn no_cluster(attr: &str) -> Value {
    if attr == "exec_args" {
        Value::List(Vec::new())
    } else {
        Value::string("")
    }
}

/// `prior`'s value when it is a known, non-empty string; otherwise unknown (apply will tell).
fn carried(prior: &Value) -> Value {
    if prior.as_str().is_some_and(|s| !s.is_empty()) {
        prior.clone()
    } else {
        Value::Unknown
    }
}

/// A region's endpoint settings in effect: the priority it gets, the weight it has.
struct Effective {
    method: Option<RoutingMethod>,
    priorities: BTreeMap<String, u32>,
    /// Some input the assignment depends on is not known yet.
    uncertain: bool,
    /// Traffic Manager or Front Door routes to the regions.
    routed: bool,
}

impl Effective {
    fn of(config: &Value) -> Self {
        let t = topology(config);
        let method = t.traffic_manager.as_ref().map(|tm| tm.routing_method);
        let routed = method.is_some() || t.front_door.is_some();
        let regions = config.get("region").as_map().into_iter().flatten();
        let uncertain = config
            .get("traffic_manager")
            .get("routing_method")
            .is_unknown()
            || regions.map(|(_, r)| r).any(|r| {
                r.get("mode").is_unknown()
                    || r.get("priority").is_unknown()
                    || r.get("role").is_unknown()
            });
        Self {
            method,
            routed,
            priorities: bcdr::layout::priorities(&t),
            uncertain,
        }
    }

    fn priority(&self, region: &str, configured: &Value) -> Value {
        match (self.method, configured) {
            (_, Value::Unknown) => Value::Unknown,
            (Some(RoutingMethod::Priority), Value::Null) if self.uncertain => Value::Unknown,
            (Some(RoutingMethod::Priority), Value::Null) => self
                .priorities
                .get(region)
                .map_or(Value::Null, |p| Value::Number(f64::from(*p))),
            _ => configured.clone(),
        }
    }

    fn weight(&self, configured: &Value) -> Value {
        match (self.method, configured) {
            (Some(RoutingMethod::Weighted), Value::Null) => Value::Number(1.0),
            _ => configured.clone(),
        }
    }
}

fn planned_region(
    region: &str,
    rc: &Value,
    before: &Value,
    effective: &Effective,
    subscription: Option<&str>,
    name: &Value,
) -> Value {
    let routed = effective.routed;
    let mut r = rc.as_map().cloned().unwrap_or_default();
    r.insert(
        "priority".into(),
        effective.priority(region, rc.get("priority")),
    );
    r.insert("weight".into(), effective.weight(rc.get("weight")));
    let mode = or_default(rc.get("mode"), Value::string(DEFAULT_MODE));
    r.insert(
        "node_count".into(),
        super::pools::planned_count(rc, before, DEFAULT_NODE_COUNT),
    );
    r.insert("node_pool".into(), super::pools::planned_pools(rc, before));
    r.insert(
        "vm_size".into(),
        or_default(rc.get("vm_size"), Value::string(DEFAULT_VM_SIZE)),
    );
    // Left out, the default; in the prior state's spelling when that is the default already.
    let kept = before.get("sku_tier").clone();
    let default = if kept
        .as_str()
        .is_some_and(|t| t.eq_ignore_ascii_case(DEFAULT_SKU_TIER))
    {
        kept
    } else {
        Value::string(DEFAULT_SKU_TIER)
    };
    r.insert("sku_tier".into(), or_default(rc.get("sku_tier"), default));
    r.insert("mode".into(), mode.clone());
    r.insert(
        "role".into(),
        or_default(rc.get("role"), Value::string(DEFAULT_ROLE)),
    );
    let key = |k: fn(String) -> ResourceKey| id_of(k(region.to_owned()), subscription, name);
    r.insert("resource_group_id".into(), key(ResourceKey::ResourceGroup));
    r.insert("vnet_id".into(), key(ResourceKey::VirtualNetwork));
    r.insert("ingress_ip_id".into(), key(ResourceKey::PublicIp));
    let subnet = match key(ResourceKey::VirtualNetwork) {
        Value::String(vnet) => Value::String(format!("{vnet}/subnets/{}", names::AKS_SUBNET)),
        other => other,
    };
    r.insert("subnet_id".into(), subnet);
    let group = name.as_str().map_or(Value::Unknown, |n| {
        Value::string(names::resource_group(n, region))
    });
    r.insert("ingress_resource_group".into(), group);
    for attr in ["ingress_ip_address", "ingress_fqdn"] {
        r.insert(attr.into(), carried(before.get(attr)));
    }
    let cluster_attrs = [
        "cluster_fqdn",
        "cluster_private_fqdn",
        "kubelet_identity_object_id",
        "node_resource_group",
        "kube_config",
        "host",
        "cluster_ca_certificate",
        "exec_args",
    ];
    match mode.as_str().and_then(RegionMode::parse) {
        None => {
            for attr in cluster_attrs
                .iter()
                .chain(&["cluster_id", "endpoint_status"])
            {
                r.insert((*attr).into(), Value::Unknown);
            }
            if rc.get("kubernetes_version").is_null() {
                r.insert("kubernetes_version".into(), Value::Unknown);
            }
        }
        Some(m) => {
            let had_cluster = before
                .get("mode")
                .as_str()
                .and_then(RegionMode::parse)
                .is_some_and(RegionMode::has_cluster);
            for attr in cluster_attrs {
                let v = if !m.has_cluster() {
                    no_cluster(attr)
                } else if had_cluster && attr == "cluster_private_fqdn" {
                    // Empty is a value here (a public API server), fixed for the cluster's life.
                    match before.get(attr) {
                        v @ Value::String(_) => v.clone(),
                        _ => Value::Unknown,
                    }
                } else if had_cluster && attr == "exec_args" {
                    carried_list(before.get(attr))
                } else if had_cluster {
                    carried(before.get(attr))
                } else {
                    Value::Unknown
                };
                r.insert(attr.into(), v);
            }
            r.insert(
                "cluster_id".into(),
                if m.has_cluster() {
                    key(ResourceKey::ManagedCluster)
                } else {
                    Value::string("")
                },
            );
            if rc.get("kubernetes_version").is_null() {
                let v = if !m.has_cluster() {
                    Value::string("")
                } else if had_cluster {
                    carried(before.get("kubernetes_version"))
                } else {
                    Value::Unknown
                };
                r.insert("kubernetes_version".into(), v);
            }
            let status = match (routed, m) {
                (false, _) => "",
                (true, RegionMode::Hot) => "Enabled",
                (true, _) => "Disabled",
            };
            r.insert("endpoint_status".into(), Value::string(status));
        }
    }
    Value::Map(r)
}

fn planned_traffic_manager(
    config: &Value,
    prior: &Value,
    subscription: Option<&str>,
    name: &Value,
) -> Value {
    let tm = config.get("traffic_manager");
    let Some(map) = tm.as_map() else {
        return Value::Null;
    };
    let mut out = map.clone();
    let dns = match (tm.get("dns_name"), name.as_str()) {
        (Value::Null, Some(n)) => Value::string(format!("bcdr-{n}")),
        (Value::Null, None) => Value::Unknown,
        (v, _) => v.clone(),
    };
    out.insert("dns_name".into(), dns.clone());
    out.insert(
        "probe_protocol".into(),
        or_default(tm.get("probe_protocol"), Value::string("HTTPS")),
    );
    out.insert(
        "probe_port".into(),
        or_default(tm.get("probe_port"), Value::Number(443.0)),
    );
    out.insert(
        "probe_path".into(),
        or_default(tm.get("probe_path"), Value::string("/healthz")),
    );
    let defaults = bcdr::model::TrafficManager::new(RoutingMethod::Priority);
    let mut known = true;
    let mut setting = |attr: &str, default: u32| {
        let v = or_default(tm.get(attr), Value::Number(f64::from(default)));
        known &= !v.is_unknown();
        out.insert(attr.into(), v);
    };
    setting("ttl", defaults.ttl);
    setting("probe_interval", defaults.probe_interval);
    setting("probe_timeout", defaults.probe_timeout);
    setting("tolerated_failures", defaults.tolerated_failures);
    let failover = match super::traffic_manager(config) {
        Some(t) if known => Value::Number(f64::from(t.failover_seconds())),
        _ => Value::Unknown,
    };
    out.insert("failover_seconds".into(), failover);
    out.insert(
        "id".into(),
        id_of(ResourceKey::TrafficManagerProfile, subscription, name),
    );
    let before = prior.get("traffic_manager");
    let fqdn = if before.get("dns_name") == &dns {
        carried(before.get("fqdn"))
    } else {
        Value::Unknown
    };
    out.insert("fqdn".into(), fqdn);
    Value::Map(out)
}

fn planned_registry(
    config: &Value,
    prior: &Value,
    subscription: Option<&str>,
    name: &Value,
) -> Value {
    let block = config.get("registry");
    let Some(map) = block.as_map() else {
        return Value::Null;
    };
    let mut out = map.clone();
    out.insert(
        "zone_redundancy".into(),
        or_default(block.get("zone_redundancy"), Value::Bool(false)),
    );
    out.insert(
        "public_network_access".into(),
        or_default(block.get("public_network_access"), Value::Bool(false)),
    );
    let registry_name = match (subscription, name.as_str()) {
        (Some(sub), Some(n)) => Value::string(names::registry(sub, n)),
        _ => Value::Unknown,
    };
    out.insert("name".into(), registry_name);
    out.insert(
        "id".into(),
        id_of(ResourceKey::Registry, subscription, name),
    );
    out.insert(
        "login_server".into(),
        carried(prior.get("registry").get("login_server")),
    );
    Value::Map(out)
}

/// The readiness report of the configured topology (its global group where the state has it);
/// unknown while some input is.
fn readiness(config: &Value, prior: &Value) -> Value {
    if !unknown_paths(config).is_empty() {
        return Value::Unknown;
    }
    let mut t = topology(config);
    if t.global_group_region.is_none() {
        t.global_group_region = prior
            .get("global_group_region")
            .as_str()
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
    }
    Value::List(
        bcdr::readiness::report(&t)
            .iter()
            .map(|f| Value::String(f.to_string()))
            .collect(),
    )
}

fn diagram(config: &Value) -> Value {
    if !unknown_paths(config).is_empty() {
        return Value::Unknown;
    }
    Value::String(bcdr::diagram::mermaid(&topology(config)))
}

fn planned_front_door(
    config: &Value,
    prior: &Value,
    subscription: Option<&str>,
    name: &Value,
) -> Value {
    let block = config.get("front_door");
    let Some(map) = block.as_map() else {
        return Value::Null;
    };
    let mut out = map.clone();
    out.insert(
        "tier".into(),
        or_default(block.get("tier"), Value::string("Standard")),
    );
    out.insert(
        "probe_path".into(),
        or_default(block.get("probe_path"), Value::string("/healthz")),
    );
    out.insert(
        "probe_protocol".into(),
        or_default(block.get("probe_protocol"), Value::string("Https")),
    );
    out.insert(
        "probe_interval".into(),
        or_default(
            block.get("probe_interval"),
            Value::Number(f64::from(bcdr::model::FrontDoor::default().probe_interval)),
        ),
    );
    out.insert(
        "session_affinity".into(),
        or_default(block.get("session_affinity"), Value::Bool(false)),
    );
    out.insert(
        "profile_id".into(),
        id_of(ResourceKey::FrontDoorProfile, subscription, name),
    );
    out.insert(
        "waf".into(),
        super::waf::planned(block, id_of(ResourceKey::WafPolicy, subscription, name)),
    );
    out.insert(
        "host_name".into(),
        carried(prior.get("front_door").get("host_name")),
    );
    Value::Map(out)
}

fn planned_backup(
    config: &Value,
    prior: &Value,
    subscription: Option<&str>,
    name: &Value,
) -> Value {
    let block = config.get("backup");
    let Some(map) = block.as_map() else {
        return Value::Null;
    };
    let mut out = map.clone();
    out.insert(
        "redundancy".into(),
        or_default(
            block.get("redundancy"),
            Value::string(bcdr::model::StorageRedundancy::default().as_str()),
        ),
    );
    out.insert(
        "storage_account_id".into(),
        id_of(ResourceKey::StorageAccount, subscription, name),
    );
    let before = prior.get("backup");
    super::backup::planned(config, block, before, subscription, &mut out);
    out.insert(
        "secondary_region".into(),
        carried(before.get("secondary_region")),
    );
    out.insert("blob_endpoint".into(), carried(before.get("blob_endpoint")));
    // Known while the redundancy stays (empty without read access); ARM says again when it changes.
    let same_redundancy = before
        .get("redundancy")
        .as_str()
        .zip(out.get("redundancy").and_then(Value::as_str))
        .is_some_and(|(a, b)| a.eq_ignore_ascii_case(b));
    let secondary = match before.get("secondary_blob_endpoint") {
        Value::String(s) if same_redundancy => Value::String(s.clone()),
        _ => Value::Unknown,
    };
    out.insert("secondary_blob_endpoint".into(), secondary);
    let containers: BTreeMap<String, Value> = config
        .get("region")
        .as_map()
        .into_iter()
        .flatten()
        .filter(|(_, r)| mode_of(r).has_cluster())
        .map(|(region, _)| {
            (
                region.clone(),
                Value::string(names::backup_container(region)),
            )
        })
        .collect();
    let uncertain = config
        .get("region")
        .as_map()
        .into_iter()
        .flatten()
        .any(|(_, r)| r.get("mode").is_unknown());
    out.insert(
        "containers".into(),
        if uncertain {
            Value::Unknown
        } else {
            Value::Map(containers)
        },
    );
    Value::Map(out)
}

/// The planned state: the configuration with defaults filled in, deterministic ids known, endpoint
/// states following the modes, and what only ARM can say (FQDNs, identities, addresses, peering states)
/// carried over from `prior` or left unknown.
pub fn planned(config: &Value, prior: &Value, subscription: Option<&str>) -> Value {
    let name = config.get("name");
    let effective = Effective::of(config);
    let prior_regions = prior.get("region");
    let regions: BTreeMap<String, Value> = config
        .get("region")
        .as_map()
        .into_iter()
        .flatten()
        .map(|(region, rc)| {
            (
                region.clone(),
                planned_region(
                    region,
                    rc,
                    prior_regions.get(region),
                    &effective,
                    subscription,
                    name,
                ),
            )
        })
        .collect();
    let cidrs = |v: &Value| {
        v.as_map()
            .map(|m| {
                m.iter()
                    .map(|(k, r)| (k.clone(), r.get("vnet_cidr").clone()))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    let prior_clean = matches!(prior.get("drift"), Value::List(l) if l.is_empty());
    let same_network = cidrs(config.get("region")) == cidrs(prior_regions)
        && config.get("peering_hub") == prior.get("peering_hub");
    let peerings = if !prior.is_null() && prior_clean && same_network {
        prior.get("peerings").clone()
    } else {
        Value::Unknown
    };
    Value::Map(BTreeMap::from([
        (
            "id".into(),
            id_of(
                ResourceKey::ResourceGroup(names::GLOBAL.into()),
                subscription,
                name,
            ),
        ),
        ("name".into(), name.clone()),
        ("peerings".into(), peerings),
        ("drift".into(), Value::List(Vec::new())),
        ("region".into(), Value::Map(regions)),
        (
            "traffic_manager".into(),
            planned_traffic_manager(config, prior, subscription, name),
        ),
        ("timeouts".into(), config.get("timeouts").clone()),
        ("stateful_service".into(), planned_stateful_services(config)),
        (
            "registry".into(),
            planned_registry(config, prior, subscription, name),
        ),
        (
            "backup".into(),
            planned_backup(config, prior, subscription, name),
        ),
        (
            "front_door".into(),
            planned_front_door(config, prior, subscription, name),
        ),
        (
            "database".into(),
            super::database::planned(config, prior, subscription, name),
        ),
        ("home_region".into(), home_region(config, prior)),
        (
            "global_group_region".into(),
            global_group_region(config, prior),
        ),
        ("peering_hub".into(), config.get("peering_hub").clone()),
        (
            "admin_group_object_ids".into(),
            config.get("admin_group_object_ids").clone(),
        ),
        (
            "local_accounts".into(),
            config.get("local_accounts").clone(),
        ),
        (
            "api_server_authorized_ip_ranges".into(),
            config.get("api_server_authorized_ip_ranges").clone(),
        ),
        (
            "network_policy".into(),
            match config.get("network_policy") {
                Value::Null => Value::string(bcdr::model::NetworkPolicy::default().as_str()),
                set => set.clone(),
            },
        ),
        (
            "private_cluster".into(),
            config.get("private_cluster").clone(),
        ),
        ("readiness".into(), readiness(config, prior)),
        ("diagram".into(), diagram(config)),
    ]))
}

#[cfg(test)]
#[path = "planned_tests.rs"]
mod tests;

/// The declared stateful services, a managed one's `geo_replicated` planned `false` when unset (what
/// the topology's tag records, so an import reads it back the same).
fn planned_stateful_services(config: &Value) -> Value {
    let Some(services) = config.get("stateful_service").as_map() else {
        return config.get("stateful_service").clone();
    };
    Value::Map(
        services
            .iter()
            .map(|(name, svc)| {
                let mut svc = svc.clone();
                let managed = !svc
                    .get("kind")
                    .as_str()
                    .is_some_and(|k| k.eq_ignore_ascii_case("in-cluster"));
                if let Value::Map(fields) = &mut svc
                    && managed
                    && fields.get("geo_replicated").is_none_or(Value::is_null)
                {
                    fields.insert("geo_replicated".into(), Value::Bool(false));
                }
                (name.clone(), svc)
            })
            .collect(),
    )
}
