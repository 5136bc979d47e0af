//! The desired ARM body of each resource of a topology, built from the typed models (the routing
//! resources' in [`super::routing`]).

use crate::arm::container_registry::{
    Registry, RegistryProperties, Replication, ReplicationProperties, Sku as RegistrySku,
};
use crate::arm::log_analytics::{Sku as WorkspaceSku, Workspace, WorkspaceProperties};
use crate::arm::managed_cluster::{
    ADDON_MONITORING, ADDON_POLICY, AadProfile, AddonProfile, AgentPool, AgentPoolResource,
    ApiServerAccessProfile, AutoUpgradeProfile, ClusterIdentity, Enabled, MONITORING_WORKSPACE,
    MaintenanceConfiguration, MaintenanceProperties, MaintenanceSchedule, MaintenanceWindow,
    ManagedCluster, ManagedClusterProperties, ManagedClusterSku, NetworkProfile, OidcIssuerProfile,
    PoolSettings, SecurityProfile, WeeklySchedule,
};
use crate::arm::peering::{PeeringProperties, SubResource, VirtualNetworkPeering};
use crate::arm::public_ip::{DnsSettings, PublicIpAddress, PublicIpProperties, Sku};
use crate::arm::resource_group::ResourceGroup;
use crate::arm::role_assignment::{RoleAssignment, RoleAssignmentProperties};
use crate::arm::storage::{
    BlobContainer, BlobContainerProperties, Sku as StorageSku, StorageAccount,
    StorageAccountProperties,
};
use crate::arm::virtual_network::{AddressSpace, VirtualNetwork, VirtualNetworkProperties};
use crate::model::Registry as RegistrySettings;
use crate::model::{Autoscale, Backup, ClusterAccess, NodePool, Region};
use crate::names;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

pub(super) fn to_value<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

pub(super) fn resource_group(topology: &str, region: &str, location: &str) -> Value {
    to_value(&ResourceGroup {
        id: None,
        name: None,
        location: location.to_owned(),
        tags: names::tags(topology, region),
    })
}

pub(super) fn vnet(topology: &str, region: &Region) -> Value {
    to_value(&VirtualNetwork {
        id: None,
        location: region.name.clone(),
        tags: names::tags(topology, &region.name),
        properties: VirtualNetworkProperties {
            provisioning_state: None,
            address_space: AddressSpace {
                address_prefixes: vec![region.vnet_cidr.clone()],
            },
            subnets: super::private_link::subnets(&region.vnet_cidr),
        },
    })
}

/// The week's days, in the order maintenance windows are handed out.
const DAYS: [&str; 7] = [
    "Sunday",
    "Wednesday",
    "Saturday",
    "Tuesday",
    "Friday",
    "Monday",
    "Thursday",
];

/// The `slot`-th region's node OS maintenance window: four hours a week, no two regions' windows on
/// the same day and hour (slots 0 to 6 on different days three days apart where they can be, then
/// the next four hours of those days), so planned maintenance never takes two regions at once.
pub(super) fn maintenance_window(slot: usize) -> Value {
    let day = DAYS[slot % DAYS.len()];
    let start = (slot / DAYS.len()) * 4 % 24;
    to_value(&MaintenanceConfiguration {
        properties: MaintenanceProperties {
            maintenance_window: MaintenanceWindow {
                schedule: MaintenanceSchedule {
                    weekly: WeeklySchedule {
                        interval_weeks: 1,
                        day_of_week: day.into(),
                    },
                },
                duration_hours: 4,
                utc_offset: "+00:00".into(),
                start_time: format!("{start:02}:00"),
            },
        },
    })
}

/// The region's Log Analytics workspace: pay per GB, 30 days (Container Insights' own default).
pub(super) fn log_workspace(topology: &str, region: &Region) -> Value {
    to_value(&Workspace {
        location: region.name.clone(),
        tags: names::tags(topology, &region.name),
        properties: WorkspaceProperties {
            sku: WorkspaceSku {
                name: "PerGB2018".into(),
            },
            retention_in_days: 30,
            customer_id: None,
        },
    })
}

