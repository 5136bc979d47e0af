//! What every resource type's handler shares: its resource group (which must exist and not be
//! going away), the location of a request body, ARM's not-found and method errors, SKU names.

use crate::contract::error::ArmError;
use crate::contract::regions;
use crate::contract::request::Ctx;
use axum::http::Method;
use serde_json::Value;

pub fn rg_id(ctx: &Ctx<'_>, name: &str) -> String {
    format!(
        "/subscriptions/{}/resourceGroups/{}",
        ctx.subscription, name
    )
}

/// 404 `ResourceGroupNotFound` unless the group exists and is not being deleted.
pub fn require_group(ctx: &Ctx<'_>, name: &str) -> Result<String, ArmError> {
    match ctx.state.get(&rg_id(ctx, name)) {
        Some(rg) if rg.pending.as_ref().is_some_and(|p| p.state == "Deleting") => {
            Err(ArmError::conflict(
                "ResourceGroupBeingDeleted",
                format!(
                    "The resource group '{name}' is in deprovisioning state and cannot perform this operation."
                ),
            ))
        }
        Some(rg) => Ok(rg.id.clone()),
        None => Err(ArmError::not_found(
            "ResourceGroupNotFound",
            format!("Resource group '{name}' could not be found."),
        )),
    }
}

/// A location from a request body, canonicalised, or 400.
pub fn body_location(ctx: &Ctx<'_>, body: &Value) -> Result<&'static str, ArmError> {
    let Some(location) = body["location"].as_str() else {
        return Err(ArmError::bad_request(
            "LocationRequired",
            "The location property is required for this definition.",
        ));
    };
    let _ = ctx;
    regions::canonical(location).ok_or_else(|| {
        ArmError::bad_request("LocationNotAvailableForResourceType", format!("The provided location '{location}' is not available for resource type. List of available regions is '{}'.", regions::all().map(|r| r.name).collect::<Vec<_>>().join(",")))
    })
}

/// ARM's 404 for a resource of type `kind` (`Microsoft.Network/publicIPAddresses`) missing from a group.
pub fn not_found(kind: &str, name: &str, rg: &str) -> ArmError {
    ArmError::not_found(
        "ResourceNotFound",
        format!("The Resource '{kind}/{name}' under resource group '{rg}' was not found."),
    )
}

/// The SKU a body names at `sku.name`, spelled as `skus` spells it (ARM matches it ignoring case).
pub fn sku(body: &Value, skus: &[&'static str]) -> Option<&'static str> {
    let named = body["sku"]["name"].as_str()?;
    skus.iter().copied().find(|k| k.eq_ignore_ascii_case(named))
}

pub fn method_not_allowed(method: &Method) -> ArmError {
    ArmError::new(
        405,
        "MethodNotAllowed",
        format!("The requested method '{method}' is not allowed for this resource."),
    )
}
