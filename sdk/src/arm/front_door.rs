//! `Microsoft.Cdn` Front Door Standard/Premium at api-version 2024-09-01: profile, endpoint, origin
//! group, origins, route and the security policy that attaches a WAF policy. Every write is
//! long-running.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The `Microsoft.Cdn` api-version every Front Door and security policy request uses.
pub const API_VERSION: &str = "2024-09-01";

/// The ARM resource ID of the Front Door profile `name` in `resource_group`.
pub fn profile_id(subscription: &str, resource_group: &str, name: &str) -> String {
    format!(
        "/subscriptions/{subscription}/resourceGroups/{resource_group}/providers/Microsoft.Cdn/profiles/{name}"
    )
}

/// `sku` of a Front Door profile (and of its WAF policy, which must match the profile's tier).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sku {
    /// `sku.name`: `Standard_AzureFrontDoor` or `Premium_AzureFrontDoor`.
    pub name: String,
}

/// A Front Door Standard/Premium profile (`Microsoft.Cdn/profiles`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    /// `location`: `global`.
    pub location: String,
    /// The profile's ARM tags.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// `sku`: the profile's tier; fixed once the profile exists.
    pub sku: Sku,
}

/// A Front Door endpoint (`profiles/afdEndpoints`): the `*.azurefd.net` host clients reach.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Endpoint {
    /// `location`: `global`.
    pub location: String,
    /// The endpoint's ARM tags.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// The endpoint's `properties`.
    pub properties: EndpointProperties,
}

/// `properties` of a Front Door endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EndpointProperties {
    /// `enabledState`: `Enabled` or `Disabled`.
    pub enabled_state: String,
    /// `hostName`: the endpoint's `*.azurefd.net` host name, chosen by Azure; read-only.
    #[serde(default, skip_serializing)]
    pub host_name: Option<String>,
}

/// A Front Door origin group (`profiles/originGroups`): the regions' origins, probed together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OriginGroup {
    /// The origin group's `properties`.
    pub properties: OriginGroupProperties,
}

/// `properties` of an origin group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OriginGroupProperties {
    /// `loadBalancingSettings`: how many probe samples decide an origin's health.
    pub load_balancing_settings: LoadBalancing,
    /// `healthProbeSettings`: how Front Door probes each origin.
    pub health_probe_settings: HealthProbe,
    /// `sessionAffinityState`: `Enabled` keeps a client on the origin it first reached (by cookie).
    pub session_affinity_state: String,
}

/// `loadBalancingSettings` of an origin group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoadBalancing {
    /// `sampleSize`: the probe samples considered.
    pub sample_size: u32,
    /// `successfulSamplesRequired`: how many of them must succeed for the origin to count as healthy.
    pub successful_samples_required: u32,
    /// `additionalLatencyInMilliseconds`: origins this much slower than the fastest still share traffic.
    pub additional_latency_in_milliseconds: u32,
}

/// `healthProbeSettings` of an origin group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthProbe {
    /// `probePath`: the path probed on each origin.
    pub probe_path: String,
    /// `probeRequestType`: `HEAD` or `GET`.
    pub probe_request_type: String,
    /// `probeProtocol`: `Http` or `Https`.
    pub probe_protocol: String,
    /// `probeIntervalInSeconds`: the time between two probes.
    pub probe_interval_in_seconds: u32,
}

/// A Front Door origin (`originGroups/origins`): one region's ingress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// The origin's `properties`.
    pub properties: OriginProperties,
}

/// `properties` of a Front Door origin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OriginProperties {
    /// The region's ingress IP's DNS name (bound from the IP at apply time).
    pub host_name: String,
    /// `originHostHeader`: the `Host` header sent to the origin; empty until bound to the ingress IP's DNS name.
    pub origin_host_header: String,
    /// `priority`: 1 to 5; lower is preferred (the SDK gives every origin 1).
    pub priority: u32,
    /// `weight`: 1 to 1000, the share of traffic among origins of one priority.
    pub weight: u32,
    /// `Enabled` routes traffic here; `Disabled` keeps it off until the region's mode changes.
    pub enabled_state: String,
    /// `enforceCertificateNameCheck`: whether the origin's TLS certificate must match its host name.
    pub enforce_certificate_name_check: bool,
}

/// A Front Door route (`afdEndpoints/routes`): which requests on the endpoint go to the origin group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Route {
    /// The route's `properties`.
    pub properties: RouteProperties,
}

/// A reference to another ARM resource by its resource ID (`{"id": ...}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdRef {
    /// The referenced resource's ARM resource ID.
    pub id: String,
}

/// `properties` of a route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteProperties {
    /// `originGroup`: the origin group the route forwards to.
    pub origin_group: IdRef,
    /// `supportedProtocols`: `Http`, `Https`.
    pub supported_protocols: Vec<String>,
    /// `patternsToMatch`: the paths the route serves (`/*`).
    pub patterns_to_match: Vec<String>,
    /// `forwardingProtocol`: `MatchRequest` forwards with the client's own protocol.
    pub forwarding_protocol: String,
    /// Azure defaults this to `Disabled`: the route would not serve the endpoint's own host name.
    pub link_to_default_domain: String,
    /// `httpsRedirect`: `Enabled` redirects plain HTTP to HTTPS.
    pub https_redirect: String,
    /// `enabledState`: `Enabled` or `Disabled`.
    pub enabled_state: String,
}

/// A security policy: the WAF policy on the endpoint's domains for every path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityPolicy {
    /// The security policy's `properties`.
    pub properties: SecurityPolicyProperties,
}

/// `properties` of a security policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityPolicyProperties {
    /// `parameters`: the WAF policy and where it applies.
    pub parameters: WafParameters,
}

/// `properties.parameters` of a security policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WafParameters {
    /// Always `WebApplicationFirewall`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `wafPolicy`: the WAF policy applied.
    pub waf_policy: IdRef,
    /// `associations`: the domains and paths it applies to.
    pub associations: Vec<WafAssociation>,
}

/// One association of a security policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WafAssociation {
    /// `domains`: the endpoints (or custom domains) whose traffic the WAF inspects.
    pub domains: Vec<IdRef>,
    /// `patternsToMatch`: the paths it inspects (`/*`).
    pub patterns_to_match: Vec<String>,
}
