//! Planning: a pure function from (desired, observed) to a DAG of ARM operations, each with its reason.
//! Regions are keyed by name, so order carries no meaning; removing a region touches only its resources;
//! peering writes run in rounds so no two touch one VNet at once.

use crate::layout::{DesiredResource, ResourceKey};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// What ARM reports for a topology, by key (with the id, for resources no longer desired).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Observed {
    pub resources: BTreeMap<ResourceKey, ObservedResource>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ObservedResource {
    pub id: String,
    pub body: Value,
}

impl Observed {
    pub fn body(&self, key: &ResourceKey) -> Option<&Value> {
        self.resources.get(key).map(|r| &r.body)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Action {
    Create,
    Update,
    Delete,
    NoOp,
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
            Action::NoOp => "no-op",
        })
    }
}

/// One attribute that differs from what the topology wants.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Drift {
    pub path: String,
    pub desired: Value,
    pub actual: Value,
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: want {}, have {}",
            self.path, self.desired, self.actual
        )
    }
}

/// One node of the plan.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedOperation {
    pub key: ResourceKey,
    pub id: String,
    pub action: Action,
    /// The body to PUT (creates and updates).
    pub body: Option<Value>,
    pub reason: String,
    pub drift: Vec<Drift>,
    /// Indices of operations that must finish first.
    pub depends_on: Vec<usize>,
}

/// A DAG of operations; indices are positions in `operations`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    pub operations: Vec<PlannedOperation>,
}

impl Plan {
    /// The operations that change something.
    pub fn changes(&self) -> impl Iterator<Item = &PlannedOperation> {
        self.operations.iter().filter(|o| o.action != Action::NoOp)
    }

    pub fn has_changes(&self) -> bool {
        self.changes().next().is_some()
    }
}

/// Attributes of `desired` that `actual` lacks or holds differently. Strings compare case-insensitively
/// (ARM ids, SKUs and locations are); arrays of named objects match by name; extra attributes in
/// `actual` (read-only properties, tags someone added) are not drift.
pub fn drift(desired: &Value, actual: &Value) -> Vec<Drift> {
    let mut out = Vec::new();
    diff("", desired, actual, &mut out);
    out
}

fn diff(path: &str, want: &Value, have: &Value, out: &mut Vec<Drift>) {
    let join = |k: &str| {
        if path.is_empty() {
            k.to_owned()
        } else {
            format!("{path}.{k}")
        }
    };
    match want {
        Value::Null => {}
        Value::Object(map) => {
            for (k, w) in map {
                diff(&join(k), w, have.get(k).unwrap_or(&Value::Null), out);
            }
        }
        Value::Array(items) => {
            let named = items
                .iter()
                .all(|i| i.get("name").is_some_and(Value::is_string));
            let have_items = have.as_array().map(Vec::as_slice).unwrap_or_default();
            if named && !items.is_empty() {
                for item in items {
                    let name = item["name"].as_str().unwrap_or_default();
                    let found = have_items.iter().find(|h| {
                        h["name"]
                            .as_str()
                            .is_some_and(|n| n.eq_ignore_ascii_case(name))
                    });
                    match found {
                        Some(h) => diff(&format!("{path}[{name}]"), item, h, out),
                        None => out.push(Drift {
                            path: format!("{path}[{name}]"),
                            desired: item.clone(),
                            actual: Value::Null,
                        }),
                    }
                }
            } else if items.len() != have_items.len() {
                out.push(Drift {
                    path: path.to_owned(),
                    desired: want.clone(),
                    actual: have.clone(),
                });
            } else {
                for (i, (w, h)) in items.iter().zip(have_items).enumerate() {
                    diff(&format!("{path}[{i}]"), w, h, out);
                }
            }
        }
        Value::String(s) => {
            if !have.as_str().is_some_and(|h| h.eq_ignore_ascii_case(s)) {
                out.push(Drift {
                    path: path.to_owned(),
                    desired: want.clone(),
                    actual: have.clone(),
                });
            }
        }
        Value::Number(n) => {
            if have.as_f64() != n.as_f64() {
                out.push(Drift {
                    path: path.to_owned(),
                    desired: want.clone(),
                    actual: have.clone(),
                });
            }
        }
        Value::Bool(_) => {
            if want != have {
                out.push(Drift {
                    path: path.to_owned(),
                    desired: want.clone(),
                    actual: have.clone(),
                });
            }
        }
    }
}

