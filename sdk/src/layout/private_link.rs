//! The private network path to the global services: in every region (cold ones included, so that a
//! failover only makes the cluster) a private endpoint to the registry and one to the backup
//! storage's blob service, each in the region's private-endpoint subnet, and the region's own
//! `privatelink` DNS zones, linked to the region's VNet, into which the endpoints' zone groups have
//! Azure write their A records. One zone per region and service, not one shared by all: a VNet
//! links one zone of a name, and endpoints of one registry in several regions writing into a
//! shared zone overwrite each other's records, so only one region would resolve to its own
//! endpoint, and a region's loss would leave the others resolving to an endpoint that is gone
//! (docs/security.md, Networks).

use super::{ResourceKey, key::PrivateService};
use crate::arm::private_dns::{self, LinkProperties, PrivateZone, VirtualNetworkLink};
use crate::arm::private_endpoint::{
    PrivateEndpoint, PrivateEndpointProperties, ServiceConnection, ServiceConnectionProperties,
    SubResource, ZoneConfig, ZoneConfigProperties, ZoneGroup, ZoneGroupProperties,
};
use crate::arm::storage::NetworkAcls;
use crate::arm::virtual_network::{Subnet, SubnetProperties};
use crate::model::Topology;
use crate::names;
use serde_json::Value;

/// The prefix length of each region's private-endpoint subnet: 59 usable addresses (Azure keeps
/// five), one for the backup blobs and one per registry location plus the login server.
pub const PRIVATE_ENDPOINT_PREFIX: u8 = 26;

/// The region's private-endpoint subnet: the last /26 of the VNet's address space, clear of the AKS
/// subnet (the first half); `None` when the space is smaller than a /25 (validation refuses those).
pub fn private_endpoint_subnet_cidr(vnet_cidr: &str) -> Option<String> {
    let net = vnet_cidr.parse::<ipnet::Ipv4Net>().ok()?;
    if net.prefix_len() >= PRIVATE_ENDPOINT_PREFIX {
        return None;
    }
    net.trunc()
        .subnets(PRIVATE_ENDPOINT_PREFIX)
        .ok()?
        .last()
        .map(|s| s.to_string())
}

/// A region's subnets: the AKS subnet (the first half of the VNet) and the private-endpoint subnet.
pub(super) fn subnets(vnet_cidr: &str) -> Vec<Subnet> {
    [
        Some((names::AKS_SUBNET, super::subnet_cidr(vnet_cidr))),
        private_endpoint_subnet_cidr(vnet_cidr).map(|cidr| (names::PRIVATE_ENDPOINT_SUBNET, cidr)),
    ]
    .into_iter()
    .flatten()
    .map(|(name, cidr)| Subnet {
        id: None,
        name: name.into(),
        properties: SubnetProperties {
            address_prefix: Some(cidr),
            delegations: Vec::new(),
        },
    })
    .collect()
}

/// The registry's `publicNetworkAccess`: `Disabled` unless the topology opts out.
pub(super) fn registry_access(settings: &crate::model::Registry) -> String {
    if settings.public_network_access {
        "Enabled".into()
    } else {
        "Disabled".into()
    }
}

/// The backup account's network rules: nothing gets in but the private endpoints and Azure's
/// trusted services (Azure Backup among them).
pub(super) fn deny_by_default() -> NetworkAcls {
    NetworkAcls {
        default_action: "Deny".into(),
        bypass: "AzureServices".into(),
    }
}

/// The services the topology reaches privately: the registry and the backup storage, where they exist.
pub fn services(topology: &Topology) -> Vec<PrivateService> {
    PrivateService::ALL
        .into_iter()
        .filter(|s| match s {
            PrivateService::Registry => topology.registry.is_some(),
            PrivateService::Blob => topology.backup.is_some(),
        })
        .collect()
}

/// A resource of the private network path: key, body, what it waits for.
pub(super) type Part = (ResourceKey, Value, Vec<ResourceKey>);

fn to_value<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// Every region's endpoints, zones, links and zone groups, in dependency order: the zone after the
/// region's group, the link after the zone and the VNet, the endpoint after the VNet (its subnet) and
/// its target (the registry after its replicas, so that the endpoint has every replica's data
/// endpoint), the zone group after the endpoint and the zone.
pub(super) fn parts(
    topology: &Topology,
    subscription: &str,
    replicas: &[ResourceKey],
) -> Vec<Part> {
    let name = topology.name.as_str();
    let mut out = Vec::new();
    for service in services(topology) {
        for region in topology.sorted_regions() {
            let r = region.name.clone();
            let group = ResourceKey::ResourceGroup(r.clone());
            let vnet = ResourceKey::VirtualNetwork(r.clone());
            let zone = ResourceKey::PrivateDnsZone {
                region: r.clone(),
                service,
            };
            let endpoint = ResourceKey::PrivateEndpoint {
                region: r.clone(),
                service,
            };
            out.push((zone.clone(), zone_body(name, &r), vec![group.clone()]));
            out.push((
                ResourceKey::PrivateDnsLink {
                    region: r.clone(),
                    service,
                },
                link_body(name, &r, vnet.id(subscription, name)),
                vec![zone.clone(), vnet.clone()],
            ));
            let target = service.target();
            let mut deps = vec![group, vnet.clone(), target.clone()];
            if service == PrivateService::Registry {
                deps.extend(replicas.iter().cloned());
            }
            let subnet = format!(
                "{}/subnets/{}",
                vnet.id(subscription, name),
                names::PRIVATE_ENDPOINT_SUBNET
            );
            out.push((
                endpoint.clone(),
                endpoint_body(name, &r, service, subnet, target.id(subscription, name)),
                deps,
            ));
            out.push((
                ResourceKey::PrivateDnsZoneGroup {
                    region: r.clone(),
                    service,
                },
                zone_group_body(service, zone.id(subscription, name)),
                vec![endpoint, zone],
            ));
        }
    }
    out
}

fn zone_body(topology: &str, region: &str) -> Value {
    to_value(&PrivateZone {
        location: private_dns::LOCATION.into(),
        tags: names::tags(topology, region),
    })
}

fn link_body(topology: &str, region: &str, vnet_id: String) -> Value {
    to_value(&VirtualNetworkLink {
        location: private_dns::LOCATION.into(),
        tags: names::tags(topology, region),
        properties: LinkProperties {
            virtual_network: SubResource { id: vnet_id },
            registration_enabled: false,
        },
    })
}

fn endpoint_body(
    topology: &str,
    region: &str,
    service: PrivateService,
    subnet_id: String,
    target_id: String,
) -> Value {
    to_value(&PrivateEndpoint {
        location: region.to_owned(),
        tags: names::tags(topology, region),
        properties: PrivateEndpointProperties {
            subnet: SubResource { id: subnet_id },
            private_link_service_connections: vec![ServiceConnection {
                name: names::private_endpoint(topology, region, service.group_id()),
                properties: ServiceConnectionProperties {
                    private_link_service_id: target_id,
                    group_ids: vec![service.group_id().to_owned()],
                },
            }],
            custom_dns_configs: Vec::new(),
        },
    })
}

fn zone_group_body(service: PrivateService, zone_id: String) -> Value {
    to_value(&ZoneGroup {
        properties: ZoneGroupProperties {
            private_dns_zone_configs: vec![ZoneConfig {
                name: service.zone().replace('.', "-"),
                properties: ZoneConfigProperties {
                    private_dns_zone_id: zone_id,
                },
            }],
        },
    })
}
