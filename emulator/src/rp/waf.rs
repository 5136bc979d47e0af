//! `Microsoft.Network/FrontDoorWebApplicationFirewallPolicies` at api-version 2024-02-01: the WAF
//! policies Front Door Standard/Premium attach through a security policy. Location `Global`; names
//! alphanumeric (the naming rules, stricter than the spec); custom rules on every tier, managed rule
//! sets on Premium (and Classic) only. PUT and DELETE are long-running; a policy a security policy
//! still uses cannot be deleted.

use crate::contract::error::ArmError;
use crate::contract::lro::{self, OpSite};
use crate::contract::request::{Ctx, Resp};
use crate::contract::resource::{method_not_allowed, not_found, require_group};
use crate::contract::store::{Kind, Resource};
use axum::http::Method;
use serde_json::{Value, json};
use std::collections::BTreeSet;

const TYPE: &str = "Microsoft.Network/frontdoorwebapplicationfirewallpolicies";
const SKUS: &[&str] = &[
    "Classic_AzureFrontDoor",
    "Standard_AzureFrontDoor",
    "Premium_AzureFrontDoor",
];
const ACTIONS: &[&str] = &[
    "Allow",
    "Block",
    "Log",
    "Redirect",
    "AnomalyScoring",
    "JSChallenge",
];
const VARIABLES: &[&str] = &[
    "RemoteAddr",
    "RequestMethod",
    "QueryString",
    "PostArgs",
    "RequestUri",
    "RequestHeader",
    "RequestBody",
    "Cookies",
    "SocketAddr",
];
const OPERATORS: &[&str] = &[
    "Any",
    "IPMatch",
    "GeoMatch",
    "Equal",
    "Contains",
    "LessThan",
    "GreaterThan",
    "LessThanOrEqual",
    "GreaterThanOrEqual",
    "BeginsWith",
    "EndsWith",
    "RegEx",
];

fn site() -> OpSite<'static> {
    OpSite {
        namespace: "Microsoft.Network",
        location: "global",
        api_version: crate::contract::versions::API_NETWORK,
    }
}

/// A validation error as the WAF provider words it (its errors are bare `{"code","message"}`).
fn bad(code: &str, message: impl Into<String>, target: &str) -> ArmError {
    ArmError::bad_request(
        code,
        format!(
            "WebApplicationFirewallPolicy validation failed. More information \"{} ({target})\".",
            message.into()
        ),
    )
    .flat()
}

