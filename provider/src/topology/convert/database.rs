//! `database` between Terraform values and the SDK's [`Database`]: the configuration read into the
//! model, the planned block (defaults, the ids and roles known at plan), the state filled from what
//! ARM reports, and the block an import rebuilds.

use super::{number, or_default, strings};
use crate::diag::{self, Diagnostics};
use crate::value::Value;
use bcdr::layout::{self, ResourceKey};
use bcdr::model::{Database, DatabaseTier};
use bcdr::{Topology, TopologyStatus};
use std::collections::BTreeMap;

/// The configuration's `database` block as the SDK's model.
pub(super) fn model(v: &Value) -> Option<Database> {
    let b = v.get("database");
    b.as_map()?;
    let mut db = Database::new(
        b.get("admin_group_object_id").as_str().unwrap_or_default(),
        b.get("admin_group_name").as_str().unwrap_or_default(),
    );
    db.replica_regions = strings(b.get("replica_regions"));
    if let Some(tier) = b.get("tier").as_str().and_then(DatabaseTier::parse) {
        db.tier = tier;
    }
    if let Some(s) = b.get("sku_name").as_str() {
        s.clone_into(&mut db.sku_name);
    }
    if let Some(s) = b.get("version").as_str() {
        s.clone_into(&mut db.version);
    }
    if let Some(n) = number(b.get("storage_gb")) {
        db.storage_gb = n;
    }
    if let Some(n) = number(b.get("backup_retention_days")) {
        db.backup_retention_days = n;
    }
    Some(db)
}

/// What the model cannot represent: a tier that is not one of the three.
pub(super) fn config_errors(v: &Value, out: &mut Diagnostics) {
    if let Some(tier) = v
        .get("database")
        .get("tier")
        .as_str()
        .filter(|t| DatabaseTier::parse(t).is_none())
    {
        out.push(diag::error_at(
            &["database", "tier"],
            "Invalid tier",
            format!(
                "database.tier: \"{tier}\" must be GeneralPurpose, MemoryOptimized or Burstable (Burstable has no read replicas)"
            ),
        ));
    }
}

fn strings_map(entries: impl IntoIterator<Item = (String, String)>) -> Value {
    Value::Map(
        entries
            .into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect(),
    )
}

/// The planned `database` block: the configuration with defaults, the servers' ids and the primary
/// region known from the configuration, what only ARM knows carried while the database's shape
/// (its regions, its primary) stays, unknown when it changes.
pub(super) fn planned(
    config: &Value,
    prior: &Value,
    subscription: Option<&str>,
    name: &Value,
) -> Value {
    let block = config.get("database");
    let Some(map) = block.as_map() else {
        return Value::Null;
    };
    let defaults = Database::new("", "");
    let mut out = map.clone();
    out.insert(
        "replica_regions".into(),
        or_default(block.get("replica_regions"), Value::List(Vec::new())),
    );
    out.insert(
        "tier".into(),
        or_default(block.get("tier"), Value::string(defaults.tier.as_str())),
    );
    out.insert(
        "sku_name".into(),
        or_default(block.get("sku_name"), Value::string(&defaults.sku_name)),
    );
    out.insert(
        "version".into(),
        or_default(block.get("version"), Value::string(&defaults.version)),
    );
    out.insert(
        "storage_gb".into(),
        or_default(
            block.get("storage_gb"),
            Value::Number(f64::from(defaults.storage_gb)),
        ),
    );
    out.insert(
        "backup_retention_days".into(),
        or_default(
            block.get("backup_retention_days"),
            Value::Number(f64::from(defaults.backup_retention_days)),
        ),
    );
    let uncertain = block.get("replica_regions").has_unknown()
        || config
            .get("region")
            .as_map()
            .into_iter()
            .flatten()
            .any(|(_, r)| {
                r.get("mode").is_unknown()
                    || r.get("role").is_unknown()
                    || r.get("priority").is_unknown()
            });
    let before = prior.get("database");
    let computed = [
        "write_host",
        "primary_region",
        "server_ids",
        "server_fqdns",
        "roles",
        "replication_states",
    ];
    if uncertain {
        for attr in computed {
            out.insert(attr.into(), Value::Unknown);
        }
        return Value::Map(out);
    }
    let topology: Topology = super::topology(config);
    let regions = layout::database_regions(&topology);
    let primary = layout::database_primary(&topology).unwrap_or_default();
    out.insert("primary_region".into(), Value::string(&primary));
    let ids: BTreeMap<String, Value> = regions
        .iter()
        .map(|r| {
            (
                r.clone(),
                super::planned::id_of(ResourceKey::DatabaseServer(r.clone()), subscription, name),
            )
        })
        .collect();
    let ids_known = ids.values().all(|v| !v.is_unknown());
    out.insert(
        "server_ids".into(),
        if ids_known {
            Value::Map(ids)
        } else {
            Value::Unknown
        },
    );
    // The same servers with the same primary: what ARM reported stays (a refresh updates it).
    let same_regions = before
        .get("server_ids")
        .as_map()
        .is_some_and(|m| m.keys().cloned().collect::<Vec<_>>() == regions);
    let same = same_regions && before.get("primary_region").as_str() == Some(primary.as_str());
    for (attr, keep) in [("server_fqdns", same_regions), ("replication_states", same)] {
        let carried = before.get(attr);
        out.insert(
            attr.into(),
            if keep && carried.as_map().is_some() {
                carried.clone()
            } else {
                Value::Unknown
            },
        );
    }
    for attr in ["write_host", "roles"] {
        let carried = before.get(attr);
        out.insert(
            attr.into(),
            if same && !carried.is_null() && !carried.is_unknown() {
                carried.clone()
            } else {
                Value::Unknown
            },
        );
    }
    Value::Map(out)
}

