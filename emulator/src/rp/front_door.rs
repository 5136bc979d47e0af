//! `Microsoft.Cdn` Front Door Standard/Premium at api-version 2024-09-01: profiles, endpoints (globally
//! unique names, generated `*.z01.azurefd.net` host names), origin groups, origins, routes, rule sets
//! and their rules, custom domains (validation pending, as DNS has not been proven) and security
//! policies. Every write is long-running; children need their parents, routes an existing origin group,
//! origins a host, security policies an existing WAF policy of the profile's tier and existing domains.

use crate::contract::crud::{self, At, ResourceType, Written};
use crate::contract::error::ArmError;
use crate::contract::profile::{self, Profile};
use crate::contract::request::{Ctx, Resp};
use crate::contract::resource::{require_group, sku};
use crate::contract::store::{Kind, Resource};
use serde_json::{Value, json};

const SKUS: &[&str] = &["Standard_AzureFrontDoor", "Premium_AzureFrontDoor"];

fn bad(message: impl Into<String>) -> ArmError {
    ArmError::bad_request("BadRequest", message)
}

fn not_found(what: &str, name: &str) -> ArmError {
    ArmError::not_found("NotFound", format!("The {what} '{name}' was not found."))
}

/// `profiles/{p}` and what lies below it: `afdendpoints/{e}[/routes/{r}]`, `origingroups/{g}[/origins/{o}]`.
pub fn resource(ctx: &mut Ctx<'_>, rg: &str, path: &[(String, String)]) -> Result<Resp, ArmError> {
    let rg_id = require_group(ctx, rg)?;
    let types: Vec<&str> = path.iter().map(|(t, _)| t.as_str()).collect();
    let kind = match types.as_slice() {
        ["profiles"] => Kind::FrontDoorProfile,
        ["profiles", "afdendpoints"]
        | ["profiles", "origingroups"]
        | ["profiles", "afdendpoints", "routes"]
        | ["profiles", "origingroups", "origins"]
        | ["profiles", "securitypolicies"]
        | ["profiles", "rulesets"]
        | ["profiles", "rulesets", "rules"]
        | ["profiles", "customdomains"] => Kind::FrontDoorChild,
        _ => {
            return Err(ArmError::bad_request(
                "InvalidResourceType",
                format!("The resource type '{}' is not served.", types.join("/")),
            ));
        }
    };
    let canonical = |t: &str| match t {
        "profiles" => "profiles",
        "afdendpoints" => "afdendpoints",
        "origingroups" => "origingroups",
        "routes" => "routes",
        "securitypolicies" => "securitypolicies",
        "rulesets" => "rulesets",
        "customdomains" => "customdomains",
        "rules" => "rules",
        _ => "origins",
    };
    let mut id = format!("{rg_id}/providers/Microsoft.Cdn");
    for (i, (t, n)) in path.iter().enumerate() {
        if i + 1 < path.len() {
            let parent = format!("{id}/{}/{n}", canonical(t));
            if ctx.state.get(&parent).is_none() {
                return Err(ArmError::not_found(
                    "ParentResourceNotFound",
                    format!(
                        "Can not perform requested operation on nested resource. Parent resource '{n}' not found."
                    ),
                ));
            }
        }
        id = format!("{id}/{}/{n}", canonical(t));
    }
    let name = path.last().map(|(_, n)| n.clone()).unwrap_or_default();
    let type_name = format!(
        "Microsoft.Cdn/{}",
        types
            .iter()
            .map(|t| canonical(t))
            .collect::<Vec<_>>()
            .join("/")
    );
    let at = At::new(ctx.state, rg, id, &name, None);
    let types: Vec<String> = types.iter().map(|t| canonical(t).to_owned()).collect();
    crud::serve(
        ctx,
        &at,
        &FrontDoor {
            types,
            kind,
            type_name,
        },
    )
}

/// One of Front Door's types: a profile or what lies below it.
#[derive(Debug)]
struct FrontDoor {
    /// The path's type segments, canonical: `["profiles", "afdendpoints"]`.
    types: Vec<String>,
    kind: Kind,
    type_name: String,
}