/// Plans the changes that make `observed` what `desired` describes.
pub fn plan(desired: &[DesiredResource], observed: &Observed) -> Plan {
    let mut ops: Vec<PlannedOperation> = Vec::new();
    let mut index: BTreeMap<ResourceKey, usize> = BTreeMap::new();
    for d in desired {
        let (action, reason, drifts) = match observed.body(&d.key) {
            None => (Action::Create, "does not exist".to_owned(), Vec::new()),
            Some(actual) => {
                let mut drifts = drift(&d.body, actual);
                // A resource whose last operation failed, or that another run left mid-operation, is
                // written again: ARM PUTs are idempotent, and a busy resource's 409 is retried.
                let state = actual["properties"]["provisioningState"]
                    .as_str()
                    .unwrap_or("Succeeded");
                if !state.eq_ignore_ascii_case("Succeeded") {
                    drifts.push(Drift {
                        path: "properties.provisioningState".into(),
                        desired: Value::from("Succeeded"),
                        actual: Value::from(state),
                    });
                }
                if matches!(d.key, ResourceKey::ResourceGroup(_)) {
                    // A group's location cannot change; the global group keeps the one it was made in.
                    drifts.retain(|x| x.path != "location");
                }
                if drifts.is_empty() {
                    (Action::NoOp, "matches".to_owned(), drifts)
                } else {
                    let reason = drifts
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("; ");
                    (Action::Update, reason, drifts)
                }
            }
        };
        index.insert(d.key.clone(), ops.len());
        ops.push(PlannedOperation {
            key: d.key.clone(),
            id: d.id.clone(),
            action,
            body: Some(d.body.clone()),
            reason,
            drift: drifts,
            depends_on: Vec::new(),
        });
    }
    for (i, d) in desired.iter().enumerate() {
        ops[i].depends_on = d
            .depends_on
            .iter()
            .filter_map(|k| index.get(k).copied())
            .collect();
    }
    resync_peerings(&mut ops, &index, observed);
    let wanted: BTreeSet<&ResourceKey> = desired.iter().map(|d| &d.key).collect();
    let mut peering_deletes: Vec<(String, usize)> = Vec::new();
    for (key, found) in &observed.resources {
        if wanted.contains(key) {
            continue;
        }
        if let ResourceKey::Peering { from, to } = key {
            if !wanted.contains(&ResourceKey::VirtualNetwork(from.clone())) {
                continue; // goes with its region's group
            }
            let deps = index
                .get(&ResourceKey::VirtualNetwork(from.clone()))
                .copied()
                .into_iter()
                .collect();
            peering_deletes.push((to.clone(), ops.len()));
            ops.push(PlannedOperation {
                key: key.clone(),
                id: found.id.clone(),
                action: Action::Delete,
                body: None,
                reason: format!("region {to} is no longer in the topology"),
                drift: Vec::new(),
                depends_on: deps,
            });
        }
    }
    for (key, found) in &observed.resources {
        if let (false, ResourceKey::ResourceGroup(region)) = (wanted.contains(key), key) {
            let deps = peering_deletes
                .iter()
                .filter(|(to, _)| to == region)
                .map(|(_, i)| *i)
                .collect();
            ops.push(PlannedOperation { key: key.clone(), id: found.id.clone(), action: Action::Delete, body: None, reason: format!("region {region} is no longer in the topology; its group and everything in it go"), drift: Vec::new(), depends_on: deps });
        }
    }
    schedule_peerings(&mut ops);
    Plan { operations: ops }
}

