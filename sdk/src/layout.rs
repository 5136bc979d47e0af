//! The Azure resources a [`Topology`] consists of: keys, deterministic ids and desired bodies, with the
//! dependencies between them and the values some bodies take from other resources once they exist.
//! Pure: the same topology always gives the same layout.

mod bodies;
mod geo;

pub use bodies::{priorities, priorities_of};
pub use geo::{Area, areas, nested_area_of};

use crate::arm::{
    container_registry, front_door, managed_cluster, peering, public_ip, resource_group,
    role_assignment, storage, traffic_manager, virtual_network, waf,
};
use crate::model::Topology;
use crate::names;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;

/// One Azure resource of a topology, by its role.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ResourceKey {
    /// A region's resource group, or the global one (`region == "global"`).
    ResourceGroup(String),
    VirtualNetwork(String),
    /// The static Standard public IP the region's ingress uses.
    PublicIp(String),
    ManagedCluster(String),
    /// A user node pool of a region's cluster.
    NodePool {
        region: String,
        pool: String,
    },
    /// Network Contributor for the region's cluster identity on the region's group (to use the IP).
    RoleAssignment(String),
    Peering {
        from: String,
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
    Replication(String),
    RegistryPull(String),
    /// Geo-redundant backup storage in the global group, and a region's blob container in it.
    StorageAccount,
    BackupContainer(String),
    /// Front Door: the profile, its endpoint, the origin group, a region's origin, the route.
    FrontDoorProfile,
    FrontDoorEndpoint,
    FrontDoorOriginGroup,
    FrontDoorOrigin(String),
    FrontDoorRoute,
    /// Front Door's WAF: the policy in the global group, and the profile's security policy using it.
    WafPolicy,
    FrontDoorSecurityPolicy,
}

impl ResourceKey {
    pub fn api_version(&self) -> &'static str {
        match self {
            ResourceKey::ResourceGroup(_) => resource_group::API_VERSION,
            ResourceKey::VirtualNetwork(_) => virtual_network::API_VERSION,
            ResourceKey::PublicIp(_) => public_ip::API_VERSION,
            ResourceKey::ManagedCluster(_) | ResourceKey::NodePool { .. } => {
                managed_cluster::API_VERSION
            }
            ResourceKey::RoleAssignment(_) => role_assignment::API_VERSION,
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
        }
    }

    /// The region the resource belongs to (`global` for the global ones).
    pub fn region(&self) -> &str {
        match self {
            ResourceKey::ResourceGroup(r)
            | ResourceKey::VirtualNetwork(r)
            | ResourceKey::PublicIp(r)
            | ResourceKey::ManagedCluster(r)
            | ResourceKey::RoleAssignment(r)
            | ResourceKey::Replication(r)
            | ResourceKey::RegistryPull(r)
            | ResourceKey::BackupContainer(r)
            | ResourceKey::FrontDoorOrigin(r)
            | ResourceKey::Peering { from: r, .. }
            | ResourceKey::NodePool { region: r, .. } => r,
            ResourceKey::TrafficManagerProfile
            | ResourceKey::TrafficManagerChild(_)
            | ResourceKey::Registry
            | ResourceKey::StorageAccount
            | ResourceKey::FrontDoorProfile
            | ResourceKey::FrontDoorEndpoint
            | ResourceKey::FrontDoorOriginGroup
            | ResourceKey::FrontDoorRoute
            | ResourceKey::FrontDoorSecurityPolicy
            | ResourceKey::WafPolicy => names::GLOBAL,
        }
    }

    /// The region whose resource group holds the resource (`global` for the global group): a
    /// region's registry replica, pull role, backup container and origin live in the global group.
    pub fn group_region(&self) -> &str {
        match self {
            ResourceKey::Replication(_)
            | ResourceKey::RegistryPull(_)
            | ResourceKey::BackupContainer(_)
            | ResourceKey::FrontDoorOrigin(_) => names::GLOBAL,
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
            ResourceKey::NodePool { region, pool } => write!(f, "node pool {pool} ({region})"),
            ResourceKey::RoleAssignment(r) => write!(f, "cluster identity role ({r})"),
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
        }
    }
}

/// A value a body takes from another resource once that exists (e.g. a cluster identity's principal id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// JSON pointer into this resource's body.
    pub target: String,
    pub source: ResourceKey,
    /// JSON pointer into the source resource as ARM reports it.
    pub source_pointer: String,
}

/// A resource as the topology wants it.
#[derive(Debug, Clone, PartialEq)]
pub struct DesiredResource {
    pub key: ResourceKey,
    pub id: String,
    pub body: Value,
    pub depends_on: Vec<ResourceKey>,
    pub bindings: Vec<Binding>,
}

/// The region the global resources live in: `home_region`, else the first region by name.
pub fn global_location(topology: &Topology) -> Option<String> {
    topology
        .home_region
        .clone()
        .or_else(|| topology.sorted_regions().first().map(|r| r.name.clone()))
}

