//! `Microsoft.ContainerRegistry` at api-version 2023-07-01: registries (5-50 alphanumerics, globally
//! unique, name availability API, login server) and geo-replications (Premium only). A replication in
//! the registry's home region is accepted, as Azure does (not listing it is the client's job).
//! Writes are long-running with the status document under the resource.

use crate::contract::crud::{self, At, ResourceType, Written};
use crate::contract::error::ArmError;
use crate::contract::profile::{self, Profile};
use crate::contract::request::{Ctx, Resp};
use crate::contract::resource::{body_location, method_not_allowed, require_group, sku};
use crate::contract::store::{Kind, Resource, rfc3339};
use axum::http::Method;
use serde_json::{Value, json};

const TYPE: &str = "Microsoft.ContainerRegistry/registries";
const SKUS: &[&str] = &["Classic", "Basic", "Standard", "Premium"];

fn valid_name(name: &str) -> bool {
    (5..=50).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn taken_by_other(ctx: &Ctx<'_>, name: &str, id: &str) -> bool {
    ctx.state.resources.values().any(|r| {
        r.kind == Kind::Registry
            && !r.id.eq_ignore_ascii_case(id)
            && r.body["name"]
                .as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
    })
}

/// `POST /subscriptions/{s}/providers/Microsoft.ContainerRegistry/checkNameAvailability`.
pub fn check_name(ctx: &mut Ctx<'_>) -> Result<Resp, ArmError> {
    if ctx.method != Method::POST {
        return Err(method_not_allowed(&ctx.method));
    }
    let body = ctx.json_body()?.clone();
    let name = body["name"].as_str().unwrap_or_default();
    let answer = if !valid_name(name) {
        json!({ "nameAvailable": false, "reason": "Invalid", "message": "The registry name must be 5-50 alphanumeric characters." })
    } else if taken_by_other(ctx, name, "") {
        json!({ "nameAvailable": false, "reason": "AlreadyExists", "message": format!("The registry {name} is already in use.") })
    } else {
        json!({ "nameAvailable": true })
    };
    Ok(Resp::json(200, answer))
}

#[derive(Debug)]
struct Registry;

impl ResourceType for Registry {
    fn profile(&self) -> &'static Profile {
        &profile::REGISTRY
    }
    fn kind(&self) -> Kind {
        Kind::Registry
    }
    fn type_name(&self) -> &'static str {
        TYPE
    }
    fn delete_latency(&self) -> &'static str {
        "registry.delete"
    }
    fn busy_blocks_delete(&self) -> bool {
        false
    }

    fn busy(&self, _ctx: &Ctx<'_>, _at: &At, existing: Option<&Resource>) -> Option<ArmError> {
        existing.filter(|r| r.is_busy()).map(|_| {
            ArmError::conflict(
                "OperationNotAllowed",
                "Another operation is in progress on this registry.",
            )
        })
    }

    fn put(
        &self,
        ctx: &mut Ctx<'_>,
        at: &At,
        existing: Option<&Resource>,
        body: &Value,
    ) -> Result<Written, ArmError> {
        let (name, id) = (at.name.as_str(), at.id.clone());
        let existing = existing.cloned();

        if !valid_name(name) {
            return Err(ArmError::bad_request(
                "InvalidRegistryName",
                format!("Registry name '{name}' is invalid: use 5-50 alphanumeric characters."),
            )
            .with_target("registryName"));
        }
        if taken_by_other(ctx, name, &id) {
            return Err(ArmError::conflict(
                "AlreadyInUse",
                format!("The registry {name} is already in use."),
            ));
        }
        let location = body_location(ctx, body)?;
        let Some(sku) = sku(body, SKUS) else {
            return Err(ArmError::bad_request(
                "InvalidSku",
                format!("sku.name is required: one of {}.", SKUS.join(", ")),
            )
            .with_target("sku.name"));
        };
        if let Some(old) = &existing {
            if old.is_busy() {
                return Err(ArmError::conflict(
                    "OperationNotAllowed",
                    "Another operation is in progress on this registry.",
                ));
            }
            if old.body["location"] != json!(location) {
                return Err(ArmError::bad_request(
                    "InvalidResourceLocation",
                    format!(
                        "The registry '{name}' already exists in location '{}'.",
                        old.body["location"].as_str().unwrap_or_default()
                    ),
                ));
            }
            let has_replicas = ctx.state.children_of(&old.id).iter().any(|k| {
                ctx.state
                    .resources
                    .get(k)
                    .is_some_and(|r| r.kind == Kind::Replication)
            });
            if has_replicas && sku != "Premium" {
                return Err(ArmError::bad_request(
                    "OperationNotAllowed",
                    "The registry has geo-replications: its SKU must stay Premium.",
                ));
            }
        }
        let id = existing.as_ref().map_or(id, |r| r.id.clone());
        let stored = id.rsplit('/').next().unwrap_or(name).to_owned();
        let created = existing.as_ref().map_or_else(
            || json!(rfc3339(ctx.now)),
            |r| r.body["properties"]["creationDate"].clone(),
        );
        let props = &body["properties"];
        let rendered = json!({
            "id": id,
            "name": stored,
            "type": TYPE,
            "location": location,
            "tags": body.get("tags").cloned().unwrap_or_else(|| json!({})),
            "sku": { "name": sku, "tier": sku },
            "properties": {
                "loginServer": format!("{}.azurecr.io", stored.to_ascii_lowercase()),
                "creationDate": created,
                "provisioningState": "Creating",
                "adminUserEnabled": props["adminUserEnabled"].as_bool().unwrap_or(false),
                "publicNetworkAccess": props["publicNetworkAccess"].as_str().unwrap_or("Enabled"),
                "networkRuleBypassOptions": props["networkRuleBypassOptions"].as_str().unwrap_or("AzureServices"),
                "networkRuleSet": match &props["networkRuleSet"] {
                    rules @ Value::Object(_) => json!({ "defaultAction": rules["defaultAction"].as_str().unwrap_or("Allow"), "ipRules": rules.get("ipRules").cloned().unwrap_or_else(|| json!([])) }),
                    _ => json!({ "defaultAction": "Allow", "ipRules": [] }),
                },
                "zoneRedundancy": props["zoneRedundancy"].as_str().unwrap_or("Disabled"),
                "dataEndpointEnabled": false,
                "dataEndpointHostNames": [],
            },
        });
        Ok(Written {
            body: rendered,
            location: location.to_owned(),
            latency: "registry.put",
            completes: None,
            unchanged: false,
        })
    }
}

