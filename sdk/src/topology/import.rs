//! Rebuilding a [`Topology`] from what ARM reports: CIDRs from the VNets, cluster settings from the
//! system pools, modes from clusters and endpoint states, routing from the Traffic Manager profile.

use crate::arm::managed_cluster::ManagedCluster;
use crate::arm::traffic_manager::{Endpoint, Profile};
use crate::arm::virtual_network::VirtualNetwork;
use crate::layout::ResourceKey;
use crate::model::{
    ClusterTier, EndpointSettings, Region, RegionMode, RegionRole, RoutingMethod, Topology,
    TrafficManager,
};
use crate::plan::Observed;

fn typed<T: serde::de::DeserializeOwned>(observed: &Observed, key: &ResourceKey) -> Option<T> {
    observed
        .body(key)
        .and_then(|b| serde_json::from_value(b.clone()).ok())
}

pub(super) fn rebuild(name: &str, regions: &[String], observed: &Observed) -> Topology {
    let profile: Option<Profile> = typed(observed, &ResourceKey::TrafficManagerProfile);
    let mut topology = Topology::new(name);
    let located = |k: &ResourceKey| {
        observed
            .body(k)
            .and_then(|b| b["location"].as_str())
            .map(str::to_owned)
    };
    // The home is where the registry and the backup storage live; without them, the default.
    topology.home_region = [ResourceKey::Registry, ResourceKey::StorageAccount]
        .iter()
        .find_map(located);
    topology.global_group_region =
        located(&ResourceKey::ResourceGroup(crate::names::GLOBAL.into()));
    if let Some(profile) =
        typed::<crate::arm::front_door::Profile>(observed, &ResourceKey::FrontDoorProfile)
    {
        let mut fd = crate::model::FrontDoor {
            premium: profile.sku.name.starts_with("Premium"),
            ..Default::default()
        };
        if let Some(group) = typed::<crate::arm::front_door::OriginGroup>(
            observed,
            &ResourceKey::FrontDoorOriginGroup,
        ) {
            fd.probe_path = group.properties.health_probe_settings.probe_path;
            fd.probe_protocol = group.properties.health_probe_settings.probe_protocol;
            fd.probe_interval = group
                .properties
                .health_probe_settings
                .probe_interval_in_seconds;
            fd.session_affinity = group
                .properties
                .session_affinity_state
                .eq_ignore_ascii_case("Enabled");
        }
        // A header other than the origin's own name was asked for (the same in every region).
        let origins = observed.resources.iter().filter_map(|(k, r)| match k {
            ResourceKey::FrontDoorOrigin(_) => {
                serde_json::from_value::<crate::arm::front_door::Origin>(r.body.clone()).ok()
            }
            _ => None,
        });
        fd.origin_host_header = origins
            .map(|o| o.properties)
            .find(|p| !p.origin_host_header.eq_ignore_ascii_case(&p.host_name))
            .map(|p| p.origin_host_header);
        if let Some(policy) = typed::<crate::arm::waf::Policy>(observed, &ResourceKey::WafPolicy) {
            fd.waf = Some(waf_of(policy));
        }
        topology = topology.front_door(fd);
    }
    // Hub and spoke when the peerings are not a full mesh and one region peers with all others.
    let peered = |a: &String, b: &String| {
        observed.resources.contains_key(&ResourceKey::Peering {
            from: a.clone(),
            to: b.clone(),
        })
    };
    let mesh = regions
        .iter()
        .all(|a| regions.iter().filter(|b| *b != a).all(|b| peered(a, b)));
    if !mesh {
        topology.peering_hub = regions
            .iter()
            .find(|hub| regions.iter().filter(|b| b != hub).all(|b| peered(hub, b)))
            .cloned();
    }
    let global = observed.body(&ResourceKey::ResourceGroup(crate::names::GLOBAL.into()));
    if let Some(tag) = global.and_then(|g| g["tags"][crate::names::TAG_STATEFUL].as_str()) {
        topology.stateful_services = crate::names::parse_stateful_tag(tag);
    }
    let primary = global.and_then(|g| g["tags"][crate::names::TAG_PRIMARY].as_str());
    if let Some(account) =
        typed::<crate::arm::storage::StorageAccount>(observed, &ResourceKey::StorageAccount)
    {
        let redundancy = crate::model::StorageRedundancy::ALL
            .into_iter()
            .find(|r| r.sku().eq_ignore_ascii_case(&account.sku.name))
            .unwrap_or_default();
        topology = topology.backup(crate::model::Backup::default().redundancy(redundancy));
    }
    // AKS Backup: the settings of the first region's vault and policy found.
    let part = |region: &str, part| ResourceKey::AksBackup {
        region: region.to_owned(),
        part,
    };
    if let Some(region) = regions.iter().find(|r| {
        observed
            .body(&part(r, crate::layout::BackupPart::Vault))
            .is_some()
    }) && let Some(vault) = observed.body(&part(region, crate::layout::BackupPart::Vault))
    {
        let base = topology.backup.clone().unwrap_or_default();
        // The policy the region's instance uses, else any of the region's AKS backup policies.
        let used = observed
            .body(&part(region, crate::layout::BackupPart::Instance))
            .and_then(|i| i["properties"]["policyInfo"]["policyId"].as_str())
            .and_then(|id| id.rsplit('/').next())
            .map(|name| part(region, crate::layout::BackupPart::Policy(name.to_owned())));
        let policy = used.and_then(|k| observed.body(&k)).or_else(|| {
            observed.resources.iter().find_map(|(k, r)| match k {
                ResourceKey::AksBackup {
                    region: at,
                    part: crate::layout::BackupPart::Policy(_),
                } if at == region => Some(&r.body),
                _ => None,
            })
        });
        topology.backup = Some(crate::layout::aks_backup_settings(base, vault, policy));
    }
    if let Some(registry) =
        typed::<crate::arm::container_registry::Registry>(observed, &ResourceKey::Registry)
    {
        let zone_redundancy = registry
            .properties
            .zone_redundancy
            .eq_ignore_ascii_case("Enabled");
        let public_network_access = registry
            .properties
            .public_network_access
            .eq_ignore_ascii_case("Enabled");
        topology = topology.registry(crate::model::Registry {
            zone_redundancy,
            public_network_access,
        });
    }
    if let Some(p) = &profile
        && let Some(method) = RoutingMethod::parse(&p.properties.traffic_routing_method)
    {
        let mut tm =
            TrafficManager::new(method).dns_name(p.properties.dns_config.relative_name.clone());
        tm.ttl = p.properties.dns_config.ttl;
        tm.probe_protocol = p.properties.monitor_config.protocol.clone();
        tm.probe_port = p.properties.monitor_config.port;
        let monitor = &p.properties.monitor_config;
        tm.probe_interval = monitor.interval_in_seconds.unwrap_or(tm.probe_interval);
        tm.probe_timeout = monitor.timeout_in_seconds.unwrap_or(tm.probe_timeout);
        tm.tolerated_failures = monitor
            .tolerated_number_of_failures
            .unwrap_or(tm.tolerated_failures);
        tm.probe_headers = monitor
            .custom_headers
            .iter()
            .map(|h| (h.name.clone(), h.value.clone()))
            .collect();
        tm.expected_status_codes = monitor
            .expected_status_code_ranges
            .iter()
            .map(|r| {
                if r.min == r.max {
                    r.min.to_string()
                } else {
                    format!("{}-{}", r.min, r.max)
                }
            })
            .collect();
        tm.probe_path = p
            .properties
            .monitor_config
            .path
            .clone()
            .unwrap_or_else(|| "/".into());
        topology = topology.traffic_manager(tm);
    }
    // Every region endpoint with the codes it serves: the profile's own, and those in area profiles
    // (serving the codes of the parent's nested endpoint that points at them).
    let mut endpoints: Vec<(Endpoint, Vec<String>)> = Vec::new();
    if let Some(p) = &profile {
        for e in &p.properties.endpoints {
            if e.kind.ends_with("/nestedEndpoints") {
                let child = observed.resources.iter().find(|(k, r)| {
                    matches!(k, ResourceKey::TrafficManagerChild(_))
                        && r.id.eq_ignore_ascii_case(&e.properties.target_resource_id)
                });
                let child: Option<Profile> =
                    child.and_then(|(_, r)| serde_json::from_value(r.body.clone()).ok());
                for ce in child.into_iter().flat_map(|c| c.properties.endpoints) {
                    endpoints.push((ce, e.properties.geo_mapping.clone()));
                }
            } else {
                endpoints.push((e.clone(), e.properties.geo_mapping.clone()));
            }
        }
    }
    let mut access_read = false;
    for region in regions {
        let vnet: Option<VirtualNetwork> =
            typed(observed, &ResourceKey::VirtualNetwork(region.clone()));
        let cidr = vnet
            .and_then(|v| v.properties.address_space.address_prefixes.first().cloned())
            .unwrap_or_default();
        let cluster: Option<ManagedCluster> =
            typed(observed, &ResourceKey::ManagedCluster(region.clone()));
        // A cold region's settings live in its group's tags (no cluster holds them).
        let mut settings = observed
            .body(&ResourceKey::ResourceGroup(region.clone()))
            .and_then(|g| crate::names::parse_cold_cluster_tags(&g["tags"]))
            .filter(|_| cluster.is_none())
            .unwrap_or_default();
        if let Some(c) = &cluster {
            // How the clusters are reached is the topology's: the first cluster says.
            if !access_read {
                access_read = true;
                let p = &c.properties;
                topology.access.admin_group_object_ids = p
                    .aad_profile
                    .as_ref()
                    .map(|a| a.admin_group_object_ids.clone())
                    .unwrap_or_default();
                topology.access.local_accounts = p.disable_local_accounts != Some(true);
                topology.access.authorized_ip_ranges = p
                    .api_server_access_profile
                    .as_ref()
                    .map(|a| a.authorized_ip_ranges.clone())
                    .unwrap_or_default();
                topology.access.private_cluster = p
                    .api_server_access_profile
                    .as_ref()
                    .and_then(|a| a.enable_private_cluster)
                    .unwrap_or(false);
                topology.access.network_policy = p
                    .network_profile
                    .network_policy
                    .as_deref()
                    .and_then(crate::model::NetworkPolicy::parse)
                    .unwrap_or(crate::model::NetworkPolicy::None);
            }
            settings.kubernetes_version = c.properties.kubernetes_version.clone();
            // ARM reads a cluster without a sku as Free.
            settings.tier = c
                .sku
                .as_ref()
                .map_or(Some(ClusterTier::Free), |s| ClusterTier::parse(&s.tier))
                .unwrap_or_default();
            let autoscale = |p: &crate::arm::managed_cluster::PoolSettings| match (
                p.enable_auto_scaling,
                p.min_count,
                p.max_count,
            ) {
                (Some(true), Some(min), Some(max)) => Some(crate::model::Autoscale { min, max }),
                _ => None,
            };
            for pool in &c.properties.agent_pool_profiles {
                let p = &pool.settings;
                if p.mode.eq_ignore_ascii_case("System") && pool.name == "system" {
                    settings.node_count = p.count.unwrap_or(settings.node_count);
                    settings.vm_size = p.vm_size.clone();
                    settings.autoscale = autoscale(p);
                    settings.zones = p.availability_zones.clone();
                } else if p.mode.eq_ignore_ascii_case("User") {
                    let mut user = crate::model::NodePool::new(
                        pool.name.clone(),
                        p.vm_size.clone(),
                        p.count.unwrap_or_default(),
                    )
                    .zones(p.availability_zones.clone());
                    user.autoscale = autoscale(p);
                    settings.user_pools.push(user);
                }
            }
        }
        let found = endpoints
            .iter()
            .find(|(e, _)| e.name.eq_ignore_ascii_case(region));
        let endpoint = found.map(|(e, _)| e);
        let origin: Option<crate::arm::front_door::Origin> =
            typed(observed, &ResourceKey::FrontDoorOrigin(region.clone()));
        let enabled = match (endpoint, origin) {
            (Some(e), _) => e.properties.endpoint_status.eq_ignore_ascii_case("Enabled"),
            (None, Some(o)) => o.properties.enabled_state.eq_ignore_ascii_case("Enabled"),
            (None, None) => true,
        };
        let mode = match (cluster.is_some(), enabled) {
            (false, _) => RegionMode::Cold,
            (true, true) => RegionMode::Hot,
            (true, false) => RegionMode::Warm,
        };
        let mut settings_endpoint = EndpointSettings::default();
        if let (Some(e), Some(tm)) = (endpoint, &topology.traffic_manager) {
            match tm.routing_method {
                RoutingMethod::Priority => settings_endpoint.priority = e.properties.priority,
                RoutingMethod::Weighted => settings_endpoint.weight = e.properties.weight,
                RoutingMethod::Geographic => {
                    settings_endpoint.geo_mappings =
                        found.map(|(_, c)| c.clone()).unwrap_or_default()
                }
                RoutingMethod::Performance => {}
            }
        }
        topology = topology.region(
            Region::new(region.clone(), cidr)
                .with_cluster(settings)
                .mode(mode)
                .role(if primary == Some(region.as_str()) {
                    RegionRole::Primary
                } else {
                    RegionRole::Secondary
                })
                .endpoint(settings_endpoint),
        );
    }
    topology.database = super::database::rebuild(&topology, observed);
    topology
}

