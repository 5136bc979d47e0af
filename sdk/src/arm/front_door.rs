//! `Microsoft.Cdn` Front Door Standard/Premium at api-version 2024-09-01: profile, endpoint, origin
//! group, origins, route and the security policy that attaches a WAF policy. Every write is
//! long-running.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const API_VERSION: &str = "2024-09-01";

pub fn profile_id(subscription: &str, resource_group: &str, name: &str) -> String {
    format!(
        "/subscriptions/{subscription}/resourceGroups/{resource_group}/providers/Microsoft.Cdn/profiles/{name}"
    )
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sku {
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub location: String,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    pub sku: Sku,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Endpoint {
    pub location: String,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    pub properties: EndpointProperties,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EndpointProperties {
    pub enabled_state: String,
    #[serde(default, skip_serializing)]
    pub host_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OriginGroup {
    pub properties: OriginGroupProperties,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OriginGroupProperties {
    pub load_balancing_settings: LoadBalancing,
    pub health_probe_settings: HealthProbe,
    pub session_affinity_state: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoadBalancing {
    pub sample_size: u32,
    pub successful_samples_required: u32,
    pub additional_latency_in_milliseconds: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthProbe {
    pub probe_path: String,
    pub probe_request_type: String,
    pub probe_protocol: String,
    pub probe_interval_in_seconds: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    pub properties: OriginProperties,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OriginProperties {
    /// The region's ingress IP's DNS name (bound from the IP at apply time).
    pub host_name: String,
    pub origin_host_header: String,
    pub priority: u32,
    pub weight: u32,
    /// `Enabled` routes traffic here; `Disabled` keeps it off until the region's mode changes.
    pub enabled_state: String,
    pub enforce_certificate_name_check: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Route {
    pub properties: RouteProperties,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdRef {
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteProperties {
    pub origin_group: IdRef,
    pub supported_protocols: Vec<String>,
    pub patterns_to_match: Vec<String>,
    pub forwarding_protocol: String,
    /// Azure defaults this to `Disabled`: the route would not serve the endpoint's own host name.
    pub link_to_default_domain: String,
    pub https_redirect: String,
    pub enabled_state: String,
}

/// A security policy: the WAF policy on the endpoint's domains for every path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityPolicy {
    pub properties: SecurityPolicyProperties,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityPolicyProperties {
    pub parameters: WafParameters,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WafParameters {
    /// Always `WebApplicationFirewall`.
    #[serde(rename = "type")]
    pub kind: String,
    pub waf_policy: IdRef,
    pub associations: Vec<WafAssociation>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WafAssociation {
    pub domains: Vec<IdRef>,
    pub patterns_to_match: Vec<String>,
}
