//! `Microsoft.DBforPostgreSQL/flexibleServers/{name}` (FlexibleServers.json 2024-08-01): PUT (a new
//! server with `createMode` `Create`/`Default`, a read replica with `Replica`; on an existing server an
//! update), PATCH (an update, or a replica's promotion), GET, DELETE and the lists, each write a
//! long-running operation answered as the profile `POSTGRES` says.
//!
//! Checked on a create: the name (3 to 63 lowercase letters, digits and hyphens, neither first nor
//! last a hyphen; unique across Azure, since it is a DNS name: learn.microsoft.com
//! resource-name-rules), the SKU (`name` and `tier` required by the spec), password authentication's
//! login and password (required while it is enabled: the spec's `administratorLogin`), private
//! access ([`super::private_access`]), a replica's source ([`super::replica`]). On an update:
//! `location`, `backup.geoRedundantBackup`, `sourceServerResourceId` and the network do not change
//! (the spec marks them create-only or Azure documents that the networking option cannot change
//! after creation: concepts-networking). A password never reads back.

use super::{SERVER_TYPE, busy, name_of, private_access, render, replica, virtual_endpoint};
use crate::contract::crud::{self, At, ResourceType, Written};
use crate::contract::error::ArmError;
use crate::contract::lro::Started;
use crate::contract::profile::{self, Profile};
use crate::contract::request::{Ctx, Resp};
use crate::contract::resource::{body_location, require_group};
use crate::contract::store::{Kind, Resource, State, rfc3339};
use crate::rp::private_dns::POSTGRES_SUFFIX;
use axum::http::Method;
use serde_json::{Value, json};

const TIERS: [&str; 3] = ["Burstable", "GeneralPurpose", "MemoryOptimized"];
const VERSIONS: [&str; 6] = ["16", "15", "14", "13", "12", "11"];
/// The major version a server gets when none is asked for (guess).
const DEFAULT_VERSION: &str = "16";

fn invalid(code: &str, target: &str, message: impl Into<String>) -> ArmError {
    ArmError::bad_request(code, message).with_target(target)
}

fn valid_name(name: &str) -> bool {
    (3..=63).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}

/// `enabled`/`disabled` as the spec spells it, or the default.
fn switch(value: &Value, default: &str) -> Result<String, ()> {
    match value.as_str() {
        None => Ok(default.to_owned()),
        Some(v) if v.eq_ignore_ascii_case("Enabled") => Ok("Enabled".into()),
        Some(v) if v.eq_ignore_ascii_case("Disabled") => Ok("Disabled".into()),
        Some(_) => Err(()),
    }
}

fn sku(body: &Value) -> Result<Value, ArmError> {
    let name = body["sku"]["name"].as_str().unwrap_or_default();
    let tier = body["sku"]["tier"].as_str().unwrap_or_default();
    if name.is_empty() {
        return Err(invalid(
            "InvalidParameterValue",
            "sku.name",
            "sku.name is required (a compute size such as Standard_D2ds_v5).",
        ));
    }
    let Some(tier) = TIERS.iter().find(|t| t.eq_ignore_ascii_case(tier)) else {
        return Err(invalid(
            "InvalidParameterValue",
            "sku.tier",
            format!("sku.tier '{tier}' must be one of {TIERS:?}."),
        ));
    };
    Ok(json!({ "name": name, "tier": tier }))
}

