//! What identifies each Azure resource of a topology: its key (the resource's role), deterministic
//! ARM id, api-version, resource group and the name a plan shows.

use crate::arm::{
    container_registry, front_door, log_analytics, managed_cluster, peering, postgres, private_dns,
    private_endpoint, public_ip, resource_group, role_assignment, storage, traffic_manager,
    virtual_network, waf,
};
use crate::names;
use serde::{Deserialize, Serialize};
use std::fmt;

/// One Azure resource of a topology, by its role.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ResourceKey {
    /// A region's resource group, or the global one (`region == "global"`).
    ResourceGroup(String),
    /// The region's VNet (the AKS subnet and the private-endpoint subnet inside).
    VirtualNetwork(String),
    /// The static Standard public IP the region's ingress uses.
    PublicIp(String),
    /// The region's AKS cluster.
    ManagedCluster(String),
    /// The node OS maintenance window of a region's cluster (a `maintenanceConfigurations` child).
    MaintenanceWindow(String),
    /// The region's Log Analytics workspace, where its cluster sends Container Insights.
    LogWorkspace(String),
    /// A user node pool of a region's cluster.
    NodePool {
        /// The region whose cluster has the pool.
        region: String,
        /// The pool's name.
        pool: String,
    },
    /// Network Contributor for the region's cluster identity on the region's group (to use the IP).
    RoleAssignment(String),
    /// Azure Kubernetes Service RBAC Cluster Admin for an admin group (its object id) on the
    /// region's cluster.
    ClusterAdmin {
        /// The region whose cluster the role is on.
        region: String,
        /// The admin group's Entra ID object ID.
        group: String,
    },
    /// One direction of the global VNet peering between two regions: `from`'s VNet to `to`'s.
    Peering {
        /// The region whose VNet holds the peering.
        from: String,
        /// The region whose VNet it peers with.
        to: String,
    },
    /// The Traffic Manager profile with one endpoint per region, written in one PUT so that priority
    /// swaps (failover) are atomic.
    TrafficManagerProfile,
    /// Geographic routing with standbys: the Priority child profile of an area (by its name), nested
    /// under the Geographic parent.
    TrafficManagerChild(String),
    /// The Premium registry in the global group, its replica in a region, the pull role of a region's
    /// kubelet identity on it.
    Registry,
    /// The registry's geo-replication in a region.
    Replication(String),
    /// AcrPull on the registry for the region's kubelet identity.
    RegistryPull(String),
    /// Geo-redundant backup storage in the global group, and a region's blob container in it.
    StorageAccount,
    /// The region's blob container in the backup storage account.
    BackupContainer(String),
    /// Front Door: the profile, its endpoint, the origin group, a region's origin, the route.
    FrontDoorProfile,
    /// Front Door's endpoint (the `*.azurefd.net` host).
    FrontDoorEndpoint,
    /// Front Door's origin group, with its health probe.
    FrontDoorOriginGroup,
    /// The region's origin (its ingress IP's DNS name) in the origin group.
    FrontDoorOrigin(String),
    /// Front Door's route: every path on the endpoint to the origin group.
    FrontDoorRoute,
    /// Front Door's WAF: the policy in the global group, and the profile's security policy using it.
    WafPolicy,
    /// Front Door's security policy attaching the WAF policy to the endpoint.
    FrontDoorSecurityPolicy,
    /// A region's private endpoint to a global service, in the region's group and the region's
    /// private-endpoint subnet.
    PrivateEndpoint {
        /// The region holding the endpoint.
        region: String,
        /// The service it reaches.
        service: PrivateService,
    },
    /// The endpoint's DNS zone group: Azure writes the endpoint's A records into the region's zone.
    PrivateDnsZoneGroup {
        /// The region of the endpoint.
        region: String,
        /// The service the endpoint reaches.
        service: PrivateService,
    },
    /// The region's own `privatelink` zone for the service, in the region's group (one zone per
    /// region, each resolving to the region's own endpoint: docs/security.md, Networks).
    PrivateDnsZone {
        /// The region the zone belongs to.
        region: String,
        /// The service the zone resolves.
        service: PrivateService,
    },
    /// The link of the region's zone to the region's VNet.
    PrivateDnsLink {
        /// The region whose VNet is linked.
        region: String,
        /// The service whose zone it is.
        service: PrivateService,
    },
    /// The region's PostgreSQL flexible server (the primary or a read replica), in its group.
    DatabaseServer(String),
    /// The Entra administrator group (its object ID) of a region's server.
    DatabaseAdmin {
        /// The region whose server it administers.
        region: String,
        /// The group's object ID, lower case.
        group: String,
    },
    /// The read-write virtual endpoint, as the server of the region seen through it.
    DatabaseEndpoint(String),
    /// The database's private DNS zone, in the global group.
    DatabaseZone,
    /// The link of the database zone to a region's VNet (in the global group).
    DatabaseZoneLink(String),
    /// The promotion of a region's replica to primary: a PATCH on its server, no resource of its own.
    DatabasePromotion(String),
    /// A resource of AKS Backup in a region with a running cluster (`layout/aks_backup.rs`).
    AksBackup {
        /// The region it belongs to (whose group holds it).
        region: String,
        /// Which resource.
        part: super::aks_backup::BackupPart,
    },
}

