//! `Microsoft.KubernetesConfiguration/extensions` on a managed cluster at api-version 2023-05-01: an
//! extension resource under `{clusterId}/providers/Microsoft.KubernetesConfiguration/extensions/{name}`
//! (`specification/kubernetesconfiguration/.../extensions/stable/2023-05-01/extensions.json`).

/// The `Microsoft.KubernetesConfiguration` api-version every extension request uses.
pub const API_VERSION: &str = "2023-05-01";

/// AKS Backup's extension type.
pub const BACKUP_EXTENSION_TYPE: &str = "microsoft.dataprotection.kubernetes";

/// The namespace AKS Backup's extension installs into.
pub const BACKUP_NAMESPACE: &str = "dataprotection-microsoft";

/// The ARM resource ID of the extension `name` on the cluster `cluster_id`.
pub fn id(cluster_id: &str, name: &str) -> String {
    format!("{cluster_id}/providers/Microsoft.KubernetesConfiguration/extensions/{name}")
}
