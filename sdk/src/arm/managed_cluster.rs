//! `Microsoft.ContainerService/managedClusters` and their `agentPools` at api-version 2024-09-01.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The AKS api-version every cluster, agent pool and maintenance configuration request uses.
pub const API_VERSION: &str = "2024-09-01";

/// The ARM resource ID of the AKS cluster `name` in `resource_group`.
pub fn id(subscription: &str, resource_group: &str, name: &str) -> String {
    format!(
        "/subscriptions/{subscription}/resourceGroups/{resource_group}/providers/Microsoft.ContainerService/managedClusters/{name}"
    )
}

/// An AKS cluster (`Microsoft.ContainerService/managedClusters`) as sent on PUT and read back on GET.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManagedCluster {
    /// The cluster's ARM resource ID; read-only, never sent.
    #[serde(default, skip_serializing)]
    pub id: Option<String>,
    /// The Azure region the cluster runs in (`location`); fixed once the cluster exists.
    pub location: String,
    /// The cluster's ARM tags (`bcdr-topology` among them).
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// The cluster's managed identity (`identity`); the SDK asks for `SystemAssigned`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<ClusterIdentity>,
    /// The pricing tier; ARM reads a cluster without one as `Base`/`Free`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<ManagedClusterSku>,
    /// The cluster's `properties`.
    pub properties: ManagedClusterProperties,
}

/// `sku` of a cluster: `name` is always `Base`; `tier` is `Free`, `Standard` or `Premium`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagedClusterSku {
    /// `sku.name`: always `Base`.
    pub name: String,
    /// `sku.tier`: `Free`, `Standard` or `Premium`.
    pub tier: String,
}

/// `identity` of a cluster: the kind of managed identity its control plane runs as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterIdentity {
    /// `identity.type`: `SystemAssigned` for the clusters the SDK makes.
    #[serde(rename = "type")]
    pub kind: String,
    /// `identity.principalId`: the system-assigned identity's object ID; read-only, filled by AKS.
    #[serde(default, skip_serializing)]
    pub principal_id: Option<String>,
}

/// `properties` of an AKS cluster: what the SDK sends and the read-only fields it reads back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManagedClusterProperties {
    /// `properties.provisioningState` (`Succeeded`, `Creating`, `Failed` ...); read-only.
    #[serde(default, skip_serializing)]
    pub provisioning_state: Option<String>,
    /// `properties.kubernetesVersion`: the version asked for (`x.y` or `x.y.z`); AKS picks one when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubernetes_version: Option<String>,
    /// `properties.dnsPrefix`: the prefix of the API server's FQDN; fixed once the cluster exists.
    pub dns_prefix: String,
    /// `properties.fqdn`: the API server's host name; read-only.
    #[serde(default, skip_serializing)]
    pub fqdn: Option<String>,
    /// `properties.nodeResourceGroup`: the resource group AKS keeps the nodes in (`MC_...`); read-only.
    #[serde(default, skip_serializing)]
    pub node_resource_group: Option<String>,
    /// `properties.agentPoolProfiles`: the cluster's node pools (the system pool, and the user pools AKS lists).
    pub agent_pool_profiles: Vec<AgentPool>,
    /// `properties.networkProfile`: Azure CNI, Standard load balancer, service range.
    pub network_profile: NetworkProfile,
    /// `properties.identityProfile`: AKS's identities by name, `kubeletidentity` the one nodes pull images with; read-only.
    #[serde(default, skip_serializing)]
    pub identity_profile: Option<BTreeMap<String, UserAssignedIdentity>>,
    /// Entra ID integration (managed) and Azure RBAC for Kubernetes authorization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aad_profile: Option<AadProfile>,
    /// No static admin kubeconfig (`listClusterAdminCredential` refused): every user through Entra ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_local_accounts: Option<bool>,
    /// `properties.oidcIssuerProfile`: the cluster's OIDC issuer, needed for workload identity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oidc_issuer_profile: Option<OidcIssuerProfile>,
    /// `properties.securityProfile`: workload identity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_profile: Option<SecurityProfile>,
    /// Add-ons by name: `omsagent` (Container Insights, to a Log Analytics workspace) and
    /// `azurepolicy` (Azure Policy for Kubernetes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addon_profiles: Option<BTreeMap<String, AddonProfile>>,
    /// `properties.apiServerAccessProfile`: who may reach the API server, and whether it is private.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_server_access_profile: Option<ApiServerAccessProfile>,
    /// `properties.autoUpgradeProfile`: the Kubernetes and node OS upgrade channels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_upgrade_profile: Option<AutoUpgradeProfile>,
}

