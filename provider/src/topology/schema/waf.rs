//! The `front_door.waf` block: a WAF policy with custom rules (labelled by name) and managed rule sets
//! (labelled by rule set type).

use crate::schema::{Attr, Block, Mode, NestedBlock, Nesting, Ty, attr};

fn optional_computed(name: &'static str, ty: Ty, description: &'static str) -> Attr {
    attr(name, ty, Mode::OptionalComputed, description)
}

fn match_condition_block() -> Block {
    Block {
        description: "A condition of the rule; the rule applies when all of its conditions match.",
        attributes: vec![
            attr(
                "variable",
                Ty::String,
                Mode::Required,
                "What to inspect: `RemoteAddr`, `SocketAddr`, `RequestMethod`, `QueryString`, `PostArgs`, `RequestUri`, `RequestHeader`, `RequestBody` or `Cookies`.",
            ),
            attr(
                "operator",
                Ty::String,
                Mode::Required,
                "How to compare: `IPMatch` or `GeoMatch` (with `RemoteAddr`/`SocketAddr` only), `Equal`, `Contains`, `BeginsWith`, `EndsWith`, `RegEx`, `LessThan`, `GreaterThan`, `LessThanOrEqual`, `GreaterThanOrEqual` or `Any`.",
            ),
            attr(
                "values",
                Ty::List(Box::new(Ty::String)),
                Mode::Optional,
                "The values to match: addresses or CIDR ranges for `IPMatch`, two-letter country codes for `GeoMatch`; any of them matches. Not needed for `Any`.",
            ),
            optional_computed(
                "negate",
                Ty::Bool,
                "Match when the comparison fails instead (default false).",
            ),
            attr(
                "selector",
                Ty::String,
                Mode::Optional,
                "The header, cookie or argument name, for `RequestHeader`, `Cookies`, `QueryString` and `PostArgs`.",
            ),
        ],
        blocks: vec![],
    }
}

fn custom_rule_block() -> Block {
    Block {
        description: "A custom rule, labelled with its name (letters and digits, a letter first), e.g. `custom_rule \"blockgeo\" { ... }`. Works on both tiers.",
        attributes: vec![
            attr(
                "priority",
                Ty::Number,
                Mode::Required,
                "Evaluation order, lowest first; unique in the policy.",
            ),
            optional_computed("action", Ty::String, "`Block` (default), `Allow` or `Log`."),
            attr(
                "rate_limit_threshold",
                Ty::Number,
                Mode::Optional,
                "Makes this a rate limit rule: the requests a client may make per window before the action applies (at least 1).",
            ),
            optional_computed(
                "rate_limit_duration_minutes",
                Ty::Number,
                "The rate limit window: 1 (default, when `rate_limit_threshold` is set) or 5 minutes.",
            ),
        ],
        blocks: vec![NestedBlock {
            name: "match_condition",
            nesting: Nesting::List,
            min_items: 0,
            max_items: 0,
            block: match_condition_block(),
        }],
    }
}

fn managed_rule_set_block() -> Block {
    Block {
        description: "A Microsoft-managed rule set, labelled with its type (`Microsoft_DefaultRuleSet`, `Microsoft_BotManagerRuleSet`), e.g. `managed_rule_set \"Microsoft_DefaultRuleSet\" { version = \"2.1\" }`. Front Door Premium only.",
        attributes: vec![
            attr(
                "version",
                Ty::String,
                Mode::Required,
                "The rule set version, e.g. `2.1` (default rule set) or `1.1` (bot manager).",
            ),
            optional_computed(
                "action",
                Ty::String,
                "What a match does: `Block` (default) or `Log`.",
            ),
        ],
        blocks: vec![],
    }
}

pub fn waf_block() -> Block {
    Block {
        description: "A web application firewall on the Front Door endpoint: a WAF policy in the global resource group (of the profile's tier) attached by a security policy to every path. Custom rules work on both tiers; managed rule sets need `tier = \"Premium\"`.",
        attributes: vec![
            optional_computed(
                "mode",
                Ty::String,
                "`Prevention` (default: rules act) or `Detection` (rules only log; try a policy on live traffic first).",
            ),
            attr(
                "policy_id",
                Ty::String,
                Mode::Computed,
                "ARM id of the WAF policy.",
            ),
        ],
        blocks: vec![
            NestedBlock {
                name: "custom_rule",
                nesting: Nesting::Map,
                min_items: 0,
                max_items: 0,
                block: custom_rule_block(),
            },
            NestedBlock {
                name: "managed_rule_set",
                nesting: Nesting::Map,
                min_items: 0,
                max_items: 0,
                block: managed_rule_set_block(),
            },
        ],
    }
}
