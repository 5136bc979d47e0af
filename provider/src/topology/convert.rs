//! Translation between Terraform values of `bcdr_topology` and the SDK's model and status.

use super::schema::{DEFAULT_NODE_COUNT, DEFAULT_VM_SIZE};
use crate::value::Value;
use bcdr::layout::ResourceKey;
use bcdr::{ClusterSettings, Region, Topology, TopologyStatus, names};
use std::collections::{BTreeMap, BTreeSet};

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

/// The SDK topology a configuration (or state) describes. Unknown values become empty strings; use
/// `unknown_paths` to discount what they cause.
pub fn topology(v: &Value) -> Topology {
    let mut t = Topology::new(text(v.get("name")));
    for (name, r) in v.get("region").as_map().into_iter().flatten() {
        let mut cluster = ClusterSettings::default()
            .node_count(r.get("node_count").as_f64().unwrap_or(DEFAULT_NODE_COUNT) as u32);
        if let Some(size) = r.get("vm_size").as_str() {
            cluster = cluster.vm_size(size);
        }
        if let Some(version) = r.get("kubernetes_version").as_str() {
            cluster = cluster.kubernetes_version(version);
        }
        t = t.region(Region::new(name.clone(), text(r.get("vnet_cidr"))).with_cluster(cluster));
    }
    t
}

/// HCL paths (as the SDK's validation prints them) whose values are not known yet.
pub fn unknown_paths(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if v.get("name").is_unknown() {
        out.push("name".to_owned());
    }
    for (name, r) in v.get("region").as_map().into_iter().flatten() {
        for (attr, value) in r.as_map().into_iter().flatten() {
            if value.is_unknown() {
                out.push(format!("region[{name:?}].{attr}"));
            }
        }
    }
    out
}

fn id_of(key: ResourceKey, subscription: Option<&str>, name: &Value) -> Value {
    match (subscription, name.as_str()) {
        (Some(sub), Some(n)) => Value::string(key.id(sub, n)),
        _ => Value::Unknown,
    }
}

/// The planned state: the configuration with defaults filled in, deterministic ids known, and what only
/// ARM can say (FQDNs, identities, peering states) carried over from `prior` or left unknown.
pub fn planned(config: &Value, prior: &Value, subscription: Option<&str>) -> Value {
    let name = config.get("name");
    let mut regions = BTreeMap::new();
    let prior_regions = prior.get("region");
    for (region, rc) in config.get("region").as_map().into_iter().flatten() {
        let mut r = rc.as_map().cloned().unwrap_or_default();
        let default = |v: &Value, d: Value| if v.is_null() { d } else { v.clone() };
        r.insert(
            "node_count".into(),
            default(rc.get("node_count"), Value::Number(DEFAULT_NODE_COUNT)),
        );
        r.insert(
            "vm_size".into(),
            default(rc.get("vm_size"), Value::string(DEFAULT_VM_SIZE)),
        );
        let key = |k: fn(String) -> ResourceKey| id_of(k(region.clone()), subscription, name);
        r.insert("resource_group_id".into(), key(ResourceKey::ResourceGroup));
        r.insert("vnet_id".into(), key(ResourceKey::VirtualNetwork));
        r.insert("cluster_id".into(), key(ResourceKey::ManagedCluster));
        let subnet = match key(ResourceKey::VirtualNetwork) {
            Value::String(vnet) => Value::String(format!("{vnet}/subnets/{}", names::AKS_SUBNET)),
            other => other,
        };
        r.insert("subnet_id".into(), subnet);
        let before = prior_regions.get(region);
        if rc.get("kubernetes_version").is_null() {
            let carried = before.get("kubernetes_version");
            r.insert(
                "kubernetes_version".into(),
                if carried.as_str().is_some_and(|s| !s.is_empty()) {
                    carried.clone()
                } else {
                    Value::Unknown
                },
            );
        }
        for attr in [
            "cluster_fqdn",
            "kubelet_identity_object_id",
            "node_resource_group",
        ] {
            let carried = before.get(attr);
            let known = carried.as_str().is_some_and(|s| !s.is_empty());
            r.insert(
                attr.into(),
                if known {
                    carried.clone()
                } else {
                    Value::Unknown
                },
            );
        }
        regions.insert(region.clone(), Value::Map(r));
    }
    let same_regions = |a: &Value, b: &Value| {
        let keys = |v: &Value| {
            v.as_map()
                .map(|m| {
                    m.iter()
                        .map(|(k, r)| (k.clone(), r.get("vnet_cidr").clone()))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        };
        keys(a) == keys(b)
    };
    let prior_clean = matches!(prior.get("drift"), Value::List(l) if l.is_empty());
    let peerings =
        if !prior.is_null() && prior_clean && same_regions(config.get("region"), prior_regions) {
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
    ]))
}

