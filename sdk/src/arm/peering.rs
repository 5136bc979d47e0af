//! `Microsoft.Network/virtualNetworks/virtualNetworkPeerings` (global VNet peering) at api-version 2024-03-01.

use serde::{Deserialize, Serialize};

pub const API_VERSION: &str = "2024-03-01";

pub fn id(vnet_id: &str, name: &str) -> String {
    format!("{vnet_id}/virtualNetworkPeerings/{name}")
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VirtualNetworkPeering {
    #[serde(default, skip_serializing)]
    pub id: Option<String>,
    #[serde(default, skip_serializing)]
    pub name: Option<String>,
    pub properties: PeeringProperties,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PeeringProperties {
    pub remote_virtual_network: SubResource,
    pub allow_virtual_network_access: bool,
    pub allow_forwarded_traffic: bool,
    pub allow_gateway_transit: bool,
    pub use_remote_gateways: bool,
    /// `Initiated`, `Connected` or `Disconnected` (computed by Azure).
    #[serde(default, skip_serializing)]
    pub peering_state: Option<String>,
    #[serde(default, skip_serializing)]
    pub peering_sync_level: Option<String>,
    #[serde(default, skip_serializing)]
    pub provisioning_state: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubResource {
    pub id: String,
}