/// `block` (planned) with every unknown filled from the status.
pub(super) fn applied(block: &Value, status: &TopologyStatus) -> Value {
    let Some(map) = block.as_map() else {
        return block.clone();
    };
    let mut out = map.clone();
    let db = status.database.clone().unwrap_or_default();
    let fills = [
        ("write_host", Value::string(&db.write_host)),
        ("primary_region", Value::string(&db.primary_region)),
        (
            "server_ids",
            strings_map(db.servers.iter().map(|(r, s)| (r.clone(), s.id.clone()))),
        ),
        (
            "server_fqdns",
            strings_map(db.servers.iter().map(|(r, s)| (r.clone(), s.fqdn.clone()))),
        ),
        (
            "roles",
            strings_map(db.servers.iter().map(|(r, s)| (r.clone(), s.role.clone()))),
        ),
        (
            "replication_states",
            strings_map(
                db.servers
                    .iter()
                    .map(|(r, s)| (r.clone(), s.replication_state.clone())),
            ),
        ),
    ];
    for (attr, with) in fills {
        if out.get(attr).is_none_or(Value::is_unknown) {
            out.insert(attr.into(), with);
        }
    }
    Value::Map(out)
}

/// `prior` with what ARM reports now; entries of regions that did not answer kept as last read.
pub(super) fn refreshed(prior: &Value, status: &TopologyStatus) -> Value {
    let Some(map) = prior.as_map() else {
        return prior.clone();
    };
    let mut out = map.clone();
    let Some(db) = &status.database else {
        return Value::Map(out);
    };
    let down = |r: &str| status.unreachable.contains_key(r);
    // ARM's value, unless the state's differs from it only in case (ids): kept as last read for a
    // region that did not answer.
    let merge = |attr: &str, f: &dyn Fn(&bcdr::topology::DatabaseServerStatus) -> String| {
        let before = prior.get(attr);
        let mut m: BTreeMap<String, Value> = before
            .as_map()
            .into_iter()
            .flatten()
            .filter(|(r, _)| down(r))
            .map(|(r, v)| (r.clone(), v.clone()))
            .collect();
        m.extend(db.servers.iter().map(|(r, s)| {
            let arm = f(s);
            let value = match before.get(r).as_str() {
                Some(was) if was.eq_ignore_ascii_case(&arm) => Value::string(was),
                _ => Value::String(arm),
            };
            (r.clone(), value)
        }));
        Value::Map(m)
    };
    out.insert("server_ids".into(), merge("server_ids", &|s| s.id.clone()));
    out.insert(
        "server_fqdns".into(),
        merge("server_fqdns", &|s| s.fqdn.clone()),
    );
    out.insert("roles".into(), merge("roles", &|s| s.role.clone()));
    out.insert(
        "replication_states".into(),
        merge("replication_states", &|s| s.replication_state.clone()),
    );
    if !db.write_host.is_empty() {
        out.insert("write_host".into(), Value::string(&db.write_host));
    }
    if !db.primary_region.is_empty() {
        out.insert("primary_region".into(), Value::string(&db.primary_region));
    }
    Value::Map(out)
}

