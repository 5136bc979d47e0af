//! `Microsoft.Network/privateEndpoints` and their `privateDnsZoneGroups` at api-version 2024-03-01
//! (the Network RP's, `privateEndpoint.json`): a region's private address for a global service (the
//! registry, the backup storage's blob service), and the zone group through which Azure writes the
//! endpoint's A records into a private DNS zone. Both PUTs are long-running.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The `Microsoft.Network` api-version every private endpoint and zone group request uses.
pub const API_VERSION: &str = "2024-03-01";

/// The ARM resource ID of the private endpoint `name` in `resource_group`.
pub fn id(subscription: &str, resource_group: &str, name: &str) -> String {
    format!(
        "/subscriptions/{subscription}/resourceGroups/{resource_group}/providers/Microsoft.Network/privateEndpoints/{name}"
    )
}

/// The ARM resource ID of the private DNS zone group `name` of the private endpoint `endpoint_id`.
pub fn zone_group_id(endpoint_id: &str, name: &str) -> String {
    format!("{endpoint_id}/privateDnsZoneGroups/{name}")
}

/// A reference to another resource (`{ "id": ... }`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubResource {
    /// The referenced resource's ARM resource ID.
    pub id: String,
}

/// A private endpoint (`Microsoft.Network/privateEndpoints`): a region's private address for the registry or the backup blobs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrivateEndpoint {
    /// `location`: the region whose VNet holds the endpoint.
    pub location: String,
    /// The endpoint's ARM tags.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// The endpoint's `properties`.
    pub properties: PrivateEndpointProperties,
}

/// `properties` of a private endpoint.
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

/// One of `properties.privateLinkServiceConnections`: the service the endpoint connects to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceConnection {
    /// The connection's name.
    pub name: String,
    /// The connection's `properties`.
    pub properties: ServiceConnectionProperties,
}

/// `properties` of a private link service connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceConnectionProperties {
    /// `privateLinkServiceId`: the ARM resource ID of the target (the registry, or the storage account).
    pub private_link_service_id: String,
    /// The target's sub-resource: `registry` for a registry, `blob` for a storage account's blobs.
    pub group_ids: Vec<String>,
}

/// One of `properties.customDnsConfigs`: a name Azure gave the endpoint and its private addresses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DnsConfig {
    /// `fqdn`: the host name (a registry's login server, or one of its regions' data endpoints, say).
    pub fqdn: String,
    /// `ipAddresses`: the endpoint's private addresses for that name.
    #[serde(default)]
    pub ip_addresses: Vec<String>,
}

/// A private DNS zone group (`privateEndpoints/privateDnsZoneGroups`): makes Azure write the endpoint's A records into a zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ZoneGroup {
    /// The zone group's `properties`.
    pub properties: ZoneGroupProperties,
}

/// `properties` of a private DNS zone group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ZoneGroupProperties {
    /// `privateDnsZoneConfigs`: the zones Azure writes the endpoint's records into.
    pub private_dns_zone_configs: Vec<ZoneConfig>,
}

/// One of `privateDnsZoneConfigs`: a private DNS zone of the group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ZoneConfig {
    /// The config's name (the zone's name with dashes for dots).
    pub name: String,
    /// The config's `properties`.
    pub properties: ZoneConfigProperties,
}

/// `properties` of a zone config.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ZoneConfigProperties {
    /// `privateDnsZoneId`: the ARM resource ID of the `privatelink` zone.
    pub private_dns_zone_id: String,
}
