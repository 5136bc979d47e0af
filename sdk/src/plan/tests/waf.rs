//! Golden plans for Front Door's WAF: adding it, changing a rule, removing a rule, dropping it, and
//! dropping Front Door with it (the policy waits for what uses it to go).

use super::*;
use crate::model::{FrontDoor, Waf, WafCustomRule, WafManagedRuleSet, WafMatchCondition};

fn geo_block() -> WafCustomRule {
    WafCustomRule::new("blockgeo", 10).condition(WafMatchCondition::new(
        "RemoteAddr",
        "GeoMatch",
        ["KP"],
    ))
}

fn with_front_door(waf: Option<Waf>) -> Topology {
    two().front_door(FrontDoor {
        premium: true,
        waf,
        ..Default::default()
    })
}

fn guarded() -> Topology {
    with_front_door(Some(
        Waf::default()
            .custom_rule(geo_block())
            .managed_rule_set(WafManagedRuleSet::new("Microsoft_DefaultRuleSet", "2.1")),
    ))
}

fn index(plan: &Plan, key: &ResourceKey) -> usize {
    plan.operations
        .iter()
        .position(|o| &o.key == key)
        .expect("operation")
}

#[test]
fn adding_a_waf_creates_the_policy_then_attaches_it_to_the_endpoint() {
    let plan = plan(
        &layout::desired(&guarded(), SUB),
        &observed_after(&with_front_door(None)),
    );
    assert_eq!(
        summary(&plan),
        ["create WAF policy", "create Front Door security policy"]
    );
    let attach = &plan.operations[index(&plan, &ResourceKey::FrontDoorSecurityPolicy)];
    assert!(
        attach
            .depends_on
            .contains(&index(&plan, &ResourceKey::WafPolicy))
    );
    let body = attach.body.as_ref().expect("body");
    assert_eq!(
        body["properties"]["parameters"]["associations"][0]["patternsToMatch"],
        json!(["/*"])
    );
    let policy = plan.operations[index(&plan, &ResourceKey::WafPolicy)]
        .body
        .clone()
        .expect("body");
    assert_eq!(
        policy["sku"]["name"], "Premium_AzureFrontDoor",
        "the profile's tier"
    );
    assert_eq!(policy["location"], "Global");
    assert_eq!(
        policy["properties"]["customRules"]["rules"][0]["ruleType"],
        "MatchRule"
    );
    assert!(
        plan.operations[index(&plan, &ResourceKey::WafPolicy)]
            .id
            .ends_with("/FrontDoorWebApplicationFirewallPolicies/bcdrshopwaf")
    );
}

#[test]
fn changing_a_rule_updates_the_policy_alone() {
    let mut t = guarded();
    if let Some(waf) = t.front_door.as_mut().and_then(|f| f.waf.as_mut()) {
        waf.custom_rules[0] = geo_block().rate_limit(100, 1);
    }
    let plan = plan(&layout::desired(&t, SUB), &observed_after(&guarded()));
    assert_eq!(summary(&plan), ["update WAF policy"]);
    let drift: Vec<String> = plan.operations[index(&plan, &ResourceKey::WafPolicy)]
        .drift
        .iter()
        .map(|d| d.path.clone())
        .collect();
    assert!(
        drift.contains(&"properties.customRules.rules[blockgeo].ruleType".to_owned()),
        "{drift:?}"
    );
}

#[test]
fn removing_one_rule_of_two_is_an_update() {
    let mut two_rules = guarded();
    if let Some(waf) = two_rules.front_door.as_mut().and_then(|f| f.waf.as_mut()) {
        waf.custom_rules.push(
            WafCustomRule::new("limitlogin", 20)
                .rate_limit(50, 5)
                .condition(WafMatchCondition::new(
                    "RequestUri",
                    "BeginsWith",
                    ["/login"],
                )),
        );
    }
    let plan = plan(
        &layout::desired(&guarded(), SUB),
        &observed_after(&two_rules),
    );
    assert_eq!(summary(&plan), ["update WAF policy"]);
}

#[test]
fn dropping_the_waf_detaches_it_before_deleting_it() {
    let plan = plan(
        &layout::desired(&with_front_door(None), SUB),
        &observed_after(&guarded()),
    );
    assert_eq!(
        summary(&plan),
        ["delete Front Door security policy", "delete WAF policy"]
    );
    let policy = &plan.operations[index(&plan, &ResourceKey::WafPolicy)];
    assert_eq!(
        policy.depends_on,
        [index(&plan, &ResourceKey::FrontDoorSecurityPolicy)]
    );
}

#[test]
fn dropping_front_door_deletes_the_policy_after_the_profile() {
    let plan = plan(&layout::desired(&two(), SUB), &observed_after(&guarded()));
    assert_eq!(
        summary(&plan),
        ["delete Front Door profile", "delete WAF policy"]
    );
    let policy = &plan.operations[index(&plan, &ResourceKey::WafPolicy)];
    assert_eq!(
        policy.depends_on,
        [index(&plan, &ResourceKey::FrontDoorProfile)]
    );
}

#[test]
fn a_front_door_origin_waits_until_its_hot_region_can_serve() {
    let p = plan(
        &layout::desired(&with_front_door(None), SUB),
        &Observed::default(),
    );
    let origin = &p.operations[index(&p, &ResourceKey::FrontDoorOrigin("eastus".into()))];
    for key in [
        ResourceKey::PublicIp("eastus".into()),
        ResourceKey::ManagedCluster("eastus".into()),
        ResourceKey::RoleAssignment("eastus".into()),
    ] {
        assert!(
            origin.depends_on.contains(&index(&p, &key)),
            "the origin waits for {key}"
        );
    }
}
