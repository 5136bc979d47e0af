//! `Microsoft.Network/publicIPAddresses` at api-version 2024-03-01: the static ingress IP of a region.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const API_VERSION: &str = "2024-03-01";

pub fn id(subscription: &str, resource_group: &str, name: &str) -> String {
    format!(
        "/subscriptions/{subscription}/resourceGroups/{resource_group}/providers/Microsoft.Network/publicIPAddresses/{name}"
    )
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicIpAddress {
    #[serde(default, skip_serializing)]
    pub id: Option<String>,
    pub location: String,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    pub sku: Sku,
    pub properties: PublicIpProperties,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sku {
    pub name: String,
    pub tier: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicIpProperties {
    #[serde(rename = "publicIPAllocationMethod")]
    pub allocation_method: String,
    #[serde(rename = "publicIPAddressVersion")]
    pub address_version: String,
    pub dns_settings: DnsSettings,
    #[serde(default, skip_serializing)]
    pub ip_address: Option<String>,
    #[serde(default, skip_serializing)]
    pub provisioning_state: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DnsSettings {
    pub domain_name_label: String,
    #[serde(default, skip_serializing)]
    pub fqdn: Option<String>,
}
