//! What AKS Backup needs of a cluster before a vault may back it up or restore into it (Microsoft's
//! "Prerequisites for Azure Kubernetes Service backup", azure-kubernetes-service-cluster-backup-concept):
//! the backup extension installed and running on the cluster, Trusted Access between the cluster and
//! the vault (a trusted access role binding whose source is the vault), and the vault identity's
//! Reader role on the cluster and on the snapshot resource group. Read from the store by id: the
//! extension at `{cluster}/providers/Microsoft.KubernetesConfiguration/extensions/{name}`, the
//! binding at `{cluster}/trustedAccessRoleBindings/{name}`, role assignments as the authorization
//! provider stores them. The error codes are guesses (docs/emulator-fidelity.md).

use super::common::user_error;
use crate::contract::error::ArmError;
use crate::contract::store::{Kind, Resource, State};

/// The backup extension's type.
pub const EXTENSION_TYPE: &str = "microsoft.dataprotection.kubernetes";
/// The role a trusted access binding grants a Backup vault.
pub const BACKUP_OPERATOR: &str = "Microsoft.DataProtection/backupVaults/backup-operator";
/// Reader, and the built-in roles that include its reads (Contributor, Owner).
const READS: &[&str] = &[
    "acdd72a7-3374-48ba-a1d3-f7e3e5a2e9b4",
    "b24988ac-6180-42a0-ab88-20f7382dd24c",
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
];

/// Records directly below `parent` at `{parent}/{path}/{name}`.
fn below<'s>(state: &'s State, parent: &str, path: &str) -> impl Iterator<Item = &'s Resource> {
    let prefix = format!("{}/{path}/", parent.to_ascii_lowercase());
    state
        .resources
        .range(prefix.clone()..)
        .take_while(move |(k, _)| k.starts_with(&prefix))
        .map(|(_, r)| r)
}

fn succeeded(r: &Resource) -> bool {
    r.pending.is_none() && r.provisioning_state().eq_ignore_ascii_case("Succeeded")
}

/// The backup extension on `cluster` must exist and have been installed (`Succeeded`).
pub fn extension(state: &State, cluster: &str, target: &str) -> Result<(), ArmError> {
    let found: Vec<&Resource> = below(
        state,
        cluster,
        "providers/microsoft.kubernetesconfiguration/extensions",
    )
    .filter(|r| {
        r.body["properties"]["extensionType"]
            .as_str()
            .is_some_and(|t| t.eq_ignore_ascii_case(EXTENSION_TYPE))
    })
    .collect();
    if found.is_empty() {
        return Err(user_error(
            "UserErrorBackupExtensionNotInstalled",
            target,
            format!(
                "The AKS backup extension ({EXTENSION_TYPE}) is not installed on cluster '{cluster}': install it (Microsoft.KubernetesConfiguration/extensions) before backing up or restoring."
            ),
        ));
    }
    if !found.iter().any(|r| succeeded(r)) {
        return Err(user_error(
            "UserErrorBackupExtensionNotReady",
            target,
            format!(
                "The AKS backup extension on cluster '{cluster}' is not installed yet (its provisioningState is not Succeeded): retry when it is."
            ),
        ));
    }
    Ok(())
}

/// `cluster` must hold a trusted access role binding from `vault` with the backup-operator role.
pub fn trusted_access(
    state: &State,
    cluster: &str,
    vault: &str,
    target: &str,
) -> Result<(), ArmError> {
    let bound = below(state, cluster, "trustedaccessrolebindings").any(|r| {
        let props = &r.body["properties"];
        props["sourceResourceId"]
            .as_str()
            .is_some_and(|s| s.eq_ignore_ascii_case(vault))
            && props["roles"].as_array().is_some_and(|roles| {
                roles.iter().any(|role| {
                    role.as_str()
                        .is_some_and(|role| role.eq_ignore_ascii_case(BACKUP_OPERATOR))
                })
            })
            && (r.pending.is_none())
    });
    if !bound {
        return Err(user_error(
            "UserErrorTrustedAccessGatewayReturnedForbidden",
            target,
            format!(
                "Trusted Access is not enabled between vault '{vault}' and cluster '{cluster}': create a trusted access role binding on the cluster with sourceResourceId the vault and the role {BACKUP_OPERATOR}."
            ),
        ));
    }
    Ok(())
}

/// Whether `principal` holds Reader (or a role that includes its reads) on `scope` or above it.
pub fn can_read(state: &State, principal: &str, scope: &str) -> bool {
    let scope = scope.to_ascii_lowercase();
    state.resources.values().any(|r| {
        if r.kind != Kind::RoleAssignment {
            return false;
        }
        let props = &r.body["properties"];
        let at = props["scope"]
            .as_str()
            .unwrap_or_default()
            .to_ascii_lowercase();
        props["principalId"]
            .as_str()
            .is_some_and(|p| p.eq_ignore_ascii_case(principal))
            && props["roleDefinitionId"].as_str().is_some_and(|role| {
                READS
                    .iter()
                    .any(|g| role.to_ascii_lowercase().ends_with(&format!("/{g}")))
            })
            && (scope == at || scope.starts_with(&format!("{at}/")))
    })
}

/// The vault's identity (`principal`) must read `scope` (the cluster, the snapshot group).
pub fn reader(
    state: &State,
    principal: Option<&str>,
    scope: &str,
    target: &str,
) -> Result<(), ArmError> {
    if principal.is_some_and(|p| can_read(state, p, scope)) {
        return Ok(());
    }
    Err(user_error(
        "UserErrorMissingRequiredPermissions",
        target,
        format!(
            "The Backup vault's managed identity ({}) needs the Reader role on '{scope}'.",
            principal.unwrap_or("none: give the vault a SystemAssigned identity")
        ),
    ))
}