/// `properties.apiServerAccessProfile`: the ranges that may reach the API server (sent empty to
/// clear them: none means any address).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiServerAccessProfile {
    /// `authorizedIPRanges`: CIDRs allowed to reach the public API server; empty means any address.
    #[serde(
        rename = "authorizedIPRanges",
        default,
        deserialize_with = "null_as_empty"
    )]
    pub authorized_ip_ranges: Vec<String>,
    /// A private API server (a private endpoint in the cluster's VNet); fixed once the cluster exists.
    #[serde(
        rename = "enablePrivateCluster",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub enable_private_cluster: Option<bool>,
}

/// The Container Insights add-on, and the config key naming its workspace (AKS keeps its casing).
pub const ADDON_MONITORING: &str = "omsagent";
/// The config key of the monitoring add-on naming its Log Analytics workspace's resource ID.
pub const MONITORING_WORKSPACE: &str = "logAnalyticsWorkspaceResourceID";
/// The Azure Policy add-on.
pub const ADDON_POLICY: &str = "azurepolicy";

/// One add-on: AKS answers its identity (a user-assigned identity in the node resource group).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddonProfile {
    /// `enabled`: whether AKS runs the add-on.
    pub enabled: bool,
    /// `config`: the add-on's settings (the monitoring add-on's workspace ID under [`MONITORING_WORKSPACE`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<BTreeMap<String, String>>,
}

/// `properties.aadProfile`: AKS fills `tenantID` with the subscription's tenant when none is sent,
/// and answers `adminGroupObjectIDs` null when there are none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AadProfile {
    /// `managed`: AKS-managed Entra ID integration.
    #[serde(default)]
    pub managed: bool,
    /// `enableAzureRBAC`: Kubernetes authorization by Azure role assignments.
    #[serde(rename = "enableAzureRBAC", default)]
    pub enable_azure_rbac: bool,
    /// `adminGroupObjectIDs`: Entra ID groups that are cluster admins.
    #[serde(
        rename = "adminGroupObjectIDs",
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub admin_group_object_ids: Vec<String>,
    /// `tenantID`: the Entra ID tenant the cluster trusts; read back, never sent.
    #[serde(rename = "tenantID", default, skip_serializing)]
    pub tenant_id: Option<String>,
}

fn null_as_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(Option::<Vec<String>>::deserialize(d)?.unwrap_or_default())
}

/// `properties.oidcIssuerProfile`; AKS fills the read-only `issuerURL`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OidcIssuerProfile {
    /// `enabled`: whether AKS runs an OIDC issuer for the cluster.
    #[serde(default)]
    pub enabled: bool,
    /// `issuerURL`: the issuer's URL, which federated credentials name; read-only.
    #[serde(rename = "issuerURL", default, skip_serializing)]
    pub issuer_url: Option<String>,
}

/// `properties.securityProfile`: workload identity (pods federated to Entra ID through the issuer).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SecurityProfile {
    /// `workloadIdentity`: whether pods may exchange service account tokens for Entra ID tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workload_identity: Option<Enabled>,
}

/// `{"enabled": bool}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enabled {
    /// Whether the feature is on.
    #[serde(default)]
    pub enabled: bool,
}

/// A pool in the cluster's `agentPoolProfiles`: its name and its settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentPool {
    /// The pool's name (lower case letters and digits, at most 12 for Linux pools).
    pub name: String,
    /// The pool's settings, flattened beside `name` as AKS lists them.
    #[serde(flatten)]
    pub settings: PoolSettings,
}

/// An `agentPools` child of the cluster (a user pool): the same settings under `properties`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentPoolResource {
    /// The pool's settings.
    pub properties: PoolSettings,
}

