//! `Microsoft.Network/virtualNetworks` (with inline subnets) at api-version 2024-03-01.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The `Microsoft.Network` api-version every VNet request uses.
pub const API_VERSION: &str = "2024-03-01";

/// The ARM resource ID of the VNet `name` in `resource_group`.
pub fn id(subscription: &str, resource_group: &str, name: &str) -> String {
    format!(
        "/subscriptions/{subscription}/resourceGroups/{resource_group}/providers/Microsoft.Network/virtualNetworks/{name}"
    )
}

/// A virtual network (`Microsoft.Network/virtualNetworks`), its subnets inline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VirtualNetwork {
    /// The VNet's ARM resource ID; read-only, never sent.
    #[serde(default, skip_serializing)]
    pub id: Option<String>,
    /// `location`: the VNet's region.
    pub location: String,
    /// The VNet's ARM tags.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// The VNet's `properties`.
    pub properties: VirtualNetworkProperties,
}

/// `properties` of a VNet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VirtualNetworkProperties {
    /// `provisioningState`; read-only.
    #[serde(default, skip_serializing)]
    pub provisioning_state: Option<String>,
    /// `addressSpace`: the VNet's address ranges.
    pub address_space: AddressSpace,
    /// `subnets`: every subnet, sent in full with each PUT (ARM takes the list as the whole set).
    #[serde(default)]
    pub subnets: Vec<Subnet>,
}

/// `properties.addressSpace` of a VNet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddressSpace {
    /// `addressPrefixes`: the VNet's CIDRs (the region's `vnet_cidr`).
    #[serde(default)]
    pub address_prefixes: Vec<String>,
}

/// One subnet of a VNet (`properties.subnets[]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Subnet {
    /// The subnet's ARM resource ID; read-only, never sent.
    #[serde(default, skip_serializing)]
    pub id: Option<String>,
    /// The subnet's name.
    pub name: String,
    /// The subnet's `properties`.
    pub properties: SubnetProperties,
}

/// `properties` of a subnet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubnetProperties {
    /// `addressPrefix`: the subnet's CIDR (ARM may answer `addressPrefixes` instead; see [`subnet_prefix`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_prefix: Option<String>,
    /// `delegations`: the service the subnet is handed to (a database subnet's PostgreSQL servers).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub delegations: Vec<Delegation>,
}

/// One of a subnet's `delegations`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delegation {
    /// The delegation's name.
    pub name: String,
    /// The delegation's `properties`.
    pub properties: DelegationProperties,
}

/// `properties` of a subnet delegation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DelegationProperties {
    /// `serviceName`, e.g. `Microsoft.DBforPostgreSQL/flexibleServers`.
    pub service_name: String,
}

/// The address prefix of the subnet `name` in a VNet as ARM reports it (`addressPrefix`, else the
/// first of `addressPrefixes`).
pub fn subnet_prefix(vnet: &serde_json::Value, name: &str) -> Option<String> {
    let subnet = vnet["properties"]["subnets"].as_array()?.iter().find(|s| {
        s["name"]
            .as_str()
            .is_some_and(|n| n.eq_ignore_ascii_case(name))
    })?;
    let properties = &subnet["properties"];
    properties["addressPrefix"]
        .as_str()
        .or_else(|| {
            properties["addressPrefixes"]
                .get(0)
                .and_then(|p| p.as_str())
        })
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn a_subnets_prefix_is_read_from_either_property() {
        let vnet = json!({ "properties": { "subnets": [
            { "name": "aks", "properties": { "addressPrefix": "10.1.0.0/17" } },
            { "name": "more", "properties": { "addressPrefixes": ["10.1.128.0/24", "10.1.129.0/24"] } },
        ] } });
        assert_eq!(
            super::subnet_prefix(&vnet, "AKS").as_deref(),
            Some("10.1.0.0/17")
        );
        assert_eq!(
            super::subnet_prefix(&vnet, "more").as_deref(),
            Some("10.1.128.0/24")
        );
        assert_eq!(super::subnet_prefix(&vnet, "none"), None);
    }
}
