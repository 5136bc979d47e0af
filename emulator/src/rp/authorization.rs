//! `Microsoft.Authorization/roleAssignments` at api-version 2022-04-01, on any scope. Synchronous.
//! Azure's traps are kept: 409 `RoleAssignmentExists` for the same scope, role and principal under
//! another name; 409 `RoleAssignmentUpdateNotPermitted` for changing one; 400 `PrincipalNotFound` for
//! an identity created moments ago when `principalType` is not given (Entra ID replication delay).

use crate::contract::crud::{self, At, ResourceType, Written};
use crate::contract::error::ArmError;
use crate::contract::profile::{self, Profile};
use crate::contract::request::{Ctx, Resp};
use crate::contract::store::{Kind, Resource, rfc3339};
use serde_json::{Value, json};

const TYPE: &str = "Microsoft.Authorization/roleAssignments";
const PRINCIPAL_TYPES: &[&str] = &[
    "User",
    "Group",
    "ServicePrincipal",
    "ForeignGroup",
    "Device",
];

fn guid_of(id: &str) -> String {
    id.rsplit('/').next().unwrap_or(id).to_ascii_lowercase()
}

/// When the principal (a cluster's identity or kubelet identity) came into being, if the emulator made it.
fn principal_created_ms(ctx: &Ctx<'_>, principal: &str) -> Option<u64> {
    ctx.state
        .identities
        .get(&principal.to_ascii_lowercase())
        .copied()
}

#[derive(Debug)]
struct RoleAssignment {
    scope: String,
}

impl ResourceType for RoleAssignment {
    fn profile(&self) -> &'static Profile {
        &profile::AUTHORIZATION
    }
    fn kind(&self) -> Kind {
        Kind::RoleAssignment
    }
    fn type_name(&self) -> &'static str {
        TYPE
    }
    fn delete_latency(&self) -> &'static str {
        "resourceGroup.delete"
    }

    fn not_found(&self, at: &At) -> ArmError {
        ArmError::not_found(
            "RoleAssignmentNotFound",
            format!("The role assignment '{}' is not found.", at.name),
        )
    }

    /// Synchronous: 201 with the assignment; the same assignment again is 200 and changes nothing.
    fn put(
        &self,
        ctx: &mut Ctx<'_>,
        at: &At,
        existing: Option<&Resource>,
        body: &Value,
    ) -> Result<Written, ArmError> {
        let (scope, name, id) = (self.scope.as_str(), at.name.as_str(), at.id.clone());

        if uuid::Uuid::parse_str(name).is_err() {
            return Err(ArmError::bad_request(
                "InvalidRoleAssignmentId",
                format!(
                    "The role assignment ID '{name}' is not valid. The role assignment ID must be a GUID."
                ),
            ));
        }
        if scope.to_ascii_lowercase().contains("/resourcegroups/")
            && ctx.state.get(scope).is_none()
            && ctx.state.get(&scope_group(scope)).is_none()
        {
            return Err(ArmError::not_found(
                "ResourceGroupNotFound",
                format!("The scope '{scope}' does not exist."),
            ));
        }
        let props = &body["properties"];
        let (Some(role), Some(principal)) = (
            props["roleDefinitionId"].as_str(),
            props["principalId"].as_str(),
        ) else {
            return Err(ArmError::bad_request(
                "InvalidRequestFormat",
                "properties.roleDefinitionId and properties.principalId are required.",
            ));
        };
        if uuid::Uuid::parse_str(principal).is_err() {
            return Err(ArmError::bad_request("InvalidPrincipalId", format!("A valid principal ID must be provided for role assignment; '{principal}' is not a GUID.")).with_target("properties.principalId"));
        }
        let principal_type = props["principalType"].as_str();
        if principal_type
            .is_some_and(|t| !PRINCIPAL_TYPES.iter().any(|p| p.eq_ignore_ascii_case(t)))
        {
            return Err(ArmError::bad_request(
                "InvalidPrincipalType",
                format!(
                    "principalType must be one of {}.",
                    PRINCIPAL_TYPES.join(", ")
                ),
            ));
        }
        if principal_type.is_none()
            && let Some(created) = principal_created_ms(ctx, principal)
            && ctx.now < created + ctx.latency("identity.replication")
        {
            return Err(ArmError::bad_request(
                "PrincipalNotFound",
                format!(
                    "Principal {principal} does not exist in the directory. Check that you have the correct principal ID; a new principal may need principalType to be set while it replicates."
                ),
            ));
        }
        let same = |r: &Resource| {
            r.kind == Kind::RoleAssignment
                && r.body["properties"]["scope"]
                    .as_str()
                    .is_some_and(|s| s.eq_ignore_ascii_case(scope))
                && r.body["properties"]["principalId"]
                    .as_str()
                    .is_some_and(|p| p.eq_ignore_ascii_case(principal))
                && r.body["properties"]["roleDefinitionId"]
                    .as_str()
                    .is_some_and(|d| guid_of(d) == guid_of(role))
        };
        if let Some(other) = ctx
            .state
            .resources
            .values()
            .find(|r| same(r) && !r.id.eq_ignore_ascii_case(&id))
        {
            return Err(ArmError::conflict(
                "RoleAssignmentExists",
                format!(
                    "The role assignment already exists. The ID of the existing role assignment is {}.",
                    guid_of(&other.id)
                ),
            ));
        }
        if let Some(old) = existing {
            if !same(old) {
                return Err(ArmError::conflict(
                    "RoleAssignmentUpdateNotPermitted",
                    "Tenant ID, application ID, principal ID, and scope are not allowed to be updated.",
                ));
            }
            return Ok(Written {
                body: old.body.clone(),
                location: String::new(),
                latency: "resourceGroup.delete",
                completes: None,
                unchanged: true,
            });
        }
        let now = rfc3339(ctx.now);
        let rendered = json!({
            "id": id,
            "name": name,
            "type": TYPE,
            "properties": {
                "roleDefinitionId": role,
                "principalId": principal,
                "principalType": principal_type.unwrap_or("User"),
                "scope": scope,
                "createdOn": now,
                "updatedOn": now,
                "createdBy": uuid::Uuid::nil().to_string(),
                "updatedBy": uuid::Uuid::nil().to_string(),
            },
        });
        Ok(Written {
            body: rendered,
            location: String::new(),
            latency: "resourceGroup.delete",
            completes: None,
            unchanged: false,
        })
    }
}

