//! Azure Database for PostgreSQL flexible servers (`Microsoft.DBforPostgreSQL`, api-version
//! 2024-08-01: Azure/azure-rest-api-specs `specification/postgresql/.../stable/2024-08-01`, kept in
//! `tests/armspec/specs`). One module per thing a server owns: the server itself and its writes
//! ([`server`]), private access through a delegated subnet and a private DNS zone
//! ([`private_access`]), read replicas and their promotion ([`replica`]), virtual endpoints
//! ([`virtual_endpoint`]) and Microsoft Entra administrators ([`administrator`]).
//!
//! What every one of them shares lives here: the type names, how a server reads (the spec's
//! `Server`: no `provisioningState`, a `state` instead), its role in a replication set, and the
//! refusals all writes meet (a server busy with another operation).

pub mod administrator;
pub mod private_access;
pub mod replica;
pub mod server;
pub mod virtual_endpoint;

use crate::contract::error::ArmError;
use crate::contract::outage;
use crate::contract::store::{Kind, Resource, State, now_ms};
use serde_json::{Value, json};

pub const SERVER_TYPE: &str = "Microsoft.DBforPostgreSQL/flexibleServers";
pub const ENDPOINT_TYPE: &str = "Microsoft.DBforPostgreSQL/flexibleServers/virtualEndpoints";
pub const ADMINISTRATOR_TYPE: &str = "Microsoft.DBforPostgreSQL/flexibleServers/administrators";

/// How many read replicas a primary may have: "You can replicate from the primary server to up to
/// five replicas" (learn.microsoft.com, concepts-read-replicas).
pub const REPLICA_CAPACITY: u64 = 5;

/// 409 `ServerIsBusy`, Azure's words for a write that meets another operation on the server
/// ("Cannot complete operation while server '…' is busy processing another operation", quoted from
/// Azure in a public incident write-up of 2026-08; the status is a guess).
pub fn busy(name: &str) -> ArmError {
    ArmError::conflict(
        "ServerIsBusy",
        format!(
            "Cannot complete operation while server '{name}' is busy processing another operation."
        ),
    )
}

/// A server's id in group `rg_id`.
pub fn server_id(rg_id: &str, name: &str) -> String {
    format!("{rg_id}/providers/{SERVER_TYPE}/{name}")
}

/// The server `id`, if it is one.
pub fn find_server<'s>(state: &'s State, id: &str) -> Option<&'s Resource> {
    state.get(id).filter(|r| r.kind == Kind::PostgresServer)
}

/// A server's name (the last segment of its id).
pub fn name_of(id: &str) -> &str {
    id.rsplit('/').next().unwrap_or_default()
}

/// Whether the server is a read replica (it has a source).
pub fn is_replica(server: &Resource) -> bool {
    source_of(server).is_some()
}

/// The server a replica replicates from.
pub fn source_of(server: &Resource) -> Option<&str> {
    server.body["properties"]["sourceServerResourceId"]
        .as_str()
        .filter(|s| !s.is_empty())
}

/// The replicas of the server `primary_id`.
pub fn replicas_of<'s>(state: &'s State, primary_id: &str) -> Vec<&'s Resource> {
    state
        .resources
        .values()
        .filter(|r| {
            r.kind == Kind::PostgresServer
                && source_of(r).is_some_and(|s| s.eq_ignore_ascii_case(primary_id))
        })
        .collect()
}

/// Whether an operation runs on a replica of `primary_id` (its creation, deletion or promotion):
/// "the primary server will enter an updating state. During this time, server management operations
/// … will be unavailable" (concepts-read-replicas).
pub fn replica_busy(state: &State, primary_id: &str) -> bool {
    replicas_of(state, primary_id).iter().any(|r| r.is_busy())
}

/// The primary of the replication set the server belongs to (itself when it is not a replica).
pub fn primary_of(state: &State, server: &Resource) -> String {
    match source_of(server) {
        Some(source) => state
            .get(source)
            .map_or(source.to_owned(), |r| r.id.clone()),
        None => server.id.clone(),
    }
}

/// The location a resource's body names.
pub fn location_of(resource: &Resource) -> &str {
    resource.body["location"].as_str().unwrap_or_default()
}

/// Whether `region` is down now (`Emulator::take_region_down`).
pub fn region_down(state: &State, region: &str, now: u64) -> bool {
    outage::down_now(&state.outages, region, now).is_some()
}

/// The role of a replica of a primary in `source_region`: `GeoAsyncReplica` in another region,
/// `AsyncReplica` in the same (FlexibleServers.json `ReplicationRole`).
pub fn replica_role(source_region: &str, region: &str) -> &'static str {
    if source_region.eq_ignore_ascii_case(region) {
        "AsyncReplica"
    } else {
        "GeoAsyncReplica"
    }
}

/// Sets a server's place in a replication set: primary (of its replicas), replica of `source`,
/// or neither (`None`: a standalone server).
pub fn set_role(body: &mut Value, role: &str, source: Option<&str>) {
    body["properties"]["replicationRole"] = json!(role);
    body["properties"]["replica"] = json!({ "role": role, "capacity": REPLICA_CAPACITY });
    match source {
        Some(s) => body["properties"]["sourceServerResourceId"] = json!(s),
        None => {
            if let Some(p) = body["properties"].as_object_mut() {
                p.remove("sourceServerResourceId");
            }
        }
    }
}

/// A server as GET shows it: the spec's `Server`, whose properties have no `provisioningState`
/// (the stored one says what runs) but a `state`: `Ready`, `Updating` while an operation runs
/// (also during a create: guess) and while one runs on one of its replicas (concepts-read-replicas),
/// `Dropping` while it is deleted; and a replica's `replicationState`: `Provisioning` while it is
/// created, `Reconfiguring` while its primary's region is down ("Awaiting start of the
/// replica-primary link. It might remain longer if the replica or its region is unavailable",
/// concepts-read-replicas), `Active` otherwise.
pub fn render(state: &State, resource: &Resource) -> Value {
    let mut body = resource.body.clone();
    let running = resource.pending.as_ref().map(|p| p.state.as_str());
    let shown = match running {
        Some("Deleting") => "Dropping",
        Some(_) => "Updating",
        None if replica_busy(state, &resource.id) => "Updating",
        None => "Ready",
    };
    if let Some(props) = body["properties"].as_object_mut() {
        props.remove("provisioningState");
        props.insert("state".into(), json!(shown));
    }
    if let Some(source) = source_of(resource) {
        let source_down = state
            .get(source)
            .is_some_and(|s| region_down(state, location_of(s), now_ms()));
        let replication = match running {
            Some("Creating") => "Provisioning",
            _ if source_down => "Reconfiguring",
            _ => "Active",
        };
        body["properties"]["replica"]["replicationState"] = json!(replication);
    }
    body
}

/// A child (virtual endpoint, administrator) as GET shows it: its spec declares no
/// `provisioningState`.
pub fn render_child(resource: &Resource) -> Value {
    let mut body = resource.body.clone();
    if let Some(props) = body["properties"].as_object_mut() {
        props.remove("provisioningState");
    }
    body
}
