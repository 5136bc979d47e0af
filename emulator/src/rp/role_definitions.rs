//! `Microsoft.Authorization/roleDefinitions`, read-only: the built-in roles a BC/DR topology and the
//! clients that build one assign (the Azure CLI looks `Network Contributor` up by name before it
//! grants a cluster's identity its subnet). Built-in roles have the same GUID in every tenant
//! (learn.microsoft.com/azure/role-based-access-control/built-in-roles); their shape is the
//! RoleDefinition of the 2022-04-01 spec. Custom roles are not emulated.

use crate::contract::error::ArmError;
use crate::contract::request::{Ctx, Resp};
use crate::contract::resource::method_not_allowed;
use axum::http::Method;
use serde_json::{Value, json};

const TYPE: &str = "Microsoft.Authorization/roleDefinitions";

/// (GUID, roleName, description, control-plane actions).
const BUILT_IN: &[(&str, &str, &str, &[&str])] = &[
    (
        "8e3af657-a8ff-443c-a75c-2fe8c4bcd635",
        "Owner",
        "Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.",
        &["*"],
    ),
    (
        "b24988ac-6180-42a0-ab88-20f7382dd24c",
        "Contributor",
        "Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC.",
        &["*"],
    ),
    (
        "acdd72a7-3374-48ba-a1d3-f7e3e5a2e9b4",
        "Reader",
        "View all resources, but does not allow you to make any changes.",
        &["*/read"],
    ),
    (
        "4d97b98b-1d4f-4787-a291-c67834d212e7",
        "Network Contributor",
        "Lets you manage networks, but not access to them.",
        &["Microsoft.Authorization/*/read", "Microsoft.Network/*"],
    ),
    (
        "7f951dda-4ed3-4680-a7ca-43fe172d538d",
        "AcrPull",
        "acr pull",
        &["Microsoft.ContainerRegistry/registries/pull/read"],
    ),
    (
        "f1a07417-d97a-45cb-824c-7a7467783830",
        "Managed Identity Operator",
        "Read and Assign User Assigned Identity",
        &[
            "Microsoft.ManagedIdentity/userAssignedIdentities/*/read",
            "Microsoft.ManagedIdentity/userAssignedIdentities/*/assign/action",
        ],
    ),
    (
        "4abbcc35-e782-43d8-92c5-2d3f1bd2253f",
        "Azure Kubernetes Service Cluster User Role",
        "List cluster user credential action.",
        &["Microsoft.ContainerService/managedClusters/listClusterUserCredential/action"],
    ),
    (
        "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b",
        "Azure Kubernetes Service RBAC Cluster Admin",
        "Lets you manage all resources in the cluster.",
        &["Microsoft.ContainerService/managedClusters/listClusterUserCredential/action"],
    ),
    (
        "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
        "Storage Blob Data Contributor",
        "Allows for read, write and delete access to Azure Storage blob containers and data",
        &["Microsoft.Storage/storageAccounts/blobServices/containers/*"],
    ),
    (
        "b12aa53e-6015-4669-85d0-8515ebb3ae7f",
        "Private DNS Zone Contributor",
        "Lets you manage private DNS zone resources, but not the virtual networks they are linked to.",
        &["Microsoft.Network/privateDnsZones/*"],
    ),
];

/// The subscription part of a scope (`/subscriptions/{s}`), where built-in roles are reported.
fn subscription_of(scope: &str) -> String {
    let parts: Vec<&str> = scope.trim_start_matches('/').split('/').collect();
    match parts.as_slice() {
        [first, s, ..] if first.eq_ignore_ascii_case("subscriptions") => {
            format!("/subscriptions/{s}")
        }
        _ => String::new(),
    }
}

fn body(scope: &str, role: &(&str, &str, &str, &[&str])) -> Value {
    let (guid, name, description, actions) = *role;
    json!({
        "id": format!("{}/providers/{TYPE}/{guid}", subscription_of(scope)),
        "type": TYPE,
        "name": guid,
        "properties": {
            "roleName": name,
            "type": "BuiltInRole",
            "description": description,
            "assignableScopes": ["/"],
            "permissions": [{ "actions": actions, "notActions": [], "dataActions": [], "notDataActions": [] }],
            "createdOn": "2015-02-02T21:55:09.8806423Z",
            "updatedOn": "2024-01-01T00:00:00.0000000Z",
            "createdBy": null,
            "updatedBy": null,
        },
    })
}

/// `GET {scope}/providers/Microsoft.Authorization/roleDefinitions[?$filter=roleName eq '...']`.
pub fn list(ctx: &mut Ctx<'_>, scope: &str) -> Result<Resp, ArmError> {
    if ctx.method != Method::GET {
        return Err(method_not_allowed(&ctx.method));
    }
    let filter = ctx.query.get("$filter").cloned().unwrap_or_default();
    let named = filter
        .contains("roleName")
        .then(|| filter.split('\'').nth(1).map(str::to_owned))
        .flatten();
    let value = BUILT_IN
        .iter()
        .filter(|r| named.as_deref().is_none_or(|n| r.1.eq_ignore_ascii_case(n)))
        .map(|r| body(scope, r))
        .collect();
    Ok(crate::contract::list::page(ctx, value))
}

/// `GET {scope}/providers/Microsoft.Authorization/roleDefinitions/{guid}`.
pub fn get(ctx: &mut Ctx<'_>, scope: &str, guid: &str) -> Result<Resp, ArmError> {
    if ctx.method != Method::GET {
        return Err(method_not_allowed(&ctx.method));
    }
    BUILT_IN
        .iter()
        .find(|r| r.0.eq_ignore_ascii_case(guid))
        .map(|r| Resp::json(200, body(scope, r)))
        .ok_or_else(|| {
            ArmError::new(
                404,
                "RoleDefinitionDoesNotExist",
                format!("The specified role definition with ID '{guid}' does not exist."),
            )
        })
}
