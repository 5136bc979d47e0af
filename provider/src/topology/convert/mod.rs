//! Translation between Terraform values of `bcdr_topology` and the SDK's model and status:
//! reading a configuration into the model (here), the planned state (`planned`), and the states after
//! apply, refresh and import (`state`).

mod backup;
mod database;
mod homes;
mod planned;
mod pools;
mod state;
mod waf;

pub use backup::{keep_prior_restore, record_restore, restore_requested};
pub use homes::global_group_move;
pub use planned::planned;
pub use pools::zone_changes;
pub use state::{applied, imported, refreshed};
pub use waf::tier_change;

use super::schema::DEFAULT_NODE_COUNT;
use crate::diag::{self, Diagnostics};

use crate::value::Value;
use bcdr::model::{
    ClusterTier, EndpointSettings, RegionMode, RegionRole, RoutingMethod, TrafficManager,
};
use bcdr::{ClusterSettings, Region, Topology};

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

/// A map block's (or map's) entries; none for null or unknown.
fn entries(v: &Value) -> impl Iterator<Item = (&String, &Value)> {
    v.as_map().into_iter().flatten()
}

/// A list block's (or list's) items; none for null or unknown.
fn list(v: &Value) -> &[Value] {
    match v {
        Value::List(items) => items,
        _ => &[],
    }
}

/// `v`, or `default` when it is null.
fn or_default(v: &Value, default: Value) -> Value {
    if v.is_null() { default } else { v.clone() }
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

pub(super) fn mode_of(r: &Value) -> RegionMode {
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
    if let Some(n) = number(tm.get("probe_interval")) {
        out.probe_interval = n;
    }
    if let Some(n) = number(tm.get("probe_timeout")) {
        out.probe_timeout = n;
    }
    if let Some(n) = number(tm.get("tolerated_failures")) {
        out.tolerated_failures = n;
    }
    out.probe_headers = entries(tm.get("probe_headers"))
        .map(|(name, value)| (name.clone(), text(value)))
        .collect();
    out.expected_status_codes = strings(tm.get("expected_status_codes"));
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
        if let Some(tier) = r.get("sku_tier").as_str().and_then(ClusterTier::parse) {
            cluster = cluster.tier(tier);
        }
        // A cold region's state records "" (no cluster, no version): that is no version asked for.
        if let Some(version) = r
            .get("kubernetes_version")
            .as_str()
            .filter(|v| !v.is_empty())
        {
            cluster = cluster.kubernetes_version(version);
        }
        let cluster = pools::model(r, cluster);
        let mut endpoint = EndpointSettings::default().geo_mappings(strings(r.get("geo_mappings")));
        endpoint.priority = number(r.get("priority"));
        endpoint.weight = number(r.get("weight"));
        t = t.region(
            Region::new(name.clone(), text(r.get("vnet_cidr")))
                .with_cluster(cluster)
                .mode(mode_of(r))
                .role(
                    r.get("role")
                        .as_str()
                        .and_then(RegionRole::parse)
                        .unwrap_or_default(),
                )
                .endpoint(endpoint),
        );
    }
    t.traffic_manager = traffic_manager(v);
    t.home_region = v.get("home_region").as_str().map(str::to_owned);
    t.global_group_region = v
        .get("global_group_region")
        .as_str()
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    t.peering_hub = v.get("peering_hub").as_str().map(str::to_owned);
    t.access.admin_group_object_ids = strings(v.get("admin_group_object_ids"));
    t.access.local_accounts = matches!(v.get("local_accounts"), Value::Bool(true));
    t.access.authorized_ip_ranges = strings(v.get("api_server_authorized_ip_ranges"));
    if let Some(policy) = v
        .get("network_policy")
        .as_str()
        .and_then(bcdr::model::NetworkPolicy::parse)
    {
        t.access.network_policy = policy;
    }
    t.access.private_cluster = matches!(v.get("private_cluster"), Value::Bool(true));
    for (name, svc) in v.get("stateful_service").as_map().into_iter().flatten() {
        let location = match svc.get("kind").as_str() {
            Some(k) if k.eq_ignore_ascii_case("in-cluster") => {
                bcdr::model::StateLocation::InCluster
            }
            _ => bcdr::model::StateLocation::Managed {
                geo_replicated: matches!(svc.get("geo_replicated"), Value::Bool(true)),
            },
        };
        t.stateful_services
            .push(bcdr::model::StatefulService::new(name.clone(), location));
    }
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
        if let Some(n) = number(b.get("probe_interval")) {
            fd.probe_interval = n;
        }
        fd.origin_host_header = b.get("origin_host_header").as_str().map(str::to_owned);
        fd.session_affinity = matches!(b.get("session_affinity"), Value::Bool(true));
        fd.waf = waf::model(b);
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
        t.backup = Some(backup::model(v.get("backup"), backup));
    }
    t.database = database::model(v);
    if v.get("registry").as_map().is_some() {
        let mut registry = bcdr::model::Registry::default();
        registry.zone_redundancy =
            matches!(v.get("registry").get("zone_redundancy"), Value::Bool(true));
        registry.public_network_access = matches!(
            v.get("registry").get("public_network_access"),
            Value::Bool(true)
        );
        t.registry = Some(registry);
    }
    t
}