/// A peering must be re-synced (PUT with `syncRemoteAddressSpace=true`) when either VNet's address space
/// changes, and whenever ARM reports it out of sync.
fn resync_peerings(
    ops: &mut [PlannedOperation],
    index: &BTreeMap<ResourceKey, usize>,
    observed: &Observed,
) {
    let space_changes = |region: &str| {
        index
            .get(&ResourceKey::VirtualNetwork(region.to_owned()))
            .is_some_and(|&i| {
                ops[i]
                    .drift
                    .iter()
                    .any(|d| d.path.starts_with("properties.addressSpace"))
            })
    };
    let mut updates = Vec::new();
    for (i, op) in ops.iter().enumerate() {
        let (ResourceKey::Peering { from, to }, Action::NoOp) = (&op.key, op.action) else {
            continue;
        };
        let sync = observed
            .body(&op.key)
            .and_then(|b| b["properties"]["peeringSyncLevel"].as_str())
            .unwrap_or("FullyInSync");
        if sync != "FullyInSync" {
            updates.push((
                i,
                format!("peering is {sync}; re-sync the remote address space"),
            ));
        } else if space_changes(from) || space_changes(to) {
            updates.push((
                i,
                "a peered VNet's address space changes; re-sync the remote address space"
                    .to_owned(),
            ));
        }
    }
    for (i, reason) in updates {
        let op = &mut ops[i];
        op.action = Action::Update;
        op.reason = reason;
    }
}

/// Deletes every resource group of the topology (each delete cascades to its contents).
pub fn destroy(observed: &Observed) -> Plan {
    let operations = observed
        .resources
        .iter()
        .filter(|(k, _)| matches!(k, ResourceKey::ResourceGroup(_)))
        .map(|(key, found)| PlannedOperation {
            key: key.clone(),
            id: found.id.clone(),
            action: Action::Delete,
            body: None,
            reason: "topology destroyed".into(),
            drift: Vec::new(),
            depends_on: Vec::new(),
        })
        .collect();
    Plan { operations }
}

/// Peering writes lock their local VNet and need the remote one idle, so no two may touch one VNet at
/// once. Orders the writes by rounds of a round-robin edge colouring of the region graph (each round a
/// matching, both directions of a pair in consecutive rounds), then makes each write wait for the
/// previous write on either of its VNets: a chain per VNet, as much parallelism as the matchings allow.
fn schedule_peerings(ops: &mut [PlannedOperation]) {
    let ends = |o: &PlannedOperation| match &o.key {
        ResourceKey::Peering { from, to } => Some((from.clone(), to.clone())),
        _ => None,
    };
    let mut writes: Vec<(usize, String, String)> = ops
        .iter()
        .enumerate()
        .filter(|(_, o)| o.action != Action::NoOp)
        .filter_map(|(i, o)| ends(o).map(|(f, t)| (i, f, t)))
        .collect();
    let regions: Vec<String> = writes
        .iter()
        .flat_map(|(_, f, t)| [f.clone(), t.clone()])
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let rounds = round_robin(&regions);
    writes.sort_by_key(|(i, f, t)| {
        (
            rounds.get(&ordered(f, t)).copied().unwrap_or(usize::MAX),
            f > t,
            *i,
        )
    });
    let mut last_on: BTreeMap<String, usize> = BTreeMap::new();
    for (i, from, to) in writes {
        for v in [&from, &to] {
            if let Some(&prev) = last_on.get(v)
                && !ops[i].depends_on.contains(&prev)
            {
                ops[i].depends_on.push(prev);
            }
        }
        last_on.insert(from, i);
        last_on.insert(to, i);
    }
}

fn ordered(a: &str, b: &str) -> (String, String) {
    if a <= b {
        (a.to_owned(), b.to_owned())
    } else {
        (b.to_owned(), a.to_owned())
    }
}

/// The circle method: n-1 rounds (n rounded up to even), each pairing every region at most once.
fn round_robin(regions: &[String]) -> BTreeMap<(String, String), usize> {
    let mut seats: Vec<Option<&String>> = regions.iter().map(Some).collect();
    if seats.len() % 2 == 1 {
        seats.push(None);
    }
    let n = seats.len();
    let mut out = BTreeMap::new();
    for round in 0..n.saturating_sub(1) {
        for i in 0..n / 2 {
            if let (Some(a), Some(b)) = (seats[i], seats[n - 1 - i]) {
                out.insert(ordered(a, b), round);
            }
        }
        if n > 2 {
            let last = seats.remove(n - 1);
            seats.insert(1, last);
        }
    }
    out
}

#[cfg(test)]
mod tests;
