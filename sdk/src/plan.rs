//! Planning: a pure function from (desired, observed) to a DAG of ARM operations, each with its reason.
//! Regions are keyed by name, so order carries no meaning; removing a region touches only its resources;
//! peering writes run in rounds so no two touch one VNet at once.

use crate::layout::{DesiredResource, ResourceKey};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;

/// What ARM reports for a topology, by key (with the id, for resources no longer desired).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Observed {
    /// Every topology resource that exists, by key, with its ARM ID and body as ARM answered GET.
    pub resources: BTreeMap<ResourceKey, ObservedResource>,
    /// Regions whose resources could not be read (their services did not answer, as in a regional
    /// outage), with the error: what they hold is unknown, so a plan leaves them as they are and
    /// goes on with the others (a failover away from such a region still applies).
    pub unreachable: BTreeMap<String, String>,
    /// Resources of the global group that live in a region ([`ResourceKey::lives_in_a_region`]) and
    /// could not be read, with the error: each is left as it is, as an unreachable region's are.
    pub unreadable: BTreeMap<ResourceKey, String>,
}

/// One resource as ARM reported it.
#[derive(Debug, Clone, PartialEq)]
pub struct ObservedResource {
    /// Its ARM resource ID.
    pub id: String,
    /// Its body as ARM answered GET.
    pub body: Value,
}

impl Observed {
    /// The body ARM reported for `key`, if the resource exists.
    pub fn body(&self, key: &ResourceKey) -> Option<&Value> {
        self.resources.get(key).map(|r| &r.body)
    }
}

/// What a plan does to one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Action {
    /// PUT a resource that does not exist yet.
    Create,
    /// PUT a resource that exists but drifted from what the topology wants.
    Update,
    /// DELETE a resource the topology no longer wants.
    Delete,
    /// Delete, then create: for what ARM will not change in place (a role assignment's principal).
    Replace,
    /// Nothing: the resource is as the topology wants it.
    NoOp,
    /// PATCH a database replica to promote it to primary (a switchover): the body says how.
    Promote,
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
            Action::Replace => "replace",
            Action::NoOp => "no-op",
            Action::Promote => "promote",
        })
    }
}

/// One attribute that differs from what the topology wants.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Drift {
    /// Where the attribute is in the body (`properties.kubernetesVersion`, `tags.bcdr-topology`, `properties.endpoints[westus].properties.priority`).
    pub path: String,
    /// The value the topology wants (`null` for an entry that should not be there).
    pub desired: Value,
    /// The value ARM holds (`null` when absent).
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
    /// Which resource of the topology the operation is on.
    pub key: ResourceKey,
    /// The resource's ARM resource ID.
    pub id: String,
    /// What the operation does.
    pub action: Action,
    /// The body to PUT (creates and updates).
    pub body: Option<Value>,
    /// Why, in words: `does not exist`, `matches`, the drift (`path: want x, have y`), or why it is left alone.
    pub reason: String,
    /// The attributes that differ from what the topology wants (updates only).
    pub drift: Vec<Drift>,
    /// Indices of operations that must finish first.
    pub depends_on: Vec<usize>,
    /// Values the body takes from other operations' results at apply time.
    pub bindings: Vec<RuntimeBinding>,
}

/// A value copied into an operation's body from the result of the operation at `source`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuntimeBinding {
    /// JSON pointer into this operation's body.
    pub target: String,
    /// The index of the operation whose result the value comes from.
    pub source: usize,
    /// JSON pointer into that operation's result, as ARM reports the resource.
    pub source_pointer: String,
}

/// A DAG of operations; indices are positions in `operations`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    /// The operations; each one's `depends_on` names others by index.
    pub operations: Vec<PlannedOperation>,
}

impl Plan {
    /// The operations that change something.
    pub fn changes(&self) -> impl Iterator<Item = &PlannedOperation> {
        self.operations.iter().filter(|o| o.action != Action::NoOp)
    }

