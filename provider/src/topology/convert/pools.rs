//! A region's node pools between Terraform values and the SDK: autoscaling bounds and zones of the
//! system pool (`min_count`, `max_count`, `availability_zones`), user pools (`node_pool "name"`), the
//! planned values (the autoscaler owns a count it scales), import, and the refusal to move an
//! existing pool's zones (AKS cannot).

use super::{entries, number, strings, text};
use crate::diag::{self, Diagnostics};

use crate::value::Value;
use bcdr::ClusterSettings;
use bcdr::model::{Autoscale, NodePool, RegionMode};
use bcdr::validate::{AttributePath, PathStep};
use std::collections::BTreeMap;

/// Default node count of a user pool.
pub const DEFAULT_POOL_NODES: f64 = 1.0;

fn autoscale(v: &Value) -> Option<Autoscale> {
    match (number(v.get("min_count")), number(v.get("max_count"))) {
        (Some(min), Some(max)) => Some(Autoscale { min, max }),
        (Some(min), None) => Some(Autoscale { min, max: 0 }),
        (None, Some(max)) => Some(Autoscale { min: 0, max }),
        (None, None) => None,
    }
}

fn scales(v: &Value) -> bool {
    !v.get("min_count").is_null() || !v.get("max_count").is_null()
}

/// `cluster` with the region block `r`'s pool settings.
pub(super) fn model(r: &Value, mut cluster: ClusterSettings) -> ClusterSettings {
    cluster.autoscale = autoscale(r);
    cluster.zones = strings(r.get("availability_zones"));
    for (name, p) in entries(r.get("node_pool")) {
        let mut pool = NodePool::new(
            name.clone(),
            text(p.get("vm_size")),
            number(p.get("node_count")).unwrap_or(DEFAULT_POOL_NODES as u32),
        )
        .zones(strings(p.get("availability_zones")));
        pool.autoscale = autoscale(p);
        cluster = cluster.user_pool(pool);
    }
    cluster
}

/// A node count as planned: the configured one; under the autoscaler, the last one seen (or
/// unknown); else `default`.
pub(super) fn planned_count(config: &Value, before: &Value, default: f64) -> Value {
    match (config.get("node_count"), scales(config)) {
        (Value::Null, true) => match before.get("node_count") {
            Value::Number(n) => Value::Number(*n),
            _ => Value::Unknown,
        },
        (Value::Null, false) => Value::Number(default),
        (v, _) => v.clone(),
    }
}

/// Node counts the plan left unknown (the autoscaler's), from what AKS reports (`system` is the
/// region's own `node_count`).
pub(super) fn fill_counts(region: &mut BTreeMap<String, Value>, counts: &BTreeMap<String, u32>) {
    let count = |pool: &str| {
        counts
            .get(pool)
            .map_or(Value::Null, |n| Value::Number(f64::from(*n)))
    };
    if region.get("node_count").is_some_and(Value::is_unknown) {
        region.insert("node_count".into(), count("system"));
    }
    if let Some(Value::Map(pools)) = region.get_mut("node_pool") {
        for (name, pool) in pools.iter_mut() {
            if let Value::Map(p) = pool
                && p.get("node_count").is_some_and(Value::is_unknown)
            {
                p.insert("node_count".into(), count(name));
            }
        }
    }
}

/// The planned `node_pool` blocks of a region.
pub(super) fn planned_pools(rc: &Value, before: &Value) -> Value {
    let pools = entries(rc.get("node_pool"))
        .map(|(name, p)| {
            let mut out = p.as_map().cloned().unwrap_or_default();
            let prior = before.get("node_pool").get(name);
            out.insert(
                "node_count".into(),
                planned_count(p, prior, DEFAULT_POOL_NODES),
            );
            (name.clone(), Value::Map(out))
        })
        .collect();
    Value::Map(pools)
}

fn zones_value(zones: &[String]) -> Value {
    if zones.is_empty() {
        Value::Null
    } else {
        Value::List(zones.iter().map(Value::string).collect())
    }
}

fn bounds(a: Option<Autoscale>) -> (Value, Value) {
    let n = |v: u32| Value::Number(f64::from(v));
    a.map_or((Value::Null, Value::Null), |a| (n(a.min), n(a.max)))
}