/// The model of a WAF policy as ARM reports it.
fn waf_of(policy: crate::arm::waf::Policy) -> crate::model::Waf {
    use crate::model::{Waf, WafCustomRule, WafManagedRuleSet, WafMatchCondition, WafMode};
    let p = policy.properties;
    let mut waf = Waf::default().mode(WafMode::parse(&p.policy_settings.mode).unwrap_or_default());
    for r in p.custom_rules.rules {
        let mut rule = WafCustomRule::new(r.name, r.priority).action(r.action);
        if let (Some(threshold), true) = (
            r.rate_limit_threshold,
            r.rule_type.eq_ignore_ascii_case("RateLimitRule"),
        ) {
            rule = rule.rate_limit(threshold, r.rate_limit_duration_in_minutes.unwrap_or(1));
        }
        for c in r.match_conditions {
            let mut condition = WafMatchCondition::new(c.match_variable, c.operator, c.match_value);
            condition.negate = c.negate_condition;
            condition.selector = c.selector;
            rule = rule.condition(condition);
        }
        waf = waf.custom_rule(rule);
    }
    for s in p.managed_rules.managed_rule_sets {
        let set = WafManagedRuleSet::new(s.rule_set_type, s.rule_set_version);
        waf = waf.managed_rule_set(match s.rule_set_action {
            Some(a) => set.action(a),
            None => set,
        });
    }
    waf
}
