//! `Microsoft.OperationalInsights/workspaces` at api-version 2023-09-01: one Log Analytics workspace
//! per region, where that region's cluster sends Container Insights, so monitoring outlives the loss
//! of any one region.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The `Microsoft.OperationalInsights` api-version every workspace request uses.
pub const API_VERSION: &str = "2023-09-01";

/// The ARM resource ID of the Log Analytics workspace `name` in `resource_group`.
pub fn id(subscription: &str, resource_group: &str, name: &str) -> String {
    format!(
        "/subscriptions/{subscription}/resourceGroups/{resource_group}/providers/Microsoft.OperationalInsights/workspaces/{name}"
    )
}

/// `properties.sku` of a workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sku {
    /// `name`: the pricing tier (`PerGB2018`).
    pub name: String,
}

/// A Log Analytics workspace (`Microsoft.OperationalInsights/workspaces`): a region's Container Insights logs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workspace {
    /// `location`: the workspace's region.
    pub location: String,
    /// The workspace's ARM tags.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// The workspace's `properties`.
    pub properties: WorkspaceProperties,
}

/// `properties` of a workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkspaceProperties {
    /// Pay per GB ingested: a standby region's workspace costs nothing until its cluster logs.
    pub sku: Sku,
    /// `retentionInDays`: how long logs are kept (30).
    pub retention_in_days: u32,
    /// The workspace's own id for agents (read-only).
    #[serde(default, skip_serializing)]
    pub customer_id: Option<String>,
}