/// The ARM resource ID of the agent pool `name` of the cluster `cluster_id`.
pub fn agent_pool_id(cluster_id: &str, name: &str) -> String {
    format!("{cluster_id}/agentPools/{name}")
}

/// The maintenance configuration AKS reads for node OS upgrades (the `NodeImage` channel).
pub const NODE_OS_SCHEDULE: &str = "aksManagedNodeOSUpgradeSchedule";

/// The ARM resource ID of the maintenance configuration `name` of the cluster `cluster_id`.
pub fn maintenance_id(cluster_id: &str, name: &str) -> String {
    format!("{cluster_id}/maintenanceConfigurations/{name}")
}

/// A `maintenanceConfigurations` child of a cluster: when AKS may start planned maintenance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaintenanceConfiguration {
    /// The configuration's `properties`.
    pub properties: MaintenanceProperties,
}

/// `properties` of a maintenance configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MaintenanceProperties {
    /// `maintenanceWindow`: the recurring window AKS may start the maintenance in.
    pub maintenance_window: MaintenanceWindow,
}

/// A weekly window: `durationHours` from `startTime` on `dayOfWeek`, at `utcOffset`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MaintenanceWindow {
    /// `schedule`: how often the window comes back.
    pub schedule: MaintenanceSchedule,
    /// `durationHours`: how long the window lasts (AKS requires at least 4).
    pub duration_hours: u32,
    /// `utcOffset`: the time zone of `startTime`, as `+hh:mm` (the SDK sends `+00:00`).
    pub utc_offset: String,
    /// `startTime`: when the window opens, `hh:mm`.
    pub start_time: String,
}

/// `schedule` of a maintenance window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaintenanceSchedule {
    /// `weekly`: a window on one day of the week.
    pub weekly: WeeklySchedule,
}

/// `schedule.weekly`: every `intervalWeeks` weeks on `dayOfWeek`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WeeklySchedule {
    /// `intervalWeeks`: 1 for every week.
    pub interval_weeks: u32,
    /// `dayOfWeek`: `Monday` ... `Sunday`.
    pub day_of_week: String,
}

/// `properties.autoUpgradeProfile`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AutoUpgradeProfile {
    /// `upgradeChannel`: Kubernetes auto-upgrade; the SDK sends `none`, rolling versions region by region itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upgrade_channel: Option<String>,
    /// `nodeOSUpgradeChannel`: how node images are patched; the SDK sends `NodeImage`.
    #[serde(
        rename = "nodeOSUpgradeChannel",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub node_os_upgrade_channel: Option<String>,
}

/// The settings of one node pool, as `agentPoolProfiles[]` and an `agentPools` child's `properties` carry them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PoolSettings {
    /// `mode`: `System` (runs AKS's own pods) or `User`.
    pub mode: String,
    /// Left to AKS when the pool autoscales (the autoscaler owns it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// `vmSize`: the nodes' VM size (`Standard_D4s_v5`, say); fixed once the pool exists.
    pub vm_size: String,
    /// Sent as `false` too, so turning autoscaling off is a change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_auto_scaling: Option<bool>,
    /// `minCount`: the autoscaler's lower bound.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_count: Option<u32>,
    /// `maxCount`: the autoscaler's upper bound.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_count: Option<u32>,
    /// `availabilityZones`: the zones the pool's nodes spread over; fixed once the pool exists.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub availability_zones: Vec<String>,
    /// `vnetSubnetID`: the subnet the nodes (and, with Azure CNI, pods) take addresses from.
    #[serde(
        rename = "vnetSubnetID",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub vnet_subnet_id: Option<String>,
    /// `type`: `VirtualMachineScaleSets`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// `osType`: `Linux`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os_type: Option<String>,
}

/// `properties.networkProfile` of a cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkProfile {
    /// `networkPlugin`: `azure` (Azure CNI).
    pub network_plugin: String,
    /// `loadBalancerSku`: `standard`.
    pub load_balancer_sku: String,
    /// `serviceCidr`: the Kubernetes service range; must not overlap the VNet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_cidr: Option<String>,
    /// `dnsServiceIP`: the cluster DNS service's address, inside `serviceCidr`.
    #[serde(
        rename = "dnsServiceIP",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub dns_service_ip: Option<String>,
    /// The network policy engine (`calico`, `azure`, `cilium`); none when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_policy: Option<String>,
}

