//! `Microsoft.DataProtection` at api-version 2024-04-01 (dataprotection.json, kept in
//! `tests/armspec/specs`): Azure Backup for AKS. Backup vaults ([`vault`]), backup policies for
//! `Microsoft.ContainerService/managedClusters` ([`policy`]), backup instances and the
//! preconditions Azure checks before protecting a cluster ([`instance`]), recovery points on the
//! emulator's clock and their copies in the paired region ([`recovery`]), restores and cross-region
//! restores ([`restore`]), and the jobs and operation documents they leave ([`jobs`]).
//!
//! What a resource keeps only for the emulator (when protection began, a job's operation) lives in
//! its body under [`common::HIDDEN`], which no answer shows. What the modules share is in [`common`], so that
//! none of them imports this one.

pub mod common;
pub mod instance;
pub mod jobs;
pub mod policy;
pub mod prerequisites;
pub mod recovery;
pub mod restore;
pub mod vault;

use crate::contract::error::ArmError;
use crate::contract::request::{Ctx, Resp};
use crate::contract::store::State;

fn invalid_type(types: &[&str]) -> ArmError {
    ArmError::bad_request(
        "InvalidResourceType",
        format!(
            "The resource type '{}' could not be found in the namespace 'Microsoft.DataProtection'.",
            types.join("/")
        ),
    )
}

/// A resource path below `resourceGroups/{rg}/providers/Microsoft.DataProtection/`.
pub fn typed(ctx: &mut Ctx<'_>, rg: &str, path: &[(String, String)]) -> Result<Resp, ArmError> {
    let types: Vec<&str> = path.iter().map(|(t, _)| t.as_str()).collect();
    let names: Vec<&str> = path.iter().map(|(_, n)| n.as_str()).collect();
    match types.as_slice() {
        ["backupvaults"] => vault::vault(ctx, rg, names[0]),
        ["backupvaults", "backuppolicies"] => policy::policy(ctx, rg, names[0], names[1]),
        ["backupvaults", "backupinstances"] => instance::instance(ctx, rg, names[0], names[1]),
        ["backupvaults", "backupinstances", "recoverypoints"] => {
            recovery::get(ctx, rg, names[0], names[1], names[2])
        }
        ["backupvaults", "backupjobs"] => jobs::get(ctx, rg, names[0], names[1]),
        _ => Err(invalid_type(&types)),
    }
}

/// A collection or an action below a vault, or an action at a location: lists of policies,
/// instances, recovery points and jobs; `restore`; `crossRegionRestore`,
/// `fetchSecondaryRecoveryPoints` and `fetchCrossRegionRestoreJob(s)` in a region.
pub fn collection(
    ctx: &mut Ctx<'_>,
    rg: Option<&str>,
    parents: &[(String, String)],
    kind: &str,
) -> Result<Resp, ArmError> {
    let types: Vec<&str> = parents
        .iter()
        .map(|(t, _)| t.as_str())
        .chain([kind])
        .collect();
    let Some(rg) = rg else {
        return Err(invalid_type(&types));
    };
    let names: Vec<&str> = parents.iter().map(|(_, n)| n.as_str()).collect();
    let post = ctx.method == axum::http::Method::POST;
    let get = ctx.method == axum::http::Method::GET;
    match (types.as_slice(), get, post) {
        (
            [
                "backupvaults",
                "backuppolicies" | "backupinstances" | "backupjobs",
            ],
            true,
            _,
        ) => list_children(ctx, rg, names[0], kind),
        (["backupvaults", "backupinstances", "recoverypoints"], true, _) => {
            recovery::list(ctx, rg, names[0], names[1])
        }
        (["backupvaults", "backupinstances", "restore"], _, true) => {
            restore::restore(ctx, rg, names[0], names[1])
        }
        (["locations", "crossregionrestore"], _, true) => restore::cross_region(ctx, rg, names[0]),
        (["locations", "fetchsecondaryrecoverypoints"], _, true) => {
            recovery::secondary(ctx, names[0])
        }
        (["locations", "fetchcrossregionrestorejob"], _, true) => jobs::fetch_cross_region(ctx),
        (["locations", "fetchcrossregionrestorejobs"], _, true) => {
            jobs::fetch_cross_region_list(ctx)
        }
        (_, false, false) => Err(crate::contract::resource::method_not_allowed(&ctx.method)),
        _ => Err(invalid_type(&types)),
    }
}

/// The policies, instances or jobs of a vault, each as its own GET answers it.
fn list_children(ctx: &mut Ctx<'_>, rg: &str, vault: &str, kind: &str) -> Result<Resp, ArmError> {
    crate::contract::resource::require_group(ctx, rg)?;
    let vault_id = common::vault_id(ctx, rg, vault);
    if ctx.state.get(&vault_id).is_none() {
        return Err(vault::missing(vault, rg));
    }
    let mut value = Vec::new();
    for name in common::children(ctx.state, &vault_id, kind) {
        let path = [
            ("backupvaults".to_owned(), vault.to_owned()),
            (kind.to_owned(), name),
        ];
        if let Ok(resp) = typed(ctx, rg, &path)
            && resp.status == 200
            && let Some(body) = resp.body
        {
            value.push(body);
        }
    }
    Ok(crate::contract::list::page(ctx, value))
}

/// Whether lower-cased path segments name one of the provider's operation documents
/// (`/subscriptions/{s}/providers/Microsoft.DataProtection/locations/{l}/operationStatus/{id}`, or
/// `operationResults`: `Some(true)`).
pub fn operation_url(segs: &[&str]) -> Option<bool> {
    match segs {
        [
            "subscriptions",
            _,
            "providers",
            "microsoft.dataprotection",
            "locations",
            _,
            which @ ("operationstatus" | "operationresults"),
            _,
        ] => Some(*which == "operationresults"),
        _ => None,
    }
}

/// `GET …/locations/{l}/operationStatus/{id}` (`result` false: the spec's `OperationResource`,
/// with the job it started in `properties` for a restore) or `…/operationResults/{id}` (202 while
/// it runs; then the job, `OperationJobExtendedInfo`, for a restore, the resource for a write,
/// nothing for a delete).
pub fn operation(ctx: &mut Ctx<'_>, id: &str, result: bool) -> Result<Resp, ArmError> {
    jobs::operation(ctx, id, result)
}

/// What AKS Backup restored into `cluster_id` by `now`: the recovery point of every restore job
/// that has completed, oldest first.
pub fn restored_into(state: &State, cluster_id: &str, now: u64) -> Vec<String> {
    state
        .restored
        .get(&cluster_id.to_ascii_lowercase())
        .map(|done| {
            done.iter()
                .filter(|(_, at)| *at <= now)
                .map(|(rp, _)| rp.clone())
                .collect()
        })
        .unwrap_or_default()
}
