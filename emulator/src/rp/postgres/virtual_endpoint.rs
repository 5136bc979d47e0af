//! Virtual endpoints (`flexibleServers/{server}/virtualendpoints/{name}`, VirtualEndpoints.json
//! 2024-08-01): a pair of host names for a replication set, `<name>.writer.postgres.database.azure.com`
//! (the current primary) and `<name>.reader.postgres.database.azure.com` (a replica), so that
//! applications keep their connection string across a switchover (learn.microsoft.com,
//! concepts-read-replicas-virtual-endpoints). A switchover needs one whose `members` name the
//! replica promoted ("The promotion is successful only if the targeted replica is included in the
//! reader endpoint configuration", concepts-read-replicas-promote).
//!
//! Modelled: `members` are stored as sent and, after a switchover, the promoted replica's name in them
//! becomes the demoted primary's (the reader follows the replica role); the pair is served under every
//! server of its replication set; its host names are A records in the primary's private DNS zone
//! (docs/emulator-fidelity.md).

use super::{ENDPOINT_TYPE, busy, name_of, primary_of, private_access, render_child, replicas_of};
use crate::contract::crud::{self, At, ResourceType, Written};
use crate::contract::error::ArmError;
use crate::contract::lro::Started;
use crate::contract::profile::{self, Profile};
use crate::contract::request::{Ctx, Resp};
use crate::contract::resource::{not_found, require_group};
use crate::contract::store::{Kind, Resource, State};
use crate::rp::private_dns::{self, POSTGRES_SUFFIX};
use serde_json::{Value, json};

/// The two host names of the pair `name`.
pub fn hosts(name: &str) -> [String; 2] {
    [
        format!("{name}.writer.{POSTGRES_SUFFIX}"),
        format!("{name}.reader.{POSTGRES_SUFFIX}"),
    ]
}

/// Every virtual endpoint of the replication set whose primary is `primary_id`.
pub fn of_set(state: &State, primary_id: &str) -> Vec<Resource> {
    let mut servers = vec![primary_id.to_ascii_lowercase()];
    servers.extend(
        replicas_of(state, primary_id)
            .iter()
            .map(|r| r.id.to_ascii_lowercase()),
    );
    state
        .resources
        .values()
        .filter(|r| r.kind == Kind::PostgresVirtualEndpoint)
        .filter(|r| {
            r.id.to_ascii_lowercase()
                .rsplit_once("/virtualendpoints/")
                .is_some_and(|(owner, _)| servers.iter().any(|s| s == owner))
        })
        .cloned()
        .collect()
}

/// Whether a virtual endpoint of the set names `replica` among its members.
pub fn covers(state: &State, primary_id: &str, replica: &str) -> bool {
    of_set(state, primary_id).iter().any(|ve| {
        members(&ve.body)
            .iter()
            .any(|m| m.eq_ignore_ascii_case(replica))
    })
}

fn members(body: &Value) -> Vec<String> {
    body["properties"]["members"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|m| m.as_str().map(str::to_owned))
        .collect()
}

/// Points every virtual endpoint of the set of `primary_id` at it again: the writer at the primary,
/// the reader at the first member that is one of its replicas (the primary when none is).
pub fn refresh(state: &mut State, primary_id: &str) {
    let Some(primary) = state.get(primary_id).cloned() else {
        return;
    };
    let replicas: Vec<Resource> = replicas_of(state, primary_id)
        .into_iter()
        .cloned()
        .collect();
    for ve in of_set(state, primary_id) {
        let name = name_of(&ve.id).to_owned();
        let reader = members(&ve.body)
            .iter()
            .find_map(|m| {
                replicas
                    .iter()
                    .find(|r| name_of(&r.id).eq_ignore_ascii_case(m))
            })
            .cloned()
            .unwrap_or_else(|| primary.clone());
        let Some(zone) = private_access::zone_of(&primary.body).map(str::to_owned) else {
            continue;
        };
        for (label, target) in [("writer", &primary), ("reader", &reader)] {
            let record = format!("{name}.{label}");
            match private_access::recorded(state, &target.body) {
                Some(ip) => private_dns::write_a_record(state, &zone, &record, &[ip]),
                None => {
                    state
                        .resources
                        .remove(&format!("{zone}/A/{record}").to_ascii_lowercase());
                }
            }
        }
    }
}

