//! What exists of a topology, as ARM reports it: ids, FQDNs, identities, ingress IPs, endpoint and
//! peering states, for callers (and the Terraform provider) to wire into other things.

use crate::layout::ResourceKey;
use crate::model::Topology;
use crate::names;
use crate::plan::Observed;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// What exists of one region.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RegionStatus {
    /// The region's resource group's ARM ID; empty while it does not exist (as every field here).
    pub resource_group_id: String,
    /// The region's VNet's ARM ID.
    pub vnet_id: String,
    /// The VNet's address space as ARM reports it (its first prefix).
    pub vnet_cidr: String,
    /// The AKS subnet's ARM ID.
    pub subnet_id: String,
    /// The region's AKS cluster's ARM ID; empty for a cold region.
    pub cluster_id: String,
    /// The cluster's API server host name (`properties.fqdn`).
    pub cluster_fqdn: String,
    /// The private API server's FQDN; empty for a cluster with a public API server (or none).
    pub cluster_private_fqdn: String,
    /// The object ID of the cluster's kubelet identity, which pulls images (`identityProfile.kubeletidentity`).
    pub kubelet_identity_object_id: String,
    /// The resource group AKS keeps the cluster's nodes in (`MC_...`).
    pub node_resource_group: String,
    /// The Kubernetes version the cluster was asked for (AKS's default when none was).
    pub kubernetes_version: String,
    /// The cluster's AKS pricing tier (`Free`, `Standard`, `Premium`); empty without a cluster.
    pub cluster_tier: String,
    /// The cluster's `provisioningState` (`Succeeded`, `Updating`, `Failed`, ...).
    pub provisioning_state: String,
    /// The static public IP the region's ingress uses, its address and DNS name.
    pub ingress_ip_id: String,
    /// The ingress IP's address.
    pub ingress_ip_address: String,
    /// The ingress IP's DNS name (`<label>.<region>.cloudapp.azure.com`).
    pub ingress_fqdn: String,
    /// The region's Traffic Manager endpoint: `Enabled`, `Disabled`, or empty without routing.
    pub endpoint_status: String,
    /// Nodes in each pool as AKS reports them (`system` and the user pools), by pool name: what the
    /// autoscaler chose where it runs.
    pub pool_node_counts: BTreeMap<String, u32>,
    /// The region's Backup vault (AKS Backup), its identity, and its cluster's backup instance;
    /// empty where they do not exist.
    pub backup_vault_id: String,
    /// The vault's system identity's principal ID.
    pub backup_vault_principal_id: String,
    /// The cluster's backup instance in the vault (hot clusters).
    pub backup_instance_id: String,
}

/// What exists of a topology.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TopologyStatus {
    /// The global resource group's ARM ID.
    pub global_resource_group_id: String,
    /// What exists of each region, by region name.
    pub regions: BTreeMap<String, RegionStatus>,
    /// `"<from>-><to>"` to the peering state (`Initiated`, `Connected`, `Disconnected`).
    pub peerings: BTreeMap<String, String>,
    /// The Traffic Manager profile's id and FQDN, when the topology routes with one.
    pub traffic_manager_id: String,
    /// The profile's DNS name (`<dns_name>.trafficmanager.net`).
    pub traffic_manager_fqdn: String,
    /// The registry's id and login server, when the topology has one.
    pub registry_id: String,
    /// The registry's login server (`<name>.azurecr.io`).
    pub registry_login_server: String,
    /// Replica provisioning state by region (the home region has none: the registry serves it).
    pub registry_replicas: BTreeMap<String, String>,
    /// The backup storage account, the region Azure replicates it to, and each region's container.
    pub backup_account_id: String,
    /// The paired region Azure replicates the backup account to.
    pub backup_secondary_region: String,
    /// The backup account's blob endpoint, and its secondary's (read access: RA-GRS, RA-GZRS;
    /// empty otherwise), where the recovery region reads backups while the home region is down.
    pub backup_blob_endpoint: String,
    /// The secondary's blob endpoint (readable with RA-GRS or RA-GZRS only; empty otherwise).
    pub backup_secondary_blob_endpoint: String,
    /// Each region's backup container name, by region.
    pub backup_containers: BTreeMap<String, String>,
    /// The Front Door profile's id and the endpoint's host name, when the topology routes with it.
    pub front_door_id: String,
    /// Front Door's endpoint host name (`<name>-<hash>.z01.azurefd.net`, say).
    pub front_door_host: String,
    /// The WAF policy's id, when Front Door has one.
    pub waf_policy_id: String,
    /// Where the global resource group lives (empty when it does not exist).
    pub global_group_region: String,
    /// The failover the guard pinned since the profile was last written (the Traffic Manager
    /// profile's `bcdr-pinned` tag, `from->to at time`; see [`crate::failover::guard`]), or empty.
    pub pinned: String,
    /// Regions that could not be read (see [`Observed::unreachable`]), with the error: their entries
    /// here say nothing of what they hold.
    pub unreachable: BTreeMap<String, String>,
    /// Global resources living in a region that could not be read (see [`Observed::unreadable`]),
    /// by what they are (`container registry`, `backup storage`, ...), with the error.
    pub unreadable: BTreeMap<String, String>,
    /// The database, when a server of it exists.
    #[serde(default)]
    pub database: Option<super::database::DatabaseStatus>,
}

