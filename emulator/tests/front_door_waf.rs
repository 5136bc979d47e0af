//! Front Door's WAF and rule sets over raw HTTPS: `FrontDoorWebApplicationFirewallPolicies` (name
//! rules, location `Global`, custom rules on every tier, managed rule sets on Premium only), the
//! profile's security policies that attach one to an endpoint, and rule sets with their rules.
//! Every answer is checked against its operation's spec.

mod support;

use reqwest::Method;
use serde_json::{Value, json};
use support::{Arm, SUB, fast};

fn waf_path(name: &str) -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/g/providers/Microsoft.Network/FrontDoorWebApplicationFirewallPolicies/{name}?api-version=2024-02-01"
    )
}

fn afd(rest: &str) -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/g/providers/Microsoft.Cdn/profiles/fd{rest}?api-version=2024-09-01"
    )
}

fn geo_block(priority: i64) -> Value {
    json!({ "name": format!("blockgeo{priority}"), "priority": priority, "ruleType": "MatchRule", "action": "Block",
        "matchConditions": [{ "matchVariable": "RemoteAddr", "operator": "GeoMatch", "matchValue": ["KP"] }] })
}

fn policy(sku: &str, rules: Vec<Value>, managed: Vec<Value>) -> Value {
    json!({ "location": "Global", "sku": { "name": sku }, "properties": {
        "policySettings": { "enabledState": "Enabled", "mode": "Prevention" },
        "customRules": { "rules": rules }, "managedRules": { "managedRuleSets": managed } } })
}

fn default_rule_set() -> Value {
    json!({ "ruleSetType": "Microsoft_DefaultRuleSet", "ruleSetVersion": "2.1", "ruleSetAction": "Block" })
}

/// A flat `{code, message}` error whose message names `needle`.
fn refused(status: u16, body: &Value, needle: &str) {
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        body["code"], "BadRequest",
        "the WAF provider's flat error shape: {body}"
    );
    assert!(
        body["message"].as_str().is_some_and(|m| m.contains(needle)),
        "{needle}: {body}"
    );
}

#[tokio::test]
async fn waf_policies_follow_the_naming_location_and_tier_rules() {
    let arm = Arm::start(fast()).await;
    arm.group("g").await;
    let std = |rules, managed| policy("Standard_AzureFrontDoor", rules, managed);
    let (s, b) = arm
        .req(
            Method::PUT,
            &waf_path("shop-waf"),
            Some(std(vec![], vec![])),
        )
        .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (400, Some("InvalidResourceName")),
        "{b}"
    );
    let mut west = std(vec![], vec![]);
    west["location"] = json!("westus");
    let (s, b) = arm.req(Method::PUT, &waf_path("shopwaf"), Some(west)).await;
    assert_eq!(
        (s, b["code"].as_str()),
        (400, Some("LocationNotAvailableForResourceType")),
        "{b}"
    );
    let (s, b) = arm
        .req(
            Method::PUT,
            &waf_path("shopwaf"),
            Some(std(vec![], vec![default_rule_set()])),
        )
        .await;
    refused(s, &b, "Premium_AzureFrontDoor");
    let (s, b) = arm
        .req(
            Method::PUT,
            &waf_path("shopwaf"),
            Some(std(vec![geo_block(10), geo_block(10)], vec![])),
        )
        .await;
    refused(s, &b, "used twice");
    let mut ip_on_uri = geo_block(5);
    ip_on_uri["matchConditions"][0]["matchVariable"] = json!("RequestUri");
    let (s, b) = arm
        .req(
            Method::PUT,
            &waf_path("shopwaf"),
            Some(std(vec![ip_on_uri], vec![])),
        )
        .await;
    refused(s, &b, "RemoteAddr or SocketAddr");
    let rate = json!({ "name": "ratelimit", "priority": 20, "ruleType": "RateLimitRule", "action": "Block",
        "rateLimitDurationInMinutes": 3, "rateLimitThreshold": 100,
        "matchConditions": [{ "matchVariable": "RequestUri", "operator": "Contains", "matchValue": ["/login"] }] });
    let (s, b) = arm
        .req(
            Method::PUT,
            &waf_path("shopwaf"),
            Some(std(vec![rate], vec![])),
        )
        .await;
    refused(s, &b, "1 or 5");

    // Custom rules on Standard; managed rule sets on Premium.
    let (s, h, b) = arm
        .put(&waf_path("shopwaf"), std(vec![geo_block(10)], vec![]))
        .await;
    assert_eq!(s, 201, "{b}");
    assert!(
        h.contains_key("azure-asyncoperation"),
        "PUT is long-running"
    );
    let (s, _, b) = arm
        .put(
            &waf_path("shoppremium"),
            policy(
                "Premium_AzureFrontDoor",
                vec![geo_block(10)],
                vec![default_rule_set()],
            ),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    arm.settle().await;
    let (s, b) = arm.req(Method::GET, &waf_path("ShopPremium"), None).await;
    assert_eq!(s, 200, "names are case-insensitive");
    assert_eq!(b["properties"]["provisioningState"], "Succeeded");
    assert_eq!(b["location"], "Global");
    assert_eq!(
        b["properties"]["customRules"]["rules"][0]["enabledState"],
        "Enabled"
    );
    assert_eq!(
        b["properties"]["managedRules"]["managedRuleSets"][0]["ruleSetVersion"],
        "2.1"
    );
    let (s, b) = arm.req(Method::GET, &waf_path("missing"), None).await;
    assert_eq!(
        (s, b["code"].as_str()),
        (404, Some("ResourceNotFound")),
        "{b}"
    );
}

