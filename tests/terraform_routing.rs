//! Global routing features through real Terraform against the emulator: 1.0.3, and again on a
//! newer `terraform` from PATH when there is one.
//! - Front Door's WAF: a policy with custom rules and managed rule sets applies and plans no changes;
//!   import rebuilds it exactly; a policy switched to detection in Azure shows as drift and apply
//!   repairs it; removing the block detaches and deletes it. Its validation errors stop
//!   `terraform plan` at the attribute with no ARM call.
//! - Geographic routing with standbys: failing over inside an area is a mode swap in HCL that writes
//!   only that area's nested profile.
//! - Traffic Manager's failure detection: fast probing applied as asked, `failover_seconds` known at
//!   plan; probing changed in Azure is drift that apply repairs.
//! - Traffic Manager DNS names are global: a name another profile holds stops `terraform plan` at
//!   `traffic_manager.dns_name`, after reads only; the topology's own name is not asked about again.

mod support;

use std::path::Path;

use support::{Harness, terraform};

const WITH_WAF: &str = r#"resource "bcdr_topology" "web" {
  name = "web"
  region "northeurope" {
    vnet_cidr = "10.1.0.0/16"
  }
  region "westeurope" {
    vnet_cidr = "10.2.0.0/16"
    mode      = "warm"
  }
  front_door {
    tier = "Premium"
    probe_interval = 60
    origin_host_header = "shop.example.com"
    waf {
      custom_rule "office" {
        priority = 5
        action   = "Allow"
        match_condition {
          variable = "RemoteAddr"
          operator = "IPMatch"
          values   = ["203.0.113.0/24"]
        }
      }
      custom_rule "nobots" {
        priority = 10
        match_condition {
          variable = "RequestHeader"
          selector = "User-Agent"
          operator = "Contains"
          values   = ["evilbot"]
          negate   = false
        }
      }
      managed_rule_set "Microsoft_DefaultRuleSet" {
        version = "2.1"
        action  = "Log"
      }
    }
  }
}"#;

const POLICY: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-web-global/providers/Microsoft.Network/FrontDoorWebApplicationFirewallPolicies/bcdrwebwaf";

