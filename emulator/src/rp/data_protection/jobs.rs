//! Backup jobs (`…/backupVaults/{v}/backupJobs/{id}`, the spec's `AzureBackupJobResource`) and the
//! provider's operation documents (`locations/{l}/operationStatus/{id}`, `operationResults/{id}`).
//! A restore runs as an operation on its job: `InProgress`, then `Completed` when the operation ends.
//! Jobs of cross-region restores are read where they ran, in the paired region
//! (`fetchCrossRegionRestoreJob(s)`), as their source vault's region may be down.

use super::common::{HIDDEN, shown, user_error, vault_id};
use crate::contract::error::ArmError;
use crate::contract::profile::Doc;
use crate::contract::request::{Ctx, Resp};
use crate::contract::resource::{method_not_allowed, not_found, require_group};
use crate::contract::store::{Kind, Operation, Resource, rfc3339};
use serde_json::{Value, json};

pub const TYPE: &str = "Microsoft.DataProtection/backupVaults/backupJobs";

/// A restore about to start: what its job reports.
#[derive(Debug, Clone)]
pub struct Restore {
    pub vault: Resource,
    pub instance: Resource,
    pub recovery_point: String,
    pub recovery_point_ms: u64,
    pub target_cluster: String,
    pub source_store: &'static str,
    /// The region the restore runs in (the vault's, or its pair for a cross-region restore).
    pub location: String,
    pub cross_region: bool,
}

/// Starts `restore`'s job and its operation; the 202 that announces it (`Azure-AsyncOperation` and
/// `Location` in the region it runs in). When the operation ends, the target cluster holds the
/// recovery point (`Emulator::restored_into`).
pub fn start(ctx: &mut Ctx<'_>, restore: Restore) -> Resp {
    let job = uuid::Uuid::new_v4().to_string();
    let op = uuid::Uuid::new_v4().to_string();
    let job_id = format!("{}/backupJobs/{job}", restore.vault.id);
    let until = ctx.now + ctx.latency("backupInstance.restore");
    let source = &restore.instance.body["properties"]["dataSourceInfo"];
    let cluster_id = source["resourceID"].as_str().unwrap_or_default();
    let policy_id = restore.instance.body["properties"]["policyInfo"]["policyId"]
        .as_str()
        .unwrap_or_default();
    let restore_type = if cluster_id.eq_ignore_ascii_case(&restore.target_cluster) {
        "OriginalLocationRecovery"
    } else {
        "AlternateLocationRecovery"
    };
    let body = json!({
        "id": job_id,
        "name": job,
        "type": TYPE,
        "properties": {
            "activityID": op,
            "subscriptionId": ctx.subscription,
            "vaultName": restore.vault.body["name"],
            "backupInstanceId": restore.instance.id,
            "backupInstanceFriendlyName": restore.instance.body["properties"]["friendlyName"],
            "dataSourceId": cluster_id,
            "dataSourceName": cluster_id.rsplit('/').next().unwrap_or_default(),
            "dataSourceLocation": source["resourceLocation"].as_str().or_else(|| restore.vault.body["location"].as_str()).unwrap_or_default(),
            "dataSourceType": super::common::AKS,
            "sourceResourceGroup": cluster_id.split('/').nth(4).unwrap_or_default(),
            "sourceSubscriptionID": cluster_id.split('/').nth(2).unwrap_or_default(),
            "policyId": policy_id,
            "policyName": policy_id.rsplit('/').next().unwrap_or_default(),
            "operationCategory": if restore.cross_region { "CrossRegionRestore" } else { "Restore" },
            "operation": "Restore",
            "restoreType": restore_type,
            "sourceDataStoreName": restore.source_store,
            "isUserTriggered": true,
            "progressEnabled": false,
            "supportedActions": [],
            "startTime": rfc3339(ctx.now),
            "status": "InProgress",
            "extendedInfo": {
                "recoveryDestination": restore.target_cluster,
                "sourceRecoverPoint": { "recoveryPointID": restore.recovery_point, "recoveryPointTime": rfc3339(restore.recovery_point_ms) },
            },
        },
        HIDDEN: { "operation": op, "startMs": ctx.now, "until": until, "crossRegion": restore.cross_region },
    });
    ctx.state.insert(Resource {
        id: job_id.clone(),
        kind: Kind::BackupJob,
        body,
        pending: None,
    });
    ctx.state.operations.insert(
        op.clone(),
        Operation {
            id: op.clone(),
            resource: job_id.to_ascii_lowercase(),
            start_ms: ctx.now,
            until_ms: until,
            error: None,
            is_delete: false,
            doc: Doc::Named,
        },
    );
    ctx.state
        .restored
        .entry(restore.target_cluster.to_ascii_lowercase())
        .or_default()
        .push((restore.recovery_point, until));
    let at = format!(
        "{}/subscriptions/{}/providers/Microsoft.DataProtection/locations/{}",
        ctx.base_url, ctx.subscription, restore.location
    );
    let api = crate::contract::versions::API_DATA_PROTECTION;
    let mut resp = Resp::empty(202);
    resp.header(
        "Azure-AsyncOperation",
        format!("{at}/operationStatus/{op}?api-version={api}"),
    );
    resp.header(
        "Location",
        format!("{at}/operationResults/{op}?api-version={api}"),
    );
    resp
}