#[tokio::test]
async fn security_policies_attach_a_waf_policy_of_the_profiles_tier() {
    let arm = Arm::start(fast()).await;
    arm.group("g").await;
    let (s, _) = arm
        .req(
            Method::PUT,
            &afd(""),
            Some(json!({ "location": "global", "sku": { "name": "Standard_AzureFrontDoor" } })),
        )
        .await;
    assert_eq!(s, 201);
    arm.settle().await;
    let (s, _) = arm
        .req(
            Method::PUT,
            &afd("/afdEndpoints/shop"),
            Some(json!({ "location": "global", "properties": {} })),
        )
        .await;
    assert_eq!(s, 201);
    for (name, sku) in [
        ("premium", "Premium_AzureFrontDoor"),
        ("standard", "Standard_AzureFrontDoor"),
    ] {
        let (s, _) = arm
            .req(
                Method::PUT,
                &waf_path(name),
                Some(policy(sku, vec![geo_block(1)], vec![])),
            )
            .await;
        assert_eq!(s, 201);
    }
    arm.settle().await;
    let endpoint = format!(
        "/subscriptions/{SUB}/resourceGroups/g/providers/Microsoft.Cdn/profiles/fd/afdendpoints/shop"
    );
    let waf_id = |name: &str| {
        format!(
            "/subscriptions/{SUB}/resourceGroups/g/providers/Microsoft.Network/FrontDoorWebApplicationFirewallPolicies/{name}"
        )
    };
    let security = |waf: &str| {
        json!({ "properties": { "parameters": { "type": "WebApplicationFirewall", "wafPolicy": { "id": waf_id(waf) },
            "associations": [{ "domains": [{ "id": endpoint }], "patternsToMatch": ["/*"] }] } } })
    };
    let (s, b) = arm
        .req(
            Method::PUT,
            &afd("/securityPolicies/waf"),
            Some(security("premium")),
        )
        .await;
    assert_eq!(s, 400, "a Premium policy on a Standard profile: {b}");
    let (s, b) = arm
        .req(
            Method::PUT,
            &afd("/securityPolicies/waf"),
            Some(security("nothere")),
        )
        .await;
    assert_eq!(s, 400, "{b}");
    let (s, b) = arm
        .req(
            Method::PUT,
            &afd("/securityPolicies/waf"),
            Some(security("standard")),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    assert_eq!(b["type"], "Microsoft.Cdn/profiles/securitypolicies");
    assert_eq!(
        b["properties"]["parameters"]["associations"][0]["domains"][0]["isActive"],
        true
    );
    arm.settle().await;
    let (_, b) = arm.req(Method::GET, &waf_path("standard"), None).await;
    assert!(
        b["properties"]["securityPolicyLinks"][0]["id"]
            .as_str()
            .is_some_and(|id| id.ends_with("/securitypolicies/waf")),
        "{b}"
    );
    let (s, b) = arm.req(Method::DELETE, &waf_path("standard"), None).await;
    assert_eq!(
        (s, b["code"].as_str()),
        (409, Some("Conflict")),
        "in use: {b}"
    );
    assert_eq!(
        arm.req(Method::DELETE, &afd("/securityPolicies/waf"), None)
            .await
            .0,
        202
    );
    arm.gone(&afd("/securityPolicies/waf")).await;
    assert_eq!(
        arm.req(Method::DELETE, &waf_path("standard"), None).await.0,
        202
    );
    arm.settle().await;
    assert_eq!(
        arm.req(Method::GET, &waf_path("standard"), None).await.0,
        404
    );
    assert_eq!(
        arm.req(Method::DELETE, &waf_path("standard"), None).await.0,
        204
    );
}

#[tokio::test]
async fn rule_sets_hold_rules_that_routes_use() {
    let arm = Arm::start(fast()).await;
    arm.group("g").await;
    arm.req(
        Method::PUT,
        &afd(""),
        Some(json!({ "location": "global", "sku": { "name": "Premium_AzureFrontDoor" } })),
    )
    .await;
    arm.settle().await;
    let (s, b) = arm.req(Method::PUT, &afd("/ruleSets/headers"), None).await;
    assert_eq!(
        (s, b["properties"]["provisioningState"].as_str()),
        (201, Some("Succeeded")),
        "no body, written at once: {b}"
    );
    let (s, b) = arm
        .req(
            Method::PUT,
            &afd("/ruleSets/headers/rules/none"),
            Some(json!({ "properties": { "order": 1, "actions": [] } })),
        )
        .await;
    assert_eq!(s, 400, "a rule needs an action: {b}");
    let action = json!({ "name": "ModifyResponseHeader", "parameters": { "typeName": "DeliveryRuleHeaderActionParameters", "headerAction": "Overwrite", "headerName": "X-Region", "value": "eastus" } });
    let (s, b) = arm
        .req(
            Method::PUT,
            &afd("/ruleSets/headers/rules/tag"),
            Some(json!({ "properties": { "order": 1, "actions": [action] } })),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    assert_eq!(b["properties"]["matchProcessingBehavior"], "Continue");
    arm.req(
        Method::PUT,
        &afd("/afdEndpoints/shop"),
        Some(json!({ "location": "global", "properties": {} })),
    )
    .await;
    let probing = |s: i64| json!({ "properties": { "healthProbeSettings": { "probePath": "/", "probeProtocol": "Https", "probeRequestType": "HEAD", "probeIntervalInSeconds": s } } });
    let (s, b) = arm
        .req(Method::PUT, &afd("/originGroups/g1"), Some(probing(300)))
        .await;
    assert_eq!(s, 400, "the spec's bounds are 1 to 255 seconds: {b}");
    assert_eq!(
        b["error"]["target"],
        "properties.healthProbeSettings.probeIntervalInSeconds"
    );
    arm.req(Method::PUT, &afd("/originGroups/g1"), Some(probing(255)))
        .await;
    arm.settle().await;
    let group = format!(
        "/subscriptions/{SUB}/resourceGroups/g/providers/Microsoft.Cdn/profiles/fd/originGroups/g1"
    );
    let sets = |name: &str| json!({ "properties": { "originGroup": { "id": group }, "ruleSets": [{ "id": format!("/subscriptions/{SUB}/resourceGroups/g/providers/Microsoft.Cdn/profiles/fd/ruleSets/{name}") }] } });
    let (s, b) = arm
        .req(
            Method::PUT,
            &afd("/afdEndpoints/shop/routes/all"),
            Some(sets("missing")),
        )
        .await;
    assert_eq!(s, 400, "a route's rule sets must exist: {b}");
    let (s, b) = arm
        .req(
            Method::PUT,
            &afd("/afdEndpoints/shop/routes/all"),
            Some(sets("headers")),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    assert!(
        b["properties"]["ruleSets"][0]["id"]
            .as_str()
            .is_some_and(|id| id.ends_with("/ruleSets/headers"))
    );
}