fn auth(ctx: &Ctx<'_>, props: &Value, existing: Option<&Value>) -> Result<Value, ArmError> {
    let given = &props["authConfig"];
    let before = existing.map(|e| &e["properties"]["authConfig"]);
    let entra = switch(
        &given["activeDirectoryAuth"],
        before
            .and_then(|b| b["activeDirectoryAuth"].as_str())
            .unwrap_or("Disabled"),
    )
    .map_err(|()| {
        invalid(
            "InvalidParameterValue",
            "properties.authConfig.activeDirectoryAuth",
            "activeDirectoryAuth must be 'Enabled' or 'Disabled'.",
        )
    })?;
    let password = switch(
        &given["passwordAuth"],
        before
            .and_then(|b| b["passwordAuth"].as_str())
            .unwrap_or("Enabled"),
    )
    .map_err(|()| {
        invalid(
            "InvalidParameterValue",
            "properties.authConfig.passwordAuth",
            "passwordAuth must be 'Enabled' or 'Disabled'.",
        )
    })?;
    if entra == "Disabled" && password == "Disabled" {
        return Err(invalid(
            "InvalidParameterValue",
            "properties.authConfig",
            "At least one of Microsoft Entra authentication and password authentication must be enabled.",
        ));
    }
    let mut out = json!({ "activeDirectoryAuth": entra, "passwordAuth": password });
    if entra == "Enabled" {
        let tenant = given["tenantId"]
            .as_str()
            .filter(|t| !t.is_empty())
            .or_else(|| before.and_then(|b| b["tenantId"].as_str()))
            .map_or_else(|| ctx.tenant.clone(), str::to_owned);
        out["tenantId"] = json!(tenant);
    }
    Ok(out)
}

#[derive(Debug)]
struct Server;

impl Server {
    /// A new server (or replica) from a PUT body.
    fn create(&self, ctx: &mut Ctx<'_>, at: &At, body: &Value) -> Result<Written, ArmError> {
        if !valid_name(&at.name) {
            return Err(ArmError::bad_request(
                "InvalidServerName",
                format!(
                    "Server name '{}' is invalid: 3 to 63 lowercase letters, digits and hyphens, neither first nor last a hyphen.",
                    at.name
                ),
            ));
        }
        let taken = ctx.state.resources.values().any(|r| {
            r.kind == Kind::PostgresServer && name_of(&r.id).eq_ignore_ascii_case(&at.name)
        });
        if taken {
            return Err(ArmError::conflict(
                "ServerNameAlreadyExists",
                format!(
                    "The server name '{}' is already in use: server names are DNS names ({}.{POSTGRES_SUFFIX}), unique across Azure.",
                    at.name, at.name
                ),
            ));
        }
        let location = body_location(ctx, body)?;
        let props = &body["properties"];
        let mode = props["createMode"].as_str().unwrap_or("Create");
        let replica_of = match mode.to_ascii_lowercase().as_str() {
            "create" | "default" => None,
            "replica" => Some(replica::check_create(ctx, &at.name, location, body)?),
            other => {
                return Err(invalid(
                    "InvalidParameterValue",
                    "properties.createMode",
                    format!(
                        "createMode '{other}' is not served by the emulator: it serves 'Create', 'Default' and 'Replica'."
                    ),
                ));
            }
        };
        let sku = sku(body)?;
        if replica_of.is_some() && sku["tier"] == "Burstable" {
            return Err(invalid(
                "ReplicaNotSupportedForBurstable",
                "sku.tier",
                "Read replicas are not supported on the Burstable tier: use GeneralPurpose or MemoryOptimized.",
            ));
        }
        let source = replica_of
            .as_ref()
            .and_then(|(s, _)| super::find_server(ctx.state, s))
            .cloned();
        let version = match props["version"].as_str() {
            Some(v) if VERSIONS.contains(&v) => v.to_owned(),
            Some(v) => {
                return Err(invalid(
                    "InvalidParameterValue",
                    "properties.version",
                    format!("version '{v}' must be one of {VERSIONS:?}."),
                ));
            }
            None => source
                .as_ref()
                .and_then(|s| s.body["properties"]["version"].as_str())
                .unwrap_or(DEFAULT_VERSION)
                .to_owned(),
        };
        let auth = auth(ctx, props, source.as_ref().map(|s| &s.body))?;
        let mut properties = json!({
            "version": version,
            "fullyQualifiedDomainName": format!("{}.{POSTGRES_SUFFIX}", at.name),
            "storage": match &source {
                // A replica inherits its primary's storage unless it says otherwise
                // (concepts-read-replicas, inherited configurations).
                Some(s) if !props["storage"].is_object() => s.body["properties"]["storage"].clone(),
                _ => storage(&props["storage"]),
            },
            "authConfig": auth,
            "dataEncryption": { "type": "SystemManaged" },
            "backup": backup(ctx, &props["backup"])?,
            "network": private_access::network(ctx.state, location, &props["network"])?,
            "highAvailability": high_availability(&props["highAvailability"])?,
            "maintenanceWindow": { "customWindow": "Disabled", "startHour": 0, "startMinute": 0, "dayOfWeek": 0 },
            "availabilityZone": props["availabilityZone"].as_str().unwrap_or("1"),
            "provisioningState": "Creating",
        });
        if auth["passwordAuth"] == "Enabled" && replica_of.is_none() {
            let login = props["administratorLogin"].as_str().unwrap_or_default();
            if login.is_empty()
                || props["administratorLoginPassword"]
                    .as_str()
                    .is_none_or(str::is_empty)
            {
                return Err(invalid(
                    "InvalidParameterValue",
                    "properties.administratorLogin",
                    "Password authentication is enabled: properties.administratorLogin and properties.administratorLoginPassword are required (or set authConfig.passwordAuth to 'Disabled' with Microsoft Entra authentication enabled).",
                ));
            }
            properties["administratorLogin"] = json!(login);
        }
        let mut server = json!({
            "id": at.id,
            "name": at.name,
            "type": SERVER_TYPE,
            "location": location,
            "tags": body.get("tags").cloned().unwrap_or_else(|| json!({})),
            "sku": sku,
            "properties": properties,
        });
        if body["identity"].is_object() {
            server["identity"] = body["identity"].clone();
        }
        let (role, source_id) = match &replica_of {
            Some((s, role)) => (*role, Some(s.as_str())),
            None => ("Primary", None),
        };
        super::set_role(&mut server, role, source_id);
        server["properties"]["replicaCapacity"] = json!(super::REPLICA_CAPACITY);
        Ok(Written {
            body: server,
            location: location.to_owned(),
            latency: if replica_of.is_some() {
                "postgres.replica"
            } else {
                "postgres.put"
            },
            completes: None,
            unchanged: false,
        })
    }

