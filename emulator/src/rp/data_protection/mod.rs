//! `Microsoft.DataProtection` at api-version 2024-04-01 (dataprotection.json, kept in
//! `tests/armspec/specs`): Azure Backup for AKS. Backup vaults ([`vault`]), backup policies for
//! `Microsoft.ContainerService/managedClusters` ([`policy`]), backup instances and the
//! preconditions Azure checks before protecting a cluster ([`instance`]), recovery points on the
//! emulator's clock and their copies in the paired region ([`recovery`]), restores and cross-region
//! restores ([`restore`]), and the jobs and operation documents they leave ([`jobs`]).
//!
//! What a resource keeps only for the emulator (when protection began, a job's operation) lives in
//! its body under [`HIDDEN`], which no answer shows.

pub mod instance;
pub mod jobs;
pub mod policy;
pub mod prerequisites;
pub mod recovery;
pub mod restore;
pub mod vault;

use crate::contract::error::ArmError;
use crate::contract::profile::{Answer, Budget, Doc, Envelope, Lro, Profile, Shown, Site};
use crate::contract::request::{Ctx, Resp};
use crate::contract::store::State;
use serde_json::Value;

/// The datasource type of an AKS cluster, as policies and backup instances name it.
pub const AKS: &str = "Microsoft.ContainerService/managedClusters";

/// The body key under which a resource keeps what only the emulator reads.
pub const HIDDEN: &str = "_emulator";

/// Vaults and backup instances: long-running writes (spec: `x-ms-long-running-operation`, PUT
/// 200/201, DELETE 200/202/204), announced by `Azure-AsyncOperation` at the provider's
/// `locations/{l}/operationStatus/{id}` (spec `OperationStatus_Get`); a create shows
/// `Provisioning` (the spec's `ProvisioningState` enum). Status codes and headers: guess.
pub const PROFILE: Profile = Profile {
    namespace: "Microsoft.DataProtection",
    operation_api_version: crate::contract::versions::API_DATA_PROTECTION,
    create: Answer::new(201, Lro::AsyncOperation, Shown::Running),
    update: Answer::new(200, Lro::AsyncOperation, Shown::Running),
    patch: Answer::new(200, Lro::AsyncOperation, Shown::Running),
    delete: Answer::new(202, Lro::AsyncOperationAndLocation, Shown::Empty),
    delete_missing: 204,
    creating: "Provisioning",
    doc: Doc::Named,
    site: Site::LocationStatus,
    envelope: Envelope::Arm,
    budget: Budget::Subscription,
    etag_header: false,
};

/// Backup policies: synchronous (spec: PUT 200 only, DELETE 200/204, no long-running operation).
pub const POLICY_PROFILE: Profile = Profile {
    create: Answer::new(200, Lro::Sync, Shown::Running),
    update: Answer::new(200, Lro::Sync, Shown::Running),
    patch: Answer::new(200, Lro::Sync, Shown::Running),
    delete: Answer::new(200, Lro::Sync, Shown::Empty),
    ..PROFILE
};

/// A body without what only the emulator reads.
pub fn shown(body: &Value) -> Value {
    let mut body = body.clone();
    if let Some(o) = body.as_object_mut() {
        o.remove(HIDDEN);
    }
    body
}

/// 400 with a code of the provider's and the attribute it is about.
pub fn user_error(code: &str, target: &str, message: impl Into<String>) -> ArmError {
    ArmError::bad_request(code, message).with_target(target)
}

/// The id of vault `vault` in group `rg`, in the stored casing when it exists.
pub fn vault_id(ctx: &Ctx<'_>, rg: &str, vault: &str) -> String {
    let id = format!(
        "/subscriptions/{}/resourceGroups/{rg}/providers/Microsoft.DataProtection/backupVaults/{vault}",
        ctx.subscription
    );
    ctx.state.get(&id).map_or(id, |r| r.id.clone())
}

/// Names of the records directly below `parent` of child type `kind` (lower-case, as ids store it).
pub fn children(state: &State, parent: &str, kind: &str) -> Vec<String> {
    let prefix = format!("{}/{kind}/", parent.to_ascii_lowercase());
    state
        .resources
        .range(prefix.clone()..)
        .take_while(|(k, _)| k.starts_with(&prefix))
        .filter(|(k, _)| !k[prefix.len()..].contains('/'))
        .filter_map(|(_, r)| r.id.rsplit('/').next().map(str::to_owned))
        .collect()
}

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
    let vault_id = vault_id(ctx, rg, vault);
    if ctx.state.get(&vault_id).is_none() {
        return Err(vault::missing(vault, rg));
    }
    let mut value = Vec::new();
    for name in children(ctx.state, &vault_id, kind) {
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