/// The `database` block's configuration for `db` (an import rebuilds it from ARM).
pub(super) fn config(db: &Database) -> Value {
    Value::Map(BTreeMap::from([
        (
            "replica_regions".to_owned(),
            Value::List(db.replica_regions.iter().map(Value::string).collect()),
        ),
        ("tier".to_owned(), Value::string(db.tier.as_str())),
        ("sku_name".to_owned(), Value::string(&db.sku_name)),
        ("version".to_owned(), Value::string(&db.version)),
        (
            "storage_gb".to_owned(),
            Value::Number(f64::from(db.storage_gb)),
        ),
        (
            "backup_retention_days".to_owned(),
            Value::Number(f64::from(db.backup_retention_days)),
        ),
        (
            "admin_group_object_id".to_owned(),
            Value::string(&db.admin_group_object_id),
        ),
        (
            "admin_group_name".to_owned(),
            Value::string(&db.admin_group_name),
        ),
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUB: &str = "00000000-0000-0000-0000-000000000001";

    fn config(east_mode: Value, west_mode: Value) -> Value {
        let region = |mode: Value, role: &str, cidr: &str| {
            Value::Map(BTreeMap::from([
                ("mode".to_owned(), mode),
                ("role".to_owned(), Value::string(role)),
                ("vnet_cidr".to_owned(), Value::string(cidr)),
            ]))
        };
        Value::Map(BTreeMap::from([
            ("name".to_owned(), Value::string("shop")),
            (
                "region".to_owned(),
                Value::Map(BTreeMap::from([
                    (
                        "eastus".to_owned(),
                        region(east_mode, "primary", "10.1.0.0/16"),
                    ),
                    (
                        "westus".to_owned(),
                        region(west_mode, "secondary", "10.2.0.0/16"),
                    ),
                ])),
            ),
            (
                "database".to_owned(),
                Value::Map(BTreeMap::from([
                    (
                        "replica_regions".to_owned(),
                        Value::List(vec![Value::string("westus")]),
                    ),
                    (
                        "admin_group_object_id".to_owned(),
                        Value::string("11111111-2222-3333-4444-555555555555"),
                    ),
                    ("admin_group_name".to_owned(), Value::string("dba")),
                ])),
            ),
        ]))
    }

    #[test]
    fn defaults_ids_and_the_primary_are_known_at_plan() {
        let c = config(Value::string("hot"), Value::string("warm"));
        let p = planned(&c, &Value::Null, Some(SUB), c.get("name"));
        assert_eq!(p.get("tier"), &Value::string("GeneralPurpose"));
        assert_eq!(p.get("sku_name"), &Value::string("Standard_D2ds_v5"));
        assert_eq!(p.get("version"), &Value::string("16"));
        assert_eq!(p.get("storage_gb"), &Value::Number(128.0));
        assert_eq!(p.get("primary_region"), &Value::string("eastus"));
        assert!(
            p.get("server_ids")
                .get("westus")
                .as_str()
                .is_some_and(|id| id.contains("/resourceGroups/rg-shop-westus/providers/Microsoft.DBforPostgreSQL/flexibleServers/psql-shop-westus-"))
        );
        assert!(p.get("write_host").is_unknown(), "ARM says, at first");
        // A failover: the primary moves, the roles are ARM's to say again.
        let prior = applied(&p, &TopologyStatus::default());
        let mut prior_map = BTreeMap::from([("database".to_owned(), prior)]);
        if let Some(Value::Map(db)) = prior_map.get_mut("database") {
            db.insert(
                "write_host".into(),
                Value::string("x.writer.postgres.database.azure.com"),
            );
            db.insert("server_fqdns".into(), Value::Map(BTreeMap::new()));
        }
        let prior = Value::Map(prior_map);
        let same = planned(&c, &prior, Some(SUB), c.get("name"));
        assert_eq!(
            same.get("write_host"),
            &Value::string("x.writer.postgres.database.azure.com")
        );
        let swapped = config(Value::string("warm"), Value::string("hot"));
        let failover = planned(&swapped, &prior, Some(SUB), swapped.get("name"));
        assert_eq!(failover.get("primary_region"), &Value::string("westus"));
        assert!(failover.get("roles").is_unknown());
        assert!(failover.get("write_host").is_unknown());
        // A mode not known yet: everything ARM-derived is unknown.
        let unknown = config(Value::Unknown, Value::string("warm"));
        let p = planned(&unknown, &Value::Null, Some(SUB), unknown.get("name"));
        assert!(p.get("primary_region").is_unknown());
    }
}
