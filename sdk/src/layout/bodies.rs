//! The desired ARM body of each resource of a topology, built from the typed models.

use crate::arm::container_registry::{
    Registry, RegistryProperties, Replication, ReplicationProperties, Sku as RegistrySku,
};
use crate::arm::front_door as afd;
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
use crate::arm::traffic_manager::{
    CustomHeader, DnsConfig, ENDPOINT_TYPE, Endpoint, EndpointProperties, MonitorConfig,
    NESTED_ENDPOINT_TYPE, Profile, ProfileProperties, StatusCodeRange,
};
use crate::arm::virtual_network::{AddressSpace, VirtualNetwork, VirtualNetworkProperties};
use crate::arm::waf as arm_waf;
use crate::model::Registry as RegistrySettings;
use crate::model::{Autoscale, Backup, ClusterAccess, FrontDoor, NodePool, Waf};
use crate::model::{Region, RegionMode, RegionRole, RoutingMethod, Topology, TrafficManager};
use crate::names;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

fn to_value<T: Serialize>(v: &T) -> Value {
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

pub(super) fn traffic_manager(
    topology: &str,
    tm: &TrafficManager,
    endpoints: Vec<Endpoint>,
) -> Value {
    let tcp = tm.probe_protocol.eq_ignore_ascii_case("TCP");
    to_value(&Profile {
        location: "global".into(),
        tags: names::tags(topology, names::GLOBAL),
        properties: ProfileProperties {
            profile_status: "Enabled".into(),
            traffic_routing_method: tm.routing_method.as_str().into(),
            dns_config: DnsConfig {
                relative_name: tm.relative_name(topology),
                ttl: tm.ttl,
                fqdn: None,
            },
            monitor_config: MonitorConfig {
                protocol: tm.probe_protocol.to_ascii_uppercase(),
                port: tm.probe_port,
                path: (!tcp).then(|| tm.probe_path.clone()),
                interval_in_seconds: Some(tm.probe_interval),
                timeout_in_seconds: Some(tm.probe_timeout),
                tolerated_number_of_failures: Some(tm.tolerated_failures),
                custom_headers: tm
                    .probe_headers
                    .iter()
                    .map(|(name, value)| CustomHeader {
                        name: name.clone(),
                        value: value.clone(),
                    })
                    .collect(),
                expected_status_code_ranges: tm
                    .status_code_ranges()
                    .into_iter()
                    .flatten()
                    .map(|(min, max)| StatusCodeRange { min, max })
                    .collect(),
            },
            endpoints,
        },
    })
}

/// Priorities in effect: explicit ones, then the rest hot first, then warm, then cold, each with the
/// primary region first, then by name.
pub fn priorities(topology: &Topology) -> BTreeMap<String, u32> {
    priorities_of(&topology.regions.iter().collect::<Vec<_>>())
}

/// [`priorities`] among `regions` only (the regions of one nested area).
pub fn priorities_of(regions: &[&Region]) -> BTreeMap<String, u32> {
    let mut out: BTreeMap<String, u32> = regions
        .iter()
        .filter_map(|r| r.endpoint.priority.map(|p| (r.name.clone(), p)))
        .collect();
    let mut rest: Vec<&Region> = regions
        .iter()
        .copied()
        .filter(|r| r.endpoint.priority.is_none())
        .collect();
    rest.sort_by_key(|r| (r.mode as u8, r.role != RegionRole::Primary, r.name.clone()));
    let mut next = 1;
    for r in rest {
        while out.values().any(|p| *p == next) {
            next += 1;
        }
        out.insert(r.name.clone(), next);
        next += 1;
    }
    out
}

/// Hot regions receive traffic; warm and cold ones are `Disabled`, which keeps them off until failover
/// (Traffic Manager never enables an endpoint by itself).
pub(super) fn endpoint(
    tm: &TrafficManager,
    region: &Region,
    ip_id: String,
    priority: Option<u32>,
) -> Endpoint {
    let e = &region.endpoint;
    Endpoint {
        name: region.name.clone(),
        kind: ENDPOINT_TYPE.into(),
        properties: EndpointProperties {
            target_resource_id: ip_id,
            endpoint_status: if region.mode == RegionMode::Hot {
                "Enabled"
            } else {
                "Disabled"
            }
            .into(),
            priority: (tm.routing_method == RoutingMethod::Priority)
                .then_some(priority)
                .flatten(),
            weight: (tm.routing_method == RoutingMethod::Weighted).then(|| e.weight.unwrap_or(1)),
            geo_mapping: if tm.routing_method == RoutingMethod::Geographic {
                e.geo_mappings.clone()
            } else {
                Vec::new()
            },
            min_child_endpoints: None,
        },
    }
}

/// A nested area's child profile: Priority routing over the area's regions, the hot one enabled.
pub(super) fn area_profile(
    topology: &str,
    tm: &TrafficManager,
    area: &super::geo::Area<'_>,
    ip_id: impl Fn(&str) -> String,
) -> Value {
    let priorities = priorities_of(&area.regions);
    let child = TrafficManager {
        routing_method: RoutingMethod::Priority,
        dns_name: Some(names::traffic_manager_area_dns(
            &tm.relative_name(topology),
            &area.name,
        )),
        ..tm.clone()
    };
    let endpoints = area
        .regions
        .iter()
        .map(|r| endpoint(&child, r, ip_id(&r.name), priorities.get(&r.name).copied()))
        .collect();
    traffic_manager(topology, &child, endpoints)
}

/// The parent's endpoint for a nested area: its child profile, serving the area's codes.
pub(super) fn area_endpoint(area: &super::geo::Area<'_>, child_id: String) -> Endpoint {
    Endpoint {
        name: area.name.clone(),
        kind: NESTED_ENDPOINT_TYPE.into(),
        properties: EndpointProperties {
            target_resource_id: child_id,
            endpoint_status: "Enabled".into(),
            priority: None,
            weight: None,
            geo_mapping: area.codes.clone(),
            min_child_endpoints: Some(1),
        },
    }
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

pub(super) fn front_door_profile(topology: &str, fd: &FrontDoor) -> Value {
    let sku = if fd.premium {
        "Premium_AzureFrontDoor"
    } else {
        "Standard_AzureFrontDoor"
    };
    to_value(&afd::Profile {
        location: "global".into(),
        tags: names::tags(topology, names::GLOBAL),
        sku: afd::Sku { name: sku.into() },
    })
}

pub(super) fn front_door_endpoint(topology: &str) -> Value {
    to_value(&afd::Endpoint {
        location: "global".into(),
        tags: names::tags(topology, names::GLOBAL),
        properties: afd::EndpointProperties {
            enabled_state: "Enabled".into(),
            host_name: None,
        },
    })
}

pub(super) fn front_door_origin_group(fd: &FrontDoor) -> Value {
    to_value(&afd::OriginGroup {
        properties: afd::OriginGroupProperties {
            load_balancing_settings: afd::LoadBalancing {
                sample_size: 4,
                successful_samples_required: 3,
                additional_latency_in_milliseconds: 50,
            },
            health_probe_settings: afd::HealthProbe {
                probe_path: fd.probe_path.clone(),
                probe_request_type: "HEAD".into(),
                probe_protocol: fd.probe_protocol.clone(),
                probe_interval_in_seconds: fd.probe_interval,
            },
            session_affinity_state: if fd.session_affinity {
                "Enabled"
            } else {
                "Disabled"
            }
            .into(),
        },
    })
}

/// The host name is bound from the region's ingress IP at apply time.
pub(super) fn front_door_origin(region: &Region, fd: &FrontDoor) -> Value {
    to_value(&afd::Origin {
        properties: afd::OriginProperties {
            host_name: String::new(),
            // The ingress IP's DNS name is bound at apply time when no header is asked for.
            origin_host_header: fd.origin_host_header.clone().unwrap_or_default(),
            priority: 1,
            weight: 1000,
            enabled_state: if region.mode == RegionMode::Hot {
                "Enabled"
            } else {
                "Disabled"
            }
            .into(),
            enforce_certificate_name_check: true,
        },
    })
}

pub(super) fn front_door_route(origin_group_id: String) -> Value {
    to_value(&afd::Route {
        properties: afd::RouteProperties {
            origin_group: afd::IdRef {
                id: origin_group_id,
            },
            supported_protocols: vec!["Http".into(), "Https".into()],
            patterns_to_match: vec!["/*".into()],
            forwarding_protocol: "MatchRequest".into(),
            link_to_default_domain: "Enabled".into(),
            https_redirect: "Enabled".into(),
            enabled_state: "Enabled".into(),
        },
    })
}

pub(super) fn waf_policy(topology: &str, premium: bool, policy: &Waf) -> Value {
    let rules = policy
        .custom_rules
        .iter()
        .map(|r| arm_waf::CustomRule {
            name: r.name.clone(),
            priority: r.priority,
            enabled_state: "Enabled".into(),
            rule_type: if r.rate_limit.is_some() {
                "RateLimitRule"
            } else {
                "MatchRule"
            }
            .into(),
            rate_limit_duration_in_minutes: r.rate_limit.map(|l| l.duration_minutes),
            rate_limit_threshold: r.rate_limit.map(|l| l.threshold),
            match_conditions: r
                .conditions
                .iter()
                .map(|c| arm_waf::MatchCondition {
                    match_variable: c.variable.clone(),
                    selector: c.selector.clone(),
                    operator: c.operator.clone(),
                    negate_condition: c.negate,
                    match_value: c.values.clone(),
                })
                .collect(),
            action: r.action.clone(),
        })
        .collect();
    let sets = policy
        .managed_rule_sets
        .iter()
        .map(|s| arm_waf::ManagedRuleSet {
            rule_set_type: s.rule_set_type.clone(),
            rule_set_version: s.version.clone(),
            rule_set_action: Some(s.action.clone()),
        })
        .collect();
    to_value(&arm_waf::Policy {
        location: "Global".into(),
        tags: names::tags(topology, names::GLOBAL),
        sku: afd::Sku {
            name: if premium {
                "Premium_AzureFrontDoor"
            } else {
                "Standard_AzureFrontDoor"
            }
            .into(),
        },
        properties: arm_waf::PolicyProperties {
            policy_settings: arm_waf::PolicySettings {
                enabled_state: "Enabled".into(),
                mode: policy.mode.as_str().into(),
            },
            custom_rules: arm_waf::CustomRules { rules },
            managed_rules: arm_waf::ManagedRules {
                managed_rule_sets: sets,
            },
        },
    })
}

/// The WAF policy on the endpoint's own domain, for every path.
pub(super) fn front_door_security_policy(waf_policy_id: String, endpoint_id: String) -> Value {
    to_value(&afd::SecurityPolicy {
        properties: afd::SecurityPolicyProperties {
            parameters: afd::WafParameters {
                kind: "WebApplicationFirewall".into(),
                waf_policy: afd::IdRef { id: waf_policy_id },
                associations: vec![afd::WafAssociation {
                    domains: vec![afd::IdRef { id: endpoint_id }],
                    patterns_to_match: vec!["/*".into()],
                }],
            },
        },
    })
}
