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
    pub fn as_str(self) -> &'static str {
        match self {
            WafMode::Prevention => "Prevention",
            WafMode::Detection => "Detection",
        }
    }

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
    pub mode: WafMode,
    /// Evaluated by priority, lowest first; names unique.
    pub custom_rules: Vec<WafCustomRule>,
    /// Microsoft-managed rule sets, e.g. `Microsoft_DefaultRuleSet` 2.1: Front Door Premium only.
    pub managed_rule_sets: Vec<WafManagedRuleSet>,
}

impl Waf {
    #[must_use]
    pub fn mode(mut self, mode: WafMode) -> Self {
        self.mode = mode;
        self
    }

    #[must_use]
    pub fn custom_rule(mut self, rule: WafCustomRule) -> Self {
        self.custom_rules.push(rule);
        self
    }

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
    pub priority: u32,
    /// `Allow`, `Block` or `Log`.
    pub action: String,
    pub rate_limit: Option<WafRateLimit>,
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

    #[must_use]
    pub fn action(mut self, action: impl Into<String>) -> Self {
        self.action = action.into();
        self
    }

    #[must_use]
    pub fn rate_limit(mut self, threshold: u32, duration_minutes: u32) -> Self {
        self.rate_limit = Some(WafRateLimit {
            threshold,
            duration_minutes,
        });
        self
    }

    #[must_use]
    pub fn condition(mut self, condition: WafMatchCondition) -> Self {
        self.conditions.push(condition);
        self
    }
}

/// Requests a client may make per window before the rule applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WafRateLimit {
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
    pub values: Vec<String>,
    pub negate: bool,
    /// The header, cookie or argument name for `RequestHeader`, `Cookies`, `QueryString`, `PostArgs`.
    pub selector: Option<String>,
}

impl WafMatchCondition {
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

    #[must_use]
    pub fn negate(mut self) -> Self {
        self.negate = true;
        self
    }

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
    /// `Block`, `Log` or `Redirect` (rule set 2.0 and later).
    pub action: String,
}

impl WafManagedRuleSet {
    pub fn new(rule_set_type: impl Into<String>, version: impl Into<String>) -> Self {
        Self {
            rule_set_type: rule_set_type.into(),
            version: version.into(),
            action: "Block".into(),
        }
    }

    #[must_use]
    pub fn action(mut self, action: impl Into<String>) -> Self {
        self.action = action.into();
        self
    }
}
