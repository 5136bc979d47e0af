//! Rules for Front Door's WAF: managed rule sets on Premium only; custom rules with valid names,
//! unique priorities, a known action, sensible rate limits and well-formed match conditions (address
//! operators on addresses, IPs as addresses or CIDRs, countries as two-letter codes).

use super::{AttributePath, Diagnostic, PathStep};
use crate::model::{FrontDoor, WafCustomRule, WafMatchCondition};
use std::collections::BTreeSet;

use azure_facts::waf::{MATCH_VARIABLES as VARIABLES, OPERATORS};

/// The custom-rule actions bcdr offers (of Azure's `ActionType`, `azure_facts::waf::ACTIONS`).
const ACTIONS: &[&str] = &["Allow", "Block", "Log"];
/// The managed-rule-set actions bcdr offers (of `azure_facts::waf::RULE_SET_ACTIONS`).
const SET_ACTIONS: &[&str] = &["Block", "Log"];
const RULE_SETS: &[&str] = &[
    "Microsoft_DefaultRuleSet",
    "Microsoft_BotManagerRuleSet",
    "DefaultRuleSet",
    "BotProtection",
];

fn at(steps: &[PathStep]) -> AttributePath {
    let mut out = vec![
        PathStep::Attribute("front_door".into()),
        PathStep::Attribute("waf".into()),
    ];
    out.extend_from_slice(steps);
    AttributePath(out)
}

fn attr(a: &str) -> PathStep {
    PathStep::Attribute(a.to_owned())
}

fn rule_at(rule: &str, rest: &[PathStep]) -> AttributePath {
    let mut steps = vec![attr("custom_rule"), PathStep::Key(rule.to_owned())];
    steps.extend_from_slice(rest);
    at(&steps)
}

fn is_one_of(value: &str, allowed: &[&str]) -> bool {
    allowed.iter().any(|a| a.eq_ignore_ascii_case(value))
}

/// Azure's rule for WAF policy and custom rule names: 1-128 letters and digits, a letter first.
pub(crate) fn valid_name(name: &str) -> bool {
    (1..=128).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
}

pub(super) fn validate(fd: &FrontDoor, out: &mut Vec<Diagnostic>) {
    let Some(waf) = &fd.waf else { return };
    let mut types = BTreeSet::new();
    for set in &waf.managed_rule_sets {
        let here = |a: Option<&str>| {
            let mut steps = vec![
                attr("managed_rule_set"),
                PathStep::Key(set.rule_set_type.clone()),
            ];
            steps.extend(a.map(attr));
            at(&steps)
        };
        if !fd.premium {
            out.push(Diagnostic::error(here(None), "Managed rule sets need Front Door Premium", "a Standard profile's WAF takes custom rules only: set tier = \"Premium\" on front_door, or remove the managed_rule_set block".to_owned()));
        }
        if !is_one_of(&set.rule_set_type, RULE_SETS) {
            out.push(Diagnostic::error(
                here(None),
                "Unknown managed rule set",
                format!(
                    "\"{}\" is not a Front Door rule set; valid ones are {}",
                    set.rule_set_type,
                    RULE_SETS.join(", ")
                ),
            ));
        }
        if !types.insert(set.rule_set_type.to_ascii_lowercase()) {
            out.push(Diagnostic::error(
                here(None),
                "Duplicate managed rule set",
                "each rule set may be listed once".to_owned(),
            ));
        }
        if set.version.trim().is_empty() {
            out.push(Diagnostic::error(here(Some("version")), "Missing rule set version", "set the rule set's version, e.g. \"2.1\" for Microsoft_DefaultRuleSet or \"1.1\" for Microsoft_BotManagerRuleSet".to_owned()));
        }
        if !is_one_of(&set.action, SET_ACTIONS) {
            out.push(Diagnostic::error(
                here(Some("action")),
                "Invalid rule set action",
                format!("\"{}\" must be Block or Log", set.action),
            ));
        }
    }
    let mut names = BTreeSet::new();
    let mut priorities = BTreeSet::new();
    for rule in &waf.custom_rules {
        custom_rule(rule, out);
        if !names.insert(rule.name.to_ascii_lowercase()) {
            out.push(Diagnostic::error(
                rule_at(&rule.name, &[]),
                "Duplicate custom rule",
                format!(
                    "the rule name \"{}\" is used twice; names are unique in a policy",
                    rule.name
                ),
            ));
        }
        if !priorities.insert(rule.priority) {
            out.push(Diagnostic::error(
                rule_at(&rule.name, &[attr("priority")]),
                "Duplicate rule priority",
                format!(
                    "priority {} is used by another custom rule; each rule needs its own priority",
                    rule.priority
                ),
            ));
        }
    }
}