#[derive(Debug)]
struct Replication;

impl ResourceType for Replication {
    fn profile(&self) -> &'static Profile {
        &profile::REPLICATION
    }
    fn kind(&self) -> Kind {
        Kind::Replication
    }
    fn type_name(&self) -> &'static str {
        "Microsoft.ContainerRegistry/registries/replications"
    }
    fn delete_latency(&self) -> &'static str {
        "registry.delete"
    }

    fn not_found(&self, at: &At) -> ArmError {
        ArmError::not_found(
            "ResourceNotFound",
            format!("The replication '{}' was not found.", at.name),
        )
    }

    /// The replica's data endpoint goes with it, from the registry's private endpoints too.
    fn deleting(&self, ctx: &mut Ctx<'_>, at: &At, _op: &crate::contract::lro::Started) {
        let Some((registry, _)) = at.id.rsplit_once("/replications/") else {
            return;
        };
        let name = registry
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let location = ctx
            .state
            .get(&at.id)
            .and_then(|r| r.body["location"].as_str())
            .map(|l| l.to_ascii_lowercase().replace(' ', ""))
            .unwrap_or_else(|| at.name.to_ascii_lowercase());
        crate::rp::network::private_endpoint::forget_name(
            ctx.state,
            registry,
            &format!("{name}.{location}.data.azurecr.io"),
        );
    }

    fn put(
        &self,
        ctx: &mut Ctx<'_>,
        at: &At,
        existing: Option<&Resource>,
        body: &Value,
    ) -> Result<Written, ArmError> {
        let (name, id) = (at.name.as_str(), at.id.clone());
        let registry = at.parent.as_ref().ok_or_else(|| {
            ArmError::new(
                500,
                "InternalServerError",
                "replication without its registry",
            )
        })?;

        if !valid_name(name) {
            return Err(ArmError::bad_request(
                "InvalidReplicationName",
                format!("Replication name '{name}' is invalid: use 5-50 alphanumeric characters."),
            ));
        }
        if registry.body["sku"]["name"] != json!("Premium") {
            return Err(ArmError::bad_request(
                "OperationNotAllowed",
                "Geo-replication requires a Premium registry.",
            ));
        }
        let location = body_location(ctx, body)?;
        if let Some(old) = existing
            && old.body["location"] != json!(location)
        {
            return Err(ArmError::bad_request(
                "InvalidResourceLocation",
                "A replication's location cannot change.",
            ));
        }
        let rendered: Value = json!({
            "id": id,
            "name": name,
            "type": format!("{TYPE}/replications"),
            "location": location,
            "tags": body.get("tags").cloned().unwrap_or_else(|| json!({})),
            "properties": {
                "provisioningState": "Creating",
                "status": { "displayStatus": "Ready", "message": "The replication is ready.", "timestamp": rfc3339(ctx.now) },
                "regionEndpointEnabled": body["properties"]["regionEndpointEnabled"].as_bool().unwrap_or(true),
                "zoneRedundancy": body["properties"]["zoneRedundancy"].as_str().unwrap_or("Disabled"),
            },
        });
        Ok(Written {
            body: rendered,
            location: location.to_owned(),
            latency: "replication.put",
            completes: None,
            unchanged: false,
        })
    }
}

pub fn registry(ctx: &mut Ctx<'_>, rg: &str, name: &str) -> Result<Resp, ArmError> {
    let rg_id = require_group(ctx, rg)?;
    let at = At::new(
        ctx.state,
        rg,
        format!("{rg_id}/providers/{TYPE}/{name}"),
        name,
        None,
    );
    crud::serve(ctx, &at, &Registry)
}

pub fn replication(
    ctx: &mut Ctx<'_>,
    rg: &str,
    registry_name: &str,
    name: &str,
) -> Result<Resp, ArmError> {
    let rg_id = require_group(ctx, rg)?;
    let registry_id = format!("{rg_id}/providers/{TYPE}/{registry_name}");
    let Some(registry) = ctx.state.get(&registry_id).cloned() else {
        return Err(ArmError::not_found(
            "ParentResourceNotFound",
            format!(
                "Can not perform requested operation on nested resource. Parent resource '{registry_name}' not found."
            ),
        ));
    };
    let id = format!("{}/replications/{name}", registry.id);
    let at = At::new(ctx.state, rg, id, name, Some(registry));
    crud::serve(ctx, &at, &Replication)
}