pub fn role_assignment(ctx: &mut Ctx<'_>, scope: &str, name: &str) -> Result<Resp, ArmError> {
    let at = At::new(
        ctx.state,
        "",
        format!("{scope}/providers/{TYPE}/{name}"),
        name,
        None,
    );
    crud::serve(
        ctx,
        &at,
        &RoleAssignment {
            scope: scope.to_owned(),
        },
    )
}

/// `/subscriptions/s/resourceGroups/rg` of any scope inside a group.
fn scope_group(scope: &str) -> String {
    let parts: Vec<&str> = scope.split('/').collect();
    parts
        .iter()
        .position(|p| p.eq_ignore_ascii_case("resourcegroups"))
        .map_or_else(
            || scope.to_owned(),
            |i| parts[..=(i + 1).min(parts.len() - 1)].join("/"),
        )
}

/// `GET /{scope}/providers/Microsoft.Authorization/roleAssignments`: the assignments that apply at
/// `scope`, made there or above it (what `atScope()` asks; without a filter ARM also lists those
/// below, which the emulator adds), filtered by `principalId eq '...'` or `assignedTo('...')`.
pub fn list(ctx: &mut Ctx<'_>, scope: &str) -> Result<Resp, ArmError> {
    if ctx.method != axum::http::Method::GET {
        return Err(crate::contract::resource::method_not_allowed(&ctx.method));
    }
    let filter = ctx.query.get("$filter").cloned().unwrap_or_default();
    let at_scope = filter.contains("atScope()");
    let principal = filter
        .split('\'')
        .nth(1)
        .filter(|_| filter.contains("principalId") || filter.contains("assignedTo"))
        .map(str::to_ascii_lowercase);
    let here = scope.trim_end_matches('/').to_ascii_lowercase();
    let value: Vec<Value> = ctx
        .state
        .resources
        .values()
        .filter(|r| r.kind == Kind::RoleAssignment)
        .filter(|r| {
            let at = r.body["properties"]["scope"]
                .as_str()
                .unwrap_or_default()
                .trim_end_matches('/')
                .to_ascii_lowercase();
            let above = here == at || here.starts_with(&format!("{at}/"));
            let below = at.starts_with(&format!("{here}/"));
            above || (!at_scope && below)
        })
        .filter(|r| {
            principal.as_deref().is_none_or(|p| {
                r.body["properties"]["principalId"]
                    .as_str()
                    .is_some_and(|id| id.eq_ignore_ascii_case(p))
            })
        })
        .map(|r| r.body.clone())
        .collect();
    Ok(crate::contract::list::page(ctx, value))
}
