//! Translation between Terraform values of `bcdr_topology` and the SDK's model and status.

use super::schema::{DEFAULT_MODE, DEFAULT_NODE_COUNT, DEFAULT_VM_SIZE};
use crate::diag;
use crate::proto::tfplugin6 as pb;
use crate::value::Value;
use bcdr::layout::ResourceKey;
use bcdr::model::{EndpointSettings, RegionMode, RoutingMethod, TrafficManager};
use bcdr::{ClusterSettings, Region, Topology, TopologyStatus, names};
use std::collections::{BTreeMap, BTreeSet};

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

fn number(v: &Value) -> Option<u32> {
    v.as_f64().filter(|n| *n >= 0.0).map(|n| n as u32)
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::List(items) => items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

fn mode_of(r: &Value) -> RegionMode {
    r.get("mode")
        .as_str()
        .and_then(RegionMode::parse)
        .unwrap_or_default()
}

fn traffic_manager(v: &Value) -> Option<TrafficManager> {
    let tm = v.get("traffic_manager");
    tm.as_map()?;
    let method = tm
        .get("routing_method")
        .as_str()
        .and_then(RoutingMethod::parse)
        .unwrap_or(RoutingMethod::Priority);
    let mut out = TrafficManager::new(method);
    out.dns_name = tm.get("dns_name").as_str().map(str::to_owned);
    if let Some(ttl) = number(tm.get("ttl")) {
        out.ttl = ttl;
    }
    if let Some(p) = tm.get("probe_protocol").as_str() {
        out.probe_protocol = p.to_owned();
    }
    if let Some(port) = number(tm.get("probe_port")) {
        out.probe_port = u16::try_from(port).unwrap_or(0);
    }
    if let Some(path) = tm.get("probe_path").as_str() {
        out.probe_path = path.to_owned();
    }
    Some(out)
}

/// The SDK topology a configuration (or state) describes. Unknown values become empty or default; use
/// `unknown_paths` to discount what they cause.
pub fn topology(v: &Value) -> Topology {
    let mut t = Topology::new(text(v.get("name")));
    for (name, r) in v.get("region").as_map().into_iter().flatten() {
        let mut cluster = ClusterSettings::default()
            .node_count(number(r.get("node_count")).unwrap_or(DEFAULT_NODE_COUNT as u32));
        if let Some(size) = r.get("vm_size").as_str() {
            cluster = cluster.vm_size(size);
        }
        if let Some(version) = r.get("kubernetes_version").as_str() {
            cluster = cluster.kubernetes_version(version);
        }
        let mut endpoint = EndpointSettings::default().geo_mappings(strings(r.get("geo_mappings")));
        endpoint.priority = number(r.get("priority"));
        endpoint.weight = number(r.get("weight"));
        t = t.region(
            Region::new(name.clone(), text(r.get("vnet_cidr")))
                .with_cluster(cluster)
                .mode(mode_of(r))
                .endpoint(endpoint),
        );
    }
    t.traffic_manager = traffic_manager(v);
    t.home_region = v.get("home_region").as_str().map(str::to_owned);
    if v.get("front_door").as_map().is_some() {
        let b = v.get("front_door");
        let mut fd = bcdr::model::FrontDoor::default();
        fd.premium = b
            .get("tier")
            .as_str()
            .is_some_and(|t| t.eq_ignore_ascii_case("Premium"));
        if let Some(p) = b.get("probe_path").as_str() {
            fd.probe_path = p.to_owned();
        }
        if let Some(p) = b.get("probe_protocol").as_str() {
            fd.probe_protocol = p.to_owned();
        }
        fd.session_affinity = matches!(b.get("session_affinity"), Value::Bool(true));
        t.front_door = Some(fd);
    }
    if v.get("backup").as_map().is_some() {
        let mut backup = bcdr::model::Backup::default();
        if let Some(r) = v
            .get("backup")
            .get("redundancy")
            .as_str()
            .and_then(bcdr::model::StorageRedundancy::parse)
        {
            backup.redundancy = r;
        }
        t.backup = Some(backup);
    }
    if v.get("registry").as_map().is_some() {
        let mut registry = bcdr::model::Registry::default();
        registry.zone_redundancy =
            matches!(v.get("registry").get("zone_redundancy"), Value::Bool(true));
        t.registry = Some(registry);
    }
    t
}

/// What the SDK's model cannot even represent: modes and routing methods that are not one of theirs.
pub fn config_errors(v: &Value) -> Vec<pb::Diagnostic> {
    let mut out = Vec::new();
    for (name, r) in v.get("region").as_map().into_iter().flatten() {
        if let Some(mode) = r
            .get("mode")
            .as_str()
            .filter(|m| RegionMode::parse(m).is_none())
        {
            let path = bcdr::validate::AttributePath::region(name, Some("mode"));
            out.push(pb::Diagnostic {
                attribute: Some(diag::path(&path)),
                ..diag::error(
                    "Invalid mode",
                    format!("{path}: \"{mode}\" must be hot, warm or cold"),
                )
            });
        }
    }
    if let Some(tier) = v.get("front_door").get("tier").as_str().filter(|t| {
        !["Standard", "Premium"]
            .iter()
            .any(|k| k.eq_ignore_ascii_case(t))
    }) {
        out.push(diag::error_at(
            &["front_door", "tier"],
            "Invalid tier",
            format!("front_door.tier: \"{tier}\" must be Standard or Premium"),
        ));
    }
    if let Some(r) = v
        .get("backup")
        .get("redundancy")
        .as_str()
        .filter(|r| bcdr::model::StorageRedundancy::parse(r).is_none())
    {
        out.push(diag::error_at(&["backup", "redundancy"], "Invalid redundancy", format!("backup.redundancy: \"{r}\" must be GRS, RA-GRS, GZRS or RA-GZRS (geo-redundant: backups must survive the region)")));
    }
    if let Some(method) = v
        .get("traffic_manager")
        .get("routing_method")
        .as_str()
        .filter(|m| RoutingMethod::parse(m).is_none())
    {
        let valid: Vec<&str> = RoutingMethod::ALL.iter().map(|m| m.as_str()).collect();
        out.push(diag::error_at(
            &["traffic_manager", "routing_method"],
            "Invalid routing method",
            format!(
                "traffic_manager.routing_method: \"{method}\" must be one of {}",
                valid.join(", ")
            ),
        ));
    }
    out
}

/// HCL paths (as the SDK's validation prints them) whose values are not known yet.
pub fn unknown_paths(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if v.get("name").is_unknown() {
        out.push("name".to_owned());
    }
    for (name, r) in v.get("region").as_map().into_iter().flatten() {
        for (attr, value) in r.as_map().into_iter().flatten() {
            if value.has_unknown() {
                out.push(format!("region[{name:?}].{attr}"));
            }
        }
    }
    for (attr, value) in v.get("traffic_manager").as_map().into_iter().flatten() {
        if value.has_unknown() {
            out.push(format!("traffic_manager.{attr}"));
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

/// `prior`'s value when it is a known, non-empty string; otherwise unknown (apply will tell).
fn carried(prior: &Value) -> Value {
    if prior.as_str().is_some_and(|s| !s.is_empty()) {
        prior.clone()
    } else {
        Value::Unknown
    }
}

fn or_default(v: &Value, default: Value) -> Value {
    if v.is_null() { default } else { v.clone() }
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
            || regions
                .map(|(_, r)| r)
                .any(|r| r.get("mode").is_unknown() || r.get("priority").is_unknown());
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
        or_default(rc.get("node_count"), Value::Number(DEFAULT_NODE_COUNT)),
    );
    r.insert(
        "vm_size".into(),
        or_default(rc.get("vm_size"), Value::string(DEFAULT_VM_SIZE)),
    );
    r.insert("mode".into(), mode.clone());
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
        "kubelet_identity_object_id",
        "node_resource_group",
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
                    Value::string("")
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
    out.insert("ttl".into(), or_default(tm.get("ttl"), Value::Number(30.0)));
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

/// The readiness report of the configured topology; unknown while some input is.
fn readiness(config: &Value) -> Value {
    if !unknown_paths(config).is_empty() {
        return Value::Unknown;
    }
    Value::List(
        bcdr::readiness::report(&topology(config))
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
        "session_affinity".into(),
        or_default(block.get("session_affinity"), Value::Bool(false)),
    );
    out.insert(
        "profile_id".into(),
        id_of(ResourceKey::FrontDoorProfile, subscription, name),
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
        or_default(block.get("redundancy"), Value::string("GRS")),
    );
    out.insert(
        "storage_account_id".into(),
        id_of(ResourceKey::StorageAccount, subscription, name),
    );
    let before = prior.get("backup");
    out.insert(
        "secondary_region".into(),
        carried(before.get("secondary_region")),
    );
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

/// The configured home, else the one in the state (it never moves), else the first region by name.
fn home_region(config: &Value, prior: &Value) -> Value {
    match (config.get("home_region"), prior.get("home_region")) {
        (Value::Null, Value::String(s)) if !s.is_empty() => Value::string(s),
        (Value::Null, _) => config
            .get("region")
            .as_map()
            .and_then(|m| m.keys().next().cloned())
            .map_or(Value::Unknown, Value::String),
        (v, _) => v.clone(),
    }
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
    let same_network = cidrs(config.get("region")) == cidrs(prior_regions);
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
        ("home_region".into(), home_region(config, prior)),
        ("readiness".into(), readiness(config)),
        ("diagram".into(), diagram(config)),
    ]))
}

/// Replaces `map[attr]` by `with` when it is unknown.
fn fill(map: &mut BTreeMap<String, Value>, attr: &str, with: &str) {
    if map.get(attr).is_none_or(Value::is_unknown) {
        map.insert(attr.to_owned(), Value::string(with));
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
            ("kubelet_identity_object_id", &s.kubelet_identity_object_id),
            ("node_resource_group", &s.node_resource_group),
            ("kubernetes_version", &s.kubernetes_version),
            ("ingress_ip_id", &s.ingress_ip_id),
            ("ingress_ip_address", &s.ingress_ip_address),
            ("ingress_fqdn", &s.ingress_fqdn),
            ("endpoint_status", &s.endpoint_status),
            ("mode", &DEFAULT_MODE.to_owned()),
        ] {
            fill(&mut r, attr, with);
        }
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
    fill(&mut out, "id", &status.global_resource_group_id);
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
        if !present.contains(name) {
            continue;
        }
        let mut r = r.as_map().cloned().unwrap_or_default();
        if let Some(s) = status.regions.get(name) {
            for (attr, v) in [
                ("vnet_cidr", &s.vnet_cidr),
                ("cluster_fqdn", &s.cluster_fqdn),
                ("kubelet_identity_object_id", &s.kubelet_identity_object_id),
                ("node_resource_group", &s.node_resource_group),
                ("kubernetes_version", &s.kubernetes_version),
                ("ingress_ip_address", &s.ingress_ip_address),
                ("ingress_fqdn", &s.ingress_fqdn),
                ("endpoint_status", &s.endpoint_status),
            ] {
                if !v.is_empty() {
                    r.insert(attr.into(), Value::string(v));
                }
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
    out.insert("region".into(), Value::Map(regions));
    if let Some(tm) = prior.get("traffic_manager").as_map() {
        let mut tm = tm.clone();
        if !status.traffic_manager_fqdn.is_empty() {
            tm.insert("fqdn".into(), Value::string(&status.traffic_manager_fqdn));
        }
        out.insert("traffic_manager".into(), Value::Map(tm));
    }
    if let Some(fd) = prior.get("front_door").as_map() {
        let mut fd = fd.clone();
        if !status.front_door_host.is_empty() {
            fd.insert("host_name".into(), Value::string(&status.front_door_host));
        }
        out.insert("front_door".into(), Value::Map(fd));
    }
    if let Some(backup) = prior.get("backup").as_map() {
        let mut backup = backup.clone();
        if !status.backup_secondary_region.is_empty() {
            backup.insert(
                "secondary_region".into(),
                Value::string(&status.backup_secondary_region),
            );
        }
        out.insert("backup".into(), Value::Map(backup));
    }
    if let Some(reg) = prior.get("registry").as_map() {
        let mut reg = reg.clone();
        if !status.registry_login_server.is_empty() {
            reg.insert(
                "login_server".into(),
                Value::string(&status.registry_login_server),
            );
        }
        out.insert("registry".into(), Value::Map(reg));
    }
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
        ]))
    });
    Value::Map(BTreeMap::from([
        ("name".into(), Value::string(&topology.name)),
        ("region".into(), Value::Map(regions)),
        ("traffic_manager".into(), tm),
        (
            "registry".into(),
            topology.registry.as_ref().map_or(Value::Null, |r| {
                Value::Map(BTreeMap::from([(
                    "zone_redundancy".to_owned(),
                    Value::Bool(r.zone_redundancy),
                )]))
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
                        "session_affinity".to_owned(),
                        Value::Bool(f.session_affinity),
                    ),
                ]))
            }),
        ),
        (
            "backup".into(),
            topology.backup.as_ref().map_or(Value::Null, |b| {
                Value::Map(BTreeMap::from([(
                    "redundancy".to_owned(),
                    Value::string(b.redundancy.as_str()),
                )]))
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