/// `value` as one of `allowed` in its canonical casing.
fn one_of(value: Option<&str>, allowed: &[&'static str]) -> Option<&'static str> {
    let value = value?;
    allowed
        .iter()
        .find(|a| a.eq_ignore_ascii_case(value))
        .copied()
}

fn valid_name(name: &str) -> bool {
    (1..=128).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
}

pub fn policy(ctx: &mut Ctx<'_>, rg: &str, name: &str) -> Result<Resp, ArmError> {
    let rg_id = require_group(ctx, rg)?;
    let id = format!(
        "{rg_id}/providers/Microsoft.Network/FrontDoorWebApplicationFirewallPolicies/{name}"
    );
    let existing = ctx.state.get(&id).cloned();
    match ctx.method {
        Method::GET => existing
            .map(|r| {
                let mut body = r.body;
                body["properties"]["securityPolicyLinks"] = json!(links(ctx, &id));
                Resp::json(200, body)
            })
            .ok_or_else(|| not_found(TYPE, name, rg).flat()),
        Method::PUT => {
            let body = ctx.json_body()?.clone();
            if existing.as_ref().is_some_and(Resource::is_busy) {
                return Err(ArmError::conflict(
                    "Conflict",
                    format!("The policy '{name}' is being updated; retry when the current operation finishes."),
                )
                .flat());
            }
            let rendered = render(&id, name, &body, existing.as_ref(), &links(ctx, &id))?;
            ctx.state.insert(Resource {
                id: id.clone(),
                kind: Kind::WafPolicy,
                body: rendered,
                pending: None,
            });
            let (op, duration) = lro::start_put(ctx, &id, existing.is_some(), "frontDoor.put");
            let current = ctx
                .state
                .get(&id)
                .map(|r| r.body.clone())
                .unwrap_or_default();
            let mut resp = Resp::json(if existing.is_some() { 200 } else { 201 }, current);
            lro::accepted_put(ctx, &mut resp, site(), &op, duration);
            Ok(resp)
        }
        Method::DELETE => match existing {
            None => Ok(Resp::empty(204)),
            Some(old) => {
                if let Some(user) = links(ctx, &old.id).first() {
                    return Err(ArmError::conflict(
                        "Conflict",
                        format!(
                            "The policy '{name}' is in use by the security policy '{}'; delete that first.",
                            user["id"].as_str().unwrap_or_default()
                        ),
                    )
                    .flat());
                }
                let duration = ctx.latency("frontDoor.delete");
                let op = lro::start(ctx, &old.id, "Deleting", duration);
                let mut resp = Resp::empty(202);
                lro::accepted_delete(ctx, &mut resp, site(), &op, duration);
                Ok(resp)
            }
        },
        _ => Err(method_not_allowed(&ctx.method)),
    }
}

/// The security policies that use the policy `id`, as `securityPolicyLinks`.
fn links(ctx: &Ctx<'_>, id: &str) -> Vec<Value> {
    ctx.state
        .resources
        .values()
        .filter(|r| {
            r.kind == Kind::FrontDoorChild
                && r.body["properties"]["parameters"]["wafPolicy"]["id"]
                    .as_str()
                    .is_some_and(|w| w.eq_ignore_ascii_case(id))
        })
        .map(|r| json!({ "id": r.id }))
        .collect()
}

fn render(
    id: &str,
    name: &str,
    body: &Value,
    existing: Option<&Resource>,
    links: &[Value],
) -> Result<Value, ArmError> {
    if !valid_name(name) {
        return Err(bad(
            "InvalidResourceName",
            format!(
                "The policy name '{name}' is invalid: 1-128 letters and digits, starting with a letter."
            ),
            "name",
        ));
    }
    if !body["location"]
        .as_str()
        .is_some_and(|l| l.eq_ignore_ascii_case("global"))
    {
        return Err(bad(
            "LocationNotAvailableForResourceType",
            format!(
                "The provided location '{}' is not available for resource type '{TYPE}'. List of available regions for the resource type is 'global'.",
                body["location"].as_str().unwrap_or_default()
            ),
            "location",
        ));
    }
    let sku = match body["sku"]["name"].as_str() {
        None => "Classic_AzureFrontDoor",
        Some(s) => one_of(Some(s), SKUS).ok_or_else(|| {
            bad(
                "BadRequest",
                format!("sku.name must be one of {}.", SKUS.join(", ")),
                "sku.name",
            )
        })?,
    };
    let props = &body["properties"];
    let settings = &props["policySettings"];
    let mode = match settings["mode"].as_str() {
        None => "Prevention",
        Some(m) => one_of(Some(m), &["Prevention", "Detection"]).ok_or_else(|| {
            bad(
                "BadRequest",
                "policySettings.mode must be Prevention or Detection.",
                "properties.policySettings.mode",
            )
        })?,
    };
    let rules = custom_rules(&props["customRules"]["rules"])?;
    let sets = props["managedRules"]["managedRuleSets"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if !sets.is_empty() && sku == "Standard_AzureFrontDoor" {
        return Err(bad(
            "BadRequest",
            "Managed rule sets are supported only by the Premium_AzureFrontDoor (and Classic) sku; a Standard_AzureFrontDoor policy takes custom rules only.",
            "properties.managedRules",
        ));
    }
    for (i, set) in sets.iter().enumerate() {
        if set["ruleSetType"].as_str().is_none_or(str::is_empty)
            || set["ruleSetVersion"].as_str().is_none_or(str::is_empty)
        {
            return Err(bad(
                "BadRequest",
                "Each managed rule set needs ruleSetType and ruleSetVersion, e.g. Microsoft_DefaultRuleSet 2.1.",
                &format!("properties.managedRules.managedRuleSets[{i}]"),
            ));
        }
    }
    if let Some(old) = existing
        && old.body["sku"]["name"].as_str() != Some(sku)
        && !links.is_empty()
    {
        return Err(bad(
            "BadRequest",
            "The sku of a policy a security policy uses cannot change; it follows the profile's sku.",
            "sku.name",
        ));
    }
    let managed: Vec<Value> = sets
        .iter()
        .map(|s| {
            json!({
                "ruleSetType": s["ruleSetType"], "ruleSetVersion": s["ruleSetVersion"],
                "ruleSetAction": s["ruleSetAction"].as_str().unwrap_or("Block"),
                "exclusions": s["exclusions"].as_array().cloned().unwrap_or_default(),
                "ruleGroupOverrides": s["ruleGroupOverrides"].as_array().cloned().unwrap_or_default(),
            })
        })
        .collect();
    Ok(json!({
        "id": id, "name": name, "type": TYPE, "location": "Global",
        "tags": body.get("tags").cloned().unwrap_or_else(|| json!({})),
        "etag": format!("\"{}\"", uuid::Uuid::new_v4()),
        "sku": { "name": sku },
        "properties": {
            "policySettings": {
                "enabledState": one_of(settings["enabledState"].as_str(), &["Enabled", "Disabled"]).unwrap_or("Enabled"),
                "mode": mode,
                "requestBodyCheck": one_of(settings["requestBodyCheck"].as_str(), &["Enabled", "Disabled"]).unwrap_or("Enabled"),
            },
            "customRules": { "rules": rules },
            "managedRules": { "managedRuleSets": managed },
            "frontendEndpointLinks": [], "routingRuleLinks": [], "securityPolicyLinks": links,
            "provisioningState": "Creating", "resourceState": "Enabled",
        },
    }))
}

fn custom_rules(rules: &Value) -> Result<Vec<Value>, ArmError> {
    let mut names = BTreeSet::new();
    let mut priorities = BTreeSet::new();
    let mut out = Vec::new();
    for (i, rule) in rules.as_array().into_iter().flatten().enumerate() {
        let at = format!("properties.customRules.rules[{i}]");
        let name = rule["name"].as_str().unwrap_or_default();
        if !valid_name(name) {
            return Err(bad(
                "BadRequest",
                format!(
                    "Custom rule name '{name}' is invalid: 1-128 letters and digits, starting with a letter."
                ),
                &format!("{at}.name"),
            ));
        }
        if !names.insert(name.to_ascii_lowercase()) {
            return Err(bad(
                "BadRequest",
                format!(
                    "Custom rule name '{name}' is used twice; rule names are unique in a policy."
                ),
                &format!("{at}.name"),
            ));
        }
        let Some(priority) = rule["priority"].as_i64() else {
            return Err(bad(
                "BadRequest",
                "A custom rule needs a priority.",
                &format!("{at}.priority"),
            ));
        };
        if !priorities.insert(priority) {
            return Err(bad(
                "BadRequest",
                format!(
                    "Custom rule priority {priority} is used twice; priorities are unique in a policy."
                ),
                &format!("{at}.priority"),
            ));
        }
        let Some(action) = one_of(rule["action"].as_str(), ACTIONS) else {
            return Err(bad(
                "BadRequest",
                format!(
                    "A custom rule's action must be one of {}.",
                    ACTIONS.join(", ")
                ),
                &format!("{at}.action"),
            ));
        };
        let rule_type = one_of(rule["ruleType"].as_str(), &["MatchRule", "RateLimitRule"])
            .ok_or_else(|| {
                bad(
                    "BadRequest",
                    "ruleType must be MatchRule or RateLimitRule.",
                    &format!("{at}.ruleType"),
                )
            })?;
        let duration = rule["rateLimitDurationInMinutes"].as_i64().unwrap_or(1);
        let threshold = rule["rateLimitThreshold"].as_i64();
        if rule_type == "RateLimitRule"
            && (!matches!(duration, 1 | 5) || threshold.is_none_or(|t| t < 1))
        {
            return Err(bad(
                "BadRequest",
                "A rate limit rule needs rateLimitThreshold of at least 1 and rateLimitDurationInMinutes of 1 or 5.",
                &at,
            ));
        }
        let conditions = rule["matchConditions"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if conditions.is_empty() {
            return Err(bad(
                "BadRequest",
                "A custom rule needs at least one match condition.",
                &format!("{at}.matchConditions"),
            ));
        }
        let mut matched = Vec::new();
        for (j, c) in conditions.iter().enumerate() {
            let cat = format!("{at}.matchConditions[{j}]");
            let variable = one_of(c["matchVariable"].as_str(), VARIABLES).ok_or_else(|| {
                bad(
                    "BadRequest",
                    format!("matchVariable must be one of {}.", VARIABLES.join(", ")),
                    &format!("{cat}.matchVariable"),
                )
            })?;
            let operator = one_of(c["operator"].as_str(), OPERATORS).ok_or_else(|| {
                bad(
                    "BadRequest",
                    format!("operator must be one of {}.", OPERATORS.join(", ")),
                    &format!("{cat}.operator"),
                )
            })?;
            if matches!(operator, "IPMatch" | "GeoMatch")
                && !matches!(variable, "RemoteAddr" | "SocketAddr")
            {
                return Err(bad(
                    "BadRequest",
                    format!("The {operator} operator applies to RemoteAddr or SocketAddr only."),
                    &format!("{cat}.operator"),
                ));
            }
            let values = c["matchValue"].as_array().cloned().unwrap_or_default();
            if values.is_empty() && operator != "Any" {
                return Err(bad(
                    "BadRequest",
                    "matchValue needs at least one value.",
                    &format!("{cat}.matchValue"),
                ));
            }
            matched.push(json!({
                "matchVariable": variable, "operator": operator, "matchValue": values,
                "negateCondition": c["negateCondition"].as_bool().unwrap_or(false),
                "selector": c["selector"].clone(),
                "transforms": c["transforms"].as_array().cloned().unwrap_or_default(),
            }));
            if c["selector"].is_null()
                && let Some(last) = matched.last_mut().and_then(Value::as_object_mut)
            {
                last.remove("selector");
            }
        }
        let mut out_rule = json!({
            "name": name, "priority": priority, "action": action, "ruleType": rule_type,
            "enabledState": one_of(rule["enabledState"].as_str(), &["Enabled", "Disabled"]).unwrap_or("Enabled"),
            "rateLimitDurationInMinutes": duration, "matchConditions": matched,
        });
        if let Some(t) = threshold {
            out_rule["rateLimitThreshold"] = json!(t);
        }
        out.push(out_rule);
    }
    Ok(out)
}
