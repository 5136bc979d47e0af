//! The desired ARM bodies of the topology's routing: the Traffic Manager profile (and an area's
//! nested profile) with an endpoint per region, Front Door's profile, endpoint, origins and route,
//! and its WAF policy.

use super::bodies::to_value;
use crate::arm::front_door as afd;
use crate::arm::traffic_manager::{
    CustomHeader, DnsConfig, ENDPOINT_TYPE, Endpoint, EndpointProperties, MonitorConfig,
    NESTED_ENDPOINT_TYPE, Profile, ProfileProperties, StatusCodeRange,
};
use crate::arm::waf as arm_waf;
use crate::model::{FrontDoor, Waf};
use crate::model::{Region, RegionMode, RegionRole, RoutingMethod, Topology, TrafficManager};
use crate::names;
use serde_json::Value;
use std::collections::BTreeMap;

pub(super) fn traffic_manager(
    topology: &str,
    tm: &TrafficManager,
    endpoints: Vec<Endpoint>,
) -> Value {
    let tcp = tm.probe_protocol.eq_ignore_ascii_case("TCP");
    to_value(&Profile {
        location: "global".into(),
        tags: names::tags(topology, names::GLOBAL),
        properties: ProfileProperties {
            profile_status: "Enabled".into(),
            traffic_routing_method: tm.routing_method.as_str().into(),
            dns_config: DnsConfig {
                relative_name: tm.relative_name(topology),
                ttl: tm.ttl,
                fqdn: None,
            },
            monitor_config: MonitorConfig {
                protocol: tm.probe_protocol.to_ascii_uppercase(),
                port: tm.probe_port,
                path: (!tcp).then(|| tm.probe_path.clone()),
                interval_in_seconds: Some(tm.probe_interval),
                timeout_in_seconds: Some(tm.probe_timeout),
                tolerated_number_of_failures: Some(tm.tolerated_failures),
                custom_headers: tm
                    .probe_headers
                    .iter()
                    .map(|(name, value)| CustomHeader {
                        name: name.clone(),
                        value: value.clone(),
                    })
                    .collect(),
                expected_status_code_ranges: tm
                    .status_code_ranges()
                    .into_iter()
                    .flatten()
                    .map(|(min, max)| StatusCodeRange { min, max })
                    .collect(),
            },
            endpoints,
        },
    })
}

/// Priorities in effect: explicit ones, then the rest hot first, then warm, then cold, each with the
/// primary region first, then by name.
pub fn priorities(topology: &Topology) -> BTreeMap<String, u32> {
    priorities_of(&topology.regions.iter().collect::<Vec<_>>())
}

/// [`priorities`] among `regions` only (the regions of one nested area).
pub fn priorities_of(regions: &[&Region]) -> BTreeMap<String, u32> {
    let mut out: BTreeMap<String, u32> = regions
        .iter()
        .filter_map(|r| r.endpoint.priority.map(|p| (r.name.clone(), p)))
        .collect();
    let mut rest: Vec<&Region> = regions
        .iter()
        .copied()
        .filter(|r| r.endpoint.priority.is_none())
        .collect();
    rest.sort_by_key(|r| (r.mode as u8, r.role != RegionRole::Primary, r.name.clone()));
    let mut next = 1;
    for r in rest {
        while out.values().any(|p| *p == next) {
            next += 1;
        }
        out.insert(r.name.clone(), next);
        next += 1;
    }
    out
}

/// Hot regions receive traffic; warm and cold ones are `Disabled`, which keeps them off until failover
/// (Traffic Manager never enables an endpoint by itself).
pub(super) fn endpoint(
    tm: &TrafficManager,
    region: &Region,
    ip_id: String,
    priority: Option<u32>,
) -> Endpoint {
    let e = &region.endpoint;
    Endpoint {
        name: region.name.clone(),
        kind: ENDPOINT_TYPE.into(),
        properties: EndpointProperties {
            target_resource_id: ip_id,
            endpoint_status: if region.mode == RegionMode::Hot {
                "Enabled"
            } else {
                "Disabled"
            }
            .into(),
            priority: (tm.routing_method == RoutingMethod::Priority)
                .then_some(priority)
                .flatten(),
            weight: (tm.routing_method == RoutingMethod::Weighted).then(|| e.weight.unwrap_or(1)),
            geo_mapping: if tm.routing_method == RoutingMethod::Geographic {
                e.geo_mappings.clone()
            } else {
                Vec::new()
            },
            min_child_endpoints: None,
        },
    }
}

/// A nested area's child profile: Priority routing over the area's regions, the hot one enabled.
pub(super) fn area_profile(
    topology: &str,
    tm: &TrafficManager,
    area: &super::geo::Area<'_>,
    ip_id: impl Fn(&str) -> String,
) -> Value {
    let priorities = priorities_of(&area.regions);
    let child = TrafficManager {
        routing_method: RoutingMethod::Priority,
        dns_name: Some(names::traffic_manager_area_dns(
            &tm.relative_name(topology),
            &area.name,
        )),
        ..tm.clone()
    };
    let endpoints = area
        .regions
        .iter()
        .map(|r| endpoint(&child, r, ip_id(&r.name), priorities.get(&r.name).copied()))
        .collect();
    traffic_manager(topology, &child, endpoints)
}