/// The state after apply: the planned state with every unknown filled from what ARM reports.
pub fn applied(planned: &Value, status: &TopologyStatus) -> Value {
    let fill = |v: &Value, with: &str| {
        if v.is_unknown() {
            Value::string(with)
        } else {
            v.clone()
        }
    };
    let mut out = planned.as_map().cloned().unwrap_or_default();
    let peerings: BTreeMap<String, Value> = status
        .peerings
        .iter()
        .map(|(k, v)| (k.clone(), Value::string(v)))
        .collect();
    if planned.get("peerings").is_unknown() {
        out.insert("peerings".into(), Value::Map(peerings));
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
            ("kubelet_identity_object_id", &s.kubelet_identity_object_id),
            ("node_resource_group", &s.node_resource_group),
            ("kubernetes_version", &s.kubernetes_version),
        ] {
            let v = fill(r.get(attr).unwrap_or(&Value::Null), with);
            r.insert(attr.into(), v);
        }
        regions.insert(name.clone(), Value::Map(r));
    }
    out.insert("region".into(), Value::Map(regions));
    if let Some(id) = out
        .get("id")
        .filter(|v| v.is_unknown())
        .map(|_| Value::string(&status.global_resource_group_id))
    {
        out.insert("id".into(), id);
    }
    Value::Map(out)
}

/// The refreshed state: `prior` with what ARM reports now. Regions whose group is gone drop out (the
/// plan adds them back); attributes read back from ARM show drift as plan diffs; `drift` lists the rest.
pub fn refreshed(
    prior: &Value,
    topology: &Topology,
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
        if !present.contains(name) {
            continue;
        }
        let mut r = r.as_map().cloned().unwrap_or_default();
        if let Some(s) = status.regions.get(name) {
            if !s.vnet_cidr.is_empty() {
                r.insert("vnet_cidr".into(), Value::string(&s.vnet_cidr));
            }
            for (attr, v) in [
                ("cluster_fqdn", &s.cluster_fqdn),
                ("kubelet_identity_object_id", &s.kubelet_identity_object_id),
                ("node_resource_group", &s.node_resource_group),
                ("kubernetes_version", &s.kubernetes_version),
            ] {
                if !v.is_empty() {
                    r.insert(attr.into(), Value::string(v));
                }
            }
        }
        if let Some(cluster) = observed.body(&ResourceKey::ManagedCluster(name.clone()))
            && let Some(pool) = cluster["properties"]["agentPoolProfiles"]
                .as_array()
                .and_then(|p| {
                    p.iter().find(|p| {
                        p["mode"]
                            .as_str()
                            .is_some_and(|m| m.eq_ignore_ascii_case("system"))
                    })
                })
        {
            if let Some(count) = pool["count"].as_f64() {
                r.insert("node_count".into(), Value::Number(count));
            }
            if let Some(size) = pool["vmSize"].as_str() {
                r.insert("vm_size".into(), Value::string(size));
            }
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
    let _ = topology;
    out.insert("region".into(), Value::Map(regions));
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
    out.insert(
        "drift".into(),
        Value::List(drift.into_iter().map(Value::String).collect()),
    );
    Value::Map(out)
}

/// State for an imported topology.
pub fn imported(topology: &Topology, status: &TopologyStatus, subscription: &str) -> Value {
    let mut regions = BTreeMap::new();
    for region in topology.sorted_regions() {
        let c = &region.cluster;
        let r = BTreeMap::from([
            ("vnet_cidr".to_owned(), Value::string(&region.vnet_cidr)),
            (
                "kubernetes_version".to_owned(),
                c.kubernetes_version
                    .clone()
                    .map_or(Value::Null, Value::String),
            ),
            (
                "node_count".to_owned(),
                Value::Number(f64::from(c.node_count)),
            ),
            ("vm_size".to_owned(), Value::string(&c.vm_size)),
        ]);
        regions.insert(region.name.clone(), Value::Map(r));
    }
    let config = Value::Map(BTreeMap::from([
        ("name".into(), Value::string(&topology.name)),
        ("region".into(), Value::Map(regions)),
    ]));
    applied(&planned(&config, &Value::Null, Some(subscription)), status)
}
