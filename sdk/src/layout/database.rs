//! The database's resources: per database region (the home and each replica region) a subnet of the
//! region's VNet delegated to PostgreSQL, the server (the primary made with `createMode: Create`,
//! each replica with `Replica` from the acting primary) and its Entra administrator; one private DNS
//! zone in the global group linked to every region's VNet (so that pods in any region resolve the
//! servers across the peering); the read-write virtual endpoint on the acting primary. Which server
//! is primary follows the traffic ([`acting_primary`]); the plan promotes it
//! (`crate::plan`'s database part).

use super::ResourceKey;
use crate::arm::postgres::{
    self, Administrator, AdministratorProperties, AuthConfig, Backup, Network, Server,
    ServerProperties, Sku, Storage, VirtualEndpoint, VirtualEndpointProperties,
};
use crate::arm::private_dns::{self, LinkProperties, PrivateZone, VirtualNetworkLink};
use crate::arm::private_endpoint::SubResource;
use crate::arm::virtual_network::{Delegation, DelegationProperties, Subnet, SubnetProperties};
use crate::model::{Region, RegionMode, RegionRole, Topology};
use crate::names;
use serde_json::Value;

/// The prefix length of each database region's delegated subnet (Azure asks for at least a /28).
pub const DATABASE_SUBNET_PREFIX: u8 = 26;

/// The database region's delegated subnet: the /26 before the private-endpoint subnet (the last
/// /26), in the VNet's second half, which no other subnet uses, so existing subnets keep their
/// addresses; `None` when the space is smaller than a /24.
pub fn database_subnet_cidr(vnet_cidr: &str) -> Option<String> {
    let net = vnet_cidr.parse::<ipnet::Ipv4Net>().ok()?;
    if net.prefix_len() > 24 {
        return None;
    }
    let subnets: Vec<ipnet::Ipv4Net> = net.trunc().subnets(DATABASE_SUBNET_PREFIX).ok()?.collect();
    subnets.len().checked_sub(2).map(|i| subnets[i].to_string())
}

/// The home of the database: the primary-role region, else the first hot region by priority.
pub fn home(topology: &Topology) -> Option<String> {
    topology.database.as_ref()?;
    if let Some(primary) = topology.primary() {
        return Some(primary.name.clone());
    }
    let priorities = super::priorities(topology);
    topology
        .regions
        .iter()
        .filter(|r| r.mode == RegionMode::Hot)
        .min_by_key(|r| (priorities.get(&r.name).copied(), r.name.clone()))
        .map(|r| r.name.clone())
}

/// The database regions: the home and each replica region of the topology, sorted by name.
pub fn regions(topology: &Topology) -> Vec<String> {
    let Some(db) = &topology.database else {
        return Vec::new();
    };
    let mut out: Vec<String> = home(topology).into_iter().collect();
    out.extend(
        db.replica_regions
            .iter()
            .filter(|r| topology.regions.iter().any(|t| &t.name == *r))
            .cloned(),
    );
    out.sort();
    out.dedup();
    out
}

/// The region whose server is the primary: the hot one among the database regions (the
/// primary-role region first when hot, then by priority); the home when none is hot.
pub fn acting_primary(topology: &Topology) -> Option<String> {
    let regions = regions(topology);
    let priorities = super::priorities(topology);
    topology
        .regions
        .iter()
        .filter(|r| r.mode == RegionMode::Hot && regions.contains(&r.name))
        .min_by_key(|r| {
            (
                r.role != RegionRole::Primary,
                priorities.get(&r.name).copied(),
                r.name.clone(),
            )
        })
        .map(|r| r.name.clone())
        .or_else(|| home(topology))
}

/// The ARM id of a database key (see [`ResourceKey::id`]).
pub(super) fn id(key: &ResourceKey, subscription: &str, topology: &str, region: &str) -> String {
    let server = |r: &str| {
        postgres::server_id(
            subscription,
            &names::resource_group(topology, r),
            &names::database_server(subscription, topology, r),
        )
    };
    let zone = || {
        private_dns::zone_id(
            subscription,
            &names::resource_group(topology, names::GLOBAL),
            &names::database_zone(topology),
        )
    };
    match key {
        ResourceKey::DatabaseAdmin { group, .. } => {
            postgres::administrator_id(&server(region), group)
        }
        ResourceKey::DatabaseEndpoint(_) => postgres::virtual_endpoint_id(
            &server(region),
            &names::database_endpoint(subscription, topology),
        ),
        ResourceKey::DatabaseZone => zone(),
        ResourceKey::DatabaseZoneLink(_) => {
            private_dns::link_id(&zone(), &names::private_dns_link(topology, region))
        }
        _ => server(region),
    }
}

/// Adds the database subnet to a database region's VNet body.
pub(super) fn add_subnet(topology: &Topology, region: &Region, vnet: &mut Value) {
    if !regions(topology).contains(&region.name) {
        return;
    }
    let Some(cidr) = database_subnet_cidr(&region.vnet_cidr) else {
        return;
    };
    let subnet = Subnet {
        id: None,
        name: names::DATABASE_SUBNET.into(),
        properties: SubnetProperties {
            address_prefix: Some(cidr),
            delegations: vec![Delegation {
                name: "postgres".into(),
                properties: DelegationProperties {
                    service_name: postgres::DELEGATION.into(),
                },
            }],
        },
    };
    if let Some(Value::Array(subnets)) = vnet.pointer_mut("/properties/subnets") {
        subnets.push(to_value(&subnet));
    }
}

fn to_value<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// A database resource: key, body, what it waits for.
pub(super) type Part = (ResourceKey, Value, Vec<ResourceKey>);

