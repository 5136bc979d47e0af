//! `Microsoft.Network/privateDnsZones` and their `virtualNetworkLinks` at api-version 2024-06-01
//! (Azure/azure-rest-api-specs `specification/privatedns/.../stable/2024-06-01/privatedns.json`):
//! global resources (location `global`) whose PUTs and DELETEs are long-running. A zone cannot be
//! deleted while a virtual network is linked to it.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const API_VERSION: &str = "2024-06-01";

/// Private DNS zones and their links live in location `global`.
pub const LOCATION: &str = "global";

pub fn zone_id(subscription: &str, resource_group: &str, zone: &str) -> String {
    format!(
        "/subscriptions/{subscription}/resourceGroups/{resource_group}/providers/Microsoft.Network/privateDnsZones/{zone}"
    )
}

pub fn link_id(zone_id: &str, name: &str) -> String {
    format!("{zone_id}/virtualNetworkLinks/{name}")
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivateZone {
    pub location: String,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VirtualNetworkLink {
    pub location: String,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    pub properties: LinkProperties,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkProperties {
    pub virtual_network: super::private_endpoint::SubResource,
    /// Auto-registration of the VNet's VMs: off, the zone holds only the endpoints' records.
    pub registration_enabled: bool,
}
