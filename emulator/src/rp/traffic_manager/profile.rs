//! Traffic Manager profiles: location `global`, a routing method, a DNS name unique across Azure,
//! probing settings, endpoints given inline replaced as a whole; synchronous, as every Traffic Manager
//! operation is.

use super::endpoint::put_endpoint;
use super::monitor::{monitor, render_profile};
use super::{METHODS, PROFILE_TYPE, bad, canonical, endpoints_of};
use crate::contract::crud::{self, At, ResourceType, Written};
use crate::contract::error::ArmError;
use crate::contract::profile;
use crate::contract::request::{Ctx, Resp};
use crate::contract::resource::{method_not_allowed, require_group};
use crate::contract::store::{Kind, Resource, State};
use axum::http::Method;
use serde_json::{Value, json};

#[derive(Debug)]
struct Profile;

impl ResourceType for Profile {
    fn profile(&self) -> &'static profile::Profile {
        &profile::TRAFFIC_MANAGER
    }
    fn kind(&self) -> Kind {
        Kind::TrafficManagerProfile
    }
    fn type_name(&self) -> &'static str {
        PROFILE_TYPE
    }
    fn delete_latency(&self) -> &'static str {
        "resourceGroup.delete"
    }

    /// Recorded at 2018-04-01, a delete answers 200 with an empty body (traffic-manager #14, #16);
    /// the spec declares a `DeleteOperationResult` from 2022-04-01 on, which current SDKs read: the
    /// emulator answers it at those versions (a guess for when the body appeared).
    fn deleted_body(&self, ctx: &Ctx<'_>) -> Option<Value> {
        super::delete_result(ctx)
    }

    fn render(&self, state: &State, resource: &Resource) -> Value {
        render_profile(state, resource)
    }

    fn not_found(&self, at: &At) -> ArmError {
        ArmError::not_found(
            "NotFound",
            format!(
                "The resource '{}' under resource group '{}' was not found.",
                at.name, at.rg
            ),
        )
    }

    /// Endpoints given inline replace the profile's endpoints as a whole, or not at all: the profile
    /// is written here, with them, and put back as it was if one is refused.
    fn put(
        &self,
        ctx: &mut Ctx<'_>,
        at: &At,
        existing: Option<&Resource>,
        body: &Value,
    ) -> Result<Written, ArmError> {
        let (id, name) = (at.id.clone(), at.name.as_str());

        if !body["location"]
            .as_str()
            .is_some_and(|l| l.eq_ignore_ascii_case("global"))
        {
            return Err(
                bad("Traffic Manager profiles must be created in location 'global'.")
                    .with_target("location"),
            );
        }
        let props = &body["properties"];
        let method = props["trafficRoutingMethod"]
            .as_str()
            .and_then(|m| canonical(m, METHODS))
            .ok_or_else(|| {
                bad(format!(
                    "trafficRoutingMethod must be one of {}.",
                    METHODS.join(", ")
                ))
            })?;
        let relative = props["dnsConfig"]["relativeName"]
            .as_str()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let label_ok = (1..=63).contains(&relative.len())
            && relative
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !relative.starts_with('-')
            && !relative.ends_with('-');
        if !label_ok {
            return Err(bad(format!(
                "dnsConfig.relativeName '{relative}' must be 1-63 letters, digits and hyphens."
            ))
            .with_target("properties.dnsConfig.relativeName"));
        }
        if dns_name_taken(ctx, &relative, &id) {
            return Err(ArmError::conflict(
                "Conflict",
                format!(
                    "The domain name '{relative}.trafficmanager.net' is not available. Please choose a different name."
                ),
            ));
        }
        let rendered = json!({
            "id": id,
            "name": id.rsplit('/').next().unwrap_or(name),
            "type": PROFILE_TYPE,
            "location": "global",
            "tags": body.get("tags").cloned().unwrap_or_else(|| json!({})),
            "properties": {
                "profileStatus": props["profileStatus"].as_str().and_then(|s| canonical(s, &["Enabled", "Disabled"])).unwrap_or("Enabled"),
                "trafficRoutingMethod": method,
                "dnsConfig": { "relativeName": relative, "fqdn": format!("{relative}.trafficmanager.net"), "ttl": props["dnsConfig"]["ttl"].as_i64().unwrap_or(60) },
                "monitorConfig": monitor(&props["monitorConfig"])?,
                "trafficViewEnrollmentStatus": "Disabled",
            },
        });
        ctx.state.insert(Resource {
            id: id.clone(),
            kind: Kind::TrafficManagerProfile,
            body: rendered,
            pending: None,
        });
        if let Some(inline) = props["endpoints"].as_array() {
            // Endpoints given inline replace the profile's endpoints as a whole, or not at all.
            let before = endpoints_of(ctx.state, &id);
            for child in &before {
                ctx.state.resources.remove(&child.id.to_ascii_lowercase());
            }
            for e in inline {
                let kind = e["type"]
                    .as_str()
                    .and_then(|t| t.rsplit('/').next())
                    .unwrap_or("externalEndpoints")
                    .to_owned();
                let canonical_kind = canonical(
                    &kind,
                    &["azureEndpoints", "externalEndpoints", "nestedEndpoints"],
                )
                .unwrap_or("externalEndpoints");
                if let Err(e) = put_endpoint(
                    ctx,
                    &id,
                    canonical_kind,
                    e["name"].as_str().unwrap_or_default(),
                    e,
                ) {
                    for child in endpoints_of(ctx.state, &id) {
                        ctx.state.resources.remove(&child.id.to_ascii_lowercase());
                    }
                    for child in before {
                        ctx.state.insert(child);
                    }
                    match existing {
                        Some(old) => ctx.state.insert(old.clone()),
                        None => {
                            ctx.state.resources.remove(&id.to_ascii_lowercase());
                        }
                    }
                    return Err(e);
                }
            }
        }
        let stored = ctx
            .state
            .get(&id)
            .map(|p| p.body.clone())
            .ok_or_else(|| ArmError::new(500, "InternalServerError", "profile vanished"))?;
        Ok(Written {
            body: stored,
            location: "global".to_owned(),
            latency: "resourceGroup.delete",
            completes: None,
            unchanged: false,
        })
    }
}