    /// An update of `existing` to `body` (a PUT's, or a PATCH merged into the server).
    fn update(
        &self,
        ctx: &mut Ctx<'_>,
        existing: &Resource,
        body: &Value,
    ) -> Result<Written, ArmError> {
        let before = &existing.body;
        let location = super::location_of(existing).to_owned();
        if let Some(l) = body["location"].as_str()
            && crate::contract::regions::canonical(l)
                .is_none_or(|c| !c.eq_ignore_ascii_case(&location))
        {
            return Err(invalid(
                "InvalidParameterValue",
                "location",
                format!("A server's location cannot change (it is in '{location}')."),
            ));
        }
        let props = &body["properties"];
        let immutable = |key: &str, now: &Value, was: &Value| -> Result<(), ArmError> {
            if !now.is_null()
                && now.as_str().map(str::to_ascii_lowercase)
                    != was.as_str().map(str::to_ascii_lowercase)
            {
                return Err(invalid(
                    "InvalidParameterValue",
                    &format!("properties.{key}"),
                    format!(
                        "properties.{key} is set when the server is created and cannot change."
                    ),
                ));
            }
            Ok(())
        };
        immutable(
            "backup.geoRedundantBackup",
            &props["backup"]["geoRedundantBackup"],
            &before["properties"]["backup"]["geoRedundantBackup"],
        )?;
        immutable(
            "sourceServerResourceId",
            &props["sourceServerResourceId"],
            &before["properties"]["sourceServerResourceId"],
        )?;
        for key in ["delegatedSubnetResourceId", "privateDnsZoneArmResourceId"] {
            immutable(
                &format!("network.{key}"),
                &props["network"][key],
                &before["properties"]["network"][key],
            )?;
        }
        let mut server = before.clone();
        server["sku"] = sku(&json!({ "sku": body.get("sku").unwrap_or(&before["sku"]) }))?;
        if let Some(tags) = body.get("tags").filter(|t| t.is_object()) {
            server["tags"] = tags.clone();
        }
        if let Some(v) = props["version"].as_str() {
            if !VERSIONS.contains(&v) {
                return Err(invalid(
                    "InvalidParameterValue",
                    "properties.version",
                    format!("version '{v}' must be one of {VERSIONS:?}."),
                ));
            }
            server["properties"]["version"] = json!(v);
        }
        if props["storage"].is_object() {
            server["properties"]["storage"] = storage(&props["storage"]);
        }
        if props["backup"]["backupRetentionDays"].is_u64() {
            server["properties"]["backup"]["backupRetentionDays"] =
                props["backup"]["backupRetentionDays"].clone();
        }
        if props["authConfig"].is_object() {
            server["properties"]["authConfig"] = auth(ctx, props, Some(before))?;
        }
        if props["highAvailability"].is_object() {
            if super::is_replica(existing)
                && props["highAvailability"]["mode"]
                    .as_str()
                    .is_some_and(|m| !m.eq_ignore_ascii_case("Disabled"))
            {
                return Err(invalid(
                    "InvalidParameterValue",
                    "properties.highAvailability.mode",
                    "High availability is not supported on read replicas (concepts-read-replicas).",
                ));
            }
            server["properties"]["highAvailability"] =
                high_availability(&props["highAvailability"])?;
        }
        server["properties"]["provisioningState"] = json!("Updating");
        Ok(Written {
            body: server,
            location,
            latency: "postgres.update",
            completes: None,
            unchanged: false,
        })
    }
}

