//! The deletes of a plan: what exists but is no longer wanted, each after what must go (or stop
//! pointing at it) first, and nothing deleted on its own that goes with its container anyway.

use super::{Action, Observed, PlannedOperation};
use crate::layout::{DesiredResource, ResourceKey};
use std::collections::{BTreeMap, BTreeSet};

pub(super) fn delete(
    key: &ResourceKey,
    id: &str,
    reason: String,
    depends_on: Vec<usize>,
) -> PlannedOperation {
    PlannedOperation {
        key: key.clone(),
        id: id.to_owned(),
        action: Action::Delete,
        body: None,
        reason,
        drift: Vec::new(),
        depends_on,
        bindings: Vec::new(),
    }
}

/// Deletes what exists but is no longer wanted. A removed region goes with its resource group (after the
/// peerings and the Traffic Manager profile update that stop pointing into it); in a region that stays, a cluster that
/// is no longer wanted (the region went cold) goes after its role assignment; a removed profile takes
/// its endpoints with it.
pub(super) fn plan_deletes(
    ops: &mut Vec<PlannedOperation>,
    index: &BTreeMap<ResourceKey, usize>,
    desired: &[DesiredResource],
    observed: &Observed,
) {
    let wanted: BTreeSet<&ResourceKey> = desired.iter().map(|d| &d.key).collect();
    let region_stays = |r: &str| wanted.contains(&ResourceKey::ResourceGroup(r.to_owned()));
    // A removed region's endpoint leaves with the profile's update; its group waits for that.
    let profile_update = index
        .get(&ResourceKey::TrafficManagerProfile)
        .copied()
        .filter(|&i| ops[i].action != Action::NoOp);
    let mut into_region: Vec<(String, usize)> = Vec::new();
    let mut role_deletes: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let front_door_goes = observed
        .resources
        .contains_key(&ResourceKey::FrontDoorProfile)
        && !wanted.contains(&ResourceKey::FrontDoorProfile);
    let backup_goes = observed
        .resources
        .contains_key(&ResourceKey::StorageAccount)
        && !wanted.contains(&ResourceKey::StorageAccount);
    let registry_goes = observed.resources.contains_key(&ResourceKey::Registry)
        && !wanted.contains(&ResourceKey::Registry);
    for (key, found) in observed
        .resources
        .iter()
        .filter(|(k, _)| !wanted.contains(k))
    {
        let op = match key {
            ResourceKey::Peering { from, to } if region_stays(from) => {
                into_region.push((to.clone(), ops.len()));
                let deps = index
                    .get(&ResourceKey::VirtualNetwork(from.clone()))
                    .copied()
                    .into_iter()
                    .collect();
                let reason = if region_stays(to) {
                    format!("hub and spoke: {from} and {to} are both spokes")
                } else {
                    format!("region {to} is no longer in the topology")
                };
                delete(key, &found.id, reason, deps)
            }
            ResourceKey::TrafficManagerProfile => delete(
                key,
                &found.id,
                "the topology no longer uses Traffic Manager".into(),
                Vec::new(),
            ),
                        ResourceKey::FrontDoorProfile => delete(key, &found.id, "the topology no longer routes with Front Door; everything in the profile goes with it".into(), Vec::new()),
            ResourceKey::NodePool { region, pool }
                if wanted.contains(&ResourceKey::ManagedCluster(region.clone())) =>
            {
                // One AKS operation per cluster at a time: after the cluster's and its pools' writes,
                // and the pool deletes before it.
                let deps = ops
                    .iter()
                    .enumerate()
                    .filter(|(_, o)| {
                        o.action != Action::NoOp
                            && match &o.key {
                                ResourceKey::ManagedCluster(r) => r == region,
                                ResourceKey::NodePool { region: r, .. } => r == region,
                                _ => false,
                            }
                    })
                    .map(|(i, _)| i)
                    .collect();
                delete(
                    key,
                    &found.id,
                    format!("the pool {pool} is no longer in region {region}"),
                    deps,
                )
            }
            ResourceKey::FrontDoorSecurityPolicy if !front_door_goes => delete(
                key,
                &found.id,
                "the topology no longer has a WAF on Front Door".into(),
                Vec::new(),
            ),
            ResourceKey::FrontDoorOrigin(r) if !front_door_goes => {
                into_region.push((r.clone(), ops.len()));
                delete(key, &found.id, format!("region {r} is no longer in the topology"), Vec::new())
            }
            ResourceKey::StorageAccount => delete(
                key,
                &found.id,
                "the topology no longer has backup storage; its containers go with it".into(),
                Vec::new(),
            ),
            ResourceKey::BackupContainer(r) if !backup_goes => delete(
                key,
                &found.id,
                format!("region {r} has no cluster to back up any more"),
                Vec::new(),
            ),
            ResourceKey::Registry => delete(
                key,
                &found.id,
                "the topology no longer has a registry; its replicas go with it".into(),
                Vec::new(),
            ),
            ResourceKey::Replication(r) if !registry_goes => delete(
                key,
                &found.id,
                format!("region {r} is no longer in the topology"),
                Vec::new(),
            ),
            ResourceKey::RegistryPull(r) if !registry_goes => {
                // Scoped to the registry, not the region's group: deleted explicitly, or it would be orphaned.
                role_deletes.entry(r.clone()).or_default().push(ops.len());
                delete(
                    key,
                    &found.id,
                    format!("region {r} has no cluster any more"),
                    Vec::new(),
                )
            }
            ResourceKey::ClusterAdmin { region, group } if region_stays(region) => {
                // Before the cluster's update drops the group from its admin groups (the name there
                // is how a later run finds this role if the delete fails), or before the cluster goes.
                let at = ops.len();
                let cluster = ResourceKey::ManagedCluster(region.clone());
                if let Some(&update) = index.get(&cluster)
                    && ops[update].action != Action::NoOp
                {
                    ops[update].depends_on.push(at);
                }
                role_deletes.entry(region.clone()).or_default().push(at);
                let reason = if wanted.contains(&cluster) {
                    format!("group {group} no longer administers the clusters")
                } else {
                    format!("region {region} has no cluster any more")
                };
                delete(key, &found.id, reason, Vec::new())
            }
            ResourceKey::PrivateEndpoint { region, service } if region_stays(region) => {
                // Its DNS zone group (and so its A records) goes with it.
                delete(
                    key,
                    &found.id,
                    format!("the topology no longer has the {service} this endpoint reaches"),
                    Vec::new(),
                )
            }
            ResourceKey::PrivateDnsLink { region, service } if region_stays(region) => delete(
                key,
                &found.id,
                format!("the topology no longer has the {service} this zone resolves"),
                Vec::new(),
            ),
            ResourceKey::RoleAssignment(r) if region_stays(r) => {
                role_deletes.entry(r.clone()).or_default().push(ops.len());
                delete(
                    key,
                    &found.id,
                    format!("region {r} has no cluster any more"),
                    Vec::new(),
                )
            }
            _ => continue,
        };
        ops.push(op);
    }
    endpoints_before_targets(ops);
    super::backup_deletes::plan(ops, desired, observed);
    for (key, found) in observed
        .resources
        .iter()
        .filter(|(k, _)| !wanted.contains(k))
    {
        let op = match key {
            ResourceKey::TrafficManagerChild(area) => {
                // The parent stops pointing at it first (its update), or goes first itself.
                let deps = ops
                    .iter()
                    .enumerate()
                    .filter(|(_, o)| {
                        o.key == ResourceKey::TrafficManagerProfile && o.action != Action::NoOp
                    })
                    .map(|(i, _)| i)
                    .collect();
                delete(
                    key,
                    &found.id,
                    format!("no two regions share the codes of area {area} any more"),
                    deps,
                )
            }
            ResourceKey::WafPolicy => {
                // Azure refuses to delete a policy a security policy still uses: that goes first
                // (on its own, or with the whole profile).
                let deps = ops
                    .iter()
                    .enumerate()
                    .filter(|(_, o)| {
                        o.action == Action::Delete
                            && matches!(
                                o.key,
                                ResourceKey::FrontDoorSecurityPolicy
                                    | ResourceKey::FrontDoorProfile
                            )
                    })
                    .map(|(i, _)| i)
                    .collect();
                delete(
                    key,
                    &found.id,
                    "the topology no longer has a WAF on Front Door".into(),
                    deps,
                )
            }
            ResourceKey::PrivateDnsZone { region, service } if region_stays(region) => {
                // Azure refuses to delete a zone a VNet is still linked to; its records go with
                // the endpoint.
                let deps = ops
                    .iter()
                    .enumerate()
                    .filter(|(_, o)| {
                        o.action == Action::Delete
                            && match &o.key {
                                ResourceKey::PrivateDnsLink {
                                    region: r,
                                    service: s,
                                }
                                | ResourceKey::PrivateEndpoint {
                                    region: r,
                                    service: s,
                                } => r == region && s == service,
                                _ => false,
                            }
                    })
                    .map(|(i, _)| i)
                    .collect();
                delete(
                    key,
                    &found.id,
                    format!("the topology no longer has the {service} this zone resolves"),
                    deps,
                )
            }
            ResourceKey::ManagedCluster(r) if region_stays(r) => {
                let deps = role_deletes.get(r).cloned().unwrap_or_default();
                delete(
                    key,
                    &found.id,
                    format!("region {r} went cold: its cluster is created again on failover"),
                    deps,
                )
            }
            ResourceKey::ResourceGroup(r) => {
                let deps = into_region
                    .iter()
                    .filter(|(to, _)| to == r)
                    .map(|(_, i)| *i)
                    .chain(profile_update)
                    .collect();
                delete(
                    key,
                    &found.id,
                    format!(
                        "region {r} is no longer in the topology; its group and everything in it go"
                    ),
                    deps,
                )
            }
            _ => continue,
        };
        ops.push(op);
    }
}

/// A registry or storage account that goes waits for the deletes of the private endpoints that
/// reach it: Azure would otherwise leave them pointing at nothing (their connection Disconnected).
fn endpoints_before_targets(ops: &mut [PlannedOperation]) {
    let endpoint_deletes: Vec<(ResourceKey, usize)> = ops
        .iter()
        .enumerate()
        .filter_map(|(i, o)| match &o.key {
            ResourceKey::PrivateEndpoint { service, .. } if o.action == Action::Delete => {
                Some((service.target(), i))
            }
            _ => None,
        })
        .collect();
    for op in ops.iter_mut().filter(|o| o.action == Action::Delete) {
        for (target, i) in &endpoint_deletes {
            if *target == op.key && !op.depends_on.contains(i) {
                op.depends_on.push(*i);
            }
        }
    }
}
