//! `Microsoft.Network/privateEndpoints` and their `privateDnsZoneGroups` at api-version 2024-03-01
//! (the Network RP's, `privateEndpoint.json`): a region's private address for a global service (the
//! registry, the backup storage's blob service), and the zone group through which Azure writes the
//! endpoint's A records into a private DNS zone. Both PUTs are long-running.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const API_VERSION: &str = "2024-03-01";

pub fn id(subscription: &str, resource_group: &str, name: &str) -> String {
    format!(
        "/subscriptions/{subscription}/resourceGroups/{resource_group}/providers/Microsoft.Network/privateEndpoints/{name}"
    )
}

pub fn zone_group_id(endpoint_id: &str, name: &str) -> String {
    format!("{endpoint_id}/privateDnsZoneGroups/{name}")
}

/// A reference to another resource (`{ "id": ... }`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubResource {
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrivateEndpoint {
    pub location: String,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    pub properties: PrivateEndpointProperties,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrivateEndpointProperties {
    /// The subnet the endpoint's network interface takes its addresses from.
    pub subnet: SubResource,
    /// Connections approved without a human: the target is in the same subscription.
    pub private_link_service_connections: Vec<ServiceConnection>,
    /// The names and addresses Azure gave the endpoint (read-only).
    #[serde(default, skip_serializing)]
    pub custom_dns_configs: Vec<DnsConfig>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceConnection {
    pub name: String,
    pub properties: ServiceConnectionProperties,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceConnectionProperties {
    pub private_link_service_id: String,
    /// The target's sub-resource: `registry` for a registry, `blob` for a storage account's blobs.
    pub group_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DnsConfig {
    pub fqdn: String,
    #[serde(default)]
    pub ip_addresses: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ZoneGroup {
    pub properties: ZoneGroupProperties,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ZoneGroupProperties {
    pub private_dns_zone_configs: Vec<ZoneConfig>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ZoneConfig {
    pub name: String,
    pub properties: ZoneConfigProperties,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ZoneConfigProperties {
    pub private_dns_zone_id: String,
}
