//! `Microsoft.Network/privateDnsZones` and their `virtualNetworkLinks` at api-version 2024-06-01
//! (Azure/azure-rest-api-specs `specification/privatedns/.../stable/2024-06-01/privatedns.json`):
//! global resources (location `global`) whose PUTs and DELETEs are long-running. A zone cannot be
//! deleted while a virtual network is linked to it.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The `Microsoft.Network` api-version every private DNS zone and VNet link request uses.
pub const API_VERSION: &str = "2024-06-01";

/// Private DNS zones and their links live in location `global`.
pub const LOCATION: &str = "global";

/// The ARM resource ID of the private DNS zone `zone` (`privatelink.azurecr.io`, say) in `resource_group`.
pub fn zone_id(subscription: &str, resource_group: &str, zone: &str) -> String {
    format!(
        "/subscriptions/{subscription}/resourceGroups/{resource_group}/providers/Microsoft.Network/privateDnsZones/{zone}"
    )
}

/// The ARM resource ID of the virtual network link `name` of the zone `zone_id`.
pub fn link_id(zone_id: &str, name: &str) -> String {
    format!("{zone_id}/virtualNetworkLinks/{name}")
}

/// A private DNS zone (`Microsoft.Network/privateDnsZones`): one region's `privatelink` zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivateZone {
    /// `location`: [`LOCATION`].
    pub location: String,
    /// The zone's ARM tags.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

/// A virtual network link (`privateDnsZones/virtualNetworkLinks`): the VNet that resolves names in the zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VirtualNetworkLink {
    /// `location`: [`LOCATION`].
    pub location: String,
    /// The link's ARM tags.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// The link's `properties`.
    pub properties: LinkProperties,
}

/// `properties` of a virtual network link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkProperties {
    /// `virtualNetwork`: the linked VNet.
    pub virtual_network: super::private_endpoint::SubResource,
    /// Auto-registration of the VNet's VMs: off, the zone holds only the endpoints' records.
    pub registration_enabled: bool,
}