/// A global service the regions reach through private endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum PrivateService {
    /// The container registry (login server and every replica's data endpoint).
    Registry,
    /// The backup storage account's blob service.
    Blob,
}

impl PrivateService {
    /// Both services, the registry first.
    pub const ALL: [PrivateService; 2] = [PrivateService::Registry, PrivateService::Blob];

    /// The target's sub-resource the endpoint connects to (`groupIds`).
    pub fn group_id(self) -> &'static str {
        match self {
            PrivateService::Registry => "registry",
            PrivateService::Blob => "blob",
        }
    }

    /// The private DNS zone Azure recommends for the sub-resource.
    pub fn zone(self) -> &'static str {
        match self {
            PrivateService::Registry => "privatelink.azurecr.io",
            PrivateService::Blob => "privatelink.blob.core.windows.net",
        }
    }

    /// The global resource the endpoint reaches.
    pub fn target(self) -> ResourceKey {
        match self {
            PrivateService::Registry => ResourceKey::Registry,
            PrivateService::Blob => ResourceKey::StorageAccount,
        }
    }
}

impl fmt::Display for PrivateService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PrivateService::Registry => "registry",
            PrivateService::Blob => "backup blob",
        })
    }
}

impl ResourceKey {
    /// The ARM api-version the resource is read and written with.
    pub fn api_version(&self) -> &'static str {
        match self {
            ResourceKey::ResourceGroup(_) => resource_group::API_VERSION,
            ResourceKey::VirtualNetwork(_) => virtual_network::API_VERSION,
            ResourceKey::PublicIp(_) => public_ip::API_VERSION,
            ResourceKey::ManagedCluster(_)
            | ResourceKey::NodePool { .. }
            | ResourceKey::MaintenanceWindow(_) => managed_cluster::API_VERSION,
            ResourceKey::RoleAssignment(_) | ResourceKey::ClusterAdmin { .. } => {
                role_assignment::API_VERSION
            }
            ResourceKey::LogWorkspace(_) => log_analytics::API_VERSION,
            ResourceKey::Peering { .. } => peering::API_VERSION,
            ResourceKey::TrafficManagerProfile | ResourceKey::TrafficManagerChild(_) => {
                traffic_manager::API_VERSION
            }
            ResourceKey::Registry | ResourceKey::Replication(_) => container_registry::API_VERSION,
            ResourceKey::RegistryPull(_) => role_assignment::API_VERSION,
            ResourceKey::StorageAccount | ResourceKey::BackupContainer(_) => storage::API_VERSION,
            ResourceKey::FrontDoorProfile
            | ResourceKey::FrontDoorEndpoint
            | ResourceKey::FrontDoorOriginGroup
            | ResourceKey::FrontDoorOrigin(_)
            | ResourceKey::FrontDoorRoute
            | ResourceKey::FrontDoorSecurityPolicy => front_door::API_VERSION,
            ResourceKey::WafPolicy => waf::API_VERSION,
            ResourceKey::PrivateEndpoint { .. } | ResourceKey::PrivateDnsZoneGroup { .. } => {
                private_endpoint::API_VERSION
            }
            ResourceKey::PrivateDnsZone { .. }
            | ResourceKey::PrivateDnsLink { .. }
            | ResourceKey::DatabaseZone
            | ResourceKey::DatabaseZoneLink(_) => private_dns::API_VERSION,
            ResourceKey::DatabaseServer(_)
            | ResourceKey::DatabaseAdmin { .. }
            | ResourceKey::DatabaseEndpoint(_)
            | ResourceKey::DatabasePromotion(_) => postgres::API_VERSION,
            ResourceKey::AksBackup { part, .. } => part.api_version(),
        }
    }

    /// The region the resource belongs to (`global` for the global ones).
    pub fn region(&self) -> &str {
        match self {
            ResourceKey::ResourceGroup(r)
            | ResourceKey::VirtualNetwork(r)
            | ResourceKey::PublicIp(r)
            | ResourceKey::ManagedCluster(r)
            | ResourceKey::LogWorkspace(r)
            | ResourceKey::MaintenanceWindow(r)
            | ResourceKey::RoleAssignment(r)
            | ResourceKey::Replication(r)
            | ResourceKey::RegistryPull(r)
            | ResourceKey::BackupContainer(r)
            | ResourceKey::FrontDoorOrigin(r)
            | ResourceKey::Peering { from: r, .. }
            | ResourceKey::ClusterAdmin { region: r, .. }
            | ResourceKey::NodePool { region: r, .. }
            | ResourceKey::PrivateEndpoint { region: r, .. }
            | ResourceKey::PrivateDnsZoneGroup { region: r, .. }
            | ResourceKey::PrivateDnsZone { region: r, .. }
            | ResourceKey::PrivateDnsLink { region: r, .. }
            | ResourceKey::DatabaseServer(r)
            | ResourceKey::DatabaseAdmin { region: r, .. }
            | ResourceKey::DatabaseEndpoint(r)
            | ResourceKey::DatabaseZoneLink(r)
            | ResourceKey::DatabasePromotion(r) => r,
            ResourceKey::AksBackup { region: r, .. } => r,
            ResourceKey::TrafficManagerProfile
            | ResourceKey::TrafficManagerChild(_)
            | ResourceKey::Registry
            | ResourceKey::StorageAccount
            | ResourceKey::FrontDoorProfile
            | ResourceKey::FrontDoorEndpoint
            | ResourceKey::FrontDoorOriginGroup
            | ResourceKey::FrontDoorRoute
            | ResourceKey::FrontDoorSecurityPolicy
            | ResourceKey::WafPolicy
            | ResourceKey::DatabaseZone => names::GLOBAL,
        }
    }

    /// A resource of the global group that lives in a region (the registry and what hangs off it,
    /// the backup storage and its containers): while its region is down Azure cannot read it, and
    /// the observation leaves it as it is ([`crate::plan::Observed::unreadable`]) instead of failing.
    pub fn lives_in_a_region(&self) -> bool {
        matches!(
            self,
            ResourceKey::Registry
                | ResourceKey::Replication(_)
                | ResourceKey::RegistryPull(_)
                | ResourceKey::StorageAccount
                | ResourceKey::BackupContainer(_)
        )
    }

    /// The region whose resource group holds the resource (`global` for the global group): a
    /// region's registry replica, pull role, backup container and origin live in the global group.
    pub fn group_region(&self) -> &str {
        match self {
            ResourceKey::Replication(_)
            | ResourceKey::RegistryPull(_)
            | ResourceKey::BackupContainer(_)
            | ResourceKey::FrontDoorOrigin(_)
            | ResourceKey::DatabaseZoneLink(_) => names::GLOBAL,
            other => other.region(),
        }
    }

    /// The ARM id this key has in `topology`.
    pub fn id(&self, subscription: &str, topology: &str) -> String {
        let rg = |region: &str| names::resource_group(topology, region);
        let rg_id = |region: &str| resource_group::id(subscription, &rg(region));
        let vnet = |region: &str| {
            virtual_network::id(
                subscription,
                &rg(region),
                &names::virtual_network(topology, region),
            )
        };
        let afd = || {
            front_door::profile_id(
                subscription,
                &rg(names::GLOBAL),
                &names::front_door(topology),
            )
        };
        let backup = || {
            storage::account_id(
                subscription,
                &rg(names::GLOBAL),
                &names::backup_account(subscription, topology),
            )
        };
        let registry = || {
            container_registry::id(
                subscription,
                &rg(names::GLOBAL),
                &names::registry(subscription, topology),
            )
        };
        let profile = || {
            traffic_manager::profile_id(
                subscription,
                &rg(names::GLOBAL),
                &names::traffic_manager(topology),
            )
        };
        match self {
            ResourceKey::ResourceGroup(region) => rg_id(region),
            ResourceKey::VirtualNetwork(region) => vnet(region),
            ResourceKey::PublicIp(region) => public_ip::id(
                subscription,
                &rg(region),
                &names::ingress_ip(topology, region),
            ),
            ResourceKey::ManagedCluster(region) => {
                managed_cluster::id(subscription, &rg(region), &names::cluster(topology, region))
            }
            ResourceKey::MaintenanceWindow(region) => managed_cluster::maintenance_id(
                &managed_cluster::id(subscription, &rg(region), &names::cluster(topology, region)),
                managed_cluster::NODE_OS_SCHEDULE,
            ),
            ResourceKey::LogWorkspace(region) => log_analytics::id(
                subscription,
                &rg(region),
                &names::log_workspace(topology, region),
            ),
            ResourceKey::NodePool { region, pool } => managed_cluster::agent_pool_id(
                &managed_cluster::id(subscription, &rg(region), &names::cluster(topology, region)),
                pool,
            ),
            ResourceKey::RoleAssignment(region) => {
                let scope = rg_id(region);
                let name = role_assignment::name(
                    &scope,
                    role_assignment::NETWORK_CONTRIBUTOR,
                    &format!("cluster-identity:{topology}:{region}"),
                );
                role_assignment::id(&scope, &name)
            }
            ResourceKey::ClusterAdmin { region, group } => {
                let scope = managed_cluster::id(
                    subscription,
                    &rg(region),
                    &names::cluster(topology, region),
                );
                let name = role_assignment::name(
                    &scope,
                    role_assignment::AKS_RBAC_CLUSTER_ADMIN,
                    &format!("admin-group:{}", group.to_ascii_lowercase()),
                );
                role_assignment::id(&scope, &name)
            }
            ResourceKey::Peering { from, to } => {
                peering::id(&vnet(from), &names::peering(from, to))
            }
            ResourceKey::TrafficManagerProfile => profile(),
            ResourceKey::TrafficManagerChild(area) => traffic_manager::profile_id(
                subscription,
                &rg(names::GLOBAL),
                &names::traffic_manager_area(topology, area),
            ),
            ResourceKey::Registry => registry(),
            ResourceKey::StorageAccount => backup(),
            ResourceKey::FrontDoorProfile => afd(),
            ResourceKey::FrontDoorEndpoint => format!(
                "{}/afdEndpoints/{}",
                afd(),
                names::front_door_endpoint(subscription, topology)
            ),
            ResourceKey::FrontDoorOriginGroup => format!("{}/originGroups/regions", afd()),
            ResourceKey::FrontDoorOrigin(region) => {
                format!("{}/originGroups/regions/origins/{region}", afd())
            }
            ResourceKey::FrontDoorRoute => format!(
                "{}/afdEndpoints/{}/routes/default",
                afd(),
                names::front_door_endpoint(subscription, topology)
            ),
            ResourceKey::FrontDoorSecurityPolicy => format!("{}/securityPolicies/waf", afd()),
            ResourceKey::WafPolicy => waf::id(
                subscription,
                &rg(names::GLOBAL),
                &names::waf_policy(topology),
            ),
            ResourceKey::BackupContainer(region) => {
                storage::container_id(&backup(), &names::backup_container(region))
            }
            ResourceKey::Replication(region) => {
                container_registry::replication_id(&registry(), region)
            }
            ResourceKey::PrivateEndpoint { region, service } => private_endpoint::id(
                subscription,
                &rg(region),
                &names::private_endpoint(topology, region, service.group_id()),
            ),
            ResourceKey::PrivateDnsZoneGroup { region, service } => {
                private_endpoint::zone_group_id(
                    &ResourceKey::PrivateEndpoint {
                        region: region.clone(),
                        service: *service,
                    }
                    .id(subscription, topology),
                    names::PRIVATE_DNS_ZONE_GROUP,
                )
            }
            ResourceKey::PrivateDnsZone { region, service } => {
                private_dns::zone_id(subscription, &rg(region), service.zone())
            }
            ResourceKey::PrivateDnsLink { region, service } => private_dns::link_id(
                &private_dns::zone_id(subscription, &rg(region), service.zone()),
                &names::private_dns_link(topology, region),
            ),
            ResourceKey::DatabaseServer(region)
            | ResourceKey::DatabasePromotion(region)
            | ResourceKey::DatabaseAdmin { region, .. }
            | ResourceKey::DatabaseEndpoint(region)
            | ResourceKey::DatabaseZoneLink(region) => {
                super::database::id(self, subscription, topology, region)
            }
            ResourceKey::DatabaseZone => {
                super::database::id(self, subscription, topology, names::GLOBAL)
            }
            ResourceKey::AksBackup { region, part } => part.id(subscription, topology, region),
            ResourceKey::RegistryPull(region) => {
                let scope = registry();
                let name = role_assignment::name(
                    &scope,
                    role_assignment::ACR_PULL,
                    &format!("kubelet-identity:{topology}:{region}"),
                );
                role_assignment::id(&scope, &name)
            }
        }
    }
}

