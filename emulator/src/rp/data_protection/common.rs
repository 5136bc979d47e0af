//! What the AKS Backup modules share: the datasource type, how the provider's writes are answered,
//! the hidden part of a body, the provider's 400s, and ids below a vault.

use crate::contract::error::ArmError;
use crate::contract::profile::{Answer, Budget, Doc, Envelope, Lro, Profile, Shown, Site};
use crate::contract::request::Ctx;
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
