//! Traffic Manager endpoints (`azureEndpoints`, `externalEndpoints`, `nestedEndpoints`): their
//! targets, the routing method's rules (unique priorities, weights 1-1000, each geographic code
//! mapped once), Azure endpoints whose public IP has a DNS name; 201 on create and on update.

use super::monitor::render_endpoint;
use super::{PROFILE_TYPE, bad, canonical, endpoints_of};
use crate::contract::crud::{self, At, ResourceType, Written};
use crate::contract::error::ArmError;
use crate::contract::profile;
use crate::contract::regions;
use crate::contract::request::{Ctx, Resp};
use crate::contract::resource::require_group;
use crate::contract::store::{Kind, Resource, State};
use serde_json::{Value, json};

#[derive(Debug)]
struct Endpoint {
    /// `azureEndpoints`, `externalEndpoints` or `nestedEndpoints`.
    kind: &'static str,
}

impl ResourceType for Endpoint {
    fn profile(&self) -> &'static profile::Profile {
        &profile::TRAFFIC_MANAGER_ENDPOINT
    }
    fn kind(&self) -> Kind {
        Kind::TrafficManagerEndpoint
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
        render_endpoint(state, resource)
    }

    fn not_found(&self, at: &At) -> ArmError {
        ArmError::not_found(
            "NotFound",
            format!("The endpoint '{}' was not found.", at.name),
        )
    }

    fn put(
        &self,
        ctx: &mut Ctx<'_>,
        at: &At,
        _existing: Option<&Resource>,
        body: &Value,
    ) -> Result<Written, ArmError> {
        let profile_id = at.parent.as_ref().map(|p| p.id.clone()).unwrap_or_default();
        let rendered = put_endpoint(ctx, &profile_id, self.kind, &at.name, body)?;
        Ok(Written {
            body: rendered,
            location: "global".to_owned(),
            latency: "resourceGroup.delete",
            completes: None,
            unchanged: false,
        })
    }
}

pub fn endpoint(
    ctx: &mut Ctx<'_>,
    rg: &str,
    profile_name: &str,
    kind: &str,
    name: &str,
) -> Result<Resp, ArmError> {
    let rg_id = require_group(ctx, rg)?;
    let profile_id = format!("{rg_id}/providers/{PROFILE_TYPE}/{profile_name}");
    let Some(profile) = ctx.state.get(&profile_id).cloned() else {
        return Err(ArmError::not_found(
            "NotFound",
            format!(
                "The Traffic Manager profile '{profile_name}' under resource group '{rg}' was not found."
            ),
        ));
    };
    let Some(kind) = canonical(
        kind,
        &["azureEndpoints", "externalEndpoints", "nestedEndpoints"],
    ) else {
        return Err(bad(format!(
            "The endpoint type '{kind}' is invalid: use azureEndpoints, externalEndpoints or nestedEndpoints."
        )));
    };
    let id = format!("{}/{kind}/{name}", profile.id);
    let at = At::new(ctx.state, rg, id, name, Some(profile));
    crud::serve(ctx, &at, &Endpoint { kind })
}

fn valid_geo_code(code: &str) -> bool {
    use azure_facts::traffic_manager::{REGIONAL_GROUPINGS, WORLD};
    let country = |c: &str| c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase());
    code == WORLD
        || REGIONAL_GROUPINGS.contains(&code)
        || country(code)
        || code.split_once('-').is_some_and(|(c, s)| {
            country(c) && (1..=3).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric())
        })
}

