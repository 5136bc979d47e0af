//! `Microsoft.Network/trafficmanagerprofiles` and their endpoints (Azure endpoints on the regions'
//! IPs, nested endpoints on child profiles) at api-version 2022-04-01. Every Traffic Manager
//! operation is synchronous.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const API_VERSION: &str = "2022-04-01";

pub fn profile_id(subscription: &str, resource_group: &str, name: &str) -> String {
    format!(
        "/subscriptions/{subscription}/resourceGroups/{resource_group}/providers/Microsoft.Network/trafficmanagerprofiles/{name}"
    )
}

/// The type of the endpoints a topology uses: Azure endpoints on the regions' public IPs.
pub const ENDPOINT_TYPE: &str = "Microsoft.Network/trafficManagerProfiles/azureEndpoints";

/// A child profile as an endpoint of its parent (nested profiles).
pub const NESTED_ENDPOINT_TYPE: &str = "Microsoft.Network/trafficManagerProfiles/nestedEndpoints";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub location: String,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    pub properties: ProfileProperties,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileProperties {
    pub profile_status: String,
    pub traffic_routing_method: String,
    pub dns_config: DnsConfig,
    pub monitor_config: MonitorConfig,
    /// Sent in full with every PUT: the profile's endpoints are replaced at once.
    pub endpoints: Vec<Endpoint>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DnsConfig {
    pub relative_name: String,
    pub ttl: u32,
    #[serde(default, skip_serializing)]
    pub fqdn: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MonitorConfig {
    pub protocol: String,
    pub port: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// 30 or 10; Traffic Manager's default 30 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval_in_seconds: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_in_seconds: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerated_number_of_failures: Option<u32>,
    /// Sent empty too, so removing the last one is a change.
    #[serde(default)]
    pub custom_headers: Vec<CustomHeader>,
    #[serde(default)]
    pub expected_status_code_ranges: Vec<StatusCodeRange>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomHeader {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCodeRange {
    pub min: u16,
    pub max: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoint {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub properties: EndpointProperties,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EndpointProperties {
    pub target_resource_id: String,
    /// `Enabled` routes traffic here; `Disabled` keeps it off (Traffic Manager never re-enables it).
    pub endpoint_status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<u32>,
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
