//! `Microsoft.ContainerRegistry/registries` and their geo-replications at api-version 2023-07-01.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The `Microsoft.ContainerRegistry` api-version every registry and replication request uses.
pub const API_VERSION: &str = "2023-07-01";

/// The ARM resource ID of the container registry `name` in `resource_group`.
pub fn id(subscription: &str, resource_group: &str, name: &str) -> String {
    format!(
        "/subscriptions/{subscription}/resourceGroups/{resource_group}/providers/Microsoft.ContainerRegistry/registries/{name}"
    )
}

/// The ARM resource ID of the geo-replication `name` (a region) of the registry `registry_id`.
pub fn replication_id(registry_id: &str, name: &str) -> String {
    format!("{registry_id}/replications/{name}")
}

/// `sku` of a container registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sku {
    /// `sku.name`: `Premium`, the tier with geo-replication and private endpoints.
    pub name: String,
}

/// A container registry (`Microsoft.ContainerRegistry/registries`), in the topology's home region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Registry {
    /// `location`: the registry's home region.
    pub location: String,
    /// The registry's ARM tags.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// `sku`: the registry's tier.
    pub sku: Sku,
    /// The registry's `properties`.
    pub properties: RegistryProperties,
}

/// `properties` of a container registry.
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
    /// `zoneRedundancy`: `Enabled` or `Disabled`; fixed once the registry exists.
    pub zone_redundancy: String,
    /// `loginServer`: `<name>.azurecr.io`, what images are pulled from; read-only.
    #[serde(default, skip_serializing)]
    pub login_server: Option<String>,
}

/// What Azure reports when the property is absent (its default).
fn enabled() -> String {
    "Enabled".to_owned()
}

/// A geo-replication of a registry (`registries/replications`): a copy in another region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Replication {
    /// `location`: the region of the copy.
    pub location: String,
    /// The replication's ARM tags.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// The replication's `properties`.
    pub properties: ReplicationProperties,
}

/// `properties` of a replication.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplicationProperties {
    /// `regionEndpointEnabled`: whether traffic is routed to this copy (`true`).
    pub region_endpoint_enabled: bool,
    /// `zoneRedundancy`: `Enabled` or `Disabled`; fixed once the replication exists.
    pub zone_redundancy: String,
}