/// After a switchover from `old_primary` to `new_primary`: members naming the promoted replica name
/// the demoted primary instead, and the host names follow.
pub fn switched(state: &mut State, old_primary: &str, new_primary: &str) {
    let (old, new) = (
        name_of(old_primary).to_owned(),
        name_of(new_primary).to_owned(),
    );
    for ve in of_set(state, new_primary) {
        if let Some(r) = state.get_mut(&ve.id) {
            let swapped: Vec<Value> = members(&r.body)
                .into_iter()
                .map(|m| {
                    if m.eq_ignore_ascii_case(&new) {
                        json!(old)
                    } else {
                        json!(m)
                    }
                })
                .collect();
            r.body["properties"]["members"] = json!(swapped);
        }
    }
    refresh(state, new_primary);
}

/// A server left the set (deleted, or promoted standalone): no member names it any more.
pub fn forget(state: &mut State, primary_id: &str, server_name: &str) {
    for ve in of_set(state, primary_id) {
        if let Some(r) = state.get_mut(&ve.id) {
            let kept: Vec<String> = members(&r.body)
                .into_iter()
                .filter(|m| !m.eq_ignore_ascii_case(server_name))
                .collect();
            r.body["properties"]["members"] = json!(kept);
        }
    }
    refresh(state, primary_id);
}

/// Removes the host names of the pair `ve` from the zone of its set's primary.
fn unpublish(state: &mut State, ve: &Resource, primary: &Value) {
    let Some(zone) = private_access::zone_of(primary).map(str::to_owned) else {
        return;
    };
    let name = name_of(&ve.id);
    for label in ["writer", "reader"] {
        state
            .resources
            .remove(&format!("{zone}/A/{name}.{label}").to_ascii_lowercase());
    }
}

/// Removes the host names of every pair of the server `id` (it is being deleted).
pub fn unpublish_all(state: &mut State, server: &Resource) {
    let owned: Vec<Resource> = state
        .children_of(&server.id)
        .iter()
        .filter_map(|k| state.resources.get(k))
        .filter(|r| r.kind == Kind::PostgresVirtualEndpoint)
        .cloned()
        .collect();
    for ve in owned {
        unpublish(state, &ve, &server.body);
    }
}

#[derive(Debug)]
struct VirtualEndpoint;