/// Every database resource in dependency order: the zone, its links to every region's VNet, the
/// servers (the replicas after the acting primary), their administrators, the virtual endpoint.
pub(super) fn parts(topology: &Topology, subscription: &str) -> Vec<Part> {
    let (Some(db), Some(primary)) = (&topology.database, acting_primary(topology)) else {
        return Vec::new();
    };
    let name = topology.name.as_str();
    let home = home(topology).unwrap_or_else(|| primary.clone());
    let group = |r: &str| ResourceKey::ResourceGroup(r.to_owned());
    let mut out: Vec<Part> = Vec::new();
    out.push((
        ResourceKey::DatabaseZone,
        to_value(&PrivateZone {
            location: private_dns::LOCATION.into(),
            tags: names::tags(name, names::GLOBAL),
        }),
        vec![group(names::GLOBAL)],
    ));
    for region in topology.sorted_regions() {
        let vnet = ResourceKey::VirtualNetwork(region.name.clone());
        out.push((
            ResourceKey::DatabaseZoneLink(region.name.clone()),
            to_value(&VirtualNetworkLink {
                location: private_dns::LOCATION.into(),
                tags: names::tags(name, &region.name),
                properties: LinkProperties {
                    virtual_network: SubResource {
                        id: vnet.id(subscription, name),
                    },
                    registration_enabled: false,
                },
            }),
            vec![ResourceKey::DatabaseZone, vnet],
        ));
    }
    let zone_id = ResourceKey::DatabaseZone.id(subscription, name);
    let primary_key = ResourceKey::DatabaseServer(primary.clone());
    let members: Vec<String> = regions(topology)
        .into_iter()
        .filter(|r| *r != primary)
        .map(|r| names::database_server(subscription, name, &r))
        .collect();
    for r in regions(topology) {
        let vnet = ResourceKey::VirtualNetwork(r.clone());
        let is_primary = r == primary;
        // The home is made as the primary (`Create`), with geo-redundant backups; every other server
        // as a replica of the acting primary, or of the home when it is the acting primary itself
        // (a failover to a region whose replica does not exist yet: the next plan promotes it).
        // Each waits for its source, and no source waits for its replica.
        let create_primary = r == home;
        let source = if is_primary {
            ResourceKey::DatabaseServer(home.clone())
        } else {
            primary_key.clone()
        };
        let mut tags = names::tags(name, &r);
        tags.insert(
            names::TAG_DATABASE_ADMIN.into(),
            format!(
                "{}={}",
                db.admin_group_object_id.to_ascii_lowercase(),
                db.admin_group_name
            ),
        );
        let server = Server {
            location: r.clone(),
            tags,
            sku: Sku {
                name: db.sku_name.clone(),
                tier: db.tier.as_str().into(),
            },
            properties: ServerProperties {
                version: db.version.clone(),
                create_mode: Some(if create_primary { "Create" } else { "Replica" }.into()),
                source_server_resource_id: (!create_primary).then(|| source.id(subscription, name)),
                storage: Storage {
                    storage_size_gb: db.storage_gb,
                },
                auth_config: AuthConfig {
                    active_directory_auth: "Enabled".into(),
                    password_auth: "Disabled".into(),
                },
                backup: (is_primary || create_primary).then(|| Backup {
                    backup_retention_days: db.backup_retention_days,
                    geo_redundant_backup: create_primary.then(|| "Enabled".into()),
                }),
                network: Network {
                    public_network_access: "Disabled".into(),
                    delegated_subnet_resource_id: format!(
                        "{}/subnets/{}",
                        vnet.id(subscription, name),
                        names::DATABASE_SUBNET
                    ),
                    private_dns_zone_arm_resource_id: zone_id.clone(),
                },
            },
        };
        let mut deps = vec![
            group(&r),
            vnet,
            ResourceKey::DatabaseZone,
            ResourceKey::DatabaseZoneLink(r.clone()),
        ];
        if !create_primary {
            deps.push(source.clone());
        }
        out.push((
            ResourceKey::DatabaseServer(r.clone()),
            to_value(&server),
            deps,
        ));
        out.push((
            ResourceKey::DatabaseAdmin {
                region: r.clone(),
                group: db.admin_group_object_id.to_ascii_lowercase(),
            },
            to_value(&Administrator {
                properties: AdministratorProperties {
                    principal_type: "Group".into(),
                    principal_name: db.admin_group_name.clone(),
                },
            }),
            vec![ResourceKey::DatabaseServer(r.clone())],
        ));
    }
    if !members.is_empty() {
        let mut deps: Vec<ResourceKey> = regions(topology)
            .into_iter()
            .map(ResourceKey::DatabaseServer)
            .collect();
        deps.push(ResourceKey::DatabasePromotion(primary.clone()));
        out.push((
            ResourceKey::DatabaseEndpoint(primary),
            to_value(&VirtualEndpoint {
                properties: VirtualEndpointProperties {
                    endpoint_type: "ReadWrite".into(),
                    members,
                },
            }),
            deps,
        ));
    }
    out
}

/// The body a server that exists is compared with and written with: what Azure fixes when it makes
/// a server (`createMode`, `sourceServerResourceId`, `backup.geoRedundantBackup`) left out.
pub fn existing_server_body(body: &Value) -> Value {
    let mut body = body.clone();
    if let Some(Value::Object(p)) = body.get_mut("properties") {
        p.remove("createMode");
        p.remove("sourceServerResourceId");
        if let Some(Value::Object(b)) = p.get_mut("backup") {
            b.remove("geoRedundantBackup");
        }
    }
    body
}
