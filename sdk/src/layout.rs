//! The Azure resources a [`Topology`] consists of: keys, deterministic ids and desired bodies, with the
//! dependencies between them and the values some bodies take from other resources once they exist.
//! Pure: the same topology always gives the same layout.

mod aks_backup;
mod backup_bodies;
mod bodies;
mod database;
mod geo;
mod key;
mod private_link;
mod routing;

pub use aks_backup::{
    BackupPart, Grant, parts_to_read as backup_parts_to_read, restores_into, vault_id, vaults_for,
};
pub use backup_bodies::settings_from as aks_backup_settings;
pub use database::{
    DATABASE_SUBNET_PREFIX, acting_primary as database_primary, database_subnet_cidr,
    existing_server_body, home as database_home, regions as database_regions,
};
pub use geo::{Area, areas, nested_area_of};
pub use key::{PrivateService, ResourceKey};
pub use private_link::{PRIVATE_ENDPOINT_PREFIX, private_endpoint_subnet_cidr};
pub use routing::{priorities, priorities_of};

use crate::arm::role_assignment;
use crate::model::Topology;
use crate::names;
use serde_json::Value;

/// A value a body takes from another resource once that exists (e.g. a cluster identity's principal id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// JSON pointer into this resource's body.
    pub target: String,
    /// The resource the value is read from.
    pub source: ResourceKey,
    /// JSON pointer into the source resource as ARM reports it.
    pub source_pointer: String,
}

/// A resource as the topology wants it.
#[derive(Debug, Clone, PartialEq)]
pub struct DesiredResource {
    /// Which resource of the topology this is.
    pub key: ResourceKey,
    /// Its ARM resource ID, derived from the topology's names.
    pub id: String,
    /// The body the topology wants, as sent on PUT (bindings not yet filled in).
    pub body: Value,
    /// The resources that must exist before this one is written.
    pub depends_on: Vec<ResourceKey>,
    /// The values the body takes from other resources once they exist.
    pub bindings: Vec<Binding>,
}

/// The region the global resources live in: `home_region`, else the primary, else the first by name.
pub fn global_location(topology: &Topology) -> Option<String> {
    let first = topology
        .primary()
        .or(topology.sorted_regions().first().copied());
    topology
        .home_region
        .clone()
        .or(first.map(|r| r.name.clone()))
}

/// The region of the global resource group: `global_group_region`, else a region outside the
/// topology's regions near the home ([`crate::regions::outside`]), so that the loss of any one region
/// of the topology, the home included, leaves the group's resources (the routing profile a failover
/// writes) writable; the home itself when the table knows no such region.
pub fn global_group_location(topology: &Topology) -> Option<String> {
    if let Some(region) = &topology.global_group_region {
        return Some(region.clone());
    }
    let home = global_location(topology)?;
    let taken: Vec<&str> = topology
        .sorted_regions()
        .iter()
        .map(|r| r.name.as_str())
        .collect();
    Some(crate::regions::outside(&home, &taken).map_or(home, str::to_owned))
}

/// The range every cluster gives its Kubernetes services (`networkProfile.serviceCidr`); no VNet of the
/// topology may overlap it.
pub const SERVICE_CIDR: &str = "172.16.0.0/16";

/// The cluster DNS service's address, inside [`SERVICE_CIDR`].
pub const DNS_SERVICE_IP: &str = "172.16.0.10";

