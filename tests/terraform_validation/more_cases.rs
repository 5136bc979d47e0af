//! The cases of Front Door's WAF rules, and of the values the provider itself refuses (what the
//! SDK's model cannot hold).

use super::cases::{GEO_KP, cond, pair, rule, tm, waf};

/// (configuration, summary, the path and text the detail starts with).
pub fn errors() -> Vec<(String, &'static str, &'static str)> {
    vec![
        (
            pair(
                "",
                "",
                &waf(
                    "Standard",
                    "      managed_rule_set \"Microsoft_DefaultRuleSet\" {\n        version = \"2.1\"\n      }",
                ),
            ),
            "Managed rule sets need Front Door Premium",
            "front_door.waf.managed_rule_set[\"Microsoft_DefaultRuleSet\"]: a Standard profile's WAF takes custom rules only",
        ),
        (
            pair(
                "",
                "",
                &waf(
                    "Premium",
                    "      managed_rule_set \"OWASP\" {\n        version = \"3.2\"\n      }",
                ),
            ),
            "Unknown managed rule set",
            "front_door.waf.managed_rule_set[\"OWASP\"]: \"OWASP\" is not a Front Door rule set",
        ),
        (
            pair(
                "",
                "",
                &waf(
                    "Premium",
                    "      managed_rule_set \"Microsoft_DefaultRuleSet\" {\n        version = \"2.1\"\n      }\n      managed_rule_set \"microsoft_defaultruleset\" {\n        version = \"2.1\"\n      }",
                ),
            ),
            "Duplicate managed rule set",
            "front_door.waf.managed_rule_set[",
        ),
        (
            pair(
                "",
                "",
                &waf(
                    "Premium",
                    "      managed_rule_set \"Microsoft_DefaultRuleSet\" {\n        version = \"\"\n      }",
                ),
            ),
            "Missing rule set version",
            "front_door.waf.managed_rule_set[\"Microsoft_DefaultRuleSet\"].version:",
        ),
        (
            pair(
                "",
                "",
                &waf(
                    "Premium",
                    "      managed_rule_set \"Microsoft_DefaultRuleSet\" {\n        version = \"2.1\"\n        action = \"Allow\"\n      }",
                ),
            ),
            "Invalid rule set action",
            "front_door.waf.managed_rule_set[\"Microsoft_DefaultRuleSet\"].action: \"Allow\" must be Block or Log",
        ),
        (
            pair(
                "",
                "",
                &waf(
                    "Standard",
                    &format!(
                        "{}\n{}",
                        rule("geo", "1", "", GEO_KP),
                        rule("Geo", "2", "", GEO_KP)
                    ),
                ),
            ),
            "Duplicate custom rule",
            "front_door.waf.custom_rule[",
        ),
        (
            pair(
                "",
                "",
                &waf(
                    "Standard",
                    &format!(
                        "{}\n{}",
                        rule("a", "7", "", GEO_KP),
                        rule("b", "7", "", GEO_KP)
                    ),
                ),
            ),
            "Duplicate rule priority",
            "front_door.waf.custom_rule[\"b\"].priority: priority 7 is used by another custom rule",
        ),
        (
            pair(
                "",
                "",
                &waf("Standard", &rule("block-geo", "1", "", GEO_KP)),
            ),
            "Invalid custom rule name",
            "front_door.waf.custom_rule[\"block-geo\"]: \"block-geo\" must be 1-128 letters and digits",
        ),
        (
            pair(
                "",
                "",
                &waf(
                    "Standard",
                    &rule("geo", "1", "        action = \"Redirect\"", GEO_KP),
                ),
            ),
            "Invalid rule action",
            "front_door.waf.custom_rule[\"geo\"].action: \"Redirect\" must be one of Allow, Block, Log",
        ),
        (
            pair(
                "",
                "",
                &waf(
                    "Standard",
                    &rule("burst", "1", "        rate_limit_threshold = 0", GEO_KP),
                ),
            ),
            "Invalid rate limit",
            "front_door.waf.custom_rule[\"burst\"].rate_limit_threshold:",
        ),
        (
            pair(
                "",
                "",
                &waf(
                    "Standard",
                    &rule(
                        "burst",
                        "1",
                        "        rate_limit_threshold = 10\n        rate_limit_duration_minutes = 3",
                        GEO_KP,
                    ),
                ),
            ),
            "Invalid rate limit window",
            "front_door.waf.custom_rule[\"burst\"].rate_limit_duration_minutes: 3 minutes",
        ),
        (
            pair(
                "",
                "",
                &waf(
                    "Standard",
                    "      custom_rule \"empty\" {\n        priority = 1\n      }",
                ),
            ),
            "Custom rule without conditions",
            "front_door.waf.custom_rule[\"empty\"]: add at least one match_condition block",
        ),
        (
            pair(
                "",
                "",
                &waf(
                    "Standard",
                    &rule("r", "1", "", &cond("Referer", "Contains", "[\"x\"]")),
                ),
            ),
            "Invalid match variable",
            "front_door.waf.custom_rule[\"r\"].match_condition[0].variable: \"Referer\"",
        ),
        (
            pair(
                "",
                "",
                &waf(
                    "Standard",
                    &rule("r", "1", "", &cond("RequestUri", "Like", "[\"x\"]")),
                ),
            ),
            "Invalid match operator",
            "front_door.waf.custom_rule[\"r\"].match_condition[0].operator: \"Like\"",
        ),
        (
            pair(
                "",
                "",
                &waf(
                    "Standard",
                    &rule(
                        "r",
                        "1",
                        "",
                        &cond("RequestUri", "IPMatch", "[\"10.0.0.1\"]"),
                    ),
                ),
            ),
            "Address operator on a non-address",
            "front_door.waf.custom_rule[\"r\"].match_condition[0].operator: IPMatch compares client addresses",
        ),
        (
            pair(
                "",
                "",
                &waf(
                    "Standard",
                    &rule("r", "1", "", &cond("RequestUri", "Contains", "[]")),
                ),
            ),
            "No values to match",
            "front_door.waf.custom_rule[\"r\"].match_condition[0].values: the Contains operator needs at least one value",
        ),
        (
            pair(
                "",
                "",
                &waf(
                    "Standard",
                    &rule(
                        "r",
                        "1",
                        "",
                        &cond("RemoteAddr", "IPMatch", "[\"10.0.0.300\"]"),
                    ),
                ),
            ),
            "Invalid IP address",
            "front_door.waf.custom_rule[\"r\"].match_condition[0].values: \"10.0.0.300\"",
        ),
        (
            pair(
                "",
                "",
                &waf(
                    "Standard",
                    &rule("r", "1", "", &cond("RemoteAddr", "GeoMatch", "[\"usa\"]")),
                ),
            ),
            "Invalid country code",
            "front_door.waf.custom_rule[\"r\"].match_condition[0].values: \"usa\"",
        ),
        // The provider's own: values the SDK's model cannot hold.
        (
            pair("    mode = \"lukewarm\"", "", ""),
            "Invalid mode",
            "region[\"eastus\"].mode: \"lukewarm\" must be hot, warm or cold",
        ),
        (
            pair("    sku_tier = \"Paid\"", "", ""),
            "Invalid AKS pricing tier",
            "region[\"eastus\"].sku_tier: \"Paid\" must be one of Free, Standard, Premium",
        ),
        (
            pair("    role = \"leader\"", "", ""),
            "Invalid role",
            "region[\"eastus\"].role: \"leader\" must be primary or secondary",
        ),
        (
            pair("    role = \"primary\"", "    role = \"primary\"", ""),
            "More than one primary region",
            "region[\"westus\"].role: \"eastus\" is already the primary region",
        ),
        (
            pair("", "", "  front_door {\n    tier = \"Gold\"\n  }"),
            "Invalid tier",
            "front_door.tier: \"Gold\" must be Standard or Premium",
        ),
        (
            pair("", "", "  backup {\n    redundancy = \"LRS\"\n  }"),
            "Invalid redundancy",
            "backup.redundancy: \"LRS\" must be GRS, RA-GRS, GZRS or RA-GZRS",
        ),
        (
            pair("", "", &tm("Fastest", "")),
            "Invalid routing method",
            "traffic_manager.routing_method: \"Fastest\" must be one of",
        ),
        (
            pair(
                "",
                "",
                "  stateful_service \"db\" {\n    kind = \"disk\"\n  }",
            ),
            "Invalid kind",
            "stateful_service[\"db\"].kind: \"disk\" must be in-cluster or managed",
        ),
        (
            pair("", "", &waf("Standard", "      mode = \"Block\"")),
            "Invalid WAF mode",
            "front_door.waf.mode: \"Block\" must be Prevention or Detection",
        ),
        (
            pair("", "", &waf("Standard", &rule("geo", "1.5", "", GEO_KP))),
            "Not a whole number",
            "front_door.waf.custom_rule[\"geo\"].priority: 1.5 must be a whole number",
        ),
        (
            pair("    min_count = 2", "", ""),
            "Autoscaler bounds come in pairs",
            "region[\"eastus\"].max_count: set min_count and max_count together",
        ),
        (
            pair(
                "    node_pool \"apps\" {\n      vm_size = \"s\"\n      max_count = 5\n    }",
                "",
                "",
            ),
            "Autoscaler bounds come in pairs",
            "region[\"eastus\"].node_pool[\"apps\"].min_count: set min_count and max_count together",
        ),
    ]
}
