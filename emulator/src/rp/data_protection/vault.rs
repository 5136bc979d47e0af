//! Backup vaults: a system-assigned identity with a `principalId` (the identity AKS Backup's role
//! assignments name), storage settings, Cross Region Restore (only on a geo-redundant vault, and
//! never turned off again), soft delete settings.

use super::common::{HIDDEN, PROFILE, shown, user_error, vault_id};
use crate::contract::crud::{self, At, ResourceType, Written};
use crate::contract::error::ArmError;
use crate::contract::profile::Profile;
use crate::contract::request::{Ctx, Resp};
use crate::contract::resource::{body_location, not_found, require_group};
use crate::contract::store::{Kind, Resource, State};
use serde_json::{Value, json};

pub const TYPE: &str = "Microsoft.DataProtection/backupVaults";
const DATASTORES: &[&str] = &["ArchiveStore", "OperationalStore", "VaultStore"];
const REDUNDANCIES: &[&str] = &["GeoRedundant", "LocallyRedundant", "ZoneRedundant"];
const SOFT_DELETE: &[&str] = &["Off", "On", "AlwaysOn"];

/// `…/backupVaults/{name}`.
pub fn vault(ctx: &mut Ctx<'_>, rg: &str, name: &str) -> Result<Resp, ArmError> {
    require_group(ctx, rg)?;
    let id = vault_id(ctx, rg, name);
    let at = At::new(ctx.state, rg, id, name, None);
    crud::serve(ctx, &at, &Vault)
}

/// ARM's 404 for vault `name` of group `rg`.
pub fn missing(name: &str, rg: &str) -> ArmError {
    not_found(TYPE, name, rg)
}

/// The spelling of `value` in `allowed`, ignoring case.
pub fn one_of(value: &Value, allowed: &[&'static str]) -> Option<&'static str> {
    let v = value.as_str()?;
    allowed.iter().copied().find(|a| a.eq_ignore_ascii_case(v))
}

/// Whether the vault keeps its Vault-tier data geo-redundant (`VaultStore`, `GeoRedundant`).
pub fn geo_redundant(vault: &Value) -> bool {
    vault["properties"]["storageSettings"]
        .as_array()
        .is_some_and(|s| {
            s.iter()
                .any(|s| s["datastoreType"] == "VaultStore" && s["type"] == "GeoRedundant")
        })
}

/// Whether Cross Region Restore is enabled on the vault.
pub fn cross_region_restore(vault: &Value) -> bool {
    vault["properties"]["featureSettings"]["crossRegionRestoreSettings"]["state"] == "Enabled"
}

/// The principal of the vault's system-assigned identity.
pub fn principal(vault: &Value) -> Option<&str> {
    vault["identity"]["principalId"].as_str()
}

/// The vault a child resource id (a policy, an instance) is under, from the store.
pub fn of<'s>(state: &'s State, child_id: &str) -> Option<&'s Resource> {
    let lower = child_id.to_ascii_lowercase();
    let at = lower.find("/backupvaults/")? + "/backupvaults/".len();
    let end = lower[at..].find('/').map_or(lower.len(), |i| at + i);
    state.get(&child_id[..end])
}

fn storage_settings(body: &Value) -> Result<Value, ArmError> {
    let settings = body["properties"]["storageSettings"]
        .as_array()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            user_error(
                "InvalidRequestContent",
                "properties.storageSettings",
                "properties.storageSettings is required: at least one {datastoreType, type}, e.g. VaultStore and GeoRedundant.",
            )
        })?;
    let mut out = Vec::new();
    for (i, s) in settings.iter().enumerate() {
        let (Some(store), Some(kind)) = (
            one_of(&s["datastoreType"], DATASTORES),
            one_of(&s["type"], REDUNDANCIES),
        ) else {
            return Err(user_error(
                "InvalidRequestContent",
                &format!("properties.storageSettings[{i}]"),
                format!(
                    "storageSettings[{i}] needs datastoreType (one of {}) and type (one of {}).",
                    DATASTORES.join(", "),
                    REDUNDANCIES.join(", ")
                ),
            ));
        };
        out.push(json!({ "datastoreType": store, "type": kind }));
    }
    Ok(json!(out))
}

fn soft_delete(body: &Value, existing: Option<&Resource>) -> Result<Value, ArmError> {
    let given = &body["properties"]["securitySettings"]["softDeleteSettings"];
    let before = existing.map(|r| &r.body["properties"]["securitySettings"]["softDeleteSettings"]);
    let state = match given.get("state") {
        Some(s) => one_of(s, SOFT_DELETE).ok_or_else(|| {
            user_error(
                "InvalidRequestContent",
                "properties.securitySettings.softDeleteSettings.state",
                format!(
                    "softDeleteSettings.state must be one of {}.",
                    SOFT_DELETE.join(", ")
                ),
            )
        })?,
        None => before
            .and_then(|b| one_of(&b["state"], SOFT_DELETE))
            .unwrap_or("On"),
    };
    if before.is_some_and(|b| b["state"] == "AlwaysOn") && state != "AlwaysOn" {
        return Err(user_error(
            "UserErrorSoftDeleteStateCannotBeChanged",
            "properties.securitySettings.softDeleteSettings.state",
            "Soft delete is AlwaysOn on this vault: the setting cannot be changed.",
        ));
    }
    let days = given["retentionDurationInDays"]
        .as_f64()
        .or_else(|| before.and_then(|b| b["retentionDurationInDays"].as_f64()))
        .unwrap_or(14.0);
    if !(14.0..=180.0).contains(&days) {
        return Err(user_error(
            "UserErrorInvalidSoftDeleteRetentionDuration",
            "properties.securitySettings.softDeleteSettings.retentionDurationInDays",
            format!("The soft delete retention must be between 14 and 180 days; {days} was given."),
        ));
    }
    Ok(json!({ "state": state, "retentionDurationInDays": days }))
}