/// A job as it stands at `now`.
pub fn render(job: &Resource, now: u64) -> Value {
    let mut body = shown(&job.body);
    let until = job.body[HIDDEN]["until"].as_u64().unwrap_or_default();
    if now >= until {
        let start = job.body[HIDDEN]["startMs"].as_u64();
        let props = &mut body["properties"];
        props["status"] = json!("Completed");
        props["endTime"] = json!(rfc3339(until));
        let took = until.saturating_sub(start.unwrap_or(until)) / 1000;
        props["duration"] = json!(format!("PT{took}S"));
    }
    body
}

/// `GET …/backupVaults/{v}/backupJobs/{id}`.
pub fn get(ctx: &mut Ctx<'_>, rg: &str, vault: &str, job: &str) -> Result<Resp, ArmError> {
    if ctx.method != axum::http::Method::GET {
        return Err(method_not_allowed(&ctx.method));
    }
    require_group(ctx, rg)?;
    let id = format!("{}/backupJobs/{job}", vault_id(ctx, rg, vault));
    ctx.state
        .get(&id)
        .filter(|r| r.kind == Kind::BackupJob)
        .map(|r| Resp::json(200, render(r, ctx.now)))
        .ok_or_else(|| not_found(TYPE, job, rg))
}

/// The cross-region restore jobs of the vault a body names (`sourceBackupVaultId`).
fn cross_region_jobs(ctx: &Ctx<'_>) -> Result<Vec<Resource>, ArmError> {
    let body = ctx.json_body()?;
    let vault = body["sourceBackupVaultId"].as_str().unwrap_or_default();
    if ctx
        .state
        .get(vault)
        .is_none_or(|v| v.kind != Kind::BackupVault)
    {
        return Err(user_error(
            "UserErrorBackupVaultNotFound",
            "parameters.sourceBackupVaultId",
            format!("The backup vault '{vault}' does not exist."),
        ));
    }
    Ok(super::common::children(ctx.state, vault, "backupjobs")
        .into_iter()
        .filter_map(|j| ctx.state.get(&format!("{vault}/backupJobs/{j}")))
        .filter(|j| j.body[HIDDEN]["crossRegion"] == true)
        .cloned()
        .collect())
}

/// `POST …/locations/{l}/fetchCrossRegionRestoreJob`: one cross-region restore job.
pub fn fetch_cross_region(ctx: &mut Ctx<'_>) -> Result<Resp, ArmError> {
    let wanted = ctx.json_body()?["jobId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let name = wanted.rsplit('/').next().unwrap_or_default().to_owned();
    cross_region_jobs(ctx)?
        .iter()
        .find(|j| {
            j.body["name"]
                .as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case(&name))
        })
        .map(|j| Resp::json(200, render(j, ctx.now)))
        .ok_or_else(|| {
            user_error(
                "UserErrorJobNotFound",
                "parameters.jobId",
                format!("No cross-region restore job '{wanted}'."),
            )
        })
}

/// `POST …/locations/{l}/fetchCrossRegionRestoreJobs`: a vault's cross-region restore jobs.
pub fn fetch_cross_region_list(ctx: &mut Ctx<'_>) -> Result<Resp, ArmError> {
    let value = cross_region_jobs(ctx)?
        .iter()
        .map(|j| render(j, ctx.now))
        .collect();
    Ok(crate::contract::list::page(ctx, value))
}

/// The provider's operation documents (see [`super::operation`]).
pub fn operation(ctx: &mut Ctx<'_>, id: &str, result: bool) -> Result<Resp, ArmError> {
    let op = ctx.state.operations.get(id).cloned().ok_or_else(|| {
        ArmError::not_found(
            "OperationNotFound",
            format!("The operation '{id}' could not be found."),
        )
    })?;
    let status = op.status(ctx.now);
    let job = ctx
        .state
        .get(&op.resource)
        .filter(|r| r.kind == Kind::BackupJob)
        .map(|r| r.id.clone());
    let extended = job
        .as_ref()
        .map(|j| json!({ "objectType": "OperationJobExtendedInfo", "jobId": j }));
    if !result {
        let path = ctx
            .request_url
            .split_once("/subscriptions/")
            .map(|(_, p)| format!("/subscriptions/{}", p.split('?').next().unwrap_or_default()))
            .unwrap_or_default();
        let mut doc = json!({ "id": path, "name": op.id, "status": status, "startTime": rfc3339(op.start_ms) });
        if status != "InProgress" {
            doc["endTime"] = json!(rfc3339(op.until_ms));
        }
        if let Some((code, message)) = op.error.as_ref().filter(|_| status == "Failed") {
            doc["error"] = json!({ "code": code, "message": message });
        }
        if let Some(e) = extended {
            doc["properties"] = e;
        }
        return Ok(Resp::json(200, doc));
    }
    match status {
        "InProgress" => {
            let mut resp = Resp::empty(202);
            resp.header("Location", ctx.request_url.clone());
            Ok(resp)
        }
        "Failed" => {
            let (code, message) = op.error.unwrap_or_default();
            Err(ArmError::new(500, &code, message))
        }
        _ => Ok(match (extended, ctx.state.get(&op.resource)) {
            (Some(e), _) => Resp::json(200, e),
            (None, _) if op.is_delete => Resp::empty(204),
            (None, Some(r)) => Resp::json(200, shown(&r.body)),
            (None, None) => Resp::empty(204),
        }),
    }
}
