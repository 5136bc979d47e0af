//! One test per WAF rule, through its error text and attribute path.
use crate::model::{
    FrontDoor, Region, Topology, Waf, WafCustomRule, WafManagedRuleSet, WafMatchCondition,
};
use crate::validate::{Diagnostic, validate};

fn with(premium: bool, waf: Waf) -> Topology {
    let fd = FrontDoor {
        premium,
        ..FrontDoor::default().waf(waf)
    };
    Topology::new("shop")
        .region(Region::new("eastus", "10.1.0.0/16"))
        .region(Region::new("westus", "10.2.0.0/16"))
        .front_door(fd)
}

fn geo(values: &[&str]) -> WafMatchCondition {
    WafMatchCondition::new("RemoteAddr", "GeoMatch", values.iter().copied())
}

fn rule(name: &str, priority: u32) -> WafCustomRule {
    WafCustomRule::new(name, priority).condition(geo(&["KP"]))
}

fn only(t: &Topology) -> Diagnostic {
    let d = validate(t);
    assert_eq!(d.len(), 1, "{d:#?}");
    d.into_iter().next().expect("one diagnostic")
}

fn expect(t: &Topology, path: &str, text: &str) {
    let d = only(t);
    assert_eq!(d.path.to_string(), path, "{d}");
    assert!(d.detail.contains(text), "{text}: {d}");
}

#[test]
fn custom_rules_on_standard_and_managed_sets_on_premium_are_valid() {
    let rate = WafCustomRule::new("loginburst", 20)
        .rate_limit(100, 5)
        .condition(WafMatchCondition::new(
            "RequestUri",
            "BeginsWith",
            ["/login"],
        ));
    let ip = WafCustomRule::new("office", 5)
        .action("Allow")
        .condition(WafMatchCondition::new(
            "RemoteAddr",
            "IPMatch",
            ["203.0.113.0/24", "198.51.100.7"],
        ));
    assert!(
        validate(&with(
            false,
            Waf::default()
                .custom_rule(rule("geo", 10))
                .custom_rule(rate)
                .custom_rule(ip)
        ))
        .is_empty()
    );
    let premium = Waf::default()
        .managed_rule_set(WafManagedRuleSet::new("Microsoft_DefaultRuleSet", "2.1"))
        .managed_rule_set(
            WafManagedRuleSet::new("Microsoft_BotManagerRuleSet", "1.1").action("Log"),
        );
    assert!(validate(&with(true, premium)).is_empty());
}

#[test]
fn managed_rule_sets_need_premium() {
    let waf =
        Waf::default().managed_rule_set(WafManagedRuleSet::new("Microsoft_DefaultRuleSet", "2.1"));
    expect(
        &with(false, waf),
        r#"front_door.waf.managed_rule_set["Microsoft_DefaultRuleSet"]"#,
        "tier = \"Premium\"",
    );
}

#[test]
fn managed_rule_sets_are_known_listed_once_versioned_and_block_or_log() {
    let t = with(
        true,
        Waf::default().managed_rule_set(WafManagedRuleSet::new("OWASP", "3.2")),
    );
    expect(
        &t,
        r#"front_door.waf.managed_rule_set["OWASP"]"#,
        "Microsoft_DefaultRuleSet",
    );
    let set = WafManagedRuleSet::new("Microsoft_DefaultRuleSet", "2.1");
    let t = with(
        true,
        Waf::default()
            .managed_rule_set(set.clone())
            .managed_rule_set(set.clone()),
    );
    expect(
        &t,
        r#"front_door.waf.managed_rule_set["Microsoft_DefaultRuleSet"]"#,
        "once",
    );
    let t = with(
        true,
        Waf::default().managed_rule_set(WafManagedRuleSet::new("Microsoft_DefaultRuleSet", " ")),
    );
    expect(
        &t,
        r#"front_door.waf.managed_rule_set["Microsoft_DefaultRuleSet"].version"#,
        "2.1",
    );
    let t = with(true, Waf::default().managed_rule_set(set.action("Allow")));
    expect(
        &t,
        r#"front_door.waf.managed_rule_set["Microsoft_DefaultRuleSet"].action"#,
        "Block or Log",
    );
}