/// The pool attributes of a region block for `c` (an import rebuilds them).
pub(super) fn config(c: &ClusterSettings) -> Vec<(String, Value)> {
    let (min, max) = bounds(c.autoscale);
    let pools = c
        .user_pools
        .iter()
        .map(|p| {
            let (min, max) = bounds(p.autoscale);
            let block = BTreeMap::from([
                ("vm_size".to_owned(), Value::string(&p.vm_size)),
                (
                    "node_count".to_owned(),
                    if p.autoscale.is_some() {
                        Value::Null
                    } else {
                        Value::Number(f64::from(p.node_count))
                    },
                ),
                ("min_count".to_owned(), min),
                ("max_count".to_owned(), max),
                ("availability_zones".to_owned(), zones_value(&p.zones)),
            ]);
            (p.name.clone(), Value::Map(block))
        })
        .collect();
    vec![
        ("min_count".to_owned(), min),
        ("max_count".to_owned(), max),
        ("availability_zones".to_owned(), zones_value(&c.zones)),
        ("node_pool".to_owned(), Value::Map(pools)),
    ]
}

fn has_cluster(r: &Value) -> bool {
    r.get("mode")
        .as_str()
        .and_then(RegionMode::parse)
        .unwrap_or_default()
        .has_cluster()
}

/// Errors for zones that would move on a cluster or pool that exists (AKS cannot move them: the
/// region must go cold and come back, or the pool be replaced under another name).
pub fn zone_changes(prior: &Value, config: &Value) -> Diagnostics {
    let mut out = Diagnostics::new();
    let zones = |v: &Value| strings(v.get("availability_zones"));
    let mut refuse = |path: AttributePath, before: Vec<String>, after: Vec<String>, how: &str| {
        out.push(
            diag::error(
                "Availability zones cannot change",
                format!(
                    "{path}: [{}] -> [{}]: AKS fixes a pool's zones when it creates it; {how}",
                    before.join(", "),
                    after.join(", ")
                ),
            )
            .at(path),
        );
    };
    for (name, rc) in entries(config.get("region")) {
        let before = prior.get("region").get(name);
        if before.is_null() || !(has_cluster(before) && has_cluster(rc)) {
            continue;
        }
        if zones(before) != zones(rc) && !rc.get("availability_zones").is_unknown() {
            refuse(
                AttributePath::region(name, Some("availability_zones")),
                zones(before),
                zones(rc),
                "take the region cold and back to recreate its cluster with new zones",
            );
        }
        for (pool, pc) in entries(rc.get("node_pool")) {
            let pb_ = before.get("node_pool").get(pool);
            if pb_.is_null() || pc.get("availability_zones").is_unknown() {
                continue;
            }
            if zones(pb_) != zones(pc) {
                let mut path = AttributePath::region(name, Some("node_pool"));
                path.0.push(PathStep::Key(pool.clone()));
                path.0
                    .push(PathStep::Attribute("availability_zones".into()));
                refuse(
                    path,
                    zones(pb_),
                    zones(pc),
                    "add a pool under another name with the new zones, then remove this one",
                );
            }
        }
    }
    out
}

/// Autoscaler bounds come in pairs: one without the other is refused at the missing attribute.
pub(super) fn config_errors(config: &Value, out: &mut Diagnostics) {
    let mut check = |v: &Value, at: AttributePath| {
        let (min, max) = (v.get("min_count"), v.get("max_count"));
        let missing = match (min.is_null(), max.is_null()) {
            (false, true) if !min.is_unknown() => "max_count",
            (true, false) if !max.is_unknown() => "min_count",
            _ => return,
        };
        let mut path = at;
        path.0.push(PathStep::Attribute(missing.into()));
        out.push(
            diag::error(
                "Autoscaler bounds come in pairs",
                format!("{path}: set min_count and max_count together to turn on the cluster autoscaler, or neither"),
            )
            .at(path),
        );
    };
    for (name, r) in entries(config.get("region")) {
        check(r, AttributePath::region(name, None));
        for (pool, p) in entries(r.get("node_pool")) {
            let mut at = AttributePath::region(name, Some("node_pool"));
            at.0.push(PathStep::Key(pool.clone()));
            check(p, at);
        }
    }
}
