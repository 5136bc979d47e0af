//! Front Door's web application firewall in the model: a policy in prevention or detection mode with
//! custom rules (both tiers) and managed rule sets (Premium only), attached to the endpoint.

use serde::{Deserialize, Serialize};

/// What the WAF does with a request a rule matches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum WafMode {
    /// Rules act: blocked requests get a 403.
    #[default]
    Prevention,
    /// Rules only log: the way to try a policy on live traffic first.
    Detection,
}

impl WafMode {
    /// The mode as the WAF policy's `policySettings.mode` spells it (`Prevention`, `Detection`).
    pub fn as_str(self) -> &'static str {
        match self {
            WafMode::Prevention => "Prevention",
            WafMode::Detection => "Detection",
        }
    }

    /// The mode named `s` (any case); `None` for another word.
    pub fn parse(s: &str) -> Option<Self> {
        [WafMode::Prevention, WafMode::Detection]
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(s))
    }
}

/// A WAF policy on the Front Door endpoint, in the global resource group, of the profile's tier.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Waf {
    /// Whether matching rules block (prevention, the default) or only log (detection).
    pub mode: WafMode,
    /// Evaluated by priority, lowest first; names unique.
    pub custom_rules: Vec<WafCustomRule>,
    /// Microsoft-managed rule sets, e.g. `Microsoft_DefaultRuleSet` 2.1: Front Door Premium only.
    pub managed_rule_sets: Vec<WafManagedRuleSet>,
}

impl Waf {
    /// Sets whether the policy blocks or only logs.
    #[must_use]
    pub fn mode(mut self, mode: WafMode) -> Self {
        self.mode = mode;
        self
    }

    /// Adds a custom rule.
    #[must_use]
    pub fn custom_rule(mut self, rule: WafCustomRule) -> Self {
        self.custom_rules.push(rule);
        self
    }

    /// Adds a Microsoft-managed rule set (Front Door Premium only).
    #[must_use]
    pub fn managed_rule_set(mut self, set: WafManagedRuleSet) -> Self {
        self.managed_rule_sets.push(set);
        self
    }
}

/// A custom rule: when every condition matches, `action` applies (for a rate limit rule, once a
/// client exceeds the threshold).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WafCustomRule {
    /// Letters and digits, starting with a letter.
    pub name: String,
    /// The rule's place in evaluation order: lower first, unique in the policy.
    pub priority: u32,
    /// `Allow`, `Block` or `Log`.
    pub action: String,
    /// Makes the rule a rate-limit rule: it applies once a client exceeds the threshold; a match rule when `None`.
    pub rate_limit: Option<WafRateLimit>,
    /// What a request must match, every condition at once, for the rule to apply.
    pub conditions: Vec<WafMatchCondition>,
}

impl WafCustomRule {
    /// A rule that blocks what its conditions match.
    pub fn new(name: impl Into<String>, priority: u32) -> Self {
        Self {
            name: name.into(),
            priority,
            action: "Block".into(),
            rate_limit: None,
            conditions: Vec::new(),
        }
    }

    /// Sets what the rule does with a matching request (`Allow`, `Block` or `Log`).
    #[must_use]
    pub fn action(mut self, action: impl Into<String>) -> Self {
        self.action = action.into();
        self
    }

    /// Makes it a rate-limit rule: `threshold` requests per client in `duration_minutes` (1 or 5) before it applies.
    #[must_use]
    pub fn rate_limit(mut self, threshold: u32, duration_minutes: u32) -> Self {
        self.rate_limit = Some(WafRateLimit {
            threshold,
            duration_minutes,
        });
        self
    }

    /// Adds a condition the request must also match.
    #[must_use]
    pub fn condition(mut self, condition: WafMatchCondition) -> Self {
        self.conditions.push(condition);
        self
    }
}

/// Requests a client may make per window before the rule applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WafRateLimit {
    /// The requests a client may make per window.
    pub threshold: u32,
    /// 1 or 5.
    pub duration_minutes: u32,
}

/// One condition of a custom rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WafMatchCondition {
    /// `RemoteAddr`, `SocketAddr`, `RequestMethod`, `QueryString`, `PostArgs`, `RequestUri`,
    /// `RequestHeader`, `RequestBody` or `Cookies`.
    pub variable: String,
    /// `IPMatch` and `GeoMatch` (addresses only), `Equal`, `Contains`, `BeginsWith`, `EndsWith`,
    /// `RegEx`, `LessThan`, `GreaterThan`, `LessThanOrEqual`, `GreaterThanOrEqual` or `Any`.
    pub operator: String,
    /// The values compared against (addresses or CIDRs for `IPMatch`, two-letter country codes for `GeoMatch`).
    pub values: Vec<String>,
    /// Matches when the comparison fails (`not`).
    pub negate: bool,
    /// The header, cookie or argument name for `RequestHeader`, `Cookies`, `QueryString`, `PostArgs`.
    pub selector: Option<String>,
}

impl WafMatchCondition {
    /// A condition comparing `variable` with `values` by `operator`.
    pub fn new(
        variable: impl Into<String>,
        operator: impl Into<String>,
        values: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        Self {
            variable: variable.into(),
            operator: operator.into(),
            values: values.into_iter().map(Into::into).collect(),
            negate: false,
            selector: None,
        }
    }

    /// Turns the condition around: it matches when the comparison fails.
    #[must_use]
    pub fn negate(mut self) -> Self {
        self.negate = true;
        self
    }

    /// Sets the header, cookie or argument name the condition inspects.
    #[must_use]
    pub fn selector(mut self, selector: impl Into<String>) -> Self {
        self.selector = Some(selector.into());
        self
    }
}

/// A Microsoft-managed rule set (Premium only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WafManagedRuleSet {
    /// E.g. `Microsoft_DefaultRuleSet` or `Microsoft_BotManagerRuleSet`.
    pub rule_set_type: String,
    /// E.g. `2.1` (default rule set) or `1.1` (bot manager).
    pub version: String,
    /// `Block` or `Log`, the rule-set actions bcdr offers (Azure also takes `Redirect`, which needs a
    /// redirect URL bcdr does not set; validation refuses it).
    pub action: String,
}

impl WafManagedRuleSet {
    /// A managed rule set `rule_set_type` at `version`, its matches blocked.
    pub fn new(rule_set_type: impl Into<String>, version: impl Into<String>) -> Self {
        Self {
            rule_set_type: rule_set_type.into(),
            version: version.into(),
            action: "Block".into(),
        }
    }

    /// Sets what the rule set does with a match (`Block` or `Log`).
    #[must_use]
    pub fn action(mut self, action: impl Into<String>) -> Self {
        self.action = action.into();
        self
    }
}
