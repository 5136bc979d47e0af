//! Read replicas: their creation (`createMode: Replica`), their promotion (PATCH
//! `properties.replica.promoteMode` / `promoteOption`) and the list of a primary's replicas
//! (Replicas.json 2024-08-01).
//!
//! Documented (MicrosoftDocs/azure-databases-docs, flexible-server concepts-read-replicas and
//! concepts-read-replicas-promote): up to five replicas per primary; General Purpose and Memory
//! Optimized only, not Burstable; not of a Premium SSD v2 server; no cascading replicas; no backups
//! (geo-backups included) and no high availability on a replica; a replica's storage at least its
//! primary's, autogrow on if the primary's is; what a replica is not given it inherits; the primary
//! is `Updating` (no management operation) while a replica is created, deleted or promoted; a replica
//! in another region is a geo replica (`GeoAsyncReplica`, FlexibleServers.json). Promotion:
//! `switchover` swaps the roles and needs a virtual endpoint naming the replica, both servers
//! available and symmetric (same tier and storage size); `forced` during a regional outage skips
//! every check; `standalone` makes the replica an independent server, out of the set and of its
//! virtual endpoints.
//!
//! Modelled (docs/emulator-fidelity.md): a replica's major version is its primary's; `planned` is
//! refused while the primary's region is down; after a forced switchover the demoted primary is a
//! replica of the new one (what it reads once its region is back); the other replicas follow the
//! new primary; no replica is created from a source whose region is down. The codes of the refusals
//! are guesses.

use super::{
    REPLICA_CAPACITY, SERVER_TYPE, location_of, name_of, region_down, render, replica_role,
    replicas_of, set_role, source_of, virtual_endpoint,
};
use crate::contract::error::ArmError;
use crate::contract::request::{Ctx, Resp};
use crate::contract::resource::require_group;
use crate::contract::store::Resource;
use serde_json::{Value, json};

fn refused(code: &str, message: String) -> ArmError {
    ArmError::bad_request(code, message)
}

