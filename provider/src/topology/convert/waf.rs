//! `front_door.waf` between Terraform values and the SDK's [`Waf`]: the configuration read into the
//! model, the planned block with defaults filled in, and the block an import rebuilds.

use super::{entries, list, number, or_default, strings, text};
use crate::diag::{self, Diagnostic, Diagnostics};

use crate::value::Value;
use bcdr::model::{Waf, WafCustomRule, WafManagedRuleSet, WafMatchCondition, WafMode};
use bcdr::validate::{AttributePath, PathStep};
use std::collections::BTreeMap;

/// The WAF of a `front_door` block value, when it has one.
pub(super) fn model(front_door: &Value) -> Option<Waf> {
    let block = front_door.get("waf");
    block.as_map()?;
    let mut waf = Waf::default().mode(
        block
            .get("mode")
            .as_str()
            .and_then(WafMode::parse)
            .unwrap_or_default(),
    );
    for (name, r) in entries(block.get("custom_rule")) {
        let mut rule = WafCustomRule::new(name.clone(), number(r.get("priority")).unwrap_or(0));
        if let Some(a) = r.get("action").as_str() {
            rule = rule.action(a);
        }
        if let Some(threshold) = number(r.get("rate_limit_threshold")) {
            rule = rule.rate_limit(
                threshold,
                number(r.get("rate_limit_duration_minutes")).unwrap_or(1),
            );
        }
        for c in list(r.get("match_condition")) {
            let mut condition = WafMatchCondition::new(
                text(c.get("variable")),
                text(c.get("operator")),
                strings(c.get("values")),
            );
            condition.negate = matches!(c.get("negate"), Value::Bool(true));
            condition.selector = c.get("selector").as_str().map(str::to_owned);
            rule = rule.condition(condition);
        }
        waf = waf.custom_rule(rule);
    }
    for (kind, s) in entries(block.get("managed_rule_set")) {
        let mut set = WafManagedRuleSet::new(kind.clone(), text(s.get("version")));
        if let Some(a) = s.get("action").as_str() {
            set = set.action(a);
        }
        waf = waf.managed_rule_set(set);
    }
    Some(waf)
}

/// What the SDK's model cannot represent: an unknown mode, a priority that is not a whole number.
pub(super) fn config_errors(front_door: &Value, out: &mut Diagnostics) {
    let block = front_door.get("waf");
    let at = |steps: Vec<PathStep>| {
        let mut all = vec![
            PathStep::Attribute("front_door".into()),
            PathStep::Attribute("waf".into()),
        ];
        all.extend(steps);
        AttributePath(all)
    };
    if let Some(mode) = block
        .get("mode")
        .as_str()
        .filter(|m| WafMode::parse(m).is_none())
    {
        let path = at(vec![PathStep::Attribute("mode".into())]);
        out.push(
            diag::error(
                "Invalid WAF mode",
                format!("{path}: \"{mode}\" must be Prevention or Detection"),
            )
            .at(path),
        );
    }
    for (name, r) in entries(block.get("custom_rule")) {
        for attr in [
            "priority",
            "rate_limit_threshold",
            "rate_limit_duration_minutes",
        ] {
            let Some(n) = r.get(attr).as_f64() else {
                continue;
            };
            if n < 0.0 || n.fract() != 0.0 || n > f64::from(u32::MAX) {
                let path = at(vec![
                    PathStep::Attribute("custom_rule".into()),
                    PathStep::Key(name.clone()),
                    PathStep::Attribute(attr.into()),
                ]);
                out.push(
                    diag::error(
                        "Not a whole number",
                        format!("{path}: {n} must be a whole number, 0 or more"),
                    )
                    .at(path),
                );
            }
        }
    }
}

fn filled(v: &Value, defaults: &[(&str, Value)]) -> Value {
    let mut out = v.as_map().cloned().unwrap_or_default();
    for (k, d) in defaults {
        let value = or_default(v.get(k), d.clone());
        out.insert((*k).to_owned(), value);
    }
    Value::Map(out)
}

/// The planned `waf` block: the configuration with defaults, and the policy id.
pub(super) fn planned(front_door: &Value, policy_id: Value) -> Value {
    let block = front_door.get("waf");
    if block.as_map().is_none() {
        return block.clone();
    }
    let rules: BTreeMap<String, Value> = entries(block.get("custom_rule"))
        .map(|(name, r)| {
            let window = if r.get("rate_limit_threshold").is_null() {
                Value::Null
            } else {
                Value::Number(1.0)
            };
            let mut rule = filled(
                r,
                &[
                    ("action", Value::string("Block")),
                    ("rate_limit_duration_minutes", window),
                ],
            );
            if let Value::Map(m) = &mut rule {
                let conditions = list(r.get("match_condition"))
                    .iter()
                    .map(|c| filled(c, &[("negate", Value::Bool(false))]))
                    .collect();
                m.insert("match_condition".into(), Value::List(conditions));
            }
            (name.clone(), rule)
        })
        .collect();
    let sets: BTreeMap<String, Value> = entries(block.get("managed_rule_set"))
        .map(|(kind, s)| {
            (
                kind.clone(),
                filled(s, &[("action", Value::string("Block"))]),
            )
        })
        .collect();
    let mut out = block.as_map().cloned().unwrap_or_default();
    out.insert(
        "mode".into(),
        or_default(block.get("mode"), Value::string("Prevention")),
    );
    out.insert("policy_id".into(), policy_id);
    out.insert("custom_rule".into(), Value::Map(rules));
    out.insert("managed_rule_set".into(), Value::Map(sets));
    Value::Map(out)
}