pub fn profile(ctx: &mut Ctx<'_>, rg: &str, name: &str) -> Result<Resp, ArmError> {
    let rg_id = require_group(ctx, rg)?;
    let at = At::new(
        ctx.state,
        rg,
        format!("{rg_id}/providers/{PROFILE_TYPE}/{name}"),
        name,
        None,
    );
    crud::serve(ctx, &at, &Profile)
}

/// Whether a profile other than `id` answers at `<relative>.trafficmanager.net` (DNS names are
/// global: any subscription's profile takes one).
fn dns_name_taken(ctx: &Ctx<'_>, relative: &str, id: &str) -> bool {
    ctx.state.resources.values().any(|r| {
        r.kind == Kind::TrafficManagerProfile
            && !r.id.eq_ignore_ascii_case(id)
            && r.body["properties"]["dnsConfig"]["relativeName"]
                .as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case(relative))
    })
}

/// `POST /subscriptions/{s}/providers/Microsoft.Network/checkTrafficManagerNameAvailabilityV2`.
pub fn check_name(ctx: &mut Ctx<'_>) -> Result<Resp, ArmError> {
    if ctx.method != Method::POST {
        return Err(method_not_allowed(&ctx.method));
    }
    let body = ctx.json_body()?.clone();
    let name = body["name"].as_str().unwrap_or_default();
    let mut answer = json!({
        "name": name,
        "type": "Microsoft.Network/trafficManagerProfiles",
        "nameAvailable": true,
    });
    if dns_name_taken(ctx, name, "") {
        answer["nameAvailable"] = json!(false);
        answer["reason"] = json!("AlreadyExists");
        answer["message"] = json!(format!(
            "Domain name {name}.trafficmanager.net already exists. Please choose a different DNS prefix."
        ));
    }
    Ok(Resp::json(200, answer))
}
