//! `Microsoft.Network/publicIPAddresses` at api-version 2024-03-01: the static ingress IP of a region.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The `Microsoft.Network` api-version every public IP request uses.
pub const API_VERSION: &str = "2024-03-01";

/// The ARM resource ID of the public IP `name` in `resource_group`.
pub fn id(subscription: &str, resource_group: &str, name: &str) -> String {
    format!(
        "/subscriptions/{subscription}/resourceGroups/{resource_group}/providers/Microsoft.Network/publicIPAddresses/{name}"
    )
}

/// A public IP address (`Microsoft.Network/publicIPAddresses`): a region's static ingress IP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicIpAddress {
    /// The IP's ARM resource ID; read-only, never sent.
    #[serde(default, skip_serializing)]
    pub id: Option<String>,
    /// `location`: the IP's region.
    pub location: String,
    /// The IP's ARM tags.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// `sku`: Standard, Regional.
    pub sku: Sku,
    /// The IP's `properties`.
    pub properties: PublicIpProperties,
}

/// `sku` of a public IP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sku {
    /// `sku.name`: `Standard` (the Standard load balancer needs it).
    pub name: String,
    /// `sku.tier`: `Regional`.
    pub tier: String,
}

/// `properties` of a public IP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicIpProperties {
    /// `publicIPAllocationMethod`: `Static`, so the address survives everything but the IP's deletion.
    #[serde(rename = "publicIPAllocationMethod")]
    pub allocation_method: String,
    /// `publicIPAddressVersion`: `IPv4`.
    #[serde(rename = "publicIPAddressVersion")]
    pub address_version: String,
    /// `dnsSettings`: the IP's DNS label.
    pub dns_settings: DnsSettings,
    /// `ipAddress`: the address Azure allocated; read-only.
    #[serde(default, skip_serializing)]
    pub ip_address: Option<String>,
    /// `provisioningState`; read-only.
    #[serde(default, skip_serializing)]
    pub provisioning_state: Option<String>,
}

/// `properties.dnsSettings` of a public IP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DnsSettings {
    /// `domainNameLabel`: the label in `<label>.<region>.cloudapp.azure.com`.
    pub domain_name_label: String,
    /// `fqdn`: `<label>.<region>.cloudapp.azure.com`; read-only.
    #[serde(default, skip_serializing)]
    pub fqdn: Option<String>,
}