/// What the SDK's model cannot even represent: modes and routing methods that are not one of theirs.
pub fn config_errors(v: &Value) -> Diagnostics {
    let mut out = Diagnostics::new();
    for (name, r) in v.get("region").as_map().into_iter().flatten() {
        if let Some(mode) = r
            .get("mode")
            .as_str()
            .filter(|m| RegionMode::parse(m).is_none())
        {
            let path = bcdr::validate::AttributePath::region(name, Some("mode"));
            out.push(
                diag::error(
                    "Invalid mode",
                    format!("{path}: \"{mode}\" must be hot, warm or cold"),
                )
                .at(path),
            );
        }
        if let Some(tier) = r
            .get("sku_tier")
            .as_str()
            .filter(|t| ClusterTier::parse(t).is_none())
        {
            let path = bcdr::validate::AttributePath::region(name, Some("sku_tier"));
            let valid: Vec<&str> = ClusterTier::ALL.iter().map(|t| t.as_str()).collect();
            out.push(
                diag::error(
                    "Invalid AKS pricing tier",
                    format!(
                        "{path}: \"{tier}\" must be one of {} (`Paid` is now `Standard`)",
                        valid.join(", ")
                    ),
                )
                .at(path),
            );
        }
        if let Some(role) = r
            .get("role")
            .as_str()
            .filter(|m| RegionRole::parse(m).is_none())
        {
            let path = bcdr::validate::AttributePath::region(name, Some("role"));
            out.push(
                diag::error(
                    "Invalid role",
                    format!("{path}: \"{role}\" must be primary or secondary"),
                )
                .at(path),
            );
        }
    }
    for (name, svc) in v.get("stateful_service").as_map().into_iter().flatten() {
        if let Some(kind) = svc.get("kind").as_str().filter(|k| {
            !["in-cluster", "managed"]
                .iter()
                .any(|x| x.eq_ignore_ascii_case(k))
        }) {
            let path = bcdr::validate::AttributePath(vec![
                bcdr::validate::PathStep::Attribute("stateful_service".into()),
                bcdr::validate::PathStep::Key(name.clone()),
                bcdr::validate::PathStep::Attribute("kind".into()),
            ]);
            out.push(
                diag::error(
                    "Invalid kind",
                    format!("{path}: \"{kind}\" must be in-cluster or managed"),
                )
                .at(path),
            );
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
    if let Some(policy) = v
        .get("network_policy")
        .as_str()
        .filter(|p| bcdr::model::NetworkPolicy::parse(p).is_none())
    {
        let hint = if policy.eq_ignore_ascii_case("cilium") {
            " (Cilium needs Azure CNI overlay or a pod subnet; the clusters use Azure CNI with node-subnet addressing)"
        } else {
            ""
        };
        out.push(diag::error_at(
            &["network_policy"],
            "Invalid network policy",
            format!("network_policy: \"{policy}\" must be calico, azure or none{hint}"),
        ));
    }
    waf::config_errors(v.get("front_door"), &mut out);
    database::config_errors(v, &mut out);
    pools::config_errors(v, &mut out);
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
    for attr in ["name", "peering_hub"] {
        if v.get(attr).is_unknown() {
            out.push(attr.to_owned());
        }
    }
    for (name, r) in v.get("region").as_map().into_iter().flatten() {
        for (attr, value) in r.as_map().into_iter().flatten() {
            if value.has_unknown() {
                out.push(format!("region[{name:?}].{attr}"));
            }
        }
    }
    for block in ["traffic_manager", "front_door", "database"] {
        for (attr, value) in v.get(block).as_map().into_iter().flatten() {
            if value.has_unknown() {
                out.push(format!("{block}.{attr}"));
            }
        }
    }
    out
}