/// The parent's endpoint for a nested area: its child profile, serving the area's codes.
pub(super) fn area_endpoint(area: &super::geo::Area<'_>, child_id: String) -> Endpoint {
    Endpoint {
        name: area.name.clone(),
        kind: NESTED_ENDPOINT_TYPE.into(),
        properties: EndpointProperties {
            target_resource_id: child_id,
            endpoint_status: "Enabled".into(),
            priority: None,
            weight: None,
            geo_mapping: area.codes.clone(),
            min_child_endpoints: Some(1),
        },
    }
}

pub(super) fn front_door_profile(topology: &str, fd: &FrontDoor) -> Value {
    let sku = if fd.premium {
        "Premium_AzureFrontDoor"
    } else {
        "Standard_AzureFrontDoor"
    };
    to_value(&afd::Profile {
        location: "global".into(),
        tags: names::tags(topology, names::GLOBAL),
        sku: afd::Sku { name: sku.into() },
    })
}

pub(super) fn front_door_endpoint(topology: &str) -> Value {
    to_value(&afd::Endpoint {
        location: "global".into(),
        tags: names::tags(topology, names::GLOBAL),
        properties: afd::EndpointProperties {
            enabled_state: "Enabled".into(),
            host_name: None,
        },
    })
}

pub(super) fn front_door_origin_group(fd: &FrontDoor) -> Value {
    to_value(&afd::OriginGroup {
        properties: afd::OriginGroupProperties {
            load_balancing_settings: afd::LoadBalancing {
                sample_size: 4,
                successful_samples_required: 3,
                additional_latency_in_milliseconds: 50,
            },
            health_probe_settings: afd::HealthProbe {
                probe_path: fd.probe_path.clone(),
                probe_request_type: "HEAD".into(),
                probe_protocol: fd.probe_protocol.clone(),
                probe_interval_in_seconds: fd.probe_interval,
            },
            session_affinity_state: if fd.session_affinity {
                "Enabled"
            } else {
                "Disabled"
            }
            .into(),
        },
    })
}

/// The host name is bound from the region's ingress IP at apply time.
pub(super) fn front_door_origin(region: &Region, fd: &FrontDoor) -> Value {
    to_value(&afd::Origin {
        properties: afd::OriginProperties {
            host_name: String::new(),
            // The ingress IP's DNS name is bound at apply time when no header is asked for.
            origin_host_header: fd.origin_host_header.clone().unwrap_or_default(),
            priority: 1,
            weight: 1000,
            enabled_state: if region.mode == RegionMode::Hot {
                "Enabled"
            } else {
                "Disabled"
            }
            .into(),
            enforce_certificate_name_check: true,
        },
    })
}

pub(super) fn front_door_route(origin_group_id: String) -> Value {
    to_value(&afd::Route {
        properties: afd::RouteProperties {
            origin_group: afd::IdRef {
                id: origin_group_id,
            },
            supported_protocols: vec!["Http".into(), "Https".into()],
            patterns_to_match: vec!["/*".into()],
            forwarding_protocol: "MatchRequest".into(),
            link_to_default_domain: "Enabled".into(),
            https_redirect: "Enabled".into(),
            enabled_state: "Enabled".into(),
        },
    })
}

pub(super) fn waf_policy(topology: &str, premium: bool, policy: &Waf) -> Value {
    let rules = policy
        .custom_rules
        .iter()
        .map(|r| arm_waf::CustomRule {
            name: r.name.clone(),
            priority: r.priority,
            enabled_state: "Enabled".into(),
            rule_type: if r.rate_limit.is_some() {
                "RateLimitRule"
            } else {
                "MatchRule"
            }
            .into(),
            rate_limit_duration_in_minutes: r.rate_limit.map(|l| l.duration_minutes),
            rate_limit_threshold: r.rate_limit.map(|l| l.threshold),
            match_conditions: r
                .conditions
                .iter()
                .map(|c| arm_waf::MatchCondition {
                    match_variable: c.variable.clone(),
                    selector: c.selector.clone(),
                    operator: c.operator.clone(),
                    negate_condition: c.negate,
                    match_value: c.values.clone(),
                })
                .collect(),
            action: r.action.clone(),
        })
        .collect();
    let sets = policy
        .managed_rule_sets
        .iter()
        .map(|s| arm_waf::ManagedRuleSet {
            rule_set_type: s.rule_set_type.clone(),
            rule_set_version: s.version.clone(),
            rule_set_action: Some(s.action.clone()),
        })
        .collect();
    to_value(&arm_waf::Policy {
        location: "Global".into(),
        tags: names::tags(topology, names::GLOBAL),
        sku: afd::Sku {
            name: if premium {
                "Premium_AzureFrontDoor"
            } else {
                "Standard_AzureFrontDoor"
            }
            .into(),
        },
        properties: arm_waf::PolicyProperties {
            policy_settings: arm_waf::PolicySettings {
                enabled_state: "Enabled".into(),
                mode: policy.mode.as_str().into(),
            },
            custom_rules: arm_waf::CustomRules { rules },
            managed_rules: arm_waf::ManagedRules {
                managed_rule_sets: sets,
            },
        },
    })
}

/// The WAF policy on the endpoint's own domain, for every path.
pub(super) fn front_door_security_policy(waf_policy_id: String, endpoint_id: String) -> Value {
    to_value(&afd::SecurityPolicy {
        properties: afd::SecurityPolicyProperties {
            parameters: afd::WafParameters {
                kind: "WebApplicationFirewall".into(),
                waf_policy: afd::IdRef { id: waf_policy_id },
                associations: vec![afd::WafAssociation {
                    domains: vec![afd::IdRef { id: endpoint_id }],
                    patterns_to_match: vec!["/*".into()],
                }],
            },
        },
    })
}