pub(super) fn public_ip(topology: &str, region: &Region) -> Value {
    to_value(&PublicIpAddress {
        id: None,
        location: region.name.clone(),
        tags: names::tags(topology, &region.name),
        sku: Sku {
            name: "Standard".into(),
            tier: "Regional".into(),
        },
        properties: PublicIpProperties {
            allocation_method: "Static".into(),
            address_version: "IPv4".into(),
            dns_settings: DnsSettings {
                domain_name_label: names::ingress_dns_label(topology, &region.name),
                fqdn: None,
            },
            ip_address: None,
            provisioning_state: None,
        },
    })
}

pub(super) fn cluster(
    topology: &str,
    access: &ClusterAccess,
    region: &Region,
    subnet_id: String,
    workspace_id: String,
) -> Value {
    let c = &region.cluster;
    to_value(&ManagedCluster {
        id: None,
        location: region.name.clone(),
        tags: names::tags(topology, &region.name),
        identity: Some(ClusterIdentity {
            kind: "SystemAssigned".into(),
            principal_id: None,
        }),
        sku: Some(ManagedClusterSku {
            name: "Base".into(),
            tier: c.tier.as_str().into(),
        }),
        properties: ManagedClusterProperties {
            provisioning_state: None,
            kubernetes_version: c.kubernetes_version.clone(),
            dns_prefix: names::dns_prefix(topology, &region.name),
            fqdn: None,
            node_resource_group: None,
            agent_pool_profiles: vec![AgentPool {
                name: "system".into(),
                settings: pool_settings(
                    "System",
                    &c.vm_size,
                    c.node_count,
                    c.autoscale,
                    &c.zones,
                    subnet_id,
                ),
            }],
            network_profile: NetworkProfile {
                network_plugin: "azure".into(),
                load_balancer_sku: "standard".into(),
                service_cidr: Some(super::SERVICE_CIDR.into()),
                dns_service_ip: Some(super::DNS_SERVICE_IP.into()),
                network_policy: Some(access.network_policy.engine().to_owned()),
            },
            identity_profile: None,
            aad_profile: Some(AadProfile {
                managed: true,
                enable_azure_rbac: true,
                admin_group_object_ids: access.admin_group_object_ids.clone(),
                tenant_id: None,
            }),
            disable_local_accounts: Some(!access.local_accounts),
            oidc_issuer_profile: Some(OidcIssuerProfile {
                enabled: true,
                issuer_url: None,
            }),
            security_profile: Some(SecurityProfile {
                workload_identity: Some(Enabled { enabled: true }),
            }),
            // Kubernetes versions are rolled out by the SDK, one region at a time; node images are
            // patched by AKS, in each region's own maintenance window.
            auto_upgrade_profile: Some(AutoUpgradeProfile {
                upgrade_channel: Some("none".into()),
                node_os_upgrade_channel: Some("NodeImage".into()),
            }),
            api_server_access_profile: Some(ApiServerAccessProfile {
                authorized_ip_ranges: access.authorized_ip_ranges.clone(),
                enable_private_cluster: Some(access.private_cluster),
            }),
            addon_profiles: Some(BTreeMap::from([
                (
                    ADDON_MONITORING.to_owned(),
                    AddonProfile {
                        enabled: true,
                        config: Some(BTreeMap::from([(
                            MONITORING_WORKSPACE.to_owned(),
                            workspace_id,
                        )])),
                    },
                ),
                (
                    ADDON_POLICY.to_owned(),
                    AddonProfile {
                        enabled: true,
                        config: None,
                    },
                ),
            ])),
        },
    })
}

