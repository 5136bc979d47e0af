//! `Microsoft.Resources/resourceGroups` at api-version 2024-03-01.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The `Microsoft.Resources` api-version every resource group request uses.
pub const API_VERSION: &str = "2024-03-01";

/// The ARM resource ID of the resource group `name`.
pub fn id(subscription: &str, name: &str) -> String {
    format!("/subscriptions/{subscription}/resourceGroups/{name}")
}

/// The list path, filterable by tag (`$filter=tagName eq 'k' and tagValue eq 'v'`).
pub fn list_path(subscription: &str) -> String {
    format!("/subscriptions/{subscription}/resourcegroups")
}

/// A resource group (`Microsoft.Resources/resourceGroups`): one per region, plus the global one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceGroup {
    /// The group's ARM resource ID; read-only, never sent.
    #[serde(default, skip_serializing)]
    pub id: Option<String>,
    /// The group's name; read-only, never sent (it is in the path).
    #[serde(default, skip_serializing)]
    pub name: Option<String>,
    /// `location`: where the group's metadata lives; fixed once the group exists.
    pub location: String,
    /// The group's ARM tags (`bcdr-topology`, by which import finds a topology).
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}