/// Checks the creation of a replica of `body.properties.sourceServerResourceId` in `location` named
/// `name`; the source's id as stored and the replica's role.
pub fn check_create(
    ctx: &Ctx<'_>,
    name: &str,
    location: &str,
    body: &Value,
) -> Result<(String, &'static str), ArmError> {
    let Some(source_id) = body["properties"]["sourceServerResourceId"]
        .as_str()
        .filter(|s| !s.is_empty())
    else {
        return Err(refused(
            "SourceServerResourceIdRequired",
            "createMode 'Replica' needs properties.sourceServerResourceId: the id of the primary server to replicate.".to_owned(),
        )
        .with_target("properties.sourceServerResourceId"));
    };
    let Some(source) = super::find_server(ctx.state, source_id) else {
        return Err(ArmError::not_found(
            "SourceServerNotFound",
            format!("The source server '{source_id}' does not exist."),
        )
        .with_target("properties.sourceServerResourceId"));
    };
    let source_name = name_of(&source.id);
    if source.pending.is_some() {
        return Err(super::busy(source_name));
    }
    if region_down(ctx.state, location_of(source), ctx.now) {
        return Err(ArmError::conflict(
            "SourceServerUnavailable",
            format!(
                "The source server '{source_name}' is in '{}', a region that is unavailable: a replica is seeded from its source.",
                location_of(source)
            ),
        ));
    }
    if super::is_replica(source) {
        return Err(refused(
            "CannotCreateReplicaOfReplica",
            format!("'{source_name}' is itself a read replica; a replica's source must be a primary server."),
        )
        .with_target("properties.sourceServerResourceId"));
    }
    let tier = source.body["sku"]["tier"].as_str().unwrap_or_default();
    if tier.eq_ignore_ascii_case("Burstable") {
        return Err(refused(
            "ReplicaNotSupportedForBurstable",
            format!("Read replicas are not supported on the Burstable tier, and '{source_name}' is Burstable: use GeneralPurpose or MemoryOptimized."),
        )
        .with_target("properties.sourceServerResourceId"));
    }
    let disk = source.body["properties"]["storage"]["type"]
        .as_str()
        .unwrap_or_default();
    if disk.eq_ignore_ascii_case("PremiumV2_LRS") {
        return Err(refused(
            "ReplicaNotSupportedForPremiumV2",
            format!(
                "Read replicas are not supported for servers on Premium SSD v2 storage, and '{source_name}' uses it."
            ),
        ));
    }
    let existing = replicas_of(ctx.state, &source.id);
    let others = existing
        .iter()
        .filter(|r| !name_of(&r.id).eq_ignore_ascii_case(name))
        .count();
    if others as u64 >= REPLICA_CAPACITY {
        return Err(refused(
            "ReplicaCapacityExceeded",
            format!(
                "'{source_name}' already has {REPLICA_CAPACITY} read replicas, the most a server may have."
            ),
        ));
    }
    let props = &body["properties"];
    if props["backup"]["geoRedundantBackup"]
        .as_str()
        .is_some_and(|g| g.eq_ignore_ascii_case("Enabled"))
    {
        return Err(refused(
            "GeoBackupNotSupportedOnReplica",
            "Read replicas take no backups, geo-redundant ones included: leave properties.backup.geoRedundantBackup 'Disabled' on a replica.".to_owned(),
        )
        .with_target("properties.backup.geoRedundantBackup"));
    }
    if props["highAvailability"]["mode"]
        .as_str()
        .is_some_and(|m| !m.eq_ignore_ascii_case("Disabled"))
    {
        return Err(refused(
            "InvalidParameterValue",
            "High availability is not supported on read replicas.".to_owned(),
        )
        .with_target("properties.highAvailability.mode"));
    }
    let source_storage = &source.body["properties"]["storage"];
    if let (Some(size), Some(primary)) = (
        props["storage"]["storageSizeGB"].as_u64(),
        source_storage["storageSizeGB"].as_u64(),
    ) && size < primary
    {
        return Err(refused(
            "ReplicaStorageTooSmall",
            format!(
                "A replica's storage ({size} GB) must be at least its primary's ({primary} GB)."
            ),
        )
        .with_target("properties.storage.storageSizeGB"));
    }
    let grows = |s: &Value| {
        s["autoGrow"]
            .as_str()
            .is_some_and(|a| a.eq_ignore_ascii_case("Enabled"))
    };
    if grows(source_storage) && props["storage"].is_object() && !grows(&props["storage"]) {
        return Err(refused(
            "ReplicaStorageAutoGrowRequired",
            format!(
                "Storage autogrow is enabled on '{source_name}', so it must be on its replicas too."
            ),
        )
        .with_target("properties.storage.autoGrow"));
    }
    let version = body["properties"]["version"].as_str();
    let source_version = source.body["properties"]["version"].as_str();
    if let (Some(v), Some(s)) = (version, source_version)
        && v != s
    {
        return Err(refused(
            "ReplicaVersionMismatch",
            format!("A replica runs its primary's major version {s}, not {v}."),
        )
        .with_target("properties.version"));
    }
    Ok((
        source.id.clone(),
        replica_role(location_of(source), location),
    ))
}

/// The promotion a PATCH asks for, if it asks for one: (`switchover` | `standalone`,
/// `planned` | `forced`).
pub fn requested(patch: &Value) -> Option<(String, String)> {
    let replica = &patch["properties"]["replica"];
    let mode = replica["promoteMode"].as_str()?;
    let option = replica["promoteOption"].as_str().unwrap_or("planned");
    Some((mode.to_ascii_lowercase(), option.to_ascii_lowercase()))
}

