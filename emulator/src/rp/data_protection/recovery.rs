//! Recovery points, on the emulator's clock: the first when protection is configured, then one per
//! interval of the instance's policy, each kept for the default retention rule's duration. Where
//! the policy keeps a Vault tier, the first recovery point of each day also gets a Vault-tier copy
//! (kept for the Vault lifecycle's duration); with Cross Region Restore on a geo-redundant vault,
//! those copies are listed in the vault region's Azure pair (`fetchSecondaryRecoveryPoints`).
//! Policy intervals and retentions run at the emulator's latency scale, as Traffic Manager's probe
//! intervals do. Nothing is stored: the points are computed from when protection began.

use super::common::{shown, user_error, vault_id};
use super::instance::{self, protected_since};
use super::policy;
use super::vault::{self, cross_region_restore, geo_redundant};
use crate::contract::error::ArmError;
use crate::contract::regions;
use crate::contract::request::{Ctx, Resp};
use crate::contract::resource::{not_found, require_group};
use crate::contract::store::{Kind, Resource, State, rfc3339};
use serde_json::{Value, json};

pub const TYPE: &str = "Microsoft.DataProtection/backupVaults/backupInstances/recoveryPoints";
const DAY_MS: u64 = 86_400_000;
/// The most recovery points computed for one instance.
const MOST: u64 = 500;

/// One recovery point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Point {
    pub id: String,
    pub at_ms: u64,
    /// Still held in the Operational tier (snapshots).
    pub operational: bool,
    /// Copied to, and still held in, the Vault tier.
    pub vault: bool,
}

fn scaled(ms: u64, scale: f64) -> u64 {
    ((ms as f64 * scale).round() as u64).max(1)
}

/// A stable id for the `k`th point of an instance, GUID-shaped as Azure's are.
fn point_id(instance_id: &str, k: u64) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in instance_id.to_ascii_lowercase().bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    let lo = (h ^ k).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        h >> 32,
        (h >> 16) & 0xffff,
        k & 0xffff,
        (lo >> 48) & 0xffff,
        lo & 0xffff_ffff_ffff
    )
}

/// The recovery points of `instance` that exist at `now`, oldest first.
pub fn points(state: &State, instance: &Resource, now: u64, scale: f64) -> Vec<Point> {
    let Some(since) = protected_since(instance, now) else {
        return Vec::new();
    };
    let Some(policy) = instance.body["properties"]["policyInfo"]["policyId"]
        .as_str()
        .and_then(|p| state.get(p))
    else {
        return Vec::new();
    };
    let every = scaled(
        policy::interval_ms(&policy.body).unwrap_or(4 * 3_600_000),
        scale,
    );
    let keep = scaled(
        policy::retention_ms(&policy.body).unwrap_or(7 * DAY_MS),
        scale,
    );
    let to_vault = policy::copies_to_vault(&policy.body);
    let keep_vault = policy.body["properties"]["policyRules"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|r| r["lifecycles"].as_array().cloned().unwrap_or_default())
        .find(|l| l["sourceDataStore"]["dataStoreType"] == "VaultStore")
        .and_then(|l| policy::duration_ms(l["deleteAfter"]["duration"].as_str()?))
        .map_or(keep, |ms| scaled(ms, scale));
    let day = scaled(DAY_MS, scale);
    let last = (now - since) / every;
    let window = if to_vault { keep.max(keep_vault) } else { keep };
    let first = ((now - since).saturating_sub(window) / every).max(last.saturating_sub(MOST));
    (first..=last)
        .filter_map(|k| {
            let at = since + k * every;
            let first_of_day = k == 0 || (at - since) / day != (at - every - since) / day;
            let point = Point {
                id: point_id(&instance.id, k),
                at_ms: at,
                operational: now < at + keep,
                vault: to_vault && first_of_day && now < at + keep_vault,
            };
            (point.operational || point.vault).then_some(point)
        })
        .collect()
}

/// A point as the spec's `AzureBackupRecoveryPointResource`, with only the stores `stores` lets in.
fn render(instance: &Resource, point: &Point, scale: f64, secondary: bool) -> Value {
    let policy_id = instance.body["properties"]["policyInfo"]["policyId"]
        .as_str()
        .unwrap_or_default();
    let mut details = Vec::new();
    if point.operational && !secondary {
        details.push(json!({ "id": format!("{}-op", point.id), "type": "OperationalStore", "creationTime": rfc3339(point.at_ms), "state": "COMMITTED", "visible": true }));
    }
    if point.vault {
        let at = point.at_ms + scaled(60_000, scale);
        details.push(json!({ "id": format!("{}-vault", point.id), "type": "VaultStore", "creationTime": rfc3339(at), "state": "COMMITTED", "visible": true }));
    }
    json!({
        "id": format!("{}/recoveryPoints/{}", instance.id, point.id),
        "name": point.id,
        "type": TYPE,
        "properties": {
            "objectType": "AzureBackupDiscreteRecoveryPoint",
            "recoveryPointId": point.id,
            "recoveryPointTime": rfc3339(point.at_ms),
            "recoveryPointType": "Incremental",
            "friendlyName": point.id,
            "policyName": policy_id.rsplit('/').next().unwrap_or_default(),
            "retentionTagName": "Default",
            "recoveryPointState": "Completed",
            "recoveryPointDataStoresDetails": details,
        },
    })
}