/// One of AKS's identities in `properties.identityProfile`: a user-assigned identity AKS made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserAssignedIdentity {
    /// `resourceId`: the identity's ARM resource ID.
    #[serde(default)]
    pub resource_id: Option<String>,
    /// `clientId`: the identity's application (client) ID.
    #[serde(default)]
    pub client_id: Option<String>,
    /// `objectId`: the identity's principal (object) ID, which role assignments name.
    #[serde(default)]
    pub object_id: Option<String>,
}

/// The Kubernetes versions AKS offers in one region
/// (`GET …/providers/Microsoft.ContainerService/locations/{location}/kubernetesVersions`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OfferedVersions {
    /// `x.y`, oldest first.
    pub minors: Vec<String>,
    /// `x.y.z`.
    pub patches: Vec<String>,
}

impl OfferedVersions {
    /// Whether a cluster may be made with `version` (`x.y`: AKS picks a patch; `x.y.z`: that patch).
    pub fn offers(&self, version: &str) -> bool {
        self.minors
            .iter()
            .chain(&self.patches)
            .any(|v| v == version)
    }

    /// Reads ARM's answer (its list is `values`, not `value`).
    pub fn from_body(body: &serde_json::Value) -> Self {
        let mut offered = Self::default();
        for entry in body["values"].as_array().into_iter().flatten() {
            if let Some(minor) = entry["version"].as_str() {
                offered.minors.push(minor.to_owned());
            }
            if let Some(patches) = entry["patchVersions"].as_object() {
                offered.patches.extend(patches.keys().cloned());
            }
        }
        offered
    }
}

/// The minor versions (`x.y`) every one of `offered` has, oldest first: what a topology can pin in each
/// of those regions so that its clusters run the same Kubernetes. Empty when there is none (or no
/// region).
pub fn common_minors<'a>(offered: impl IntoIterator<Item = &'a OfferedVersions>) -> Vec<String> {
    let mut sets = offered.into_iter().map(|o| &o.minors);
    let Some(first) = sets.next() else {
        return Vec::new();
    };
    let mut common: Vec<String> = first.clone();
    for minors in sets {
        common.retain(|m| minors.contains(m));
    }
    sort_versions(&mut common);
    common.dedup();
    common
}

/// Sorts `x.y[.z]` versions by their numbers (`1.9` before `1.10`), oldest first.
pub fn sort_versions(versions: &mut [String]) {
    let key = |v: &String| -> Vec<u64> { v.split('.').map(|p| p.parse().unwrap_or(0)).collect() };
    versions.sort_by_cached_key(key);
}

/// What AKS offers in `location`; `None` when ARM does not say (the subscription is not registered for
/// AKS yet, say).
pub async fn offered_versions(
    arm: &super::ArmClient,
    location: &str,
) -> crate::Result<Option<OfferedVersions>> {
    let path = format!(
        "/subscriptions/{}/providers/Microsoft.ContainerService/locations/{location}/kubernetesVersions",
        arm.subscription_id()
    );
    Ok(arm
        .get(&path, API_VERSION)
        .await?
        .map(|body| OfferedVersions::from_body(&body)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offered(minors: &[&str]) -> OfferedVersions {
        OfferedVersions {
            minors: minors.iter().map(|m| (*m).to_owned()).collect(),
            patches: Vec::new(),
        }
    }

    #[test]
    fn common_minors_are_those_every_region_offers_by_number() {
        let east = offered(&["1.31", "1.9", "1.10", "1.30"]);
        let west = offered(&["1.30", "1.31", "1.10", "1.9", "1.32"]);
        assert_eq!(
            common_minors([&east, &west]),
            ["1.9", "1.10", "1.30", "1.31"],
            "by number, not by text"
        );
        assert_eq!(
            common_minors([&east, &offered(&["1.32"])]),
            Vec::<String>::new()
        );
        assert_eq!(common_minors(std::iter::empty()), Vec::<String>::new());
    }
}
