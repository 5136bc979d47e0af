//! `Microsoft.Network/virtualNetworks/virtualNetworkPeerings` (global VNet peering) at api-version 2024-03-01.

use serde::{Deserialize, Serialize};

/// The `Microsoft.Network` api-version every peering request uses.
pub const API_VERSION: &str = "2024-03-01";

/// The ARM resource ID of the peering `name` of the VNet `vnet_id`.
pub fn id(vnet_id: &str, name: &str) -> String {
    format!("{vnet_id}/virtualNetworkPeerings/{name}")
}

/// A VNet peering (`virtualNetworks/virtualNetworkPeerings`): one direction of a link between two regions' VNets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VirtualNetworkPeering {
    /// The peering's ARM resource ID; read-only, never sent.
    #[serde(default, skip_serializing)]
    pub id: Option<String>,
    /// The peering's name; read-only, never sent.
    #[serde(default, skip_serializing)]
    pub name: Option<String>,
    /// The peering's `properties`.
    pub properties: PeeringProperties,
}

/// `properties` of a VNet peering.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PeeringProperties {
    /// `remoteVirtualNetwork`: the VNet on the other side.
    pub remote_virtual_network: SubResource,
    /// `allowVirtualNetworkAccess`: the two VNets' addresses reach each other (`true`).
    pub allow_virtual_network_access: bool,
    /// `allowForwardedTraffic`: traffic the remote VNet forwards is let in (`true`).
    pub allow_forwarded_traffic: bool,
    /// `allowGatewayTransit`: this VNet's gateway is not offered to the remote one (`false`).
    pub allow_gateway_transit: bool,
    /// `useRemoteGateways`: the remote VNet's gateway is not used (`false`).
    pub use_remote_gateways: bool,
    /// `Initiated`, `Connected` or `Disconnected` (computed by Azure).
    #[serde(default, skip_serializing)]
    pub peering_state: Option<String>,
    /// `peeringSyncLevel`: `FullyInSync`, or `LocalNotInSync`/`RemoteNotInSync` after a peered address space changed; read-only.
    #[serde(default, skip_serializing)]
    pub peering_sync_level: Option<String>,
    /// `provisioningState`; read-only.
    #[serde(default, skip_serializing)]
    pub provisioning_state: Option<String>,
}

/// A reference to another ARM resource (`{"id": ...}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubResource {
    /// The referenced resource's ARM resource ID.
    pub id: String,
}
