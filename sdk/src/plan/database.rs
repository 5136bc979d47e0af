//! The database part of a plan: servers that exist compared without what Azure fixes at create, the
//! promotion of the acting primary's replica (a switchover, planned when the old primary answered
//! the observation, forced when it did not) before the traffic moves to it, and the deletes in the
//! order Azure needs (the virtual endpoint, the replicas before the primary, the links before the
//! zone).

use super::{Action, Observed, PlannedOperation, compare, deletes::delete};
use crate::arm::postgres;
use crate::layout::{DesiredResource, ResourceKey, existing_server_body};
use std::collections::{BTreeMap, BTreeSet};

/// Whether a server reports itself a read replica (`AsyncReplica`, `GeoAsyncReplica`).
pub fn is_replica(server: &serde_json::Value) -> bool {
    let role = server["properties"]["replicationRole"]
        .as_str()
        .or_else(|| server["properties"]["replica"]["role"].as_str())
        .unwrap_or_default();
    role.to_ascii_lowercase().contains("replica")
}

/// Rewrites the database operations of `ops` (see the module's documentation) and adds the promotion.
pub(super) fn plan_database(
    ops: &mut Vec<PlannedOperation>,
    index: &BTreeMap<ResourceKey, usize>,
    desired: &[DesiredResource],
    observed: &Observed,
) {
    let reachable = |r: &str| !observed.unreachable.contains_key(r);
    let acting = desired.iter().find_map(|d| match &d.key {
        ResourceKey::DatabaseEndpoint(r) => Some(r.clone()),
        _ => None,
    });
    // Servers that exist: what Azure fixed when it made them is not compared, nor sent again, and
    // a replica's backups are its primary's business.
    for d in desired {
        let ResourceKey::DatabaseServer(region) = &d.key else {
            continue;
        };
        let (Some(&i), Some(actual)) = (index.get(&d.key), observed.body(&d.key)) else {
            continue;
        };
        if !reachable(region) {
            continue;
        }
        let mut body = existing_server_body(&d.body);
        if acting.as_ref().is_some_and(|a| a != region)
            && let Some(serde_json::Value::Object(p)) = body.get_mut("properties")
        {
            p.remove("backup");
        }
        let (action, reason, drift) = compare(&d.key, &body, actual, &[], &[]);
        let op = &mut ops[i];
        op.body = Some(body);
        op.action = action;
        op.reason = reason;
        op.drift = drift;
    }
    // The virtual endpoint lists the replicas; Azure may list the primary with them.
    if let Some(i) = ops.iter().position(|o| {
        matches!(o.key, ResourceKey::DatabaseEndpoint(_)) && o.action == Action::Update
    }) && let Some(actual) = observed.body(&ops[i].key)
    {
        let have: BTreeSet<String> = actual["properties"]["members"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|m| m.as_str().map(str::to_ascii_lowercase))
            .collect();
        let op = &mut ops[i];
        let want: Vec<String> = op
            .body
            .as_ref()
            .and_then(|b| b["properties"]["members"].as_array())
            .into_iter()
            .flatten()
            .filter_map(|m| m.as_str().map(str::to_ascii_lowercase))
            .collect();
        if want.iter().all(|m| have.contains(m)) {
            op.drift
                .retain(|d| !d.path.starts_with("properties.members"));
            if op.drift.is_empty() {
                op.action = Action::NoOp;
                op.reason = "matches".into();
            }
        }
    }
    let Some(primary) = desired.iter().find_map(|d| match &d.key {
        ResourceKey::DatabaseEndpoint(r) => Some(r.clone()),
        _ => None,
    }) else {
        return;
    };
    let server = ResourceKey::DatabaseServer(primary.clone());
    let Some(actual) = observed.body(&server) else {
        return;
    };
    if !reachable(&primary) || !is_replica(actual) {
        return;
    }
    // The old primary: the replica's source, else any other database server.
    let servers: Vec<(String, String)> = desired
        .iter()
        .filter_map(|d| match &d.key {
            ResourceKey::DatabaseServer(r) if *r != primary => Some((r.clone(), d.id.clone())),
            _ => None,
        })
        .collect();
    let source = actual["properties"]["sourceServerResourceId"]
        .as_str()
        .unwrap_or_default();
    let old = servers
        .iter()
        .find(|(_, id)| id.eq_ignore_ascii_case(source))
        .map(|(r, _)| r.clone());
    let forced = match &old {
        Some(r) => !reachable(r),
        None => servers.iter().any(|(r, _)| !reachable(r)),
    };
    let from = old.unwrap_or_else(|| "the old primary's region".into());
    let reason = if forced {
        format!(
            "the traffic moves to {primary}, whose server is a replica: forced switchover ({from} did not answer; what it had not yet replicated is lost)"
        )
    } else {
        format!(
            "the traffic moves to {primary}, whose server is a replica: planned switchover (the replica catches up with {from} first; {from} becomes its replica)"
        )
    };
    // The switchover points the endpoint at the new primary, its members at the old one: an
    // endpoint that differs only in its members is left to it.
    for op in ops.iter_mut() {
        if matches!(op.key, ResourceKey::DatabaseEndpoint(_))
            && op.action == Action::Update
            && op
                .drift
                .iter()
                .all(|d| d.path.starts_with("properties.members"))
        {
            op.action = Action::NoOp;
            op.drift.clear();
            op.reason = "the switchover points it at the new primary".into();
        }
    }
    let at = ops.len();
    ops.push(PlannedOperation {
        key: ResourceKey::DatabasePromotion(primary.clone()),
        id: desired
            .iter()
            .find(|d| d.key == server)
            .map(|d| d.id.clone())
            .unwrap_or_default(),
        action: Action::Promote,
        body: Some(postgres::promotion(forced)),
        reason,
        drift: Vec::new(),
        depends_on: Vec::new(),
        bindings: Vec::new(),
    });
    // The traffic, the endpoint and every other database write wait for the promotion.
    for op in ops.iter_mut().take(at) {
        let waits = match &op.key {
            ResourceKey::TrafficManagerProfile
            | ResourceKey::TrafficManagerChild(_)
            | ResourceKey::FrontDoorOrigin(_)
            | ResourceKey::FrontDoorRoute
            | ResourceKey::DatabaseEndpoint(_)
            | ResourceKey::DatabaseServer(_)
            | ResourceKey::DatabaseAdmin { .. } => op.action != Action::NoOp,
            _ => false,
        };
        if waits && !op.depends_on.contains(&at) {
            op.depends_on.push(at);
        }
    }
}