/// The instance at `…/backupVaults/{vault}/backupInstances/{name}`, or 404.
fn find(ctx: &Ctx<'_>, rg: &str, vault: &str, name: &str) -> Result<Resource, ArmError> {
    require_group(ctx, rg)?;
    let id = format!("{}/backupInstances/{name}", vault_id(ctx, rg, vault));
    ctx.state
        .get(&id)
        .filter(|r| r.kind == Kind::BackupInstance)
        .cloned()
        .ok_or_else(|| not_found(instance::TYPE, name, rg))
}

/// `GET …/backupInstances/{bi}/recoveryPoints`.
pub fn list(ctx: &mut Ctx<'_>, rg: &str, vault: &str, name: &str) -> Result<Resp, ArmError> {
    let instance = find(ctx, rg, vault, name)?;
    let scale = ctx.config.latency_scale;
    let value = points(ctx.state, &instance, ctx.now, scale)
        .iter()
        .rev()
        .map(|p| render(&instance, p, scale, false))
        .collect();
    Ok(crate::contract::list::page(ctx, value))
}

/// `GET …/backupInstances/{bi}/recoveryPoints/{id}`.
pub fn get(
    ctx: &mut Ctx<'_>,
    rg: &str,
    vault: &str,
    name: &str,
    id: &str,
) -> Result<Resp, ArmError> {
    if ctx.method != axum::http::Method::GET {
        return Err(crate::contract::resource::method_not_allowed(&ctx.method));
    }
    let instance = find(ctx, rg, vault, name)?;
    let scale = ctx.config.latency_scale;
    points(ctx.state, &instance, ctx.now, scale)
        .iter()
        .find(|p| p.id.eq_ignore_ascii_case(id))
        .map(|p| Resp::json(200, render(&instance, p, scale, false)))
        .ok_or_else(|| not_found(TYPE, id, rg))
}

/// The instance a cross-region request names (`sourceBackupInstanceId`) and its vault, when the
/// vault restores across regions into `location`: Cross Region Restore enabled on a geo-redundant
/// vault, `sourceRegion` the vault's region and `location` its Azure pair.
pub fn cross_region_source(
    state: &State,
    location: &str,
    source_region: Option<&str>,
    instance_id: Option<&str>,
    at: &str,
) -> Result<(Resource, Resource), ArmError> {
    let instance = instance_id
        .and_then(|id| state.get(id))
        .filter(|r| r.kind == Kind::BackupInstance)
        .cloned()
        .ok_or_else(|| {
            user_error(
                "UserErrorBackupInstanceNotFound",
                &format!("{at}.sourceBackupInstanceId"),
                format!(
                    "The backup instance '{}' does not exist.",
                    instance_id.unwrap_or_default()
                ),
            )
        })?;
    let vault = vault::of(state, &instance.id).cloned().ok_or_else(|| {
        user_error(
            "UserErrorBackupInstanceNotFound",
            &format!("{at}.sourceBackupInstanceId"),
            "The backup instance has no vault.",
        )
    })?;
    let vault_region = vault.body["location"]
        .as_str()
        .and_then(regions::canonical)
        .unwrap_or_default();
    if source_region.and_then(regions::canonical) != Some(vault_region) {
        return Err(user_error(
            "UserErrorInvalidSourceRegion",
            &format!("{at}.sourceRegion"),
            format!("sourceRegion must be the vault's region, '{vault_region}'."),
        ));
    }
    if !(cross_region_restore(&vault.body) && geo_redundant(&vault.body)) {
        return Err(user_error(
            "UserErrorCrossRegionRestoreNotEnabled",
            &format!("{at}.sourceBackupInstanceId"),
            format!(
                "Cross Region Restore is not enabled on vault '{}' (it needs GeoRedundant VaultStore storage and crossRegionRestoreSettings.state Enabled).",
                vault.id
            ),
        ));
    }
    let location = regions::canonical(location).unwrap_or_default();
    let paired = regions::all()
        .find(|r| r.name == vault_region)
        .is_some_and(|r| r.paired.contains(&location));
    if !paired {
        return Err(user_error(
            "UserErrorCrossRegionRestoreNotAllowedInRegion",
            "location",
            format!(
                "Cross Region Restore from '{vault_region}' goes to its Azure paired region, not '{location}'."
            ),
        ));
    }
    Ok((instance, vault))
}

/// `POST …/resourceGroups/{rg}/providers/Microsoft.DataProtection/locations/{l}/fetchSecondaryRecoveryPoints`:
/// the Vault-tier recovery points replicated to `l`, the source vault's pair.
pub fn secondary(ctx: &mut Ctx<'_>, location: &str) -> Result<Resp, ArmError> {
    let body = ctx.json_body()?.clone();
    let (instance, _) = cross_region_source(
        ctx.state,
        location,
        body["sourceRegion"].as_str(),
        body["sourceBackupInstanceId"].as_str(),
        "parameters",
    )?;
    let scale = ctx.config.latency_scale;
    let value = points(ctx.state, &instance, ctx.now, scale)
        .iter()
        .rev()
        .filter(|p| p.vault)
        .map(|p| render(&instance, p, scale, true))
        .map(|v| shown(&v))
        .collect();
    Ok(crate::contract::list::page(ctx, value))
}
