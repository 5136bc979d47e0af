//! Front Door WAF policies (`Microsoft.Network/FrontDoorWebApplicationFirewallPolicies`) at
//! api-version 2024-02-01: the enums of `specification/frontdoor/resource-manager/Microsoft.Network/
//! stable/2024-02-01/webapplicationfirewall.json`, in the spec's order.

/// `Sku.name` (`SkuName`): the tier, which follows the Front Door profile's.
pub const SKUS: &[&str] = &[
    "Classic_AzureFrontDoor",
    "Standard_AzureFrontDoor",
    "Premium_AzureFrontDoor",
];

/// `CustomRule.action` (`ActionType`).
pub const ACTIONS: &[&str] = &[
    "Allow",
    "Block",
    "Log",
    "Redirect",
    "AnomalyScoring",
    "JSChallenge",
];

/// `ManagedRuleSet.ruleSetAction` (`ManagedRuleSetActionType`).
pub const RULE_SET_ACTIONS: &[&str] = &["Block", "Log", "Redirect"];

/// `MatchCondition.matchVariable` (`MatchVariable`).
pub const MATCH_VARIABLES: &[&str] = &[
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

/// `MatchCondition.operator` (`Operator`).
pub const OPERATORS: &[&str] = &[
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