pub(crate) fn put_endpoint(
    ctx: &mut Ctx<'_>,
    profile_id: &str,
    kind: &str,
    name: &str,
    body: &Value,
) -> Result<Value, ArmError> {
    let profile = ctx
        .state
        .get(profile_id)
        .cloned()
        .ok_or_else(|| bad("profile missing"))?;
    let method = profile.body["properties"]["trafficRoutingMethod"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let id = format!("{profile_id}/{kind}/{name}");
    let others: Vec<Resource> = endpoints_of(ctx.state, profile_id)
        .into_iter()
        .filter(|e| !e.id.eq_ignore_ascii_case(&id))
        .collect();
    let props = &body["properties"];
    let (target, location) = match kind {
        // A nested endpoint may name its child profile by DNS name alone (`target`).
        "nestedEndpoints" if props["targetResourceId"].is_null() && props["target"].is_string() => {
            (
                props["target"].as_str().unwrap_or_default().to_owned(),
                props["endpointLocation"].as_str().map(str::to_owned),
            )
        }
        "azureEndpoints" | "nestedEndpoints" => {
            let Some(target_id) = props["targetResourceId"].as_str() else {
                return Err(
                    bad("targetResourceId is required for Azure and nested endpoints.")
                        .with_target("properties.targetResourceId"),
                );
            };
            let Some(target) = ctx.state.get(target_id) else {
                return Err(bad(format!(
                    "The resource '{target_id}' referenced by endpoint '{name}' could not be found."
                )));
            };
            let fqdn = match target.kind {
                Kind::PublicIp => target.body["properties"]["dnsSettings"]["fqdn"].as_str().map(str::to_owned).ok_or_else(|| {
                    bad(format!("The public IP address '{target_id}' has no DNS name: Traffic Manager Azure endpoints need a public IP with dnsSettings.domainNameLabel."))
                })?,
                Kind::TrafficManagerProfile if kind == "nestedEndpoints" => target.body["properties"]["dnsConfig"]["fqdn"].as_str().unwrap_or_default().to_owned(),
                _ => return Err(bad(format!("The resource '{target_id}' cannot be a {kind} target."))),
            };
            let location = target.body["location"]
                .as_str()
                .map(regions::display_name)
                .filter(|d| !d.is_empty())
                .map(str::to_owned)
                .or_else(|| props["endpointLocation"].as_str().map(str::to_owned));
            (fqdn, location)
        }
        _ => {
            let Some(target) = props["target"].as_str() else {
                return Err(bad("target is required for external endpoints.")
                    .with_target("properties.target"));
            };
            (
                target.to_owned(),
                props["endpointLocation"].as_str().map(str::to_owned),
            )
        }
    };
    let status = props["endpointStatus"]
        .as_str()
        .and_then(|s| canonical(s, &["Enabled", "Disabled"]))
        .unwrap_or("Enabled");
    let priority = match props["priority"].as_i64() {
        Some(p) if !(1..=1000).contains(&p) => {
            return Err(bad(format!(
                "Endpoint '{name}': priority {p} must be between 1 and 1000."
            ))
            .with_target("properties.priority"));
        }
        Some(p)
            if method == "Priority"
                && others
                    .iter()
                    .any(|o| o.body["properties"]["priority"] == json!(p)) =>
        {
            return Err(bad(format!("Endpoint '{name}': priority {p} is already used by another endpoint; priorities must be unique.")).with_target("properties.priority"));
        }
        Some(p) => p,
        None => {
            others
                .iter()
                .filter_map(|o| o.body["properties"]["priority"].as_i64())
                .max()
                .unwrap_or(0)
                + 1
        }
    };
    let weight = props["weight"].as_i64().unwrap_or(1);
    if !(1..=1000).contains(&weight) {
        return Err(bad(format!(
            "Endpoint '{name}': weight {weight} must be between 1 and 1000."
        ))
        .with_target("properties.weight"));
    }
    let mut properties = json!({
        "target": target,
        "endpointStatus": status,
        "endpointMonitorStatus": if status == "Enabled" { "CheckingEndpoint" } else { "Disabled" },
        "weight": weight,
        "priority": priority,
        "alwaysServe": "Disabled",
    });
    if let Some(t) = props["targetResourceId"].as_str() {
        properties["targetResourceId"] = json!(t);
    }
    if let Some(l) = location {
        properties["endpointLocation"] = json!(l);
    } else if method == "Performance" {
        return Err(bad(format!(
            "Endpoint '{name}': endpointLocation is required with the Performance routing method."
        )));
    }
    if kind == "nestedEndpoints" {
        properties["minChildEndpoints"] = json!(props["minChildEndpoints"].as_i64().unwrap_or(1));
    }
    let geo: Vec<String> = props["geoMapping"]
        .as_array()
        .map(|g| {
            g.iter()
                .filter_map(|c| c.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    if method == "Geographic" {
        if geo.is_empty() {
            return Err(bad(format!(
                "Endpoint '{name}': geoMapping is required with the Geographic routing method."
            ))
            .with_target("properties.geoMapping"));
        }
        for code in &geo {
            if !valid_geo_code(code) {
                return Err(bad(format!(
                    "Endpoint '{name}': '{code}' is not a valid geographic region code."
                ))
                .with_target("properties.geoMapping"));
            }
            if let Some(o) = others.iter().find(|o| {
                o.body["properties"]["geoMapping"]
                    .as_array()
                    .is_some_and(|g| g.iter().any(|c| c == code))
            }) {
                return Err(bad(format!(
                    "The geographic region '{code}' is already mapped to endpoint '{}'; each region may be mapped to one endpoint per profile.",
                    o.body["name"].as_str().unwrap_or_default()
                )));
            }
        }
    }
    if !geo.is_empty() {
        properties["geoMapping"] = json!(geo);
    }
    let rendered = json!({ "id": id, "name": name, "type": format!("{PROFILE_TYPE}/{kind}"), "properties": properties });
    // Probed first one interval after the write, on the emulator's clock.
    let interval_ms = profile.body["properties"]["monitorConfig"]["intervalInSeconds"]
        .as_u64()
        .unwrap_or(30)
        * 1000;
    let first_probe = ctx.now + (interval_ms as f64 * ctx.config.latency_scale).round() as u64;
    ctx.state
        .monitors
        .insert(id.to_ascii_lowercase(), first_probe);
    ctx.state.insert(Resource {
        id,
        kind: Kind::TrafficManagerEndpoint,
        body: rendered.clone(),
        pending: None,
    });
    Ok(rendered)
}
