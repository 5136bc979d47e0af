//! Azure CNI's address planning, as AKS checks it before it makes or grows a cluster: every node of a
//! pool in a VNet subnet pre-allocates an address for itself and one per pod (`maxPods`, 30 unless
//! set; an autoscaled pool counted at `maxCount`), and the pools of one subnet must fit its usable
//! addresses (400 `InsufficientSubnetSize`); the cluster's service CIDR (10.0.0.0/16 when none is
//! sent) must not overlap ANY subnet of the VNets its nodes use (400
//! `ServiceCidrOverlapExistingSubnetsCidr`, learn.microsoft.com AKS troubleshooting). Clusters on
//! kubenet or CNI overlay take pod addresses elsewhere and are not counted.

use crate::contract::error::ArmError;
use crate::contract::request::Ctx;
use ipnet::Ipv4Net;
use serde_json::Value;
use std::collections::BTreeMap;

/// AKS's default pods per node under Azure CNI.
const DEFAULT_MAX_PODS: u64 = 30;

/// The service CIDR AKS gives a cluster whose network profile names none.
pub const DEFAULT_SERVICE_CIDR: &str = "10.0.0.0/16";

/// Addresses Azure keeps in every subnet.
const RESERVED: u64 = 5;

fn pre_allocates(network_profile: &Value) -> bool {
    network_profile["networkPlugin"]
        .as_str()
        .is_some_and(|p| p.eq_ignore_ascii_case("azure"))
        && !network_profile["networkPluginMode"]
            .as_str()
            .is_some_and(|m| m.eq_ignore_ascii_case("overlay"))
}

/// The subnet `id`'s address prefix, from its VNet.
fn prefix(ctx: &Ctx<'_>, id: &str) -> Option<Ipv4Net> {
    crate::rp::network::subnet_of(ctx.state, id)?["properties"]["addressPrefix"]
        .as_str()?
        .parse()
        .ok()
}

/// Checks `pools` (every pool the cluster would have, as agent pool profiles) against their subnets.
pub fn check(ctx: &Ctx<'_>, network_profile: &Value, pools: &[Value]) -> Result<(), ArmError> {
    let mut demand: BTreeMap<String, u64> = BTreeMap::new();
    for pool in pools {
        let Some(subnet) = pool["vnetSubnetID"].as_str() else {
            continue;
        };
        let nodes = if pool["enableAutoScaling"].as_bool() == Some(true) {
            pool["maxCount"].as_u64()
        } else {
            pool["count"].as_u64()
        }
        .unwrap_or(0);
        let per_node = pool["maxPods"].as_u64().unwrap_or(DEFAULT_MAX_PODS) + 1;
        *demand.entry(subnet.to_ascii_lowercase()).or_default() += nodes * per_node;
    }
    let services = network_profile["serviceCidr"]
        .as_str()
        .unwrap_or(DEFAULT_SERVICE_CIDR)
        .parse::<Ipv4Net>()
        .ok();
    if let Some(services) = services {
        check_services(ctx, services, demand.keys())?;
    }
    for (subnet, needed) in demand {
        let Some(net) = prefix(ctx, &subnet) else {
            continue;
        };
        let available = (1u64 << (32 - u32::from(net.prefix_len()))).saturating_sub(RESERVED);
        if pre_allocates(network_profile) && needed > available {
            let name = subnet.rsplit('/').next().unwrap_or_default();
            return Err(ArmError::bad_request(
                "InsufficientSubnetSize",
                format!("Pre-allocated IPs {needed} exceeds IPs available {available} in Subnet Cidr {net}, Subnet Name {name}. If Autoscaler is enabled, the max-count from each nodepool is counted towards this total (which means that pre-allocated IPs count represents a theoretical max value, not the actual number of IPs requested). http://aka.ms/aks/insufficientsubnetsize"),
            )
            .with_target("agentPoolProfile.count"));
        }
    }
    Ok(())
}

/// The service CIDR against every subnet of the VNets that hold `subnets` (the pools' own).
fn check_services<'a>(
    ctx: &Ctx<'_>,
    services: Ipv4Net,
    subnets: impl Iterator<Item = &'a String>,
) -> Result<(), ArmError> {
    let vnets: std::collections::BTreeSet<&str> = subnets
        .filter_map(|s| s.rsplit_once("/subnets/").map(|(vnet, _)| vnet))
        .collect();
    for vnet in vnets {
        let Some(vnet) = ctx.state.get(vnet) else {
            continue;
        };
        for subnet in vnet.body["properties"]["subnets"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let Some(net) = subnet["properties"]["addressPrefix"]
                .as_str()
                .and_then(|p| p.parse::<Ipv4Net>().ok())
            else {
                continue;
            };
            if services.contains(&net.network()) || net.contains(&services.network()) {
                return Err(ArmError::bad_request(
                    "ServiceCidrOverlapExistingSubnetsCidr",
                    format!(
                        "The specified service CIDR {services} is conflicted with an existing subnet CIDR {net}"
                    ),
                )
                .with_target("networkProfile.serviceCidr"));
            }
        }
    }
    Ok(())
}
