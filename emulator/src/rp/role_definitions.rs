//! `Microsoft.Authorization/roleDefinitions`, read-only: the built-in roles a BC/DR topology and the
//! clients that build one assign (the Azure CLI looks `Network Contributor` up by name before it
//! grants a cluster's identity its subnet), from `azure_facts::roles` (the SDK assigns the same
//! GUIDs); their shape is the RoleDefinition of the 2022-04-01 spec. Custom roles are not emulated.

use crate::contract::error::ArmError;
use crate::contract::request::{Ctx, Resp};
use crate::contract::resource::method_not_allowed;
use axum::http::Method;
use serde_json::{Value, json};

const TYPE: &str = "Microsoft.Authorization/roleDefinitions";

use azure_facts::roles::{BUILT_IN, BuiltInRole};

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

fn body(scope: &str, role: &BuiltInRole) -> Value {
    let BuiltInRole {
        id: guid,
        name,
        description,
        actions,
    } = *role;
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
        .filter(|r| {
            named
                .as_deref()
                .is_none_or(|n| r.name.eq_ignore_ascii_case(n))
        })
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
        .find(|r| r.id.eq_ignore_ascii_case(guid))
        .map(|r| Resp::json(200, body(scope, r)))
        .ok_or_else(|| {
            ArmError::new(
                404,
                "RoleDefinitionDoesNotExist",
                format!("The specified role definition with ID '{guid}' does not exist."),
            )
        })
}
