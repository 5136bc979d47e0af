//! `Microsoft.OperationalInsights/workspaces` at api-version 2023-09-01: one Log Analytics workspace
//! per region, where that region's cluster sends Container Insights, so monitoring outlives the loss
//! of any one region.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const API_VERSION: &str = "2023-09-01";

pub fn id(subscription: &str, resource_group: &str, name: &str) -> String {
    format!(
        "/subscriptions/{subscription}/resourceGroups/{resource_group}/providers/Microsoft.OperationalInsights/workspaces/{name}"
    )
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sku {
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workspace {
    pub location: String,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    pub properties: WorkspaceProperties,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkspaceProperties {
    /// Pay per GB ingested: a standby region's workspace costs nothing until its cluster logs.
    pub sku: Sku,
    pub retention_in_days: u32,
    /// The workspace's own id for agents (read-only).
    #[serde(default, skip_serializing)]
    pub customer_id: Option<String>,
}
