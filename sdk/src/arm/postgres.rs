//! `Microsoft.DBforPostgreSQL/flexibleServers` and their `administrators` and `virtualendpoints` at
//! api-version 2024-08-01 (Azure/azure-rest-api-specs
//! `specification/postgresql/resource-manager/Microsoft.DBforPostgreSQL/PostgreSQL/stable/2024-08-01/`:
//! `FlexibleServers.json`, `Administrators.json`, `VirtualEndpoints.json`). Server PUT, PATCH and
//! DELETE are long-running (`final-state-via: azure-async-operation`, DELETE `location`). A read
//! replica reports `properties.replica.replicationState` (Active, Catchup, Provisioning, Updating,
//! Broken, Reconfiguring) but no lag: the spec has no lag property (it is an Azure Monitor metric),
//! so the SDK cannot show the data a forced promotion would lose.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The `Microsoft.DBforPostgreSQL` api-version every request uses.
pub const API_VERSION: &str = "2024-08-01";

/// The service a database subnet is delegated to.
pub const DELEGATION: &str = "Microsoft.DBforPostgreSQL/flexibleServers";

/// `properties.replicationRole` of the server that takes writes.
pub const ROLE_PRIMARY: &str = "Primary";

/// The ARM resource ID of the flexible server `name` in `resource_group`.
pub fn server_id(subscription: &str, resource_group: &str, name: &str) -> String {
    format!(
        "/subscriptions/{subscription}/resourceGroups/{resource_group}/providers/Microsoft.DBforPostgreSQL/flexibleServers/{name}"
    )
}

/// The ARM resource ID of the Entra administrator `object_id` of the server `server_id`.
pub fn administrator_id(server_id: &str, object_id: &str) -> String {
    format!("{server_id}/administrators/{object_id}")
}

/// The ARM resource ID of the virtual endpoint `name` of the server `server_id` (the spec's path
/// segment is lower case: `virtualendpoints`).
pub fn virtual_endpoint_id(server_id: &str, name: &str) -> String {
    format!("{server_id}/virtualendpoints/{name}")
}

/// A flexible server as the SDK writes it (`Server`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Server {
    /// `location`: the server's region.
    pub location: String,
    /// The server's ARM tags.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// `sku`: compute tier and size.
    pub sku: Sku,
    /// The server's `properties`.
    pub properties: ServerProperties,
}

/// `sku` of a server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sku {
    /// `name`, e.g. `Standard_D2ds_v5`.
    pub name: String,
    /// `tier`: `Burstable`, `GeneralPurpose` or `MemoryOptimized`.
    pub tier: String,
}

/// `properties` of a server. Create-only fields (`createMode`, `sourceServerResourceId`,
/// `backup.geoRedundantBackup`) are sent only when the server is made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerProperties {
    /// `version`: the PostgreSQL major version.
    pub version: String,
    /// `createMode`: `Create` for the primary, `Replica` for a read replica.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_mode: Option<String>,
    /// `sourceServerResourceId`: the primary a replica is made from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_server_resource_id: Option<String>,
    /// `storage`.
    pub storage: Storage,
    /// `authConfig`: Entra ID only.
    pub auth_config: AuthConfig,
    /// `backup`: sent for the acting primary only (replicas keep no backups of their own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup: Option<Backup>,
    /// `network`: private access through the delegated subnet and the private DNS zone.
    pub network: Network,
}

/// `properties.storage` of a server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Storage {
    /// `storageSizeGB`.
    #[serde(rename = "storageSizeGB")]
    pub storage_size_gb: u32,
}

/// `properties.authConfig` of a server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthConfig {
    /// `activeDirectoryAuth`: `Enabled`.
    pub active_directory_auth: String,
    /// `passwordAuth`: `Disabled` (no password exists anywhere).
    pub password_auth: String,
}

/// `properties.backup` of a server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Backup {
    /// `backupRetentionDays`.
    pub backup_retention_days: u32,
    /// `geoRedundantBackup`: `Enabled` when the primary is made (create-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geo_redundant_backup: Option<String>,
}

/// `properties.network` of a server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Network {
    /// `publicNetworkAccess`: `Disabled`.
    pub public_network_access: String,
    /// `delegatedSubnetResourceId`: the region's database subnet.
    pub delegated_subnet_resource_id: String,
    /// `privateDnsZoneArmResourceId`: the topology's database zone.
    pub private_dns_zone_arm_resource_id: String,
}

/// An Entra administrator (`ActiveDirectoryAdministratorAdd`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Administrator {
    /// The administrator's `properties`.
    pub properties: AdministratorProperties,
}

/// `properties` of an Entra administrator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdministratorProperties {
    /// `principalType`: `Group`.
    pub principal_type: String,
    /// `principalName`: the group's display name.
    pub principal_name: String,
}

/// A virtual endpoint (`VirtualEndpointResource`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VirtualEndpoint {
    /// The endpoint's `properties`.
    pub properties: VirtualEndpointProperties,
}

/// `properties` of a virtual endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VirtualEndpointProperties {
    /// `endpointType`: `ReadWrite`.
    pub endpoint_type: String,
    /// `members`: the replicas' server names.
    pub members: Vec<String>,
}

/// The PATCH body promoting a replica to primary by switchover: `promoteOption` is `planned` (wait
/// for the replica to catch up) when the primary answers, `forced` when it does not.
pub fn promotion(forced: bool) -> serde_json::Value {
    serde_json::json!({
        "properties": {
            "replica": {
                "promoteMode": "switchover",
                "promoteOption": if forced { "forced" } else { "planned" },
            }
        }
    })
}