#[test]
fn rule_names_are_alphanumeric_and_unique() {
    expect(
        &with(false, Waf::default().custom_rule(rule("block-geo", 1))),
        r#"front_door.waf.custom_rule["block-geo"]"#,
        "no hyphens",
    );
    let t = with(
        false,
        Waf::default()
            .custom_rule(rule("geo", 1))
            .custom_rule(rule("Geo", 2)),
    );
    expect(&t, r#"front_door.waf.custom_rule["Geo"]"#, "used twice");
}

#[test]
fn priorities_are_unique() {
    let t = with(
        false,
        Waf::default()
            .custom_rule(rule("a", 7))
            .custom_rule(rule("b", 7)),
    );
    expect(
        &t,
        r#"front_door.waf.custom_rule["b"].priority"#,
        "priority 7",
    );
}

#[test]
fn actions_are_allow_block_or_log() {
    let t = with(
        false,
        Waf::default().custom_rule(rule("geo", 1).action("Redirect")),
    );
    expect(
        &t,
        r#"front_door.waf.custom_rule["geo"].action"#,
        "Allow, Block, Log",
    );
}

#[test]
fn rate_limits_count_at_least_one_request_over_one_or_five_minutes() {
    let t = with(
        false,
        Waf::default().custom_rule(rule("burst", 1).rate_limit(0, 1)),
    );
    expect(
        &t,
        r#"front_door.waf.custom_rule["burst"].rate_limit_threshold"#,
        "at least 1",
    );
    let t = with(
        false,
        Waf::default().custom_rule(rule("burst", 1).rate_limit(10, 3)),
    );
    expect(
        &t,
        r#"front_door.waf.custom_rule["burst"].rate_limit_duration_minutes"#,
        "1 or 5",
    );
}

#[test]
fn a_rule_needs_a_condition() {
    let t = with(
        false,
        Waf::default().custom_rule(WafCustomRule::new("empty", 1)),
    );
    expect(
        &t,
        r#"front_door.waf.custom_rule["empty"]"#,
        "match_condition",
    );
}

#[test]
fn conditions_name_a_known_variable_and_operator() {
    let c = WafMatchCondition::new("Referer", "Contains", ["x"]);
    let t = with(
        false,
        Waf::default().custom_rule(WafCustomRule::new("r", 1).condition(c)),
    );
    expect(
        &t,
        r#"front_door.waf.custom_rule["r"].match_condition[0].variable"#,
        "RequestHeader",
    );
    let c = WafMatchCondition::new("RequestUri", "Like", ["x"]);
    let t = with(
        false,
        Waf::default().custom_rule(WafCustomRule::new("r", 1).condition(c)),
    );
    expect(
        &t,
        r#"front_door.waf.custom_rule["r"].match_condition[0].operator"#,
        "BeginsWith",
    );
}

#[test]
fn address_operators_apply_to_addresses_only() {
    let c = WafMatchCondition::new("RequestUri", "IPMatch", ["10.0.0.1"]);
    let t = with(
        false,
        Waf::default().custom_rule(WafCustomRule::new("r", 1).condition(c)),
    );
    expect(
        &t,
        r#"front_door.waf.custom_rule["r"].match_condition[0].operator"#,
        "RemoteAddr or SocketAddr",
    );
}

#[test]
fn values_are_given_and_well_formed() {
    let c = WafMatchCondition::new("RequestUri", "Contains", Vec::<String>::new());
    let t = with(
        false,
        Waf::default().custom_rule(WafCustomRule::new("r", 1).condition(c)),
    );
    expect(
        &t,
        r#"front_door.waf.custom_rule["r"].match_condition[0].values"#,
        "at least one value",
    );
    let c = WafMatchCondition::new("RemoteAddr", "IPMatch", ["10.0.0.300"]);
    let t = with(
        false,
        Waf::default().custom_rule(WafCustomRule::new("r", 1).condition(c)),
    );
    expect(
        &t,
        r#"front_door.waf.custom_rule["r"].match_condition[0].values"#,
        "CIDR",
    );
    let t = with(
        false,
        Waf::default().custom_rule(WafCustomRule::new("r", 1).condition(geo(&["usa"]))),
    );
    expect(
        &t,
        r#"front_door.waf.custom_rule["r"].match_condition[0].values"#,
        "two-letter",
    );
}

#[test]
fn the_actions_bcdr_offers_are_azures() {
    for action in super::ACTIONS {
        assert!(azure_facts::waf::ACTIONS.contains(action), "{action}");
    }
    for action in super::SET_ACTIONS {
        assert!(
            azure_facts::waf::RULE_SET_ACTIONS.contains(action),
            "{action}"
        );
    }
}