/// `highAvailability` as given (`Disabled`, `ZoneRedundant`, `SameZone`), its standby `Healthy`
/// once made (the spec's `ServerHAState`; the standby is not modelled otherwise).
fn high_availability(given: &Value) -> Result<Value, ArmError> {
    let mode = given["mode"].as_str().unwrap_or("Disabled");
    let Some(mode) = ["Disabled", "ZoneRedundant", "SameZone"]
        .into_iter()
        .find(|m| m.eq_ignore_ascii_case(mode))
    else {
        return Err(invalid(
            "InvalidParameterValue",
            "properties.highAvailability.mode",
            format!("highAvailability.mode '{mode}' must be Disabled, ZoneRedundant or SameZone."),
        ));
    };
    let state = if mode == "Disabled" {
        "NotEnabled"
    } else {
        "Healthy"
    };
    Ok(json!({ "mode": mode, "state": state }))
}

fn storage(given: &Value) -> Value {
    let mut out = json!({
        "storageSizeGB": given["storageSizeGB"].as_u64().unwrap_or(128),
        "autoGrow": given["autoGrow"].as_str().unwrap_or("Disabled"),
        "tier": given["tier"].as_str().unwrap_or("P10"),
    });
    if let Some(t) = given["type"].as_str() {
        out["type"] = json!(t);
    }
    out
}

fn backup(ctx: &Ctx<'_>, given: &Value) -> Result<Value, ArmError> {
    let geo = switch(&given["geoRedundantBackup"], "Disabled").map_err(|()| {
        invalid(
            "InvalidParameterValue",
            "properties.backup.geoRedundantBackup",
            "geoRedundantBackup must be 'Enabled' or 'Disabled'.",
        )
    })?;
    let days = given["backupRetentionDays"].as_u64().unwrap_or(7);
    if !(7..=35).contains(&days) {
        return Err(invalid(
            "InvalidParameterValue",
            "properties.backup.backupRetentionDays",
            format!("backupRetentionDays {days} must be between 7 and 35."),
        ));
    }
    Ok(json!({
        "backupRetentionDays": days,
        "geoRedundantBackup": geo,
        "earliestRestoreDate": rfc3339(ctx.now),
    }))
}

