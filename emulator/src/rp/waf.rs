//! `Microsoft.Network/FrontDoorWebApplicationFirewallPolicies` at api-version 2024-02-01: the WAF
//! policies Front Door Standard/Premium attach through a security policy. Location `Global`; names
//! alphanumeric (the naming rules, stricter than the spec); custom rules on every tier, managed rule
//! sets on Premium (and Classic) only. PUT and DELETE are long-running; a policy a security policy
//! still uses cannot be deleted.

use crate::contract::crud::{self, At, ResourceType, Written};
use crate::contract::error::ArmError;
use crate::contract::profile::{self, Profile};
use crate::contract::request::{Ctx, Resp};
use crate::contract::resource::{not_found, require_group};
use crate::contract::store::{Kind, Resource, State};
use serde_json::{Value, json};
use std::collections::BTreeSet;

const TYPE: &str = "Microsoft.Network/frontdoorwebapplicationfirewallpolicies";
use azure_facts::waf::{ACTIONS, MATCH_VARIABLES as VARIABLES, OPERATORS, SKUS};

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

#[derive(Debug)]
struct Policy;

impl ResourceType for Policy {
    fn profile(&self) -> &'static Profile {
        &profile::FRONT_DOOR_WAF
    }
    fn kind(&self) -> Kind {
        Kind::WafPolicy
    }
    fn type_name(&self) -> &'static str {
        TYPE
    }
    fn delete_latency(&self) -> &'static str {
        "frontDoor.delete"
    }
    fn busy_blocks_delete(&self) -> bool {
        false
    }

    fn render(&self, state: &State, resource: &Resource) -> Value {
        let mut body = resource.body.clone();
        body["properties"]["securityPolicyLinks"] = json!(links(state, &resource.id));
        body
    }

    fn not_found(&self, at: &At) -> ArmError {
        not_found(TYPE, &at.name, &at.rg).flat()
    }

    fn busy(&self, _ctx: &Ctx<'_>, at: &At, existing: Option<&Resource>) -> Option<ArmError> {
        existing.filter(|r| r.is_busy()).map(|_| {
            ArmError::conflict(
                "Conflict",
                format!(
                    "The policy '{}' is being updated; retry when the current operation finishes.",
                    at.name
                ),
            )
            .flat()
        })
    }

    fn put(
        &self,
        ctx: &mut Ctx<'_>,
        at: &At,
        existing: Option<&Resource>,
        body: &Value,
    ) -> Result<Written, ArmError> {
        let rendered = render(&at.id, &at.name, body, existing, &links(ctx.state, &at.id))?;
        Ok(Written {
            body: rendered,
            location: "global".to_owned(),
            latency: "frontDoor.put",
            completes: None,
            unchanged: false,
        })
    }

    fn check_delete(&self, ctx: &Ctx<'_>, resource: &Resource) -> Result<(), ArmError> {
        match links(ctx.state, &resource.id).first() {
            Some(user) => Err(ArmError::conflict(
                "Conflict",
                format!(
                    "The policy '{}' is in use by the security policy '{}'; delete that first.",
                    resource.body["name"].as_str().unwrap_or_default(),
                    user["id"].as_str().unwrap_or_default()
                ),
            )
            .flat()),
            None => Ok(()),
        }
    }
}

pub fn policy(ctx: &mut Ctx<'_>, rg: &str, name: &str) -> Result<Resp, ArmError> {
    let rg_id = require_group(ctx, rg)?;
    let at = At::new(
        ctx.state,
        rg,
        format!(
            "{rg_id}/providers/Microsoft.Network/FrontDoorWebApplicationFirewallPolicies/{name}"
        ),
        name,
        None,
    );
    crud::serve(ctx, &at, &Policy)
}

/// The security policies that use the policy `id`, as `securityPolicyLinks`.
fn links(state: &State, id: &str) -> Vec<Value> {
    state
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