/// The `waf` block's configuration for `waf` (an import rebuilds it from ARM).
pub(super) fn config(waf: &Waf) -> Value {
    let n = |v: u32| Value::Number(f64::from(v));
    let rules = waf
        .custom_rules
        .iter()
        .map(|r| {
            let conditions = r
                .conditions
                .iter()
                .map(|c| {
                    Value::Map(BTreeMap::from([
                        ("variable".to_owned(), Value::string(&c.variable)),
                        ("operator".to_owned(), Value::string(&c.operator)),
                        (
                            "values".to_owned(),
                            Value::List(c.values.iter().map(Value::string).collect()),
                        ),
                        ("negate".to_owned(), Value::Bool(c.negate)),
                        (
                            "selector".to_owned(),
                            c.selector.clone().map_or(Value::Null, Value::String),
                        ),
                    ]))
                })
                .collect();
            let rule = BTreeMap::from([
                ("priority".to_owned(), n(r.priority)),
                ("action".to_owned(), Value::string(&r.action)),
                (
                    "rate_limit_threshold".to_owned(),
                    r.rate_limit.map_or(Value::Null, |l| n(l.threshold)),
                ),
                (
                    "rate_limit_duration_minutes".to_owned(),
                    r.rate_limit.map_or(Value::Null, |l| n(l.duration_minutes)),
                ),
                ("match_condition".to_owned(), Value::List(conditions)),
            ]);
            (r.name.clone(), Value::Map(rule))
        })
        .collect();
    let sets = waf
        .managed_rule_sets
        .iter()
        .map(|s| {
            let set = BTreeMap::from([
                ("version".to_owned(), Value::string(&s.version)),
                ("action".to_owned(), Value::string(&s.action)),
            ]);
            (s.rule_set_type.clone(), Value::Map(set))
        })
        .collect();
    Value::Map(BTreeMap::from([
        ("mode".to_owned(), Value::string(waf.mode.as_str())),
        ("custom_rule".to_owned(), Value::Map(rules)),
        ("managed_rule_set".to_owned(), Value::Map(sets)),
    ]))
}

/// An error when the tier of an existing Front Door would change in a way Azure refuses: Premium never
/// goes back to Standard, and under a WAF the tier cannot move at all (the WAF policy's tier follows
/// the profile's, and Azure refuses to change it while the endpoint uses it).
pub fn tier_change(prior: &Value, config: &Value) -> Option<Diagnostic> {
    let (before, after) = (prior.get("front_door"), config.get("front_door"));
    let tier = |v: &Value| {
        v.get("tier")
            .as_str()
            .unwrap_or("Standard")
            .to_ascii_lowercase()
    };
    if before.is_null()
        || after.is_null()
        || after.get("tier").is_unknown()
        || tier(before) == tier(after)
    {
        return None;
    }
    let (summary, how) = if tier(before) == "premium" {
        (
            "Premium cannot go back to Standard",
            "Azure refuses to downgrade a Front Door profile: keep Premium, or remove the front_door block and apply, then add it back as Standard",
        )
    } else if !before.get("waf").is_null() && !after.get("waf").is_null() {
        (
            "Tier cannot change under a WAF",
            "the WAF policy's tier follows the profile's, and Azure refuses to change it while the endpoint uses it: remove the waf block and apply, then change the tier and put the waf block back",
        )
    } else {
        return None;
    };
    let path = AttributePath(vec![
        PathStep::Attribute("front_door".into()),
        PathStep::Attribute("tier".into()),
    ]);
    Some(diag::error(summary, format!("{path}: {how}")).at(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn topology(tier: &str, waf: bool) -> Value {
        let mut fd = BTreeMap::from([("tier".to_owned(), Value::string(tier))]);
        if waf {
            fd.insert("waf".into(), Value::Map(BTreeMap::new()));
        }
        Value::Map(BTreeMap::from([("front_door".to_owned(), Value::Map(fd))]))
    }

    fn summary(prior: &Value, config: &Value) -> Option<String> {
        tier_change(prior, config).map(|d| d.summary)
    }

    #[test]
    fn tier_changes_azure_refuses_are_refused_at_plan() {
        assert_eq!(
            summary(&topology("Premium", false), &topology("Standard", false)).as_deref(),
            Some("Premium cannot go back to Standard")
        );
        assert_eq!(
            summary(&topology("Standard", true), &topology("Premium", true)).as_deref(),
            Some("Tier cannot change under a WAF")
        );
        assert_eq!(
            summary(&topology("Standard", false), &topology("Premium", false)),
            None,
            "an upgrade without a WAF is allowed"
        );
        assert_eq!(
            summary(&Value::Null, &topology("Standard", true)),
            None,
            "a new topology has no tier to change"
        );
    }
}
