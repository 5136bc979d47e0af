//! `Microsoft.Network/FrontDoorWebApplicationFirewallPolicies` at api-version 2024-02-01: the WAF
//! policy a Front Door Standard/Premium security policy attaches. Location `Global`; PUT and DELETE
//! are long-running; errors come as a bare `{code, message}`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const API_VERSION: &str = "2024-02-01";

pub fn id(subscription: &str, resource_group: &str, name: &str) -> String {
    format!(
        "/subscriptions/{subscription}/resourceGroups/{resource_group}/providers/Microsoft.Network/FrontDoorWebApplicationFirewallPolicies/{name}"
    )
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Policy {
    pub location: String,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// `Standard_AzureFrontDoor` or `Premium_AzureFrontDoor`: the profile's own tier.
    pub sku: super::front_door::Sku,
    pub properties: PolicyProperties,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyProperties {
    pub policy_settings: PolicySettings,
    pub custom_rules: CustomRules,
    pub managed_rules: ManagedRules,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicySettings {
    pub enabled_state: String,
    /// `Prevention` or `Detection`.
    pub mode: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomRules {
    #[serde(default)]
    pub rules: Vec<CustomRule>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomRule {
    pub name: String,
    pub priority: u32,
    pub enabled_state: String,
    /// `MatchRule` or `RateLimitRule`.
    pub rule_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit_duration_in_minutes: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit_threshold: Option<u32>,
    pub match_conditions: Vec<MatchCondition>,
    pub action: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MatchCondition {
    pub match_variable: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<String>,
    pub operator: String,
    #[serde(default)]
    pub negate_condition: bool,
    pub match_value: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManagedRules {
    #[serde(default)]
    pub managed_rule_sets: Vec<ManagedRuleSet>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManagedRuleSet {
    pub rule_set_type: String,
    pub rule_set_version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule_set_action: Option<String>,
}
