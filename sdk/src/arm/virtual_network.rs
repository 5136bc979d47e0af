//! `Microsoft.Network/virtualNetworks` (with inline subnets) at api-version 2024-03-01.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const API_VERSION: &str = "2024-03-01";

pub fn id(subscription: &str, resource_group: &str, name: &str) -> String {
    format!(
        "/subscriptions/{subscription}/resourceGroups/{resource_group}/providers/Microsoft.Network/virtualNetworks/{name}"
    )
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VirtualNetwork {
    #[serde(default, skip_serializing)]
    pub id: Option<String>,
    pub location: String,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    pub properties: VirtualNetworkProperties,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VirtualNetworkProperties {
    #[serde(default, skip_serializing)]
    pub provisioning_state: Option<String>,
    pub address_space: AddressSpace,
    #[serde(default)]
    pub subnets: Vec<Subnet>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddressSpace {
    #[serde(default)]
    pub address_prefixes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Subnet {
    #[serde(default, skip_serializing)]
    pub id: Option<String>,
    pub name: String,
    pub properties: SubnetProperties,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubnetProperties {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_prefix: Option<String>,
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