impl ResourceType for VirtualEndpoint {
    fn profile(&self) -> &'static Profile {
        &profile::POSTGRES
    }
    fn kind(&self) -> Kind {
        Kind::PostgresVirtualEndpoint
    }
    fn type_name(&self) -> &'static str {
        ENDPOINT_TYPE
    }
    fn delete_latency(&self) -> &'static str {
        "postgres.child"
    }
    fn render(&self, _state: &State, resource: &Resource) -> Value {
        render_child(resource)
    }

    fn busy(&self, _ctx: &Ctx<'_>, at: &At, existing: Option<&Resource>) -> Option<ArmError> {
        let parent = at.parent.as_ref()?;
        (parent.is_busy() || existing.is_some_and(Resource::is_busy))
            .then(|| busy(name_of(&parent.id)))
    }

    fn put(
        &self,
        ctx: &mut Ctx<'_>,
        at: &At,
        existing: Option<&Resource>,
        body: &Value,
    ) -> Result<Written, ArmError> {
        let Some(parent) = at.parent.as_ref() else {
            return Err(not_found(super::SERVER_TYPE, "", &at.rg));
        };
        let name_ok = at.name.len() >= 3
            && at.name.len() <= 63
            && at
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !at.name.starts_with('-')
            && !at.name.ends_with('-');
        if !name_ok {
            return Err(ArmError::bad_request(
                "InvalidParameterValue",
                format!(
                    "The virtual endpoint name '{}' is invalid: 3 to 63 letters, digits and hyphens, not starting or ending with a hyphen.",
                    at.name
                ),
            ));
        }
        let kind = body["properties"]["endpointType"]
            .as_str()
            .unwrap_or_default();
        if !kind.eq_ignore_ascii_case("ReadWrite") {
            return Err(ArmError::bad_request(
                "InvalidParameterValue",
                format!("properties.endpointType '{kind}' is not supported: the only type is 'ReadWrite'."),
            )
            .with_target("properties.endpointType"));
        }
        if existing.is_none() && super::is_replica(parent) {
            return Err(ArmError::bad_request(
                "InvalidParameterValue",
                format!(
                    "Virtual endpoints are created on the primary server, and '{}' is a read replica.",
                    name_of(&parent.id)
                ),
            ));
        }
        // Members: servers of this replication set.
        let primary = primary_of(ctx.state, parent);
        let mut set = vec![name_of(&primary).to_owned()];
        set.extend(
            replicas_of(ctx.state, &primary)
                .iter()
                .map(|r| name_of(&r.id).to_owned()),
        );
        let given = members(body);
        if let Some(stranger) = given
            .iter()
            .find(|m| !set.iter().any(|s| s.eq_ignore_ascii_case(m)))
        {
            return Err(ArmError::bad_request(
                "InvalidParameterValue",
                format!("'{stranger}' is not a server of the replication set of '{}': members must be its primary or its read replicas.", name_of(&primary)),
            )
            .with_target("properties.members"));
        }
        Ok(Written {
            body: json!({
                "id": at.id,
                "name": at.name,
                "type": ENDPOINT_TYPE,
                "properties": {
                    "endpointType": "ReadWrite",
                    "members": given,
                    "virtualEndpoints": hosts(&at.name),
                    "provisioningState": "Creating",
                },
            }),
            location: super::location_of(parent).to_owned(),
            latency: "postgres.child",
            completes: None,
            unchanged: false,
        })
    }

    fn written(&self, ctx: &mut Ctx<'_>, at: &At, _op: Option<&Started>) {
        if let Some(parent) = &at.parent {
            let primary = primary_of(ctx.state, parent);
            refresh(ctx.state, &primary);
        }
    }

    fn deleting(&self, ctx: &mut Ctx<'_>, at: &At, _op: &Started) {
        if let (Some(parent), Some(ve)) = (&at.parent, ctx.state.get(&at.id).cloned()) {
            let primary = primary_of(ctx.state, parent);
            if let Some(p) = ctx.state.get(&primary).cloned() {
                unpublish(ctx.state, &ve, &p.body);
            }
        }
    }
}

/// `flexibleServers/{server}/virtualendpoints/{name}`: the pair, wherever in the server's
/// replication set it was created.
pub fn endpoint(ctx: &mut Ctx<'_>, rg: &str, server: &str, name: &str) -> Result<Resp, ArmError> {
    let rg_id = require_group(ctx, rg)?;
    let server_id = super::server_id(&rg_id, server);
    let Some(parent) = super::find_server(ctx.state, &server_id).cloned() else {
        return Err(ArmError::not_found(
            "ParentResourceNotFound",
            format!(
                "Can not perform requested operation on nested resource. Parent resource '{server}' not found."
            ),
        ));
    };
    let here = format!("{}/virtualendpoints/{name}", parent.id);
    let primary = primary_of(ctx.state, &parent);
    let id = if ctx.state.get(&here).is_some() {
        here
    } else {
        of_set(ctx.state, &primary)
            .into_iter()
            .find(|ve| name_of(&ve.id).eq_ignore_ascii_case(name))
            .map_or(here, |ve| ve.id)
    };
    let owner = id
        .rsplit_once("/virtualendpoints/")
        .and_then(|(o, _)| ctx.state.get(o).cloned())
        .unwrap_or(parent);
    let at = At::new(ctx.state, rg, id, name, Some(owner));
    crud::serve(ctx, &at, &VirtualEndpoint)
}
