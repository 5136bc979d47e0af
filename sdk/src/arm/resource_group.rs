//! `Microsoft.Resources/resourceGroups` at api-version 2024-03-01.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const API_VERSION: &str = "2024-03-01";

pub fn id(subscription: &str, name: &str) -> String {
    format!("/subscriptions/{subscription}/resourceGroups/{name}")
}

/// The list path, filterable by tag (`$filter=tagName eq 'k' and tagValue eq 'v'`).
pub fn list_path(subscription: &str) -> String {
    format!("/subscriptions/{subscription}/resourcegroups")
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceGroup {
    #[serde(default, skip_serializing)]
    pub id: Option<String>,
    #[serde(default, skip_serializing)]
    pub name: Option<String>,
    pub location: String,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}
