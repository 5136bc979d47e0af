//! The Azure resources a [`Topology`] consists of: keys, deterministic ids and desired bodies, with the
//! dependencies between them. Pure: the same topology always gives the same layout.

use crate::arm::managed_cluster::{
    self, AgentPool, ClusterIdentity, ManagedCluster, ManagedClusterProperties, NetworkProfile,
};
use crate::arm::peering::{self, PeeringProperties, SubResource, VirtualNetworkPeering};
use crate::arm::resource_group::{self, ResourceGroup};
use crate::arm::virtual_network::{
    self, AddressSpace, Subnet, SubnetProperties, VirtualNetwork, VirtualNetworkProperties,
};
use crate::model::{Region, Topology};
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
    ManagedCluster(String),
    Peering {
        from: String,
        to: String,
    },
}

impl ResourceKey {
    pub fn api_version(&self) -> &'static str {
        match self {
            ResourceKey::ResourceGroup(_) => resource_group::API_VERSION,
            ResourceKey::VirtualNetwork(_) => virtual_network::API_VERSION,
            ResourceKey::ManagedCluster(_) => managed_cluster::API_VERSION,
            ResourceKey::Peering { .. } => peering::API_VERSION,
        }
    }

    /// The ARM id this key has in `topology`.
    pub fn id(&self, subscription: &str, topology: &str) -> String {
        let rg = |region: &str| names::resource_group(topology, region);
        let vnet = |region: &str| {
            virtual_network::id(
                subscription,
                &rg(region),
                &names::virtual_network(topology, region),
            )
        };
        match self {
            ResourceKey::ResourceGroup(region) => resource_group::id(subscription, &rg(region)),
            ResourceKey::VirtualNetwork(region) => vnet(region),
            ResourceKey::ManagedCluster(region) => {
                managed_cluster::id(subscription, &rg(region), &names::cluster(topology, region))
            }
            ResourceKey::Peering { from, to } => {
                peering::id(&vnet(from), &names::peering(from, to))
            }
        }
    }
}

impl fmt::Display for ResourceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResourceKey::ResourceGroup(r) => write!(f, "resource group ({r})"),
            ResourceKey::VirtualNetwork(r) => write!(f, "virtual network ({r})"),
            ResourceKey::ManagedCluster(r) => write!(f, "AKS cluster ({r})"),
            ResourceKey::Peering { from, to } => write!(f, "peering ({from} -> {to})"),
        }
    }
}

/// A resource as the topology wants it.
#[derive(Debug, Clone, PartialEq)]
pub struct DesiredResource {
    pub key: ResourceKey,
    pub id: String,
    pub body: Value,
    pub depends_on: Vec<ResourceKey>,
}

fn to_value<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// The region the global resource group lives in: the first region by name.
pub fn global_location(topology: &Topology) -> Option<String> {
    topology.sorted_regions().first().map(|r| r.name.clone())
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
    let mut push = |key: ResourceKey, body: Value, depends_on: Vec<ResourceKey>| {
        let id = key.id(subscription, name);
        out.push(DesiredResource {
            key,
            id,
            body,
            depends_on,
        });
    };
    if let Some(location) = global_location(topology) {
        let rg = ResourceGroup {
            id: None,
            name: None,
            location,
            tags: names::tags(name, names::GLOBAL),
        };
        push(
            ResourceKey::ResourceGroup(names::GLOBAL.into()),
            to_value(&rg),
            vec![],
        );
    }
    for region in &regions {
        let rg = ResourceGroup {
            id: None,
            name: None,
            location: region.name.clone(),
            tags: names::tags(name, &region.name),
        };
        push(
            ResourceKey::ResourceGroup(region.name.clone()),
            to_value(&rg),
            vec![],
        );
    }
    for region in &regions {
        push(
            ResourceKey::VirtualNetwork(region.name.clone()),
            to_value(&vnet(name, region)),
            vec![ResourceKey::ResourceGroup(region.name.clone())],
        );
    }
    for region in &regions {
        let subnet_id = format!(
            "{}/subnets/{}",
            ResourceKey::VirtualNetwork(region.name.clone()).id(subscription, name),
            names::AKS_SUBNET
        );
        push(
            ResourceKey::ManagedCluster(region.name.clone()),
            to_value(&cluster(name, region, subnet_id)),
            vec![
                ResourceKey::ResourceGroup(region.name.clone()),
                ResourceKey::VirtualNetwork(region.name.clone()),
            ],
        );
    }
    for from in &regions {
        for to in regions.iter().filter(|r| r.name != from.name) {
            let remote = ResourceKey::VirtualNetwork(to.name.clone()).id(subscription, name);
            let body = VirtualNetworkPeering {
                id: None,
                name: None,
                properties: PeeringProperties {
                    remote_virtual_network: SubResource { id: remote },
                    allow_virtual_network_access: true,
                    allow_forwarded_traffic: true,
                    allow_gateway_transit: false,
                    use_remote_gateways: false,
                    peering_state: None,
                    peering_sync_level: None,
                    provisioning_state: None,
                },
            };
            push(
                ResourceKey::Peering {
                    from: from.name.clone(),
                    to: to.name.clone(),
                },
                to_value(&body),
                vec![
                    ResourceKey::VirtualNetwork(from.name.clone()),
                    ResourceKey::VirtualNetwork(to.name.clone()),
                ],
            );
        }
    }
    out
}

fn vnet(topology: &str, region: &Region) -> VirtualNetwork {
    VirtualNetwork {
        id: None,
        location: region.name.clone(),
        tags: names::tags(topology, &region.name),
        properties: VirtualNetworkProperties {
            provisioning_state: None,
            address_space: AddressSpace {
                address_prefixes: vec![region.vnet_cidr.clone()],
            },
            subnets: vec![Subnet {
                id: None,
                name: names::AKS_SUBNET.into(),
                properties: SubnetProperties {
                    address_prefix: Some(subnet_cidr(&region.vnet_cidr)),
                },
            }],
        },
    }
}

fn cluster(topology: &str, region: &Region, subnet_id: String) -> ManagedCluster {
    let c = &region.cluster;
    ManagedCluster {
        id: None,
        location: region.name.clone(),
        tags: names::tags(topology, &region.name),
        identity: Some(ClusterIdentity {
            kind: "SystemAssigned".into(),
            principal_id: None,
        }),
        properties: ManagedClusterProperties {
            provisioning_state: None,
            kubernetes_version: c.kubernetes_version.clone(),
            dns_prefix: names::dns_prefix(topology, &region.name),
            fqdn: None,
            node_resource_group: None,
            agent_pool_profiles: vec![AgentPool {
                name: "system".into(),
                mode: "System".into(),
                count: c.node_count,
                vm_size: c.vm_size.clone(),
                vnet_subnet_id: Some(subnet_id),
                kind: Some("VirtualMachineScaleSets".into()),
                os_type: Some("Linux".into()),
            }],
            network_profile: NetworkProfile {
                network_plugin: "azure".into(),
                load_balancer_sku: "standard".into(),
                service_cidr: Some("172.16.0.0/16".into()),
                dns_service_ip: Some("172.16.0.10".into()),
            },
            identity_profile: None,
        },
    }
}