/// A pool's settings: the count is left to the autoscaler when it has bounds.
fn pool_settings(
    mode: &str,
    vm_size: &str,
    count: u32,
    autoscale: Option<Autoscale>,
    zones: &[String],
    subnet_id: String,
) -> PoolSettings {
    PoolSettings {
        mode: mode.into(),
        count: autoscale.is_none().then_some(count),
        vm_size: vm_size.to_owned(),
        enable_auto_scaling: Some(autoscale.is_some()),
        min_count: autoscale.map(|a| a.min),
        max_count: autoscale.map(|a| a.max),
        availability_zones: zones.to_vec(),
        vnet_subnet_id: Some(subnet_id),
        kind: Some("VirtualMachineScaleSets".into()),
        os_type: Some("Linux".into()),
    }
}

/// A user pool (an `agentPools` child), on the region's AKS subnet.
pub(super) fn node_pool(pool: &NodePool, subnet_id: String) -> Value {
    to_value(&AgentPoolResource {
        properties: pool_settings(
            "User",
            &pool.vm_size,
            pool.node_count,
            pool.autoscale,
            &pool.zones,
            subnet_id,
        ),
    })
}

/// The principal id is bound at apply time (see `Binding`): it exists once the cluster does.
pub(super) fn role_assignment(role_definition_id: &str) -> Value {
    to_value(&RoleAssignment {
        properties: RoleAssignmentProperties {
            role_definition_id: role_definition_id.to_owned(),
            principal_id: String::new(),
            principal_type: "ServicePrincipal".into(),
        },
    })
}

/// A role for an Entra ID group (its object id is known now, unlike a new cluster's identity).
pub(super) fn group_role_assignment(role_definition_id: &str, group: &str) -> Value {
    to_value(&RoleAssignment {
        properties: RoleAssignmentProperties {
            role_definition_id: role_definition_id.to_owned(),
            principal_id: group.to_owned(),
            principal_type: "Group".into(),
        },
    })
}

pub(super) fn peering(remote_vnet_id: String) -> Value {
    to_value(&VirtualNetworkPeering {
        id: None,
        name: None,
        properties: PeeringProperties {
            remote_virtual_network: SubResource { id: remote_vnet_id },
            allow_virtual_network_access: true,
            allow_forwarded_traffic: true,
            allow_gateway_transit: false,
            use_remote_gateways: false,
            peering_state: None,
            peering_sync_level: None,
            provisioning_state: None,
        },
    })
}

fn zones(enabled: bool) -> String {
    if enabled { "Enabled" } else { "Disabled" }.to_owned()
}

pub(super) fn registry(topology: &str, settings: &RegistrySettings, home: &str) -> Value {
    to_value(&Registry {
        location: home.to_owned(),
        tags: names::tags(topology, names::GLOBAL),
        sku: RegistrySku {
            name: "Premium".into(),
        },
        properties: RegistryProperties {
            admin_user_enabled: false,
            anonymous_pull_enabled: false,
            public_network_access: super::private_link::registry_access(settings),
            zone_redundancy: zones(settings.zone_redundancy),
            login_server: None,
        },
    })
}

pub(super) fn replication(topology: &str, settings: &RegistrySettings, region: &str) -> Value {
    to_value(&Replication {
        location: region.to_owned(),
        tags: names::tags(topology, region),
        properties: ReplicationProperties {
            region_endpoint_enabled: true,
            zone_redundancy: zones(settings.zone_redundancy),
        },
    })
}

pub(super) fn backup_account(topology: &str, backup: &Backup, home: &str) -> Value {
    to_value(&StorageAccount {
        location: home.to_owned(),
        tags: names::tags(topology, names::GLOBAL),
        sku: StorageSku {
            name: backup.redundancy.sku(),
        },
        kind: "StorageV2".into(),
        properties: StorageAccountProperties {
            minimum_tls_version: "TLS1_2".into(),
            allow_blob_public_access: false,
            supports_https_traffic_only: true,
            network_acls: Some(super::private_link::deny_by_default()),
            secondary_location: None,
        },
    })
}

pub(super) fn backup_container() -> Value {
    to_value(&BlobContainer {
        properties: BlobContainerProperties {
            public_access: "None".into(),
        },
    })
}