impl ResourceType for Server {
    fn profile(&self) -> &'static Profile {
        &profile::POSTGRES
    }
    fn kind(&self) -> Kind {
        Kind::PostgresServer
    }
    fn type_name(&self) -> &'static str {
        SERVER_TYPE
    }
    fn delete_latency(&self) -> &'static str {
        "postgres.delete"
    }
    fn render(&self, state: &State, resource: &Resource) -> Value {
        render(state, resource)
    }

    fn busy(&self, ctx: &Ctx<'_>, at: &At, existing: Option<&Resource>) -> Option<ArmError> {
        existing
            .filter(|r| r.is_busy() || super::replica_busy(ctx.state, &r.id))
            .map(|_| busy(&at.name))
    }

    fn check_delete(&self, ctx: &Ctx<'_>, resource: &Resource) -> Result<(), ArmError> {
        let replicas = super::replicas_of(ctx.state, &resource.id);
        if replicas.is_empty() {
            return Ok(());
        }
        let names: Vec<&str> = replicas.iter().map(|r| name_of(&r.id)).collect();
        // "If server has read replicas, then read replicas should be deleted first before deleting
        // the primary server" (concepts-read-replicas); the code is a guess.
        Err(ArmError::conflict(
            "ServerHasReadReplicas",
            format!(
                "Server '{}' has read replicas ({}): delete them before the primary server.",
                name_of(&resource.id),
                names.join(", ")
            ),
        ))
    }

    fn put(
        &self,
        ctx: &mut Ctx<'_>,
        at: &At,
        existing: Option<&Resource>,
        body: &Value,
    ) -> Result<Written, ArmError> {
        let Some(existing) = existing else {
            return self.create(ctx, at, body);
        };
        if ctx.method == Method::PATCH
            && let Some((mode, option)) = ctx.body.as_ref().and_then(replica::requested)
        {
            let mut written = self.update(ctx, existing, body)?;
            let promoted = replica::promote(ctx, existing, &mode, &option)?;
            for key in ["replicationRole", "replica", "sourceServerResourceId"] {
                match promoted["properties"].get(key) {
                    Some(v) => written.body["properties"][key] = v.clone(),
                    None => {
                        if let Some(p) = written.body["properties"].as_object_mut() {
                            p.remove(key);
                        }
                    }
                }
            }
            return Ok(written);
        }
        self.update(ctx, existing, body)
    }

    fn written(&self, ctx: &mut Ctx<'_>, at: &At, _op: Option<&Started>) {
        if let Some(server) = ctx.state.get(&at.id).cloned() {
            private_access::publish(ctx.state, &server.id, &server.body);
            let primary = super::primary_of(ctx.state, &server);
            virtual_endpoint::refresh(ctx.state, &primary);
        }
    }

    fn deleting(&self, ctx: &mut Ctx<'_>, at: &At, _op: &Started) {
        let Some(server) = ctx.state.get(&at.id).cloned() else {
            return;
        };
        virtual_endpoint::unpublish_all(ctx.state, &server);
        private_access::unpublish(ctx.state, &server.body);
        if let Some(primary) = super::source_of(&server).map(str::to_owned) {
            virtual_endpoint::forget(ctx.state, &primary, &at.name);
        }
    }
}

/// `flexibleServers/{name}` in group `rg`.
pub fn server(ctx: &mut Ctx<'_>, rg: &str, name: &str) -> Result<Resp, ArmError> {
    let rg_id = require_group(ctx, rg)?;
    let at = At::new(ctx.state, rg, super::server_id(&rg_id, name), name, None);
    crud::serve(ctx, &at, &Server)
}
