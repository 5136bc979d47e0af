//! Microsoft Entra administrators of a flexible server (`flexibleServers/{s}/administrators/{objectId}`,
//! 2024-08-01): a user, group or service principal named by its object id, as the REST reference
//! (learn.microsoft.com, "Administrators - Create", 2024-08-01) shows it: `principalType`,
//! `principalName`, `objectId`, `tenantId`. The spec file is not kept (the index holds no copy):
//! nothing here is checked against it. A server takes Entra administrators only with
//! `authConfig.activeDirectoryAuth: Enabled` (learn.microsoft.com, how-to-configure-sign-in-azure-ad-
//! authentication; the refusal's code is a guess).

use super::{ADMINISTRATOR_TYPE, busy, name_of, render_child};
use crate::contract::crud::{self, At, ResourceType, Written};
use crate::contract::error::ArmError;
use crate::contract::profile::{self, Profile};
use crate::contract::request::{Ctx, Resp};
use crate::contract::resource::require_group;
use crate::contract::store::{Kind, Resource, State};
use serde_json::{Value, json};

const PRINCIPAL_TYPES: [&str; 4] = ["Unknown", "User", "Group", "ServicePrincipal"];

#[derive(Debug)]
struct Administrator;

impl ResourceType for Administrator {
    fn profile(&self) -> &'static Profile {
        &profile::POSTGRES
    }
    fn kind(&self) -> Kind {
        Kind::PostgresAdministrator
    }
    fn type_name(&self) -> &'static str {
        ADMINISTRATOR_TYPE
    }
    fn delete_latency(&self) -> &'static str {
        "postgres.child"
    }
    fn render(&self, _state: &State, resource: &Resource) -> Value {
        render_child(resource)
    }

    fn busy(&self, _ctx: &Ctx<'_>, at: &At, existing: Option<&Resource>) -> Option<ArmError> {
        let parent = at.parent.as_ref()?;
        (parent.is_busy() || existing.is_some_and(Resource::is_busy))
            .then(|| busy(name_of(&parent.id)))
    }

    fn put(
        &self,
        ctx: &mut Ctx<'_>,
        at: &At,
        _existing: Option<&Resource>,
        body: &Value,
    ) -> Result<Written, ArmError> {
        let Some(parent) = at.parent.as_ref() else {
            return Err(ArmError::bad_request("InvalidParameterValue", "No server."));
        };
        if uuid::Uuid::parse_str(&at.name).is_err() {
            return Err(ArmError::bad_request(
                "InvalidParameterValue",
                format!(
                    "'{}' is not an object id: an administrator is named by its Microsoft Entra object id (a GUID).",
                    at.name
                ),
            ));
        }
        let entra = parent.body["properties"]["authConfig"]["activeDirectoryAuth"]
            .as_str()
            .is_some_and(|a| a.eq_ignore_ascii_case("Enabled"));
        if !entra {
            return Err(ArmError::bad_request(
                "AadAuthDisabled",
                format!(
                    "Microsoft Entra authentication is disabled on server '{}': set properties.authConfig.activeDirectoryAuth to 'Enabled' first.",
                    name_of(&parent.id)
                ),
            ));
        }
        let props = &body["properties"];
        let principal_type = props["principalType"].as_str().unwrap_or_default();
        let Some(principal_type) = PRINCIPAL_TYPES
            .iter()
            .find(|t| t.eq_ignore_ascii_case(principal_type))
        else {
            return Err(ArmError::bad_request(
                "InvalidParameterValue",
                format!("properties.principalType '{principal_type}' must be one of {PRINCIPAL_TYPES:?}."),
            )
            .with_target("properties.principalType"));
        };
        let tenant = props["tenantId"]
            .as_str()
            .filter(|t| !t.is_empty())
            .map_or_else(|| ctx.tenant.clone(), str::to_owned);
        Ok(Written {
            body: json!({
                "id": at.id,
                "name": at.name,
                "type": ADMINISTRATOR_TYPE,
                "properties": {
                    "principalType": principal_type,
                    "principalName": props["principalName"].as_str().unwrap_or_default(),
                    "objectId": at.name,
                    "tenantId": tenant,
                    "provisioningState": "Creating",
                },
            }),
            location: super::location_of(parent).to_owned(),
            latency: "postgres.child",
            completes: None,
            unchanged: false,
        })
    }
}

/// `flexibleServers/{server}/administrators/{objectId}`.
pub fn administrator(
    ctx: &mut Ctx<'_>,
    rg: &str,
    server: &str,
    object_id: &str,
) -> Result<Resp, ArmError> {
    let rg_id = require_group(ctx, rg)?;
    let server_id = super::server_id(&rg_id, server);
    let Some(parent) = super::find_server(ctx.state, &server_id).cloned() else {
        return Err(ArmError::not_found(
            "ParentResourceNotFound",
            format!(
                "Can not perform requested operation on nested resource. Parent resource '{server}' not found."
            ),
        ));
    };
    let id = format!("{}/administrators/{object_id}", parent.id);
    let at = At::new(ctx.state, rg, id, object_id, Some(parent));
    crud::serve(ctx, &at, &Administrator)
}
