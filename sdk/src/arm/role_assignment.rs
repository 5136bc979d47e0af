//! `Microsoft.Authorization/roleAssignments` at api-version 2022-04-01. Names are GUIDs derived from
//! what the assignment is for, so a re-run finds the same one.

use serde::{Deserialize, Serialize};

/// The `Microsoft.Authorization` api-version every role assignment request uses.
pub const API_VERSION: &str = "2022-04-01";

/// Network Contributor: lets a cluster's identity use a public IP in another resource group.
pub const NETWORK_CONTRIBUTOR: &str = azure_facts::roles::NETWORK_CONTRIBUTOR.id;
/// AcrPull: lets a kubelet identity pull from a registry.
pub const ACR_PULL: &str = azure_facts::roles::ACR_PULL.id;
/// Azure Kubernetes Service RBAC Cluster Admin: every Kubernetes action on a cluster, through Entra
/// ID. With Azure RBAC for Kubernetes authorization on, Entra ID principals are authorized by Azure
/// roles only (PSRule `Azure.AKS.AzureRBAC`): an admin group needs this role at the cluster.
pub const AKS_RBAC_CLUSTER_ADMIN: &str = azure_facts::roles::AKS_RBAC_CLUSTER_ADMIN.id;

/// The ARM resource ID of the role assignment `name` at `scope` (a resource's ID).
pub fn id(scope: &str, name: &str) -> String {
    format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{name}")
}

/// The ARM resource ID of the built-in role definition `role` (a GUID such as [`ACR_PULL`]).
pub fn role_definition_id(subscription: &str, role: &str) -> String {
    format!(
        "/subscriptions/{subscription}/providers/Microsoft.Authorization/roleDefinitions/{role}"
    )
}

/// A deterministic assignment name for `purpose` at `scope` with `role`.
pub fn name(scope: &str, role: &str, purpose: &str) -> String {
    let key = format!("bcdr|{}|{role}|{purpose}", scope.to_ascii_lowercase());
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, key.as_bytes()).to_string()
}

/// A role assignment (`Microsoft.Authorization/roleAssignments`): a principal holding a role at a scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleAssignment {
    /// The assignment's `properties`.
    pub properties: RoleAssignmentProperties,
}

/// `properties` of a role assignment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleAssignmentProperties {
    /// `roleDefinitionId`: the role's definition ID (see [`role_definition_id`]); fixed once the assignment exists.
    pub role_definition_id: String,
    /// `principalId`: the object ID of the identity or group given the role; fixed once the assignment exists.
    pub principal_id: String,
    /// Always sent: without it a just-created identity fails with `PrincipalNotFound`.
    pub principal_type: String,
}