pub(crate) fn str_at<'a>(v: &'a Value, path: &[&str]) -> &'a str {
    path.iter()
        .try_fold(v, |v, k| v.get(*k))
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// The status of `topology` as `observed` shows it.
pub fn status(topology: &Topology, observed: &Observed) -> TopologyStatus {
    let body = |key: &ResourceKey| observed.body(key);
    let text = |key: &ResourceKey, path: &[&str]| {
        body(key)
            .map(|b| str_at(b, path).to_owned())
            .unwrap_or_default()
    };
    let profile = ResourceKey::TrafficManagerProfile;
    let mut out = TopologyStatus {
        global_resource_group_id: text(&ResourceKey::ResourceGroup(names::GLOBAL.into()), &["id"]),
        global_group_region: text(
            &ResourceKey::ResourceGroup(names::GLOBAL.into()),
            &["location"],
        ),
        traffic_manager_id: text(&profile, &["id"]),
        traffic_manager_fqdn: text(&profile, &["properties", "dnsConfig", "fqdn"]),
        pinned: text(&profile, &["tags", names::TAG_PINNED]),
        registry_id: text(&ResourceKey::Registry, &["id"]),
        registry_login_server: text(&ResourceKey::Registry, &["properties", "loginServer"]),
        backup_account_id: text(&ResourceKey::StorageAccount, &["id"]),
        front_door_id: text(&ResourceKey::FrontDoorProfile, &["id"]),
        front_door_host: text(&ResourceKey::FrontDoorEndpoint, &["properties", "hostName"]),
        waf_policy_id: text(&ResourceKey::WafPolicy, &["id"]),
        unreachable: observed.unreachable.clone(),
        unreadable: observed
            .unreadable
            .iter()
            .map(|(k, e)| (k.to_string(), e.clone()))
            .collect(),
        backup_secondary_region: text(
            &ResourceKey::StorageAccount,
            &["properties", "secondaryLocation"],
        ),
        backup_blob_endpoint: text(
            &ResourceKey::StorageAccount,
            &["properties", "primaryEndpoints", "blob"],
        ),
        backup_secondary_blob_endpoint: text(
            &ResourceKey::StorageAccount,
            &["properties", "secondaryEndpoints", "blob"],
        ),
        ..Default::default()
    };
    // The regions' endpoints: in the profile, or in an area's child profile (nested).
    let endpoints: Vec<Value> = observed
        .resources
        .iter()
        .filter(|(k, _)| {
            matches!(
                k,
                ResourceKey::TrafficManagerProfile | ResourceKey::TrafficManagerChild(_)
            )
        })
        .filter_map(|(_, p)| p.body["properties"]["endpoints"].as_array().cloned())
        .flatten()
        .filter(|e| {
            !e["type"]
                .as_str()
                .is_some_and(|t| t.ends_with("/nestedEndpoints"))
        })
        .collect();
    for region in topology.sorted_regions() {
        let r = region.name.clone();
        let (vnet, aks, ip) = (
            ResourceKey::VirtualNetwork(r.clone()),
            ResourceKey::ManagedCluster(r.clone()),
            ResourceKey::PublicIp(r.clone()),
        );
        let subnet_id = body(&vnet)
            .and_then(|v| v["properties"]["subnets"].as_array())
            .and_then(|s| s.iter().find(|s| s["name"] == names::AKS_SUBNET))
            .map(|s| str_at(s, &["id"]).to_owned())
            .unwrap_or_default();
        let endpoint = endpoints.iter().find(|e| {
            e["name"]
                .as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case(&r))
        });
        let count = |p: &Value| u32::try_from(p["count"].as_u64()?).ok();
        let mut pool_node_counts: BTreeMap<String, u32> = body(&aks)
            .and_then(|c| c["properties"]["agentPoolProfiles"].as_array())
            .into_iter()
            .flatten()
            .filter_map(|p| Some((p["name"].as_str()?.to_owned(), count(p)?)))
            .collect();
        // A user pool's own record is the newer one (the cluster's may predate the pool).
        for (key, pool) in &observed.resources {
            if let ResourceKey::NodePool { region, pool: name } = key
                && *region == r
                && let Some(n) = count(&pool.body["properties"])
            {
                pool_node_counts.insert(name.clone(), n);
            }
        }
        let backup = |part| ResourceKey::AksBackup {
            region: r.clone(),
            part,
        };
        let vault = backup(crate::layout::BackupPart::Vault);
        let region_status = RegionStatus {
            backup_vault_id: text(&vault, &["id"]),
            backup_vault_principal_id: text(&vault, &["identity", "principalId"]),
            backup_instance_id: text(&backup(crate::layout::BackupPart::Instance), &["id"]),
            pool_node_counts,
            resource_group_id: text(&ResourceKey::ResourceGroup(r.clone()), &["id"]),
            vnet_cidr: body(&vnet)
                .and_then(|v| v["properties"]["addressSpace"]["addressPrefixes"][0].as_str())
                .unwrap_or_default()
                .to_owned(),
            vnet_id: text(&vnet, &["id"]),
            subnet_id,
            cluster_id: text(&aks, &["id"]),
            cluster_fqdn: text(&aks, &["properties", "fqdn"]),
            cluster_private_fqdn: text(&aks, &["properties", "privateFQDN"]),
            kubelet_identity_object_id: text(
                &aks,
                &[
                    "properties",
                    "identityProfile",
                    "kubeletidentity",
                    "objectId",
                ],
            ),
            node_resource_group: text(&aks, &["properties", "nodeResourceGroup"]),
            kubernetes_version: text(&aks, &["properties", "kubernetesVersion"]),
            // ARM reads a cluster without a sku as Free.
            cluster_tier: body(&aks)
                .map(|c| c["sku"]["tier"].as_str().unwrap_or("Free").to_owned())
                .unwrap_or_default(),
            provisioning_state: text(&aks, &["properties", "provisioningState"]),
            ingress_ip_id: text(&ip, &["id"]),
            ingress_ip_address: text(&ip, &["properties", "ipAddress"]),
            ingress_fqdn: text(&ip, &["properties", "dnsSettings", "fqdn"]),
            endpoint_status: endpoint
                .map(|e| str_at(e, &["properties", "endpointStatus"]).to_owned())
                .or_else(|| {
                    body(&ResourceKey::FrontDoorOrigin(r.clone()))
                        .map(|o| str_at(o, &["properties", "enabledState"]).to_owned())
                })
                .unwrap_or_default(),
        };
        out.regions.insert(r, region_status);
    }
    out.database = super::database::status(observed);
    for (key, resource) in &observed.resources {
        if let ResourceKey::BackupContainer(r) = key {
            out.backup_containers
                .insert(r.clone(), str_at(&resource.body, &["name"]).to_owned());
        }
        if let ResourceKey::Replication(r) = key {
            out.registry_replicas.insert(
                r.clone(),
                str_at(&resource.body, &["properties", "provisioningState"]).to_owned(),
            );
        }
        if let ResourceKey::Peering { from, to } = key {
            out.peerings.insert(
                format!("{from}->{to}"),
                str_at(&resource.body, &["properties", "peeringState"]).to_owned(),
            );
        }
    }
    out
}