impl FrontDoor {
    fn is(&self, path: &[&str]) -> bool {
        self.types
            .iter()
            .map(String::as_str)
            .eq(path.iter().copied())
    }
}

impl ResourceType for FrontDoor {
    /// Origin groups and rule sets are written at once (spec: rule sets 200/201 only); the rest runs as
    /// operations.
    fn profile(&self) -> &'static Profile {
        if self.is(&["profiles", "origingroups"]) || self.is(&["profiles", "rulesets"]) {
            &profile::CDN_SYNC
        } else {
            &profile::CDN
        }
    }
    fn kind(&self) -> Kind {
        self.kind
    }
    fn type_name(&self) -> &'static str {
        "Microsoft.Cdn/profiles"
    }
    fn delete_latency(&self) -> &'static str {
        "frontDoor.delete"
    }
    fn busy_blocks_delete(&self) -> bool {
        false
    }
    /// A rule set takes no body.
    fn needs_body(&self) -> bool {
        !self.is(&["profiles", "rulesets"])
    }

    fn not_found(&self, at: &At) -> ArmError {
        not_found(
            self.types.last().map_or("resource", String::as_str),
            &at.name,
        )
    }

    fn busy(&self, _ctx: &Ctx<'_>, at: &At, existing: Option<&Resource>) -> Option<ArmError> {
        existing.filter(|r| r.is_busy()).map(|_| {
            ArmError::conflict(
                "Conflict",
                format!(
                    "'{}' is being updated; retry when the current operation finishes.",
                    at.name
                ),
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
        let body = if self.is(&["profiles", "rulesets"]) {
            let profile_name = at
                .id
                .split("/profiles/")
                .nth(1)
                .and_then(|s| s.split('/').next())
                .unwrap_or_default();
            let props = json!({ "profileName": profile_name, "provisioningState": "Succeeded", "deploymentStatus": "NotStarted" });
            json!({ "id": at.id, "name": at.name, "type": self.type_name, "properties": props })
        } else {
            let types: Vec<&str> = self.types.iter().map(String::as_str).collect();
            render(
                ctx,
                &types,
                &at.id,
                &at.name,
                &self.type_name,
                body,
                existing,
            )?
        };
        Ok(Written {
            body,
            location: "global".to_owned(),
            latency: "frontDoor.put",
            completes: None,
            unchanged: false,
        })
    }
}

/// `Enabled` or `Disabled` as the request says, else `default`.
fn flag(props: &Value, key: &str, default: &'static str) -> &'static str {
    match props[key].as_str() {
        Some(s) if s.eq_ignore_ascii_case("Disabled") => "Disabled",
        Some(s) if s.eq_ignore_ascii_case("Enabled") => "Enabled",
        _ => default,
    }
}

fn state(props: &Value, key: &str) -> &'static str {
    flag(props, key, "Enabled")
}

fn render(
    ctx: &Ctx<'_>,
    types: &[&str],
    id: &str,
    name: &str,
    type_name: &str,
    body: &Value,
    existing: Option<&Resource>,
) -> Result<Value, ArmError> {
    let props = &body["properties"];
    let profile_name = id
        .split("/profiles/")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .unwrap_or_default();
    let properties = match types {
        ["profiles"] => {
            if !body["location"]
                .as_str()
                .is_some_and(|l| l.eq_ignore_ascii_case("global"))
            {
                return Err(
                    bad("Front Door profiles live in location 'global'.").with_target("location")
                );
            }
            let Some(sku) = sku(body, SKUS) else {
                return Err(bad(format!("sku.name must be one of {}.", SKUS.join(", ")))
                    .with_target("sku.name"));
            };
            if let Some(old) = existing
                && old.body["sku"]["name"].as_str() == Some("Premium_AzureFrontDoor")
                && sku == "Standard_AzureFrontDoor"
            {
                return Err(bad("A Premium profile cannot be downgraded to Standard."));
            }
            let front_door_id = existing.map_or_else(
                || json!(uuid::Uuid::new_v4().to_string()),
                |r| r.body["properties"]["frontDoorId"].clone(),
            );
            return Ok(json!({
                "id": id, "name": name, "type": type_name, "location": "Global", "kind": "frontdoor",
                "tags": body.get("tags").cloned().unwrap_or_else(|| json!({})),
                "sku": { "name": sku },
                "properties": { "provisioningState": "Creating", "resourceState": "Active", "frontDoorId": front_door_id, "originResponseTimeoutSeconds": props["originResponseTimeoutSeconds"].as_i64().unwrap_or(60) },
            }));
        }
        ["profiles", "afdendpoints"] => {
            let taken = ctx.state.resources.values().any(|r| {
                r.kind == Kind::FrontDoorChild
                    && !r.id.eq_ignore_ascii_case(id)
                    && r.body["type"] == json!(type_name)
                    && r.body["name"]
                        .as_str()
                        .is_some_and(|n| n.eq_ignore_ascii_case(name))
            });
            if taken {
                return Err(ArmError::conflict(
                    "Conflict",
                    format!(
                        "The endpoint name '{name}' is already in use: endpoint names are globally unique."
                    ),
                ));
            }
            let host = existing.map_or_else(
                || {
                    format!(
                        "{name}-{}.z01.azurefd.net",
                        &uuid::Uuid::new_v4().simple().to_string()[..16]
                    )
                },
                |r| {
                    r.body["properties"]["hostName"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned()
                },
            );
            json!({ "profileName": profile_name, "enabledState": state(props, "enabledState"), "hostName": host, "autoGeneratedDomainNameLabelScope": "TenantReuse" })
        }
        ["profiles", "origingroups"] => {
            let lb = &props["loadBalancingSettings"];
            // The spec's bounds (cdn.json, HealthProbeParameters).
            if let Some(interval) = props["healthProbeSettings"]["probeIntervalInSeconds"].as_i64()
                && !(1..=255).contains(&interval)
            {
                return Err(bad(format!(
                    "healthProbeSettings.probeIntervalInSeconds {interval} must be between 1 and 255."
                ))
                .with_target("properties.healthProbeSettings.probeIntervalInSeconds"));
            }
            json!({
                "profileName": profile_name,
                "loadBalancingSettings": { "sampleSize": lb["sampleSize"].as_i64().unwrap_or(4), "successfulSamplesRequired": lb["successfulSamplesRequired"].as_i64().unwrap_or(3), "additionalLatencyInMilliseconds": lb["additionalLatencyInMilliseconds"].as_i64().unwrap_or(50) },
                "healthProbeSettings": props["healthProbeSettings"],
                "sessionAffinityState": flag(props, "sessionAffinityState", "Disabled"),
                "trafficRestorationTimeToHealedOrNewEndpointsInMinutes": props["trafficRestorationTimeToHealedOrNewEndpointsInMinutes"].as_i64().unwrap_or(10),
            })
        }
        ["profiles", "securitypolicies"] => security_policy(ctx, profile_name, id, props)?,
        ["profiles", "rulesets", "rules"] => rule(id, props)?,
        ["profiles", "customdomains"] => custom_domain(profile_name, props)?,
        ["profiles", "origingroups", "origins"] => {
            let Some(host) = props["hostName"].as_str().filter(|h| !h.is_empty()) else {
                return Err(
                    bad("properties.hostName is required.").with_target("properties.hostName")
                );
            };
            let priority = props["priority"].as_i64().unwrap_or(1);
            let weight = props["weight"].as_i64().unwrap_or(1000);
            if !(1..=5).contains(&priority) || !(1..=1000).contains(&weight) {
                return Err(bad(format!(
                    "Origin '{name}': priority must be 1-5 and weight 1-1000."
                )));
            }
            let group = id
                .split("/origingroups/")
                .nth(1)
                .and_then(|s| s.split('/').next())
                .unwrap_or_default();
            json!({
                "originGroupName": group, "hostName": host, "httpPort": props["httpPort"].as_i64().unwrap_or(80), "httpsPort": props["httpsPort"].as_i64().unwrap_or(443),
                "originHostHeader": props["originHostHeader"].as_str().unwrap_or(host), "priority": priority, "weight": weight,
                "enabledState": state(props, "enabledState"), "enforceCertificateNameCheck": props["enforceCertificateNameCheck"].as_bool().unwrap_or(true),
            })
        }
        _ => {
            let Some(group) = props["originGroup"]["id"].as_str() else {
                return Err(bad("properties.originGroup.id is required.")
                    .with_target("properties.originGroup"));
            };
            if ctx.state.get(group).is_none() {
                return Err(bad(format!("The origin group '{group}' does not exist.")));
            }
            let endpoint = id
                .split("/afdendpoints/")
                .nth(1)
                .and_then(|s| s.split('/').next())
                .unwrap_or_default();
            json!({
                "endpointName": endpoint, "originGroup": { "id": group }, "customDomains": [], "ruleSets": rule_sets(ctx, props)?,
                "supportedProtocols": props["supportedProtocols"].as_array().cloned().unwrap_or_else(|| vec![json!("Http"), json!("Https")]),
                "patternsToMatch": props["patternsToMatch"].as_array().cloned().unwrap_or_else(|| vec![json!("/*")]),
                "forwardingProtocol": props["forwardingProtocol"].as_str().unwrap_or("MatchRequest"),
                // The trap: a route serves the *.azurefd.net host only when this is Enabled; it defaults to Disabled.
                "linkToDefaultDomain": flag(props, "linkToDefaultDomain", "Disabled"),
                "httpsRedirect": flag(props, "httpsRedirect", "Disabled"),
                "enabledState": state(props, "enabledState"),
            })
        }
    };
    let mut properties = properties;
    if let Some(p) = properties.as_object_mut() {
        // Optional and not nullable: absent when not given.
        p.retain(|_, v| !v.is_null());
    }
    properties["provisioningState"] = json!("Creating");
    properties["deploymentStatus"] = json!("NotStarted");
    let mut out = json!({ "id": id, "name": name, "type": type_name, "properties": properties });
    if types == ["profiles", "afdendpoints"] {
        // Endpoints are tracked resources: they carry a location (global) and tags.
        out["location"] = json!("Global");
        out["tags"] = body.get("tags").cloned().unwrap_or_else(|| json!({}));
    }
    Ok(out)
}

/// A security policy: attaches a WAF policy (of the profile's own tier) to endpoints' domains.
fn security_policy(
    ctx: &Ctx<'_>,
    profile_name: &str,
    id: &str,
    props: &Value,
) -> Result<Value, ArmError> {
    let params = &props["parameters"];
    if !params["type"]
        .as_str()
        .is_some_and(|t| t.eq_ignore_ascii_case("WebApplicationFirewall"))
    {
        return Err(
            bad("properties.parameters.type must be WebApplicationFirewall.")
                .with_target("properties.parameters.type"),
        );
    }
    let Some(waf_id) = params["wafPolicy"]["id"].as_str() else {
        return Err(bad("properties.parameters.wafPolicy.id is required.")
            .with_target("properties.parameters.wafPolicy"));
    };
    let Some(waf) = ctx.state.get(waf_id).filter(|r| r.kind == Kind::WafPolicy) else {
        return Err(bad(format!("The WAF policy '{waf_id}' does not exist."))
            .with_target("properties.parameters.wafPolicy.id"));
    };
    let profile_id = id.split("/securitypolicies/").next().unwrap_or_default();
    let profile_sku = ctx
        .state
        .get(profile_id)
        .and_then(|p| p.body["sku"]["name"].as_str().map(str::to_owned))
        .unwrap_or_default();
    let waf_sku = waf.body["sku"]["name"].as_str().unwrap_or_default();
    if !waf_sku.eq_ignore_ascii_case(&profile_sku) {
        return Err(bad(format!(
            "The WAF policy's sku {waf_sku} does not match the profile's sku {profile_sku}."
        ))
        .with_target("properties.parameters.wafPolicy.id"));
    }
    let mut associations = Vec::new();
    for (i, a) in params["associations"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let mut domains = Vec::new();
        for d in a["domains"].as_array().into_iter().flatten() {
            let domain = d["id"].as_str().unwrap_or_default();
            if ctx.state.get(domain).is_none() {
                return Err(bad(format!("The domain '{domain}' does not exist."))
                    .with_target(format!("properties.parameters.associations[{i}].domains")));
            }
            domains.push(json!({ "id": domain, "isActive": true }));
        }
        let patterns = a["patternsToMatch"].as_array().cloned().unwrap_or_default();
        if domains.is_empty() || patterns.is_empty() {
            return Err(bad("Each association needs domains and patternsToMatch.")
                .with_target(format!("properties.parameters.associations[{i}]")));
        }
        associations.push(json!({ "domains": domains, "patternsToMatch": patterns }));
    }
    if associations.is_empty() {
        return Err(bad("A security policy needs at least one association.")
            .with_target("properties.parameters.associations"));
    }
    Ok(json!({
        "profileName": profile_name,
        "parameters": { "type": "WebApplicationFirewall", "wafPolicy": { "id": waf.id }, "associations": associations },
    }))
}

/// A rule of a rule set: its order, its actions (at least one) and conditions, as given.
fn rule(id: &str, props: &Value) -> Result<Value, ArmError> {
    let Some(order) = props["order"].as_i64().filter(|o| *o >= 0) else {
        return Err(
            bad("properties.order is required: a whole number, 0 or more.")
                .with_target("properties.order"),
        );
    };
    let actions = props["actions"].as_array().cloned().unwrap_or_default();
    if actions.is_empty() {
        return Err(bad("A rule needs at least one action.").with_target("properties.actions"));
    }
    let behaviour = match props["matchProcessingBehavior"].as_str() {
        None => "Continue",
        Some(b) if b.eq_ignore_ascii_case("Continue") => "Continue",
        Some(b) if b.eq_ignore_ascii_case("Stop") => "Stop",
        Some(b) => {
            return Err(bad(format!(
                "matchProcessingBehavior '{b}' must be Continue or Stop."
            ))
            .with_target("properties.matchProcessingBehavior"));
        }
    };
    let set = id
        .split("/rulesets/")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .unwrap_or_default();
    Ok(json!({
        "ruleSetName": set, "order": order, "actions": actions,
        "conditions": props["conditions"].as_array().cloned().unwrap_or_default(),
        "matchProcessingBehavior": behaviour,
    }))
}

/// A route's rule sets: each must exist.
fn rule_sets(ctx: &Ctx<'_>, props: &Value) -> Result<Value, ArmError> {
    let mut out = Vec::new();
    for (i, r) in props["ruleSets"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let id = r["id"].as_str().unwrap_or_default();
        if ctx.state.get(id).is_none() {
            return Err(bad(format!("The rule set '{id}' does not exist."))
                .with_target(format!("properties.ruleSets[{i}]")));
        }
        out.push(json!({ "id": id }));
    }
    Ok(json!(out))
}

/// A custom domain: a host name and TLS settings; its validation stays pending (the emulator has no
/// DNS to check the TXT record against).
fn custom_domain(profile_name: &str, props: &Value) -> Result<Value, ArmError> {
    let Some(host) = props["hostName"].as_str().filter(|h| h.contains('.')) else {
        return Err(
            bad("properties.hostName is required: a fully qualified domain name.")
                .with_target("properties.hostName"),
        );
    };
    let tls = &props["tlsSettings"];
    let certificate = match tls["certificateType"].as_str() {
        None | Some("ManagedCertificate") => "ManagedCertificate",
        Some("CustomerCertificate") => "CustomerCertificate",
        Some("AzureFirstPartyManagedCertificate") => "AzureFirstPartyManagedCertificate",
        Some(other) => {
            return Err(bad(format!(
                "certificateType '{other}' must be ManagedCertificate, CustomerCertificate or AzureFirstPartyManagedCertificate."
            ))
            .with_target("properties.tlsSettings.certificateType"));
        }
    };
    Ok(json!({
        "profileName": profile_name, "hostName": host,
        "tlsSettings": { "certificateType": certificate, "minimumTlsVersion": tls["minimumTlsVersion"].as_str().unwrap_or("TLS12") },
        "validationProperties": { "validationToken": uuid::Uuid::new_v4().simple().to_string(), "expirationDate": "" },
        "domainValidationState": "Pending",
    }))
}