/// Promotes the replica `server` as `mode` with `option`: its new body (the other servers of the set
/// change in the store).
pub fn promote(
    ctx: &mut Ctx<'_>,
    server: &Resource,
    mode: &str,
    option: &str,
) -> Result<Value, ArmError> {
    let name = name_of(&server.id).to_owned();
    let Some(source_id) = source_of(server).map(str::to_owned) else {
        return Err(refused(
            "ServerIsNotReplica",
            format!("'{name}' is not a read replica: only a replica can be promoted."),
        ));
    };
    if !matches!(mode, "switchover" | "standalone") {
        return Err(refused(
            "InvalidParameterValue",
            format!(
                "properties.replica.promoteMode '{mode}' must be 'switchover' or 'standalone'."
            ),
        )
        .with_target("properties.replica.promoteMode"));
    }
    if !matches!(option, "planned" | "forced") {
        return Err(refused(
            "InvalidParameterValue",
            format!("properties.replica.promoteOption '{option}' must be 'planned' or 'forced'."),
        )
        .with_target("properties.replica.promoteOption"));
    }
    let primary = super::find_server(ctx.state, &source_id).cloned();
    let primary_region = primary.as_ref().map_or("", |p| location_of(p)).to_owned();
    let primary_down = region_down(ctx.state, &primary_region, ctx.now);
    if option == "planned" && primary_down {
        return Err(ArmError::conflict(
            "PrimaryServerUnavailable",
            format!(
                "A planned promotion waits for '{name}' to catch up with its primary, which is in '{primary_region}', a region that is unavailable: promote with promoteOption 'forced' (data not yet replicated is lost)."
            ),
        ));
    }
    let mut body = server.body.clone();
    if mode == "standalone" {
        set_role(&mut body, "None", None);
        if let Some(r) = ctx.state.get_mut(&server.id) {
            r.body = body.clone();
        }
        virtual_endpoint::forget(ctx.state, &source_id, &name);
        return Ok(body);
    }
    // Outside a regional outage both servers must be available, and a switchover needs them
    // symmetric; a forced promotion during one skips every check (concepts-read-replicas-promote).
    let outage = option == "forced" && primary_down;
    if !outage
        && let Some(p) = &primary
        && (p.is_busy() || replicas_of(ctx.state, &p.id).iter().any(|r| r.is_busy()))
    {
        return Err(super::busy(name_of(&p.id)));
    }
    if !outage && let Some(p) = &primary {
        let tier = |r: &Value| {
            r["sku"]["tier"]
                .as_str()
                .unwrap_or_default()
                .to_ascii_lowercase()
        };
        let size = |r: &Value| r["properties"]["storage"]["storageSizeGB"].as_u64();
        if tier(&p.body) != tier(&server.body) || size(&p.body) != size(&server.body) {
            return Err(refused(
                "ServerSymmetryRequired",
                format!(
                    "Promoting '{name}' to primary server needs the same compute tier and storage size as '{}': scale one of them first, or promote it standalone.",
                    name_of(&p.id)
                ),
            ));
        }
    }
    if !virtual_endpoint::covers(ctx.state, &source_id, &name) {
        return Err(refused(
            "VirtualEndpointRequired",
            format!(
                "A switchover needs a virtual endpoint of the replication set whose members name '{name}'. Create one (flexibleServers/{}/virtualendpoints) first.",
                name_of(&source_id)
            ),
        ));
    }
    // The replica becomes the primary, the primary its replica, the other replicas follow.
    set_role(&mut body, "Primary", None);
    if let Some(r) = ctx.state.get_mut(&server.id) {
        r.body = body.clone();
    }
    let region = location_of(server).to_owned();
    let followers: Vec<String> = replicas_of(ctx.state, &source_id)
        .iter()
        .filter(|r| !r.id.eq_ignore_ascii_case(&server.id))
        .map(|r| r.id.clone())
        .collect();
    for id in followers {
        if let Some(r) = ctx.state.get_mut(&id) {
            let role = replica_role(&region, location_of(r));
            set_role(&mut r.body, role, Some(&server.id));
        }
    }
    if let Some(old) = ctx.state.get_mut(&source_id) {
        let role = replica_role(&region, &primary_region);
        set_role(&mut old.body, role, Some(&server.id));
    }
    virtual_endpoint::switched(ctx.state, &source_id, &server.id);
    tracing::info!(replica = %name, option, primary_down, "switchover");
    Ok(body)
}

/// `GET flexibleServers/{server}/replicas`: the server's read replicas, each as its GET shows it
/// (one page: the spec declares no next link).
pub fn list(ctx: &mut Ctx<'_>, rg: &str, server: &str) -> Result<Resp, ArmError> {
    let rg_id = require_group(ctx, rg)?;
    let id = super::server_id(&rg_id, server);
    let Some(primary) = super::find_server(ctx.state, &id) else {
        return Err(ArmError::not_found(
            "ResourceNotFound",
            format!(
                "The Resource '{SERVER_TYPE}/{server}' under resource group '{rg}' was not found."
            ),
        ));
    };
    let value: Vec<Value> = replicas_of(ctx.state, &primary.id)
        .into_iter()
        .map(|r| render(ctx.state, r))
        .collect();
    Ok(Resp::json(200, json!({ "value": value })))
}