async fn waf_lifecycle(h: &Harness) {
    h.config(WITH_WAF);
    h.tf_ok(&["apply", "-auto-approve"]).await;
    let state = h.state_values().await;
    assert_eq!(state["front_door"]["waf"]["policy_id"], POLICY, "{state:#}");
    assert_eq!(state["front_door"]["waf"]["mode"], "Prevention");
    assert_eq!(
        state["front_door"]["waf"]["custom_rule"]["nobots"]["action"], "Block",
        "{state:#}"
    );
    let arm = h.arm();
    let policy = arm
        .get(POLICY, "2024-02-01")
        .await
        .expect("get")
        .expect("policy exists");
    assert_eq!(policy["sku"]["name"], "Premium_AzureFrontDoor");
    assert_eq!(
        policy["properties"]["customRules"]["rules"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    assert_eq!(h.plan_code().await.0, 0, "no changes after apply");
    let group = arm
        .get(
            &POLICY.replace(
                "Microsoft.Network/FrontDoorWebApplicationFirewallPolicies/bcdrwebwaf",
                "Microsoft.Cdn/profiles/fd-web/originGroups/regions",
            ),
            "2024-09-01",
        )
        .await
        .expect("get")
        .expect("origin group");
    assert_eq!(
        group["properties"]["healthProbeSettings"]["probeIntervalInSeconds"], 60,
        "{group:#}"
    );
    let origin = arm
        .get(
            &POLICY.replace(
                "Microsoft.Network/FrontDoorWebApplicationFirewallPolicies/bcdrwebwaf",
                "Microsoft.Cdn/profiles/fd-web/originGroups/regions/origins/westeurope",
            ),
            "2024-09-01",
        )
        .await
        .expect("get")
        .expect("origin");
    assert_eq!(
        origin["properties"]["originHostHeader"], "shop.example.com",
        "the application's domain, not the ingress IP's name: {origin:#}"
    );

    h.tf_ok(&["state", "rm", "bcdr_topology.web"]).await;
    h.tf_ok(&["import", "bcdr_topology.web", "web"]).await;
    let (code, plan) = h.plan_code().await;
    assert_eq!(code, 0, "import rebuilds the WAF exactly:\n{}", plan.all());

    // Someone switches the policy to detection only in the portal.
    let mut body = policy;
    body["properties"]["policySettings"]["mode"] = "Detection".into();
    for readonly in [
        "provisioningState",
        "resourceState",
        "securityPolicyLinks",
        "frontendEndpointLinks",
        "routingRuleLinks",
    ] {
        if let Some(p) = body["properties"].as_object_mut() {
            p.remove(readonly);
        }
    }
    arm.put(POLICY, "2024-02-01", &body, &[])
        .await
        .expect("drift");
    let (code, plan) = h.plan_code().await;
    assert_eq!(code, 2, "drift plans a repair:\n{}", plan.all());
    assert!(
        plan.stdout.contains("policySettings.mode"),
        "{}",
        plan.stdout
    );
    h.tf_ok(&["apply", "-auto-approve"]).await;
    // Premium cannot go back to Standard: refused at plan, at the attribute.
    let managed = WITH_WAF.find("      managed_rule_set").expect("managed");
    let managed_end = managed + WITH_WAF[managed..].find("      }\n").expect("end") + 8;
    let standard = format!("{}{}", &WITH_WAF[..managed], &WITH_WAF[managed_end..]);
    h.config(&standard.replacen(r#"tier = "Premium""#, r#"tier = "Standard""#, 1));
    let out = h.tf(&["plan"]).await;
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.all().contains("Premium cannot go back to Standard"),
        "{}",
        out.all()
    );
    assert!(
        out.all().contains(r#"tier = "Standard""#),
        "points at the tier:\n{}",
        out.all()
    );
    h.config(WITH_WAF);
    let repaired = arm
        .get(POLICY, "2024-02-01")
        .await
        .expect("get")
        .expect("policy");
    assert_eq!(
        repaired["properties"]["policySettings"]["mode"],
        "Prevention"
    );
    assert_eq!(h.plan_code().await.0, 0, "repaired");

    // Without the waf block the security policy goes, then the policy.
    let start = WITH_WAF.find("    waf {").expect("waf block");
    let end = WITH_WAF.rfind("\n  }\n}").expect("front door end");
    h.config(&format!("{}{}", &WITH_WAF[..start], &WITH_WAF[end + 1..]));
    h.tf_ok(&["apply", "-auto-approve"]).await;
    assert!(arm.get(POLICY, "2024-02-01").await.expect("get").is_none());
    assert!(
        !h.emulator
            .resource_ids()
            .iter()
            .any(|id| id.contains("/securitypolicies/")),
        "{:#?}",
        h.emulator.resource_ids()
    );
    assert_eq!(h.plan_code().await.0, 0);
    h.tf_ok(&["destroy", "-auto-approve"]).await;
    assert!(h.emulator.resource_ids().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waf_on_terraform_1_0_3() {
    let h = Harness::new(&terraform::terraform_1_0_3(), "tf-1.0.3-waf").await;
    waf_lifecycle(&h).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waf_on_newer_terraform_from_path() {
    match terraform::terraform_on_path() {
        Some((bin, version)) => {
            waf_lifecycle(&Harness::new(&bin, &format!("tf-{version}-waf")).await).await
        }
        None => {
            support::log("NOTE: no terraform newer than 1.0.3 on PATH: the WAF ran on 1.0.3 only")
        }
    }
}

/// (configuration, the line the diagnostic points at, what it says).
const INVALID: &[(&str, &str, &str)] = &[
    (
        r#"managed_rule_set "Microsoft_DefaultRuleSet" {
        version = "2.1"
      }"#,
        // Terraform points at attributes, not block elements: the nearest is the waf block.
        "waf {",
        "front_door.waf.managed_rule_set[\"Microsoft_DefaultRuleSet\"]: a Standard profile's WAF takes custom rules only",
    ),
    (
        r#"custom_rule "a" {
        priority = 7
        match_condition {
          variable = "RemoteAddr"
          operator = "GeoMatch"
          values   = ["KP"]
        }
      }
      custom_rule "b" {
        priority = 7
        match_condition {
          variable = "RemoteAddr"
          operator = "GeoMatch"
          values   = ["IR"]
        }
      }"#,
        "priority = 7",
        "front_door.waf.custom_rule[\"b\"].priority: priority 7 is used by another custom rule",
    ),
    (
        r#"mode = "Block""#,
        r#"mode = "Block""#,
        "front_door.waf.mode: \"Block\" must be Prevention or Detection",
    ),
    (
        r#"custom_rule "office" {
        priority = 1
        match_condition {
          variable = "RequestUri"
          operator = "IPMatch"
          values   = ["10.0.0.1"]
        }
      }"#,
        r#"operator = "IPMatch""#,
        "front_door.waf.custom_rule[\"office\"].match_condition[0].operator: IPMatch compares client addresses",
    ),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_wafs_are_refused_at_the_attribute_before_any_arm_call() {
    for (tf, version) in terraform::each() {
        invalid_wafs_are_refused_at_the_attribute_before_any_arm_call_on(&tf, &version).await;
    }
}

async fn invalid_wafs_are_refused_at_the_attribute_before_any_arm_call_on(
    tf: &Path,
    version: &str,
) {
    let h = Harness::new(tf, &format!("tf-{version}-waf-invalid")).await;
    for (waf, line, detail) in INVALID {
        h.emulator.clear_requests();
        h.config(&format!(
            r#"resource "bcdr_topology" "web" {{
  name = "web"
  region "northeurope" {{
    vnet_cidr = "10.1.0.0/16"
  }}
  region "westeurope" {{
    vnet_cidr = "10.2.0.0/16"
  }}
  front_door {{
    waf {{
      {waf}
    }}
  }}
}}"#
        ));
        let out = h.tf(&["plan"]).await;
        assert_eq!(out.code, 1, "plan must fail:\n{}", out.all());
        let text = out.all();
        // Terraform wraps long details inside its diagnostic box: compare words.
        let words = |s: &str| {
            s.replace('│', " ")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert!(
            words(&text).contains(&words(detail)),
            "diagnostic says {detail:?}:\n{text}"
        );
        assert!(
            text.contains(line),
            "diagnostic points at {line:?}:\n{text}"
        );
        assert!(
            h.emulator.requests().is_empty(),
            "no ARM call for invalid input: {:#?}",
            h.emulator.requests()
        );
    }
}

const GEO_STANDBYS: &str = r#"resource "bcdr_topology" "geo" {
  name = "geo"
  region "northeurope" {
    vnet_cidr    = "10.1.0.0/16"
    geo_mappings = ["GEO-EU"]
  }
  region "westeurope" {
    vnet_cidr    = "10.2.0.0/16"
    mode         = "warm"
    geo_mappings = ["GEO-EU"]
  }
  region "eastus" {
    vnet_cidr    = "10.3.0.0/16"
    geo_mappings = ["WORLD"]
  }
  traffic_manager {
    routing_method = "Geographic"
  }
}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_geography_fails_over_inside_its_area() {
    for (tf, version) in terraform::each() {
        a_geography_fails_over_inside_its_area_on(&tf, &version).await;
    }
}

async fn a_geography_fails_over_inside_its_area_on(tf: &Path, version: &str) {
    let h = Harness::new(tf, &format!("tf-{version}-geo-areas")).await;
    h.config(GEO_STANDBYS);
    h.tf_ok(&["apply", "-auto-approve"]).await;
    assert_eq!(h.plan_code().await.0, 0);
    let swapped = GEO_STANDBYS
        .replacen(
            "\"10.1.0.0/16\"",
            "\"10.1.0.0/16\"\n    mode         = \"warm\"",
            1,
        )
        .replacen(
            "mode         = \"warm\"\n    geo_mappings = [\"GEO-EU\"]\n  }\n  region \"eastus\"",
            "mode         = \"hot\"\n    geo_mappings = [\"GEO-EU\"]\n  }\n  region \"eastus\"",
            1,
        );
    assert_ne!(swapped, GEO_STANDBYS);
    h.config(&swapped);
    let (code, plan) = h.plan_code().await;
    assert_eq!(code, 2, "{}", plan.all());
    assert!(
        plan.stdout
            .contains(r#"endpoint_status            = "Disabled" -> "Enabled""#),
        "the plan says where traffic goes:\n{}",
        plan.stdout
    );
    h.emulator.clear_requests();
    h.tf_ok(&["apply", "-auto-approve"]).await;
    let writes: Vec<String> = h
        .emulator
        .requests()
        .iter()
        .filter(|r| r.method == "PUT")
        .map(|r| r.path.clone())
        .collect();
    assert_eq!(writes.len(), 1, "{writes:#?}");
    assert!(writes[0].contains("/tm-geo-geo-eu"), "{writes:#?}");
    let state = h.state_values().await;
    assert_eq!(state["region"]["westeurope"]["endpoint_status"], "Enabled");
    assert_eq!(
        state["region"]["northeurope"]["endpoint_status"],
        "Disabled"
    );
    assert_eq!(h.plan_code().await.0, 0);
    h.tf_ok(&["destroy", "-auto-approve"]).await;
    assert!(h.emulator.resource_ids().is_empty());
}

fn routed(dns_name: &str) -> String {
    format!(
        r#"resource "bcdr_topology" "dr" {{
  name = "shop"
  region "eastus" {{
    vnet_cidr = "10.1.0.0/16"
  }}
  region "westus" {{
    vnet_cidr = "10.2.0.0/16"
  }}
  traffic_manager {{
    routing_method = "Priority"
{dns_name}
  }}
}}"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_taken_traffic_manager_dns_name_stops_the_plan() {
    for (tf, version) in terraform::each() {
        a_taken_traffic_manager_dns_name_stops_the_plan_on(&tf, &version).await;
    }
}

async fn a_taken_traffic_manager_dns_name_stops_the_plan_on(tf: &Path, version: &str) {
    let h = Harness::new(tf, &format!("tf-{version}-dns-taken")).await;
    // Another team's profile already answers at bcdr-shop.trafficmanager.net.
    let arm = h.arm();
    let sub = support::SUBSCRIPTION;
    arm.put(
        &format!("/subscriptions/{sub}/resourcegroups/theirs"),
        "2024-03-01",
        &serde_json::json!({ "location": "eastus" }),
        &[],
    )
    .await
    .expect("group");
    let body = serde_json::json!({ "location": "global", "properties": { "trafficRoutingMethod": "Priority",
        "dnsConfig": { "relativeName": "bcdr-shop", "ttl": 30 },
        "monitorConfig": { "protocol": "HTTPS", "port": 443, "path": "/" } } });
    arm.put(&format!("/subscriptions/{sub}/resourceGroups/theirs/providers/Microsoft.Network/trafficmanagerprofiles/web"), "2022-04-01", &body, &[])
        .await
        .expect("their profile");
    h.emulator.clear_requests();

    h.config(&routed(""));
    let out = h.tf(&["plan"]).await;
    let text = out.words();
    assert_eq!(out.code, 1, "{text}");
    assert!(
        text.contains("Error: Traffic Manager DNS name taken"),
        "{text}"
    );
    assert!(
        text.contains("traffic_manager.dns_name: bcdr-shop.trafficmanager.net is taken"),
        "{text}"
    );
    assert!(h.writes().is_empty(), "reads only: {:#?}", h.writes());

    h.config(&routed("    dns_name = \"shop-dr-7f3a\""));
    h.tf_ok(&["apply", "-auto-approve"]).await;
    h.emulator.clear_requests();
    assert_eq!(h.plan_code().await.0, 0, "no changes");
    let asked = h
        .emulator
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/checkTrafficManagerNameAvailabilityV2"))
        .count();
    assert_eq!(asked, 0, "its own name is not asked about again");
    h.tf_ok(&["destroy", "-auto-approve"]).await;
}

const PROBING: &str = "    ttl                = 10\n    probe_interval     = 10\n    probe_timeout      = 5\n    tolerated_failures = 1";

const HEADERS: &str = "    probe_headers         = { Host = \"shop.example.com\", \"X-Probe\" = \"bcdr\" }\n    expected_status_codes = [\"200-299\", \"301\"]";

const PROFILE: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-shop-global/providers/Microsoft.Network/trafficmanagerprofiles/tm-shop";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fast_probing_detects_a_failed_region_sooner_and_drift_is_repaired() {
    for (tf, version) in terraform::each() {
        fast_probing_detects_a_failed_region_sooner_and_drift_is_repaired_on(&tf, &version).await;
    }
}

async fn fast_probing_detects_a_failed_region_sooner_and_drift_is_repaired_on(
    tf: &Path,
    version: &str,
) {
    let h = Harness::new(tf, &format!("tf-{version}-probing")).await;
    h.config(&routed(""));
    let (_, plan) = h.plan_code().await;
    assert!(
        plan.stdout.contains("failover_seconds   = 160"),
        "Traffic Manager's defaults: 4 probes 30 s apart, the last given 10 s, then a 30 s TTL:\n{}",
        plan.stdout
    );
    h.config(&routed(&format!("{PROBING}\n{HEADERS}")));
    let (_, plan) = h.plan_code().await;
    assert!(
        plan.words().contains("failover_seconds = 35"),
        "{}",
        plan.stdout
    );
    h.tf_ok(&["apply", "-auto-approve"]).await;
    let arm = h.arm();
    let monitor = || async {
        arm.get(PROFILE, "2022-04-01")
            .await
            .expect("get")
            .expect("profile")["properties"]["monitorConfig"]
            .clone()
    };
    let m = monitor().await;
    assert_eq!(
        (
            &m["intervalInSeconds"],
            &m["timeoutInSeconds"],
            &m["toleratedNumberOfFailures"]
        ),
        (&10.into(), &5.into(), &1.into()),
        "{m:#}"
    );
    assert_eq!(
        m["customHeaders"],
        serde_json::json!([{ "name": "Host", "value": "shop.example.com" }, { "name": "X-Probe", "value": "bcdr" }])
    );
    assert_eq!(
        m["expectedStatusCodeRanges"],
        serde_json::json!([{ "min": 200, "max": 299 }, { "min": 301, "max": 301 }])
    );
    assert_eq!(h.plan_code().await.0, 0, "no changes");
    h.tf_ok(&["state", "rm", "bcdr_topology.dr"]).await;
    h.tf_ok(&["import", "bcdr_topology.dr", "shop"]).await;
    let (code, plan) = h.plan_code().await;
    assert_eq!(code, 0, "import rebuilds the probing:\n{}", plan.all());

    let mut profile = arm
        .get(PROFILE, "2022-04-01")
        .await
        .expect("get")
        .expect("profile");
    profile["properties"]["monitorConfig"]["toleratedNumberOfFailures"] = 5.into();
    arm.put(PROFILE, "2022-04-01", &profile, &[])
        .await
        .expect("drift");
    let (code, plan) = h.plan_code().await;
    assert_eq!(code, 2, "{}", plan.all());
    assert!(
        plan.stdout
            .contains("properties.monitorConfig.toleratedNumberOfFailures"),
        "the drift is named:\n{}",
        plan.stdout
    );
    h.tf_ok(&["apply", "-auto-approve"]).await;
    assert_eq!(monitor().await["toleratedNumberOfFailures"], 1);

    // One header fewer is a change too: the headers are written as a whole.
    h.config(&routed(&format!(
        "{PROBING}\n    probe_headers = {{ Host = \"shop.example.com\" }}"
    )));
    assert_eq!(h.plan_code().await.0, 2);
    h.tf_ok(&["apply", "-auto-approve"]).await;
    assert_eq!(
        monitor().await["customHeaders"],
        serde_json::json!([{ "name": "Host", "value": "shop.example.com" }])
    );
    h.tf_ok(&["destroy", "-auto-approve"]).await;
    assert!(h.emulator.resource_ids().is_empty());
}
