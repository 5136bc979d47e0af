//! `Microsoft.Network/FrontDoorWebApplicationFirewallPolicies` at api-version 2024-02-01: the WAF
//! policy a Front Door Standard/Premium security policy attaches. Location `Global`; PUT and DELETE
//! are long-running; errors come as a bare `{code, message}`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The api-version every Front Door WAF policy request uses.
pub const API_VERSION: &str = "2024-02-01";

/// The ARM resource ID of the Front Door WAF policy `name` in `resource_group`.
pub fn id(subscription: &str, resource_group: &str, name: &str) -> String {
    format!(
        "/subscriptions/{subscription}/resourceGroups/{resource_group}/providers/Microsoft.Network/FrontDoorWebApplicationFirewallPolicies/{name}"
    )
}

/// A Front Door WAF policy (`Microsoft.Network/FrontDoorWebApplicationFirewallPolicies`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Policy {
    /// `location`: `Global`.
    pub location: String,
    /// The policy's ARM tags.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// `Standard_AzureFrontDoor` or `Premium_AzureFrontDoor`: the profile's own tier.
    pub sku: super::front_door::Sku,
    /// The policy's `properties`.
    pub properties: PolicyProperties,
}

/// `properties` of a WAF policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyProperties {
    /// `policySettings`: whether the policy is on, and whether it blocks or only logs.
    pub policy_settings: PolicySettings,
    /// `customRules`: the topology's own match and rate-limit rules.
    pub custom_rules: CustomRules,
    /// `managedRules`: Microsoft's managed rule sets (Premium only).
    pub managed_rules: ManagedRules,
}

/// `properties.policySettings` of a WAF policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicySettings {
    /// `enabledState`: `Enabled` or `Disabled`.
    pub enabled_state: String,
    /// `Prevention` or `Detection`.
    pub mode: String,
}

/// `properties.customRules` of a WAF policy.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomRules {
    /// `rules`: the custom rules, evaluated by ascending priority.
    #[serde(default)]
    pub rules: Vec<CustomRule>,
}

/// One custom rule of a WAF policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomRule {
    /// The rule's name: 1 to 128 letters and digits, a letter first, unique in the policy.
    pub name: String,
    /// `priority`: the evaluation order; lower goes first, unique in the policy.
    pub priority: u32,
    /// `enabledState`: `Enabled` or `Disabled`.
    pub enabled_state: String,
    /// `MatchRule` or `RateLimitRule`.
    pub rule_type: String,
    /// `rateLimitDurationInMinutes`: a rate-limit rule's window (1 or 5); absent for match rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit_duration_in_minutes: Option<u32>,
    /// `rateLimitThreshold`: requests per window from one client before the rule acts; absent for match rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit_threshold: Option<u32>,
    /// `matchConditions`: every one must match for the rule to act.
    pub match_conditions: Vec<MatchCondition>,
    /// `action`: what a match does: `Allow`, `Block` or `Log`.
    pub action: String,
}

/// One match condition of a custom rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MatchCondition {
    /// `matchVariable`: what is inspected (`RemoteAddr`, `RequestUri`, `RequestHeader`, ...).
    pub match_variable: String,
    /// `selector`: the header, cookie or argument name, for variables that need one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<String>,
    /// `operator`: how it is compared (`IPMatch`, `Contains`, `Equal`, ...).
    pub operator: String,
    /// `negateCondition`: the condition matches when the comparison fails.
    #[serde(default)]
    pub negate_condition: bool,
    /// `matchValue`: the values compared against.
    pub match_value: Vec<String>,
}

/// `properties.managedRules` of a WAF policy.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManagedRules {
    /// `managedRuleSets`: the managed rule sets applied.
    #[serde(default)]
    pub managed_rule_sets: Vec<ManagedRuleSet>,
}

/// One managed rule set of a WAF policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManagedRuleSet {
    /// `ruleSetType`: `Microsoft_DefaultRuleSet` or `Microsoft_BotManagerRuleSet`, say.
    pub rule_set_type: String,
    /// `ruleSetVersion`: the rule set's version (`2.1`, say).
    pub rule_set_version: String,
    /// `ruleSetAction`: what a match does, `Block` or `Log`; the rule set's own default when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule_set_action: Option<String>,
}
