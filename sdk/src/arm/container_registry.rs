//! `Microsoft.ContainerRegistry/registries` and their geo-replications at api-version 2023-07-01.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const API_VERSION: &str = "2023-07-01";

pub fn id(subscription: &str, resource_group: &str, name: &str) -> String {
    format!(
        "/subscriptions/{subscription}/resourceGroups/{resource_group}/providers/Microsoft.ContainerRegistry/registries/{name}"
    )
}

pub fn replication_id(registry_id: &str, name: &str) -> String {
    format!("{registry_id}/replications/{name}")
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sku {
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Registry {
    pub location: String,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    pub sku: Sku,
    pub properties: RegistryProperties,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegistryProperties {
    /// Pulls go through Entra ID (AcrPull), never the admin user.
    pub admin_user_enabled: bool,
    /// Anonymous pull: off unless someone turned it on (the pinned api-version cannot set it).
    #[serde(default, skip_serializing)]
    pub anonymous_pull_enabled: bool,
    /// `Disabled`: reachable only through the regions' private endpoints.
    #[serde(default = "enabled")]
    pub public_network_access: String,
    pub zone_redundancy: String,
    #[serde(default, skip_serializing)]
    pub login_server: Option<String>,
}

/// What Azure reports when the property is absent (its default).
fn enabled() -> String {
    "Enabled".to_owned()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Replication {
    pub location: String,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    pub properties: ReplicationProperties,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplicationProperties {
    pub region_endpoint_enabled: bool,
    pub zone_redundancy: String,
}