impl fmt::Display for ResourceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResourceKey::ResourceGroup(r) => write!(f, "resource group ({r})"),
            ResourceKey::VirtualNetwork(r) => write!(f, "virtual network ({r})"),
            ResourceKey::PublicIp(r) => write!(f, "ingress public IP ({r})"),
            ResourceKey::ManagedCluster(r) => write!(f, "AKS cluster ({r})"),
            ResourceKey::LogWorkspace(r) => write!(f, "monitoring workspace ({r})"),
            ResourceKey::MaintenanceWindow(r) => write!(f, "node OS maintenance window ({r})"),
            ResourceKey::NodePool { region, pool } => write!(f, "node pool {pool} ({region})"),
            ResourceKey::RoleAssignment(r) => write!(f, "cluster identity role ({r})"),
            ResourceKey::ClusterAdmin { region, group } => {
                write!(f, "cluster admin role for group {group} ({region})")
            }
            ResourceKey::Peering { from, to } => write!(f, "peering ({from} -> {to})"),
            ResourceKey::TrafficManagerProfile => write!(f, "Traffic Manager profile"),
            ResourceKey::TrafficManagerChild(a) => write!(f, "Traffic Manager area profile ({a})"),
            ResourceKey::Registry => write!(f, "container registry"),
            ResourceKey::Replication(r) => write!(f, "registry replica ({r})"),
            ResourceKey::RegistryPull(r) => write!(f, "registry pull role ({r})"),
            ResourceKey::StorageAccount => write!(f, "backup storage"),
            ResourceKey::BackupContainer(r) => write!(f, "backup container ({r})"),
            ResourceKey::FrontDoorProfile => write!(f, "Front Door profile"),
            ResourceKey::FrontDoorEndpoint => write!(f, "Front Door endpoint"),
            ResourceKey::FrontDoorOriginGroup => write!(f, "Front Door origin group"),
            ResourceKey::FrontDoorOrigin(r) => write!(f, "Front Door origin ({r})"),
            ResourceKey::FrontDoorRoute => write!(f, "Front Door route"),
            ResourceKey::WafPolicy => write!(f, "WAF policy"),
            ResourceKey::FrontDoorSecurityPolicy => write!(f, "Front Door security policy"),
            ResourceKey::PrivateEndpoint { region, service } => {
                write!(f, "{service} private endpoint ({region})")
            }
            ResourceKey::PrivateDnsZoneGroup { region, service } => {
                write!(f, "{service} private endpoint DNS records ({region})")
            }
            ResourceKey::PrivateDnsZone { region, service } => {
                write!(f, "{service} private DNS zone ({region})")
            }
            ResourceKey::PrivateDnsLink { region, service } => {
                write!(f, "{service} private DNS zone link ({region})")
            }
            ResourceKey::DatabaseServer(r) => write!(f, "database server ({r})"),
            ResourceKey::DatabaseAdmin { region, group } => {
                write!(f, "database admin group {group} ({region})")
            }
            ResourceKey::DatabaseEndpoint(r) => write!(f, "database read-write endpoint ({r})"),
            ResourceKey::DatabaseZone => write!(f, "database private DNS zone"),
            ResourceKey::DatabaseZoneLink(r) => write!(f, "database private DNS zone link ({r})"),
            ResourceKey::DatabasePromotion(r) => {
                write!(f, "database promotion to primary ({r})")
            }
            ResourceKey::AksBackup { region, part } => write!(f, "{part} ({region})"),
        }
    }
}