    /// Whether any operation changes something (anything but a no-op).
    pub fn has_changes(&self) -> bool {
        self.changes().next().is_some()
    }
}

/// Attributes of `desired` that `actual` lacks or holds differently. Strings compare case-insensitively
/// (ARM ids, SKUs and locations are); arrays of named objects match by name; extra attributes in
/// `actual` (read-only properties, tags someone added) are not drift, nor is a tag wanted empty or a
/// boolean wanted false that `actual` lacks.
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
            if named
                && (path == "properties.endpoints"
                    || path == "properties.customRules.rules"
                    || path == "properties.monitorConfig.customHeaders")
            {
                // A profile's endpoints and probe headers, and a WAF policy's custom rules, are
                // replaced as a whole: one no longer wanted is drift too.
                for h in have_items {
                    let name = h["name"].as_str().unwrap_or_default();
                    if !items.iter().any(|i| {
                        i["name"]
                            .as_str()
                            .is_some_and(|n| n.eq_ignore_ascii_case(name))
                    }) {
                        out.push(Drift {
                            path: format!("{path}[{name}]"),
                            desired: Value::Null,
                            actual: h.clone(),
                        });
                    }
                }
            }
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
        // A tag wanted empty and absent say the same (no primary, no services): no write for it.
        Value::String(s) if s.is_empty() && have.is_null() && path.starts_with("tags.") => {}
        Value::String(s) => {
            // ARM echoes role definition ids with or without the subscription prefix: compare the GUID.
            let tail = |v: &str| {
                if path.ends_with("roleDefinitionId") {
                    v.rsplit('/').next().unwrap_or(v).to_owned()
                } else {
                    v.to_owned()
                }
            };
            if !have
                .as_str()
                .is_some_and(|h| tail(h).eq_ignore_ascii_case(&tail(s)))
            {
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
        // ARM leaves booleans that are false out of some answers (no AKS spec example shows a pool's
        // `enableAutoScaling`): absent is false, or every plan would rewrite them.
        Value::Bool(false) if have.is_null() => {}
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
    let mut unbound = Vec::with_capacity(desired.len());
    for d in desired {
        let (mut body, pending, blocked) = bind_observed(d, observed);
        keep_fixed(&d.key, &mut body, observed);
        // A binding from a resource that does not exist yet: its value will be a new one.
        let renewed: Vec<&str> = pending
            .iter()
            .filter(|b| observed.body(&b.source).is_none())
            .map(|b| b.target.as_str())
            .collect();
        let unreachable = observed
            .unreachable
            .get(d.key.group_region())
            .filter(|_| !matches!(d.key, ResourceKey::ResourceGroup(_)))
            .map(|error| (d.key.group_region().to_owned(), error))
            .or_else(|| {
                observed
                    .unreadable
                    .get(&d.key)
                    .map(|error| (d.key.to_string(), error))
            });
        let (action, reason, drifts) = match (unreachable, observed.body(&d.key)) {
            (Some((what, error)), _) => (
                Action::NoOp,
                format!("not read: {what} did not answer ({error}); left as it is"),
                Vec::new(),
            ),
            (None, _) if blocked.is_some() => (
                Action::NoOp,
                format!(
                    "needs a value from {}, which did not answer; left as it is",
                    blocked.as_deref().unwrap_or_default()
                ),
                Vec::new(),
            ),
            (None, None) => (Action::Create, "does not exist".to_owned(), Vec::new()),
            // An admin group's role granted by hand under another name stands for ours (ARM keeps
            // one assignment of a role per principal and scope): not bcdr's to write.
            (None, Some(_))
                if matches!(d.key, ResourceKey::ClusterAdmin { .. })
                    && observed
                        .resources
                        .get(&d.key)
                        .is_some_and(|o| !o.id.eq_ignore_ascii_case(&d.id)) =>
            {
                (
                    Action::NoOp,
                    "granted by hand under another name; kept as it is".to_owned(),
                    Vec::new(),
                )
            }
            (None, Some(actual)) => compare(&d.key, &body, actual, &pending, &renewed),
        };
        index.insert(d.key.clone(), ops.len());
        unbound.push(pending);
        ops.push(PlannedOperation {
            key: d.key.clone(),
            id: d.id.clone(),
            action,
            body: Some(body),
            reason,
            drift: drifts,
            depends_on: Vec::new(),
            bindings: Vec::new(),
        });
    }
    for (i, (d, pending)) in desired.iter().zip(unbound).enumerate() {
        ops[i].depends_on = d
            .depends_on
            .iter()
            .filter_map(|k| index.get(k).copied())
            .collect();
        ops[i].bindings = pending
            .into_iter()
            .filter_map(|b| {
                index.get(&b.source).map(|&source| RuntimeBinding {
                    target: b.target,
                    source,
                    source_pointer: b.source_pointer,
                })
            })
            .collect();
    }
    resync_peerings(&mut ops, &index, observed);
    database::plan_database(&mut ops, &index, desired, observed);
    plan_deletes(&mut ops, &index, desired, observed);
    database::plan_database_deletes(&mut ops, desired, observed);
    schedule_peerings(&mut ops);
    Plan { operations: ops }
}

/// What Azure fixes when it makes a resource, by JSON pointer: a resource that exists keeps what it
/// has (a new one follows the topology). A private API server is chosen when AKS makes the cluster;
/// a cluster made public becomes private only when it is made anew (region by region, behind a
/// failover), so the plan neither rewrites it nor fails on it.
const FIXED_AT_CREATE: &[(&str, &str)] = &[(
    "/properties/apiServerAccessProfile/enablePrivateCluster",
    "false",
)];

/// Values AKS leaves out of its answers when they are its default, by JSON pointer: sent so that a
/// change back to the default is written, but no drift when the resource has none.
const ABSENT_MEANS: &[(&str, &str)] = &[("/properties/networkProfile/networkPolicy", "none")];

/// A cluster's body as the plan compares and writes it: what AKS fixed at create kept, a default AKS
/// does not report left out.
fn keep_fixed(key: &ResourceKey, body: &mut Value, observed: &Observed) {
    if !matches!(key, ResourceKey::ManagedCluster(_)) {
        return;
    }
    let Some(actual) = observed.body(key) else {
        return;
    };
    for (pointer, absent) in FIXED_AT_CREATE {
        let have = actual
            .pointer(pointer)
            .filter(|v| !v.is_null())
            .cloned()
            .unwrap_or_else(|| serde_json::from_str(absent).unwrap_or(Value::Null));
        if let Some(slot) = body.pointer_mut(pointer) {
            *slot = have;
        }
    }
    for (pointer, default) in ABSENT_MEANS {
        let absent = actual.pointer(pointer).is_none_or(Value::is_null);
        let (parent, field) = pointer.rsplit_once('/').unwrap_or_default();
        if absent
            && body.pointer(pointer).and_then(Value::as_str) == Some(default)
            && let Some(Value::Object(members)) = body.pointer_mut(parent)
        {
            members.remove(field);
        }
    }
}

/// The desired body with every binding whose source exists filled in, the bindings left for apply,
/// and the unreachable region a binding needs a value from that nothing else holds. A source in a
/// region that did not answer gives the value the resource already holds (a pull role keeps its
/// principal, an origin its host name), so the rest of the resource can still change.
fn bind_observed(
    d: &DesiredResource,
    observed: &Observed,
) -> (Value, Vec<crate::layout::Binding>, Option<String>) {
    let mut body = d.body.clone();
    let mut pending = Vec::new();
    let mut blocked = None;
    for b in &d.bindings {
        let cut_off = observed.unreachable.contains_key(b.source.group_region())
            || observed.unreadable.contains_key(&b.source);
        let value = observed
            .body(&b.source)
            .and_then(|s| s.pointer(&b.source_pointer))
            .or_else(|| {
                cut_off
                    .then(|| observed.body(&d.key).and_then(|a| a.pointer(&b.target)))
                    .flatten()
            })
            .filter(|v| !v.is_null());
        match (value, body.pointer_mut(&b.target)) {
            (Some(v), Some(slot)) => *slot = v.clone(),
            _ if cut_off => {
                blocked = Some(if observed.unreadable.contains_key(&b.source) {
                    b.source.to_string()
                } else {
                    b.source.group_region().to_owned()
                });
            }
            _ => pending.push(b.clone()),
        }
    }
    (body, pending, blocked)
}

fn compare(
    key: &ResourceKey,
    body: &Value,
    actual: &Value,
    pending: &[crate::layout::Binding],
    renewed: &[&str],
) -> (Action, String, Vec<Drift>) {
    let mut drifts = drift(body, actual);
    // A role assignment's principal cannot change (409 `RoleAssignmentUpdateNotPermitted`): one for
    // another principal, or for a cluster being made anew (its identity is only known at apply), is
    // deleted and made again.
    let role = match key {
        ResourceKey::RoleAssignment(_) | ResourceKey::RegistryPull(_) => true,
        ResourceKey::AksBackup { part, .. } => part.is_role_assignment(),
        _ => false,
    };
    if role {
        if renewed.contains(&"/properties/principalId") {
            return (
                Action::Replace,
                "its cluster is made anew: the new identity needs the role, and an assignment's principal cannot change".to_owned(),
                Vec::new(),
            );
        }
        if let Some(d) = drifts.iter().find(|d| d.path == "properties.principalId") {
            return (
                Action::Replace,
                format!("{d}; an assignment's principal cannot change"),
                drifts.clone(),
            );
        }
    }
    // A value only known at apply (a new cluster's identity) is no drift yet.
    drifts.retain(|x| {
        !pending
            .iter()
            .any(|b| x.path == b.target.trim_start_matches('/').replace('/', "."))
    });
    // A resource whose last operation failed, or that another run left mid-operation, is written again:
    // ARM PUTs are idempotent, and a busy resource's 409 is retried.
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
    if matches!(
        key,
        ResourceKey::ResourceGroup(_) | ResourceKey::Registry | ResourceKey::StorageAccount
    ) {
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

/// A peering must be re-synced (PUT with `syncRemoteAddressSpace=true`) when either VNet's address space
/// changes, and whenever ARM reports it out of sync. A Disconnected one (its remote side or VNet was
/// deleted) is re-PUT to be Initiated again: Azure refuses to re-create the remote side before
/// (400 `RemotePeeringIsDisconnected`), and the schedule puts that re-PUT first.
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
        let property = |name: &str| {
            observed
                .body(&op.key)
                .and_then(|b| b["properties"][name].as_str())
                .map(str::to_owned)
        };
        let sync = property("peeringSyncLevel").unwrap_or_else(|| "FullyInSync".into());
        if property("peeringState").as_deref() == Some("Disconnected") {
            updates.push((
                i,
                "peering is Disconnected (its remote side was deleted); re-PUT it to be Initiated before the remote side is made again".to_owned(),
            ));
        } else if sync != "FullyInSync" {
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
    let mut operations = observed
        .resources
        .iter()
        .filter(|(k, _)| matches!(k, ResourceKey::ResourceGroup(_)))
        .map(|(key, found)| delete(key, &found.id, "topology destroyed".into(), Vec::new()))
        .collect();
    database::destroy_database(&mut operations, observed);
    Plan { operations }
}

mod backup_deletes;
mod database;
mod deletes;
pub use database::is_replica;
mod rollout;
pub use rollout::{roll_upgrades, upgrade_waves};
mod schedule;

use deletes::{delete, plan_deletes};
#[cfg(test)]
use schedule::round_robin;
use schedule::schedule_peerings;

#[cfg(test)]
mod tests;
