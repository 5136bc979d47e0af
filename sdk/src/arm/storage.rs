//! `Microsoft.Storage/storageAccounts` and blob containers at api-version 2023-05-01. An account PUT
//! answers 202 with no body and a `Location` to poll; its DELETE is synchronous.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The `Microsoft.Storage` api-version every storage account and blob container request uses.
pub const API_VERSION: &str = "2023-05-01";

/// The ARM resource ID of the storage account `name` in `resource_group`.
pub fn account_id(subscription: &str, resource_group: &str, name: &str) -> String {
    format!(
        "/subscriptions/{subscription}/resourceGroups/{resource_group}/providers/Microsoft.Storage/storageAccounts/{name}"
    )
}

/// The ARM resource ID of the blob container `name` in the storage account `account_id`.
pub fn container_id(account_id: &str, name: &str) -> String {
    format!("{account_id}/blobServices/default/containers/{name}")
}

/// `sku` of a storage account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sku {
    /// `sku.name`: the redundancy, `Standard_RAGRS` or `Standard_GRS` for the backup account, say.
    pub name: String,
}

/// A storage account (`Microsoft.Storage/storageAccounts`): the topology's backup storage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StorageAccount {
    /// `location`: the region the account's primary copy lives in.
    pub location: String,
    /// The account's ARM tags.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// `sku`: the account's redundancy.
    pub sku: Sku,
    /// `kind`: `StorageV2`.
    pub kind: String,
    /// The account's `properties`.
    pub properties: StorageAccountProperties,
}

/// `properties` of a storage account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StorageAccountProperties {
    /// `minimumTlsVersion`: the oldest TLS the account accepts (`TLS1_2`).
    pub minimum_tls_version: String,
    /// `allowBlobPublicAccess`: `false`, so no container can be opened to anonymous readers.
    pub allow_blob_public_access: bool,
    /// `supportsHttpsTrafficOnly`: `true`, plain HTTP refused.
    pub supports_https_traffic_only: bool,
    /// Deny by default: the blobs are reached through the regions' private endpoints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_acls: Option<NetworkAcls>,
    /// Where Azure replicates a geo-redundant account: the primary's paired region, chosen by Azure.
    #[serde(default, skip_serializing)]
    pub secondary_location: Option<String>,
}

/// `properties.networkAcls` of a storage account: who may reach it over the network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkAcls {
    /// `Deny` or `Allow`.
    pub default_action: String,
    /// Who passes anyway: `AzureServices` lets trusted Azure services (Backup among them) in.
    pub bypass: String,
}

/// A blob container (`blobServices/default/containers`): one cluster's backups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobContainer {
    /// The container's `properties`.
    pub properties: BlobContainerProperties,
}

/// `properties` of a blob container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BlobContainerProperties {
    /// `publicAccess`: `None`, no anonymous access.
    pub public_access: String,
}