/// The AKS subnet: the first half of the VNet's address space, leaving the rest for ingress and more.
pub fn subnet_cidr(vnet_cidr: &str) -> String {
    match vnet_cidr.parse::<ipnet::Ipv4Net>() {
        Ok(net) => net
            .subnets(net.prefix_len() + 1)
            .ok()
            .and_then(|mut s| s.next())
            .map_or_else(|| vnet_cidr.to_owned(), |s| s.to_string()),
        Err(_) => vnet_cidr.to_owned(),
    }
}

/// Every resource of `topology`, in dependency order.
pub fn desired(topology: &Topology, subscription: &str) -> Vec<DesiredResource> {
    let name = topology.name.as_str();
    let regions = topology.sorted_regions();
    let mut out = Vec::new();
    let mut push =
        |key: ResourceKey, body: Value, depends_on: Vec<ResourceKey>, bindings: Vec<Binding>| {
            let id = key.id(subscription, name);
            out.push(DesiredResource {
                key,
                id,
                body,
                depends_on,
                bindings,
            });
        };
    let rg = |r: &str| ResourceKey::ResourceGroup(r.to_owned());
    if let Some(location) = global_location(topology) {
        let mut global = bodies::resource_group(name, names::GLOBAL, &location);
        global["tags"][names::TAG_STATEFUL] =
            Value::String(names::stateful_tag(&topology.stateful_services));
        push(rg(names::GLOBAL), global, vec![], vec![]);
    }
    for region in &regions {
        push(
            rg(&region.name),
            bodies::resource_group(name, &region.name, &region.name),
            vec![],
            vec![],
        );
    }
    for region in &regions {
        push(
            ResourceKey::VirtualNetwork(region.name.clone()),
            bodies::vnet(name, region),
            vec![rg(&region.name)],
            vec![],
        );
        push(
            ResourceKey::PublicIp(region.name.clone()),
            bodies::public_ip(name, region),
            vec![rg(&region.name)],
            vec![],
        );
    }
    for region in regions.iter().filter(|r| r.mode.has_cluster()) {
        let r = region.name.clone();
        let subnet_id = format!(
            "{}/subnets/{}",
            ResourceKey::VirtualNetwork(r.clone()).id(subscription, name),
            names::AKS_SUBNET
        );
        push(
            ResourceKey::ManagedCluster(r.clone()),
            bodies::cluster(name, region, subnet_id.clone()),
            vec![rg(&r), ResourceKey::VirtualNetwork(r.clone())],
            vec![],
        );
        // AKS takes one operation per cluster at a time: pools follow the cluster's own write, and
        // each other.
        let mut previous = ResourceKey::ManagedCluster(r.clone());
        for pool in &region.cluster.user_pools {
            let key = ResourceKey::NodePool {
                region: r.clone(),
                pool: pool.name.clone(),
            };
            let mut deps = vec![ResourceKey::ManagedCluster(r.clone())];
            if previous != deps[0] {
                deps.push(previous);
            }
            push(
                key.clone(),
                bodies::node_pool(pool, subnet_id.clone()),
                deps,
                vec![],
            );
            previous = key;
        }
        let role =
            role_assignment::role_definition_id(subscription, role_assignment::NETWORK_CONTRIBUTOR);
        let binding = Binding {
            target: "/properties/principalId".into(),
            source: ResourceKey::ManagedCluster(r.clone()),
            source_pointer: "/identity/principalId".into(),
        };
        push(
            ResourceKey::RoleAssignment(r.clone()),
            bodies::role_assignment(&role),
            vec![rg(&r), ResourceKey::ManagedCluster(r.clone())],
            vec![binding],
        );
    }
    for from in &regions {
        for to in regions
            .iter()
            .filter(|r| topology.peered(&from.name, &r.name))
        {
            let remote = ResourceKey::VirtualNetwork(to.name.clone()).id(subscription, name);
            let key = ResourceKey::Peering {
                from: from.name.clone(),
                to: to.name.clone(),
            };
            push(
                key,
                bodies::peering(remote),
                vec![
                    ResourceKey::VirtualNetwork(from.name.clone()),
                    ResourceKey::VirtualNetwork(to.name.clone()),
                ],
                vec![],
            );
        }
    }
    if let (Some(reg), Some(home)) = (&topology.registry, global_location(topology)) {
        push(
            ResourceKey::Registry,
            bodies::registry(name, reg, &home),
            vec![rg(names::GLOBAL)],
            vec![],
        );
        for region in regions.iter().filter(|r| r.name != home) {
            push(
                ResourceKey::Replication(region.name.clone()),
                bodies::replication(name, reg, &region.name),
                vec![ResourceKey::Registry],
                vec![],
            );
        }
        for region in regions.iter().filter(|r| r.mode.has_cluster()) {
            let r = region.name.clone();
            let role = role_assignment::role_definition_id(subscription, role_assignment::ACR_PULL);
            let binding = Binding {
                target: "/properties/principalId".into(),
                source: ResourceKey::ManagedCluster(r.clone()),
                source_pointer: "/properties/identityProfile/kubeletidentity/objectId".into(),
            };
            push(
                ResourceKey::RegistryPull(r.clone()),
                bodies::role_assignment(&role),
                vec![ResourceKey::Registry, ResourceKey::ManagedCluster(r)],
                vec![binding],
            );
        }
    }
    if let (Some(backup), Some(home)) = (&topology.backup, global_location(topology)) {
        push(
            ResourceKey::StorageAccount,
            bodies::backup_account(name, backup, &home),
            vec![rg(names::GLOBAL)],
            vec![],
        );
        for region in regions.iter().filter(|r| r.mode.has_cluster()) {
            push(
                ResourceKey::BackupContainer(region.name.clone()),
                bodies::backup_container(),
                vec![ResourceKey::StorageAccount],
                vec![],
            );
        }
    }
    if let Some(fd) = &topology.front_door {
        let g = || rg(names::GLOBAL);
        push(
            ResourceKey::FrontDoorProfile,
            bodies::front_door_profile(name, fd),
            vec![g()],
            vec![],
        );
        push(
            ResourceKey::FrontDoorEndpoint,
            bodies::front_door_endpoint(name),
            vec![ResourceKey::FrontDoorProfile],
            vec![],
        );
        push(
            ResourceKey::FrontDoorOriginGroup,
            bodies::front_door_origin_group(fd),
            vec![ResourceKey::FrontDoorProfile],
            vec![],
        );
        let mut route_deps = vec![
            ResourceKey::FrontDoorEndpoint,
            ResourceKey::FrontDoorOriginGroup,
        ];
        for region in &regions {
            let ip = ResourceKey::PublicIp(region.name.clone());
            let mut deps = vec![ResourceKey::FrontDoorOriginGroup, ip.clone()];
            if region.mode == crate::model::RegionMode::Hot {
                // Traffic goes to a region only once its cluster is there.
                deps.push(ResourceKey::ManagedCluster(region.name.clone()));
            }
            let fqdn = "/properties/dnsSettings/fqdn".to_owned();
            let bindings = vec![
                Binding {
                    target: "/properties/hostName".into(),
                    source: ip.clone(),
                    source_pointer: fqdn.clone(),
                },
                Binding {
                    target: "/properties/originHostHeader".into(),
                    source: ip,
                    source_pointer: fqdn,
                },
            ];
            push(
                ResourceKey::FrontDoorOrigin(region.name.clone()),
                bodies::front_door_origin(region),
                deps,
                bindings,
            );
            route_deps.push(ResourceKey::FrontDoorOrigin(region.name.clone()));
        }
        let group = ResourceKey::FrontDoorOriginGroup.id(subscription, name);
        push(
            ResourceKey::FrontDoorRoute,
            bodies::front_door_route(group),
            route_deps,
            vec![],
        );
        if let Some(policy) = &fd.waf {
            push(
                ResourceKey::WafPolicy,
                bodies::waf_policy(name, fd.premium, policy),
                vec![g()],
                vec![],
            );
            let endpoint = ResourceKey::FrontDoorEndpoint.id(subscription, name);
            let waf = ResourceKey::WafPolicy.id(subscription, name);
            push(
                ResourceKey::FrontDoorSecurityPolicy,
                bodies::front_door_security_policy(waf, endpoint),
                vec![ResourceKey::FrontDoorEndpoint, ResourceKey::WafPolicy],
                vec![],
            );
        }
    }
    if let Some(tm) = &topology.traffic_manager {
        let priorities = bodies::priorities(topology);
        let areas = geo::areas(topology);
        let ip_id = |r: &str| ResourceKey::PublicIp(r.to_owned()).id(subscription, name);
        // A region's IP, and its cluster when hot: traffic goes to a region only once its cluster
        // is there (failover to a cold region creates it).
        let region_deps = |r: &crate::model::Region| {
            let mut deps = vec![ResourceKey::PublicIp(r.name.clone())];
            if r.mode == crate::model::RegionMode::Hot {
                deps.push(ResourceKey::ManagedCluster(r.name.clone()));
            }
            deps
        };
        let mut deps = vec![rg(names::GLOBAL)];
        let mut endpoints = Vec::new();
        for area in areas.iter().filter(|a| a.nested()) {
            let key = ResourceKey::TrafficManagerChild(area.name.clone());
            let mut child_deps = vec![rg(names::GLOBAL)];
            child_deps.extend(area.regions.iter().flat_map(|r| region_deps(r)));
            push(
                key.clone(),
                bodies::area_profile(name, tm, area, ip_id),
                child_deps,
                vec![],
            );
            endpoints.push(bodies::area_endpoint(area, key.id(subscription, name)));
            deps.push(key);
        }
        for r in regions
            .iter()
            .filter(|r| geo::nested_area_of(&areas, &r.name).is_none())
        {
            endpoints.push(bodies::endpoint(
                tm,
                r,
                ip_id(&r.name),
                priorities.get(&r.name).copied(),
            ));
            deps.extend(region_deps(r));
        }
        push(
            ResourceKey::TrafficManagerProfile,
            bodies::traffic_manager(name, tm, endpoints),
            deps,
            vec![],
        );
    }
    out
}