/// Pods per node: AKS's default under Azure CNI (the clusters' network plugin), which reserves an
/// address in the AKS subnet for each.
pub const MAX_PODS: u32 = 30;

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
    if let Some(location) = global_group_location(topology) {
        let mut global = bodies::resource_group(name, names::GLOBAL, &location);
        global["tags"][names::TAG_STATEFUL] =
            Value::String(names::stateful_tag(&topology.stateful_services));
        let primary = topology.primary().map(|r| r.name.clone());
        global["tags"][names::TAG_PRIMARY] = Value::String(primary.unwrap_or_default());
        global["tags"][names::TAG_DATABASE] = Value::String(
            if topology.database.is_some() {
                "postgres"
            } else {
                ""
            }
            .into(),
        );
        push(rg(names::GLOBAL), global, vec![], vec![]);
    }
    for region in &regions {
        let mut group = bodies::resource_group(name, &region.name, &region.name);
        // A cold region has no cluster to hold its settings: its group does, for import.
        if region.mode == crate::model::RegionMode::Cold {
            for (tag, value) in names::cold_cluster_tags(&region.cluster) {
                group["tags"][tag] = Value::String(value);
            }
        }
        push(rg(&region.name), group, vec![], vec![]);
    }
    for region in &regions {
        let mut vnet = bodies::vnet(name, region);
        database::add_subnet(topology, region, &mut vnet);
        push(
            ResourceKey::VirtualNetwork(region.name.clone()),
            vnet,
            vec![rg(&region.name)],
            vec![],
        );
        push(
            ResourceKey::PublicIp(region.name.clone()),
            bodies::public_ip(name, region),
            vec![rg(&region.name)],
            vec![],
        );
        // In every region, cold ones included: a failover then only makes the cluster.
        push(
            ResourceKey::LogWorkspace(region.name.clone()),
            bodies::log_workspace(name, region),
            vec![rg(&region.name)],
            vec![],
        );
    }
    // Each region's maintenance slot, by name among all of them (cold ones keep theirs for when
    // they run), so that a region's window does not move when another changes mode.
    let mut slots: Vec<String> = regions.iter().map(|r| r.name.clone()).collect();
    slots.sort();
    for region in regions.iter().filter(|r| r.mode.has_cluster()) {
        let r = region.name.clone();
        let subnet_id = format!(
            "{}/subnets/{}",
            ResourceKey::VirtualNetwork(r.clone()).id(subscription, name),
            names::AKS_SUBNET
        );
        let workspace = ResourceKey::LogWorkspace(r.clone());
        push(
            ResourceKey::ManagedCluster(r.clone()),
            bodies::cluster(
                name,
                &topology.access,
                region,
                subnet_id.clone(),
                workspace.id(subscription, name),
            ),
            vec![rg(&r), ResourceKey::VirtualNetwork(r.clone()), workspace],
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
        // Node images are patched in the region's own window, never two regions' at once.
        let slot = slots.iter().position(|name| *name == r).unwrap_or_default();
        let mut deps = vec![ResourceKey::ManagedCluster(r.clone())];
        if previous != deps[0] {
            deps.push(previous);
        }
        push(
            ResourceKey::MaintenanceWindow(r.clone()),
            bodies::maintenance_window(slot),
            deps,
            vec![],
        );
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
        // Under Azure RBAC, Entra ID principals are authorized by Azure roles only: the admin groups
        // get theirs on each cluster.
        let admin = role_assignment::role_definition_id(
            subscription,
            role_assignment::AKS_RBAC_CLUSTER_ADMIN,
        );
        for group in &topology.access.admin_group_object_ids {
            push(
                ResourceKey::ClusterAdmin {
                    region: r.clone(),
                    group: group.to_ascii_lowercase(),
                },
                bodies::group_role_assignment(&admin, &group.to_ascii_lowercase()),
                vec![ResourceKey::ManagedCluster(r.clone())],
                vec![],
            );
        }
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
    for (key, body, deps, bindings) in aks_backup::parts(topology, subscription) {
        push(key, body, deps, bindings);
    }
    if let Some(home) = global_location(topology) {
        let replicas: Vec<ResourceKey> = regions
            .iter()
            .filter(|r| topology.registry.is_some() && r.name != home)
            .map(|r| ResourceKey::Replication(r.name.clone()))
            .collect();
        for (key, body, deps) in private_link::parts(topology, subscription, &replicas) {
            push(key, body, deps, vec![]);
        }
    }
    for (key, body, deps) in database::parts(topology, subscription) {
        push(key, body, deps, vec![]);
    }
    if let Some(fd) = &topology.front_door {
        let g = || rg(names::GLOBAL);
        push(
            ResourceKey::FrontDoorProfile,
            routing::front_door_profile(name, fd),
            vec![g()],
            vec![],
        );
        push(
            ResourceKey::FrontDoorEndpoint,
            routing::front_door_endpoint(name),
            vec![ResourceKey::FrontDoorProfile],
            vec![],
        );
        push(
            ResourceKey::FrontDoorOriginGroup,
            routing::front_door_origin_group(fd),
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
                // Traffic goes to a region only once it can serve: its cluster is there and may use
                // its ingress IP.
                deps.push(ResourceKey::ManagedCluster(region.name.clone()));
                deps.push(ResourceKey::RoleAssignment(region.name.clone()));
            }
            let fqdn = "/properties/dnsSettings/fqdn".to_owned();
            let mut bindings = vec![Binding {
                target: "/properties/hostName".into(),
                source: ip.clone(),
                source_pointer: fqdn.clone(),
            }];
            if fd.origin_host_header.is_none() {
                bindings.push(Binding {
                    target: "/properties/originHostHeader".into(),
                    source: ip,
                    source_pointer: fqdn,
                });
            }
            push(
                ResourceKey::FrontDoorOrigin(region.name.clone()),
                routing::front_door_origin(region, fd),
                deps,
                bindings,
            );
            route_deps.push(ResourceKey::FrontDoorOrigin(region.name.clone()));
        }
        let group = ResourceKey::FrontDoorOriginGroup.id(subscription, name);
        push(
            ResourceKey::FrontDoorRoute,
            routing::front_door_route(group),
            route_deps,
            vec![],
        );
        if let Some(policy) = &fd.waf {
            push(
                ResourceKey::WafPolicy,
                routing::waf_policy(name, fd.premium, policy),
                vec![g()],
                vec![],
            );
            let endpoint = ResourceKey::FrontDoorEndpoint.id(subscription, name);
            let waf = ResourceKey::WafPolicy.id(subscription, name);
            push(
                ResourceKey::FrontDoorSecurityPolicy,
                routing::front_door_security_policy(waf, endpoint),
                vec![ResourceKey::FrontDoorEndpoint, ResourceKey::WafPolicy],
                vec![],
            );
        }
    }
    if let Some(tm) = &topology.traffic_manager {
        let priorities = routing::priorities(topology);
        let areas = geo::areas(topology);
        let ip_id = |r: &str| ResourceKey::PublicIp(r.to_owned()).id(subscription, name);
        // A region's IP, and when hot its cluster and the cluster's right to use the IP: traffic goes
        // to a region only once it can serve (failover to a cold region creates both first).
        let region_deps = |r: &crate::model::Region| {
            let mut deps = vec![ResourceKey::PublicIp(r.name.clone())];
            if r.mode == crate::model::RegionMode::Hot {
                deps.push(ResourceKey::ManagedCluster(r.name.clone()));
                deps.push(ResourceKey::RoleAssignment(r.name.clone()));
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
                routing::area_profile(name, tm, area, ip_id),
                child_deps,
                vec![],
            );
            endpoints.push(routing::area_endpoint(area, key.id(subscription, name)));
            deps.push(key);
        }
        for r in regions
            .iter()
            .filter(|r| geo::nested_area_of(&areas, &r.name).is_none())
        {
            endpoints.push(routing::endpoint(
                tm,
                r,
                ip_id(&r.name),
                priorities.get(&r.name).copied(),
            ));
            deps.extend(region_deps(r));
        }
        push(
            ResourceKey::TrafficManagerProfile,
            routing::traffic_manager(name, tm, endpoints),
            deps,
            vec![],
        );
    }
    out
}
