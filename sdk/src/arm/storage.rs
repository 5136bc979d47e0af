//! `Microsoft.Storage/storageAccounts` and blob containers at api-version 2023-05-01. An account PUT
//! answers 202 with no body and a `Location` to poll; its DELETE is synchronous.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const API_VERSION: &str = "2023-05-01";

pub fn account_id(subscription: &str, resource_group: &str, name: &str) -> String {
    format!(
        "/subscriptions/{subscription}/resourceGroups/{resource_group}/providers/Microsoft.Storage/storageAccounts/{name}"
    )
}

pub fn container_id(account_id: &str, name: &str) -> String {
    format!("{account_id}/blobServices/default/containers/{name}")
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sku {
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StorageAccount {
    pub location: String,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    pub sku: Sku,
    pub kind: String,
    pub properties: StorageAccountProperties,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StorageAccountProperties {
    pub minimum_tls_version: String,
    pub allow_blob_public_access: bool,
    pub supports_https_traffic_only: bool,
    /// Deny by default: the blobs are reached through the regions' private endpoints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_acls: Option<NetworkAcls>,
    /// Where Azure replicates a geo-redundant account: the primary's paired region, chosen by Azure.
    #[serde(default, skip_serializing)]
    pub secondary_location: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkAcls {
    /// `Deny` or `Allow`.
    pub default_action: String,
    /// Who passes anyway: `AzureServices` lets trusted Azure services (Backup among them) in.
    pub bypass: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobContainer {
    pub properties: BlobContainerProperties,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BlobContainerProperties {
    pub public_access: String,
}