fn custom_rule(rule: &WafCustomRule, out: &mut Vec<Diagnostic>) {
    let name = rule.name.as_str();
    if !valid_name(name) {
        out.push(Diagnostic::error(rule_at(name, &[]), "Invalid custom rule name", format!("\"{name}\" must be 1-128 letters and digits, starting with a letter (no hyphens), e.g. blockbadbots")));
    }
    if !is_one_of(&rule.action, ACTIONS) {
        out.push(Diagnostic::error(
            rule_at(name, &[attr("action")]),
            "Invalid rule action",
            format!("\"{}\" must be one of {}", rule.action, ACTIONS.join(", ")),
        ));
    }
    if let Some(limit) = rule.rate_limit {
        if limit.threshold < 1 {
            out.push(Diagnostic::error(
                rule_at(name, &[attr("rate_limit_threshold")]),
                "Invalid rate limit",
                "the threshold is the requests a client may make per window: at least 1".to_owned(),
            ));
        }
        if !matches!(limit.duration_minutes, 1 | 5) {
            out.push(Diagnostic::error(
                rule_at(name, &[attr("rate_limit_duration_minutes")]),
                "Invalid rate limit window",
                format!(
                    "{} minutes: Front Door counts over 1 or 5 minutes",
                    limit.duration_minutes
                ),
            ));
        }
    }
    if rule.conditions.is_empty() {
        out.push(Diagnostic::error(
            rule_at(name, &[]),
            "Custom rule without conditions",
            "add at least one match_condition block: the rule applies when all of them match"
                .to_owned(),
        ));
    }
    for (i, c) in rule.conditions.iter().enumerate() {
        condition(name, i, c, out);
    }
}

fn condition(rule: &str, i: usize, c: &WafMatchCondition, out: &mut Vec<Diagnostic>) {
    let here = |a: &str| {
        rule_at(
            rule,
            &[
                attr("match_condition"),
                PathStep::Index(i64::try_from(i).unwrap_or(i64::MAX)),
                attr(a),
            ],
        )
    };
    if !is_one_of(&c.variable, VARIABLES) {
        out.push(Diagnostic::error(
            here("variable"),
            "Invalid match variable",
            format!("\"{}\" must be one of {}", c.variable, VARIABLES.join(", ")),
        ));
    }
    if !is_one_of(&c.operator, OPERATORS) {
        out.push(Diagnostic::error(
            here("operator"),
            "Invalid match operator",
            format!("\"{}\" must be one of {}", c.operator, OPERATORS.join(", ")),
        ));
        return;
    }
    let ip = c.operator.eq_ignore_ascii_case("IPMatch");
    let geo = c.operator.eq_ignore_ascii_case("GeoMatch");
    if (ip || geo) && !is_one_of(&c.variable, &["RemoteAddr", "SocketAddr"]) {
        out.push(Diagnostic::error(
            here("operator"),
            "Address operator on a non-address",
            format!("{} compares client addresses: use it with variable RemoteAddr or SocketAddr, not {}", c.operator, c.variable),
        ));
    }
    if c.values.is_empty() && !c.operator.eq_ignore_ascii_case("Any") {
        out.push(Diagnostic::error(
            here("values"),
            "No values to match",
            format!("the {} operator needs at least one value", c.operator),
        ));
    }
    for v in &c.values {
        if ip && v.parse::<ipnet::IpNet>().is_err() && v.parse::<std::net::IpAddr>().is_err() {
            out.push(Diagnostic::error(
                here("values"),
                "Invalid IP address",
                format!("\"{v}\" is neither an IP address nor a CIDR range, e.g. 203.0.113.0/24"),
            ));
        }
        if geo && !(v.len() == 2 && v.bytes().all(|b| b.is_ascii_uppercase())) {
            out.push(Diagnostic::error(
                here("values"),
                "Invalid country code",
                format!(
                    "\"{v}\" must be a two-letter ISO 3166 country code in capitals, e.g. US or DE"
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests;