#[derive(Debug)]
struct Vault;

impl ResourceType for Vault {
    fn profile(&self) -> &'static Profile {
        &PROFILE
    }
    fn kind(&self) -> Kind {
        Kind::BackupVault
    }
    fn type_name(&self) -> &'static str {
        TYPE
    }
    fn delete_latency(&self) -> &'static str {
        "backupVault.delete"
    }
    fn render(&self, _state: &State, resource: &Resource) -> Value {
        shown(&resource.body)
    }

    fn put(
        &self,
        ctx: &mut Ctx<'_>,
        at: &At,
        existing: Option<&Resource>,
        body: &Value,
    ) -> Result<Written, ArmError> {
        let location = body_location(ctx, body)?;
        if let Some(old) = existing
            && old.body["location"] != json!(location)
        {
            return Err(ArmError::conflict(
                "InvalidResourceLocation",
                format!(
                    "The backup vault '{}' already exists in location '{}'.",
                    at.name,
                    old.body["location"].as_str().unwrap_or_default()
                ),
            ));
        }
        if !body["properties"].is_object() {
            return Err(user_error(
                "InvalidRequestContent",
                "properties",
                "properties is required (storageSettings at least).",
            ));
        }
        let storage = storage_settings(body)?;
        let crr_given =
            &body["properties"]["featureSettings"]["crossRegionRestoreSettings"]["state"];
        let crr = match crr_given {
            Value::Null => existing
                .filter(|r| cross_region_restore(&r.body))
                .map_or("Disabled", |_| "Enabled"),
            v => one_of(v, &["Enabled", "Disabled"]).ok_or_else(|| {
                user_error(
                    "InvalidRequestContent",
                    "properties.featureSettings.crossRegionRestoreSettings.state",
                    "crossRegionRestoreSettings.state must be Enabled or Disabled.",
                )
            })?,
        };
        let probe = json!({ "properties": { "storageSettings": storage } });
        if crr == "Enabled" && !geo_redundant(&probe) {
            return Err(user_error(
                "UserErrorCrossRegionRestoreNotSupportedForVaultRedundancy",
                "properties.featureSettings.crossRegionRestoreSettings.state",
                "Cross Region Restore can be enabled only on a vault whose VaultStore storage setting is GeoRedundant.",
            ));
        }
        if crr == "Disabled" && existing.is_some_and(|r| cross_region_restore(&r.body)) {
            return Err(user_error(
                "UserErrorCrossRegionRestoreCannotBeDisabled",
                "properties.featureSettings.crossRegionRestoreSettings.state",
                "Cross Region Restore, once enabled on a vault, cannot be disabled.",
            ));
        }
        let soft_delete = soft_delete(body, existing)?;
        let identity = match body["identity"]["type"].as_str() {
            None | Some("None") | Some("none") => None,
            Some(t) if t.eq_ignore_ascii_case("SystemAssigned") => {
                let principal = existing
                    .and_then(|r| principal(&r.body))
                    .map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned);
                ctx.state
                    .identities
                    .entry(principal.to_ascii_lowercase())
                    .or_insert(ctx.now);
                Some(
                    json!({ "type": "SystemAssigned", "principalId": principal, "tenantId": ctx.tenant }),
                )
            }
            Some(other) => {
                return Err(user_error(
                    "InvalidRequestContent",
                    "identity.type",
                    format!("identity.type '{other}' is not supported: SystemAssigned or None."),
                ));
            }
        };
        let props = &body["properties"];
        let mut properties = json!({
            "provisioningState": "Succeeded",
            "storageSettings": storage,
            "featureSettings": {
                "crossRegionRestoreSettings": { "state": crr },
                "crossSubscriptionRestoreSettings": {
                    "state": props["featureSettings"]["crossSubscriptionRestoreSettings"]["state"]
                        .as_str()
                        .unwrap_or("Enabled"),
                },
            },
            "securitySettings": { "softDeleteSettings": soft_delete },
            "monitoringSettings": props.get("monitoringSettings").filter(|m| m.is_object()).cloned()
                .unwrap_or_else(|| json!({ "azureMonitorAlertSettings": { "alertsForAllJobFailures": "Enabled" } })),
            "isVaultProtectedByResourceGuard": false,
            "resourceMoveState": "Unknown",
        });
        if let Some(immutability) = props["securitySettings"]
            .get("immutabilitySettings")
            .filter(|v| v.is_object())
        {
            properties["securitySettings"]["immutabilitySettings"] = immutability.clone();
        }
        let mut rendered = json!({
            "id": at.id,
            "name": at.name,
            "type": TYPE,
            "location": location,
            "tags": body.get("tags").filter(|t| t.is_object()).cloned().unwrap_or_else(|| json!({})),
            "properties": properties,
        });
        if let Some(identity) = identity {
            rendered["identity"] = identity;
        }
        if let Some(hidden) = existing.and_then(|r| r.body.get(HIDDEN)) {
            rendered[HIDDEN] = hidden.clone();
        }
        Ok(Written {
            body: rendered,
            location: location.to_owned(),
            latency: if existing.is_some() {
                "backupVault.update"
            } else {
                "backupVault.put"
            },
            completes: None,
            unchanged: false,
        })
    }
}
