//! `Microsoft.Network/trafficmanagerprofiles` and their endpoints (Azure endpoints on the regions'
//! IPs, nested endpoints on child profiles) at api-version 2022-04-01. Every Traffic Manager
//! operation is synchronous.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The api-version every Traffic Manager request uses.
pub const API_VERSION: &str = "2022-04-01";

/// The ARM resource ID of the Traffic Manager profile `name` in `resource_group`.
pub fn profile_id(subscription: &str, resource_group: &str, name: &str) -> String {
    format!(
        "/subscriptions/{subscription}/resourceGroups/{resource_group}/providers/Microsoft.Network/trafficmanagerprofiles/{name}"
    )
}

/// The type of the endpoints a topology uses: Azure endpoints on the regions' public IPs.
pub const ENDPOINT_TYPE: &str = "Microsoft.Network/trafficManagerProfiles/azureEndpoints";

/// A child profile as an endpoint of its parent (nested profiles).
pub const NESTED_ENDPOINT_TYPE: &str = "Microsoft.Network/trafficManagerProfiles/nestedEndpoints";

/// A Traffic Manager profile (`Microsoft.Network/trafficmanagerprofiles`): DNS-based routing to the regions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    /// `location`: `global`.
    pub location: String,
    /// The profile's ARM tags.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// The profile's `properties`.
    pub properties: ProfileProperties,
}

/// `properties` of a Traffic Manager profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileProperties {
    /// `profileStatus`: `Enabled` or `Disabled`.
    pub profile_status: String,
    /// `trafficRoutingMethod`: `Priority`, `Performance`, `Weighted` or `Geographic`.
    pub traffic_routing_method: String,
    /// `dnsConfig`: the profile's `trafficmanager.net` name and TTL.
    pub dns_config: DnsConfig,
    /// `monitorConfig`: how Traffic Manager probes the endpoints.
    pub monitor_config: MonitorConfig,
    /// Sent in full with every PUT: the profile's endpoints are replaced at once.
    pub endpoints: Vec<Endpoint>,
}

/// `properties.dnsConfig` of a profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DnsConfig {
    /// `relativeName`: the label in `<relativeName>.trafficmanager.net`; globally unique, fixed once the profile exists.
    pub relative_name: String,
    /// `ttl`: how long resolvers may cache an answer, in seconds.
    pub ttl: u32,
    /// `fqdn`: `<relativeName>.trafficmanager.net`; read-only.
    #[serde(default, skip_serializing)]
    pub fqdn: Option<String>,
}

/// `properties.monitorConfig` of a profile: the endpoint health probe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MonitorConfig {
    /// `protocol`: `HTTP`, `HTTPS` or `TCP`.
    pub protocol: String,
    /// `port`: the port probed on each endpoint.
    pub port: u16,
    /// `path`: the path probed (HTTP and HTTPS only; absent for TCP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// 30 or 10; Traffic Manager's default 30 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval_in_seconds: Option<u32>,
    /// `timeoutInSeconds`: how long a probe may take (5 to 10 at a 30 s interval, 5 to 9 at 10 s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_in_seconds: Option<u32>,
    /// `toleratedNumberOfFailures`: failed probes (0 to 9) before an endpoint counts as degraded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerated_number_of_failures: Option<u32>,
    /// Sent empty too, so removing the last one is a change.
    #[serde(default)]
    pub custom_headers: Vec<CustomHeader>,
    /// `expectedStatusCodeRanges`: the HTTP status codes that count as healthy; empty means 200 only.
    #[serde(default)]
    pub expected_status_code_ranges: Vec<StatusCodeRange>,
}

/// A header Traffic Manager sends with each probe (`monitorConfig.customHeaders[]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomHeader {
    /// The header's name (`Host`, say).
    pub name: String,
    /// The header's value.
    pub value: String,
}

/// One range of healthy status codes (`monitorConfig.expectedStatusCodeRanges[]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCodeRange {
    /// `min`: the lowest status code in the range.
    pub min: u16,
    /// `max`: the highest status code in the range, inclusive.
    pub max: u16,
}

/// An endpoint of a profile (`properties.endpoints[]`): one region's IP, or a nested profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoint {
    /// The endpoint's name (the region's name, or the nested area's).
    pub name: String,
    /// `type`: [`ENDPOINT_TYPE`] or [`NESTED_ENDPOINT_TYPE`].
    #[serde(rename = "type")]
    pub kind: String,
    /// The endpoint's `properties`.
    pub properties: EndpointProperties,
}

/// `properties` of a Traffic Manager endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EndpointProperties {
    /// `targetResourceId`: the public IP (or child profile) traffic is sent to.
    pub target_resource_id: String,
    /// `Enabled` routes traffic here; `Disabled` keeps it off (Traffic Manager never re-enables it).
    pub endpoint_status: String,
    /// `priority`: 1 to 1000, lower first; only under Priority routing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<u32>,
    /// `weight`: 1 to 1000; only under Weighted routing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<u32>,
    /// `geoMapping`: the geographic codes this endpoint serves; only under Geographic routing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub geo_mapping: Vec<String>,
    /// Nested endpoints: the child endpoints that must be healthy for the child to count as up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_child_endpoints: Option<u32>,
}

/// Whether `<relative>.trafficmanager.net` is free (`checkTrafficManagerNameAvailabilityV2`):
/// `Ok(Ok(()))` when it is, `Ok(Err(message))` with Azure's message when it is taken. DNS names are
/// global, so another subscription's profile may hold it.
pub async fn dns_name_free(
    arm: &super::ArmClient,
    relative: &str,
) -> crate::Result<std::result::Result<(), String>> {
    let path = format!(
        "/subscriptions/{}/providers/Microsoft.Network/checkTrafficManagerNameAvailabilityV2",
        arm.subscription_id()
    );
    let ask =
        serde_json::json!({ "name": relative, "type": "Microsoft.Network/trafficManagerProfiles" });
    let answer = arm
        .send(
            super::Method::Post,
            &path,
            Some(API_VERSION),
            &[],
            Some(&ask),
        )
        .await?
        .body
        .unwrap_or_default();
    if answer["nameAvailable"].as_bool() == Some(false) {
        let message = answer["message"]
            .as_str()
            .unwrap_or("the name is taken")
            .to_owned();
        return Ok(Err(message));
    }
    Ok(Ok(()))
}