/// Deletes the database resources no longer wanted, each after what must go first, and makes a
/// removed region's group wait for its server's delete.
pub(super) fn plan_database_deletes(
    ops: &mut Vec<PlannedOperation>,
    desired: &[DesiredResource],
    observed: &Observed,
) {
    let first_delete = ops.len();
    deletes(ops, desired, observed);
    // The global group's tag says a database exists until every part of it is gone: a failed
    // delete is found again by the next observation.
    let database_deletes: Vec<usize> = (first_delete..ops.len()).collect();
    let global = ResourceKey::ResourceGroup(crate::names::GLOBAL.into());
    if let Some(op) = ops[..first_delete]
        .iter_mut()
        .find(|o| o.key == global && o.action == Action::Update)
    {
        op.depends_on.extend(database_deletes);
    }
}

fn deletes(ops: &mut Vec<PlannedOperation>, desired: &[DesiredResource], observed: &Observed) {
    let wanted: BTreeSet<&ResourceKey> = desired.iter().map(|d| &d.key).collect();
    let endpoint_wanted = wanted
        .iter()
        .any(|k| matches!(k, ResourceKey::DatabaseEndpoint(_)));
    let gone = |k: &ResourceKey| !wanted.contains(k) && observed.resources.contains_key(k);
    let deleted = |ops: &[PlannedOperation], f: &dyn Fn(&ResourceKey) -> bool| -> Vec<usize> {
        ops.iter()
            .enumerate()
            .filter(|(_, o)| o.action == Action::Delete && f(&o.key))
            .map(|(i, _)| i)
            .collect()
    };
    let unreachable = |k: &ResourceKey| observed.unreachable.contains_key(k.group_region());
    // The endpoint: seen through each member, it is one resource; it goes only when none is wanted.
    for (key, found) in &observed.resources {
        if matches!(key, ResourceKey::DatabaseEndpoint(_))
            && !endpoint_wanted
            && gone(key)
            && !unreachable(key)
        {
            let op = delete(
                key,
                &found.id,
                "the database has no replica to switch over to any more".into(),
                Vec::new(),
            );
            ops.push(op);
            break;
        }
    }
    for (key, found) in &observed.resources {
        if let ResourceKey::DatabaseAdmin { region, group } = key
            && gone(key)
            && wanted.contains(&ResourceKey::DatabaseServer(region.clone()))
        {
            let op = delete(
                key,
                &found.id,
                format!("group {group} no longer administers the database"),
                Vec::new(),
            );
            ops.push(op);
        }
    }
    // Replicas first, then the primary.
    let mut servers: Vec<(&ResourceKey, &crate::plan::ObservedResource)> = observed
        .resources
        .iter()
        .filter(|(k, _)| matches!(k, ResourceKey::DatabaseServer(_)) && gone(k) && !unreachable(k))
        .collect();
    servers.sort_by_key(|(_, s)| !is_replica(&s.body));
    for (key, found) in servers {
        let endpoint = deleted(ops, &|k| matches!(k, ResourceKey::DatabaseEndpoint(_)));
        let mut deps = endpoint;
        if !is_replica(&found.body) {
            deps.extend(deleted(ops, &|k| {
                matches!(k, ResourceKey::DatabaseServer(_))
            }));
        }
        let ResourceKey::DatabaseServer(region) = key else {
            continue;
        };
        let op = delete(
            key,
            &found.id,
            format!("region {region} holds no database server any more"),
            deps,
        );
        let at = ops.len();
        ops.push(op);
        // A removed region's group goes after its server.
        for o in ops.iter_mut() {
            if o.action == Action::Delete && o.key == ResourceKey::ResourceGroup(region.clone()) {
                o.depends_on.push(at);
            }
        }
    }
    for (key, found) in &observed.resources {
        if let ResourceKey::DatabaseZoneLink(region) = key
            && gone(key)
        {
            let deps = deleted(ops, &|k| matches!(k, ResourceKey::DatabaseServer(_)));
            let op = delete(
                key,
                &found.id,
                format!("the database zone no longer resolves for region {region}"),
                deps,
            );
            ops.push(op);
        }
    }
    if gone(&ResourceKey::DatabaseZone)
        && let Some(found) = observed.resources.get(&ResourceKey::DatabaseZone)
    {
        let deps = deleted(ops, &|k| {
            matches!(
                k,
                ResourceKey::DatabaseZoneLink(_) | ResourceKey::DatabaseServer(_)
            )
        });
        let op = delete(
            &ResourceKey::DatabaseZone,
            &found.id,
            "the topology no longer has a database".into(),
            deps,
        );
        ops.push(op);
    }
}

/// Explicit deletes of the database servers before their groups go (a destroy): the endpoint, the
/// replicas, then the primary.
pub(super) fn destroy_database(ops: &mut Vec<PlannedOperation>, observed: &Observed) {
    plan_database_deletes(ops, &[], observed);
}
