//! `Microsoft.Network/trafficmanagerprofiles` and their endpoints at api-version 2022-04-01. Every
//! Traffic Manager operation is synchronous. Enforced: location `global`, globally unique DNS names,
//! routing-method rules (unique priorities, weights 1-1000, each geographic code mapped once), Azure
//! endpoints whose public IP has a DNS name.

use crate::contract::crud::{self, At, ResourceType, Written};
use crate::contract::error::ArmError;
use crate::contract::profile;
use crate::contract::regions;
use crate::contract::request::{Ctx, Resp};
use crate::contract::resource::{method_not_allowed, require_group};
use crate::contract::store::{Kind, Resource, State, now_ms};
use axum::http::Method;
use serde_json::{Value, json};

const PROFILE_TYPE: &str = "Microsoft.Network/trafficManagerProfiles";
const METHODS: &[&str] = &[
    "Performance",
    "Priority",
    "Weighted",
    "Geographic",
    "MultiValue",
    "Subnet",
];

fn bad(message: impl Into<String>) -> ArmError {
    ArmError::bad_request("BadRequest", message)
}

fn canonical<'a>(value: &str, allowed: &[&'a str]) -> Option<&'a str> {
    allowed
        .iter()
        .copied()
        .find(|a| a.eq_ignore_ascii_case(value))
}

fn endpoints_of(state: &State, profile_id: &str) -> Vec<Resource> {
    state
        .children_of(profile_id)
        .iter()
        .filter_map(|k| state.resources.get(k))
        .filter(|r| r.kind == Kind::TrafficManagerEndpoint)
        .cloned()
        .collect()
}

/// An endpoint's monitor status as Traffic Manager reports it: `Disabled` when disabled,
/// `CheckingEndpoint` until its first probe (one probing interval after it was written: traffic-manager
/// #7, #9, #11), then `Online` (the emulator's endpoints answer their probes).
fn render_endpoint(state: &State, endpoint: &Resource) -> Value {
    let mut body = endpoint.body.clone();
    let status = if body["properties"]["endpointStatus"] == "Disabled" {
        "Disabled"
    } else if state
        .monitors
        .get(&endpoint.id.to_ascii_lowercase())
        .is_some_and(|first_probe| now_ms() < *first_probe)
    {
        "CheckingEndpoint"
    } else {
        "Online"
    };
    body["properties"]["endpointMonitorStatus"] = json!(status);
    body
}

/// The profile as GET shows it: its endpoints folded in, and the profile's monitor status from
/// theirs: `Disabled` for a disabled profile; `Inactive` with no endpoint enabled (traffic-manager #1,
/// #15; learn.microsoft.com traffic-manager-monitoring); `CheckingEndpoints` while one is checked
/// (#11); `Online` when one is online, else `Degraded`.
fn render_profile(state: &State, profile: &Resource) -> Value {
    let mut body = profile.body.clone();
    let endpoints: Vec<Value> = endpoints_of(state, &profile.id)
        .iter()
        .map(|e| render_endpoint(state, e))
        .collect();
    let has = |status: &str| {
        endpoints
            .iter()
            .any(|e| e["properties"]["endpointMonitorStatus"] == status)
    };
    let status = if body["properties"]["profileStatus"] == "Disabled" {
        "Disabled"
    } else if endpoints
        .iter()
        .all(|e| e["properties"]["endpointMonitorStatus"] == "Disabled")
    {
        "Inactive"
    } else if has("CheckingEndpoint") {
        "CheckingEndpoints"
    } else if has("Online") {
        "Online"
    } else {
        "Degraded"
    };
    body["properties"]["monitorConfig"]["profileMonitorStatus"] = json!(status);
    body["properties"]["endpoints"] = json!(endpoints);
    body
}

fn monitor(config: &Value) -> Result<Value, ArmError> {
    let protocol = canonical(
        config["protocol"].as_str().unwrap_or("HTTP"),
        &["HTTP", "HTTPS", "TCP"],
    )
    .ok_or_else(|| bad("monitorConfig.protocol must be HTTP, HTTPS or TCP."))?;
    let port = config["port"]
        .as_i64()
        .unwrap_or(if protocol == "HTTPS" { 443 } else { 80 });
    if !(1..=65_535).contains(&port) {
        return Err(bad(format!(
            "monitorConfig.port {port} must be between 1 and 65535."
        )));
    }
    let path = config["path"].as_str().unwrap_or("/");
    if protocol != "TCP" && !path.starts_with('/') {
        return Err(bad(format!(
            "monitorConfig.path '{path}' must start with '/'."
        )));
    }
    let interval = config["intervalInSeconds"].as_i64().unwrap_or(30);
    if interval != 10 && interval != 30 {
        return Err(bad("monitorConfig.intervalInSeconds must be 10 or 30."));
    }
    // Left out, the timeout is 10 s, or 9 s at a 10 s interval (learn.microsoft.com traffic-manager-monitoring).
    let timeout = config["timeoutInSeconds"]
        .as_i64()
        .unwrap_or(if interval == 10 { 9 } else { 10 });
    let failures = config["toleratedNumberOfFailures"].as_i64().unwrap_or(3);
    if !(5..=10).contains(&timeout)
        || (interval == 10 && timeout == 10)
        || !(0..=9).contains(&failures)
    {
        return Err(bad(
            "monitorConfig: timeoutInSeconds must be 5-10 (below a 10 s interval) and toleratedNumberOfFailures 0-9.",
        ));
    }
    let mut out = json!({ "protocol": protocol, "port": port, "intervalInSeconds": interval, "timeoutInSeconds": timeout, "toleratedNumberOfFailures": failures });
    if protocol != "TCP" {
        out["path"] = json!(path);
    }
    let list = |key: &str| config[key].as_array().cloned().unwrap_or_default();
    let headers = list("customHeaders");
    let ranges = list("expectedStatusCodeRanges");
    if headers.len() > 8 || ranges.len() > 8 {
        return Err(bad(
            "monitorConfig: at most 8 custom headers and 8 expected status code ranges.",
        ));
    }
    if headers
        .iter()
        .any(|h| h["name"].as_str().is_none_or(str::is_empty) || !h["value"].is_string())
    {
        return Err(bad(
            "monitorConfig.customHeaders: each header needs a name and a value.",
        ));
    }
    for r in &ranges {
        let (min, max) = (
            r["min"].as_i64().unwrap_or(0),
            r["max"].as_i64().unwrap_or(0),
        );
        if !(100..=999).contains(&min) || !(min..=999).contains(&max) {
            return Err(bad(format!(
                "monitorConfig.expectedStatusCodeRanges: {min}-{max} is not a range of HTTP status codes."
            )));
        }
    }
    if protocol == "TCP" && (!headers.is_empty() || !ranges.is_empty()) {
        return Err(bad(
            "monitorConfig: custom headers and expected status code ranges need the HTTP or HTTPS protocol.",
        ));
    }
    out["customHeaders"] = json!(headers);
    out["expectedStatusCodeRanges"] = json!(ranges);
    Ok(out)
}

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
    const REGIONS: &[&str] = &[
        "WORLD", "GEO-NA", "GEO-SA", "GEO-EU", "GEO-ME", "GEO-AF", "GEO-AS", "GEO-AP", "GEO-AN",
    ];
    let country = |c: &str| c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase());
    REGIONS.contains(&code)
        || country(code)
        || code.split_once('-').is_some_and(|(c, s)| {
            country(c) && (1..=3).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric())
        })
}

fn put_endpoint(
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
